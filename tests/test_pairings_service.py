"""Writing pairings on the tiny alliance: logging, bad input refused with nothing written,
the evidence rule for *transferred*, append-only history, one transaction with its audit."""

from __future__ import annotations

from datetime import date

import pytest

from brokering import audit
from brokering.db import Connection
from brokering.errors import NotFoundError, PermissionDenied, ValidationError
from brokering.pairings import entries, service, views
from brokering.pairings.model import EntryDraft, PairingDraft
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY

START = date(2026, 9, 1)
TABLES = ("pairing_versions", "pairing_participants", "pairing_entries")


def draft(**kw: object) -> PairingDraft:
    base: dict = {
        "donors": ("C1",),
        "recipients": ("A2",),
        "skill_id": "questioning",
        "work_kind": "coaching",
        "start_date": START,
        "review_date": date(2026, 12, 1),
        "status": "active",
    }
    return PairingDraft(**(base | kw))


def counts(con: Connection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}


def observe(
    con: Connection,
    viewer: Viewer,
    pid: str,
    day: date,
    by: str,
    who: str = "A2",
    rating: int | None = 3,
) -> int:
    entry = EntryDraft(
        "observation", day, hours=1.0, observed_ref=who, recorded_by=by, rating_after=rating
    )
    return entries.add_entry(con, viewer, pid, entry, today=TINY_TODAY)


def to_review(con: Connection, viewer: Viewer, pid: str) -> None:
    service.move(con, viewer, pid, "review due", today=TINY_TODAY)


def test_log_a_pairing_and_read_it_back(tiny: Connection, admin: Viewer) -> None:
    pid = service.log_pairing(tiny, admin, draft(), today=TINY_TODAY)
    assert pid == "P0001"
    assert service.log_pairing(tiny, admin, draft(), today=TINY_TODAY) == "P0002"
    row = views.list_pairings(tiny, admin, today=TINY_TODAY).iloc[0]
    assert row["practice"] == "Questioning" and row["status"] == "active"
    assert list(row["donors"]) == ["C1"] and list(row["recipients"]) == ["A2"]
    assert list(row["donor_schools"]) == ["Cedar Special School"]
    assert not row["same_school"]
    actions = audit.entries(tiny, admin)["action"].tolist()
    assert actions.count("pairing.log") == 2


def test_same_school_pairing_is_allowed_and_marked(tiny: Connection, admin: Viewer) -> None:
    pid = service.log_pairing(
        tiny, admin, draft(donors=("A1",), recipients=("A2",)), today=TINY_TODAY
    )
    assert views.pairing_detail(tiny, admin, pid)["same_school"] is True
    assert bool(views.list_pairings(tiny, admin).iloc[0]["same_school"])


def test_same_school_is_not_told_of_someone_the_viewer_cannot_see(
    tiny: Connection, admin: Viewer
) -> None:
    """A2 shares, A3 does not: head B sees the pairing (A2 is in it) with A3 masked and A3's
    school left out ("a partner school"), so "same school" must not say that A3 is at A."""
    pid = service.log_pairing(
        tiny, admin, draft(donors=("A2",), recipients=("A3",)), today=TINY_TODAY
    )
    head_b = Viewer("headteacher", "B", "head-B")
    assert views.pairing_detail(tiny, head_b, pid)["same_school"] is False
    row = views.list_pairings(tiny, head_b, today=TINY_TODAY).iloc[0]
    assert not bool(row["same_school"])
    assert (
        views.describe(row) == "Questioning: Alder Primary → a partner school, started 1 Sep 2026"
    )
    head_a = Viewer("headteacher", "A", "head-A")  # sees everyone at A: it is theirs to know
    assert views.pairing_detail(tiny, head_a, pid)["same_school"] is True


def test_practice_words_resolve_through_the_taxonomy(tiny: Connection) -> None:
    assert service.resolve_practice(tiny, "cold calling") == "questioning"
    with pytest.raises(ValidationError, match="not a practice"):
        service.resolve_practice(tiny, "juggling fire")


