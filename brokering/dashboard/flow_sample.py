# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""A quick, exact first look at whether the areas' flow matrices leave every area's total
alone (`flows.area_totals`), for a role that sees some people one by one (a head of school).

Why: the Transfer page's figures for one skill area are suppressed with the area's flow
matrix, and deciding that in full counts the people the viewer cannot see in every
relationship of the period — at national scale a read of 200,000 rows of people, more than
a dashboard figure may take. But the full rule leaves every total alone wherever each area
holds two cells that are hidden whatever else is decided: their relationship (the two
schools' work together) rests on 1 or 2 people the viewer cannot see, and the two schools
work together in that area only. A national term has thousands of such cells per area, so
a few candidates per area, read with their people, settle it: relationships with at most
two people between them are chosen from the relationships alone, and only their people
are read, in one small query. Where the sample does not settle a period, the caller decides
it in full; a period this settles gets exactly the full rule's answer.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from brokering.dashboard.facts import Facts, facts
from brokering.dashboard.flow_between import Between
from brokering.dashboard.flow_counts import Work
from brokering.dashboard.flow_once import once
from brokering.db import Connection, query_df
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

#: Candidate relationships read per area and period: about a third of two-person
#: relationships rest on someone a head cannot see, so this many leave two almost always.
PER_AREA = 24


def settled(
    con: Connection,
    viewer: Viewer,
    rel: Work,
    periods: list[tuple[date, date]],
    f: Facts | None = None,
) -> list[bool]:
    """Per period: True where every area with work between schools holds two cells hidden
    whatever else is decided (so no area's total is hidden or given away by the matrices);
    False where this look cannot tell. `rel`: the periods' relationships, areas read,
    people not needed (`flow_once.relationships`); `f`: the facts it was read from."""
    out = []
    for held, present in sure_cells(con, viewer, rel, periods, f or facts(con)):
        per_area = pd.Series([area for _, _, area in held], dtype=object).value_counts()
        out.append(all(per_area.get(area, 0) >= 2 for area in present))
    return out


def sure_cells(
    con: Connection,
    viewer: Viewer,
    rel: Work,
    periods: list[tuple[date, date]],
    f: Facts,
) -> list[tuple[set[tuple[int, int, int]], set[int]]]:
    """Per period: (cells (giver, receiver, area code) of the candidates found hidden
    whatever else is decided, every area code with work). Remembered per store change: a
    school's view of the Transfer page asks it for the school's flows and for the
    alliance's (`school_sample`), of the same relationships (`rel`, as
    `flow_once.relationships` reads them for `periods`)."""
    key = ("flow_sample.sure_cells", viewer, tuple(periods), f.links, f.people, len(rel.g))
    return once(con, key, lambda: _sure_cells(con, viewer, rel, periods, f))


def _sure_cells(
    con: Connection,
    viewer: Viewer,
    rel: Work,
    periods: list[tuple[date, date]],
    f: Facts,
) -> list[tuple[set[tuple[int, int, int]], set[int]]]:
    """`sure_cells`, worked out."""
    between = Between.of(rel)
    qualified = _qualified(rel, between)
    picks = [_candidates(rel, between, qualified, s, e) for s, e in periods]
    rows = [
        (k, int(a), int(b), s, e)
        for k, ((s, e), (pairs, _, _)) in enumerate(zip(periods, picks, strict=True))
        for a, b in pairs
    ]
    if not rows:
        return [(set(), present) for _, _, present in picks]
    frame = pd.DataFrame(rows, columns=["k", "a", "b", "s", "e"])
    frame["a_id"], frame["b_id"] = rel.ids[frame["a"]], rel.ids[frame["b"]]
    unseen = _unseen_people(con, viewer, frame, f)
    out = []
    for k, (pairs, cells, present) in enumerate(picks):
        counts = unseen.get(k, {})
        sure = {p for p in pairs if 0 < counts.get(p, 0) < SUPPRESSION_THRESHOLD}
        held = {(g, r, area) for g, r, area in cells if (min(g, r), max(g, r)) in sure}
        out.append((held, present))
    return out


def _qualified(rel: Work, between: Between) -> np.ndarray:
    """The rows between two schools (positions in `between.rows`) of every pair of schools
    whose work together, over all the periods read, is pairings only, in one area, with at
    most two people between them — so in any one period it runs in too (fewer
    relationships, no more people) — ordered by area, then pair (first read first), a
    pair's rows together. Worked out once for all the periods."""
    k = len(between.pairs)
    size = np.bincount(between.pair, weights=rel.size[between.rows], minlength=k)
    coaching = np.bincount(between.pair, weights=~rel.pairing[between.rows], minlength=k) > 0
    rows = np.flatnonzero(((size <= 2) & ~coaching & (between.one_area >= 0))[between.pair])
    return rows[np.lexsort((rows, between.pair[rows], rel.area[between.rows[rows]]))]


def _candidates(
    rel: Work, between: Between, qualified: np.ndarray, start: date, end: date
) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]], set[int]]:
    """(candidate pairs of schools (lower position first), their directed cells (giver,
    receiver, area code), every area code with work) for the period
    [start, end] (as `Work.during` keeps it): pairs of `qualified` (pairings only, one
    area, at most two people between them: so at most two the viewer cannot see) running
    in the period — up to `PER_AREA` per area."""
    running, _ = between.running(rel, start, end)
    n, n_areas = rel.n, max(len(rel.areas), 1)
    # Every area with work in the period, within one school too (an area with no work
    # between schools has no cells to hide: it is settled in full).
    present = {int(a) for a in np.flatnonzero(np.bincount(rel.area[running], minlength=n_areas))}
    rows = qualified[running[between.rows[qualified]]]
    pair = between.pair[rows]
    # A pair's rows are together: its first stands for it; then the first few of each area.
    first = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(rows) else rows
    area = rel.area[between.rows[rows[first]]]
    at = np.arange(len(first))
    rank = at - np.maximum.accumulate(np.where(np.r_[True, area[1:] != area[:-1]], at, 0))
    chosen = pair[first][rank < PER_AREA] if len(first) else first
    pairs = [(int(key // n), int(key % n)) for key in between.pairs[chosen]]
    cell_rows = pd.unique(between.cell[rows[np.isin(pair, chosen)]])
    cells = [(int(c // n_areas // n), int(c // n_areas % n), int(c % n_areas)) for c in cell_rows]
    return pairs, cells, present


def _unseen_people(
    con: Connection, viewer: Viewer, frame: pd.DataFrame, f: Facts
) -> dict[int, dict[tuple[int, int], int]]:
    """Per period and candidate pair: the distinct people of either school in the pair's
    pairings running in the period (both directions) that the viewer cannot see — as
    `flow_counts.hiding_inputs` counts a pair's hidden people."""
    # The person joined to the staff list, as `flow_counts.read` reads them.
    vis, params = visible_staff_sql(viewer, "st")
    both = pd.concat(
        [
            frame.assign(giver=frame["a_id"], receiver=frame["b_id"]),
            frame.assign(giver=frame["b_id"], receiver=frame["a_id"]),
        ]
    )
    got = query_df(
        con,
        f"""
        WITH c AS (
            SELECT unnest(?::BIGINT[]) AS k, unnest(?::BIGINT[]) AS a, unnest(?::BIGINT[]) AS b,
                   unnest(?::VARCHAR[]) AS giver, unnest(?::VARCHAR[]) AS receiver,
                   unnest(?::VARCHAR[]) AS a_id, unnest(?::VARCHAR[]) AS b_id,
                   unnest(?::DATE[]) AS s, unnest(?::DATE[]) AS e
        )
        SELECT c.k, c.a, c.b, count(DISTINCT m.staff_ref) FILTER (WHERE NOT {vis}) AS unseen
        FROM c JOIN {f.links} x ON x.giver = c.giver AND x.receiver = c.receiver
        JOIN {f.people} m ON m.pairing_id = x.pairing_id
        JOIN staff st ON st.staff_ref = m.staff_ref
        WHERE x.start_date <= c.e AND (x.concluded_on IS NULL OR x.concluded_on >= c.s)
          AND x.status <> 'proposed' AND m.school_id IN (c.a_id, c.b_id)
        GROUP BY c.k, c.a, c.b
        """,
        [
            both["k"].tolist(),
            both["a"].tolist(),
            both["b"].tolist(),
            both["giver"].astype(str).tolist(),
            both["receiver"].astype(str).tolist(),
            both["a_id"].astype(str).tolist(),
            both["b_id"].astype(str).tolist(),
            both["s"].tolist(),
            both["e"].tolist(),
            *params,
        ],
    )
    out: dict[int, dict[tuple[int, int], int]] = {}
    for k, a, b, n in got.itertuples(index=False):
        out.setdefault(int(k), {})[(int(a), int(b))] = int(n)
    return out
