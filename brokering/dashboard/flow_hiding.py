"""Hiding the flows between schools (`flow_hidden`): the flow matrix of the whole alliance
and of each skill area, the given-and-received balance, with the reciprocity ledger's rule
(`brokering.pairings.ledger_suppression`) and the areas' totals on the Transfer page.

The sums a viewer knows across the area cells, beside the matrices' rows and the areas'
totals, and why they are weighed: an area cell (giver, receiver, area; a school with itself
for its work within itself) lies on four sums a role may know — the matrix's cell for the
two schools (all areas), the area's total (its pairings active on the Transfer page), and
the giver's total given and the receiver's total received in the reciprocity ledger (shown
there, or resting only on people the viewer sees: they add that school's rows up from their
own lists). A hidden cell alone among unknown cells on a school's known total is that total
less what the viewer knows: it needs a second hidden cell beside it there, or it gives no
cover (`single`). And an area whose unknown cells all lie in one school's giving
(receiving), that school's ledger total hidden, gives the school's part in the area away as
the area's total less the cells known — with the rest of its giving known from other
schools' rows, the hidden total itself: the area needs an unknown cell outside that
school's, or its total hidden (`one_school`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brokering.dashboard.hiding import primary
from brokering.pairings.ledger_cover import Covers
from brokering.viewer import Viewer


def smallest_open(
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


def single(
    unknown: np.ndarray, school: np.ndarray, known: np.ndarray, open_: np.ndarray, order: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Schools' known totals (`school`: the giver, or the receiver, per cell; `known` per
    school) holding exactly one unknown cell: (an open cell of each to hide beside it, the
    cells left alone on theirs with nothing to hide — known to the viewer, no cover)."""
    need = known & (np.bincount(school[unknown], minlength=len(known)) == 1)
    picked, stuck = smallest_open(need, school, open_, order)
    stuck_mask = np.zeros(len(known), bool)
    stuck_mask[stuck] = True
    return picked, np.flatnonzero(unknown & stuck_mask[school])


def one_school(
    unknown: np.ndarray,
    col: np.ndarray,
    col_known: np.ndarray,
    school: np.ndarray,
    school_hidden: np.ndarray,
) -> np.ndarray:
    """Per area (`col` per cell, `col_known` per area): the school whose giving (or
    receiving: `school` is the giver, or the receiver, per cell) holds every unknown cell of
    the area, where the area's total is known and that school's ledger total hidden; -1
    for none. The area then needs an unknown cell outside that school's, or its total
    hidden."""
    n_cols = len(col_known)
    lo = np.full(n_cols, np.iinfo(np.int64).max)
    hi = np.full(n_cols, -1)
    np.minimum.at(lo, col[unknown], school[unknown])
    np.maximum.at(hi, col[unknown], school[unknown])
    one = col_known & (hi >= 0) & (lo == hi)
    one &= school_hidden[np.maximum(hi, 0)]
    return np.where(one, hi, -1)


