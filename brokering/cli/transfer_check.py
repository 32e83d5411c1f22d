"""`python -m brokering pairings-transfer-check [--json]`: a one-off check listing pairings
recorded as transferred that the transfer rule no longer supports. It lists; it never changes
a status (docs/PAIRINGS.md, the transfer rule)."""

from __future__ import annotations

import argparse

from brokering.cli.common import emit
from brokering.cli.pairings import records
from brokering.db import Connection
from brokering.pairings import transfer_check
from brokering.viewer import Viewer


def cmd_transfer_check(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    frame = transfer_check.not_qualifying(con, viewer)
    text = (
        "Every pairing recorded as transferred meets the transfer rule."
        if frame.empty
        else f"{len(frame)} pairing(s) recorded as transferred do not meet the transfer rule "
        "(listed, not changed):\n"
        + "\n".join(f"  {r.pairing_id} {r.practice}: {r.why}" for r in frame.itertuples())
    )
    emit(args, {"ok": True, "count": len(frame), "pairings": records(frame)}, text)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pairings-transfer-check",
        help="List pairings recorded as transferred that the transfer rule does not support.",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_transfer_check)
