"""`python -m brokering profile REF [--json] [--names FILE]`: one person's profile, as the
Profile page shows it, through the acting user's visibility (`--as USERNAME`).

A thin wrapper over `brokering.profile.staff_profile`. The `--json` shape is documented in
docs/CLI.md and pinned by tests/test_profile_cli.py.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from brokering.cli.common import emit, iso_date
from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.names import MAX_BYTES, NameKey, read_key_file
from brokering.profile import Profile, coaching_text, confidence_text, staff_profile
from brokering.pseudonymise import alliance_key
from brokering.viewer import Viewer


def _num(value: object, fmt: str = "{:.1f}") -> str:
    return "—" if value is None or pd.isna(value) else fmt.format(value)


def profile_text(p: Profile, label: Callable[[str], str] = str) -> str:
    """The profile as plain text; `label` shows a reference (with a name, given `--names`)."""
    who = p.person
    lines = [
        f"{label(p.staff_ref)} — {who['role']}, {who['school']}",
        f"Phases: {', '.join(who['phases']) or 'not recorded'}; subjects: "
        f"{', '.join(who['subjects']) or 'not recorded'}",
        f"Time this term ({p.capacity.term}): {p.capacity.capacity_hours:g} h offered, "
        f"{p.capacity.hours_committed:g} h committed, {p.capacity.hours_reserved:g} h held by "
        f"requests awaiting an answer, {p.capacity.hours_left:g} h left",
        "",
        "Strengths:",
    ]
    for r in p.strengths.itertuples(index=False):
        lines.append(
            f"  {str(r.skill)[:34]:<34} practice {_num(r.practice_score):>5} "
            f"{confidence_text(r.practice_confidence):<20} coaching "
            f"{coaching_text(r.coaching_score, bool(r.has_coaching_record))}"
        )
    lines += ["", "What was seen (newest first):"]
    for r in p.evidence.itertuples(index=False):
        note = f" — {r.note}" if isinstance(r.note, str) and r.note else ""
        lines.append(
            f"  {str(r.date)[:10]}  {str(r.skill)[:28]:<28} {r.evidence_type:<17} "
            f"{int(r.strength)}/4  seen by {r.observer or 'not recorded'}{note}"
        )
    if len(p.coaching):
        lines += ["", "Coaching and mentoring:"]
        for r in p.coaching.itertuples(index=False):
            outcome = (
                "" if pd.isna(r.outcome_strength) else f", outcome {int(r.outcome_strength)}/4"
            )
            lines.append(
                f"  {r.direction:<8} {r.mode:<10} {str(r.skill)[:28]:<28} "
                f"with {label(r.other_ref)} from {str(r.start_date)[:10]} ({r.state}){outcome}"
            )
    if len(p.pairings):
        lines += ["", "Pairings:"]
        lines += [
            f"  {r.pairing_id}  {r.practice} — {r.side}, {r.status}"
            for r in p.pairings.itertuples(index=False)
        ]
    if len(p.needs):
        lines += ["", "Open needs:"]
        lines += [
            f"  {r.need_id}  {r.skill} ({r.wanted_role}, {r.priority})"
            for r in p.needs.itertuples(index=False)
        ]
    if p.similar:
        lines += ["", "People with a similar profile:"]
        lines += [
            f"  {s.staff_ref:<14} {p.similar_schools.get(s.staff_ref, ''):<28} {s.similarity:.2f}"
            for s in p.similar
        ]
    return "\n".join(lines)


def read_names(con: Connection, viewer: Viewer, path: str | None) -> NameKey | None:
    """`--names FILE`: the acting head's or senior leader's own key file, read into memory
    for this one command (brokering/names.py); None without the option."""
    if not path:
        return None
    try:
        with Path(path).open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ValidationError(f"The key file could not be read ({exc.strerror}).") from exc
    try:
        secret = alliance_key()
    except ValidationError:
        secret = None
    key, _ = read_key_file(con, viewer, data, pseudonym_key=secret)
    return key


def cmd_profile(args: argparse.Namespace, con: Connection, viewer: Viewer) -> int:
    key = read_names(con, viewer, args.names)
    profile = staff_profile(con, viewer, args.staff_ref, as_of=args.as_of)
    label = key.label if key is not None else str
    names = key.name if key is not None else None
    emit(args, profile.to_dict(names), profile_text(profile, label))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profile", help="One person's strengths, evidence, coaching and time.")
    p.add_argument("staff_ref")
    p.add_argument("--as-of", type=iso_date, dest="as_of", help="Score as on this date.")
    p.add_argument(
        "--names",
        metavar="FILE",
        help="Your own school's key file (codes and names): shows your staff by name for this "
        "command only; never stored. Needs --as a headteacher or senior leader.",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_profile)