def flow_hidden(
    schools: pd.DataFrame,
    pairs: pd.DataFrame,
    cells: pd.DataFrame,
    viewer: Viewer,
    covers: Covers | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, set[str], set[str]]:
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
    among the areas), never the cell shown. The schools' totals weigh in too (the module's
    docstring): a school's total the viewer knows holds no hidden cell alone, or that cell
    is known to them (shown, where its two schools' cell is); an area's unknown cells do not
    all lie in the giving (receiving) of one school whose total is hidden, or the area's
    total is hidden.

    `schools`: school_id, people, hidden (people the viewer cannot see); `pairs`: school_a,
    school_b, people, hidden; `cells` (one per directed cell and area present): giver,
    receiver, area, people, unseen (both counted over the pair in that area; a school with
    itself, for its work within itself in that area, which no matrix shows).

    `covers` (for a viewer who lists pairings: `flow_covers.read`): each listed pairing's
    unnamed side keeps a cover here as in the ledger (its rule 5) — the rows and
    relationships the ledger's rule hides with them are hidden too, with every area cell of
    such a relationship (PLACED_BY_THE_FLOWS). On top of the rest, not inside it: a cover
    rests on no one unseen, so its cells give no cover and need none (as any cell resting
    only on people the viewer sees), and the areas' totals are decided as before — hiding
    more than a decided pattern never makes a figure of it recoverable."""
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
    # Cover is picked smallest first, ties by the schools' codes and the area's name: never
    # by the rows' order, which a store's reads need not keep — a cover that moved between
    # two reads of the same figures would show each of two cells once, and give away the
    # cell they covered.
    s_rank = np.empty(len(ids), np.int64)
    codes = schools["by_id"].to_numpy() if "by_id" in schools else ids.to_numpy()  # as numbers
    s_rank[np.argsort(codes, kind="stable")] = np.arange(len(ids))
    a_rank = pd.factorize(cells["area"].to_numpy(object), sort=True)[0].astype(np.int64)
    lo, hi = np.minimum(s_rank[g], s_rank[r]), np.maximum(s_rank[g], s_rank[r])
    tie = (lo * n + hi) * (int(a_rank.max(initial=0)) + 1) + a_rank
    order = np.lexsort((tie, cells["people"].to_numpy(np.int64)))
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
    # Hidden cells the viewer works out from a school's total they know (`single`).
    no_cover = np.zeros(len(cells), bool)
    school_known = ~hid_s
    while True:
        hidden_both = np.zeros(len(pinned), bool)
        hidden_both[both[margin_hidden | small]] = True
        hidden_both &= ~pinned | np.isin(np.arange(len(pinned)), both[margin_hidden])
        while True:
            h = hidden_both[both]
            open_ = ~h & (unseen > 0) & ~pinned[both]
            # A hidden cell resting only on people the viewer sees is known to them: it needs
            # no cover and gives none.
            guarded_ = h & (unseen > 0) & ~no_cover
            need_row = row_known & (np.bincount(line_row[guarded_], minlength=n_rows) == 1)
            need_col = col_known & (np.bincount(line_col[guarded_], minlength=n_cols) == 1)
            picked_r, stuck = smallest_open(need_row, line_row, open_, order)
            picked_c, stuck_c = smallest_open(need_col, line_col, open_, order)
            # A school's total the viewer knows, and an area's unknown cells all in one
            # school's giving (receiving) whose total is hidden (`one_school`).
            picked_g, alone_g = single(guarded_, g, school_known, open_, order)
            picked_v, alone_v = single(guarded_, r, school_known, open_, order)
            one = [
                (side, one_school(guarded_, line_col, col_known, side, hid_s)) for side in (g, r)
            ]
            picked_o = [
                smallest_open(at >= 0, line_col, open_ & (side != at[line_col]), order)
                for side, at in one
            ]
            stuck_o = np.concatenate([s for _, s in picked_o])
            before = hidden_both.sum()
            picked = [picked_r, picked_c, picked_g, picked_v, *(p for p, _ in picked_o)]
            hidden_both[both[np.concatenate(picked)]] = True
            if hidden_both.sum() == before:
                alone = np.concatenate([alone_g, alone_v])
                if not len(alone) or no_cover[alone].all():
                    break
                no_cover[alone] = True
        # A cell the viewer works out from a school's total, its two schools' cell shown in
        # the matrix: the same figure judged once, shown (as a row's below).
        show = no_cover & hidden_both[both] & ~margin_hidden
        if show.any() and not pinned[both[show]].all():
            pinned[both[show]] = True
            continue
        # A row of the matrix (its total shown there) with one hidden cell and nothing beside
        # it left to hide: that cell is the row's total less figures shown or known, the same
        # figure judged once (the relationship's people, as the matrix and the ledger judge
        # it) — shown, and the rest worked again. An area in that state hides its total.
        # Rows first: a cell shown there may leave its area nothing to protect.
        stuck_cells = np.isin(line_row, stuck) & hidden_both[both] & ~margin_hidden
        if stuck_cells.any() and not pinned[both[stuck_cells]].all():
            pinned[both[stuck_cells]] = True
            continue
        if len(stuck_c) or len(stuck_o):
            col_known[np.concatenate([stuck_c, stuck_o])] = False
            continue
        # An area's total less its matrix's cells is its work within schools, which no matrix
        # shows: with no cell of the area unknown to the viewer, that difference is exact, so
        # where the work within rests on 1 to threshold-1 people the viewer cannot see (a
        # school's people are its own: summed over the schools) the total is hidden instead.
        # Found: WITHIN_B_BESIDE_THE_FLOWS (tests/test_headline_school_cases.py).
        exposed = _within_exposed(line_col, n_cols, diag, raw_unseen, guarded_) & col_known
        if exposed.any():
            col_known[exposed] = False
            continue
        areas = pd.factorize(cells["area"].to_numpy(object))[1]
        # Areas whose every part the viewer sees or knows: no hidden cell resting on someone
        # unseen, no work within a school resting on someone unseen.
        open_parts = (hidden_both[both] & (unseen > 0)) | (diag & (raw_unseen > 0))
        derivable = np.bincount(line_col[open_parts], minlength=n_cols)[: len(areas)] == 0
        hid_c = hidden_both[both]
        if covers is not None:  # the ledger's covers (rule 5), on top of the rest
            cov_s, cov_p = ledger_suppression.shown(schools, pairs, viewer, covers=covers)
            hid_s, hid_p = hid_s | ~cov_s.to_numpy(bool), hid_p | ~cov_p.to_numpy(bool)
            if len(hid_p):
                hid_c = hid_c | np.where(diag, hid_s[cell_school], hid_p[np.maximum(cell_pair, 0)])
        return (
            hid_s,
            hid_p,
            hid_c,
            set(areas[~col_known[: len(areas)]]),
            set(areas[derivable]),
        )


def _within_exposed(
    col: np.ndarray, n_cols: int, diag: np.ndarray, unseen: np.ndarray, unknown: np.ndarray
) -> np.ndarray:
    """Per area (`col` per cell): its work within schools (the `diag` cells: a school with
    itself) rests on 1 to threshold-1 people the viewer cannot see (`unseen` per cell, a
    school's people its own) while no cell between schools there is `unknown` to the viewer
    (hidden, resting on someone unseen) — the area's total less its matrix's cells would
    then be that work, exactly."""
    within = np.bincount(col[diag], weights=unseen[diag], minlength=n_cols).astype(np.int64)
    cover = np.bincount(col[unknown & ~diag], minlength=n_cols) > 0
    return primary(within) & ~cover
