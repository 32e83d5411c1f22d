"""Requests: a leader asks for a candidate, the candidate's school accepts or declines.

Why the candidate's school decides: it knows the person's timetable and commitments, and the
request spends that school's coaching hours. So a request goes to the candidate's school; its
headteacher, a senior leader or its SLE coordinator accepts or declines with a reason. An
accepted request becomes a coaching (or mentoring) relationship in `coaching`, the need
becomes matched, and other requests still waiting for that need are withdrawn. Every request
and decision is kept with who and when, and audited.

Moves: pending -> accepted | declined | withdrawn | lapsed. Every other move is refused. A
pending request holds the candidate's hours (see `capacity`), so two schools cannot be promised
the same hours while both wait for a reply — but only until its reply-by date (the alliance's
number of school days, `alliance_settings`): the next day it is *lapsed* (`lapse_due`), its
hours are free again, and the asking side is offered the next candidate (`lapse`). Accepting
is done on a colleague's behalf, so it records the day the colleague agreed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from brokering import alliance_settings, audit, derived_sets
from brokering.db import WRITE_LOCK, Connection, note_change, query_df, transaction
from brokering.errors import NotFoundError, ValidationError
from brokering.find import people_parts
from brokering.matching import decisions
from brokering.matching.candidates import rank_candidates
from brokering.matching.needs import Need, get_need
from brokering.matching.params import DEFAULT_MATCH_PARAMS, MatchParams
from brokering.matching.rules import require_decider, require_need_manager
from brokering.scoring import DEFAULT_PARAMS, ScoringParams
from brokering.settings import MAX_TEXT_LENGTH
from brokering.terms import add_school_days
from brokering.viewer import Viewer, operator
from brokering.visibility import visible_staff_sql

STATUSES = ("pending", "accepted", "declined", "withdrawn", "lapsed")
MOVES = {"pending": ("accepted", "declined", "withdrawn", "lapsed")}
MODES = {"coach": "coaching", "mentor": "mentoring"}
#: One request row; shared with the allocation's commit so both write the same columns.
INSERT_SQL = """
    INSERT INTO match_requests (need_id, coach_ref, coach_school_id, coachee_ref, skill_id,
        mode, hours, match_score, source, batch_id, note, requested_by, requested_role,
        requested_school_id, reply_by, reoffer_of)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
    reply_by: date | None = None
    colleague_agreed_on: date | None = None
    reoffer_of: int | None = None


_COLUMNS = (
    "request_id, need_id, coach_ref, coach_school_id, coachee_ref, skill_id, mode, hours, "
    "match_score, status, reason, pairing_id, reply_by, colleague_agreed_on, reoffer_of"
)


def _get(con: Connection, request_id: int) -> Request:
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM match_requests WHERE request_id = ?",  # noqa: S608
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
    reply_by: date,
    reoffer_of: int | None = None,
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
                reply_by,
                reoffer_of,
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


def reply_by_for(con: Connection, sent_on: date, reply_by: date | None = None) -> date:
    """The last day to answer: given (not before the day it is sent), or the alliance's
    number of school days after it is sent."""
    if reply_by is None:
        return add_school_days(sent_on, alliance_settings.get_int(con, "reply_days"))
    if reply_by < sent_on:
        raise ValidationError(
            f"The reply-by date {reply_by:%d %B %Y} is in the past: give a later date, or leave "
            "it blank for the alliance's usual time to answer."
        )
    return reply_by


def lapse_due(con: Connection, as_of: date | None = None) -> list[int]:
    """Mark every pending request past its reply-by date as lapsed (its hours are released,
    its row kept with who was asked). Safe to call on every read: it writes only when a
    request is due, and a store it cannot write (read-only, or another session lapsing the
    same rows at this moment) is left for the next call."""
    as_of = as_of or date.today()
    due = "status = 'pending' AND reply_by < ?"
    if not con.execute(f"SELECT 1 FROM match_requests WHERE {due} LIMIT 1", [as_of]).fetchall():  # noqa: S608
        return []  # the usual case: nothing written, so it is safe inside a caller's transaction
    try:  # one statement: atomic on its own; then the change mark moves (db.note_change)
        with WRITE_LOCK:
            ids = [
                int(r[0])
                for r in con.execute(
                    "UPDATE match_requests SET status = 'lapsed', decided_by = 'system', "  # noqa: S608
                    "decided_role = 'system', decided_at = CAST(reply_by + 1 AS TIMESTAMP), "
                    f"reason = 'No answer by the reply-by date' WHERE {due} RETURNING request_id",
                    [as_of],
                ).fetchall()
            ]
            if ids:
                note_change(con)
    except duckdb.Error:
        return []
    if ids:
        audit.record(con, operator("system"), "request.lapsed", {"request_ids": sorted(ids)})
    return sorted(ids)


