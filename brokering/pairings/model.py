"""What a pairing and a log entry are, as plain values, and the checks that need no database.

A pairing joins donors (who share a practice) and recipients (who are developing it). Joint
practice development is two-way, so what the recipient side gives back is recorded too, and
log entries say which way their hours flowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import date

from brokering.dates import day
from brokering.errors import ValidationError
from brokering.settings import MAX_REF_LENGTH, MAX_TEXT_LENGTH

WORK_KINDS = (
    "coaching",
    "mutual observation",
    "co-planning",
    "lesson study",
    "school visit",
    "joint training day",
)
SIDES = ("donor", "recipient")
#: Time spent together (hours count in the reciprocity ledger).
ACTIVITY_TYPES = (
    "visit",
    "observation",
    "coaching session",
    "co-planning",
    "lesson study",
    "training day",
)
#: An observation of where a practice stood before the work: labelled, and never evidence of
#: transfer (its rating is what a later observation must beat).
BASELINE = "baseline observation"
#: Evidence of what moved (an observation is both time spent and evidence).
EVIDENCE_ITEM_TYPES = ("observation", "pupil work", "outcome measure", "reflection", "link")
ENTRY_TYPES = (*ACTIVITY_TYPES, BASELINE, *EVIDENCE_ITEM_TYPES[1:])
#: Entry types that say whose practice was seen.
OBSERVING_TYPES = ("observation", BASELINE)
#: Whose practice an entry of each type usually shows, so a form can ask with the right
#: default: a visit goes to see the donor's practice where it already works; observations,
#: baselines, pupil work and outcomes are about the recipient's. Other types: nobody's.
OBSERVED_SIDE = {
    "visit": "donor",
    "observation": "recipient",
    BASELINE: "recipient",
    "pupil work": "recipient",
    "outcome measure": "recipient",
}


def default_observed(entry_type: str, sides: dict[str, str]) -> str | None:
    """The participant (staff_ref -> side, in the order offered) whose practice an entry of
    `entry_type` most likely saw: the first on the side `OBSERVED_SIDE` names, or None."""
    side = OBSERVED_SIDE.get(entry_type)
    return next((ref for ref, s in sides.items() if s == side), None)


FLOWS = ("donor to recipient", "recipient to donor", "both ways")
#: Observer labels that mean "the person themselves": never evidence of transfer.
SELF_LABELS = ("self",)

_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")
_LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class PairingDraft:
    """The editable facts of a pairing (one version of it)."""

    donors: tuple[str, ...]
    recipients: tuple[str, ...]
    skill_id: str
    work_kind: str
    start_date: date
    review_date: date | None = None
    status: str = "proposed"
    donor_contribution: str | None = None
    recipient_contribution: str | None = None
    planned_sessions: int | None = None
    planned_hours: float | None = None
    cover_hours: float | None = None
    travel_hours: float | None = None
    disciplines: tuple[str, ...] = ()
    reason: str | None = None
    note: str | None = None
    skill_text: str | None = None

    def with_changes(self, **changes: object) -> PairingDraft:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValidationError(f"A pairing has no field called {', '.join(unknown)}.")
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class EntryDraft:
    """One line of a pairing's activity and evidence log."""

    entry_type: str
    date: date
    hours: float | None = None
    who: tuple[str, ...] = field(default_factory=tuple)
    flow: str = "donor to recipient"
    observed_ref: str | None = None
    recorded_by: str | None = None
    rating_before: int | None = None
    rating_after: int | None = None
    measure: str | None = None
    value_before: float | None = None
    value_after: float | None = None
    note: str | None = None
    link: str | None = None

    def with_changes(self, **changes: object) -> EntryDraft:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValidationError(f"A log entry has no field called {', '.join(unknown)}.")
        return replace(self, **changes)  # type: ignore[arg-type]


def refs(text: str | None) -> tuple[str, ...]:
    """Staff refs from 'S1; S2' (the import files' list form), in order, without blanks."""
    return tuple(p.strip() for p in (text or "").split(";") if p.strip())


def _hours(label: str, value: float | None, problems: list[str]) -> None:
    if value is None:
        return
    if value < 0:
        problems.append(f"{label} cannot be negative ({value:g}); use 0 or more")
    elif value > 1000:
        problems.append(f"{label} of {value:g} is more than 1,000 hours; check the figure")


