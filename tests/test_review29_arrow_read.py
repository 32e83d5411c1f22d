"""Review 29: `db.query_df_arrow` is `query_df` by way of Arrow — so it must answer wherever
`query_df` does, including on a connection holding an unfinished result (a read taken with
`.fetchone()`, as brokering/dashboard/hours_cover.py and school_view.py take theirs): there
`con.sql` alone refused with DuckDB's "Resource In Use" where `con.execute` (query_df)
simply replaces the pending result. Found before any page met it: its one caller
(`outcome_numbers.numbers_grid`, via `school_tables.school_view`) runs on a fresh cursor of
`db.alongside`."""

from __future__ import annotations

import duckdb

from brokering.db import query_df, query_df_arrow


def test_the_arrow_read_answers_after_an_unfinished_result_as_query_df_does() -> None:
    con = duckdb.connect()
    con.execute("SELECT 1 UNION ALL SELECT 2").fetchone()  # one row of two taken
    expected = query_df(con, "SELECT ?::VARCHAR AS s, 42::BIGINT AS x", ["a"])
    con.execute("SELECT 1 UNION ALL SELECT 2").fetchone()
    got = query_df_arrow(con, "SELECT ?::VARCHAR AS s, 42::BIGINT AS x", ["a"])
    assert got.equals(expected)
