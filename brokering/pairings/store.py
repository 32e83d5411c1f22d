"""The pairings' SQL: reading one pairing's current state and appending new versions.

Nothing here updates or deletes a row. These helpers do not apply visibility: the service
and the views decide who may see what before calling them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date

import duckdb

from brokering.db import Connection
from brokering.errors import StoreError
from brokering.pairings import transfer_rule
from brokering.pairings.model import EntryDraft, PairingDraft
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

_VERSION_COLUMNS = (
    "skill_id",
    "skill_text",
    "work_kind",
    "status",
    "start_date",
    "review_date",
    "donor_contribution",
    "recipient_contribution",
    "planned_sessions",
    "planned_hours",
    "cover_hours",
    "travel_hours",
    "disciplines",
    "reason",
    "note",
)
_ENTRY_COLUMNS = tuple(f for f in EntryDraft.__dataclass_fields__)


@contextmanager
def wrapped(action: str) -> Iterator[None]:
    """Turn a driver error into a message a school leader can act on."""
    try:
        yield
    except duckdb.ConstraintException as exc:
        raise StoreError(
            f"Could not {action}: someone else changed this pairing at the same moment. "
            "Reload the page and try again."
        ) from exc
    except duckdb.Error as exc:
        raise StoreError(f"Could not {action}; nothing was changed ({exc}).") from exc


def fetch(con: Connection, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of a read, with driver errors turned into StoreError."""
    try:
        cur = con.execute(sql, params or [])
        return [d[0] for d in cur.description], cur.fetchall()
    except duckdb.Error as exc:
        raise StoreError(f"The database could not answer that request: {exc}") from exc


def _one(con: Connection, sql: str, params: list) -> dict | None:
    names, rows = fetch(con, sql, params)
    return dict(zip(names, rows[0], strict=True)) if rows else None


