"""A table as `ui.table` draws it, for AppTests that read a page's tables: AppTest hands
back the frame itself (dates as dates, gaps as NaT or <NA>), while the browser's grid
draws each date "5 Dec 2026" (with the time of day where one is held) and each gap as an
empty cell (`placeholder=""`). Checking this text for "None", "NaT" or a midnight checks
what a leader reads."""

from __future__ import annotations

import pandas as pd

import ui


def drawn(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy().astype(object)
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[name] = [ui.when(v) for v in column]
        elif pd.api.types.is_numeric_dtype(column.dtype):
            out[name] = [
                "" if pd.isna(v) else v for v in column
            ]  # the grid's placeholder: an empty cell
    return out


def text(frame: pd.DataFrame) -> str:
    """The headings and every cell, as drawn, in one text."""
    return " ".join(map(str, frame.columns)) + " " + drawn(frame).to_string()
