"""After a request lapses (or is declined): the next candidate, offered in one click.

Why: a request nobody answers should cost the asking school one click, not a fresh search.
The next candidate is the best *proposable* one on the need's list right now (rules and hours
checked afresh) who has not already been asked for this need, whatever happened to that ask;
the lapsed request stays in the history with who was asked and when, and the new request
records which one it replaces (`reoffer_of`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.matching.candidates import rank_candidates
from brokering.matching.needs import get_need
from brokering.matching.requests import Request, _get, lapse_due, send_request
from brokering.matching.rules import require_need_manager
from brokering.viewer import Viewer

#: Requests whose asking side is offered the next candidate.
REOFFERABLE = ("lapsed", "declined")


def _asked(con: Connection, need_id: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT coach_ref FROM match_requests WHERE need_id = ?", [need_id]
        ).fetchall()
    }


def _reoffered(con: Connection, request_id: int) -> int | None:
    rows = con.execute(
        "SELECT request_id FROM match_requests WHERE reoffer_of = ? ORDER BY request_id",
        [int(request_id)],
    ).fetchall()
    return int(rows[0][0]) if rows else None


def next_candidate(
    con: Connection, viewer: Viewer, request_id: int, *, as_of: date | None = None
) -> pd.Series | None:
    """The best proposable candidate for the request's need not yet asked for it, or None
    (the need is no longer open, is already being asked again, or nobody else can be)."""
    as_of = as_of or date.today()
    lapse_due(con, as_of)
    request = _get(con, request_id)
    need = get_need(con, viewer, request.need_id)
    require_need_manager(viewer, need.school_id, need.school_name)
    if request.status not in REOFFERABLE or need.status != "open":
        return None
    if _reoffered(con, request.request_id) is not None:
        return None
    if con.execute(
        "SELECT 1 FROM match_requests WHERE need_id = ? AND status = 'pending'", [need.need_id]
    ).fetchall():
        return None
    frame = rank_candidates(con, viewer, need, as_of=as_of, audited=False).frame
    asked = _asked(con, need.need_id)
    fresh = frame[frame["proposable"] & ~frame["staff_ref"].isin(asked)]
    return None if fresh.empty else fresh.iloc[0]


def reoffer(
    con: Connection,
    viewer: Viewer,
    request_id: int,
    *,
    as_of: date | None = None,
    note: str | None = None,
) -> Request:
    """Ask the next candidate for a lapsed or declined request's need (one click)."""
    request = _get(con, request_id)
    if request.status not in REOFFERABLE:
        raise ValidationError(
            f"Request {request.request_id} is {request.status}: the next candidate is offered "
            "only after a request lapses or is declined."
        )
    if (done := _reoffered(con, request.request_id)) is not None:
        raise ValidationError(
            f"Request {request.request_id} was already followed by request {done}."
        )
    row = next_candidate(con, viewer, request_id, as_of=as_of)
    if row is None:
        raise ValidationError(
            f"There is nobody else to ask for {request.need_id} now: the need is no longer "
            "open, already awaits an answer, or every proposable candidate was asked."
        )
    return send_request(
        con,
        viewer,
        request.need_id,
        str(row["staff_ref"]),
        note=note,
        as_of=as_of,
        reoffer_of=request.request_id,
    )
