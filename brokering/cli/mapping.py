"""`python -m brokering mapping propose|save|list`: column mappings for exports as they come.

    mapping propose FILE... [--school ID | --school FILE=ID ...] [--profile NAME] --out MAP.json
    mapping save NAME MAP.json
    mapping list [--json]

`propose` exits 0 when every file is mapped with nothing left to decide, 4 when something is
unresolved (or a file cannot be read at all); the JSON is documented in docs/CLI.md.
`import FILE... --mapping MAP.json` (or `--profile NAME`) imports with one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from brokering.db import Connection
from brokering.errors import PermissionDenied, ValidationError
from brokering.importing import collect_files
from brokering.importing.reader import workdir
from brokering.mapping import (
    Mapping,
    propose,
    save_mapping,
    saved_entries,
    saved_for_files,
    saved_listing,
)
from brokering.taxonomy import SkillMatcher
from brokering.viewer import Viewer

UNRESOLVED_EXIT = 4


def school_options(values: list[str] | None) -> tuple[dict[str, str], str | None]:
    """`--school ID` for every file, `--school FILE=ID` for one: (per file, default)."""
    per_file: dict[str, str] = {}
    default = None
    for v in values or []:
        if "=" in v:
            name, _, school = v.rpartition("=")
            per_file[Path(name).name] = school.strip()
        else:
            default = v.strip()
    return per_file, default


def mapping_for_import(args: argparse.Namespace, con: Connection) -> Mapping | None:
    """The mapping `import` was given (--mapping FILE or --profile NAME), tagged with the
    schools of --school; None for files in the template's own columns."""
    if args.mapping and args.profile:
        raise ValidationError("Give --mapping or --profile, not both.")
    per_file, default = school_options(args.school)
    if args.mapping:
        mapping = Mapping.load(Path(args.mapping))
    elif args.profile:
        with workdir() as tmp:
            mapping = saved_for_files(
                con, args.profile, [Path(p) for p in args.paths], Path(tmp), default
            )
    else:
        return None
    mapping.tag_schools(per_file, default)
    named = {Path(p).name for p in args.paths}
    absent = [f.file for f in mapping.files if f.file not in named]
    if absent and args.mapping:
        print(
            f"note: the mapping also describes {', '.join(absent)}, not given here.",
            file=sys.stderr,
        )
    return mapping


def cmd_propose(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    if viewer.role != "alliance_admin":
        raise PermissionDenied("Only the alliance administrator (the data manager) maps imports.")
    paths, _ = collect_files([Path(p) for p in args.files])
    per_file, default = school_options(args.school)
    known = {r[0] for r in con.execute("SELECT school_id FROM schools").fetchall()}
    with workdir() as tmp:
        if args.profile:
            mapping = saved_for_files(con, args.profile, paths, Path(tmp), default)
            problems: list[str] = []
        else:
            mapping, problems = propose(
                paths,
                Path(tmp),
                schools=per_file,
                school=default,
                known_schools=known,
                matcher=SkillMatcher.from_db(con),
                saved=saved_entries(con),
            )
    mapping.tag_schools(per_file, default)
    payload = mapping.to_dict() | {"problems": problems}
    payload["complete"] = mapping.complete and not problems
    if args.out:
        Path(args.out).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for fm in mapping.files:
            where = f", sheet '{fm.sheet}'" if fm.sheet else ""
            print(
                f"{fm.file}: {fm.table}{f' ({fm.source})' if fm.source else ''}, header on row "
                f"{fm.header_row}{where}"
            )
            for column, target in fm.columns.items():
                print(f"  {column} -> {target}")
            for k, v in fm.constants.items():
                print(f"  (every row) {k} = {v}")
            for u in fm.unresolved:
                print(f"  UNRESOLVED {u.target}: {u.message}")
        for p in problems:
            print(f"refused: {p}")
        if args.out:
            print(f"Wrote {args.out}.")
    return 0 if payload["complete"] else UNRESOLVED_EXIT


def cmd_save(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    mapping = Mapping.load(Path(args.mapping))
    n = save_mapping(con, viewer, args.name, mapping)
    print(
        f"Saved {n} file layout(s) as '{args.name}'. Next term: import FILE... --profile "
        f"'{args.name}'."
    )
    return 0


def cmd_list(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    frame = saved_listing(con)
    if args.json:
        print(json.dumps(frame.to_dict(orient="records"), indent=2, default=str))
    elif frame.empty:
        print("No mappings saved yet.", file=sys.stderr)
    else:
        print(frame.to_string(index=False))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mapping", help="Column mappings for exports as they come.")
    msub = p.add_subparsers(dest="mapping_command", required=True)
    q = msub.add_parser("propose", help="Propose a mapping for files; exit 4 if unresolved.")
    q.add_argument("files", nargs="+")
    q.add_argument(
        "--school",
        action="append",
        metavar="ID or FILE=ID",
        help="Whose files these are (repeat FILE=ID for a batch from several schools).",
    )
    q.add_argument("--profile", help="Lay a saved mapping over these files instead.")
    q.add_argument("--out", help="Write the mapping (JSON) here.")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=cmd_propose)
    q = msub.add_parser("save", help="Save a confirmed mapping under a name.")
    q.add_argument("name")
    q.add_argument("mapping", help="The mapping file (JSON) to save.")
    q.set_defaults(handler=cmd_save)
    q = msub.add_parser("list", help="The saved mappings.")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=cmd_list)
