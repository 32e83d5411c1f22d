"""The data manager's core commands: build the demo, import, export, row counts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from brokering import audit, derived_sets
from brokering.cli.common import emit
from brokering.db import Connection, default_db_path, table_counts
from brokering.errors import ValidationError
from brokering.exporting import EXPORTABLE, write_export
from brokering.find.maintenance import after_import, fast_path
from brokering.importing import ImportReport, import_paths
from brokering.pseudonymise import alliance_key
from brokering.store import init_demo
from brokering.viewer import Viewer


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
    from brokering.cli.mapping import mapping_for_import

    key = None if args.refs_are_pseudonyms else import_key()
    mapping = mapping_for_import(args, con)
    # With a mapping, --school is the mapping's (its files' schools); without, identity's.
    school, by_file = schools_given(args.school or []) if mapping is None else (None, {})
    report = import_paths(
        con,
        [Path(p) for p in args.paths],
        viewer,
        strength_scale=args.strength_scale,
        dry_run=args.dry_run,
        pseudonym_key=key,
        school=school,
        schools_by_file=by_file,
        accept_moves=args.accept_moves,
        mapping=mapping,
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
    lines += [
        f"change: {c['table']} {c['key']} {c['column']}: {c['before']} -> {c['after']}"
        for c in report.changes[:50]
    ]
    if len(report.changes) > 50:
        lines.append(f"… and {len(report.changes) - 50} more changes (see --json)")
    if report.batch_id is not None:
        lines.append(
            f"Batch {report.batch_id} applied (python -m brokering undo {report.batch_id})."
        )
    lines += [
        f"moved: {m['file']}, line {m['line']} ({m['who']}) from school {m['from']} to {m['to']}"
        for m in report.moves
    ]
    lines += [
        f"not matched: {u['file']}, line {u['line']} ({u['who']}) {u['message']}"
        for u in report.unmatched
    ]
    if not report.ok:
        lines.append(f"Refused: {report.problem_count} problem(s); nothing was written.")
        lines += [f"  {p}" for p in report.shown]
        if report.problem_count > len(report.shown):
            lines.append(f"  … and {report.problem_count - len(report.shown)} more")
        lines += _flag_hints(report)
    elif args.dry_run:
        lines.append("Dry run: every row is valid; nothing was written.")
    emit(args, report.to_dict(), "\n".join(lines))
    return 0 if report.ok else 2


#: A problem's words (shared with the web page, so without flags) -> the flag that answers it.
_HINTS = {
    "moves between schools accepted": "--accept-moves accepts moves between schools.",
    "say whose file it is": "--school ID (or FILE=ID) says whose file it is.",
    "Say which school the file comes from": "--school ID says which school the file comes from.",
    "no strength scale was chosen": "--strength-scale 4-best|1-best says which way round.",
}


def _flag_hints(report: ImportReport) -> list[str]:
    """On the command line, the option that settles a problem the report names."""
    said = " ".join(p.message for p in report.shown)
    return [f"  Hint: {hint}" for words, hint in _HINTS.items() if words in said]


def schools_given(items: list[str]) -> tuple[str | None, dict[str, str]]:
    """--school values: one plain ID for every file, and FILE=ID for one file."""
    plain = [i for i in items if "=" not in i]
    if len(plain) > 1:
        raise ValidationError(
            "More than one --school without a file: give FILE=ID for each school's file."
        )
    by_file = dict(i.split("=", 1) for i in items if "=" in i)
    return (plain[0] if plain else None), {Path(f).name: sid for f, sid in by_file.items()}


def import_key() -> bytes:
    """The alliance key for pseudonymising an import (on by default), with the way out for
    files that already hold pseudonymous refs."""
    try:
        return alliance_key()
    except ValidationError as exc:
        raise ValidationError(
            f"{exc} If the files already hold the alliance's pseudonymous refs (the demo, "
            "the templates), add --refs-are-pseudonyms."
        ) from exc


def cmd_export(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    n = write_export(con, viewer, args.table, Path(args.out))
    audit.record(con, viewer, "export", {"table": args.table, "rows": n})
    print(f"Wrote {n} rows of {args.table} to {args.out}")
    return 0


def cmd_stats(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    counts = table_counts(con)
    parts = fast_path(con)
    facts = derived_sets.status(con)
    fast = {
        "current": bool(parts["current"]) and all(facts.values()),
        "find_parts": parts,
        "derived": facts,
    }
    lines = [f"{t:<20} {n:>10,}" for t, n in counts.items()]
    sets = ", ".join(f"{k} {'current' if v else 'stale'}" for k, v in facts.items())
    lines.append(
        f"{'fast path':<20} {'current' if fast['current'] else 'not current'}"
        f" (find parts: {parts['reason']}; derived facts: {sets})"
    )
    emit(
        args,
        {"db": str(args.db or default_db_path()), "tables": counts, "fast_path": fast},
        "\n".join(lines),
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:

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
        help="The default: staff codes and e-mails become keyed pseudonyms of school + code "
        "(needs BROKERING_PSEUDONYM_KEY).",
    )
    p.add_argument(
        "--refs-are-pseudonyms",
        action="store_true",
        help="The files already hold the alliance's pseudonymous refs (the demo, the "
        "templates): store them as they are.",
    )
    p.add_argument(
        "--school",
        action="append",
        metavar="ID or FILE=ID",
        help="Whose staff codes files without a school_id column use (FILE=ID for one file; "
        "repeat for several schools).",
    )
    p.add_argument(
        "--accept-moves",
        action="store_true",
        help="Apply moves of staff between schools (listed in the report); refused otherwise.",
    )
    p.add_argument("--mapping", help="Read the files through this column mapping (JSON).")
    p.add_argument("--profile", help="Read the files through this saved mapping.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="Write a table to CSV (safe against formula injection).")
    p.add_argument("table", choices=sorted(EXPORTABLE))
    p.add_argument("--out", required=True)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("stats", help="Row counts per table.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_stats)
