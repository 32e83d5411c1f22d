"""`python -m brokering undo BATCH`: put the store back as it was before an applied import
(the batch id is in the import's report and on the Data page). Refused, with the reason, when
a later batch or the app has built on what the batch wrote."""

from __future__ import annotations

import argparse

from brokering.db import Connection
from brokering.importing.batches import undo
from brokering.viewer import Viewer


def cmd_undo(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    from brokering.cli import emit
    from brokering.find.maintenance import after_import

    done = undo(con, viewer, args.batch)
    after_import(con, True)
    removed = ", ".join(f"{n:,} {t}" for t, n in done.removed.items()) or "nothing"
    restored = ", ".join(f"{n:,} {t}" for t, n in done.restored.items()) or "nothing"
    emit(
        args,
        {
            "ok": True,
            "batch_id": done.import_id,
            "removed": done.removed,
            "restored": done.restored,
        },
        f"Import batch {done.import_id} undone: removed {removed}; put back {restored}.",
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("undo", help="Undo an applied import batch (see its report's batch id).")
    p.add_argument("batch", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_undo)
