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
rule (`brokering.pairings.ledger_suppression`)."""

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
    sake (an area's pairings active, for its flow matrix: `flow_hidden`), before the rest;
    `known`: areas whose pairings active the flow matrices give away (every part of it shown
    or known there): shown, the same figure judged once, and never hidden as a complement
    (hiding it would protect nothing)."""
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
    figs: list[dict[str | None, dict]], out: list[dict[str | None, dict]], viewer: Viewer
) -> list[dict[str | None, dict]]:
    """Complementary suppression across the terms of the trend and the headline (`out`:
    each term's `guard_areas`, the whole's under key None; `figs`: the figures). The figures
    concluded in a term add up over the terms to the counts by status over all time, and the
    trend shows the terms from the first pairing's: where exactly one term's whole figure is
    hidden, the smallest other term's (fewest people the viewer cannot see, but some) is
    hidden too. Then, in every term whose whole figure is hidden, at least two of its areas
    are (where it has them): with one, the area would be the whole less the areas shown, and
    the whole is tied to the other hidden term's by the total over all time."""
    if viewer.sees_everyone:
        return out

    def hide(k: int, area: str | None, key: str) -> None:
        out[k][area][key] = (None, True)
        out[k][area] = _derive(out[k][area], figs[k][area])

    for key in BY_TERM:
        terms = [k for k in range(len(out)) if key in out[k].get(None, {})]
        hidden = [k for k in terms if out[k][None][key][1]]
        open_ = [k for k in terms if not out[k][None][key][1] and figs[k][None][key][1] > 0]
        if len(hidden) == 1 and open_:
            hide(min(open_, key=lambda k: (figs[k][None][key][1], k)), None, key)
        for k in (k for k in terms if out[k][None][key][1]):
            areas = sorted(a for a in out[k] if a is not None)
            while sum(out[k][a][key][1] for a in areas) < 2:
                open_areas = [a for a in areas if not out[k][a][key][1] and figs[k][a][key][1]]
                if not open_areas:
                    break
                hide(k, min(open_areas, key=lambda a: (figs[k][a][key][1], a)), key)
    return out


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


