"""Writing pairings: log one, edit it, move it through its lifecycle (its log: entries.py).

Each function checks everything first, then writes in one transaction with its audit record;
a refusal writes nothing. Every change appends a version; nothing is updated or deleted.
"""

from __future__ import annotations

import re
from datetime import date

from brokering import audit, derived_sets
from brokering.dates import day
from brokering.db import Connection, transaction
from brokering.errors import AmbiguousQuery, ValidationError
from brokering.pairings import access, lifecycle, store, transfer_rule
from brokering.pairings.model import PairingDraft, check_draft
from brokering.taxonomy import SkillMatcher
from brokering.viewer import Viewer

_PAIRING_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$")


def resolve_practice(con: Connection, text: str) -> str:
    """A practice typed in plain words -> its taxonomy skill_id, never guessed."""
    match = SkillMatcher.from_db(con).match(text)
    if match.ok and match.skill_id:
        return match.skill_id
    if match.status == "ambiguous":
        raise AmbiguousQuery(
            f"'{text}' could be several practices; choose one.", list(match.suggestions)
        )
    hint = f" Nearest: {', '.join(match.suggestions[:3])}." if match.suggestions else ""
    raise ValidationError(f"'{text}' is not a practice in the taxonomy.{hint}")


def with_suggested_disciplines(con: Connection, draft: PairingDraft) -> PairingDraft:
    """The draft with the encompassing disciplines the taxonomy says its practice depends on
    added (for a core competence; none for a discipline itself)."""
    suggested = store.suggested_disciplines(con, draft.skill_id)
    merged = tuple(dict.fromkeys([*suggested, *draft.disciplines]))
    return draft.with_changes(disciplines=merged)


def _check_skills(con: Connection, draft: PairingDraft) -> None:
    facts = store.skill_facts(con, [draft.skill_id, *draft.disciplines])
    if draft.skill_id not in facts:
        raise ValidationError(f"'{draft.skill_id}' is not a practice in the taxonomy.")
    for sid in draft.disciplines:
        if sid not in facts:
            raise ValidationError(f"'{sid}' is not a skill in the taxonomy.")
        if facts[sid][1] != "encompassing discipline":
            raise ValidationError(
                f"{facts[sid][0]} is a core competence; list only the encompassing "
                "disciplines (school-wide systems) the practice depends on."
            )


def _check_start(draft: PairingDraft, today: date) -> None:
    if draft.start_date > today and draft.status not in ("proposed", "agreed"):
        raise ValidationError(
            f"A pairing that is {draft.status} cannot start in the future "
            f"({day(draft.start_date)})."
        )


def log_pairing(
    con: Connection,
    viewer: Viewer,
    draft: PairingDraft,
    pairing_id: str | None = None,
    today: date | None = None,
) -> str:
    """Record a new pairing (proposed, agreed or active); returns its id."""
    access.require_writer(viewer)
    today = today or date.today()
    check_draft(draft)
    if draft.status not in lifecycle.STARTING:
        raise ValidationError(
            f"A new pairing starts as {', '.join(lifecycle.STARTING)}; it reaches "
            f"{draft.status} by moving through its lifecycle."
        )
    _check_start(draft, today)
    _check_skills(con, draft)
    schools = access.check_people(con, viewer, [*draft.donors, *draft.recipients])
    access.require_school_link(viewer, schools.values())
    with store.wrapped("log the pairing"):
        if pairing_id is None:
            pairing_id = store.next_pairing_id(con)
        elif not _PAIRING_ID.match(pairing_id):
            raise ValidationError(f"'{pairing_id}' is not a valid pairing reference.")
        if store.current_version(con, pairing_id) is not None:
            raise ValidationError(f"A pairing {pairing_id} already exists; choose another id.")
        with transaction(con), derived_sets.upkeep(con) as kept:
            store.insert_version(con, pairing_id, 1, draft, "logged", viewer.username)
            kept.touch("pairing", [pairing_id])
            audit.record(
                con,
                viewer,
                "pairing.log",
                {
                    "pairing_id": pairing_id,
                    "status": draft.status,
                    "same_school": len(set(schools.values())) == 1,
                },
            )
    store.keep_find_current(con, pairing_id)
    return pairing_id


