"""The outcomes' views read as arrays (`outcomes._view`), and every outcome of a group with a
hidden figure laid out on them (`every_outcome`, for `outcomes.outcomes_by`).

Why arrays: a national view by school hands back 130,000 rows — its own figures and the
cells behind them, the cells numbers only. Read into one DataFrame, every string column of
every row became one of pandas' Arrow strings, and the frame was then sliced three ways
(cells, outcomes' names, areas' names): a third of the view's time. Read as arrays
(`db.query_arrays`), the cells stay numbers and only the view's own rows become a frame
(`frame_of`), typed as `db.query_df` types a read, so every caller gets the frame it got."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brokering.dashboard.outcome_cover import OUTCOMES

#: A read's columns by name: a masked array where the read can hold NULL (as DuckDB hands
#: them over), a plain one where it cannot.
Rows = dict[str, np.ndarray]


def numbers(rows: Rows, name: str, keep: np.ndarray, dtype: type = np.int64) -> np.ndarray:
    """Column `name` of the rows `keep` as a plain array of `dtype` (for columns with no NULL
    in those rows: a masked place would read as whatever the array holds there)."""
    return np.asarray(np.ma.getdata(rows[name])[keep], dtype=dtype)


def frame_of(rows: Rows, keep: np.ndarray, strings: bool = True) -> pd.DataFrame:
    """The rows `keep` of a read as `db.query_df(...)[keep].reset_index(drop=True)` has them:
    integer and boolean columns that can hold NULL nullable (Int64, boolean), a number with
    NULL a float with NaN, and a text column of pandas' string type wherever the whole read
    has text in it (where the rows kept have none too; a column NULL throughout stays
    object). `strings=False`: text columns stay object (Python strings and None), for a
    caller that only hands them on as arrays."""
    cols: dict[str, object] = {}
    for name, col in rows.items():
        data = np.ma.getdata(col)[keep]
        full = np.ma.getmaskarray(col)
        mask = full[keep]
        kind = col.dtype.kind
        if kind == "O":
            data[mask] = None
            if not strings:
                cols[name] = pd.Series(data, dtype=object)
            elif mask.all() and not full.all():  # text elsewhere in the read: typed as text
                cols[name] = pd.Series(data, dtype="str")
            else:
                cols[name] = data
        elif not isinstance(col, np.ma.MaskedArray):
            cols[name] = data
        elif kind in "iu":
            cols[name] = pd.arrays.IntegerArray(data, mask)
        elif kind == "b":
            cols[name] = pd.arrays.BooleanArray(data, mask)
        else:
            cols[name] = np.where(mask, np.nan, data)
    return pd.DataFrame(cols, columns=list(rows))


def every_outcome(
    group: np.ndarray, outcome: np.ndarray, pairings: pd.arrays.IntegerArray
) -> tuple[np.ndarray, np.ndarray, pd.arrays.IntegerArray]:
    """Each group with a hidden figure (NA in `pairings`) gets a row for every outcome
    (`OUTCOMES`: alphabetical, as the views sort), those with no pairings hidden too; the rows
    in the groups' order of first appearance, each group's by outcome. Why: a list of the
    outcomes present tells which are none, and beside a total shown elsewhere (the group's
    pairings in the flows and the ledger, an area's pairings active and evidenced transfers
    in the headline) a hidden figure whose group has no other unknown outcome is that total
    less the ones shown. (A group with nothing hidden shows all it has: the outcomes it
    leaves out are none, as its figures say.) As whole numbers: a national view has 20,000
    schools."""
    hidden = np.asarray(pairings.isna())
    if not hidden.any():
        return group, outcome, pairings
    codes, uniques = _groups(group)
    names = OUTCOMES
    code = {name: j for j, name in enumerate(names)}
    outs, at = pd.factorize(outcome)
    if (outs < 0).any() or any(o not in code for o in at):  # would pass for another's
        raise ValueError(f"unknown outcomes: {sorted(set(map(str, at)) - set(code))}")
    n = len(names)
    have = codes.astype(np.int64) * n + np.array([code[o] for o in at], np.int64)[outs]
    if (codes < 0).any():  # a group with no name (not drawn by the views)
        partly = np.unique(codes[hidden]).astype(np.int64)
    else:  # (as np.unique, in bulk)
        partly = np.zeros(len(uniques), bool)
        partly[codes[hidden]] = True
        partly = np.flatnonzero(partly)
    wanted = (partly[:, None] * n + np.arange(n)).ravel()
    missing = wanted[~np.isin(wanted, have)]
    if not len(missing):
        return group, outcome, pairings
    order = np.argsort(np.concatenate([have, missing]), kind="stable")
    group = np.concatenate([group, np.asarray(uniques, dtype=object)[missing // n]])[order]
    outcome = np.concatenate([outcome, np.array(names, dtype=object)[missing % n]])[order]
    value = np.concatenate(
        [pairings.to_numpy(np.int64, na_value=0), np.zeros(len(missing), np.int64)]
    )
    mask = np.concatenate([hidden, np.ones(len(missing), bool)])
    return group, outcome, pd.arrays.IntegerArray(value[order], mask[order])


def every_outcome_frame(out: pd.DataFrame) -> pd.DataFrame:
    """`every_outcome` on a frame of an outcomes view (group, outcome, pairings: Int64, NA
    where hidden), for the pandas mirrors (benchmarks/baselines/) to draw hidden as the
    product does."""
    if not out["pairings"].isna().any():
        return out
    group, outcome, pairings = every_outcome(
        out["group"].to_numpy(object),
        out["outcome"].to_numpy(object),
        out["pairings"].astype("Int64").array,
    )
    if len(group) == len(out):
        return out
    return pd.DataFrame(
        {"group": group, "outcome": outcome, "pairings": pairings},
        columns=["group", "outcome", "pairings"],
    )


def _groups(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`pd.factorize(group)`'s codes and uniques (by first appearance) —
    from where the name changes, where each group's rows are together (a view by school is
    ordered by label: a third of the time of hashing 50,000 names)."""
    if len(group) < 2:
        return pd.factorize(group)
    starts = np.r_[True, group[1:] != group[:-1]]
    uniques = group[starts]
    if pd.isna(uniques).any() or len(set(uniques)) != len(uniques):
        return pd.factorize(group)
    return np.cumsum(starts) - 1, uniques