def _smallest_open(
    need: np.ndarray, line: np.ndarray, open_: np.ndarray, order: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each line flagged in `need`: its first open cell in `order` (cells smallest first).
    Returns (the cells picked, the lines needing one that had none)."""
    ok = need[line] & open_
    cand = order[ok[order]]
    first = cand[np.unique(line[cand], return_index=True)[1]]
    found = np.zeros(len(need), bool)
    found[line[first]] = True
    return first, np.flatnonzero(need & ~found)


def flow_hidden(
    schools: pd.DataFrame, pairs: pd.DataFrame, cells: pd.DataFrame, viewer: Viewer
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which figures of the flows between schools are hidden: (per row of `schools`: its
    give/receive totals and same-school cell; per row of `pairs`: its cells both ways; per
    row of `cells`: that area's cell).

    Why the ledger's rule: in a term holding all of an alliance's pairings the flow matrix
    and the reciprocity ledger (`brokering.pairings.ledger_suppression`) show the same
    pairings — a cell one hid and the other showed would be given away — so the matrix and
    the balance are suppressed by the rule the ledger applies (a relationship rests on the
    people of both schools in it, both directions together; a school's totals on its own
    people), over the term's pairings and coaching.

    Then the area-filtered matrices, the cells of a (giver, receiver) x area table whose row
    totals are the matrix's cells and whose column totals are each area's whole (taken as
    known until hidden): a hidden relationship hides all its area cells; an area cell resting
    on too few people (`primary`, counted over the pair in that area) is hidden both ways;
    and every row whose total is shown, and every area, has no hidden cell or at least two —
    the smallest open cell is hidden too. A row with nothing left to hide beside its one
    hidden cell shows it: it is the matrix's shown cell less figures the viewer knows, the
    same figure. An area with nothing left to hide beside its one hidden cell has its total
    hidden instead (returned: `transfer` hides that area's pairings active, and a complement
    among the areas), never the cell shown.

    `schools`: school_id, people, hidden (people the viewer cannot see); `pairs`: school_a,
    school_b, people, hidden; `cells` (one per directed cell and area present): giver,
    receiver, area, people, unseen (both counted over the pair in that area; a school with
    itself, for its work within itself in that area, which no matrix shows)."""
    from brokering.pairings import ledger_suppression  # the one rule, shared

    if viewer.sees_everyone:
        none = np.zeros(len(schools), bool), np.zeros(len(pairs), bool), np.zeros(len(cells), bool)
        return (*none, set(), set())
    schools = schools.reset_index(drop=True).copy()
    pairs = pairs.reset_index(drop=True).copy()
    cells = cells.reset_index(drop=True)
    # Everything as whole numbers (schools by position, areas by first appearance): a
    # national term has 100,000 cells, and keys of strings cost more than the rule.
    ids = pd.Index(schools["school_id"])
    n = max(len(ids), 1)
    g, r = ids.get_indexer(cells["giver"]), ids.get_indexer(cells["receiver"])
    diag = g == r
    pair_key = np.minimum(g, r).astype(np.int64) * n + np.maximum(g, r)
    pa, pb = ids.get_indexer(pairs["school_a"]), ids.get_indexer(pairs["school_b"])
    keys = np.minimum(pa, pb).astype(np.int64) * n + np.maximum(pa, pb)
    by_key = np.argsort(keys, kind="stable")
    at = np.searchsorted(keys[by_key], pair_key).clip(0, max(len(keys) - 1, 0))
    cell_pair = by_key[at] if len(keys) else np.full(len(cells), -1)
    cell_school = g
    area = pd.factorize(cells["area"].to_numpy(object))[0].astype(np.int64)
    both = np.unique(pair_key * (int(area.max(initial=0)) + 1) + area, return_inverse=True)[1]
    line_row = np.unique(g.astype(np.int64) * n + r, return_inverse=True)[1]
    line_col = area
    n_rows, n_cols = int(line_row.max(initial=-1)) + 1, int(line_col.max(initial=-1)) + 1
    unseen = cells["unseen"].to_numpy(np.int64)
    order = np.lexsort((both, cells["people"].to_numpy(np.int64)))
    keep_s, keep_p = ledger_suppression.shown(schools, pairs, viewer)
    hid_s, hid_p = ~keep_s.to_numpy(bool), ~keep_p.to_numpy(bool)
    margin_hidden = (
        hid_s[cell_school]
        if not len(hid_p)
        else np.where(diag, hid_s[cell_school], hid_p[np.maximum(cell_pair, 0)])
    )
    # A school's work within itself is no cell of a matrix but part of its area's total:
    # unknown to the viewer (cover for the area's hidden cells) only while the school's own
    # totals are hidden, else taken as known.
    raw_unseen, unseen = unseen, np.where(diag & ~margin_hidden, 0, unseen)
    row_known = np.ones(n_rows, bool)
    row_known[line_row[margin_hidden]] = False
    small = primary(unseen)
    pinned = np.zeros(int(both.max(initial=-1)) + 1, bool)
    # An area's total (its pairings active, on the Transfer page) counts as known until an
    # area has one hidden cell and nothing left to hide beside it: then its total is hidden
    # instead (`transfer` hides it, and a complement among the areas).
    col_known = np.ones(n_cols, bool)
    while True:
        hidden_both = np.zeros(len(pinned), bool)
        hidden_both[both[margin_hidden | small]] = True
        hidden_both &= ~pinned | np.isin(np.arange(len(pinned)), both[margin_hidden])
        while True:
            h = hidden_both[both]
            open_ = ~h & (unseen > 0) & ~pinned[both]
            # A hidden cell resting only on people the viewer sees is known to them: it needs
            # no cover and gives none.
            guarded_ = h & (unseen > 0)
            need_row = row_known & (np.bincount(line_row[guarded_], minlength=n_rows) == 1)
            need_col = col_known & (np.bincount(line_col[guarded_], minlength=n_cols) == 1)
            picked_r, stuck = _smallest_open(need_row, line_row, open_, order)
            picked_c, stuck_c = _smallest_open(need_col, line_col, open_, order)
            before = hidden_both.sum()
            hidden_both[both[np.concatenate([picked_r, picked_c])]] = True
            if hidden_both.sum() == before:
                break
        # A row of the matrix (its total shown there) with one hidden cell and nothing beside
        # it left to hide: that cell is the row's total less figures shown or known, the same
        # figure judged once (the relationship's people, as the matrix and the ledger judge
        # it) — shown, and the rest worked again. An area in that state hides its total.
        # Rows first: a cell shown there may leave its area nothing to protect.
        stuck_cells = np.isin(line_row, stuck) & hidden_both[both] & ~margin_hidden
        if stuck_cells.any() and not pinned[both[stuck_cells]].all():
            pinned[both[stuck_cells]] = True
            continue
        if len(stuck_c):
            col_known[stuck_c] = False
            continue
        areas = pd.factorize(cells["area"].to_numpy(object))[1]
        # Areas whose every part the viewer sees or knows: no hidden cell resting on someone
        # unseen, no work within a school resting on someone unseen.
        open_parts = (hidden_both[both] & (unseen > 0)) | (diag & (raw_unseen > 0))
        derivable = np.bincount(line_col[open_parts], minlength=n_cols)[: len(areas)] == 0
        return (
            hid_s,
            hid_p,
            hidden_both[both],
            set(areas[~col_known[: len(areas)]]),
            set(areas[derivable]),
        )


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
