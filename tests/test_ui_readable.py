"""ui.readable: the grid writes any missing value as a grey "None", so a table people read has
its dates written the one way ("5 Dec 2026"), its gaps empty and its hidden figures kept."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import ui


def test_dates_gaps_and_text_are_written_for_people() -> None:
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(["2026-12-05", None]),
            "moment": pd.to_datetime(["2026-12-05 14:05", "2026-12-05 00:00"]),
            "python_day": [date(2026, 1, 2), date(2026, 1, 3)],
            "weight": [0.8539, None],
            "note": ["seen", None],
            "nothing": [None, None],
            "whole": [1.0, 2.0],
            "people": [["A1"], []],
        }
    )
    shown = ui.readable(frame, formats={"weight": "%.2f"})
    assert shown["day"].tolist() == ["5 Dec 2026", ""]
    assert shown["moment"].tolist() == ["5 Dec 2026, 14:05", "5 Dec 2026"]  # no bare midnight
    assert shown["python_day"].tolist() == ["2 Jan 2026", "3 Jan 2026"]
    assert shown["weight"].tolist() == ["0.85", ""]
    assert shown["note"].tolist() == ["seen", ""]
    assert shown["nothing"].tolist() == ["", ""]
    assert shown["whole"].tolist() == [1.0, 2.0]  # no gap: stays a number
    assert shown["people"].tolist() == [["A1"], []]
    assert not shown.isna().any().any()


def test_hidden_figures_are_left_for_their_own_marker() -> None:
    frame = pd.DataFrame({"people": pd.array([4, None], dtype="Int64")})
    assert ui.readable(frame, skip=["people"])["people"].isna().tolist() == [False, True]


def test_a_written_out_column_loses_its_number_or_date_format_not_its_heading() -> None:
    shown = ui.readable(pd.DataFrame({"d": pd.to_datetime(["2026-12-05"]), "n": [1.0]}))
    config = ui.text_columns(
        {
            "d": st.column_config.DateColumn("Started", format="D MMM YYYY"),
            "n": st.column_config.NumberColumn("Hours", format="%.1f"),
            "absent": "Absent",
        },
        shown,
    )
    assert config["d"]["label"] == "Started" and config["d"]["type_config"]["type"] == "text"
    assert config["n"]["type_config"]["type"] == "number"
    assert "absent" not in config
