"""brokering.dates: the one way a date is written for people ("5 Dec 2026")."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from brokering.dates import DAY_FORMAT, day


def test_a_day_is_written_the_uk_way_from_any_date_type() -> None:
    for value in (date(2026, 12, 5), datetime(2026, 12, 5, 0, 0), pd.Timestamp("2026-12-05")):
        assert day(value) == "5 Dec 2026"
    assert day("2026-01-31") == "31 Jan 2026"


def test_no_date_is_an_empty_text_or_the_words_given() -> None:
    for missing in (None, pd.NaT, float("nan"), ""):
        assert day(missing) == ""
    assert day(None, "not set") == "not set"


def test_the_table_format_is_the_same_date() -> None:
    assert DAY_FORMAT == "D MMM YYYY"  # moment.js: 5 Dec 2026
