"""The Transfer page's figures per group, summed in numpy from `transfer_figures`' grouped
read: each grouping set (by area, by touch, both or neither; and again over the rest)
taken from a few dozen finest groups, not as a hash aggregate over every pairing.

Why: at national scale the one statement behind the School filter's headline spent most of
its time in a dozen grouping-set aggregates (with medians) over 100,000 pairings, each
reading the materialised pairings again. Grouped once by kind in SQL (the pairings with the
same flags; the transferred pairings by their days; the people by their flags), the kinds
are summed here into the finest groups (area, touch, rest) once, and each grouping set is
a sum of those. Each figure is as the SQL had it: a count is None or 0 where no row of the
group has the period's bit (read alike, as 0); the hours None where none concluded; a
median `quantile_cont`'s (the lower middle value plus the gap times the fraction, found in
the days' counts); a group is there only where a pairing of it counts, but for the set
keeping nothing (SQL's `()`), which has its row over no pairings too."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: The pairings' counts per period, in the order of `rows_of`'s matrix of them.
PAIR_FLAGS = ("active", "transferred", "judged", "overdue", "concluded")
#: A group's touch as coded: False, True, or NULL (left out of the set).
_TOUCH = (False, True, None)


def rows_of(
    cols: dict[str, np.ndarray],
    n_periods: int,
    sets: Sequence[tuple[str, ...]],
    rest: bool,
    packed: dict[str, tuple[int, int]],
    few_touch: bool = False,
) -> list[dict]:
    """The figures' rows (as `transfer_figures._rows` returns them) from the grouped read
    `cols` (column -> values; `part` 0: pairings by kind, 1: transferred pairings by their
    days, 2: people by their flags, grouped by set in SQL already; 4, with `few_touch`: the
    people in a pairing with touch alone, by every set, `transfer_figures._who_sql`): one
    per group of each of `sets` (the key columns each keeps, of "area" and "touch"), and
    with `rest` the same over the rest alone (rest True). Hours are summed per finest group
    and then per set, in a fixed order: the same as the SQL's sum wherever the hours add
    exactly (whole or half hours), as the SQL's own order was never fixed either."""
    ks = np.arange(n_periods, dtype=np.int64)
    part = np.asarray(cols["part"])
    area, areas = _area_codes(cols["area"])
    touch = np.asarray(np.ma.filled(cols["touch"].astype(np.int64), 2), dtype=np.int64)
    is_rest = np.asarray(np.ma.filled(cols["rest"], False), dtype=bool)
    code = (area * 3 + touch) * 2 + is_rest
    n = _ints(cols["n"])

    # The pairings by kind, summed into the finest groups (area, touch, rest).
    at = part == 0
    fine, inv = np.unique(code[at], return_inverse=True)
    a, b, c, d = (_ints(cols[name])[at] for name in ("a", "b", "c", "d"))
    flags = (a, np.where(c & 1, b, 0), np.where(c & 2, b, 0), d, b)
    counts = _sums(inv, len(fine), np.hstack([_bits(v, ks) * n[at, None] for v in flags]))
    hours = np.asarray(np.ma.filled(cols["hours"], 0.0), dtype=np.float64)[at]
    spent = _sums(inv, len(fine), _bits(b, ks) * hours[:, None])
    seen = np.zeros(len(fine), dtype=np.int64)
    np.bitwise_or.at(seen, inv, a | b | d)
    # The transferred pairings' days: per finest group and period, how many on each day.
    at = (part == 1) & ~np.ma.getmaskarray(cols["days"])
    day_values, day = np.unique(_ints(cols["days"])[at], return_inverse=True)
    rows, k = np.nonzero(_bits(_ints(cols["a"])[at], ks))
    cells = (np.searchsorted(fine, code[at])[rows] * n_periods + k) * len(day_values) + day[rows]
    days = np.bincount(cells, n[at][rows], len(fine) * n_periods * len(day_values))
    days = days.reshape(len(fine), n_periods * len(day_values))

    out: dict[int, dict] = {}
    fine_area, fine_touch, fine_rest = fine // 6, fine // 2 % 3, (fine % 2).astype(bool)
    for kept, only_rest in [(s, False) for s in sets] + ([(s, True) for s in sets] if rest else []):
        take = fine_rest if only_rest else np.ones(len(fine), dtype=bool)
        fa = fine_area[take] if "area" in kept else np.full(int(take.sum()), len(areas) - 1)
        ft = fine_touch[take] if "touch" in kept else np.full(int(take.sum()), 2)
        keys = (fa * 3 + ft) * 2 + only_rest
        if not kept:  # SQL's () set has its row over no pairings too (all NULL: read as 0)
            keys = np.append(keys, (len(areas) - 1) * 6 + 4 + only_rest)
        groups, ginv = np.unique(keys, return_inverse=True)
        ginv = ginv[: int(take.sum())]
        g_counts = _sums(ginv, len(groups), counts[take]).tolist()
        g_spent = _sums(ginv, len(groups), spent[take]).tolist()
        g_seen = np.zeros(len(groups), dtype=np.int64)
        np.bitwise_or.at(g_seen, ginv, seen[take])
        g_days = np.zeros((len(groups), days.shape[1]))
        for g, finest in zip(ginv.tolist(), days[take], strict=True):
            g_days[g] += finest  # a few dozen finest groups: quicker than by the days' rows
        g_medians = _medians(g_days.reshape(len(groups), n_periods, len(day_values)), day_values)
        for i, key in enumerate(groups.tolist()):
            row = out.setdefault(key, _row(key, areas))
            per = g_counts[i]
            for j, flag in enumerate(PAIR_FLAGS[:-1]):
                for k in ks.tolist():
                    row[f"{flag}_{k}"] = per[j * n_periods + k]
            ran = per[(len(PAIR_FLAGS) - 1) * n_periods :]
            for k, (r, s, m) in enumerate(zip(ran, g_spent[i], g_medians[i], strict=True)):
                row[f"hours_{k}"] = s if r else None
                row[f"median_days_{k}"] = m
            row["seen"] = int(g_seen[i])

    # The people, grouped by set in SQL (their bits or'ed per person): counted per group.
    # With `few_touch`, the sets by touch were grouped over the people with touch alone
    # (part 4): a group with touch FALSE is then the group without touch (part 2), less
    # those people's (part 4 without touch), plus theirs with touch FALSE (part 4).
    people: dict[int, np.ndarray] = {}

    def add(key: int, per: np.ndarray) -> None:
        people[key] = people[key] + per if key in people else per

    for p in (2, 4):
        at = part == p
        groups, inv = np.unique(code[at], return_inverse=True)
        words = [_ints(cols[f"w{i}"])[at] for i in range(1 + max(i for i, _ in packed.values()))]
        counted = _sums(
            inv,
            len(groups),
            np.hstack([_bits(words[i], ks + shift) * n[at, None] for i, shift in packed.values()]),
        )
        for key, per in zip(groups.tolist(), counted, strict=True):
            untouched = key // 2 % 3 == 2
            false = key - 4 if untouched else key  # the same group with touch FALSE
            if p == 2:
                add(key, per)
                if few_touch and untouched:
                    add(false, per)
            elif untouched:
                add(false, -per)
            else:
                add(key, per)
    names = [f"{flag}_people_{k}" for flag in packed for k in range(n_periods)]
    for key, per in people.items():
        if key in out:
            out[key].update(zip(names, per.tolist(), strict=True))
    return list(out.values())


