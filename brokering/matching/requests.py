"""Requests: a leader asks for a candidate, the candidate's school accepts or declines.

Why the candidate's school decides: it knows the person's timetable and commitments, and the
request spends that school's coaching hours. So a request goes to the candidate's school; its
headteacher, a senior leader or its SLE coordinator accepts or declines with a reason. An
accepted request becomes a coaching (or mentoring) relationship in `coaching`, the need
becomes matched, and other requests still waiting for that need are withdrawn. Every request
and decision is kept with who and when, and audited.

Moves: pending -> accepted | declined | withdrawn. Every other move is refused. A pending
request holds the candidate's hours (see `capacity`), so two schools cannot be promised the
same hours while both wait for a reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from brokering import audit
from brokering.db import Connection, query_df, transaction
from brokering.errors import NotFoundError, ValidationError
from brokering.find import maintenance
from brokering.matching.candidates import rank_candidates
from brokering.matching.capacity import capacity_left
from brokering.matching.needs import Need, _event, get_need
from brokering.matching.params import DEFAULT_MATCH_PARAMS, MatchParams
from brokering.matching.rules import require_decider, require_need_manager
from brokering.scoring import DEFAULT_PARAMS, ScoringParams
from brokering.settings import MAX_TEXT_LENGTH
from brokering.viewer import Viewer, operator
from brokering.visibility import visible_staff_sql

STATUSES = ("pending", "accepted", "declined", "withdrawn")
MOVES = {"pending": ("accepted", "declined", "withdrawn")}
MODES = {"coach": "coaching", "mentor": "mentoring"}
#: One request row; shared with the allocation's commit so both write the same columns.
INSERT_SQL = """
    INSERT INTO match_requests (need_id, coach_ref, coach_school_id, coachee_ref, skill_id,
        mode, hours, match_score, source, batch_id, note, requested_by, requested_role,
        requested_school_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


@dataclass(frozen=True)
class Request:
    request_id: int
    need_id: str
    coach_ref: str
    coach_school_id: str
    coachee_ref: str
    skill_id: str
    mode: str
    hours: float
    match_score: float | None
    status: str
    reason: str | None
    pairing_id: str | None


def _get(con: Connection, request_id: int) -> Request:
    rows = con.execute(
        "SELECT request_id, need_id, coach_ref, coach_school_id, coachee_ref, skill_id, mode, "
        "hours, match_score, status, reason, pairing_id FROM match_requests WHERE request_id = ?",
        [int(request_id)],
    ).fetchall()
    if not rows:
        raise NotFoundError(f"There is no request {request_id}.")
    return Request(*rows[0])


def _school_name(con: Connection, school_id: str) -> str:
    rows = con.execute("SELECT name FROM schools WHERE school_id = ?", [school_id]).fetchall()
    return rows[0][0] if rows else school_id


def _check_text(text: str | None, what: str) -> str | None:
    text = (text or "").strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(f"The {what} is longer than {MAX_TEXT_LENGTH} characters.")
    return text or None


def _insert(
    con: Connection,
    viewer: Viewer,
    need: Need,
    coach_ref: str,
    coach_school_id: str,
    mode: str,
    hours: float,
    score: float | None,
    source: str,
    batch_id: str | None,
    note: str | None,
) -> int:
    """One request row; callers hold the transaction and have checked the rules."""
    return int(
        con.execute(
            INSERT_SQL + " RETURNING request_id",
            [
                need.need_id,
                coach_ref,
                coach_school_id,
                need.staff_ref,
                need.skill_id,
                mode,
                hours,
                score,
                source,
                batch_id,
                note,
                viewer.username,
                viewer.role,
                viewer.school_id,
            ],
        ).fetchall()[0][0]
    )


def _pending_for(con: Connection, need_id: str, coach_ref: str) -> bool:
    return bool(
        con.execute(
            "SELECT 1 FROM match_requests WHERE need_id = ? AND coach_ref = ? "
            "AND status = 'pending'",
            [need_id, coach_ref],
        ).fetchall()
    )


def send_request(
    con: Connection,
    viewer: Viewer,
    need_id: str,
    coach_ref: str,
    *,
    note: str | None = None,
    as_of: date | None = None,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
    scoring: ScoringParams = DEFAULT_PARAMS,
) -> Request:
    """Ask the candidate's school for `coach_ref` on an open need; the candidate must be
    proposable for it right now (rules and hours re-checked, not taken from a stale list)."""
    need = get_need(con, viewer, need_id)
    require_need_manager(viewer, need.school_id, need.school_name)
    if need.status != "open":
        raise ValidationError(f"{need_id} is {need.status}; requests are sent for open needs only.")
    note = _check_text(note, "note")
    if _pending_for(con, need_id, coach_ref):
        raise ValidationError(
            f"A request for {coach_ref} on {need_id} is already awaiting an answer."
        )
    candidates = rank_candidates(
        con, viewer, need, as_of=as_of, params=params, scoring=scoring, audited=False
    )
    row = candidates.row(coach_ref)
    if not row["proposable"]:
        raise ValidationError(f"{coach_ref} cannot be asked: {row['not_proposed_reason']}.")
    mode = MODES[str(row["proposed_as"])]
    with transaction(con):
        request_id = _insert(
            con,
            viewer,
            need,
            coach_ref,
            str(row["school_id"]),
            mode,
            float(row["need_hours"]),
            float(row["match_score"]),
            "candidates",
            None,
            note,
        )
    audit.record(
        con,
        viewer,
        "request.send",
        {"request_id": request_id, "need_id": need_id, "coach": coach_ref},
    )
    return _get(con, request_id)


def list_requests(
    con: Connection,
    viewer: Viewer,
    *,
    direction: str | None = None,
    statuses: tuple[str, ...] | list[str] | None = None,
) -> pd.DataFrame:
    """Requests the viewer deals with: `incoming` (to their school), `outgoing` (for their
    school's needs), or both; alliance-wide roles without a school see every request. The
    person with the need is named only to viewers who may see them."""
    viewer.require_listing()
    vis, vis_params = visible_staff_sql(viewer, "ce")
    if direction not in (None, "incoming", "outgoing"):
        raise ValidationError("Direction is incoming, outgoing, or blank for both.")
    if direction and not viewer.school_id:
        raise ValidationError("Choose a school to see the requests it has sent or received.")
    where: list[str] = []
    params: list[object] = []
    if direction == "incoming":
        where.append("r.coach_school_id = ?")
        params.append(viewer.school_id)
    elif direction == "outgoing":
        where.append("ce.school_id = ?")
        params.append(viewer.school_id)
    elif viewer.school_id:
        where.append("(r.coach_school_id = ? OR ce.school_id = ?)")
        params += [viewer.school_id, viewer.school_id]
    if statuses:
        where.append("list_contains(?::VARCHAR[], r.status)")
        params.append(list(statuses))
    sql = f"""
        SELECT r.request_id, r.status, r.need_id, sk.name AS skill_name, n.priority,
               CASE WHEN {vis} THEN r.coachee_ref END AS coachee_ref,
               ces.name AS coachee_school, r.coach_ref, cs.name AS coach_school,
               r.coach_school_id, ce.school_id AS coachee_school_id, r.mode, r.hours,
               r.match_score, r.source, r.note, r.requested_by, r.requested_at,
               r.decided_by, r.decided_at, r.reason
        FROM match_requests r
        JOIN staff ce ON ce.staff_ref = r.coachee_ref
        JOIN schools ces ON ces.school_id = ce.school_id
        JOIN schools cs ON cs.school_id = r.coach_school_id
        LEFT JOIN skills sk ON sk.skill_id = r.skill_id
        LEFT JOIN needs n ON n.need_id = r.need_id
        WHERE {" AND ".join(where) or "TRUE"}
        ORDER BY CASE r.status WHEN 'pending' THEN 0 ELSE 1 END, r.requested_at, r.request_id
    """  # noqa: S608 - fragments are code; values are parameters
    return query_df(con, sql, [*vis_params, *params])


def _refuse_move(request: Request, to: str) -> None:
    if to not in MOVES.get(request.status, ()):
        raise ValidationError(
            f"Request {request.request_id} is already {request.status}; it cannot be {to}."
        )


def decide(
    con: Connection,
    viewer: Viewer,
    request_id: int,
    *,
    accept: bool,
    reason: str = "",
    today: date | None = None,
    also_pairing: bool = False,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
) -> Request:
    """Accept or decline a pending request, as a leader of the candidate's school."""
    request = _get(con, request_id)
    to = "accepted" if accept else "declined"
    _refuse_move(request, to)
    require_decider(viewer, request.coach_school_id, _school_name(con, request.coach_school_id))
    text = _check_text(reason, "reason")
    if not accept and not text:
        raise ValidationError("Say why the request is declined: the other school will read it.")
    today = today or date.today()
    if accept:
        _check_accept(con, request, today, params)
    with transaction(con):
        con.execute(
            "UPDATE match_requests SET status = ?, decided_by = ?, decided_role = ?, "
            "decided_school_id = ?, decided_at = current_timestamp, reason = ?, "
            "coaching_start = ? WHERE request_id = ?",
            [
                to,
                viewer.username,
                viewer.role,
                viewer.school_id,
                text,
                today if accept else None,
                request.request_id,
            ],
        )
        if accept:
            _make_relationship(con, viewer, request, today)
            if also_pairing:
                pairing_id = pairing_from_request(con, viewer, request)
                con.execute(
                    "UPDATE match_requests SET pairing_id = ? WHERE request_id = ?",
                    [pairing_id, request.request_id],
                )
    audit.record(con, viewer, f"request.{to}", {"request_id": request.request_id, "reason": text})
    if accept:  # the new coaching row: keep the stored find parts current for its coach
        maintenance.refresh_people(con, [request.coach_ref], coaching_added=1)
    return _get(con, request.request_id)


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


def _make_relationship(con: Connection, viewer: Viewer, request: Request, today: date) -> None:
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


def withdraw_request(
    con: Connection, viewer: Viewer, request_id: int, *, reason: str = ""
) -> Request:
    """The asking side takes a pending request back (found someone else, need changed)."""
    request = _get(con, request_id)
    _refuse_move(request, "withdrawn")
    need = get_need(con, operator("system"), request.need_id)
    require_need_manager(viewer, need.school_id, need.school_name)
    text = _check_text(reason, "reason")
    with transaction(con):
        con.execute(
            "UPDATE match_requests SET status = 'withdrawn', decided_by = ?, decided_role = ?, "
            "decided_school_id = ?, decided_at = current_timestamp, reason = ? "
            "WHERE request_id = ?",
            [viewer.username, viewer.role, viewer.school_id, text, request.request_id],
        )
    audit.record(con, viewer, "request.withdrawn", {"request_id": request.request_id})
    return _get(con, request.request_id)


def pairing_from_request(con: Connection, viewer: Viewer, request: Request) -> str:
    """HOOK for the pairings issue: turn an accepted request into a JPD pairing.

    Called inside the acceptance's transaction, so a refusal undoes the acceptance too. The
    pairings module provides `brokering.pairings.pairing_from_request(con, viewer, request)`
    returning the new pairing's id, writing without opening a transaction of its own."""
    try:
        from brokering.pairings import pairing_from_request as make  # type: ignore[attr-defined]
    except ImportError as exc:
        raise ValidationError(
            "JPD pairings are not available yet: accept without making a pairing."
        ) from exc
    return str(make(con, viewer, request))
