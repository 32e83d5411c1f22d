"""Applying validated pairings.csv and pairing_evidence.csv rows (set-based SQL).

Pairings are append-only: a new pairing_id adds version 1; a row that differs from the
current version adds the next version (blank optional cells keep what is held); an identical
row adds nothing. Log entries are never rewritten: a row already held (same pairing_id,
entry_type, date, recorded_by and observed_ref, in any version) is left alone, so a
re-import changes nothing, and an entry withdrawn in the app does not come back.
"""

from __future__ import annotations

from brokering.db import Connection
from brokering.importing.problems import TableOutcome
from brokering.pairings.model import FLOWS

# Column -> (SQL type) for the fields a file may carry; blank keeps the current value.
_FIELDS = {
    "work_kind": "VARCHAR",
    "status": "VARCHAR",
    "start_date": "DATE",
    "review_date": "DATE",
    "donor_contribution": "VARCHAR",
    "recipient_contribution": "VARCHAR",
    "planned_sessions": "INTEGER",
    "planned_hours": "DOUBLE",
    "cover_hours": "DOUBLE",
    "travel_hours": "DOUBLE",
    "disciplines": "VARCHAR[]",
    "reason": "VARCHAR",
    "note": "VARCHAR",
}
_PEOPLE = "list(side || ':' || staff_ref ORDER BY side, staff_ref)"


def _present(con: Connection, table: str) -> set[str]:
    return set(con.execute(f"SELECT * FROM {table} LIMIT 0").df().columns)  # noqa: S608


def apply_pairings(con: Connection, import_id: int, label: str) -> TableOutcome:
    present = _present(con, "prs_pairings")
    merged = []
    for col, kind in _FIELDS.items():
        given = f'p."{col}"::{kind}' if col in present else f"NULL::{kind}"
        merged.append(f"coalesce({given}, c.{col}) AS {col}")
    changed = " OR ".join(f"m.{c} IS DISTINCT FROM c.{c}" for c in ("skill_id", *_FIELDS))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE prs_pairing_merge AS "  # noqa: S608
        "SELECT p.pairing_id, c.version AS cur_version, coalesce(p.skill_id, c.skill_id) "
        "AS skill_id, CASE WHEN c.skill_id IS NULL OR p.skill_id <> c.skill_id "
        "THEN p.skill_text ELSE c.skill_text END AS skill_text, "
        + ", ".join(merged)
        + ", np.people AS people, cp.people AS cur_people "  # noqa: S608
        "FROM prs_pairings p LEFT JOIN pairings c USING (pairing_id) "
        f"LEFT JOIN (SELECT pairing_id, {_PEOPLE} AS people FROM (SELECT DISTINCT pairing_id, "
        "staff_ref, side FROM prs_pairing_people) GROUP BY pairing_id) np USING (pairing_id) "
        f"LEFT JOIN (SELECT pairing_id, {_PEOPLE} AS people FROM pairing_members "
        "GROUP BY pairing_id) cp USING (pairing_id)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE prs_pairing_changed AS SELECT m.* FROM "  # noqa: S608
        "prs_pairing_merge m LEFT JOIN pairings c USING (pairing_id) WHERE c.pairing_id IS NULL "
        f"OR m.people IS DISTINCT FROM m.cur_people OR {changed}"
    )
    cols = ["skill_id", "skill_text", *_FIELDS]
    con.execute(
        f"INSERT INTO pairing_versions (pairing_id, version, {', '.join(cols)}, change, "  # noqa: S608
        "changed_by, import_id) SELECT pairing_id, coalesce(cur_version, 0) + 1, "
        + ", ".join(
            "coalesce(disciplines, []::VARCHAR[])" if c == "disciplines" else c for c in cols
        )
        + ", CASE WHEN cur_version IS NULL THEN 'imported' ELSE 'changed by import' END, "
        "'import', ? FROM prs_pairing_changed",
        [import_id],
    )
    con.execute(
        "INSERT INTO pairing_participants (pairing_id, version, staff_ref, side) "
        "SELECT DISTINCT x.pairing_id, coalesce(c.cur_version, 0) + 1, x.staff_ref, x.side "
        "FROM prs_pairing_people x JOIN prs_pairing_changed c USING (pairing_id)"
    )
    outcome = TableOutcome(table="pairings", file=label)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM prs_pairings), "
        "count(*) FILTER (WHERE cur_version IS NULL), count(*) FILTER (WHERE cur_version "
        "IS NOT NULL) FROM prs_pairing_changed"
    ).fetchall()[0]
    outcome.rows, outcome.added, outcome.updated = (int(n) for n in counts)
    outcome.unchanged = outcome.rows - outcome.added - outcome.updated
    return outcome


def apply_pairing_evidence(con: Connection, import_id: int, label: str) -> TableOutcome:
    present = _present(con, "prs_pairing_evidence")

    def col(name: str, kind: str = "VARCHAR") -> str:
        return f'p."{name}"::{kind}' if name in present else f"NULL::{kind}"

    who = (
        "coalesce(list_filter(list_transform(string_split(p.who, ';'), lambda x: trim(x)), "
        "lambda x: x <> ''), []::VARCHAR[])"
        if "who" in present
        else "[]::VARCHAR[]"
    )
    key = (
        "t.pairing_id = p.pairing_id AND t.entry_type = p.entry_type AND t.date = p.date "
        f"AND t.recorded_by IS NOT DISTINCT FROM {col('recorded_by')} "
        f"AND t.observed_ref IS NOT DISTINCT FROM {col('observed_ref')}"
    )
    added = con.execute(
        "INSERT INTO pairing_entries (entry_id, version, pairing_id, entry_type, date, hours, "  # noqa: S608
        "who, flow, observed_ref, recorded_by, rating_before, rating_after, measure, "
        "value_before, value_after, note, link, withdrawn, change, changed_by, import_id) "
        "SELECT nextval('pairing_entry_seq'), 1, p.pairing_id, p.entry_type, p.date, "
        f"{col('hours', 'DOUBLE')}, {who}, coalesce({col('flow')}, '{FLOWS[0]}'), "
        f"{col('observed_ref')}, {col('recorded_by')}, {col('rating_before', 'TINYINT')}, "
        f"{col('rating_after', 'TINYINT')}, {col('measure')}, "
        f"TRY_CAST({col('value_before')} AS DOUBLE), TRY_CAST({col('value_after')} AS DOUBLE), "
        f"{col('note')}, {col('link')}, FALSE, 'imported', 'import', ? "
        f"FROM prs_pairing_evidence p WHERE NOT EXISTS (SELECT 1 FROM pairing_entries t "
        f"WHERE {key}) ORDER BY p.line",
        [import_id],
    ).fetchall()[0][0]
    outcome = TableOutcome(table="pairing_evidence", file=label)
    outcome.rows = int(con.execute("SELECT count(*) FROM prs_pairing_evidence").fetchall()[0][0])
    outcome.added = int(added)
    outcome.unchanged = outcome.rows - outcome.added
    return outcome


APPLY = {"pairings": apply_pairings, "pairing_evidence": apply_pairing_evidence}
