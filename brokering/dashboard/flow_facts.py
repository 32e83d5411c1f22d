# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""The flows' relationships held as numbers in the dashboard's facts, and read back as the
flows count them (`flow_counts.Work`, without people).

Why: every look at the flows (the area totals' quick look, a school's view) starts from the
period's relationships — about 270,000 at national scale, pairings' links between two
schools and coaching records — with each school as its position in the ledger's order and
each area as its code. Read from the facts' links and coaching, that is two string joins per
row against the 23,000 schools plus date arithmetic: about 100 ms of CPU on every first read
after a write. Held here with schools and areas as keyed hashes of their ids and days as
whole numbers, the read is one filtered scan of numbers (about 20 ms), and the schools'
positions are laid on in numpy from the schools' own hashes.

Why hashes and not positions: a position depends on every school's name (the ledger's
order), so it would go stale with any change to the schools; a school's hash depends on its
own id alone, so a pairing's rows stay exactly what its write's upkeep works out for that
pairing (`derived.Part`). The hash function itself is part of the facts' signature
(`HASH_SIGNATURE`): a DuckDB that hashed differently would rebuild them, never mismatch.
Where two schools (or areas) share a hash, the reader says so and the caller reads the
relationships the old way (`flow_counts.read`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from brokering.db import Connection

#: A day no relationship reaches: an open one's last day (as `flow_counts` counts it).
NEVER = 2**31 - 1
#: A day as a whole number (days since 1970), as the facts held as numbers keep days.
DAY = "date_diff('day', DATE '1970-01-01', {})::INTEGER"


def day_number(day: date) -> int:
    """`DAY` in Python: a day as the facts held as numbers keep it."""
    return (day - date(1970, 1, 1)).days


#: A signature term of the dashboard's facts: moves if DuckDB's hash() ever does.
HASH_SIGNATURE = "(hash('brokering flows') % 1000000007)::BIGINT"


def links_sql(r: Mapping[str, str]) -> str:
    """Per link of a pairing agreed or beyond (`r["links"]`): giver, receiver and area as
    hashes, its days as numbers, its share of hours and its pairing's people."""
    return f"""
    SELECT pairing_id, hash(giver) AS g, hash(receiver) AS r, hash(area) AS area,
           {DAY.format("start_date")} AS first,
           coalesce({DAY.format("concluded_on")}, {NEVER}) AS last,
           hours, people::INTEGER AS size
    FROM {r["links"]} WHERE status <> 'proposed'
    """


def coaching_sql(r: Mapping[str, str]) -> str:
    """Per coaching record (`r["coaching"]`): as `links_sql`, keyed by its coach (the part a
    write refreshes), its people one where coach and coachee are the same person."""
    return f"""
    SELECT coach_ref, hash(giver) AS g, hash(receiver) AS r, hash(area) AS area,
           {DAY.format("start_date")} AS first,
           coalesce({DAY.format("end_date")}, {NEVER}) AS last,
           hours, (CASE WHEN coach_ref = coachee_ref THEN 1 ELSE 2 END)::INTEGER AS size
    FROM {r["coaching"]}
    """


_SCHOOLS = """
    SELECT school_id, name, (row_number() OVER (ORDER BY school_id) - 1)::BIGINT AS by_id,
           hash(school_id) AS h
    FROM schools ORDER BY is_hub DESC, name, school_id
"""
_AREAS = """
    SELECT area, hash(area) AS h FROM (
        SELECT DISTINCT coalesce(area, 'Other') AS area FROM skills UNION SELECT 'Other'
    ) ORDER BY area
"""


def read(
    con: Connection, links: str, coaching: str, periods: list[tuple[date, date]]
) -> dict[str, np.ndarray] | None:
    """The relationships running in any of `periods`, as `flow_counts.read(areas=True,
    people=False)` reads them: the schools (ids, names, rank by id) and areas, and per
    relationship its giver and receiver as positions, area code, pairing or coaching, hours,
    days and people. None where two schools or two areas share a hash (then positions
    could not be told apart)."""
    schools = con.execute(_SCHOOLS).fetchnumpy()
    areas = con.execute(_AREAS).fetchnumpy()
    school_h = np.asarray(schools["h"], np.uint64)
    area_h = np.asarray(areas["h"], np.uint64)
    if len(np.unique(school_h)) < len(school_h) or len(np.unique(area_h)) < len(area_h):
        return None
    start, end = min(s for s, _ in periods), max(e for _, e in periods)
    s_day, e_day = day_number(start), day_number(end)
    rows = con.execute(
        f"""
        SELECT g, r, area, first, last, hours, TRUE AS pairing, size FROM {links}
        WHERE first <= $1 AND last >= $2
        UNION ALL SELECT g, r, area, first, last, hours, FALSE, size FROM {coaching}
        WHERE first <= $1 AND last >= $2
        """,
        [e_day, s_day],
    ).fetchnumpy()
    by_school, by_area = pd.Index(school_h), pd.Index(area_h)
    g = by_school.get_indexer(np.asarray(rows["g"], np.uint64))
    r = by_school.get_indexer(np.asarray(rows["r"], np.uint64))
    area = by_area.get_indexer(np.asarray(rows["area"], np.uint64))
    # As the joins did: a row whose school or area is not listed is no relationship.
    keep = (g >= 0) & (r >= 0) & (area >= 0)
    whole = bool(keep.all())

    def kept(values: np.ndarray, dtype: type) -> np.ndarray:
        values = np.asarray(values, dtype)
        return values if whole else values[keep]

    return {
        "ids": np.asarray(schools["school_id"], object),
        "names": np.asarray(schools["name"], object),
        "by_id": np.asarray(schools["by_id"], np.int64),
        "areas": np.asarray(areas["area"], object),
        "g": kept(g, np.int64),
        "r": kept(r, np.int64),
        "area": kept(area, np.int64),
        "pairing": kept(rows["pairing"], bool),
        "hours": kept(rows["hours"], float),
        "first": kept(rows["first"], np.int64),
        "last": kept(rows["last"], np.int64),
        "size": kept(rows["size"], np.int64),
    }
