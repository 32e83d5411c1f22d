"""Hiding figures consistently: a figure worked out from a hidden one is hidden with it,
and no hidden figure can be worked back by adding and subtracting the figures shown.

One primary rule everywhere (`primary`): a figure is hidden when it rests on at least one
and fewer than the threshold of people the viewer cannot see one by one (for an
aggregate-only role: any people at all); the administrator sees everything. Then the
secondary rule for tables a role can see cut several ways (`grid_hidden`): the outcomes by
receiving school, by skill area and by school within one area are one table (outcome x
school x area) whose totals over the schools and over the outcomes the headline, the flows
and the ledger show, so they are suppressed together, before anything is shown.

Used by `transfer` and `outcomes` (headline figures, the trend, outcomes and hours charts,
ratings) and by the pairings' status counts; the ledger's two views have their own joint
rule (`brokering.pairings.ledger_suppression`), which the flows between schools share
(`flow_hiding`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brokering.dashboard import outcome_cover as oc
from brokering.dashboard.active_cover import guard_active as _guard_active
from brokering.dashboard.facts import guarded
from brokering.dashboard.outcome_cover import Empty, best_in, count_in, outcome_cover
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer


def primary(unseen: np.ndarray | pd.Series, threshold: int = SUPPRESSION_THRESHOLD) -> np.ndarray:
    """Cells hidden on their own: resting on 1 to threshold-1 people the viewer cannot see
    (a cell resting only on people they can see, they could add up from their own lists)."""
    u = np.asarray(unseen, dtype=np.int64)
    return (u > 0) & (u < threshold)


#: Figures worked out from another: hidden whenever that one is (a rate beside a hidden count
#: gives the count away).
DERIVED_FROM = {
    # The rate beside its count gives the pairings judged away, and so those judged and not
    # transferred (which the outcomes by school and by area show on their own).
    "rate": ("transferred", "judged", "not_transferred"),
    "median_days": ("transferred",),
    "hours_per_transfer": ("transferred", "hours"),
}
#: Headline figures that add up over the skill areas to the whole (a pairing has one area):
#: a rate's denominator and an average's total count here too, as the rate beside its
#: count gives them away.
ADDITIVE = ("active", "transferred", "overdue", "judged", "not_transferred", "hours")


def guard_all(figs: dict, viewer: Viewer) -> dict[str, tuple[float | None, bool]]:
    """key -> (value or None, hidden) for one period's figures: each guarded on its own
    people, then hidden too when a figure it is derived from is hidden."""
    out = {}
    for key, (value, people) in figs.items():
        shown = guarded(value, people, viewer)
        out[key] = (shown, value is not None and shown is None)
    return _derive(out, figs)


def _derive(out: dict, figs: dict) -> dict:
    """Hide each figure worked out from a hidden one (`DERIVED_FROM`)."""
    for key, sources in DERIVED_FROM.items():
        if key in out and any(out[src][1] for src in sources if src in out):
            out[key] = (None, out[key][1] or figs[key][0] is not None)
    return out


def outside(
    without: dict[str | None, dict],
    alliance: dict[str | None, dict],
    listed: set[tuple[str | None, str]] | frozenset = frozenset(),
) -> tuple[dict[str | None, tuple[str, ...]], set[str | None]]:
    """For a school's view beside the alliance's (`school_view`): per area (None: all
    areas), the figures to hide, and the areas whose pairings active are the alliance's
    shown one less what the viewer knows. `without`: the same figures over the pairings
    with no one from the school (an area missing: none); `alliance`: the alliance's as shown
    (key -> (value, hidden)). Hidden where the difference rests on too few people (`primary`),
    or where the alliance's is hidden and the difference rests on nobody the viewer cannot see
    (the school's would give it away); known where the alliance's is shown (or told: `listed`,
    below) and the difference rests on nobody unseen: for pairings active, the area; for the
    other figures, (area, key) — never hidden beside another (`guard_areas`, `guard_terms`:
    hiding a figure the viewer can work out protects nothing). `listed`: the alliance's (area,
    key) the viewer can count from their pairings page (`unlisted.listed_of`): such an area's
    figure hidden alone beside the whole and every other area shown (left so: `guard_areas`, it
    covers nothing) is told by them, as one shown (found: B_IS_ALL_OF_ASSESSMENT,
    tests/test_headline_school_cases.py, a school's figure that is all of the alliance's,
    hidden, though the whole less the other area gave it)."""
    out: dict[str | None, tuple[str, ...]] = {}
    known: set = set()
    for area, shown in alliance.items():
        figs = without.get(area, {})
        keys = []
        for key in ADDITIVE:
            value, people = figs.get(key, (0, 0))
            listed_here = (area, key) in listed and _told_by_the_rest(alliance, area, key)
            told = key in shown and (not shown[key][1] or listed_here)
            if (value and primary([people])[0]) or (not told and key in shown and not people):
                keys.append(key)
            elif told and not people:
                known.add(area if key == "active" else (area, key))
        out[area] = tuple(keys)
    return out, known


def _told_by_the_rest(alliance: dict[str | None, dict], area: str | None, key: str) -> bool:
    """Whether the alliance's `area` figure of `key` is its whole less its other areas, all
    shown (as `outside` is given them: key -> (value, hidden))."""
    if area is None:
        return False
    return all(key in figs and not figs[key][1] for a, figs in alliance.items() if a != area)


def guard_areas(
    by_area: dict[str | None, dict],
    viewer: Viewer,
    forced: dict[str, tuple[str, ...]] | None = None,
    known: frozenset[str] | set[str] = frozenset(),
) -> dict[str | None, dict[str, tuple[float | None, bool]]]:
    """`guard_all` for the whole (key None) and each skill area of one period, with
    complementary suppression between them: the page shows any area's figures and the
    whole's, and the areas add up to the whole, so where the whole's figure is shown and
    exactly one area's is hidden, the smallest other area's (fewest people the viewer cannot
    see, but some) is hidden too — and what is worked out from it. (An area with one hidden
    figure and no other to hide beside it cannot happen: the whole would then rest on the
    same few people, and be hidden.) `forced`: figures of an area hidden for another view's
    sake (an area's pairings active, for its flow matrix: `flow_hiding.flow_hidden`),
    before the rest; `known`: areas whose pairings active the flow matrices give away (every
    part of it shown or known there): shown, the same figure judged once, and never hidden
    as a complement (hiding it would protect nothing); and (area, key) the viewer counts
    from their pairings page (`unlisted.listed_of`): hidden on its own, such a figure is no
    cover for another (found: KNOWN_COVER, tests/test_school_unlisted.py)."""
    out = {area: guard_all(figs, viewer) for area, figs in by_area.items()}
    for area in known:
        if area in out and "active" in out[area] and not viewer.sees_everyone:
            out[area]["active"] = (by_area[area]["active"][0], False)
    for area, keys in (forced or {}).items():
        if area in out and not viewer.sees_everyone:
            for key in keys:
                if by_area[area][key][0] is not None:
                    out[area][key] = (None, True)
            out[area] = _derive(out[area], by_area[area])
    areas = sorted(a for a in by_area if a is not None)
    if None not in out:
        return out
    for key in ADDITIVE:
        if key not in out[None] or out[None][key][1]:
            continue
        # A hidden area the viewer can count from their pairings page is no cover.
        hidden = [a for a in areas if out[a][key][1] and (a, key) not in known]
        alone = sum(out[a][key][1] for a in areas) == 1
        if len(hidden) != 1:
            continue
        open_ = [
            a
            for a in areas
            if not out[a][key][1]
            and by_area[a][key][1] > 0
            and not (key == "active" and a in known)
            and (a, key) not in known
            and not told(out[a], by_area[a], key)
        ]
        if open_:
            pick = min(open_, key=lambda a: (by_area[a][key][1], a))
            out[pick][key] = (None, True)
            out[pick] = _derive(out[pick], by_area[pick])
        elif key == "judged" and any(told(out[a], by_area[a], key) for a in areas):
            # Every other area's is its transfers, shown: the whole's is hidden instead.
            out[None][key] = (None, True)
            out[None] = _derive(out[None], by_area[None])
        elif key == "active" and alone and (hidden[0] in (forced or {}) or known):
            # The whole less the other areas, every one shown: hiding it protects nothing
            # (only a figure the flow matrices decided on can get here).
            out[hidden[0]][key] = (by_area[hidden[0]][key][0], False)
    return out


def told(shown: dict, figs: dict, key: str) -> bool:
    """A figure (`key` of a period's or area's `figs`; `shown`: as suppressed so far) told by
    those shown, so hiding it as cover protects nothing: the pairings judged where none
    concluded not transferred are the transfers beside them (found: TRANSFERS_SHOWN_TWICE,
    tests/test_hours_by_area_found.py, for the attacker who knows which kinds there are)."""
    return key == "judged" and not shown["transferred"][1] and not figs["not_transferred"][0]


#: Headline figures that add up over the terms to a count shown over all time (the
#: pairings' counts by status): a pairing concludes in one term.
BY_TERM = ("transferred", "judged", "not_transferred", "hours")


def guard_terms(
    figs: list[dict[str | None, dict]],
    out: list[dict[str | None, dict]],
    viewer: Viewer,
    known: list[set] | None = None,
) -> list[dict[str | None, dict]]:
    """Complementary suppression across the terms of the trend and the headline (`out`:
    each term's `guard_areas`, the whole's under key None; `figs`: the figures). The figures
    concluded in a term add up over the terms to the counts by status over all time, and the
    trend shows the terms from the first pairing's: where exactly one term's whole figure is
    hidden, the smallest other term's (fewest people the viewer cannot see, but some) is
    hidden too. Then, in every term whose whole figure is hidden, at least two of its areas
    are (where it has them): with one, the area would be the whole less the areas shown, and
    the whole is tied to the other hidden term's by the total over all time. `known`: per
    term, the (area, key) a school's view shows as the alliance's less what the viewer
    knows (`outside`): never hidden beside another, as that would protect nothing."""
    if viewer.sees_everyone:
        return out
    sure = known or [set() for _ in out]

    def hide(k: int, area: str | None, key: str) -> None:
        out[k][area][key] = (None, True)
        out[k][area] = _derive(out[k][area], figs[k][area])

    def can_cover(k: int, area: str | None, key: str) -> bool:
        """Shown, with pairings, and neither known (`sure`) nor `told`: hiding it covers."""
        shown, got = out[k][area], figs[k][area]
        return (
            not shown[key][1]
            and got[key][1] > 0
            and (area, key) not in sure[k]
            and not told(shown, got, key)
        )

    for key in BY_TERM:
        terms = [k for k in range(len(out)) if key in out[k].get(None, {})]
        hidden = [k for k in terms if out[k][None][key][1]]
        open_ = [k for k in terms if can_cover(k, None, key)]
        if len(hidden) == 1 and open_:
            hide(min(open_, key=lambda k: (figs[k][None][key][1], k)), None, key)
        for k in (k for k in terms if out[k][None][key][1]):
            areas = sorted(a for a in out[k] if a is not None)
            while sum(out[k][a][key][1] for a in areas) < 2:
                open_areas = [a for a in areas if can_cover(k, a, key)]
                if not open_areas:
                    break
                hide(k, min(open_areas, key=lambda a: (figs[k][a][key][1], a)), key)
    _guard_active(figs, out, hide)
    return out


def grid_hidden(
    o: np.ndarray,
    r: np.ndarray,
    k: np.ndarray,
    unseen: np.ndarray,
    pairings: np.ndarray,
    across: bool = False,
    empty: list[Empty] | None = None,
    pinned: np.ndarray | None = None,
    spare: bool = False,
    known: np.ndarray | None = None,
) -> np.ndarray:
    """Which cells of the outcome tables are hidden, every outcome at once (a view's totals
    are then hidden when one of their cells is: `outcomes._view`).

    The cells, for a viewer who does not see everyone: outcome, row and area as whole
    numbers in name order (`o`, `r`, `k`), their pairings and `unseen` (people behind the
    cell the viewer cannot see). Each outcome's cells make a row x area table whose margins the
    views show; and the same role sees totals of them elsewhere — an area's figure of an
    outcome in the headline (evidenced transfers; pairings judged less those), and, where
    `across`, a row's pairings over every outcome (a school's, in the flows and the
    ledger). So the outcomes are a third side of one outcome x row x area table, and
    hiding an area's total, or suppressing each outcome on its own, is no cover. The rule:

    1. a cell is hidden by `primary`;
    2. hidden cells come at least in twos along every line whose total is shown: an
       outcome's hidden cells span two rows and two areas wherever its table has them; an
       area with one hidden cell of an outcome gets a second; and (`across`) a row with
       one outcome hidden gets a second outcome hidden, in an area where the first is
       where it can. Each time the smallest cell (fewest people the viewer cannot see,
       then fewest pairings) that is not known to the viewer is hidden, until all hold;
    3. (`across`: the outcomes) along each line whose total over the outcomes is known —
       the whole table (the alliance's pairings), each area (its pairings active, in the
       headline) — one hidden cell alone of its outcome (alone, too, among the outcomes
       the headline does not give: hidden cells of those beside it cover nothing) gets a
       second outcome hidden beside it (`outcome_cover`): a cell, or, as the outcomes'
       views draw every outcome of a group with a hidden figure as hidden, an outcome with
       no pairings there,
       appended to `empty` as (outcome, row, area) for the caller to hide the totals it
       falls in — best not a `pinned` outcome (its totals by area shown elsewhere); none
       needed where `spare` (one not pinned has no pairings: drawn hidden already), nor
       for a `known` cell (each pairing has someone from a head's school: they know it). The
       hours table has no rule 3: its two outcomes' totals are the headline's.

    Then a hidden cell can move by one against the area's other hidden cell and the row's
    other hidden outcome — the row totals over the areas hidden with them — with every total
    shown elsewhere unchanged, so no sum of shown figures isolates it
    (`tests/test_outcomes_joint_properties.py` checks this over random alliances). A cell
    with no cell beside it that could cover it (each resting only on people the viewer
    sees one by one) stays hidden alone: their own lists already tell them the rest.
    Returns a boolean array aligned with the cells."""
    h = primary(unseen)
    if not h.any():
        return h
    rank = oc.ranks(unseen, pairings, o, r, k)
    covers: list[Empty] = []
    h = _second(o, r, k, h, unseen, rank, across, pairings, covers, (pinned, spare, known))
    if empty is not None:
        empty.extend(covers)
    return h


def _second(
    o: np.ndarray,
    r: np.ndarray,
    k: np.ndarray,
    h: np.ndarray,
    unseen: np.ndarray,
    rank: np.ndarray,
    across: bool,
    pairings: np.ndarray,
    empty: list[Empty],
    cover: tuple = (None, False, None),
) -> np.ndarray:
    """Rules 2 and 3 of `grid_hidden` on the cells (outcome, row and area codes; `h` hidden
    by `primary`; `unseen`: people the viewer cannot see, a cell with some may be hidden as
    cover; `rank`: lower is hidden first). Each pass
    hides, for every line short of a second hidden cell, its best open cell — rows and
    areas in bulk, as a national table has thousands — until a pass hides nothing. Empty
    cells hidden as cover (rule 3, only `across`; `cover`: its pinned, spare and known) go to
    `empty`."""
    h = h.copy()
    open_ = (unseen > 0) & (pairings > 0)
    nr, nk = int(r.max()) + 1, int(k.max()) + 1
    at = r.astype(np.int64) * nk + k
    line = o.astype(np.int64) * nk + k  # an outcome's cells in one area
    # Per outcome, the rows and areas its cells span (in bulk: a national table has 20,000).
    rows_of, areas_of = oc.spans(o, r, nr), oc.spans(o, k, nk)
    for _ in range(len(h) + 1):  # each pass hides at least one cell, or stops
        add, grew = np.zeros(len(h), bool), False
        hid_rows, hid_areas = oc.spans(o[h], r[h], nr), oc.spans(o[h], k[h], nk)
        for out in np.unique(o[h]):  # an outcome's hidden cells span two rows and areas
            mine = o == out
            short_r = hid_rows[out] < 2 <= rows_of[out]
            short_k = hid_areas[out] < 2 <= areas_of[out]
            if not (short_r or short_k or (mine & h).sum() < 2):
                continue
            cand = mine & ~h & open_  # (short of a second row: its hidden cells are in one)
            new_r = r != r[np.argmax(mine & h)] if short_r else True
            new_k = k != k[np.argmax(mine & h)] if short_k else True
            for want in (cand & new_r & new_k, cand & new_r, cand & new_k, cand):
                if want.any():
                    add[np.flatnonzero(want)[np.argmin(rank[want])]] = True
                    break
        # An area's total of an outcome is in the headline: one hidden cell needs a second.
        add |= best_in(line, ~h & open_, rank, count_in(line, h) == 1)
        if across:  # a row's total over the outcomes is shown: one hidden outcome needs two
            first = np.full(nr, -1)
            first[r[h]] = o[h]
            lone = np.zeros(nr, bool)
            lone[r[h]] = True
            lone[r[h & (o != first[r])]] = False
            cand = ~h & open_ & lone[r] & (o != first[r])
            # Best in an area where the first is hidden: the two then move against each other
            # there, under the flows' totals by area.
            beside = np.zeros(nr * nk, bool)
            beside[at[h]] = True
            add |= best_in(r, cand, np.where(beside[at], rank, rank + len(h)), lone[r])
        if across:  # rule 3 (the hours table's outcome totals are the headline's: no cover)
            more, grew = outcome_cover(o, r, k, h | add, unseen, rank, pairings, empty, *cover)
            add |= more
        if not (add & ~h).any() and not grew:
            return h
        h |= add
    return h


def hidden_groups(frame: pd.DataFrame) -> int:
    """How many groups (schools or areas) of an `outcomes_by` frame have every cell hidden:
    a chart leaves them out, so it must say how many."""
    if frame.empty:
        return 0
    return int(frame.groupby("group")["pairings"].apply(lambda s: s.isna().all()).sum())


def beside_total(
    people: pd.Series | np.ndarray, own: np.ndarray, ids: np.ndarray, viewer: Viewer
) -> np.ndarray:
    """Which of a set of figures that add up to a total shown beside them (the maturity
    page's schools; the total's row has id None) are hidden: a school's resting on 1 to
    threshold-1 people, unless it is the viewer's `own` (they can count it); the total's,
    when the people in it outside their own school are that few. Where exactly one school's
    is hidden, the smallest other's (not their own, which gives no cover) is hidden too —
    ties broken by `ids`, so every view of the set picks the same one — or, with none to
    hide, the total's."""
    n = np.asarray(people, dtype=np.int64)
    total = np.array([i is None for i in ids], bool)
    if viewer.sees_everyone:
        return np.zeros(len(n), bool)
    unseen = np.where(total, n - n[own].sum() if total.any() else n, n)
    hidden = ~own & primary(unseen)
    if hidden[~total].sum() == 1:
        open_ = np.flatnonzero(~hidden & ~own & ~total & (n > 0))
        if len(open_):
            hidden[min(open_, key=lambda i: (n[i], str(ids[i])))] = True
        else:
            hidden[total] = True
    return hidden
