"""The Transfer page's figures per group, summed in numpy from `transfer_figures`' grouped
read: each grouping set (by area, by touch, both or neither; and again over the rest) taken
over a few thousand rows of kinds, not as a hash aggregate over every pairing.

Why: at national scale the one statement behind the School filter's headline spent most of
its time in a dozen grouping-set aggregates (with medians) over 100,000 pairings, each
reading the materialised pairings again; grouped once by kind in SQL (the pairings with the
same flags; the transferred pairings by their days; the people by their flags) the sets
are a few thousand rows, and summing them here gives the same figures. Each figure is as
the SQL had it: a count is None or 0 where no row of the group has the period's bit (read
alike as 0), the hours None where none concluded, a median `quantile_cont`'s (the lower
middle value plus the gap times the fraction, from the days' counts), and a group is there
only where a pairing of it counts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: The pairings' figures counted per period (the flag each counts, bit k for period k).
PAIR_FLAGS = ("active", "transferred", "judged", "overdue")
#: A group's touch as coded (`_Codes.touch`): False, True, or left out (NULL).
_TOUCH = (False, True, None)


class _Codes:
    """The key columns as small integers: area (its own code for NULL or left out), touch
    (0 False, 1 True, 2 NULL or left out) and rest (True or not)."""

    def __init__(self, cols: dict[str, np.ndarray]) -> None:
        area = np.ma.getdata(cols["area"]).astype(object)
        missing = np.ma.getmaskarray(cols["area"])
        codes, uniques = pd.factorize(np.where(missing, "", area))
        self.areas: list[str | None] = [str(u) for u in uniques] + [None]
        self.none = len(uniques)
        self.area = np.where(missing, self.none, codes).astype(np.int64)
        touch = np.ma.filled(cols["touch"].astype(np.int64), 2)
        self.touch = np.asarray(touch, dtype=np.int64)
        self.rest = np.asarray(np.ma.filled(cols["rest"], False), dtype=bool)

    def keys(self, at: np.ndarray, kept: tuple[str, ...], is_rest: bool | np.ndarray) -> np.ndarray:
        """The rows `at`'s group codes under a grouping set keeping `kept`, the rest's
        (`is_rest`: for all of them, or each's)."""
        a = self.area[at] if "area" in kept else np.full(int(at.sum()), self.none)
        t = self.touch[at] if "touch" in kept else np.full(int(at.sum()), 2)
        return (a * 3 + t) * 2 + np.asarray(is_rest, dtype=np.int64)

    def decode(self, key: int) -> tuple[str | None, bool | None, bool | None]:
        """A group code as the (area, touch, rest) of its result row."""
        at, rest = divmod(int(key), 2)
        area, touch = divmod(at, 3)
        return self.areas[area], _TOUCH[touch], (True if rest else None)


def rows_of(
    cols: dict[str, np.ndarray],
    n_periods: int,
    sets: Sequence[tuple[str, ...]],
    rest: bool,
    packed: dict[str, tuple[int, int]],
) -> list[dict]:
    """The figures' rows (as `transfer_figures._rows` returns them) from the grouped read
    `cols` (column -> values; `part` 0: pairings by kind, 1: transferred pairings by their
    days, 2: people by their flags, grouped in SQL): one per group of each of `sets` (the
    key columns each keeps, of "area" and "touch"), and with `rest` the same over the rest
    alone (rest True)."""
    codes, part = _Codes(cols), np.asarray(cols["part"])
    n = _ints(cols["n"])
    ks = np.arange(n_periods, dtype=np.int64)
    copies = [(s, False) for s in sets] + ([(s, True) for s in sets] if rest else [])
    out: dict[int, dict] = {}
    a, b, c, d = (_ints(cols[name]) for name in ("a", "b", "c", "d"))
    hours = np.asarray(np.ma.filled(cols["hours"], 0.0), dtype=np.float64)
    flags = {
        "active": a,
        "transferred": np.where(c & 1, b, 0),
        "judged": np.where(c & 2, b, 0),
        "overdue": d,
    }
    days_known = ~np.ma.getmaskarray(cols["days"])
    days = np.asarray(np.ma.filled(cols["days"], 0), dtype=np.int64)
    for kept, is_rest in copies:
        at = (part == 0) & (codes.rest if is_rest else True)
        groups, inv = np.unique(codes.keys(at, kept, is_rest), return_inverse=True)
        w = n[at]
        if not kept:  # SQL's () set has its row over no rows too (all NULL: read as 0)
            groups = np.union1d(groups, codes.keys(np.ones(1, dtype=bool), (), is_rest))
            inv = np.searchsorted(groups, codes.keys(at, kept, is_rest))
        for key in groups:
            out.setdefault(
                int(key), dict(zip(("area", "touch", "rest"), codes.decode(key), strict=True))
            )
        rows = [out[int(key)] for key in groups]
        for flag in PAIR_FLAGS:
            _put(
                rows,
                flag + "_{k}",
                _sums(inv, len(groups), _bits(flags[flag][at], ks) * w[:, None]),
            )
        concluded = _bits(b[at], ks)
        ran = _sums(inv, len(groups), concluded * w[:, None])
        spent = _sums(inv, len(groups), concluded * hours[at][:, None])
        for row, r, s in zip(rows, ran, spent, strict=True):
            for k in range(n_periods):
                row[f"hours_{k}"] = float(s[k]) if r[k] else None
        seen = np.zeros(len(groups), dtype=np.int64)
        np.bitwise_or.at(seen, inv, a[at] | b[at] | d[at])
        for row, s in zip(rows, seen, strict=True):
            row["seen"] = int(s)
        # The medians: over the same groups' transferred pairings, counted by their days.
        tk = (part == 1) & days_known & (codes.rest if is_rest else True)
        tkeys = codes.keys(tk, kept, is_rest)
        for k in range(n_periods):
            on = ((a[tk] >> k) & 1) != 0
            for key, median in _medians(tkeys[on], days[tk][on], n[tk][on]):
                out[key][f"median_days_{k}"] = median
    people = part == 2
    keys = codes.keys(people, ("area", "touch"), codes.rest[people])
    groups, inv = np.unique(keys, return_inverse=True)
    w = n[people]
    for flag, (i, shift) in packed.items():
        counts = _sums(
            inv, len(groups), _bits(_ints(cols[f"w{i}"])[people], ks + shift) * w[:, None]
        )
        for key, per in zip(groups, counts, strict=True):
            row = out.get(int(key))
            if row is not None:
                for k in range(n_periods):
                    row[f"{flag}_people_{k}"] = int(per[k])
    return list(out.values())


def _bits(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Each row's bits `at` (rows x bits: 1 or 0)."""
    return (values[:, None] >> at) & 1


def _sums(inv: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """Per group (`inv`: each row's), the rows' values summed, column by column."""
    out = np.zeros((n_groups, values.shape[1]), dtype=values.dtype)
    np.add.at(out, inv, values)
    return out


def _put(rows: list[dict], name: str, sums: np.ndarray) -> None:
    """Each group's sums as its row's columns `name` per period."""
    for row, per in zip(rows, sums.tolist(), strict=True):
        for k, v in enumerate(per):
            row[name.format(k=k)] = v


def _medians(keys: np.ndarray, days: np.ndarray, counts: np.ndarray) -> list[tuple[int, float]]:
    """Per group code, `quantile_cont(days, 0.5)` over its days, each `counts` times."""
    if not len(keys):
        return []
    order = np.lexsort((days, keys))
    keys, days, counts = keys[order], days[order], counts[order]
    groups, first = np.unique(keys, return_index=True)
    ends = np.cumsum(counts)
    totals = np.add.reduceat(counts, first)
    base = np.cumsum(totals) - totals
    rn = (totals - 1) * 0.5
    lo_at, hi_at = np.floor(rn).astype(np.int64), np.ceil(rn).astype(np.int64)
    lo = days[np.searchsorted(ends, base + lo_at, side="right")].astype(np.float64)
    hi = days[np.searchsorted(ends, base + hi_at, side="right")].astype(np.float64)
    medians = lo + (hi - lo) * (rn - lo_at)
    return [(int(g), float(m)) for g, m in zip(groups, medians, strict=True)]


def _ints(col: np.ndarray) -> np.ndarray:
    """A count or bit column as integers, NULL as 0."""
    return np.asarray(np.ma.filled(col, 0), dtype=np.int64)