def edit_pairing(
    con: Connection,
    viewer: Viewer,
    pairing_id: str,
    changes: dict[str, object],
    today: date | None = None,
) -> int:
    """Change a pairing's details (not its status): a new version; returns its number."""
    if {"status", "reason"} & set(changes):
        raise ValidationError("Change the status with a move, which keeps the lifecycle's rules.")
    row, sides = access.pairing_access(con, viewer, pairing_id)
    old = store.draft_of(row, sides)
    if old.status in lifecycle.FINAL and set(changes) - {"note"}:
        raise ValidationError(
            f"The pairing is {old.status}; only its note can change now. Log a new pairing "
            "to continue the work."
        )
    new = old.with_changes(**changes)
    if new == old:
        raise ValidationError("Nothing to save: every field is as recorded.")
    check_draft(new)
    _check_start(new, today or date.today())
    _check_skills(con, new)
    added = [r for r in (*new.donors, *new.recipients) if r not in sides]
    access.check_people(con, viewer, added)
    if new.start_date > old.start_date:
        first = store.first_log_date(con, pairing_id)
        if first is not None and first < new.start_date:
            raise ValidationError(
                f"The log has an entry dated {day(first)}, before the new start date "
                f"{day(new.start_date)}; the start cannot move past it."
            )
    changed = sorted(k for k in changes if getattr(old, k) != getattr(new, k))
    return _append(con, viewer, pairing_id, row["version"], new, "edited: " + ", ".join(changed))


def move(
    con: Connection,
    viewer: Viewer,
    pairing_id: str,
    target: str,
    reason: str | None = None,
    review_date: date | None = None,
    today: date | None = None,
) -> int:
    """Move a pairing along its lifecycle (see lifecycle.TRANSITIONS); returns the version."""
    row, sides = access.pairing_access(con, viewer, pairing_id)
    seen = store.observations(con, pairing_id) if target == "transferred" else []
    lifecycle.check_move(
        row["status"],
        target,
        reason=reason,
        transfer_evidence=sum(o["why_not"] is None for o in seen),
        transfer_detail=observations_summary(seen),
        review_date=review_date,
        current_review_date=row["review_date"],
    )
    changes: dict[str, object] = {"status": target}
    if target in lifecycle.NEEDS_REASON:
        changes["reason"] = (reason or "").strip()
    if review_date is not None:
        changes["review_date"] = review_date
    new = store.draft_of(row, sides).with_changes(**changes)
    check_draft(new)
    _check_start(new, today or date.today())
    return _append(con, viewer, pairing_id, row["version"], new, f"{row['status']} -> {target}")


def observations_summary(seen: list[dict]) -> str:
    """Why each logged observation does not count, one clause each (for a refusal)."""
    parts = [
        f"the observation of {day(o['date'])} "
        + transfer_rule.reason(o["why_not"], o["rating_after"], o["baseline"])
        for o in seen
        if o["why_not"] is not None
    ]
    return ("Of what is logged: " + "; ".join(parts) + ".") if parts else ""


def _append(
    con: Connection, viewer: Viewer, pairing_id: str, version: int, new: PairingDraft, change: str
) -> int:
    with store.wrapped("save the pairing"), transaction(con), derived_sets.upkeep(con) as kept:
        store.insert_version(con, pairing_id, version + 1, new, change, viewer.username)
        kept.touch("pairing", [pairing_id])
        audit.record(
            con,
            viewer,
            "pairing.change",
            {"pairing_id": pairing_id, "version": version + 1, "change": change},
        )
    store.keep_find_current(con, pairing_id)  # a judged pairing moves its donors' coaching
    return version + 1
