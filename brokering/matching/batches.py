"""An allocation batch, followed after it is sent: what became of each request.

Why: a coordinator who commits an allocation sends dozens of requests at once; without a view
of the batch afterwards, the declined and the lapsed go unnoticed and their needs wait. So each
batch is summed up — sent, waiting, accepted, declined (with the reasons), lapsed, withdrawn,
and re-offered (a next candidate asked after a lapse or decline) — and "re-run for what is
left" is simply a fresh preview: it considers every open need not awaiting a reply.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering.db import Connection, query_df
from brokering.matching.requests import lapse_due
from brokering.matching.rules import require_allocator
from brokering.viewer import Viewer

COUNTS = ["sent", "pending", "accepted", "declined", "lapsed", "withdrawn", "reoffered"]


def list_batches(con: Connection, viewer: Viewer, *, as_of: date | None = None) -> pd.DataFrame:
    """One row per allocation batch, newest first, with how many requests are in each state."""
    require_allocator(viewer)
    lapse_due(con, as_of)
    return query_df(
        con,
        """
        SELECT r.batch_id, min(r.requested_at) AS sent_at, any_value(r.requested_by) AS sent_by,
               count(*) AS sent,
               count(*) FILTER (WHERE r.status = 'pending') AS pending,
               count(*) FILTER (WHERE r.status = 'accepted') AS accepted,
               count(*) FILTER (WHERE r.status = 'declined') AS declined,
               count(*) FILTER (WHERE r.status = 'lapsed') AS lapsed,
               count(*) FILTER (WHERE r.status = 'withdrawn') AS withdrawn,
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM match_requests x WHERE x.reoffer_of = r.request_id)) AS reoffered
        FROM match_requests r WHERE r.batch_id IS NOT NULL
        GROUP BY r.batch_id ORDER BY sent_at DESC, r.batch_id
        """,
    )


def batch_requests(
    con: Connection, viewer: Viewer, batch_id: str, *, as_of: date | None = None
) -> pd.DataFrame:
    """The batch's requests: need, coach, state, reason, and the request that followed."""
    require_allocator(viewer)
    lapse_due(con, as_of)
    return query_df(
        con,
        """
        SELECT r.request_id, r.need_id, sk.name AS skill_name, r.coach_ref,
               sc.name AS coach_school, r.status, r.reply_by, r.reason, r.decided_at,
               (SELECT min(x.request_id) FROM match_requests x
                WHERE x.reoffer_of = r.request_id) AS followed_by
        FROM match_requests r JOIN schools sc ON sc.school_id = r.coach_school_id
        LEFT JOIN skills sk ON sk.skill_id = r.skill_id
        WHERE r.batch_id = ? ORDER BY r.request_id
        """,
        [batch_id],
    )
