# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""A quick, exact first look at what the flow matrices decide about one school's pairings
active (`flows.school_totals`, the Transfer page's School filter), before deciding a period
in full.

Why: deciding it in full suppresses each term's flows for the whole alliance (every
relationship's people read, then the matrices' rule run once per term) — at national scale
over a second for a trend's seven terms, where a dashboard figure may take 300 ms. But the
full rule's answer for one school is fixed wherever, in every skill area with work, the
school's cells and the other cells each hold at least two cells hidden whatever else is
decided: relationships between two schools, in one area, resting on 1 or 2 people the
viewer cannot see (as `flow_sample` finds them). Then no area has exactly one unknown cell
on either side, and none is given away (each holds a hidden cell resting on someone
unseen); what remains is whether the school's own ledger totals are hidden — never where
they rest only on people the viewer sees, always where one of its relationships is hidden
and someone of it is unseen (`ledger_suppression`, rules 1 and 2) — which hides its areas'
figures and the whole. A period this does not settle is decided in full by the caller; a
period it settles gets exactly the full rule's answer (tests/test_school_sample.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from brokering.dashboard import flow_sample
from brokering.dashboard.facts import Facts, facts
from brokering.dashboard.flow_counts import Between, Work, _day, _person, _work_ctes
from brokering.db import Connection
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer

Decision = tuple[set[str | None], set[str | None]]


def settled(
    con: Connection,
    viewer: Viewer,
    rel: Work,
    periods: list[tuple[date, date]],
    at: int,
    f: Facts,
) -> list[Decision | None]:
    """Per period: `flows.school_totals`' answer for the school at position `at` where this
    look proves it, else None. `rel`: the periods' relationships with their areas (people
    not needed), read from `f`."""
    between = Between.of(rel)
    qualified = flow_sample._qualified(rel, between)
    lo, hi = between.pairs // rel.n, between.pairs % rel.n
    ours = (lo == at) | (hi == at)
    picks = [_candidates(rel, between, qualified, ours, at, s, e) for s, e in periods]
    rows = [
        (k, int(a), int(b), s, e)
        for k, ((s, e), pick) in enumerate(zip(periods, picks, strict=True))
        for a, b in pick[0]
    ]
    if not rows:
        return [None] * len(periods)
    frame = pd.DataFrame(rows, columns=["k", "a", "b", "s", "e"])
    frame["a_id"], frame["b_id"] = rel.ids[frame["a"]], rel.ids[frame["b"]]
    unseen = flow_sample._unseen_people(con, viewer, frame, f)
    own_unseen = school_unseen(con, viewer, periods, str(rel.ids[at]), f)
    out: list[Decision | None] = []
    for k, (pairs, cells, present, mine_areas) in enumerate(picks):
        counts = unseen.get(k, {})
        sure = {p for p in pairs if 0 < counts.get(p, 0) < SUPPRESSION_THRESHOLD}
        held = {(g, r, area) for g, r, area in cells if (min(g, r), max(g, r)) in sure}
        mine = pd.Series([a for g, r, a in held if at in (g, r)], dtype=object).value_counts()
        other = pd.Series([a for g, r, a in held if at not in (g, r)], dtype=object)
        other = other.value_counts()
        if not all(other.get(a, 0) >= 2 for a in present) or not all(
            mine.get(a, 0) >= 2 for a in mine_areas
        ):
            out.append(None)
            continue
        names = {rel.areas[a] for a in mine_areas}
        # Its ledger totals: shown where every person of it the viewer sees; else hidden
        # (one of its relationships is: here at least two).
        hidden = bool(names) and own_unseen[k] > 0
        out.append((names | {None}, set()) if hidden else (set(), set()))
    return out


def _candidates(
    rel: Work,
    between: Between,
    qualified: np.ndarray,
    ours: np.ndarray,
    at: int,
    start: date,
    end: date,
) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]], set[int], set[int]]:
    """(candidate pairs of schools, their directed cells (giver, receiver, area code),
    every area code with work, the area codes of the school's own work) for the period:
    pairs of `qualified` running in it, up to `flow_sample.PER_AREA` per area among the
    school's pairs (`ours`, per pair code; the school at position `at`) and as many among
    the others'."""
    running, _ = between.running(rel, start, end)
    n, n_areas = rel.n, max(len(rel.areas), 1)
    present = {int(a) for a in np.flatnonzero(np.bincount(rel.area[running], minlength=n_areas))}
    mine = running & ((rel.g == at) | (rel.r == at))
    mine_areas = {int(a) for a in np.flatnonzero(np.bincount(rel.area[mine], minlength=n_areas))}
    rows = qualified[running[between.rows[qualified]]]
    pair = between.pair[rows]
    chosen_all = []
    for side in (True, False):
        keep = ours[pair] == side
        r_side, p_side = rows[keep], pair[keep]
        if not len(r_side):
            continue
        first = np.flatnonzero(np.r_[True, p_side[1:] != p_side[:-1]])
        area = rel.area[between.rows[r_side[first]]]
        k = np.arange(len(first))
        rank = k - np.maximum.accumulate(np.where(np.r_[True, area[1:] != area[:-1]], k, 0))
        chosen_all.append(p_side[first][rank < flow_sample.PER_AREA])
    chosen = np.concatenate(chosen_all) if chosen_all else np.zeros(0, np.int64)
    pairs = [(int(key // n), int(key % n)) for key in between.pairs[chosen]]
    cell_rows = pd.unique(between.cell[rows[np.isin(pair, chosen)]])
    cells = [(int(c // n_areas // n), int(c // n_areas % n), int(c % n_areas)) for c in cell_rows]
    return pairs, cells, present, mine_areas


def school_unseen(
    con: Connection,
    viewer: Viewer,
    periods: list[tuple[date, date]],
    school_id: str,
    f: Facts | None = None,
) -> list[int]:
    """Per period: the distinct people of one school in the period's work (areas read, as
    `read` with `areas`) that the viewer cannot see — the "hidden" people its ledger totals
    rest on (`hiding_inputs`)."""
    f = f or facts(con)
    person, join, unseen, params = _person(con, viewer, f)
    start, end = min(s for s, _ in periods), max(e for _, e in periods)
    got = dict(
        con.execute(
            f"""
            WITH {
                _work_ctes(
                    f,
                    "a.k",
                    "JOIN ar a ON a.area = x.area",
                    "x.k",
                    "JOIN sc x ON x.school_id = m.school_id",
                )
            },
            per AS (
                SELECT unnest(?::BIGINT[]) AS k, unnest(?::BIGINT[]) AS s,
                       unnest(?::BIGINT[]) AS e
            )
            SELECT per.k, count(DISTINCT {person}) FILTER (WHERE {unseen})
            FROM w {join} JOIN per ON w.first <= per.e AND w.last >= per.s
            WHERE w.ws = (SELECT k FROM sc WHERE school_id = ?)
            GROUP BY per.k
            """,
            [
                end,
                start,
                end,
                start,
                list(range(len(periods))),
                [_day(s) for s, _ in periods],
                [_day(e) for _, e in periods],
                *params,
                school_id,
            ],
        ).fetchall()
    )
    return [int(got.get(k, 0)) for k in range(len(periods))]
