"""A pairing's activity and evidence log: add an entry, correct it, withdraw it.

Every change appends a version of the entry; a withdrawn entry leaves the log but stays in
the history. Each write is one transaction with its audit record. An observation that a
transferred pairing rests on cannot be withdrawn or changed away while it is the only one.
"""

from __future__ import annotations

from datetime import date

from brokering import audit, derived_sets
from brokering.dates import day
from brokering.db import Connection, transaction
from brokering.errors import NotFoundError, ValidationError
from brokering.importing.parsers import RECORDER_LABELS
from brokering.pairings import access, store
from brokering.pairings.model import EntryDraft, check_entry
from brokering.viewer import Viewer


def _check_recorder(con: Connection, viewer: Viewer, recorded_by: str | None) -> str | None:
    if recorded_by is None or not recorded_by.strip():
        return None
    text = recorded_by.strip()
    for label in RECORDER_LABELS:
        if text.lower() == label.lower():
            return label
    if not store.staff_facts(con, viewer, [text]):
        raise ValidationError(
            f"'{text}' is neither a staff reference you can see nor a role label "
            f"({', '.join(RECORDER_LABELS[:4])}…); never write a name here."
        )
    return text


def _check_entry_people(con: Connection, viewer: Viewer, entry: EntryDraft) -> None:
    named = [*entry.who, *([entry.observed_ref] if entry.observed_ref else [])]
    hidden = sorted(set(named) - store.visible_refs(con, viewer, named))
    if hidden:
        raise ValidationError(
            f"{', '.join(hidden)} is not someone you can see; only people you can see can be "
            "named in the log."
        )


def add_entry(
    con: Connection,
    viewer: Viewer,
    pairing_id: str,
    entry: EntryDraft,
    today: date | None = None,
) -> int:
    """Add a visit, session, observation or evidence item to a pairing's log; returns its id."""
    row, sides = access.pairing_access(con, viewer, pairing_id)
    entry = entry.with_changes(recorded_by=_check_recorder(con, viewer, entry.recorded_by))
    check_entry(entry, row["start_date"], sides)
    if entry.date > (today or date.today()):
        raise ValidationError(
            f"The entry is dated {day(entry.date)}, in the future; log it once it has happened."
        )
    _check_entry_people(con, viewer, entry)
    with store.wrapped("add to the log"), transaction(con), derived_sets.upkeep(con) as kept:
        entry_id = store.next_entry_id(con)
        store.insert_entry(con, entry_id, 1, pairing_id, entry, "added", viewer.username)
        kept.touch("pairing", [pairing_id])
        audit.record(
            con,
            viewer,
            "pairing.entry",
            {"pairing_id": pairing_id, "entry_id": entry_id, "type": entry.entry_type},
        )
    store.keep_find_current(con, pairing_id)
    return entry_id


def _entry_access(con: Connection, viewer: Viewer, entry_id: int) -> tuple[dict, dict, dict]:
    old = store.entry_current(con, entry_id)
    if old is None:
        raise NotFoundError(f"There is no log entry {entry_id}.")
    row, sides = access.pairing_access(con, viewer, old["pairing_id"])
    if old["withdrawn"]:
        raise ValidationError(f"Log entry {entry_id} was withdrawn; add a new entry instead.")
    return old, row, sides


def _append_entry(
    con: Connection,
    viewer: Viewer,
    old: dict,
    row: dict,
    new: EntryDraft,
    change: str,
    withdrawn: bool,
) -> int:
    version = int(old["version"]) + 1
    # A transferred pairing that rests on qualifying evidence keeps it; one judged before the
    # rule (listed by `pairings-transfer-check`) is not made harder to correct.
    rested = row["status"] == "transferred" and store.transfer_evidence_count(
        con, row["pairing_id"]
    )
    with (
        store.wrapped("change the log entry"),
        transaction(con),
        derived_sets.upkeep(con) as kept,
    ):
        kept.touch("pairing", [old["pairing_id"]])
        store.insert_entry(
            con,
            old["entry_id"],
            version,
            old["pairing_id"],
            new,
            change,
            viewer.username,
            withdrawn,
        )
        if rested and not store.transfer_evidence_count(con, row["pairing_id"]):
            raise ValidationError(
                f"Pairing {row['pairing_id']} was judged transferred on this observation; it "
                "must keep at least one observation that meets the transfer rule, so this "
                "change was not saved."
            )
        audit.record(
            con,
            viewer,
            "pairing.entry",
            {"entry_id": old["entry_id"], "version": version, "change": change},
        )
    store.keep_find_current(con, old["pairing_id"])
    return version


def edit_entry(
    con: Connection,
    viewer: Viewer,
    entry_id: int,
    changes: dict[str, object],
    today: date | None = None,
) -> int:
    """Correct a log entry: a new version; the old one is kept. Returns the version."""
    old, row, sides = _entry_access(con, viewer, entry_id)
    before = store.entry_draft_of(old)
    new = before.with_changes(**changes)
    if "recorded_by" in changes:
        new = new.with_changes(recorded_by=_check_recorder(con, viewer, new.recorded_by))
    if new == before:
        raise ValidationError("Nothing to save: every field is as recorded.")
    check_entry(new, row["start_date"], sides)
    if new.date > (today or date.today()):
        raise ValidationError(f"The entry is dated {day(new.date)}, in the future.")
    _check_entry_people(con, viewer, new)
    changed = sorted(k for k in changes if getattr(before, k) != getattr(new, k))
    return _append_entry(con, viewer, old, row, new, "edited: " + ", ".join(changed), False)


def withdraw_entry(con: Connection, viewer: Viewer, entry_id: int, reason: str) -> int:
    """Withdraw a mistaken entry: it leaves the log but stays in the history."""
    if not (reason or "").strip():
        raise ValidationError("Give the reason the entry is withdrawn: it stays on record.")
    old, row, _ = _entry_access(con, viewer, entry_id)
    draft = store.entry_draft_of(old)
    return _append_entry(con, viewer, old, row, draft, f"withdrawn: {reason.strip()}", True)
