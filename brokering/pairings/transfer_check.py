"""A one-off check: pairings recorded as *transferred* that the transfer rule no longer
supports (judged before the rule asked for a rating, a change on a baseline, or imported).

They are listed, never changed: their status is a judgement someone recorded, and the
coordinator decides whether to log the missing observation or record the pairing afresh.
"""

from __future__ import annotations

import pandas as pd

from brokering.dates import day
from brokering.db import Connection
from brokering.pairings import store, transfer_rule, views
from brokering.viewer import Viewer

COLUMNS = [
    "pairing_id",
    "practice",
    "donor_schools",
    "recipient_schools",
    "start_date",
    "observations",
    "why",
]


def _why(seen: list[dict]) -> str:
    if not seen:
        return "no observation is logged"
    return "; ".join(
        f"the observation of {day(o['date'])} "
        + transfer_rule.reason(o["why_not"], o["rating_after"], o["baseline"])
        for o in seen
    )


def not_qualifying(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """Transferred pairings this viewer can see with no observation meeting the rule, each
    with why every logged observation falls short. Nothing is written."""
    listed = views.list_pairings(con, viewer, status="transferred")
    rows = []
    for row in listed[listed["transfer_evidence"] == 0].itertuples(index=False):
        seen = store.observations(con, row.pairing_id)
        rows.append(
            {
                "pairing_id": row.pairing_id,
                "practice": row.practice,
                "donor_schools": list(row.donor_schools),
                "recipient_schools": list(row.recipient_schools),
                "start_date": row.start_date,
                "observations": len(seen),
                "why": _why(seen),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