def staff_facts(
    con: Connection, viewer: Viewer, refs: Iterable[str]
) -> dict[str, tuple[str, object]]:
    """staff_ref -> (school_id, left_on) for the refs this viewer may know about: those
    they can see, plus their own school's staff (leavers too) — or everyone, for the
    administrator. Anyone else is simply absent."""
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    vis, params = visible_staff_sql(viewer, "st")
    if viewer.sees_everyone:
        scope, scope_params = "TRUE", []
    elif viewer.school_id:
        scope, scope_params = f"(st.school_id = ? OR {vis})", [viewer.school_id, *params]
    else:
        scope, scope_params = vis, params
    _, rows = fetch(
        con,
        "SELECT staff_ref, school_id, left_on FROM staff st "  # noqa: S608
        f"WHERE list_contains(?, staff_ref) AND {scope}",
        [wanted, *scope_params],
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def visible_refs(con: Connection, viewer: Viewer, refs: Iterable[str]) -> set[str]:
    wanted = sorted(set(refs))
    if not wanted:
        return set()
    vis, params = visible_staff_sql(viewer, "st")
    _, rows = fetch(
        con,
        f"SELECT staff_ref FROM staff st WHERE list_contains(?, staff_ref) AND {vis}",  # noqa: S608
        [wanted, *params],
    )
    return {r[0] for r in rows}


def current_version(con: Connection, pairing_id: str) -> dict | None:
    return _one(con, "SELECT * FROM pairings WHERE pairing_id = ?", [pairing_id])


def members(con: Connection, pairing_id: str) -> dict[str, str]:
    """staff_ref -> side for the pairing's current participants."""
    _, rows = fetch(
        con,
        "SELECT staff_ref, side FROM pairing_members WHERE pairing_id = ? ORDER BY staff_ref",
        [pairing_id],
    )
    return {r[0]: r[1] for r in rows}


def draft_of(row: dict, member_sides: dict[str, str]) -> PairingDraft:
    values = {c: row[c] for c in _VERSION_COLUMNS}
    values["disciplines"] = tuple(values["disciplines"] or ())
    return PairingDraft(
        donors=tuple(r for r, s in member_sides.items() if s == "donor"),
        recipients=tuple(r for r, s in member_sides.items() if s == "recipient"),
        **values,
    )


def insert_version(
    con: Connection,
    pairing_id: str,
    version: int,
    draft: PairingDraft,
    change: str,
    changed_by: str,
) -> None:
    values = asdict(draft)
    values["disciplines"] = list(draft.disciplines)
    cols = ", ".join(_VERSION_COLUMNS)
    marks = ", ".join("?" for _ in _VERSION_COLUMNS)
    con.execute(
        f"INSERT INTO pairing_versions (pairing_id, version, {cols}, change, changed_by) "  # noqa: S608
        f"VALUES (?, ?, {marks}, ?, ?)",
        [pairing_id, version, *(values[c] for c in _VERSION_COLUMNS), change, changed_by],
    )
    con.executemany(
        "INSERT INTO pairing_participants (pairing_id, version, staff_ref, side) "
        "VALUES (?, ?, ?, ?)",
        [[pairing_id, version, r, "donor"] for r in draft.donors]
        + [[pairing_id, version, r, "recipient"] for r in draft.recipients],
    )


def observations(con: Connection, pairing_id: str) -> list[dict]:
    """The pairing's current observations (baselines too), oldest first, each with
    `why_not` (None when it counts as evidence of transfer) under the transfer rule."""
    sql = transfer_rule.observations_sql("lg", "pr", "mm")
    names, rows = fetch(
        con,
        "WITH lg AS (SELECT * FROM pairing_log WHERE pairing_id = $1), "  # noqa: S608
        "pr AS (SELECT pairing_id, start_date FROM pairings WHERE pairing_id = $1), "
        "mm AS (SELECT * FROM pairing_members WHERE pairing_id = $1) "
        f"SELECT * FROM ({sql}) ORDER BY date, entry_id",
        [pairing_id],
    )
    return [dict(zip(names, r, strict=True)) for r in rows]


def transfer_evidence_count(con: Connection, pairing_id: str) -> int:
    """How many of the pairing's observations meet the transfer rule."""
    return sum(o["why_not"] is None for o in observations(con, pairing_id))


def first_log_date(con: Connection, pairing_id: str) -> date | None:
    """The date of the pairing's earliest current log entry, if any."""
    _, rows = fetch(con, "SELECT min(date) FROM pairing_log WHERE pairing_id = ?", [pairing_id])
    return rows[0][0]


def entry_current(con: Connection, entry_id: int) -> dict | None:
    """The newest version of an entry (withdrawn or not)."""
    return _one(
        con,
        "SELECT * FROM pairing_entries WHERE entry_id = ? ORDER BY version DESC LIMIT 1",
        [entry_id],
    )


def entry_draft_of(row: dict) -> EntryDraft:
    values = {c: row[c] for c in _ENTRY_COLUMNS}
    values["who"] = tuple(values["who"] or ())
    return EntryDraft(**values)


def insert_entry(
    con: Connection,
    entry_id: int,
    version: int,
    pairing_id: str,
    entry: EntryDraft,
    change: str,
    changed_by: str,
    withdrawn: bool = False,
) -> None:
    values = asdict(entry)
    values["who"] = list(entry.who)
    cols = ", ".join(_ENTRY_COLUMNS)
    marks = ", ".join("?" for _ in _ENTRY_COLUMNS)
    con.execute(
        f"INSERT INTO pairing_entries (entry_id, version, pairing_id, {cols}, withdrawn, "  # noqa: S608
        f"change, changed_by) VALUES (?, ?, ?, {marks}, ?, ?, ?)",
        [entry_id, version, pairing_id, *(values[c] for c in _ENTRY_COLUMNS), withdrawn]
        + [change, changed_by],
    )


def next_entry_id(con: Connection) -> int:
    return int(con.execute("SELECT nextval('pairing_entry_seq')").fetchall()[0][0])


def next_pairing_id(con: Connection) -> str:
    """P0001, P0002…: one more than the highest P-number held (imported ids may differ)."""
    _, rows = fetch(
        con,
        "SELECT coalesce(max(TRY_CAST(substr(pairing_id, 2) AS INTEGER)), 0) "
        "FROM pairing_versions WHERE regexp_matches(pairing_id, '^P[0-9]+$')",
    )
    return f"P{int(rows[0][0]) + 1:04d}"


def skill_facts(con: Connection, skill_ids: Iterable[str]) -> dict[str, tuple[str, str, list]]:
    """skill_id -> (name, kind, depends_on)."""
    wanted = sorted(set(skill_ids))
    _, rows = fetch(
        con,
        "SELECT skill_id, name, kind, depends_on FROM skills WHERE list_contains(?, skill_id)",
        [wanted],
    )
    return {r[0]: (r[1], r[2], list(r[3])) for r in rows}


def suggested_disciplines(con: Connection, skill_id: str) -> list[str]:
    """The encompassing disciplines a core competence depends on (the taxonomy's depends_on);
    none for a skill that is itself an encompassing discipline."""
    facts = skill_facts(con, [skill_id]).get(skill_id)
    if facts is None or facts[1] != "core competence":
        return []
    return list(facts[2])


def keep_find_current(con: Connection, pairing_id: str, rows_added: int = 1) -> str:
    """After a committed write that appended `rows_added` rows to the pairing's history, keep
    the find's stored score parts current (`find.people_parts.refresh_people`).

    Why: a pairing judged at review (transferred on qualifying evidence, or not transferred)
    counts in its donors' coaching strength (docs/SCORING.md), so its donors' rows are
    re-worked; a write to a pairing not yet judged changes no score, so only the parts'
    record of what they were built from moves. Returns what the refresh did."""
    from brokering.find import people_parts

    row = current_version(con, pairing_id)
    judged = row is not None and row["status"] in ("transferred", "not transferred")
    donors = [r for r, side in members(con, pairing_id).items() if side == "donor"]
    return people_parts.refresh_people(con, donors if judged else [], pairing_rows_added=rows_added)
