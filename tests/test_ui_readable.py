"""ui.readable and ui.columns: a table people read sorts each column as what it holds (a
date column by date, never alphabetically as "5 Dec 2026" text would), draws every date the
UK's one way ("5 Dec 2026"; "5 Dec 2026, 14:05" where a time is held, never a bare
midnight), and shows a gap as an empty cell, never the grid's grey "None"."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import ui
from brokering import dates


def test_dates_stay_dates_and_figures_stay_figures() -> None:
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(["2026-12-05", None]),
            "moment": pd.to_datetime(["2026-12-05 14:05", "2026-12-05 00:00"]),
            "python_day": [date(2026, 1, 2), None],
            "weight": [0.8539, None],
            "count": [3.0, None],
            "note": ["seen", None],
            "whole": [1.0, 2.0],
            "people": [["A1"], []],
        }
    )
    shown = ui.readable(frame)
    for name in ("day", "moment", "python_day"):
        assert pd.api.types.is_datetime64_any_dtype(shown[name].dtype), name
    assert shown["python_day"].tolist()[0] == pd.Timestamp("2026-01-02")
    assert pd.isna(shown["python_day"].tolist()[1])
    assert shown["weight"].tolist()[0] == 0.8539  # a figure: sorts by size
    assert str(shown["count"].dtype) == "Int64"  # whole numbers with a gap: no "3.0"
    assert shown["note"].tolist() == ["seen", ""]
    assert shown["whole"].tolist() == [1.0, 2.0]
    assert shown["people"].tolist() == [["A1"], []]


def test_dates_sort_by_date_not_alphabetically() -> None:
    frame = pd.DataFrame({"d": [date(2026, 12, 5), date(2026, 9, 10), date(2027, 1, 1)]})
    order = ui.readable(frame).sort_values("d")["d"].dt.strftime("%Y-%m-%d").tolist()
    assert order == ["2026-09-10", "2026-12-05", "2027-01-01"]  # text: "1 Jan" < "10 Sep"


def test_each_date_column_is_drawn_the_one_way_under_its_heading() -> None:
    shown = ui.readable(
        pd.DataFrame(
            {
                "day": pd.to_datetime(["2026-12-05", None]),
                "moment": pd.to_datetime(["2026-12-05 14:05", None]),
                "midnights": pd.to_datetime(["2026-12-05 00:00", "2026-12-06 00:00"]),
                "n": [1.0, 2.0],
                "t": ["5 Dec 2026", "6 Dec 2026"],
            }
        )
    )
    config = ui.columns(
        {
            "day": st.column_config.DateColumn("Raised"),
            "moment": "Sent",
            "midnights": st.column_config.DatetimeColumn("Recorded", format="D MMM YYYY, HH:mm"),
            "n": st.column_config.NumberColumn("Hours", format="%.1f"),
            "t": st.column_config.DateColumn("Started"),
            "absent": "Absent",
        },
        shown,
    )
    assert config["day"]["label"] == "Raised"
    assert config["day"]["type_config"]["type"] == "date"
    assert config["day"]["type_config"]["format"] == dates.DAY_FORMAT
    assert config["moment"]["label"] == "Sent"
    assert config["moment"]["type_config"]["type"] == "datetime"
    assert config["moment"]["type_config"]["format"] == dates.DAY_TIME_FORMAT
    # moments all at midnight are days: no "00:00" drawn
    assert config["midnights"]["type_config"]["type"] == "date"
    assert config["n"]["type_config"]["type"] == "number"
    # a column already written as text keeps its heading, not a date format
    assert config["t"]["label"] == "Started" and config["t"]["type_config"]["type"] == "text"
    assert "absent" not in config


def test_a_page_may_keep_its_own_layout_for_moments() -> None:
    shown = ui.readable(pd.DataFrame({"at": pd.to_datetime(["2026-12-05 14:05:07"])}))
    config = ui.columns(
        {"at": st.column_config.DatetimeColumn("When", format=dates.DAY_SECONDS_FORMAT)}, shown
    )
    assert config["at"]["type_config"]["format"] == dates.DAY_SECONDS_FORMAT
