"""Commands for coaches and mentors: `match` and `allocate` (`needs ...` and `requests ...`
are in `needs`).

A thin wrapper over `brokering.matching`, the same functions the pages call. Every `--json`
output is documented in docs/MATCHING.md (and docs/CLI.md points there) and pinned by tests.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from brokering.cli.common import emit, fraction, iso_date, plain, records
from brokering.db import Connection
from brokering.exporting import to_csv_bytes
from brokering.importing.spec import WANTED_ROLES
from brokering.matching import allocation, candidates
from brokering.matching.commit import Commit, commit_allocation
from brokering.viewer import Viewer

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
    for rec, (_, r) in zip(records(frame, CANDIDATE_KEYS), frame.iterrows(), strict=True):
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
    plan: allocation.AllocationPlan, method: str, commit: Commit | None
) -> dict[str, Any]:
    chosen = plan.results[method]
    return {
        "ok": True,
        "as_of": plan.as_of.isoformat(),
        "term": plan.term_label,
        "school_cap": plan.school_cap,
        "awaiting_reply": plan.awaiting_reply,
        "methods": {
            name: {k: plain(getattr(r, k)) for k in METHOD_KEYS} | {"seconds": round(r.seconds, 3)}
            for name, r in plan.results.items()
        },
        "chosen": method,
        "proposals": records(chosen.proposals, PROPOSAL_KEYS),
        "unmatchable": records(
            chosen.unmatched.rename(columns={"skill_name": "skill"}),
            ["need_id", "staff_ref", "skill", "priority", "reason"],
        ),
        "committed": (
            {"batch_id": commit.batch_id, "requests": len(commit.request_ids)} if commit else None
        ),
    }


def cmd_allocate(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    plan = allocation.plan_allocation(con, viewer, as_of=args.as_of, school_cap=args.school_cap)
    commit = commit_allocation(con, viewer, plan, args.method) if args.commit else None
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
