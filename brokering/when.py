"""Dates and times as a school leader reads them: "5 Dec 2026" and "5 Dec 2026, 14:03" —
never "2026-12-05 00:00:00", and a dash, not None/NaT, where there is no date.

Tables that show dates as text sort them as text; the pages that use these list rows newest
first already, so the order the reader sees is the one the data gives.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

#: What an empty date reads as.
NONE = "—"


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def day(value: object) -> str:
    """A date (or the day of a timestamp): "5 Dec 2026"."""
    if _missing(value):
        return NONE
    stamp = pd.Timestamp(value) if not isinstance(value, date) else value
    return f"{stamp.day} {stamp:%b %Y}"


def moment(value: object, seconds: bool = False) -> str:
    """A timestamp to the minute: "5 Dec 2026, 14:03" (a bare date reads as `day`); with
    `seconds`, "5 Dec 2026, 14:03:07" (the audit trail's order within a minute)."""
    if _missing(value):
        return NONE
    if isinstance(value, date) and not isinstance(value, datetime):
        return day(value)
    stamp = pd.Timestamp(value)
    return (
        f"{stamp.day} {stamp:%b %Y, %H:%M:%S}" if seconds else f"{stamp.day} {stamp:%b %Y, %H:%M}"
    )
