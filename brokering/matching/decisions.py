"""What accepting a request does, and the checks before it (used by `requests.decide`).

Why apart from `requests`: a decision is the one step two people may take at once — two
leaders of the asked school answering the same request from their own screens. The state is
therefore moved with a conditional update (`status = 'pending'` in the WHERE clause) inside the
decision's transaction: whichever writes first wins, the other is told who answered, and
nothing of the second is written. DuckDB reports two open transactions on the same row as a
conflict; that, too, becomes the same plain message.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import duckdb

from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.matching.capacity import capacity_left
from brokering.matching.needs import _event, get_need
from brokering.matching.params import MatchParams
from brokering.viewer import Viewer, operator

if TYPE_CHECKING:  # pragma: no cover
    from brokering.matching.requests import Request

#: Shown to the second of two leaders answering the same request at once.
ALREADY_ANSWERED = (
    "Request {id} was answered by someone else a moment ago ({state}): nothing of yours was "
    "saved. Reload to see the decision."
)


def claim(
    con: Connection, viewer: Viewer, request_id: int, to: str, reason: str | None, **extra: object
) -> None:
    """Move a pending request to `to`, or refuse if someone else moved it first. Call inside
    the decision's transaction. `extra` sets further columns (names from code only)."""
    sets = "".join(f", {name} = ?" for name in extra)
    try:
        rows = con.execute(
            "UPDATE match_requests SET status = ?, decided_by = ?, decided_role = ?, "  # noqa: S608
            f"decided_school_id = ?, decided_at = current_timestamp, reason = ?{sets} "
            "WHERE request_id = ? AND status = 'pending' RETURNING request_id",
            [
                to,
                viewer.username,
                viewer.role,
                viewer.school_id,
                reason,
                *extra.values(),
                int(request_id),
            ],
        ).fetchall()
    except duckdb.TransactionException as exc:
        raise ValidationError(ALREADY_ANSWERED.format(id=request_id, state="in progress")) from exc
    if not rows:
        state = con.execute(
            "SELECT status FROM match_requests WHERE request_id = ?", [int(request_id)]
        ).fetchall()
        raise ValidationError(
            ALREADY_ANSWERED.format(id=request_id, state=state[0][0] if state else "gone")
        )


def check_agreement(agreed_on: date | None, today: date, coach_ref: str) -> None:
    """Accepting is done for a colleague: the leader confirms, with the date, that they agreed."""
    if agreed_on is None:
        raise ValidationError(
            f"Tick that {coach_ref} agreed to this, and give the date they agreed: a school "
            "accepts for a colleague only with their agreement."
        )
    if agreed_on > today:
        raise ValidationError(
            f"The date {coach_ref} agreed ({agreed_on:%d %B %Y}) is in the future."
        )


def _check_accept(con: Connection, request: Request, today: date, params: MatchParams) -> None:
    need = get_need(con, operator("system"), request.need_id)
    if need.status != "open":
        raise ValidationError(f"{need.need_id} is already {need.status}; decline this request.")
    left = con.execute(
        "SELECT staff_ref, left_on FROM staff WHERE staff_ref IN (?, ?) AND left_on IS NOT NULL",
        [request.coach_ref, request.coachee_ref],
    ).fetchall()
    if left:
        raise ValidationError(f"{left[0][0]} has left, so this relationship cannot start.")
    hours = capacity_left(
        con,
        operator("system"),
        as_of=today,
        staff_refs=[request.coach_ref],
        default_hours=params.default_hours,
    ).iloc[0]
    if hours["capacity_hours"] - hours["hours_used"] - hours["hours_reserved"] < -1e-9:
        raise ValidationError(
            f"{request.coach_ref} no longer has {request.hours:g} hours free this term "
            f"({hours['capacity_hours']:g} in all, {hours['hours_used']:g} already given)."
        )
    if con.execute(
        "SELECT 1 FROM coaching WHERE coach_ref = ? AND coachee_ref = ? AND skill_id = ? "
        "AND mode = ? AND start_date = ?",
        [request.coach_ref, request.coachee_ref, request.skill_id, request.mode, today],
    ).fetchall():
        raise ValidationError("That relationship is already recorded as starting today.")


def make_relationship(con: Connection, viewer: Viewer, request: Request, today: date) -> None:
    """The coaching row, the need matched, the need's other waiting requests withdrawn."""
    before = get_need(con, operator("system"), request.need_id)
    con.execute(
        "INSERT INTO coaching (coach_ref, coachee_ref, skill_id, mode, start_date, hours) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            request.coach_ref,
            request.coachee_ref,
            request.skill_id,
            request.mode,
            today,
            request.hours,
        ],
    )
    con.execute("UPDATE needs SET status = 'matched' WHERE need_id = ?", [request.need_id])
    con.execute(
        "UPDATE match_requests SET status = 'withdrawn', decided_by = ?, decided_role = ?, "
        "decided_school_id = ?, decided_at = current_timestamp, "
        "reason = 'Another request for this need was accepted' "
        "WHERE need_id = ? AND status = 'pending' AND request_id <> ?",
        [viewer.username, viewer.role, viewer.school_id, request.need_id, request.request_id],
    )
    after = get_need(con, operator("system"), request.need_id)
    _event(
        con,
        viewer,
        request.need_id,
        "matched",
        before,
        after,
        f"Request {request.request_id} accepted",
    )