def _text(label: str, value: str | None, problems: list[str]) -> None:
    if value is not None and len(value) > MAX_TEXT_LENGTH:
        problems.append(f"{label} is {len(value):,} characters long; the limit is 2,000")


def _raise(problems: list[str]) -> None:
    if problems:
        raise ValidationError("; ".join(problems) + ".")


def check_draft(d: PairingDraft) -> None:
    """Everything about a pairing that can be checked without the store."""
    problems: list[str] = []
    if not d.donors:
        problems.append("Name at least one donor (who shares the practice)")
    if not d.recipients:
        problems.append("Name at least one recipient (who is developing the practice)")
    everyone = [*d.donors, *d.recipients]
    for ref in everyone:
        if not _REF.match(ref) or len(ref) > MAX_REF_LENGTH:
            problems.append(f"'{ref}' is not a staff reference (letters, digits, - _ . / only)")
    both = sorted(set(d.donors) & set(d.recipients))
    if both:
        problems.append(
            f"{', '.join(both)} cannot be both donor and recipient: a pairing needs two "
            "different people"
        )
    repeated = sorted({r for r in everyone if everyone.count(r) > 1} - set(both))
    if repeated:
        problems.append(f"{', '.join(repeated)} is listed twice; name each person once")
    if d.work_kind not in WORK_KINDS:
        problems.append(
            f"'{d.work_kind}' is not a kind of work; use one of: {', '.join(WORK_KINDS)}"
        )
    if d.review_date is not None and d.review_date < d.start_date:
        problems.append(
            f"The review date {day(d.review_date)} is before the start date {day(d.start_date)}; "
            "a review comes after the work starts"
        )
    if d.planned_sessions is not None and d.planned_sessions < 0:
        problems.append("Planned sessions cannot be negative")
    for label, value in (
        ("Planned hours", d.planned_hours),
        ("Cover hours", d.cover_hours),
        ("Travel hours", d.travel_hours),
    ):
        _hours(label, value, problems)
    for label, text in (
        ("What the donor side brings", d.donor_contribution),
        ("What flows back", d.recipient_contribution),
        ("The reason", d.reason),
        ("The note", d.note),
    ):
        _text(label, text, problems)
    _raise(problems)


def check_entry(e: EntryDraft, start_date: date, members: dict[str, str]) -> None:
    """Everything about a log entry that needs only its pairing's start and members
    (staff_ref -> side)."""
    problems: list[str] = []
    if e.entry_type not in ENTRY_TYPES:
        problems.append(
            f"'{e.entry_type}' is not a kind of log entry; use one of: {', '.join(ENTRY_TYPES)}"
        )
    if e.date < start_date:
        problems.append(
            f"The entry is dated {day(e.date)}, before the pairing started on {day(start_date)}; "
            "log only what happened during the pairing"
        )
    if e.flow not in FLOWS:
        problems.append(f"'{e.flow}' is not a direction; use one of: {', '.join(FLOWS)}")
    _hours("Hours", e.hours, problems)
    strangers = [r for r in e.who if r not in members]
    if strangers:
        problems.append(f"{', '.join(strangers)} is not a participant in this pairing")
    if e.observed_ref is not None and e.observed_ref not in members:
        problems.append(f"{e.observed_ref} (whose practice was seen) is not in this pairing")
    if e.entry_type in OBSERVING_TYPES:
        if not e.observed_ref:
            problems.append("Say whose practice was observed")
        if not e.recorded_by:
            problems.append("Say who made the observation (a staff reference or a role)")
    for label, rating in (("Rating before", e.rating_before), ("Rating after", e.rating_after)):
        if rating is not None and rating not in (1, 2, 3, 4):
            problems.append(f"{label} must be 1 to 4 (4 strongest), not {rating}")
    if (e.value_before is not None or e.value_after is not None) and not e.measure:
        problems.append("Say what was measured when giving before and after values")
    if e.entry_type == "link" and not e.link:
        problems.append("A link entry needs the link itself")
    if e.link and not _LINK.match(e.link):
        problems.append("A link must start with https:// or http://")
    if e.entry_type == "reflection" and not e.note:
        problems.append("A reflection needs its text")
    _text("The note", e.note, problems)
    _text("The measure", e.measure, problems)
    _raise(problems)