def test_suggested_disciplines_come_from_depends_on(tiny: Connection) -> None:
    got = service.with_suggested_disciplines(tiny, draft()).disciplines
    assert got == ("behaviour-and-routines", "curriculum-design")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recipients": ("ZZ9",)}, "ZZ9 is not a member of staff you can see"),
        ({"recipients": ("C1",)}, "cannot be both donor and recipient"),
        ({"recipients": ("C2",)}, "C2 left on 2026-07-31"),
        ({"review_date": date(2026, 8, 1)}, "before the start date"),
        ({"planned_hours": -3.0}, "cannot be negative"),
        ({"status": "transferred"}, "A new pairing starts as"),
        (
            {"start_date": date(2027, 1, 5), "review_date": date(2027, 3, 1)},
            "cannot start in the future",
        ),
        ({"disciplines": ("questioning",)}, "is a core competence"),
        ({"skill_id": "no-such-skill"}, "not a practice in the taxonomy"),
    ],
)
def test_bad_pairings_are_refused_and_nothing_is_written(
    tiny: Connection, admin: Viewer, changes: dict, message: str
) -> None:
    before = counts(tiny)
    with pytest.raises(ValidationError, match=message):
        service.log_pairing(tiny, admin, draft(**changes), today=TINY_TODAY)
    assert counts(tiny) == before


