"""The command line: `python -m brokering`. A thin wrapper over the same functions the
pages call. Feature modules named `cli_*.py` in this package add their own commands through
`register(subparsers)`, so the core needs no edit when a feature lands.

Exit status: 0 success, 1 a plain error, 2 rows rejected by an import, 3 an ambiguous or
unmatched query (CONTRACT: Stable JSON).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import brokering
from brokering import audit
from brokering.db import Connection, default_db_path, table_counts
from brokering.errors import AmbiguousQuery, BrokeringError, ValidationError
from brokering.exporting import EXPORTABLE, write_export
from brokering.importing import import_paths
from brokering.maintenance import after_import
from brokering.pseudonymise import alliance_key
from brokering.store import init_demo, open_store
from brokering.viewer import Viewer, operator

Handler = Callable[[argparse.Namespace, Connection, Viewer], int]


def iso_date(text: str) -> date:
    """argparse type for YYYY-MM-DD options."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from exc


def fraction(meaning: str) -> Callable[[str], float]:
    """argparse type for a number from 0 to 1; `meaning` says what it is when refused."""

    def read(text: str) -> float:
        try:
            value = float(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from exc
        if not 0.0 <= value <= 1.0:
            raise argparse.ArgumentTypeError(f"{meaning} is a fraction from 0 to 1")
        return value

    return read


def emit(args: argparse.Namespace, payload: Any, text: str) -> None:
    """Print JSON when --json was asked for, else the human text."""
    if getattr(args, "json", False):
        print(json.dumps(payload, indent=2, default=str, sort_keys=False))
    else:
        print(text)


def _viewer(args: argparse.Namespace, con: Connection) -> Viewer:
    if getattr(args, "as_user", None):
        from brokering.accounts import viewer_for_username  # lands with the access issue

        return viewer_for_username(con, args.as_user)
    return operator()


def cmd_init_demo(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    try:
        report = init_demo(
            con,
            viewer,
            force=args.force,
            progress=lambda f, m: print(f"[{f:4.0%}] {m}", file=sys.stderr),
        )
    except ValidationError as exc:  # a loaded store without --force
        print(str(exc))
        return 1
    if not report.ok:
        for p in report.problems:
            print(str(p), file=sys.stderr)
        return 2
    counts = table_counts(con)
    emit(
        args,
        {"ok": True, "counts": counts},
        "Demo alliance built: "
        + ", ".join(
            f"{counts[t]} {t}" for t in ("schools", "staff", "evidence", "coaching", "needs")
        ),
    )
    return 0


def cmd_import(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    key = alliance_key() if args.pseudonymise else None
    report = import_paths(
        con,
        [Path(p) for p in args.paths],
        viewer,
        strength_scale=args.strength_scale,
        dry_run=args.dry_run,
        pseudonym_key=key,
    )
    if report.ok and report.applied:
        after_import(con, True)
    lines = [
        f"Strength scale: {args.strength_scale} (numbers read with "
        f"{'4' if args.strength_scale == '4-best' else '1'} as the strongest)."
    ]
    for o in report.outcomes:
        lines.append(
            f"{o.file}: {o.rows} rows — {o.added} added, {o.updated} updated, "
            f"{o.unchanged} unchanged"
        )
    lines += [f"note: {n}" for n in report.notes]
    if not report.ok:
        lines.append(f"Refused: {report.problem_count} problem(s); nothing was written.")
        lines += [f"  {p}" for p in report.problems]
        if report.problem_count > len(report.problems):
            lines.append(f"  … and {report.problem_count - len(report.problems)} more")
    elif args.dry_run:
        lines.append("Dry run: every row is valid; nothing was written.")
    emit(args, report.to_dict(), "\n".join(lines))
    return 0 if report.ok else 2


def cmd_export(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    n = write_export(con, viewer, args.table, Path(args.out))
    audit.record(con, viewer, "export", {"table": args.table, "rows": n})
    print(f"Wrote {n} rows of {args.table} to {args.out}")
    return 0


def cmd_stats(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    counts = table_counts(con)
    emit(
        args,
        {"db": str(args.db or default_db_path()), "tables": counts},
        "\n".join(f"{t:<20} {n:>10,}" for t, n in counts.items()),
    )
    return 0


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

    p = sub.add_parser("init-demo", help="Build the demo alliance into the database.")
    p.add_argument("--force", action="store_true", help="Replace the alliance already loaded.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_init_demo)

    p = sub.add_parser("import", help="Validate and load CSV/XLSX files or folders.")
    p.add_argument("paths", nargs="+")
    p.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
    p.add_argument(
        "--strength-scale",
        choices=["4-best", "1-best"],
        default="4-best",
        help="How numeric strengths are read (default 4-best).",
    )
    p.add_argument(
        "--pseudonymise",
        action="store_true",
        help="Replace staff identifiers with keyed hashes (needs BROKERING_PSEUDONYM_KEY).",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="Write a table to CSV (safe against formula injection).")
    p.add_argument("table", choices=sorted(EXPORTABLE))
    p.add_argument("--out", required=True)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("stats", help="Row counts per table.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_stats)

    for info in sorted(pkgutil.iter_modules(brokering.__path__), key=lambda m: m.name):
        if info.name.startswith("cli_"):
            importlib.import_module(f"brokering.{info.name}").register(sub)
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
