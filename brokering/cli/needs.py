"""`needs` and `requests`: the needs register and the requests for coaches, from the command
line, for the data manager's scripts and for schools that answer requests by e-mail.

Why apart from `match`: these write (add, edit and close needs; send, accept, decline and
withdraw requests), where `match` and `allocate` only read and propose; each command takes
the acting viewer and applies the same rules as the Coaches page.
"""

from __future__ import annotations

import argparse
from typing import Any

from brokering.cli.common import emit, iso_date, plain, records
from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.importing.spec import NEED_STATUSES, PRIORITIES, WANTED_ROLES
from brokering.matching import needs, requests
from brokering.viewer import Viewer

NEED_KEYS = [
    "need_id",
    "staff_ref",
    "school_id",
    "skill_id",
    "skill_name",
    "priority",
    "wanted_role",
    "raised_on",
    "status",
    "hours",
    "pending_requests",
]


def _need_payload(need: needs.Need) -> dict[str, Any]:
    return {
        "ok": True,
        "need": {
            "need_id": need.need_id,
            "staff_ref": need.staff_ref,
            "school_id": need.school_id,
            "skill_id": need.skill_id,
            "skill": need.skill_name,
            "priority": need.priority,
            "wanted_role": need.wanted_role,
            "raised_on": need.raised_on.isoformat(),
            "status": need.status,
            "hours": need.hours,
            "note": need.note,
        },
    }