def test_a_failure_inside_the_transaction_writes_nothing(
    tiny: Connection, admin: Viewer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        service.log_pairing(tiny, admin, draft(), today=TINY_TODAY)
    assert counts(tiny) == dict.fromkeys(TABLES, 0)


def test_forbidden_moves_are_refused_plainly(tiny: Connection, admin: Viewer) -> None:
    pid = service.log_pairing(tiny, admin, draft(status="proposed"), today=TINY_TODAY)
    with pytest.raises(ValidationError, match="cannot move from proposed to transferred"):
        service.move(tiny, admin, pid, "transferred")
    service.move(tiny, admin, pid, "stopped", reason="Cover could not be found")
    with pytest.raises(ValidationError, match="final state"):
        service.move(tiny, admin, pid, "agreed")
    with pytest.raises(ValidationError, match="only its note"):
        service.edit_pairing(tiny, admin, pid, {"planned_hours": 4.0})


def test_transferred_needs_an_observation_of_the_recipient_by_someone_else_after_the_start(
    tiny: Connection, admin: Viewer
) -> None:
    pid = service.log_pairing(tiny, admin, draft(), today=TINY_TODAY)
    to_review(tiny, admin, pid)

    def refused() -> None:
        with pytest.raises(ValidationError, match="counts as transferred only on an observation"):
            service.move(tiny, admin, pid, "transferred")

    refused()
    observe(tiny, admin, pid, date(2026, 10, 1), by="A2")  # the recipient on herself
    observe(tiny, admin, pid, date(2026, 10, 2), by="self")
    refused()
    observe(
        tiny, admin, pid, START, by="C1", rating=2
    )  # on the start date: a baseline, not transfer
    observe(tiny, admin, pid, date(2026, 10, 3), by="A2", who="C1")  # the donor observed
    refused()
    with pytest.raises(ValidationError, match="before the pairing started"):
        observe(tiny, admin, pid, date(2026, 8, 31), by="C1")
    entry = EntryDraft(
        "observation",
        date(2026, 10, 15),
        observed_ref="A2",
        recorded_by="slt",
        rating_before=2,
        rating_after=3,
    )
    entries.add_entry(tiny, admin, pid, entry, today=TINY_TODAY)
    service.move(tiny, admin, pid, "transferred")
    log = views.pairing_log(tiny, admin, pid)
    seen = log[log["recorded_by"] == "SLT"].iloc[0]  # the role label, canonicalised
    assert (seen["rating_before"], seen["rating_after"]) == (2, 3)
    assert views.pairing_detail(tiny, admin, pid)["transfer_evidence"] == 1


def test_future_and_unknown_log_entries_are_refused(tiny: Connection, admin: Viewer) -> None:
    pid = service.log_pairing(tiny, admin, draft(), today=TINY_TODAY)
    with pytest.raises(ValidationError, match="in the future"):
        observe(tiny, admin, pid, date(2026, 12, 1), by="C1")
    with pytest.raises(ValidationError, match="neither a staff reference"):
        observe(tiny, admin, pid, date(2026, 10, 1), by="Mrs Jones")
    with pytest.raises(NotFoundError, match="no pairing P9999"):
        observe(tiny, admin, "P9999", date(2026, 10, 1), by="C1")


def test_an_edit_keeps_the_old_version(tiny: Connection, admin: Viewer) -> None:
    pid = service.log_pairing(tiny, admin, draft(), today=TINY_TODAY)
    first = tiny.execute("SELECT * FROM pairing_versions WHERE version = 1").fetchall()
    version = service.edit_pairing(
        tiny, admin, pid, {"review_date": date(2027, 1, 15), "recipients": ("A2", "B3")}
    )
    assert version == 2
    assert tiny.execute("SELECT * FROM pairing_versions WHERE version = 1").fetchall() == first
    history = views.pairing_history(tiny, admin, pid)
    assert history["version"].tolist() == [1, 2]
    assert history["review_date"].dt.date.tolist() == [date(2026, 12, 1), date(2027, 1, 15)]
    assert [list(p) for p in history["participants"]] == [["A2", "C1"], ["A2", "B3", "C1"]]
    assert history["change"].iloc[1] == "edited: recipients, review_date"
    assert set(history["changed_by"]) == {"test-admin"}
    with pytest.raises(ValidationError, match="Nothing to save"):
        service.edit_pairing(tiny, admin, pid, {"review_date": date(2027, 1, 15)})
    with pytest.raises(ValidationError, match="with a move"):
        service.edit_pairing(tiny, admin, pid, {"status": "stopped"})


def test_log_entries_are_corrected_and_withdrawn_by_new_versions(
    tiny: Connection, admin: Viewer
) -> None:
    pid = service.log_pairing(tiny, admin, draft(), today=TINY_TODAY)
    to_review(tiny, admin, pid)
    eid = observe(tiny, admin, pid, date(2026, 10, 1), by="C1", rating=None)
    assert entries.edit_entry(tiny, admin, eid, {"rating_after": 4}, today=TINY_TODAY) == 2
    service.move(tiny, admin, pid, "transferred")
    with pytest.raises(ValidationError, match="must keep at least one observation"):
        entries.withdraw_entry(tiny, admin, eid, "Recorded against the wrong pairing")
    other = observe(tiny, admin, pid, date(2026, 10, 20), by="B2")
    entries.withdraw_entry(tiny, admin, eid, "Recorded against the wrong pairing")
    assert views.pairing_log(tiny, admin, pid)["entry_id"].tolist() == [other]
    full = views.pairing_log(tiny, admin, pid, history=True)
    mine = full[full["entry_id"] == eid].sort_values("version")
    assert mine["version"].tolist() == [1, 2, 3]
    assert mine["withdrawn"].tolist() == [False, False, True]
    assert mine["rating_after"].isna().tolist() == [True, False, False]
    assert mine["change"].iloc[2] == "withdrawn: Recorded against the wrong pairing"
    with pytest.raises(ValidationError, match="was withdrawn"):
        entries.edit_entry(tiny, admin, eid, {"note": "again"}, today=TINY_TODAY)


def test_continuing_after_review_sets_a_later_review_date(tiny: Connection, admin: Viewer) -> None:
    pid = service.log_pairing(tiny, admin, draft(), today=TINY_TODAY)
    to_review(tiny, admin, pid)
    service.move(tiny, admin, pid, "active", review_date=date(2027, 3, 1))
    assert views.pairing_detail(tiny, admin, pid)["review_date"] == date(2027, 3, 1)


def test_who_may_write(tiny: Connection, admin: Viewer) -> None:
    with pytest.raises(PermissionDenied, match="alliance figures only"):
        service.log_pairing(tiny, Viewer("viewer"), draft(), today=TINY_TODAY)
    head_b = Viewer("headteacher", "B", "head-b")
    with pytest.raises(PermissionDenied, match="their own school"):
        service.log_pairing(tiny, head_b, draft(), today=TINY_TODAY)
    pid = service.log_pairing(tiny, head_b, draft(recipients=("B3",)), today=TINY_TODAY)
    head_a = Viewer("headteacher", "A", "head-a")
    with pytest.raises(PermissionDenied):
        service.move(tiny, head_a, pid, "review due", today=TINY_TODAY)
    coordinator = Viewer("sle_coordinator", username="coord")
    service.move(tiny, coordinator, pid, "review due", today=TINY_TODAY)
    history = views.pairing_history(tiny, admin, pid)
    assert history["changed_by"].tolist() == ["head-b", "coord"]
