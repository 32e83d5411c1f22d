"""`db.query_records`: rows as dicts, as the Transfer page's figures read them."""

import duckdb
import pytest

from brokering import db
from brokering.errors import StoreError


def test_a_name_given_twice_keeps_its_first_column_and_null_is_none() -> None:
    con = duckdb.connect()
    rows = db.query_records(
        con,
        "SELECT * FROM (SELECT 'a' AS area, 1 AS n) x "
        "LEFT JOIN (SELECT NULL::VARCHAR AS area, NULL::INT AS m) y ON TRUE",
    )
    assert rows == [{"area": "a", "n": 1, "m": None}]


def test_no_rows_and_a_driver_error() -> None:
    con = duckdb.connect()
    assert db.query_records(con, "SELECT 1 AS n WHERE ?", [False]) == []
    with pytest.raises(StoreError):
        db.query_records(con, "SELECT * FROM no_such_table")
