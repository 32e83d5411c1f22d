"""Cover in the outcomes' table: rule 3 of `hiding.grid_hidden` (along the outcomes), the
helpers its rule 2 picks cells with, and which of a view's figures the cells hidden fall
in (`falls_in`, for `outcomes._view`).

Why: the outcomes' cells (outcome x row x area) add up over the outcomes to totals the same
role is shown or knows — the alliance's pairings (the whole table) and an area's pairings
active (the headline). Where every hidden cell of such a line is of one outcome, that
outcome's total over the line is the line's total less the other outcomes' totals, each
shown (found: the alliance's only stopped pairing, its school's row hidden, was the
alliance's pairings less the open, transferred and judged totals). So a second outcome is
hidden along the line: best the cell beside the hidden one (same row and area) — a cell
with people the viewer cannot see, or, where the views draw every outcome of a group with
a hidden figure as hidden (`outcome_rows.every_outcome`, the `empty` cover), an outcome with
no pairings there, which the viewer cannot tell is empty once its totals are hidden —
else the best cell of another outcome along the line."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from brokering.settings import SUPPRESSION_THRESHOLD

#: Every outcome a group's bar can have, in the order the views list them.
OUTCOMES = ("not transferred", "open", "stopped", "transferred")
#: Outcomes whose totals by area and over the alliance the headline gives (evidenced
#: transfers; pairings judged less them): hidden as cover along the outcomes, they would
#: cover nothing (`hiding.grid_hidden`, rule 3).
HEADLINE_OUTCOMES = ("transferred", "not transferred")

#: An empty cell hidden as cover: (outcome, row, area) codes.
Empty = tuple[int, int, int]


def outcome_cover(
    o: np.ndarray,
    r: np.ndarray,
    k: np.ndarray,
    h: np.ndarray,
    unseen: np.ndarray,
    rank: np.ndarray,
    pairings: np.ndarray,
    empty: list[Empty],
    pinned: np.ndarray | None = None,
    spare: bool = False,
    known: np.ndarray | None = None,
) -> tuple[np.ndarray, bool]:
    """One pass of rule 3 over the cells (codes `o`, `r`, `k`; `h` hidden so far; `unseen`:
    people behind each the viewer cannot see; `rank`: lower is hidden first): the cells to
    hide, and whether an empty cell was added to `empty`. `pinned`, per outcome code: its
    totals by area and over the whole are shown elsewhere, so it is the last choice of empty
    cover. `spare`: the views draw an outcome not pinned that has no pairings in the table,
    hidden in every group with a hidden figure — an empty cover on every line already.
    `known`: cells whose every pairing the viewer knows (a head, each with someone from
    their school): no cover for them, as hiding more would protect nothing.

    The areas' lines first, then the whole table's, which an area's cover meets. A line
    needs cover only where its hidden cells are one cell of one outcome: with two or more,
    rule 2 lets them move against each other with that outcome's total over the line known
    — or where one is alone among the outcomes not `pinned` (found: B's one open pairing,
    beside hidden cells of its not transferred only, was the alliance's pairings less the
    pairings judged, the headline's, and the stopped); its cover is then best not pinned.
    An area whose cells rest on fewer than the threshold of unseen people in all has its
    pairings active hidden in the headline (`primary`): its total is not shown."""
    add = np.zeros(len(h), bool)
    grew = False
    if spare or o.min() == o.max():
        return add, grew
    # Per area, in bulk (a national table has 80,000 cells): its hidden cells, the outcomes
    # it has, the unseen people behind it; the lines short of cover are then few.
    nk = int(k.max()) + 1
    no = int(o.max()) + 1
    # Hidden cells of an outcome whose totals the headline does not give: beside cells of
    # pinned outcomes only, one such is still alone (their totals are known, so the line's
    # total less them and the shown outcomes' is its outcome's).
    pin = np.zeros(no, bool)
    if pinned is not None:
        pin[: min(no, len(pinned))] = pinned[:no]
    loose = h & ~pin[o]
    hid = np.bincount(k[h], minlength=nk)
    hid_loose = np.bincount(k[loose], minlength=nk)
    if not ((hid == 1) | (hid_loose == 1)).any() and h.sum() != 1 and loose.sum() != 1:
        return add, grew
    open_ = (unseen > 0) & (pairings > 0)
    kinds = (np.bincount(k * no + o, minlength=nk * no).reshape(nk, no) > 0).sum(axis=1)
    held = np.bincount([e[2] for e in empty], minlength=nk) > 0 if empty else np.zeros(nk, bool)
    short = ((hid == 1) | (hid_loose == 1)) & (kinds >= 2) & ~held
    short &= np.bincount(k, weights=unseen, minlength=nk) >= SUPPRESSION_THRESHOLD
    lines: list[int | None] = np.flatnonzero(short).tolist()
    if (h.sum() == 1 or loose.sum() == 1) and not empty:
        lines.append(None)
    for area in lines:
        line = np.ones(len(h), bool) if area is None else k == area
        mine = np.flatnonzero((h | add) & line)
        if len(mine) != 1:  # alone among the outcomes the headline does not give?
            mine = np.flatnonzero((h | add) & line & ~pin[o])
        if len(mine) != 1 or any(area is None or e[2] == area for e in empty):
            continue  # covered by an earlier line's cover this pass
        first = mine[0]
        if known is not None and known[first]:
            continue
        lone = o[first]
        beside = (r == r[first]) & (k == k[first])
        cand = ~h & ~add & open_ & line & (o != lone)
        if (cand & beside & ~pin[o]).any():  # a pinned outcome's cell covers nothing
            add[_lowest(cand & beside & ~pin[o], rank)] = True
            continue
        if (cand & beside).any():
            add[_lowest(cand & beside, rank)] = True
            continue
        pick = _empty_outcome(o, r, k, pairings, open_, first, lone, pinned)
        if pick is not None:
            empty.append((pick, int(r[first]), int(k[first])))
            grew = True
        elif cand.any():  # the best other outcome's cell along the line, in the same row first
            add[_lowest(cand, np.where(r == r[first], rank, rank + len(h)))] = True
    return add, grew


def _lowest(want: np.ndarray, rank: np.ndarray) -> int:
    """The `want` cell of lowest `rank`."""
    at = np.flatnonzero(want)
    return int(at[np.argmin(rank[at])])


def _empty_outcome(
    o: np.ndarray,
    r: np.ndarray,
    k: np.ndarray,
    pairings: np.ndarray,
    open_: np.ndarray,
    first: int,
    lone: int,
    pinned: np.ndarray | None,
) -> int | None:
    """The outcome with no pairings beside the hidden cell `first` (its row and area) to hide
    there as cover; None when every outcome has pairings there. Best one not `pinned`
    (hiding its totals covers nothing); then one whose totals the cover hides (its area's,
    its row's) are not shown (no pairings: drawn hidden already) or rest on someone the
    viewer cannot see — hiding a figure they could count from their own lists hides only
    that nothing else is in it, needed where nothing else can cover (the alliance's only
    stopped pairing); then the fewest such totals; then the most pairings in the area
    (typically the open ones, which the headline does not give by area), then in the table."""
    row, area = r == r[first], k == k[first]
    taken = set(np.unique(o[row & area]).tolist()) | {lone}
    n = int(o.max()) + 1
    weight = np.bincount(o, weights=pairings * (1 + (pairings.sum() + 1) * area), minlength=n)

    def counted(at: np.ndarray) -> np.ndarray:  # per outcome: shown and resting on seen only
        some = np.bincount(o[at], minlength=n) > 0
        return some & ~(np.bincount(o[at & open_], minlength=n) > 0)

    free = counted(area) | counted(row)
    fixed = np.zeros(n, bool)
    if pinned is not None:
        fixed[: min(n, len(pinned))] = pinned[:n]
    cost = (np.bincount(o[area], minlength=n) > 0).astype(int) + (
        np.bincount(o[row], minlength=n) > 0
    )
    order = sorted(range(n), key=lambda x: (bool(fixed[x]), bool(free[x]), cost[x], -weight[x], x))
    return next((x for x in order if x not in taken and weight[x] > 0), None)


def count_in(group: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Per cell: how many hidden cells its `group` has."""
    return np.bincount(group[h], minlength=group.max() + 1)[group]


def ranks(*keys: np.ndarray) -> np.ndarray:
    """Each cell's place in the order of `keys` (the first first; ties in the cells' order),
    as `np.lexsort(keys[::-1])` puts them — by one sort of the keys as one whole number where
    they fit (half the time of a national table's five sorts)."""
    n = len(keys[0])
    widths = [int(x.max()) + 1 if n else 1 for x in keys]
    if n and min(int(x.min()) for x in keys) >= 0 and math.prod(widths) < 2**62:
        key = keys[0].astype(np.int64)
        for x, w in zip(keys[1:], widths[1:], strict=True):
            key = key * w + x
        order = np.argsort(key, kind="stable")
    else:
        order = np.lexsort(keys[::-1])
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n)
    return rank


def spans(o: np.ndarray, key: np.ndarray, n: int) -> np.ndarray:
    """Per outcome code (up to `o`'s largest), how many of the `n` rows (or areas) `key`
    its cells are in."""
    if not len(o):
        return np.zeros(0, np.int64)
    seen = np.zeros((int(o.max()) + 1) * n, bool)
    seen[o.astype(np.int64) * n + key] = True
    return seen.reshape(-1, n).sum(axis=1)


def best_in(group: np.ndarray, cand: np.ndarray, rank: np.ndarray, short: np.ndarray) -> np.ndarray:
    """Per group that is `short` (a flag per cell), its `cand` cell of lowest `rank`."""
    pick = np.flatnonzero(cand & short)
    out = np.zeros(len(cand), bool)
    if len(pick):
        order = pick[np.lexsort((rank[pick], group[pick]))]
        out[order[np.r_[True, group[order][1:] != group[order][:-1]]]] = True
    return out


def falls_in(
    o: np.ndarray,
    r: np.ndarray,
    k: np.ndarray,
    more: np.ndarray,
    view: pd.DataFrame,
    level: int,
    across: bool,
    unshown: np.ndarray | None = None,
) -> np.ndarray:
    """Which of `view`'s figures (outcome, row and area as numbers: onum, rn, kn) the cells
    hidden further (`more`) fall in: one area's cells themselves (rn and kn both given), or
    the totals over the row (area) they are in. In a table of one row (area) that total is
    its outcome's over the whole table, hidden only `across`: then the other outcomes'
    totals and their sum (a school's pairings) are shown, and it is not (the headline hides
    what rests on few people; the outcomes by area hide an area's with a hidden cell), so
    shown it gave a hidden cell away; otherwise it is the grand total and protects nothing
    — unless its outcome is `unshown` (by number: its total shown nowhere else,
    `chart_hiding.totals_unshown`)."""
    vo = view["onum"].to_numpy(np.int64)
    if view["rn"].notna().all() and view["kn"].notna().all():  # one area's cells
        width = (r.max() + 1) * (k.max() + 1)
        hit = o[more] * width + r[more] * (k.max() + 1) + k[more]
        got = vo * width + view["rn"].to_numpy(np.int64) * (k.max() + 1)
        return np.isin(got + view["kn"].to_numpy(np.int64), hit)
    key, vc = (r, view["rn"]) if level == 1 else (k, view["kn"])
    many = np.ones(o.max() + 1, bool)
    if not across:
        for out in np.unique(o[more]):
            many[out] = len(np.unique(key[o == out])) > 1 or (
                unshown is not None and out < len(unshown) and bool(unshown[out])
            )
    pick = more & many[o]
    width = key.max() + 1
    return np.isin(vo * width + vc.to_numpy(np.int64), o[pick] * width + key[pick])
