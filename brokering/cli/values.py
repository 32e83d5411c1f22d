"""`python -m brokering values confirm KIND WORDS VALUE` and `values list`: the value maps
that read schools' own words (job titles, judgements, observers, statuses, skills). An
import asks about a fuzzy reading once; confirming it here remembers the answer."""

from __future__ import annotations

import argparse

from brokering.db import Connection
from brokering.importing.value_maps import confirm, entries
from brokering.school_words import KINDS
from brokering.viewer import Viewer


def cmd_values(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    from brokering.cli import emit

    if args.action == "confirm":
        if not (args.kind and args.words and args.value):
            print(
                "values confirm needs KIND WORDS VALUE, e.g. "
                "values confirm role 'Class Tchr' teacher"
            )
            return 1
        value = confirm(con, viewer, args.kind, args.words, args.value, replace=args.replace)
        emit(
            args,
            {"ok": True, "kind": args.kind, "words": args.words, "value": value},
            f"Saved: files that say '{args.words}' mean {value} ({args.kind}).",
        )
        return 0
    frame = entries(con)
    rows = frame.astype({"confirmed_at": str}).to_dict("records")
    emit(
        args,
        {"ok": True, "maps": rows},
        "\n".join(f"{r['kind']:<10} {r['raw']!r} -> {r['value']}" for r in rows)
        or "No value maps saved yet; the built-in ones are always used.",
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("values", help="Confirm or list the value maps for schools' own words.")
    p.add_argument("action", choices=["confirm", "list"])
    p.add_argument("kind", nargs="?", choices=KINDS)
    p.add_argument("words", nargs="?", help="The words as the file writes them.")
    p.add_argument("value", nargs="?", help="What they mean (a role, judgement, skill…).")
    p.add_argument("--replace", action="store_true", help="Replace an entry that says otherwise.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_values)