def send_request(
    con: Connection,
    viewer: Viewer,
    need_id: str,
    coach_ref: str,
    *,
    note: str | None = None,
    as_of: date | None = None,
    reply_by: date | None = None,
    reoffer_of: int | None = None,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
    scoring: ScoringParams = DEFAULT_PARAMS,
) -> Request:
    """Ask the candidate's school for `coach_ref` on an open need; the candidate must be
    proposable for it right now (rules and hours re-checked, not taken from a stale list).
    The school answers by `reply_by` (default: the alliance's number of school days)."""
    today = as_of or date.today()
    lapse_due(con, today)
    reply_by = reply_by_for(con, today, reply_by)
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
            reply_by,
            reoffer_of,
        )
    audit.record(
        con,
        viewer,
        "request.send",
        {
            "request_id": request_id,
            "need_id": need_id,
            "coach": coach_ref,
            "reoffer_of": reoffer_of,
        },
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
        SELECT r.request_id, r.status, r.need_id, sk.name AS skill_name, n.priority, r.reply_by,
               CASE WHEN {vis} THEN r.coachee_ref END AS coachee_ref,
               ces.name AS coachee_school, r.coach_ref, cs.name AS coach_school,
               r.coach_school_id, ce.school_id AS coachee_school_id, r.mode, r.hours,
               r.match_score, r.source, r.note, r.requested_by, r.requested_at,
               r.decided_by, r.decided_at, r.reason, r.colleague_agreed_on, r.reoffer_of,
               r.batch_id
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
        why = (
            f" (nobody answered by {request.reply_by:%d %B %Y}); the asking school may ask "
            "someone else"
            if request.status == "lapsed" and request.reply_by
            else ""
        )
        raise ValidationError(
            f"Request {request.request_id} is already {request.status}{why}; it cannot be {to}."
        )


def decide(
    con: Connection,
    viewer: Viewer,
    request_id: int,
    *,
    accept: bool,
    reason: str = "",
    colleague_agreed_on: date | None = None,
    today: date | None = None,
    also_pairing: bool = False,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
) -> Request:
    """Accept or decline a pending request, as a leader of the candidate's school. Accepting
    needs the day the colleague agreed; declining needs a reason. A request past its reply-by
    date has lapsed and can no longer be answered; of two leaders answering at once, one wins
    and the other is told (`decisions.claim`)."""
    today = today or date.today()
    lapse_due(con, today)
    request = _get(con, request_id)
    to = "accepted" if accept else "declined"
    _refuse_move(request, to)
    require_decider(viewer, request.coach_school_id, _school_name(con, request.coach_school_id))
    text = _check_text(reason, "reason")
    if not accept and not text:
        raise ValidationError("Say why the request is declined: the other school will read it.")
    if accept:
        decisions.check_agreement(colleague_agreed_on, today, request.coach_ref)
        decisions._check_accept(con, request, today, params)
    with transaction(con), derived_sets.upkeep(con) as kept:
        decisions.claim(
            con,
            viewer,
            request.request_id,
            to,
            text,
            coaching_start=today if accept else None,
            colleague_agreed_on=colleague_agreed_on if accept else None,
        )
        if accept:
            decisions.make_relationship(con, viewer, request, today)
            kept.touch("coach", [request.coach_ref])
            if also_pairing:
                pairing_id = pairing_from_request(con, viewer, request)
                kept.touch("pairing", [pairing_id])
                con.execute(
                    "UPDATE match_requests SET pairing_id = ? WHERE request_id = ?",
                    [pairing_id, request.request_id],
                )
    audit.record(con, viewer, f"request.{to}", {"request_id": request.request_id, "reason": text})
    if accept:  # the new coaching row: keep the stored find parts current for its coach
        people_parts.refresh_people(con, [request.coach_ref], coaching_added=1)
    return _get(con, request.request_id)


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
        decisions.claim(con, viewer, request.request_id, "withdrawn", text)
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
