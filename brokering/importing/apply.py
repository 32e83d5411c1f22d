"""Writing validated rows: upserts on natural keys, so a re-import changes nothing.

Blank optional cells never overwrite what the store holds (a partial export loses nothing).
Consent is special: it changes only for new staff or with a newer consent_date, so an old
export can never undo a withdrawal recorded since.
"""

from __future__ import annotations

from brokering.db import Connection
from brokering.importing import batches
from brokering.importing.problems import ImportReport, TableOutcome

# Target column -> parsed column, per table; defaults for new rows where a cell is blank.
_COLUMNS: dict[str, dict[str, str]] = {
    "schools": {
        c: c for c in ("school_id", "name", "phase", "is_hub", "postcode", "latitude", "longitude")
    },
    "staff": {
        c: c
        for c in (
            "staff_ref",
            "school_id",
            "role",
            "phases",
            "subjects",
            "line_manager_ref",
            "coach_trained",
            "mentor_trained",
            "capacity_hours",
            "capacity_days",
            "left_on",
        )
    },
    "evidence": {
        c: c
        for c in (
            "staff_ref",
            "skill_id",
            "evidence_type",
            "strength",
            "date",
            "recorded_by",
            "note",
            "phase",
            "skill_text",
        )
    },
    "coaching": {
        "coach_ref": "coach_ref",
        "coachee_ref": "coachee_ref",
        "skill_id": "skill_id",
        "mode": "mode",
        "start_date": "start_date",
        "end_date": "end_date",
        "outcome_strength": "outcome_strength",
        "feedback_score": "feedback_score",
        "feedback_text": "feedback_text",
        "hours": "hours",
    },
    "needs": {
        c: c
        for c in (
            "need_id",
            "staff_ref",
            "skill_id",
            "priority",
            "wanted_role",
            "raised_on",
            "status",
            "hours",
        )
    },
}
_DEFAULTS = {
    "is_hub": "FALSE",
    "phases": "[]::VARCHAR[]",
    "subjects": "[]::VARCHAR[]",
    "coach_trained": "FALSE",
    "mentor_trained": "FALSE",
    "capacity_hours": "0",
}
_KEYS = {
    "schools": ("school_id",),
    "staff": ("staff_ref",),
    "evidence": ("staff_ref", "skill_id", "evidence_type", "date", "recorded_by"),
    "coaching": ("coach_ref", "coachee_ref", "skill_id", "mode", "start_date"),
    "needs": ("need_id",),
}
#: Evidence is a record of what was seen: of an existing row, an import changes only these
#: (a re-import on the right strength scale must be able to put a wrong one right).
_EVIDENCE_UPDATABLE = ("strength", "note", "phase")
#: Tables written by brokering.pairings.imports: a change adds a version, a log entry is
#: never rewritten (see that module for the column mapping).
_VERSIONED = {"pairings", "pairing_evidence"}


def _present(con: Connection, table: str) -> list[str]:
    return list(con.execute(f"SELECT * FROM prs_{table} LIMIT 0").df().columns)


