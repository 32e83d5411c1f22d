"""The figures' grouping sets summed in numpy (`dashboard.figure_sets`) are the SQL's: a
median from the days' counts is DuckDB's `quantile_cont(days, 0.5)` over the pairings
themselves (odd and even counts, gaps between the middle days, ties), and the set keeping
nothing has its row over no pairings, as SQL's `()` does."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from brokering.dashboard import figure_sets


@pytest.mark.parametrize("seed", range(6))
def test_medians_are_quantile_cont(seed: int) -> None:
    """Per group and period, the median of the days (each day `counts` times) is DuckDB's
    `quantile_cont(days, 0.5)` over the days one by one; None where a group has none."""
    rng = np.random.default_rng(seed)
    values = np.unique(rng.integers(0, 400, size=30))
    counts = rng.integers(0, 3, size=(4, 3, len(values))) * rng.integers(0, 2, size=(4, 3, 1))
    got = figure_sets._medians(counts.astype(np.float64), values)
    con = duckdb.connect()
    for g in range(4):
        for k in range(3):
            days = np.repeat(values, counts[g, k]).tolist()
            want = con.execute(
                "SELECT quantile_cont(d, 0.5) FROM unnest(?::BIGINT[]) t(d)", [days]
            ).fetchone()[0]
            assert got[g][k] == want


def test_whole_row_over_no_pairings() -> None:
    """No pairing counted: the set keeping nothing still has its row (all its figures
    absent, read as 0), the rest's too; a set keeping an area has none."""
    empty = {
        "part": np.zeros(0, dtype=np.int32),
        "area": np.ma.masked_array(np.zeros(0, dtype=object)),
        "touch": np.ma.masked_array(np.zeros(0, dtype=bool)),
        "rest": np.ma.masked_array(np.zeros(0, dtype=bool)),
        "days": np.ma.masked_array(np.zeros(0, dtype=np.int64)),
        "hours": np.ma.masked_array(np.zeros(0, dtype=np.float64)),
        **{c: np.zeros(0, dtype=np.int64) for c in ("a", "b", "c", "d", "n", "w0")},
    }
    rows = figure_sets.rows_of(empty, 1, [("area",), ()], True, {"active": (0, 0)})
    keys = [(r["area"], r["touch"], r["rest"]) for r in rows]
    assert keys == [(None, None, None), (None, None, True)]
    assert all(r["hours_0"] is None and r["median_days_0"] is None for r in rows)
