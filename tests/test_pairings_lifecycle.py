"""The pairing lifecycle as a table of allowed and refused moves, and the checks on a pairing
and a log entry that need no database (unit tests: plain values only)."""

from __future__ import annotations

from datetime import date

import pytest

from brokering.errors import ValidationError
from brokering.pairings import lifecycle
from brokering.pairings.model import EntryDraft, PairingDraft, check_draft, check_entry

S = lifecycle.STATUSES
ALLOWED = {
    ("proposed", "agreed"),
    ("proposed", "stopped"),
    ("agreed", "active"),
    ("agreed", "stopped"),
    ("active", "review due"),
    ("active", "stopped"),
    ("review due", "transferred"),
    ("review due", "not transferred"),
    ("review due", "active"),
    ("review due", "stopped"),
}


def _ok(current: str, target: str) -> dict:
    """What each allowed move needs, so that only the table decides."""
    return {
        "reason": "the reason" if target in lifecycle.NEEDS_REASON else None,
        "transfer_evidence": 1,
        "review_date": date(2027, 1, 1),
        "current_review_date": date(2026, 12, 1),
    }


def test_the_table_is_exactly_the_documented_lifecycle() -> None:
    assert set(lifecycle.TRANSITIONS) == ALLOWED
    assert lifecycle.FINAL == {"transferred", "not transferred", "stopped"}


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_moves_pass(current: str, target: str) -> None:
    lifecycle.check_move(current, target, **_ok(current, target))


@pytest.mark.parametrize(
    ("current", "target"),
    sorted((a, b) for a in S for b in S if a != b and (a, b) not in ALLOWED),
)
def test_every_other_move_is_refused_with_a_message(current: str, target: str) -> None:
    with pytest.raises(ValidationError) as err:
        lifecycle.check_move(current, target, **_ok(current, target))
    text = str(err.value)
    assert target in text and current in text
    if current in lifecycle.FINAL:
        assert "final state" in text
    else:
        assert "can move to" in text


def test_staying_put_is_not_a_move() -> None:
    with pytest.raises(ValidationError, match="already active"):
        lifecycle.check_move("active", "active")


def test_unknown_status_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a pairing status"):
        lifecycle.check_move("active", "finished")


@pytest.mark.parametrize("target", ["not transferred", "stopped"])
def test_reason_required(target: str) -> None:
    with pytest.raises(ValidationError, match="reason"):
        lifecycle.check_move("review due", target, reason="  ")
    lifecycle.check_move("review due", target, reason="Recipient left the school")


def test_transferred_needs_evidence() -> None:
    with pytest.raises(ValidationError, match="counts as transferred only on an observation"):
        lifecycle.check_move("review due", "transferred", transfer_evidence=0)


def test_continuing_after_review_needs_a_later_review_date() -> None:
    with pytest.raises(ValidationError, match="new review date"):
        lifecycle.check_move("review due", "active", current_review_date=date(2026, 12, 1))
    with pytest.raises(ValidationError, match="later than"):
        lifecycle.check_move(
            "review due",
            "active",
            review_date=date(2026, 11, 1),
            current_review_date=date(2026, 12, 1),
        )


def test_reachable_goes_forward_only() -> None:
    assert lifecycle.reachable("proposed", "transferred")
    assert lifecycle.reachable("agreed", "agreed")
    assert not lifecycle.reachable("transferred", "active")
    assert not lifecycle.reachable("stopped", "proposed")
    assert lifecycle.next_statuses("review due") == (
        "active",
        "transferred",
        "not transferred",
        "stopped",
    )


