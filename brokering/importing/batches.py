"""Every applied import is a batch that can be previewed and undone.

While a batch is applied, `record` keeps what it is about to change: the keys of rows it adds
(evidence and coaching carry their batch's `import_id` instead, so a 5M-row load records
nothing per row) and the whole of each row it updates, as it was. `changes` lists every changed
value, before and after, for the preview (`import --dry-run --json`, the Data page). `undo`
puts the store back as it was — refused, with the reason, when a later batch or something done
in the app has built on what the batch wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from brokering import audit, dates
from brokering.db import Connection, transaction
from brokering.errors import NotFoundError, PermissionDenied, ValidationError
from brokering.viewer import Viewer

#: Tables an import upserts, their natural keys, and whose rows carry their batch's id.
KEYS = {
    "schools": ("school_id",),
    "staff": ("staff_ref",),
    "evidence": ("staff_ref", "skill_id", "evidence_type", "date", "recorded_by"),
    "coaching": ("coach_ref", "coachee_ref", "skill_id", "mode", "start_date"),
    "needs": ("need_id",),
}
STAMPED = {"evidence", "coaching"}
MAX_CHANGES = 1000


def key_sql(table: str, alias: str) -> str:
    """A row's natural key as JSON text, the same for the same row in any batch."""
    parts = ", ".join(f'{alias}."{k}"::VARCHAR' for k in KEYS[table])
    return f"to_json([{parts}])::VARCHAR"


def record(
    con: Connection, import_id: int, table: str, on: str, changed: str | None, cols: dict
) -> bool:
    """Before the writes: keys of rows to be added, and the rows to be updated as they are,
    gathered once into temp table chg_<table> (the update and the preview read it too).
    Returns whether any held row changes."""
    if table not in STAMPED:
        con.execute(
            f"INSERT INTO batch_rows (import_id, tbl, action, row_key) SELECT ?, ?, 'added', "  # noqa: S608
            f"{key_sql(table, 'p')} FROM prs_{table} p WHERE NOT EXISTS "
            f"(SELECT 1 FROM {table} t WHERE {on})",
            [import_id, table],
        )
    if not changed:
        return False
    was = ", ".join(f't."{c}" AS "__was_{c}"' for c in cols)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE chg_{table} AS SELECT p.*, {key_sql(table, 't')} "  # noqa: S608
        f"AS __key, to_json(t)::VARCHAR AS __before, {was} FROM {table} t "
        f"JOIN prs_{table} p ON {on} WHERE {changed}"
    )
    n = con.execute(
        f"INSERT INTO batch_rows (import_id, tbl, action, row_key, before) "  # noqa: S608
        f"SELECT ?, ?, 'updated', __key, __before FROM chg_{table}",
        [import_id, table],
    ).fetchall()[0][0]
    return bool(n)


def changes(con: Connection, table: str, cols: dict[str, str]) -> list:
    """Every value the batch changes in `table` (from chg_<table>): key, column, before,
    after."""
    out: list[dict] = []
    for target, parsed in cols.items():
        was = f'"__was_{target}"'
        rows = con.execute(
            f'SELECT __key, {was}::VARCHAR, coalesce("{parsed}", {was})::VARCHAR '  # noqa: S608
            f'FROM chg_{table} WHERE {was} IS DISTINCT FROM coalesce("{parsed}", {was}) '
            "ORDER BY 1 LIMIT ?",
            [MAX_CHANGES],
        ).fetchall()
        out += [
            {"table": table, "key": k, "column": target, "before": b, "after": a}
            for k, b, a in rows
        ]
    return out


#: Files named in a batch's description before "and N more".
FILES_NAMED = 3


def describe(imported_at: object, username: str, files: str, added: int, updated: int) -> str:
    """An import batch in a data manager's words: "Import of 5 Dec 2026, 14:03 by alex —
    evidence.csv, staff.csv (120 rows added, 4 updated)". A batch number means nothing to
    the person choosing what to undo; when it ran, who ran it and which files it took do."""
    names = [f.strip() for f in str(files).split(",") if f.strip()]
    shown = ", ".join(names[:FILES_NAMED]) + (
        f" and {len(names) - FILES_NAMED} more" if len(names) > FILES_NAMED else ""
    )
    rows = f"{int(added):,} rows added" + (f", {int(updated):,} updated" if updated else "")
    return f"Import of {dates.moment(imported_at)} by {username} — {shown} ({rows})"


def undoable_described(con: Connection, limit: int = 20) -> dict[int, str]:
    """The newest applied (not undone) batches, newest first, each with `describe`'s words
    (the Data page's undo choice)."""
    rows = con.execute(
        "SELECT import_id, imported_at, username, files, rows_added, rows_updated "
        "FROM imports WHERE outcome = 'applied' ORDER BY import_id DESC LIMIT ?",
        [limit],
    ).fetchall()
    return {int(r[0]): describe(*r[1:]) for r in rows}


