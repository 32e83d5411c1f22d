# ruff: noqa: S608 - the SQL fragment below is a code constant; it has no values.
"""The hours chart (hours against outcome) for one skill area, weighed against the
headline's figures for that area term by term.

Why a rule of its own: the chart counts concluded pairings over all time, so an area's
bands of one outcome add up to that outcome's figures for the area summed over the terms,
which the headline shows term by term (`chart_hiding.totals_unshown` is the same rule for
the whole alliance). Where the headline hides an area's figure in exactly one term — as
cover for another area, say, resting on enough people itself — the area's bands all shown
would give it away as their sum less the terms shown, and the figure it covers with it. So
such an area's outcome has one of its bands hidden (the smallest resting on someone the
viewer cannot see), and the chart's own rule (`hiding.grid_hidden`) covers that one as it
covers any."""

from __future__ import annotations

from datetime import date

import numpy as np

from brokering import changes
from brokering.dashboard.chart_hiding import unshown_of
from brokering.dashboard.facts import ALLIANCE, Scope, facts
from brokering.db import Connection
from brokering.terms import previous_term, term_of
from brokering.viewer import Viewer

#: (outcome, area): an area's outcome whose total over all time the chart must not show.
Columns = frozenset[tuple[str, str]]


def areas_unshown(con: Connection, viewer: Viewer, as_of: date | None = None) -> Columns:
    """The (outcome, area) whose figure the alliance's headline for that area hides in
    exactly one term (as of `as_of`, today by default): their totals over all time must not
    be shown (`unshown_by_area`). One answer per store change, viewer and day."""
    if viewer.sees_everyone:
        return frozenset()
    as_of = as_of or date.today()
    key = ("hours_cover.areas_unshown", viewer, as_of)
    return changes.remembered(changes.mark(con), key, lambda: _unshown(con, viewer, as_of))


def _unshown(con: Connection, viewer: Viewer, as_of: date) -> Columns:
    """`areas_unshown`, worked out from the alliance's view of one area (every area's
    figures are suppressed together there, the same whichever area is asked) — without
    its flow matrices, which decide only pairings active, no figure here. (No quicker look
    first at whether any figure could be hidden: at national scale some always can — a
    small area's pairings not transferred in the trend's first term — and the look cost
    two thirds of the working itself.)"""
    from brokering.dashboard import transfer  # it reads the charts from here

    f = facts(con)
    first = con.execute(f"SELECT min(area) FROM {f.pairings}").fetchone()[0]
    if first is None:
        return frozenset()
    term = term_of(as_of)
    terms = transfer._joint_periods(con, viewer, ALLIANCE, as_of, [term, previous_term(term)], f)
    bounds = [(t.start, t.end) for t in terms]
    _, out = transfer._guarded_views(
        con, viewer, Scope(area=first), bounds, as_of, f, None, None, False
    )
    return unshown_by_area(out)


def unshown_by_area(out: list[dict[str | None, dict[str, tuple]]]) -> Columns:
    """`areas_unshown` from the alliance's suppressed figures by area, term by term (area ->
    key -> (value, hidden); None: the whole, left to `chart_hiding.totals_unshown`)."""
    areas = sorted({a for o in out for a in o if a is not None})
    return frozenset(
        (outcome, area)
        for area in areas
        for outcome in unshown_of([o[area] for o in out if area in o])
    )


def pick_cover(
    o: np.ndarray,
    r: np.ndarray,
    k: np.ndarray,
    hidden: np.ndarray,
    unseen: np.ndarray,
    pairings: np.ndarray,
    wanted: np.ndarray,
) -> np.ndarray:
    """Which cells of a chart's table (outcome, row and area as whole numbers in name order)
    are hidden so that each column (outcome x area) with a `wanted` cell has one hidden: in
    a column with none hidden yet, the cell with fewest people the viewer cannot see (but
    some), then fewest pairings, then the first row — never the rows' order. A column
    resting on nobody unseen has none to hide (the headline hides no figure of it then);
    one that is its outcome's only column is its outcome's total over all time, shown
    elsewhere (the headline's whole, term by term; where it is not, `chart_hiding.
    totals_unshown` hides it: `pick_total_cover`), so hiding a cell of it would protect
    nothing.
    The caller then hides these as if on their own people (`hiding.grid_hidden` covers
    them). Aligned with the cells."""
    picked = np.zeros(len(o), bool)
    for col in {(int(a), int(b)) for a, b in zip(o[wanted], k[wanted], strict=True)}:
        mine = (o == col[0]) & (k == col[1])
        if (mine & hidden).any() or (k[o == col[0]] == col[1]).all():
            continue
        cand = np.flatnonzero(mine & (unseen > 0) & (pairings > 0))
        if len(cand):
            picked[min(cand, key=lambda i: (unseen[i], pairings[i], r[i]))] = True
    return picked


def pick_total_cover(
    o: np.ndarray,
    r: np.ndarray,
    k: np.ndarray,
    hidden: np.ndarray,
    unseen: np.ndarray,
    pairings: np.ndarray,
    unshown: np.ndarray,
) -> np.ndarray:
    """Which cells of a chart's table (as `pick_cover`'s) are hidden so that each outcome
    whose total over all time is shown nowhere else (`unshown`, by outcome number:
    `chart_hiding.totals_unshown`) has one hidden: where none of its cells is hidden yet,
    the cell with fewest people the viewer cannot see (but some), then fewest pairings,
    then the first row and area. Why: its bands add up to that total, and an outcome's one
    band is it (found: SUMMER_TOLD_BY_THE_TOTAL, tests/test_hours_by_area_found.py — no cell of
    it hidden, so its one band showed it though the counts by status hid it). The caller
    hides these as if on their own people, and the views' totals they fall in even as
    their outcome's only row (`outcome_cover.falls_in`). Aligned with the cells."""
    picked = np.zeros(len(o), bool)
    for out in np.unique(o[unshown[o]]) if len(o) else ():
        mine = o == out
        if (mine & hidden).any():
            continue
        cand = np.flatnonzero(mine & (unseen > 0) & (pairings > 0))
        if len(cand):
            picked[min(cand, key=lambda i: (unseen[i], pairings[i], r[i], k[i]))] = True
    return picked


def bare(o: np.ndarray, key: np.ndarray, hidden: np.ndarray) -> bool:
    """Whether `totals_unshown` could change what a table's view hides (`pick_total_cover`,
    `outcome_cover.falls_in`): an outcome with no cell hidden, or with one row (`key`: the
    view's rows) and a cell hidden. Asked first, as the rule reads the headline (a pass of
    its own where not remembered): at national scale an outcome's rarer bands in the smaller
    areas should have cells on one or two people, so it should seldom be read (expected,
    not yet measured)."""
    for out in np.unique(o):
        mine = o == out
        if not (mine & hidden).any() or len(np.unique(key[mine])) == 1:
            return True
    return False
