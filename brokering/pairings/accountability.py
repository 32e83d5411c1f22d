"""Accountability: the pairings an alliance must answer for, kept in plain view.

- overdue: past the review date, still open, and without an observation showing transfer;
- quiet: open pairings with no log entry for N weeks (counted from the start when the log
  is empty; pairings that have not started yet are not quiet);
- not transferred: pairings judged not transferred, and pairings stopped, with their reasons.

Each is a DataFrame the page shows and the command line and page export as CSV.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.exporting import to_csv_bytes
from brokering.pairings import lifecycle
from brokering.pairings.views import list_pairings
from brokering.viewer import Viewer

#: Weeks without a log entry before an open pairing counts as quiet.
DEFAULT_QUIET_WEEKS = 6

_COMMON = [
    "pairing_id",
    "practice",
    "work_kind",
    "status",
    "donors",
    "recipients",
    "donor_schools",
    "recipient_schools",
    "start_date",
    "review_date",
]


def _days(since: pd.Series, today: date) -> pd.Series:
    return (pd.Timestamp(today) - pd.to_datetime(since)).dt.days.astype("Int64")


def overdue(con: Connection, viewer: Viewer, today: date | None = None) -> pd.DataFrame:
    """Open pairings past their review date without evidence of transfer."""
    today = today or date.today()
    frame = list_pairings(con, viewer, today=today)
    rows = frame[frame["review_overdue"] & (frame["transfer_evidence"] == 0)].copy()
    rows["days_overdue"] = _days(rows["review_date"], today)
    cols = [*_COMMON, "days_overdue", "evidence_items", "entries", "last_activity"]
    return rows[cols].sort_values(["days_overdue", "pairing_id"], ascending=[False, True])


def quiet(
    con: Connection, viewer: Viewer, weeks: int = DEFAULT_QUIET_WEEKS, today: date | None = None
) -> pd.DataFrame:
    """Open, started pairings with no log entry in the last `weeks` weeks."""
    if weeks < 1:
        raise ValidationError("Give the number of quiet weeks as 1 or more.")
    today = today or date.today()
    frame = list_pairings(con, viewer, today=today)
    frame = frame[frame["status"].isin(lifecycle.OPEN)].copy()
    frame["since"] = pd.to_datetime(frame["last_activity"]).fillna(
        pd.to_datetime(frame["start_date"])
    )
    started = pd.to_datetime(frame["start_date"]) <= pd.Timestamp(today)
    cutoff = pd.Timestamp(today - timedelta(weeks=weeks))
    rows = frame[started & (frame["since"] < cutoff)].copy()
    rows["weeks_quiet"] = (_days(rows["since"], today) // 7).astype("Int64")
    cols = [*_COMMON, "last_activity", "weeks_quiet", "entries"]
    return rows[cols].sort_values(["weeks_quiet", "pairing_id"], ascending=[False, True])


def not_transferred(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """Pairings judged not transferred, or stopped, with the reason recorded."""
    frame = list_pairings(con, viewer)
    rows = frame[frame["status"].isin(["not transferred", "stopped"])].copy()
    rows["judged_on"] = pd.to_datetime(rows["status_since"]).dt.date
    cols = [*_COMMON, "reason", "judged_on", "evidence_items", "hours_logged"]
    return rows[cols].sort_values(["status", "pairing_id"])


def export(frame: pd.DataFrame) -> bytes:
    """CSV bytes safe to open in a spreadsheet (lists written as a;b)."""
    return to_csv_bytes(frame)
