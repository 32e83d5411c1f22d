"""Commands for coaches and mentors: `match`, `allocate`, `needs ...` and `requests ...`.

A thin wrapper over `brokering.matching`, the same functions the pages call. Every `--json`
output is documented in docs/MATCHING.md (and docs/CLI.md points there) and pinned by tests.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from brokering.cli.common import emit, fraction, iso_date
from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.exporting import to_csv_bytes
from brokering.importing.spec import NEED_STATUSES, PRIORITIES, WANTED_ROLES
from brokering.matching import allocation, candidates, needs, requests
from brokering.viewer import Viewer


def _plain(value: Any) -> Any:
    """JSON-friendly scalars: NaN/NaT -> None, numpy -> Python, timestamps -> ISO text (a
    date alone when there is no time of day)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        if value == value.normalize():
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if hasattr(value, "tolist"):
        value = value.tolist()
        if isinstance(value, list):
            return [_plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [
        {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame[columns].itertuples(index=False)
    ]


# --- match -------------------------------------------------------------------------------

CANDIDATE_KEYS = [
    "rank",
    "staff_ref",
    "school_id",
    "proposed_as",
    "match_score",
    "proposable",
    "expertise_score",
    "expertise_source",
    "coaching_score",
    "mentoring_score",
    "hours_left",
    "phase_fit",
    "distance_km",
    "is_line_manager",
]


def match_payload(result: candidates.CandidateList, top: int | None) -> dict[str, Any]:
    need = result.need
    frame = result.frame.head(top) if top else result.frame
    rows = []
    for rec, (_, r) in zip(_records(frame, CANDIDATE_KEYS), frame.iterrows(), strict=True):
        rec["not_proposed_reason"] = r["not_proposed_reason"] or None
        rec["flags"] = [f for f in str(r["flags"]).split("; ") if f]
        rec["parts"] = {p: float(r[f"part_{p}"]) for p in candidates.model.PART_NAMES}
        rows.append(rec)
    return {
        "ok": True,
        "need": {
            "need_id": need.need_id or None,
            "staff_ref": need.staff_ref,
            "school_id": need.school_id,
            "skill_id": need.skill_id,
            "skill": need.skill_name,
            "wanted_role": need.wanted_role,
            "hours": need.effective_hours(result.params.default_hours),
            "status": need.status,
        },
        "term": result.term_label,
        "close_skills": list(result.close_skills),
        "candidates": rows,
    }


def cmd_match(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    result = candidates.candidates_for(
        con,
        viewer,
        args.staff_ref,
        args.skill,
        wanted_role=args.role,
        hours=args.hours,
        as_of=args.as_of,
    )
    payload = match_payload(result, args.top)
    lines = [
        f"Candidates for {result.need.staff_ref} ({result.need.school_name}) in "
        f"{result.need.skill_name}, as {result.need.wanted_role}"
        + (f" — need {result.need.need_id}" if result.need.need_id else " — no need recorded")
        + f"; hours left in {result.term_label}:"
    ]
    for c in payload["candidates"]:
        mark = "proposed" if c["proposable"] else f"not proposed: {c['not_proposed_reason']}"
        parts = ", ".join(f"{k} {v:+.1f}" for k, v in c["parts"].items())
        flags = f" [{'; '.join(c['flags'])}]" if c["flags"] else ""
        lines.append(
            f"{c['rank']:>3}. {c['staff_ref']:<10} {c['school_id']:<8} {c['proposed_as']:<6} "
            f"{c['match_score']:>5.1f}  ({parts}); {c['hours_left']:g} h left — {mark}{flags}"
        )
    if not payload["candidates"]:
        lines.append("Nobody you can see has expertise in this skill or a close one.")
    emit(args, payload, "\n".join(lines))
    return 0


# --- allocate ----------------------------------------------------------------------------

PROPOSAL_KEYS = [
    "need_id",
    "staff_ref",
    "school_id",
    "skill_id",
    "priority",
    "coach_ref",
    "coach_school_id",
    "proposed_as",
    "hours",
    "match_score",
]
METHOD_KEYS = [
    "total_quality",
    "needs_covered",
    "needs_considered",
    "schools_involved",
    "cross_school",
    "solver",
    "status",
    "seconds",
]


def allocate_payload(
    plan: allocation.AllocationPlan, method: str, commit: allocation.Commit | None
) -> dict[str, Any]:
    chosen = plan.results[method]
    return {
        "ok": True,
        "as_of": plan.as_of.isoformat(),
        "term": plan.term_label,
        "school_cap": plan.school_cap,
        "awaiting_reply": plan.awaiting_reply,
        "methods": {
            name: {k: _plain(getattr(r, k)) for k in METHOD_KEYS} | {"seconds": round(r.seconds, 3)}
            for name, r in plan.results.items()
        },
        "chosen": method,
        "proposals": _records(chosen.proposals, PROPOSAL_KEYS),
        "unmatchable": _records(
            chosen.unmatched.rename(columns={"skill_name": "skill"}),
            ["need_id", "staff_ref", "skill", "priority", "reason"],
        ),
        "committed": (
            {"batch_id": commit.batch_id, "requests": len(commit.request_ids)} if commit else None
        ),
    }


def cmd_allocate(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    plan = allocation.plan_allocation(con, viewer, as_of=args.as_of, school_cap=args.school_cap)
    commit = allocation.commit_allocation(con, viewer, plan, args.method) if args.commit else None
    chosen = plan.results[args.method]
    if args.out:
        Path(args.out).write_bytes(to_csv_bytes(chosen.proposals))
    lines = [
        f"Allocation for {plan.term_label}"
        + (f", school outflow cap {plan.school_cap:.0%}" if plan.school_cap is not None else "")
        + f" ({plan.awaiting_reply} open need(s) already awaiting a reply left out):"
    ]
    lines += [
        f"  {r.method:<8} quality {r.total_quality:>8.1f}  covered {r.needs_covered}/"
        f"{r.needs_considered}  schools {r.schools_involved}  cross-school {r.cross_school}  "
        f"({r.solver}, {r.seconds:.2f} s)"
        for r in plan.results.values()
    ]
    lines.append(f"Proposals ({args.method}):")
    lines += [
        f"  {p.need_id} {p.staff_ref} ({p.school_id}) {p.skill_name}: {p.coach_ref} "
        f"({p.coach_school_id}) as {p.proposed_as}, {p.match_score:.1f}"
        for p in chosen.proposals.itertuples()
    ]
    if not chosen.unmatched.empty:
        lines.append("Not matched:")
        lines += [
            f"  {u.need_id} {u.staff_ref} {u.skill_name}: {u.reason}"
            for u in chosen.unmatched.itertuples()
        ]
    lines.append(
        f"Committed {len(commit.request_ids)} request(s) as batch {commit.batch_id}."
        if commit
        else "Preview only: add --commit to send these as requests."
    )
    emit(args, allocate_payload(plan, args.method, commit), "\n".join(lines))
    return 0


# --- needs -------------------------------------------------------------------------------

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
        rows = _records(frame, NEED_KEYS)
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
    return {"ok": True, "request": {k: _plain(v) for k, v in req.__dict__.items()}}


def cmd_requests(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    sub = args.requests_command
    if sub == "list":
        frame = requests.list_requests(
            con, viewer, direction=args.direction, statuses=args.status or None
        )
        rows = _records(frame, REQUEST_KEYS)
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
    p = sub.add_parser("match", help="Candidates to coach or mentor one person in one skill.")
    p.add_argument("staff_ref")
    p.add_argument("skill", help="A skill name, alias or close spelling.")
    p.add_argument("--role", choices=WANTED_ROLES, help="coach, mentor or either.")
    p.add_argument("--hours", type=float, help="Hours a term the relationship takes.")
    p.add_argument("--top", type=int, help="Show only the first N candidates.")
    p.add_argument("--as-of", type=iso_date, help="Score as of this date (default today).")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_match)

    p = sub.add_parser("allocate", help="Allocate every open need at once (preview or commit).")
    p.add_argument("--method", choices=allocation.METHODS, default="optimal")
    p.add_argument(
        "--school-cap",
        type=fraction("the school cap"),
        metavar="FRACTION",
        help="Share of a school's coaching capacity that may go to other schools.",
    )
    p.add_argument("--commit", action="store_true", help="Send the proposals as requests.")
    p.add_argument("--out", help="Also write the proposals to this CSV file.")
    p.add_argument("--as-of", type=iso_date, help="Allocate as of this date (default today).")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_allocate)

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