def _area_codes(col: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    """Each row's area as a number, and the areas in order (the last None: NULL, or left
    out of a grouping set)."""
    missing = np.ma.getmaskarray(col)
    codes, uniques = pd.factorize(np.where(missing, "", np.ma.getdata(col).astype(object)))
    areas: list[str | None] = [str(u) for u in uniques]
    return np.where(missing, len(areas), codes).astype(np.int64), [*areas, None]


def _row(key: int, areas: list[str | None]) -> dict:
    """A group's row, keyed as the SQL's: (area, touch, rest) with NULL as None."""
    at, rest = divmod(key, 2)
    area, touch = divmod(at, 3)
    return {"area": areas[area], "touch": _TOUCH[touch], "rest": True if rest else None}


def _bits(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Each row's bits `at` (rows x bits: 1 or 0)."""
    return (values[:, None] >> at) & 1


def _sums(inv: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """Per group (`inv`: each row's), the rows' values summed along the first axis, in
    their order (sorted by group, then summed by runs: `np.add.at` was several times
    slower over rows of many columns)."""
    out = np.zeros((n_groups, *values.shape[1:]), dtype=values.dtype)
    if len(inv):
        order = np.argsort(inv, kind="stable")
        ran = inv[order]
        starts = np.flatnonzero(np.r_[True, ran[1:] != ran[:-1]])
        out[ran[starts]] = np.add.reduceat(values[order], starts, axis=0)
    return out


def _medians(days: np.ndarray, values: np.ndarray) -> list[list[float | None]]:
    """Per group and period, `quantile_cont(days, 0.5)` from how many pairings there are on
    each day (`days`: group x period x day; `values`: the days): None where none."""
    ends = np.cumsum(days, axis=2)
    totals = ends[:, :, -1] if len(values) else np.zeros(days.shape[:2])
    rn = (totals - 1) * 0.5
    lo_at, hi_at = np.floor(rn), np.ceil(rn)
    if len(values):
        lo = values[np.argmax(ends > lo_at[:, :, None], axis=2)].astype(np.float64)
        hi = values[np.argmax(ends > hi_at[:, :, None], axis=2)].astype(np.float64)
        medians = lo + (hi - lo) * (rn - lo_at)
    else:
        medians = np.zeros(totals.shape)
    return [
        [float(m) if t else None for m, t in zip(row, tot, strict=True)]
        for row, tot in zip(medians.tolist(), totals.tolist(), strict=True)
    ]


def _ints(col: np.ndarray) -> np.ndarray:
    """A count or bit column as integers, NULL as 0."""
    return np.asarray(np.ma.filled(col, 0), dtype=np.int64)