def _draft(**kw: object) -> PairingDraft:
    base: dict = {
        "donors": ("C1",),
        "recipients": ("A2",),
        "skill_id": "questioning",
        "work_kind": "coaching",
        "start_date": date(2026, 9, 1),
        "review_date": date(2026, 12, 1),
    }
    return PairingDraft(**(base | kw))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recipients": ("C1",)}, "both donor and recipient"),
        ({"recipients": ()}, "at least one recipient"),
        ({"donors": ()}, "at least one donor"),
        ({"recipients": ("A2", "A2")}, "listed twice"),
        ({"recipients": ("Jane Smith",)}, "not a staff reference"),
        ({"review_date": date(2026, 8, 1)}, "before the start date"),
        ({"planned_hours": -2.0}, "cannot be negative"),
        ({"cover_hours": -1.0}, "Cover hours cannot be negative"),
        ({"work_kind": "chat"}, "not a kind of work"),
        ({"note": "x" * 2001}, "limit is 2,000"),
    ],
)
def test_bad_pairings_are_refused_plainly(changes: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_draft(_draft(**changes))


def test_a_good_pairing_passes_and_unknown_fields_are_refused() -> None:
    check_draft(_draft())
    with pytest.raises(ValidationError, match="no field called colour"):
        _draft().with_changes(colour="blue")


MEMBERS = {"C1": "donor", "A2": "recipient"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            EntryDraft("observation", date(2026, 8, 31), observed_ref="A2", recorded_by="C1"),
            "before the pairing started",
        ),
        (EntryDraft("visit", date(2026, 9, 5), hours=-1.0), "cannot be negative"),
        (EntryDraft("observation", date(2026, 9, 5), recorded_by="C1"), "whose practice"),
        (EntryDraft("observation", date(2026, 9, 5), observed_ref="A2"), "who made"),
        (EntryDraft("visit", date(2026, 9, 5), who=("B3",)), "not a participant"),
        (
            EntryDraft("observation", date(2026, 9, 5), observed_ref="B3", recorded_by="C1"),
            "not in this pairing",
        ),
        (
            EntryDraft(
                "observation", date(2026, 9, 5), observed_ref="A2", recorded_by="C1", rating_after=5
            ),
            "1 to 4",
        ),
        (EntryDraft("outcome measure", date(2026, 9, 5), value_before=40.0), "what was measured"),
        (EntryDraft("link", date(2026, 9, 5)), "needs the link"),
        (EntryDraft("link", date(2026, 9, 5), link="javascript:alert(1)"), "https://"),
        (EntryDraft("reflection", date(2026, 9, 5)), "needs its text"),
        (EntryDraft("gossip", date(2026, 9, 5)), "not a kind of log entry"),
        (EntryDraft("visit", date(2026, 9, 5), flow="sideways"), "not a direction"),
    ],
)
def test_bad_log_entries_are_refused_plainly(entry: EntryDraft, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_entry(entry, date(2026, 9, 1), MEMBERS)


def test_an_entry_on_the_start_date_is_allowed() -> None:
    check_entry(
        EntryDraft("observation", date(2026, 9, 1), observed_ref="A2", recorded_by="C1"),
        date(2026, 9, 1),
        MEMBERS,
    )


def test_next_steps_text_is_read_from_the_transition_table() -> None:
    from brokering.pairings import lifecycle

    for status in lifecycle.OPEN:
        text = lifecycle.next_steps_text(status)
        for target in lifecycle.STATUSES:
            named = f" {target} (" in text
            assert named == ((status, target) in lifecycle.TRANSITIONS), (status, target)
    assert lifecycle.next_steps_text("agreed") == (
        "From agreed the pairing can move to active (once the work has begun) or stopped "
        "(with a reason)."
    )
    for status in lifecycle.FINAL:
        assert "final state" in lifecycle.next_steps_text(status)


def test_the_diagram_draws_every_move_from_the_current_state() -> None:
    from brokering.pairings import lifecycle

    dot = lifecycle.diagram("review due")
    for a, b in lifecycle.TRANSITIONS:
        if a == "review due" or b != "stopped":
            assert f'"{a}" -> "{b}"' in dot
    assert '"review due" [style="rounded,filled", fillcolor="#1f77b4"' in dot
