"""`python -m brokering pairings ...`: JPD pairings from the command line.

- `pairings [--status S] [--json]`: the pairings the acting user can see;
- `pairing-move ID STATUS [--reason R] [--review-date D]`: move one along its lifecycle;
- `pairing-log ID TYPE --date D [...]`: add an activity or evidence item to its log;
- `pairings-accountability [--weeks N] [--out DIR] [--json]`: overdue, quiet, not transferred;
- `pairings-ledger [--by school|person|relationship] [--json]`: the reciprocity ledger.

New pairings arrive through `import pairings.csv` (or the page). JSON shapes: docs/PAIRINGS.md.
"""

from __future__ import annotations

import argparse
import math
from datetime import date
from pathlib import Path

import pandas as pd

from brokering import audit, values
from brokering.cli.common import emit
from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.pairings import accountability, entries, ledger, lifecycle, model, service, views
from brokering.viewer import Viewer

#: The keys of each pairing in `pairings --json` (pinned by a test, documented in PAIRINGS.md).
PAIRING_KEYS = (
    "pairing_id",
    "practice",
    "skill_id",
    "work_kind",
    "status",
    "donors",
    "recipients",
    "donor_schools",
    "recipient_schools",
    "same_school",
    "start_date",
    "review_date",
    "review_overdue",
    "transfer_evidence",
    "evidence_items",
    "entries",
    "hours_logged",
    "last_activity",
)


def _plain(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return value


def records(frame: pd.DataFrame, keys: tuple[str, ...] | list[str] | None = None) -> list[dict]:
    """JSON-ready rows: ISO dates, None for blanks, lists as lists."""
    cols = list(keys) if keys is not None else list(frame.columns)
    return [{k: _plain(row[k]) for k in cols} for _, row in frame.iterrows()]


def _date(text: str) -> date:
    value, problem = values.parse_date(text)
    if problem:
        raise ValidationError(f"'{text}' {problem}.")
    assert isinstance(value, date)
    return value


def _line(row: pd.Series) -> str:
    donors = ", ".join(row["donors"]) or "-"
    recipients = ", ".join(row["recipients"]) or "-"
    flag = " (same school)" if row["same_school"] else ""
    evidence = "evidenced" if row["transfer_evidence"] else "no observation of transfer yet"
    return (
        f"{row['pairing_id']:<8} {row['status']:<16} {row['practice']}: {donors} -> "
        f"{recipients}{flag}; {row['work_kind']}; {evidence}"
    )


def cmd_pairings(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    frame = views.list_pairings(con, viewer, status=args.status)
    text = "\n".join(_line(r) for _, r in frame.iterrows()) or "No pairings to show."
    payload = {
        "ok": True,
        "status": args.status,
        "count": len(frame),
        "pairings": records(frame, PAIRING_KEYS),
    }
    emit(args, payload, text)
    return 0


def cmd_move(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    review = _date(args.review_date) if args.review_date else None
    version = service.move(con, viewer, args.pairing_id, args.status, args.reason, review)
    emit(
        args,
        {"ok": True, "pairing_id": args.pairing_id, "status": args.status, "version": version},
        f"{args.pairing_id} is now {args.status} (version {version}).",
    )
    return 0


def cmd_log(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    entry = model.EntryDraft(
        entry_type=args.entry_type,
        date=_date(args.date),
        hours=args.hours,
        who=model.refs(args.who),
        flow=args.flow,
        observed_ref=args.observed,
        recorded_by=args.by,
        rating_before=args.rating_before,
        rating_after=args.rating_after,
        measure=args.measure,
        value_before=args.value_before,
        value_after=args.value_after,
        note=args.note,
        link=args.link,
    )
    entry_id = entries.add_entry(con, viewer, args.pairing_id, entry)
    emit(
        args,
        {"ok": True, "pairing_id": args.pairing_id, "entry_id": entry_id},
        f"Added {args.entry_type} to {args.pairing_id} (entry {entry_id}).",
    )
    return 0


def cmd_accountability(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    views_ = {
        "overdue": accountability.overdue(con, viewer),
        "quiet": accountability.quiet(con, viewer, weeks=args.weeks),
        "not_transferred": accountability.not_transferred(con, viewer),
    }
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name, frame in views_.items():
            (out / f"pairings_{name}.csv").write_bytes(accountability.export(frame))
        audit.record(con, viewer, "export", {"table": "pairings_accountability", "out": str(out)})
    text = "\n".join(
        f"{name.replace('_', ' ')}: {len(frame)}"
        + "".join(
            f"\n  {r['pairing_id']} {r['practice']} ({r['status']})" for _, r in frame.iterrows()
        )
        for name, frame in views_.items()
    )
    payload = {"ok": True, "weeks": args.weeks, **{k: records(f) for k, f in views_.items()}}
    emit(args, payload, text)
    return 0


def cmd_ledger(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    if args.by == "person":
        frame = ledger.person_ledger(con, viewer)
    elif args.by == "relationship":
        frame = ledger.school_relationships(con, viewer)
    else:
        frame = ledger.school_ledger(con, viewer)
    emit(
        args,
        {"ok": True, "by": args.by, "rows": records(frame)},
        frame.to_string(index=False) if not frame.empty else "Nothing to show yet.",
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pairings", help="List JPD pairings (optionally one status).")
    p.add_argument("--status", choices=lifecycle.STATUSES)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_pairings)

    p = sub.add_parser("pairing-move", help="Move a pairing along its lifecycle.")
    p.add_argument("pairing_id")
    p.add_argument("status", choices=lifecycle.STATUSES)
    p.add_argument("--reason", help="Required for 'not transferred' and 'stopped'.")
    p.add_argument("--review-date", help="New review date (to continue after a review).")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_move)

    p = sub.add_parser("pairing-log", help="Add an activity or evidence item to a pairing.")
    p.add_argument("pairing_id")
    p.add_argument("entry_type", choices=model.ENTRY_TYPES)
    p.add_argument("--date", required=True, help="YYYY-MM-DD or DD/MM/YYYY.")
    p.add_argument("--hours", type=float)
    p.add_argument("--who", help="Participants present, ; between (default: everyone).")
    p.add_argument("--flow", choices=model.FLOWS, default=model.FLOWS[0])
    p.add_argument("--observed", help="Whose practice was seen (a participant).")
    p.add_argument("--by", help="Who made the record: a staff_ref or a role (SLT, HoD…).")
    p.add_argument("--rating-before", type=int, choices=[1, 2, 3, 4])
    p.add_argument("--rating-after", type=int, choices=[1, 2, 3, 4])
    p.add_argument("--measure")
    p.add_argument("--value-before", type=float)
    p.add_argument("--value-after", type=float)
    p.add_argument("--note")
    p.add_argument("--link")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_log)

    p = sub.add_parser(
        "pairings-accountability",
        help="Overdue, quiet and not-transferred pairings (optionally written as CSV).",
    )
    p.add_argument(
        "--weeks",
        type=int,
        default=accountability.DEFAULT_QUIET_WEEKS,
        help="Weeks without activity before an open pairing counts as quiet.",
    )
    p.add_argument("--out", help="Folder to write the three CSV files into.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_accountability)

    p = sub.add_parser("pairings-ledger", help="Who gives and who receives, in hours and pairings.")
    p.add_argument("--by", choices=["school", "person", "relationship"], default="school")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_ledger)
