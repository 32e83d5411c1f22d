"""The outcomes' views read as arrays (`outcome_rows`) give the frames `db.query_df` gave,
and the bulk helpers of `hiding.grid_hidden` (`outcome_cover.ranks`, `spans`) agree with the
numpy calls they replace. Why: the views' answers must not change with how they are read."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from brokering.dashboard.outcome_cover import OUTCOMES, ranks, spans
from brokering.dashboard.outcome_rows import every_outcome, every_outcome_frame, frame_of
from brokering.db import query_arrays, query_df
from brokering.errors import StoreError

#: Text, whole numbers, a sum (HUGEINT: a float in pandas), truth values, each with and
#: without NULL, and a column NULL throughout; `cell` splits the rows as a view's read does.
SQL = """
    SELECT * FROM (VALUES
        ('open', 'U1', NULL, 3::BIGINT, 2::HUGEINT, TRUE, 0, 1, NULL::INT, FALSE, 7),
        ('stopped', 'U2', NULL, 1::BIGINT, 0::HUGEINT, FALSE, 1, 0, NULL::INT, FALSE, 8),
        (NULL, 'known', NULL, 2::BIGINT, 1::HUGEINT, TRUE, 0, 1, 2, TRUE, 9),
        (NULL, NULL, NULL, NULL::BIGINT, NULL::HUGEINT, NULL, 1, NULL::INT, 0, TRUE, 10)
    ) t(outcome, "row", col, pairings, unseen, hidden, onum, rn, kn, cell, n)
"""


@pytest.mark.parametrize("which", ["view", "cells", "all", "none", "reversed"])
def test_frame_of_types_rows_as_query_df(which: str) -> None:
    con = duckdb.connect()
    rows = query_arrays(con, SQL)
    cell = np.asarray(rows["cell"], bool)
    keep = {
        "view": ~cell,
        "cells": cell,
        "all": np.ones(len(cell), bool),
        "none": np.zeros(len(cell), bool),
        "reversed": np.arange(len(cell))[::-1],
    }[which]
    want = query_df(con, SQL)
    want = (want.iloc[keep] if keep.dtype != bool else want[keep]).reset_index(drop=True)
    got = frame_of(rows, keep)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # Text left as Python strings where asked: the same values.
    raw = frame_of(rows, keep, strings=False)
    assert all(raw[c].dtype == object for c in ("outcome", "row", "col"))
    pd.testing.assert_frame_equal(raw, want, check_exact=True, check_dtype=False)


def test_fetch_turns_driver_errors_into_store_errors() -> None:
    with pytest.raises(StoreError):
        query_arrays(duckdb.connect(), "SELECT * FROM no_such_table")


def _every_outcome_plainly(out: pd.DataFrame) -> pd.DataFrame:
    """The rule spelt out: each group with a hidden figure gets every outcome, the missing
    ones hidden; groups in order of first appearance, each by outcome (a frame with none
    missing is left as it is)."""
    rows = {(g, o): p for g, o, p in out.itertuples(index=False)}
    partly = {g for (g, _), p in rows.items() if pd.isna(p)}
    if all((g, o) in rows for g in partly for o in OUTCOMES):
        return out
    for g in partly:
        for o in OUTCOMES:
            rows.setdefault((g, o), pd.NA)
    first = list(dict.fromkeys(out["group"]))
    keys = sorted(rows, key=lambda go: (first.index(go[0]), OUTCOMES.index(go[1])))
    return pd.DataFrame(
        {
            "group": np.array([g for g, _ in keys], object),
            "outcome": np.array([o for _, o in keys], object),
            "pairings": pd.array([rows[key] for key in keys], dtype="Int64"),
        }
    )


@pytest.mark.parametrize("seed", range(40))
def test_every_outcome_draws_each_hidden_groups_outcomes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    names = [f"School {j}" for j in range(int(rng.integers(1, 7)))]
    cells = sorted({(str(rng.choice(names)), str(rng.choice(OUTCOMES))) for _ in range(20)})
    if seed % 2:  # groups apart as well as together
        rng.shuffle(cells)
    values = [None if rng.random() < 0.3 else int(rng.integers(0, 9)) for _ in cells]
    out = pd.DataFrame(
        {
            "group": np.array([g for g, _ in cells], object),
            "outcome": np.array([o for _, o in cells], object),
            "pairings": pd.array(values, dtype="Int64"),
        }
    )
    want = _every_outcome_plainly(out)
    pd.testing.assert_frame_equal(every_outcome_frame(out), want, check_exact=True)


def test_every_outcome_refuses_an_unknown_outcome() -> None:
    group = np.array(["A", "A"], object)
    outcome = np.array(["open", "lost"], object)
    with pytest.raises(ValueError, match="lost"):
        every_outcome(group, outcome, pd.array([None, 1], dtype="Int64"))


@pytest.mark.parametrize("seed", range(30))
def test_ranks_and_spans_agree_with_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 50))
    keys = [rng.integers(0, int(rng.integers(1, 6)), n) for _ in range(int(rng.integers(1, 6)))]
    if seed % 3 == 0 and n:  # too wide for one whole number: the keys' own sort
        keys[0] = keys[0] * 2**40
    want = np.empty(n, np.int64)
    want[np.lexsort(keys[::-1])] = np.arange(n)
    assert (ranks(*keys) == want).all()
    if n:
        o, key = keys[0] % 4, keys[-1]
        width = int(key.max()) + 1
        got = spans(o, key, width)
        assert [got[x] for x in range(len(got))] == [
            len(np.unique(key[o == x])) for x in range(int(o.max()) + 1)
        ]
