"""One way to write a date for people, everywhere it is shown: the UK's "5 Dec 2026".

Why one place: a page that mixed "2026-12-05", "5 December 2026" and "2026-12-05 00:00:00"
read as unfinished (issue 23). Text uses `day`; Streamlit's table columns use `DAY_FORMAT`
(the same date in moment.js's spelling) and `DAY_TIME_FORMAT` where the time of day matters.
Date boxes can only offer numeric layouts, so they use `INPUT_FORMAT`, day first as in the UK.
Files (CSV, JSON) keep ISO dates: they are read by machines.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

#: A table column's date, as Streamlit spells "5 Dec 2026".
DAY_FORMAT = "D MMM YYYY"
#: A table column's moment in time: "5 Dec 2026, 14:05" (never a bare midnight).
DAY_TIME_FORMAT = "D MMM YYYY, HH:mm"
#: A date box's layout: day first, as the UK writes it.
INPUT_FORMAT = "DD/MM/YYYY"


def day(value: date | datetime | pd.Timestamp | str | None, missing: str = "") -> str:
    """`value` as "5 Dec 2026"; `missing` for no date (None, NaT, an empty text)."""
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return missing
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%b %Y}"
