"""The command line: `python -m brokering`. A thin wrapper over the same functions the
pages call. Each module of this package (other than `common` and `main`) adds its own
commands through `register(subparsers)`, so the core needs no edit when a feature lands.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from collections.abc import Sequence

import brokering
import brokering.cli
from brokering.cli.common import emit
from brokering.db import Connection
from brokering.errors import AmbiguousQuery, BrokeringError
from brokering.store import open_store
from brokering.viewer import Viewer, operator

_NOT_COMMANDS = {"common", "main"}


def _viewer(args: argparse.Namespace, con: Connection) -> Viewer:
    if getattr(args, "as_user", None):
        from brokering.accounts import viewer_for_username  # lands with the access issue

        return viewer_for_username(con, args.as_user)
    return operator()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brokering", description="Alliance Expertise Broker: the operator's command line."
    )
    parser.add_argument("--version", action="version", version=brokering.__version__)
    parser.add_argument(
        "--db", help="Database file (default: $BROKERING_DB or data/alliance.duckdb)."
    )
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        help="Act as this user and apply their visibility.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(brokering.cli.__path__), key=lambda m: m.name):
        if info.name not in _NOT_COMMANDS:
            importlib.import_module(f"brokering.cli.{info.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        con = open_store(args.db)
    except BrokeringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        viewer = _viewer(args, con)
        return int(args.handler(args, con, viewer))
    except AmbiguousQuery as exc:
        emit(
            args,
            {"ok": False, "error": str(exc), "suggestions": exc.suggestions},
            f"{exc}\nDid you mean: {', '.join(exc.suggestions)}" if exc.suggestions else str(exc),
        )
        return 3
    except BrokeringError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"ok": False, "error": str(exc)}))
        else:
            print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
