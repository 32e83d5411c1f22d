"""Commands for finding expertise: `find "QUERY"` and `optimise`.

A thin wrapper over `brokering.find` (the same functions the Find expertise page calls) and
`brokering.maintenance`. The `find --json` shape is documented in docs/CLI.md and pinned by
tests/test_find_cli.py; an ambiguous or unmatched query exits with status 3.
"""

from __future__ import annotations

import argparse

from brokering.cli.common import emit, fraction, iso_date
from brokering.db import Connection
from brokering.find import RANK_BY, FindResult, find_expertise
from brokering.find.maintenance import optimise
from brokering.find.query import QueryNotResolved
from brokering.viewer import Viewer


def _text(result: FindResult) -> str:
    phase = f" ({', '.join(result.phases)})" if result.phases else ""
    lines = [f"{result.skill_name}{phase}, ranked by {result.rank_by}:"]
    if result.query and result.query.phase_words and result.phases:
        lines[0] += f"  [“{' '.join(result.query.phase_words)}” read as {', '.join(result.phases)}]"
    if result.empty:
        lines.append(result.message)
        lines += [f"  - {r.name}" for r in result.related]
        return "\n".join(lines)
    lines.append(
        f"{'#':>3}  {'ref':<14} {'school':<28} {'role':<18} {'practice':>8} {'coaching':>8} "
        f"{'conf.':>5} {'evid.':>5}  latest"
    )
    for r in result.rows.itertuples(index=False):
        latest = (
            ""
            if r.latest_evidence is None or r.latest_evidence != r.latest_evidence
            else (str(r.latest_evidence)[:10])
        )
        lines.append(
            f"{r.rank:>3}  {r.staff_ref:<14} {str(r.school)[:28]:<28} {str(r.role)[:18]:<18} "
            f"{r.practice_score:>8.1f} {r.coaching_score:>8.1f} {r.confidence:>5.2f} "
            f"{r.evidence_count:>5}  {latest}"
        )
    return "\n".join(lines)


def cmd_find(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    try:
        result = find_expertise(
            con,
            viewer,
            args.query,
            phase=args.phase,
            school_id=args.school,
            top=args.top,
            rank_by=args.rank_by,
            blend=args.blend,
            as_of=args.as_of,
        )
    except QueryNotResolved as exc:
        emit(
            args,
            {
                "ok": False,
                "status": exc.status,
                "error": str(exc),
                "query": exc.text,
                "phase": list(exc.phases),
                "suggestions": exc.suggestions,
            },
            f"{exc}\nDid you mean: {', '.join(exc.suggestions)}" if exc.suggestions else str(exc),
        )
        return 3
    emit(args, result.to_dict(), _text(result))
    return 0


def cmd_optimise(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    if viewer.role != "alliance_admin":
        print("Only the alliance administrator lays out the store.")
        return 1
    counts = optimise(con)
    emit(
        args,
        {"ok": True, **counts},
        f"Evidence and coaching re-ordered; {counts['find_parts']:,} score parts rebuilt.",
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "find",
        help="Find the strongest practitioners (and coaches) of a skill.",
        description='Rank staff by practice or coaching strength in a skill, e.g. "yr 6 maths".',
    )
    p.add_argument("query", help="A skill as you would say it: “phonics”, “A level chemistry”.")
    p.add_argument("--phase", help="Key stage filter (EYFS, KS1 … KS5, or “Year 6”, “GCSE”).")
    p.add_argument("--school", help="Only staff of this school (its school_id).")
    p.add_argument("--top", type=int, default=20, help="How many to list (default 20).")
    p.add_argument("--rank-by", choices=RANK_BY, default="practice", dest="rank_by")
    p.add_argument(
        "--blend",
        type=fraction("the blend (coaching's share)"),
        default=0.5,
        help="With --rank-by blend: coaching's share of the score, 0 to 1 (default 0.5).",
    )
    p.add_argument("--as-of", type=iso_date, dest="as_of", help="Score as on this date.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_find)

    p = sub.add_parser(
        "optimise",
        help="Re-lay the store for fast finds (run after a large import).",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_optimise)
