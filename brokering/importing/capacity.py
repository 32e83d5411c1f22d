"""Capacity stated in release days as well as hours (SLE deployment is counted in days).

A staff row may give `capacity_hours`, `capacity_days`, or both. Days are turned into hours
with the alliance's hours per release day (`alliance_settings`, "hours_per_day"), so every
calculation keeps reading one figure, `capacity_hours`; the days are kept beside it, so the
hours follow when the alliance changes its release day (`alliance_settings.put`). Both given
and disagreeing is a problem on that row: which one was meant is not ours to guess.
"""

from __future__ import annotations

from typing import Any

from brokering import alliance_settings
from brokering.importing.reader import Staged

#: Hours and days x hours-per-day closer than this agree (figures are given to 2 places).
TOLERANCE = 0.01


def check_and_convert(v: Any, staged: Staged, has_hours: bool) -> None:
    """Report rows whose hours and days disagree; fill hours from days where only days are
    given. `v` is the running validation (its connection and `problem`)."""
    con = v.con
    per_day = alliance_settings.get_float(con, "hours_per_day")
    if not has_hours:
        con.execute("ALTER TABLE prs_staff ADD COLUMN capacity_hours DOUBLE")
    for line, hours, days in con.execute(
        "SELECT line, capacity_hours, capacity_days FROM prs_staff "
        "WHERE capacity_hours IS NOT NULL AND capacity_days IS NOT NULL "
        "AND abs(capacity_hours - capacity_days * ?) > ? ORDER BY line LIMIT 200",
        [per_day, TOLERANCE],
    ).fetchall():
        v.problem(
            staged,
            line,
            "capacity_days",
            f"{days:g}",
            f"is {days * per_day:g} hours at {per_day:g} hours a release day, but "
            f"capacity_hours says {hours:g}; give one of them, or make them agree.",
        )
    con.execute(
        "UPDATE prs_staff SET capacity_hours = round(capacity_days * ?, 2) "
        "WHERE capacity_hours IS NULL AND capacity_days IS NOT NULL",
        [per_day],
    )


def days_of(hours: float, per_day: float) -> float:
    """Hours as release days, to a tenth (for 'what is left' beside the hours)."""
    return round(hours / per_day, 1) if per_day > 0 else 0.0
