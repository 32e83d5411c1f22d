"""The cell readers (dates, yes/no, strengths, hours, formula detection) and the exports'
defence against formula injection."""

from __future__ import annotations

import csv
import io
from datetime import date

import duckdb
import pandas as pd
import pytest

from brokering.exporting import neutralise, safe_frame, to_csv_bytes
from brokering.values import (
    STRENGTH_WORDS,
    looks_like_formula,
    parse_bool,
    parse_date,
    parse_float,
    parse_hours,
    parse_strength,
)


# -- dates -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-14", date(2025, 3, 14)),
        ("14/03/2025", date(2025, 3, 14)),
        ("14.03.2025", date(2025, 3, 14)),
        ("14-03-2025", date(2025, 3, 14)),
        ("4/3/2025", date(2025, 3, 4)),
        ("2025-3-4", date(2025, 3, 4)),
        (" 2025-03-14 ", date(2025, 3, 14)),
        ("2025-03-14 00:00:00", date(2025, 3, 14)),  # an Excel date cell read as text
        ("2025-03-14T00:00:00", date(2025, 3, 14)),
        ("03/04/2025", date(2025, 4, 3)),  # both readings possible: UK day-first wins
        ("29/02/2024", date(2024, 2, 29)),
        ("1990-01-01", date(1990, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
    ],
)
def test_parse_date_reads_iso_and_uk_dates(text: str, expected: date) -> None:
    assert parse_date(text) == (expected, None)


@pytest.mark.parametrize("text", ["12/25/2025", "02/13/2026", "1/31/2026"])
def test_parse_date_refuses_us_month_first(text: str) -> None:
    value, problem = parse_date(text)
    assert value is None
    assert "US month-first" in problem and "DD/MM/YYYY" in problem


@pytest.mark.parametrize("text", ["31/02/2026", "29/02/2025", "2026-13-01", "13/13/2025"])
def test_parse_date_refuses_impossible_dates(text: str) -> None:
    value, problem = parse_date(text)
    assert value is None and problem.startswith("is not a real calendar date")


@pytest.mark.parametrize("text", ["1850-01-01", "01/01/1850", "1989-12-31", "2101-01-01"])
def test_parse_date_refuses_implausible_years(text: str) -> None:
    value, problem = parse_date(text)
    assert value is None and "1990-2100" in problem


@pytest.mark.parametrize("text", ["", "yesterday", "2025/03/14", "14 Smarch 2025", "March 2025"])
def test_parse_date_refuses_other_text(text: str) -> None:
    value, problem = parse_date(text)
    assert value is None
    assert "write it as YYYY-MM-DD, DD/MM/YYYY" in problem


# -- yes/no ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["yes", "Y", "TRUE", "true", "t", "1", " Yes "])
def test_parse_bool_true(text: str) -> None:
    assert parse_bool(text) == (True, None)


@pytest.mark.parametrize("text", ["no", "N", "FALSE", "false", "f", "0", " no "])
def test_parse_bool_false(text: str) -> None:
    assert parse_bool(text) == (False, None)


@pytest.mark.parametrize("text", ["maybe", "", "2", "yes please", "ja"])
def test_parse_bool_refuses_anything_else(text: str) -> None:
    value, problem = parse_bool(text)
    assert value is None and "is not yes or no" in problem and "y/n" in problem


# -- strengths ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "stored"), [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("4.0", 4)])
def test_parse_strength_4_best_is_stored_as_is(text: str, stored: int) -> None:
    assert parse_strength(text, "4-best") == (stored, None)


@pytest.mark.parametrize(("text", "stored"), [("1", 4), ("2", 3), ("3", 2), ("4", 1), (" 1 ", 4)])
def test_parse_strength_1_best_is_inverted(text: str, stored: int) -> None:
    assert parse_strength(text, "1-best") == (stored, None)


@pytest.mark.parametrize("scale", ["4-best", "1-best", None])
@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("outstanding", 4),
        ("Outstanding", 4),
        ("strong", 4),
        ("GOOD", 3),
        ("secure", 3),
        ("requires improvement", 2),
        ("  Requires   Improvement ", 2),
        ("developing", 2),
        ("inadequate", 1),
        ("emerging", 1),
    ],
)
def test_parse_strength_words_mean_the_same_on_every_scale(
    text: str, stored: int, scale: str | None
) -> None:
    assert parse_strength(text, scale) == (stored, None)


def test_strength_words_cover_the_four_levels() -> None:
    assert sorted(set(STRENGTH_WORDS.values())) == [1, 2, 3, 4]


@pytest.mark.parametrize("scale", ["4-best", "1-best", None])
@pytest.mark.parametrize("text", ["0", "5", "2.5", "-1", "10"])
def test_parse_strength_refuses_numbers_out_of_range(text: str, scale: str | None) -> None:
    value, problem = parse_strength(text, scale)
    assert value is None and problem.startswith("is out of range")