def note_renames(changes_: list[dict], notes: list[str]) -> None:
    """A school renamed or made (or unmade) the hub is said plainly, not only as "updated"."""
    for c in changes_:
        if c["table"] != "schools":
            continue
        school = json.loads(c["key"])[0]
        if c["column"] == "name":
            notes.append(f"School {school} renamed: '{c['before']}' becomes '{c['after']}'.")
        elif c["column"] == "is_hub":
            now = "becomes" if c["after"] == "true" else "is no longer"
            notes.append(f"School {school} {now} the hub.")


@dataclass(frozen=True)
class UndoReport:
    import_id: int
    removed: dict[str, int]
    restored: dict[str, int]


def _later_overlap(con: Connection, b: int) -> list[int]:
    """Applied batches after `b` that changed a row `b` wrote."""
    rows = con.execute(
        "SELECT DISTINCT l.import_id FROM batch_rows l JOIN imports i ON i.import_id = "
        "l.import_id AND i.outcome = 'applied' WHERE l.import_id > ? AND ("
        "  EXISTS (SELECT 1 FROM batch_rows m WHERE m.import_id = ? AND m.tbl = l.tbl "
        "          AND m.row_key = l.row_key)"
        "  OR (l.tbl IN ('evidence', 'coaching') AND l.action = 'updated' "
        "      AND json_extract(l.before, '$.import_id')::INTEGER = ?)) ORDER BY 1",
        [b, b, b],
    ).fetchall()
    rows += con.execute(
        "SELECT DISTINCT import_id FROM pairing_versions WHERE import_id > ? AND pairing_id IN "
        "(SELECT pairing_id FROM pairing_versions WHERE import_id = ?) "
        "UNION SELECT DISTINCT import_id FROM pairing_entries WHERE import_id > ? AND "
        "entry_id IN (SELECT entry_id FROM pairing_entries WHERE import_id = ?)",
        [b, b, b, b],
    ).fetchall()
    return sorted({int(r[0]) for r in rows if r[0] is not None})


def _built_on(con: Connection, b: int) -> list[str]:
    """What outside the batch refers to rows only the batch added."""
    added = (
        "SELECT json_extract_string(row_key, '$[0]') FROM batch_rows WHERE import_id = ? "
        "AND action = 'added' AND tbl = ?"
    )
    checks = [
        ("staff", "evidence", "staff_ref", "evidence recorded"),
        ("staff", "coaching", "coach_ref", "coaching records"),
        ("staff", "coaching", "coachee_ref", "coaching records"),
        ("staff", "needs", "staff_ref", "needs"),
        ("staff", "pairing_participants", "staff_ref", "pairings"),
        ("staff", "match_requests", "coach_ref", "match requests"),
        ("schools", "staff", "school_id", "staff"),
        ("needs", "match_requests", "need_id", "match requests"),
    ]
    found = []
    for source, table, col, what in checks:
        mine = {
            "evidence": "import_id = ?",
            "coaching": "import_id = ?",
            "pairing_participants": "pairing_id IN (SELECT pairing_id FROM pairing_versions "
            "WHERE import_id = ?)",
        }.get(table)
        if table in KEYS and table not in STAMPED:
            mine = f"{key_sql(table, table)} IN (SELECT row_key FROM batch_rows WHERE "
            mine += f"import_id = ? AND tbl = '{table}' AND action = 'added')"
        not_mine = f" AND NOT ({mine})" if mine else ""
        params = [b, source] + ([b] if mine else [])
        n = con.execute(
            f"SELECT count(*) FROM {table} WHERE {col} IN ({added}){not_mine}",  # noqa: S608
            params,
        ).fetchall()[0][0]
        if n:
            found.append(f"{n:,} {what}")
    # Work done in the app since, on rows the batch wrote, would be lost by putting them back.
    touched = (
        "SELECT json_extract_string(row_key, '$[0]') FROM batch_rows WHERE import_id = ? "
        "AND tbl = ?"
    )
    since = "(SELECT imported_at FROM imports WHERE import_id = ?)"
    for table, col, when, extra, what in (
        ("consent_events", "staff_ref", "recorded_at", "AND import_id IS NULL", "consent changes"),
        ("need_events", "need_id", "at_time", "", "changes to needs"),
    ):
        source = "staff" if col == "staff_ref" else "needs"
        n = con.execute(
            f"SELECT count(*) FROM {table} WHERE {col} IN ({touched}) AND {when} >= {since} "  # noqa: S608
            f"{extra}",
            [b, source, b],
        ).fetchall()[0][0]
        if n:
            found.append(f"{n:,} {what} made in the app")
    return found


