"""`python -m brokering audit verify`, `backup`, `restore`, `consent` and `robustness`: the
operator's safety commands (docs/OPERATIONS.md)."""

from __future__ import annotations

import argparse

from brokering import audit
from brokering.cli import emit
from brokering.db import Connection
from brokering.viewer import Viewer


def cmd_audit(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    viewer_may = viewer.sees_everyone
    if not viewer_may:
        emit(
            args,
            {"ok": False, "error": "Only the alliance administrator checks the trail."},
            "error: only the alliance administrator checks the audit trail.",
        )
        return 1
    result = audit.verify(con, expect=args.expect)
    lines = [
        f"Audit trail: {result.entries} entries"
        + (f" ({result.unchained} from before the chain began)" if result.unchained else ""),
    ]
    if result.ok:
        lines.append(
            "Every chained entry follows from the one before: nothing edited, inserted or deleted."
        )
    else:
        lines.append(f"TAMPERING FOUND: {len(result.problems)} problem(s)")
        lines += [f"  {p}" for p in result.problems[:50]]
    if result.head_hash:
        lines.append(
            f"Head: entry {result.head_id}, {result.head_hash} (note it elsewhere; "
            "`audit verify --expect HASH` checks it later)"
        )
    emit(args, result.to_dict(), "\n".join(lines))
    return 0 if result.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="Check the audit trail's hash chain.")
    asub = p.add_subparsers(dest="audit_command", required=True)
    q = asub.add_parser("verify", help="Find any entry edited, inserted or deleted.")
    q.add_argument("--expect", help="A head hash noted earlier, which must still be there.")
    q.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_audit)
