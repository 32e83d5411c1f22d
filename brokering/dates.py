"""One way to write a date for people, everywhere it is shown: the UK's "5 Dec 2026".

Why one place: a page that mixed "2026-12-05", "5 December 2026" and "2026-12-05 00:00:00"
read as unfinished (issue 23). Text uses `day`; Streamlit's table columns use `DAY_FORMAT`
(the same date in moment.js's spelling) and `DAY_TIME_FORMAT` where the time of day matters.
Date boxes can only offer numeric layouts, so they use `INPUT_FORMAT`, day first as in the UK.
Files (CSV, JSON) keep ISO dates: they are read by machines.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

#: What an empty date reads as where a blank would look like a gap in the data.
NONE = "—"

#: A table column's date, as Streamlit spells "5 Dec 2026".
DAY_FORMAT = "D MMM YYYY"
#: A table column's moment in time: "5 Dec 2026, 14:05" (never a bare midnight).
DAY_TIME_FORMAT = "D MMM YYYY, HH:mm"
#: The audit trail's moments, to the second (its order within a minute).
DAY_SECONDS_FORMAT = "D MMM YYYY, HH:mm:ss"
#: A date box's layout: day first, as the UK writes it.
INPUT_FORMAT = "DD/MM/YYYY"


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT or value == "":
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def day(value: object, missing: str = "") -> str:
    """`value` as "5 Dec 2026"; `missing` for no date (None, NaT, NaN, an empty text)."""
    if _missing(value):
        return missing
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%b %Y}"


def moment(value: object, seconds: bool = False) -> str:
    """A timestamp to the minute: "5 Dec 2026, 14:03" (a bare date reads as `day`); with
    `seconds`, "5 Dec 2026, 14:03:07" (the audit trail's order within a minute); a dash for
    none."""
    if _missing(value):
        return NONE
    if isinstance(value, date) and not isinstance(value, datetime):
        return day(value)
    stamp = pd.Timestamp(value)
    return f"{day(stamp)}, {stamp:%H:%M:%S}" if seconds else f"{day(stamp)}, {stamp:%H:%M}"