def upsert(
    con: Connection, table: str, import_id: int, label: str, changes: list | None = None
) -> TableOutcome:
    """Add new rows and update changed ones on their key; every change is recorded for the
    batch's undo (batches.record) and, when `changes` is given, listed before and after."""
    if table in _VERSIONED:
        # Pairings keep every version (append-only), so they have their own writer.
        from brokering.pairings.imports import APPLY

        return APPLY[table](con, import_id, label)
    present = set(_present(con, table))
    cols = {t: p for t, p in _COLUMNS[table].items() if p in present}
    keys = _KEYS[table]
    on = " AND ".join(f't."{k}" = p."{k}"' for k in keys)
    outcome = TableOutcome(table=table, file=label)
    outcome.rows = int(con.execute(f"SELECT count(*) FROM prs_{table}").fetchall()[0][0])

    insert_cols = list(cols)
    values = [
        f'coalesce(p."{cols[c]}", {_DEFAULTS[c]})' if c in _DEFAULTS else f'p."{cols[c]}"'
        for c in insert_cols
    ]
    for col in _COLUMNS[table]:
        if col not in cols and col in _DEFAULTS:  # a column the file left out entirely
            insert_cols.append(col)
            values.append(_DEFAULTS[col])
    if table in ("evidence", "coaching"):
        insert_cols.append("import_id")
        values.append(str(int(import_id)))
    updatable = [c for c in cols if c not in keys]
    if table == "evidence":
        updatable = [c for c in updatable if c in _EVIDENCE_UPDATABLE]
    changed = " OR ".join(
        f't."{c}" IS DISTINCT FROM coalesce(p."{cols[c]}", t."{c}")' for c in updatable
    )
    # Into an empty table (a first load) nothing can change: skip the join that looks.
    held = bool(
        con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchall()[0][0]  # noqa: S608
    )
    update_cols = {c: cols[c] for c in updatable}
    any_change = batches.record(
        con, import_id, table, on, changed if held and changed else None, update_cols
    )
    if any_change and changes is not None:
        changes += batches.changes(con, table, update_cols)
    outcome.added = int(
        con.execute(
            f"INSERT INTO {table} ({', '.join(insert_cols)}) SELECT {', '.join(values)} "
            f"FROM prs_{table} p WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {on})"
        ).fetchall()[0][0]
    )
    if any_change:
        sets = ", ".join(f'"{c}" = coalesce(p."{cols[c]}", t."{c}")' for c in updatable)
        outcome.updated = int(
            con.execute(
                f"UPDATE {table} t SET {sets} FROM chg_{table} p WHERE {on}"  # noqa: S608
            ).fetchall()[0][0]
        )
    outcome.unchanged = outcome.rows - outcome.added - outcome.updated
    return outcome


def apply_consent(
    con: Connection,
    report: ImportReport,
    username: str,
    new_refs: str,
    import_id: int,
    source: str = "staff",
    label: str = "staff.csv",
) -> None:
    """Consent from the file (`prs_<source>`): for staff new in this batch, or with a newer
    consent_date."""
    present = set(_present(con, source))
    if "share_consent" not in present:
        return
    dated = "p.consent_date" if "consent_date" in present else "NULL::DATE"
    applied = (
        "is_new OR (consent_date IS NOT NULL AND (was_date IS NULL OR consent_date > was_date) "
        "AND (share_consent IS DISTINCT FROM was OR consent_date IS DISTINCT FROM was_date))"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE consent_changes AS SELECT *, {applied} AS apply FROM ("
        f"SELECT p.line, p.staff_ref, p.share_consent, {dated} AS consent_date, "
        "s.share_consent AS was, s.consent_date AS was_date, "
        f"p.staff_ref IN (SELECT ref FROM {new_refs}) AS is_new "
        f"FROM prs_{source} p JOIN staff s USING (staff_ref) WHERE p.share_consent IS NOT NULL)"
    )
    con.execute(
        "INSERT INTO batch_rows (import_id, tbl, action, row_key, before) SELECT ?, 'staff', "
        f"'updated', {batches.key_sql('staff', 's')}, to_json(s)::VARCHAR FROM staff s "
        "JOIN consent_changes c USING (staff_ref) WHERE c.apply AND NOT c.is_new AND "
        f"{batches.key_sql('staff', 's')} NOT IN (SELECT row_key FROM batch_rows WHERE "
        "import_id = ? AND tbl = 'staff')",
        [import_id, import_id],
    )
    con.execute(
        "UPDATE staff s SET share_consent = c.share_consent, consent_date = c.consent_date "
        "FROM consent_changes c WHERE s.staff_ref = c.staff_ref AND c.apply"
    )
    con.execute(
        "INSERT INTO consent_events (staff_ref, share_consent, consent_date, source, recorded_by, "
        "import_id) SELECT staff_ref, share_consent, consent_date, 'import', ?, ? "
        "FROM consent_changes WHERE apply",
        [username, import_id],
    )
    for line, ref, was_date in con.execute(
        "SELECT line, staff_ref, was_date FROM consent_changes WHERE NOT apply "
        "AND share_consent IS DISTINCT FROM was ORDER BY line LIMIT 100"
    ).fetchall():
        since = f" on {was_date}" if was_date else ""
        report.notes.append(
            f"{label}, line {line}: consent for {ref} left as recorded{since}; the file's "
            "value is undated or older. Give a newer consent_date to change it."
        )
