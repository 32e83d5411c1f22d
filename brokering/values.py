"""Readers for the cell values schools send: dates, yes/no, strengths, numbers.

Each reader takes one distinct text and returns (value, problem). The importer calls them
once per *distinct* value in a column, never once per row, so they can afford to be careful.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

Parsed = tuple[object, str | None]

STRENGTH_SCALES = ("4-best", "1-best")
STRENGTH_WORDS: dict[str, int] = {
    "outstanding": 4,
    "strong": 4,
    "good": 3,
    "secure": 3,
    "requires improvement": 2,
    "developing": 2,
    "inadequate": 1,
    "emerging": 1,
}
_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0"}

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_SLASHED = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_WORDY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ -]([A-Za-z]{3,9})\.?[ ,-]*(\d{4}|\d{2})$")
MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
#: Excel's day 0 (1899-12-30, after its 1900 leap-year bug); serials 32874..73050 are the
#: years 1990-2099, the only ones a school export holds.
_EXCEL_EPOCH = date(1899, 12, 30)
#: OWASP's CSV-injection starters; a leading "-" only when a formula-like part follows
#: ("-2+3+cmd|' /C calc'!A0"), so "- good questioning" in a note stays fine.
_FORMULA = re.compile(r"^[=+@\t\r]|^-[A-Za-z_]+[(!]|^-.*[|!]|^-\d+(\.\d+)?[-+*/^&]")


def looks_like_formula(text: str) -> bool:
    """Cells a spreadsheet would run as a formula (CSV injection)."""
    return bool(_FORMULA.match(text))


def _century(yy: int) -> int:
    """A two-digit year: 00-69 this century, 70-99 the last (26 -> 2026, 98 -> 1998)."""
    return 2000 + yy if yy < 70 else 1900 + yy


def parse_date(text: str) -> Parsed:
    """A date as schools' systems write it, day first whenever a day and month could swap:
    ISO (2025-03-14, with a time, T or Z), UK day-first (14/03/2025, 14/3/25), words
    (26-Sep-2025, 26 September 2025) and Excel serial numbers (45926). US month-first is
    refused outright, because 03/04/2025 read the wrong way round is wrong silently."""
    t = text.strip()
    accepted = "write it as YYYY-MM-DD, DD/MM/YYYY or 26 September 2025"
    if m := _ISO.match(t):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _SLASHED.match(t):
        d, mo, y = (int(g) for g in m.groups())
        if len(m.group(3)) == 2:
            y = _century(y)
        if mo > 12 and d <= 12:
            return None, (
                "looks like a US month-first date; write it day first (DD/MM/YYYY) or as YYYY-MM-DD"
            )
    elif m := _WORDY.match(t):
        mo = MONTHS.get(m.group(2).lower())
        if mo is None:
            return None, f"is not a date: {accepted}"
        d, y = int(m.group(1)), int(m.group(3))
        y = _century(y) if y < 100 else y
    elif re.fullmatch(r"\d{5}(\.\d+)?", t) and 32874 <= float(t) < 73051:
        return _EXCEL_EPOCH + timedelta(days=int(float(t))), None
    else:
        return None, f"is not a date: {accepted}"
    try:
        value = date(y, mo, d)
    except ValueError:
        return None, "is not a real calendar date; check the day and month"
    if not 1990 <= value.year <= 2100:
        return None, "is outside the years 1990-2100"
    return value, None


def either_way_round(text: str) -> bool:
    """Whether a date could be read day first or month first (03/04/2025): both numbers 12
    or under and not equal. parse_date reads it day first; beside month-first dates in the
    same column that reading is not safe (parsers.date_column)."""
    m = _SLASHED.match(text.strip())
    if m is None:
        return False
    d, mo = int(m.group(1)), int(m.group(2))
    return d != mo and 1 <= d <= 12 and 1 <= mo <= 12


def parse_bool(text: str) -> Parsed:
    t = text.strip().lower()
    if t in _TRUE:
        return True, None
    if t in _FALSE:
        return False, None
    return None, "is not yes or no (accepted: yes/no, y/n, true/false)"


def parse_strength(text: str, scale: str | None) -> Parsed:
    """A strength on the stored 1-4 scale (4 strongest).

    Words are always accepted. Numbers need a declared scale: many schools used
    1 = outstanding, so guessing the direction would invert someone's record silently.
    """
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t in STRENGTH_WORDS:
        return STRENGTH_WORDS[t], None
    accepted = "1-4 or one of: outstanding, good, requires improvement, inadequate"
    try:
        number = float(t)
    except ValueError:
        return None, f"is not a strength; use {accepted}"
    if not math.isfinite(number):
        return None, f"is not a strength; use {accepted}"
    if number != int(number) or not 1 <= number <= 4:
        return None, f"is out of range; use {accepted}"
    if scale is None:
        return None, (
            "is a number but no strength scale was chosen: say whether 4 or 1 is the "
            "strongest, and check the file again"
        )
    if scale not in STRENGTH_SCALES:
        return None, f"cannot be read on the unknown scale '{scale}'"
    n = int(number)
    return (n if scale == "4-best" else 5 - n), None


def parse_hours(text: str) -> Parsed:
    t = text.strip()
    try:
        number = float(t)
    except ValueError:
        return None, "is not a number of hours; write a number such as 6 or 6.5"
    if math.isnan(number):
        return None, "is not a number of hours; write a number such as 6 or 6.5"
    if number < 0:
        return None, "is negative; hours must be 0 or more"
    if number > 1000:
        return None, "is more than 1,000 hours; check the figure"
    return number, None


def parse_days(text: str) -> Parsed:
    """Release days a term (SLE deployment is counted in days), halves allowed."""
    t = text.strip()
    try:
        number = float(t)
    except ValueError:
        return None, "is not a number of days; write a number such as 3 or 2.5"
    if math.isnan(number):
        return None, "is not a number of days; write a number such as 3 or 2.5"
    if number < 0:
        return None, "is negative; days must be 0 or more"
    if number > 100:
        return None, "is more than 100 release days in a term; check the figure"
    return number, None


def parse_float(text: str, low: float, high: float) -> Parsed:
    try:
        number = float(text.strip())
    except ValueError:
        return None, "is not a number"
    if not math.isfinite(number) or not low <= number <= high:
        return None, f"is outside {low} to {high}"
    return number, None
