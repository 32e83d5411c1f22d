"""Scores to one decimal place round halves the way DuckDB's round() does, on every route
(issue 24): the stored routes score in SQL, the fallbacks in pandas, and pandas' round()
takes halves to even, so two routes could show and rank a tie differently."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from brokering.find.scores import PCT_SQL, percent
from brokering.scoring import round_tenths, score_of

#: Means whose score lands on a half tenth (as nearly as floating point allows).
HALVES = 1 + (np.arange(0, 1000) + 0.5) * 3 / 1000


def _sql(means: list[float]) -> np.ndarray:
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT {PCT_SQL.format('m')} FROM (SELECT unnest(?) AS m, generate_subscripts(?, 1) "  # noqa: S608
        "AS i) ORDER BY i",
        [means, means],
    ).fetchall()
    return np.array([r[0] for r in rows], dtype=float)


def test_halves_round_as_in_duckdb() -> None:
    want = _sql(HALVES.tolist())
    assert np.array_equal(score_of(HALVES), want)
    assert np.array_equal(score_of(pd.Series(HALVES)).to_numpy(), want)
    assert [percent(m) for m in HALVES] == want.tolist()
    # the hazard is real: numpy's own rounding disagrees on many of these
    assert (np.round((HALVES - 1) / 3 * 100, 1) != want).sum() > 100


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.5, 4.5, allow_nan=False), min_size=1, max_size=50))
def test_any_mean_rounds_as_in_duckdb(means: list[float]) -> None:
    assert np.array_equal(score_of(np.array(means)), _sql(means))


def test_missing_stays_missing_and_no_negative_zero() -> None:
    out = round_tenths(np.array([np.nan, -0.04, 0.05]))
    assert np.isnan(out[0])
    assert str(out[1]) == "0.0" and out[2] == 0.1