def undo(con: Connection, viewer: Viewer, import_id: int) -> UndoReport:
    """Put the store back as it was before batch `import_id`; all or nothing."""
    if viewer.role != "alliance_admin":
        raise PermissionDenied("Only the alliance administrator (the data manager) undoes imports.")
    row = con.execute("SELECT outcome FROM imports WHERE import_id = ?", [import_id]).fetchall()
    if not row:
        raise NotFoundError(f"There is no import batch {import_id}.")
    if row[0][0] != "applied":
        raise ValidationError(f"Import batch {import_id} was already undone; nothing to do.")
    later = _later_overlap(con, import_id)
    if later:
        raise ValidationError(
            f"Import batch {import_id} cannot be undone: later batch"
            f"{'es' if len(later) > 1 else ''} {', '.join(map(str, later))} changed rows it "
            "wrote. Undo those first (newest first); nothing was changed."
        )
    built = _built_on(con, import_id)
    if built:
        raise ValidationError(
            f"Import batch {import_id} cannot be undone: {', '.join(built)} since then "
            "depend on what it wrote. Nothing was changed."
        )
    removed: dict[str, int] = {}
    restored: dict[str, int] = {}
    from brokering.importing.upkeep import BatchUpkeep

    with transaction(con):
        kept = BatchUpkeep(con)  # the stored parts and derived facts, for what it touched
        small = kept.note(import_id)  # read before its rows go
        _undo_rows(con, import_id, removed, restored)
        con.execute("UPDATE imports SET outcome = 'undone' WHERE import_id = ?", [import_id])
        # A row of its own: the undo is in "Recent imports", and every summary keyed on the
        # last import (stored find parts, dashboards) sees that the data changed.
        con.execute(
            "INSERT INTO imports (import_id, username, files, outcome, rows_added, "
            "rows_updated, detail) VALUES (nextval('import_id_seq'), ?, ?, 'undo', 0, 0, ?)",
            [
                viewer.username,
                f"undo of batch {import_id}",
                json.dumps({"removed": removed, "restored": restored}),
            ],
        )
        if small:
            kept.finish()
    audit.record(con, viewer, "undo import", {"import_id": import_id, "removed": removed})
    return UndoReport(import_id, removed, restored)


def _undo_rows(con: Connection, b: int, removed: dict, restored: dict) -> None:
    for table in ("pairing_entries", "pairing_participants", "pairing_versions"):
        where = "import_id = ?"
        if table == "pairing_participants":
            where = "(pairing_id, version) IN (SELECT pairing_id, version FROM pairing_versions "
            where += "WHERE import_id = ?)"
        n = con.execute(f"DELETE FROM {table} WHERE {where}", [b]).fetchall()[0][0]  # noqa: S608
        if n:
            removed[table] = int(n)
    for table in reversed(list(KEYS)):
        if table in STAMPED:
            n = con.execute(f"DELETE FROM {table} WHERE import_id = ?", [b]).fetchall()[0][0]  # noqa: S608
        else:
            n = con.execute(
                f"DELETE FROM {table} WHERE {key_sql(table, table)} IN (SELECT row_key FROM "  # noqa: S608
                "batch_rows WHERE import_id = ? AND tbl = ? AND action = 'added')",
                [b, table],
            ).fetchall()[0][0]
        if n:
            removed[table] = int(n)
        restored_n = _restore(con, b, table)
        if restored_n:
            restored[table] = restored_n
    # Consent changed by the batch goes back, recorded as such (the log stays append-only).
    con.execute(
        "INSERT INTO consent_events (staff_ref, share_consent, consent_date, source, "
        "recorded_by) SELECT s.staff_ref, s.share_consent, s.consent_date, 'undo import', "
        "'import' FROM staff s JOIN consent_events e ON e.staff_ref = s.staff_ref "
        "AND e.import_id = ?",
        [b],
    )
    con.execute(
        "DELETE FROM consent_events WHERE import_id = ? AND staff_ref NOT IN "
        "(SELECT staff_ref FROM staff)",
        [b],
    )
    con.execute("DELETE FROM identity_index WHERE import_id = ?", [b])
    con.execute(
        "INSERT OR REPLACE INTO identity_index SELECT unnest(json_transform(before, "
        '\'{"kind":"VARCHAR","key_hash":"VARCHAR","staff_ref":"VARCHAR",'
        '"school_id":"VARCHAR","import_id":"INTEGER"}\')) FROM batch_rows '
        "WHERE import_id = ? AND tbl = 'identity_index'",
        [b],
    )


def _restore(con: Connection, b: int, table: str) -> int:
    """Rows the batch updated, put back exactly as they were."""
    cols = con.execute(f"DESCRIBE {table}").fetchall()  # noqa: S608
    shape = "{" + ", ".join(f'"{c[0]}": "{c[1]}"' for c in cols) + "}"
    n = con.execute(
        "SELECT count(*) FROM batch_rows WHERE import_id = ? AND tbl = ? AND action = 'updated'",
        [b, table],
    ).fetchall()[0][0]
    if not n:
        return 0
    keys = KEYS[table]
    sets = ", ".join(f'"{c[0]}" = r."{c[0]}"' for c in cols if c[0] not in keys)
    on = " AND ".join(f'{table}."{k}" = r."{k}"' for k in keys)
    con.execute(
        f"UPDATE {table} SET {sets} FROM (SELECT unnest(json_transform(before, ?)) "  # noqa: S608
        "FROM batch_rows WHERE import_id = ? AND tbl = ? AND action = 'updated') r "
        f"WHERE {on}",
        [shape, b, table],
    )
    return int(n)