@pytest.mark.parametrize("text", ["excellent", "", "very good", "A*"])
def test_parse_strength_refuses_unknown_words(text: str) -> None:
    value, problem = parse_strength(text, "4-best")
    assert value is None
    assert "is not a strength" in problem
    assert "outstanding, good, requires improvement, inadequate" in problem


def test_parse_strength_number_without_a_declared_scale_is_refused() -> None:
    value, problem = parse_strength("3", None)
    assert value is None
    assert "no strength scale was chosen" in problem and "--strength-scale" not in problem


def test_parse_strength_unknown_scale_is_refused() -> None:
    value, problem = parse_strength("3", "10-best")
    assert value is None and "unknown scale" in problem


@pytest.mark.parametrize("text", ["nan", "NaN", "inf"])
def test_parse_strength_nan_and_inf_are_refused(text: str) -> None:
    value, problem = parse_strength(text, "4-best")
    assert value is None and problem


# -- hours and coordinates -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "hours"), [("6", 6.0), ("6.5", 6.5), (" 12 ", 12.0), ("0", 0.0), ("1000", 1000.0)]
)
def test_parse_hours_reads_numbers(text: str, hours: float) -> None:
    assert parse_hours(text) == (hours, None)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("-1", "is negative"),
        ("1000.5", "more than 1,000 hours"),
        ("inf", "more than 1,000 hours"),
        ("six", "is not a number of hours"),
        ("", "is not a number of hours"),
    ],
)
def test_parse_hours_refuses(text: str, phrase: str) -> None:
    value, problem = parse_hours(text)
    assert value is None and phrase in problem


def test_parse_hours_refuses_nan() -> None:
    value, problem = parse_hours("nan")
    assert value is None and problem


def test_parse_float_bounds() -> None:
    assert parse_float("52.6", 49.0, 61.0) == (52.6, None)
    assert parse_float("48.9", 49.0, 61.0)[1] == "is outside 49.0 to 61.0"
    assert parse_float("north", 49.0, 61.0) == (None, "is not a number")
    assert parse_float("nan", 49.0, 61.0)[0] is None


# -- formulas ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "=SUM(A1)",
        "=",
        "+1+1",
        "+44 20",
        "@cmd",
        "@SUM(A1)",
        "-cmd(x)",
        "-sum(1)",
        "-A!B",
        "\tx",
        "\rx",
    ],
)
def test_looks_like_formula(text: str) -> None:
    assert looks_like_formula(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "-",
        "-2",
        "-3.5",
        "- bullet point",
        "well - paced",
        "a=b",
        "x+y",
        "e@mail",
        " =not at the start",
    ],
)
def test_does_not_look_like_formula(text: str) -> None:
    assert not looks_like_formula(text)


def test_dde_payload_starting_with_a_number_looks_like_formula() -> None:
    assert looks_like_formula("-2+3+cmd|' /C calc'!A0")


# -- exports -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["=1+1", "+44", "-x", "-2", "@cmd", "\tx", "\rx"])
def test_neutralise_prefixes_dangerous_text(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["ok", "a-b", "", "'=already", 5, -3, 2.5, None, True])
def test_neutralise_leaves_the_rest_alone(value: object) -> None:
    assert neutralise(value) == value


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_to_csv_bytes_neutralises_object_columns_and_joins_lists() -> None:
    frame = pd.DataFrame(
        {
            "note": pd.Series(["=SUM(A1)", "fine", None], dtype=object),
            "phases": pd.Series([["KS1", "KS2"], [], ("=x",)], dtype=object),
            "n": [1, -2, 3],
        }
    )
    assert _rows(to_csv_bytes(frame)) == [
        ["note", "phases", "n"],
        ["'=SUM(A1)", "KS1;KS2", "1"],
        ["fine", "", "-2"],  # numbers are numbers, not formulas
        ["", "'=x", "3"],
    ]
    assert frame["note"].tolist()[0] == "=SUM(A1)"  # the caller's frame is not modified


def test_to_csv_bytes_neutralises_default_text_columns() -> None:
    frame = pd.DataFrame({"note": ['=HYPERLINK("http://x")', "fine"]})
    assert _rows(to_csv_bytes(frame))[1] == ['\'=HYPERLINK("http://x")']


def test_to_csv_bytes_on_a_duckdb_frame() -> None:
    frame = duckdb.connect().execute("SELECT '=1+1' AS note, ['KS1', 'KS2'] AS phases, 2 AS n").df()
    assert _rows(to_csv_bytes(frame)) == [["note", "phases", "n"], ["'=1+1", "KS1;KS2", "2"]]


def test_safe_frame_returns_a_copy() -> None:
    frame = pd.DataFrame({"a": pd.Series(["=x"], dtype=object)})
    out = safe_frame(frame)
    assert out is not frame and frame.loc[0, "a"] == "=x" and out.loc[0, "a"] == "'=x"