def cmd_needs(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    if args.needs_command == "list":
        skill_id = needs.resolve_skill(con, args.skill) if args.skill else None
        frame = needs.list_needs(
            con,
            viewer,
            statuses=args.status or ("open",),
            school_id=args.school,
            skill_id=skill_id,
        )
        rows = records(frame, NEED_KEYS)
        text = (
            "\n".join(
                f"{r['need_id']:<8} {r['staff_ref']:<10} {r['school_id']:<8} {r['skill_name']:<32} "
                f"{r['priority']:<6} {r['wanted_role']:<6} {r['status']}"
                for r in rows
            )
            or "No needs match."
        )
        emit(args, {"ok": True, "needs": rows}, text)
        return 0
    if args.needs_command == "add":
        need = needs.add_need(
            con,
            viewer,
            staff_ref=args.staff_ref,
            skill=args.skill,
            priority=args.priority,
            wanted_role=args.role,
            raised_on=args.raised_on,
            hours=args.hours,
            note=args.note,
        )
        emit(args, _need_payload(need), f"Added {need.label()}.")
        return 0
    if args.needs_command == "edit":
        changes: dict[str, Any] = {}
        if args.hours is not None:
            changes["hours"] = args.hours
        if args.note is not None:
            changes["note"] = args.note
        need = needs.edit_need(
            con,
            viewer,
            args.need_id,
            skill=args.skill,
            priority=args.priority,
            wanted_role=args.role,
            **changes,
        )
        emit(args, _need_payload(need), f"Updated {need.label()}.")
        return 0
    status = "withdrawn" if args.withdrawn else "closed"
    need = needs.close_need(con, viewer, args.need_id, status=status, reason=args.reason)
    emit(args, _need_payload(need), f"{need.need_id} is now {need.status}.")
    return 0


# --- requests ----------------------------------------------------------------------------

REQUEST_KEYS = [
    "request_id",
    "status",
    "need_id",
    "skill_name",
    "coachee_ref",
    "coachee_school_id",
    "coach_ref",
    "coach_school_id",
    "mode",
    "hours",
    "match_score",
    "source",
    "requested_by",
    "requested_at",
    "decided_by",
    "decided_at",
    "reason",
    "reply_by",
]


def _request_payload(req: requests.Request) -> dict[str, Any]:
    return {"ok": True, "request": {k: plain(v) for k, v in req.__dict__.items()}}


def cmd_requests(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    sub = args.requests_command
    if sub == "list":
        frame = requests.list_requests(
            con, viewer, direction=args.direction, statuses=args.status or None
        )
        rows = records(frame, REQUEST_KEYS)
        text = (
            "\n".join(
                f"#{r['request_id']:<5} {r['status']:<9} {r['need_id']:<8} "
                f"{r['skill_name'] or '':<28} "
                f"{r['coachee_ref'] or '(not shared)'} -> {r['coach_ref']} ({r['coach_school_id']})"
                for r in rows
            )
            or "No requests."
        )
        emit(args, {"ok": True, "requests": rows}, text)
        return 0
    if sub == "send":
        req = requests.send_request(
            con,
            viewer,
            args.need_id,
            args.coach_ref,
            note=args.note,
            as_of=args.as_of,
            reply_by=args.reply_by,
        )
        text = f"Request #{req.request_id} sent to {req.coach_school_id} for {req.coach_ref}."
    elif sub in ("accept", "decline"):
        req = requests.decide(
            con,
            viewer,
            args.request_id,
            accept=sub == "accept",
            reason=args.reason or "",
            colleague_agreed_on=getattr(args, "agreed_on", None),
            today=args.as_of,
        )
        text = f"Request #{req.request_id} {req.status}."
    elif sub == "withdraw":
        req = requests.withdraw_request(con, viewer, args.request_id, reason=args.reason or "")
        text = f"Request #{req.request_id} withdrawn."
    else:  # pragma: no cover - argparse restricts the choices
        raise ValidationError(f"Unknown requests command '{sub}'.")
    emit(args, _request_payload(req), text)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("needs", help="The needs register: list, add, edit, close.")
    nsub = p.add_subparsers(dest="needs_command", required=True)
    q = nsub.add_parser("list", help="Needs you may see (open ones unless --status).")
    q.add_argument("--status", action="append", choices=NEED_STATUSES)
    q.add_argument("--school")
    q.add_argument("--skill")
    q.add_argument("--json", action="store_true")
    q = nsub.add_parser("add", help="Add an open need.")
    q.add_argument("staff_ref")
    q.add_argument("skill")
    q.add_argument("--priority", choices=PRIORITIES, default="medium")
    q.add_argument("--role", choices=WANTED_ROLES, default="either")
    q.add_argument("--hours", type=float)
    q.add_argument("--note")
    q.add_argument("--raised-on", type=iso_date)
    q.add_argument("--json", action="store_true")
    q = nsub.add_parser("edit", help="Change an open need.")
    q.add_argument("need_id")
    q.add_argument("--skill")
    q.add_argument("--priority", choices=PRIORITIES)
    q.add_argument("--role", choices=WANTED_ROLES)
    q.add_argument("--hours", type=float)
    q.add_argument("--note")
    q.add_argument("--json", action="store_true")
    q = nsub.add_parser("close", help="Close (or --withdrawn) a need, with a reason.")
    q.add_argument("need_id")
    q.add_argument("--withdrawn", action="store_true")
    q.add_argument("--reason", default="")
    q.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_needs)

    p = sub.add_parser("requests", help="Requests for coaches: list, send, accept, decline.")
    rsub = p.add_subparsers(dest="requests_command", required=True)
    q = rsub.add_parser("list", help="Requests to or from your school (all, for the admin).")
    q.add_argument("--incoming", dest="direction", action="store_const", const="incoming")
    q.add_argument("--outgoing", dest="direction", action="store_const", const="outgoing")
    q.add_argument("--status", action="append", choices=requests.STATUSES)
    q.add_argument("--json", action="store_true")
    q = rsub.add_parser("send", help="Ask a candidate's school for them on a need.")
    q.add_argument("need_id")
    q.add_argument("coach_ref")
    q.add_argument("--note")
    q.add_argument("--as-of", type=iso_date)
    q.add_argument(
        "--reply-by", type=iso_date, help="Last day to answer (default: the alliance's setting)."
    )
    q.add_argument("--json", action="store_true")
    for name, helptext in (
        ("accept", "Accept a request to your school."),
        ("decline", "Decline a request to your school (give --reason)."),
        ("withdraw", "Take back a request your school sent."),
    ):
        q = rsub.add_parser(name, help=helptext)
        q.add_argument("request_id", type=int)
        q.add_argument("--reason")
        q.add_argument("--as-of", type=iso_date, help="Decide as of this date (default today).")
        if name == "accept":
            q.add_argument(
                "--agreed-on",
                type=iso_date,
                metavar="DATE",
                help="The day your colleague agreed to this (required to accept).",
            )
        q.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_requests)
