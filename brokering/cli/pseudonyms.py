"""`python -m brokering pseudonyms FILE --column COL --out LOOKUP.csv`: run by a school on
its own machine to see which pseudonym each of its staff identifiers becomes. The lookup
stays with the school; the alliance's store only ever holds the pseudonyms."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.pseudonymise import alliance_key, pseudonym
from brokering.viewer import Viewer


def cmd_pseudonyms(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    key = alliance_key()
    with Path(args.file).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if args.column not in (reader.fieldnames or []):
            raise ValidationError(f"{args.file} has no column '{args.column}'.")
        ids = sorted({row[args.column].strip() for row in reader if row[args.column].strip()})
    with Path(args.out).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([args.column, "staff_ref"])
        writer.writerows((i, pseudonym(i, key)) for i in ids)
    print(
        f"Wrote {len(ids)} identifiers and their pseudonyms to {args.out}. Keep this file "
        "in your school: it links pseudonyms back to people."
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pseudonyms", help="A school's own lookup: identifier -> pseudonym.")
    p.add_argument("file")
    p.add_argument("--column", required=True, help="The column holding your identifiers.")
    p.add_argument("--out", required=True)
    p.set_defaults(handler=cmd_pseudonyms)
