"""Hiding figures consistently: a figure worked out from a hidden one is hidden with it,
and no hidden figure can be worked back by adding and subtracting the figures shown.

One primary rule everywhere (`primary`): a figure is hidden when it rests on at least one
and fewer than the threshold of people the viewer cannot see one by one (for an
aggregate-only role: any people at all); the administrator sees everything. Then the
secondary rule for tables a role can see cut several ways (`grid_hidden`): the outcomes by
receiving school, by skill area and by school within one area are one table (school x area)
with its two margins, so they are suppressed together, before anything is shown.

Used by `transfer` and `outcomes` (headline figures, the trend, outcomes and hours charts,
ratings) and by the pairings' status counts; the ledger's two views have their own joint
rule (`brokering.pairings.ledger_suppression`), which the flows between schools share
(`flow_hiding`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brokering.dashboard.facts import guarded
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
    without: dict[str | None, dict], alliance: dict[str | None, dict]
) -> tuple[dict[str | None, tuple[str, ...]], set[str | None]]:
    """For a school's view beside the alliance's (`school_view`): per area (None: all
    areas), the figures to hide, and the areas whose pairings active are the alliance's
    shown one less what the viewer knows. `without`: the same figures over the pairings
    with no one from the school (an area missing: none); `alliance`: the alliance's as shown
    (key -> (value, hidden)). Hidden where the difference rests on too few people
    (`primary`), or where the alliance's is hidden and the difference rests on nobody the
    viewer cannot see (the school's would give it away); known where the alliance's is
    shown and the difference rests on nobody unseen: for pairings active, the area; for the
    other figures, (area, key) — never hidden beside another (`guard_areas`, `guard_terms`:
    hiding a figure the viewer can work out protects nothing)."""
    out: dict[str | None, tuple[str, ...]] = {}
    known: set = set()
    for area, shown in alliance.items():
        figs = without.get(area, {})
        keys = []
        for key in ADDITIVE:
            value, people = figs.get(key, (0, 0))
            if (value and primary([people])[0]) or (shown.get(key, (0, False))[1] and not people):
                keys.append(key)
            elif key in shown and not shown[key][1] and not people:
                known.add(area if key == "active" else (area, key))
        out[area] = tuple(keys)
    return out, known


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
    as a complement (hiding it would protect nothing)."""
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
        hidden = [a for a in areas if out[a][key][1]]
        if len(hidden) != 1:
            continue
        open_ = [
            a
            for a in areas
            if not out[a][key][1]
            and by_area[a][key][1] > 0
            and not (key == "active" and a in known)
            and (a, key) not in known
        ]
        if open_:
            pick = min(open_, key=lambda a: (by_area[a][key][1], a))
            out[pick][key] = (None, True)
            out[pick] = _derive(out[pick], by_area[pick])
        elif key == "active" and (hidden[0] in (forced or {}) or known):
            # The whole less the other areas, every one shown: hiding it protects nothing
            # (only a figure the flow matrices decided on can get here).
            out[hidden[0]][key] = (by_area[hidden[0]][key][0], False)
    return out


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

    for key in BY_TERM:
        terms = [k for k in range(len(out)) if key in out[k].get(None, {})]
        hidden = [k for k in terms if out[k][None][key][1]]
        open_ = [
            k
            for k in terms
            if not out[k][None][key][1] and figs[k][None][key][1] > 0 and (None, key) not in sure[k]
        ]
        if len(hidden) == 1 and open_:
            hide(min(open_, key=lambda k: (figs[k][None][key][1], k)), None, key)
        for k in (k for k in terms if out[k][None][key][1]):
            areas = sorted(a for a in out[k] if a is not None)
            while sum(out[k][a][key][1] for a in areas) < 2:
                open_areas = [
                    a
                    for a in areas
                    if not out[k][a][key][1] and figs[k][a][key][1] and (a, key) not in sure[k]
                ]
                if not open_areas:
                    break
                hide(k, min(open_areas, key=lambda a: (figs[k][a][key][1], a)), key)
    _guard_active(figs, out, hide)
    return out


#: What concluded in a term, as the headline counts it (its pairings active less the next
#: term's give the pairings concluded in it, less those started in the next).
CONCLUDED = ("transferred", "judged", "not_transferred")


def _guard_active(figs: list[dict], out: list[dict], hide) -> None:  # noqa: ANN001
    """Pairings active across the terms (`out` in term order): a term's less the next
    term's is what concluded in it less what started in the next — where nothing could have
    started (the next term's is 0, or its starts are known) that is the pairings concluded,
    so where a term's concluded figure is hidden and both pairings active are shown, one of
    them is hidden too: the next term's, resting on someone the viewer cannot see (else this
    term's). An area's hidden with it keeps the areas' rule (`guard_areas`): never exactly
    one of a term's areas hidden beside its whole shown, never one alone beside it hidden."""

    def settle(k: int) -> None:
        areas = sorted(a for a in out[k] if a is not None)
        while areas:
            hidden = sum(out[k][a]["active"][1] for a in areas)
            whole = out[k][None]["active"][1] if None in out[k] else False
            if not (hidden == 1 and not whole) and not (whole and hidden < 2):
                return
            open_ = [a for a in areas if not out[k][a]["active"][1] and figs[k][a]["active"][1]]
            if not open_:
                return
            hide(k, min(open_, key=lambda a: (figs[k][a]["active"][1], a)), "active")

    for _ in range(4 * len(out)):  # each pass only hides: a few are enough
        changed = False
        for area in list(out[0]) if out else ():
            for k in range(len(out) - 1):
                here, after = out[k][area], out[k + 1][area]
                if not any(here[key][1] for key in CONCLUDED if key in here):
                    continue
                if here["active"][1] or after["active"][1]:
                    continue
                value, people = figs[k + 1][area]["active"]
                j = k + 1 if value and people else k
                hide(j, area, "active")
                settle(j)
                changed = True
        if not changed:
            return


def grid_hidden(cells: pd.DataFrame, viewer: Viewer) -> np.ndarray:
    """Which cells of a two-way table and its margins are hidden, one outcome at a time.

    `cells` has columns outcome, row, col, level (0: a cell, 1: a row's total over the
    columns, 2: a column's total over the rows), pairings and unseen (people behind the
    figure the viewer cannot see). Each outcome's table with its margins is one system of
    sums (every row and column adds up to its total, the totals to the grand total, taken as
    known), so the rule, proved on the table as a graph of hidden cells:

    1. a cell is hidden by `primary`;
    2. the hidden cells of an outcome span at least two rows and two columns wherever the
       table has them (else a margin would be the grand total less the shown ones): the
       smallest cell (fewest people) that is not already known to the viewer is hidden too
       until they do;
    3. a margin is hidden when one of its cells is (a total with a hidden part would give it
       away; a total with none is the sum of what is shown) — unless the table has one row
       (column), when that total is the grand total — and on its own people (`primary`).

    Every hidden cell then lies on a cycle of hidden figures, so no sum of shown figures
    isolates it (`tests/test_suppression_properties.py` checks this over random alliances).
    Returns a boolean array aligned with `cells`."""
    n = len(cells)
    if viewer.sees_everyone or n == 0:
        return np.zeros(n, bool)
    level = cells["level"].to_numpy()
    outcome = cells["outcome"].to_numpy(dtype=object)
    # Rows and columns as whole-number codes (margins' missing key: -1), ordered like names.
    row = pd.factorize(cells["row"].astype(object), sort=True)[0]
    col = pd.factorize(cells["col"].astype(object), sort=True)[0]
    unseen = cells["unseen"].to_numpy(np.int64)
    pairings = cells["pairings"].to_numpy(np.int64)
    hidden = np.zeros(n, bool)
    inner = level == 0
    hidden[inner] = primary(unseen[inner])
    for out in pd.unique(outcome[inner]):
        idx = np.flatnonzero(inner & (outcome == out))
        h = hidden[idx]
        n_rows, n_cols = len(np.unique(row[idx])), len(np.unique(col[idx]))
        size = cells["people"].to_numpy(np.int64)[idx]
        order = np.lexsort((col[idx], row[idx], pairings[idx], size))
        for _ in range(4):
            if not h.any():
                break
            rows_h, cols_h = np.unique(row[idx][h]), np.unique(col[idx][h])
            need_row = len(rows_h) < 2 <= n_rows
            need_col = len(cols_h) < 2 <= n_cols
            if not (need_row or need_col or h.sum() < 2):
                break
            open_ = ~h & (unseen[idx] > 0) & (pairings[idx] > 0)
            new_row = ~np.isin(row[idx], rows_h) if need_row else True
            new_col = ~np.isin(col[idx], cols_h) if need_col else True
            for want in (open_ & new_row & new_col, open_ & new_row, open_ & new_col, open_):
                if np.any(want):
                    h[order[np.argmax(want[order])]] = True
                    break
            else:
                break
        hidden[idx] = h
        rows_h, cols_h = np.unique(row[idx][h]), np.unique(col[idx][h])
        this = outcome == out
        # A table of one row (column) has that row's total equal to the grand total: hiding
        # it protects nothing, so it is hidden only on its own people.
        if n_rows > 1:
            hidden[this & (level == 1)] = np.isin(row[this & (level == 1)], rows_h)
        if n_cols > 1:
            hidden[this & (level == 2)] = np.isin(col[this & (level == 2)], cols_h)
    margins = level > 0
    hidden[margins] |= primary(unseen[margins])
    return hidden


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
