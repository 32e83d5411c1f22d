"""Writing validated rows: upserts on natural keys, so a re-import changes nothing.

Blank optional cells never overwrite what the store holds (a partial export loses nothing).
Consent is special: it changes only for new staff or with a newer consent_date, and never
undoes a withdrawal recorded in the app (brokering/consent.py).
"""

from __future__ import annotations

from brokering.db import Connection
from brokering.importing.problems import ImportReport, TableOutcome
from brokering.viewer import Viewer

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
#: Evidence is a record of what was seen: an existing row is never rewritten by an import.
_INSERT_ONLY = {"evidence"}
#: Tables written by brokering.pairings.imports: a change adds a version, a log entry is
#: never rewritten (see that module for the column mapping).
_VERSIONED = {"pairings", "pairing_evidence"}


def _present(con: Connection, table: str) -> list[str]:
    return list(con.execute(f"SELECT * FROM prs_{table} LIMIT 0").df().columns)


def upsert(con: Connection, table: str, import_id: int, label: str) -> TableOutcome:
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
    outcome.added = int(
        con.execute(
            f"INSERT INTO {table} ({', '.join(insert_cols)}) SELECT {', '.join(values)} "
            f"FROM prs_{table} p WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {on})"
        ).fetchall()[0][0]
    )
    if table not in _INSERT_ONLY:
        updatable = [c for c in cols if c not in keys]
        if updatable:
            changed = " OR ".join(
                f't."{c}" IS DISTINCT FROM coalesce(p."{cols[c]}", t."{c}")' for c in updatable
            )
            sets = ", ".join(f'"{c}" = coalesce(p."{cols[c]}", t."{c}")' for c in updatable)
            # Rows added just now compare equal, so only real changes are counted.
            outcome.updated = int(
                con.execute(
                    f"UPDATE {table} t SET {sets} FROM prs_{table} p WHERE {on} AND ({changed})"
                ).fetchall()[0][0]
            )
    outcome.unchanged = outcome.rows - outcome.added - outcome.updated
    return outcome


def apply_consent(con: Connection, report: ImportReport, viewer: Viewer, new_refs: str) -> None:
    """Consent from the file: the rule lives with the rest of consent (consent.py)."""
    from brokering.consent import apply_from_import

    apply_from_import(con, report, viewer, new_refs, set(_present(con, "staff")))
