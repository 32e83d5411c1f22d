"""The command line: `python -m brokering`. A thin wrapper over the same functions the
pages call. Each module of this package (other than `common` and `main`) adds its own
commands through `register(subparsers)`, so the core needs no edit when a feature lands.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import importlib
import json
import pkgutil
import sys
from collections.abc import Sequence

import duckdb

import brokering
import brokering.cli
from brokering import audit
from brokering.cli.common import emit
from brokering.db import Connection, default_db_path, plain_error
from brokering.errors import AmbiguousQuery, BrokeringError
from brokering.sharing import open_with_wait, operator_claim, operator_wait
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
    # Every entry this command writes names who ran it, also when it acts `--as` someone.
    audit.set_operator(f"command line ({getpass.getuser()})")
    without, claims = getattr(args, "without_store", False), getattr(args, "claims_store", False)
    if without and not claims:  # e.g. a school's lookup, on a machine with no store at all
        return _run(args)
    with operator_claim(args.db or default_db_path()):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Open the store — waiting for the app's page runs to let go of it — and run the
    command (the marker left by `operator_claim` tells the app to let go)."""
    if getattr(args, "without_store", False):  # e.g. restore: it replaces the file
        try:
            return int(args.handler(args, None, operator()))
        except BrokeringError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    try:
        con = open_with_wait(lambda: open_store(args.db), operator_wait())
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
    except (BrokeringError, duckdb.Error) as exc:
        # A storage failure the command did not expect (a full disk while optimising, say)
        # still ends in words, never a traceback.
        text = str(exc) if isinstance(exc, BrokeringError) else plain_error(exc, "Stopped")
        if getattr(args, "json", False):
            print(json.dumps({"ok": False, "error": text}))
        else:
            print(f"error: {text}", file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(duckdb.Error):
            con.close()
