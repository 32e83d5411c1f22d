"""Accountability views: overdue without evidence, quiet for N weeks, not transferred with
reasons — and their CSV export."""

from __future__ import annotations

from datetime import date

import pytest

from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.pairings import accountability, entries, service
from brokering.pairings.model import EntryDraft, PairingDraft
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY  # 2026-11-20


def _pairing(con: Connection, admin: Viewer, start: date, review: date, status: str) -> str:
    draft = PairingDraft(("C1",), ("A2",), "questioning", "coaching", start, review, status)
    return service.log_pairing(con, admin, draft, today=TINY_TODAY)


def _session(con: Connection, admin: Viewer, pid: str, day: date) -> None:
    entries.add_entry(con, admin, pid, EntryDraft("coaching session", day, 1.0), TINY_TODAY)


@pytest.fixture
def story(tiny: Connection, admin: Viewer) -> Connection:
    # P0001: review passed 20 days ago, sessions but no observation: overdue.
    p1 = _pairing(tiny, admin, date(2026, 6, 1), date(2026, 10, 31), "active")
    _session(tiny, admin, p1, date(2026, 11, 10))
    # P0002: review passed, but the recipient was seen doing it: not overdue.
    p2 = _pairing(tiny, admin, date(2026, 6, 1), date(2026, 10, 31), "active")
    entries.add_entry(
        tiny,
        admin,
        p2,
        EntryDraft(
            "observation", date(2026, 11, 1), observed_ref="A2", recorded_by="SLT", rating_after=3
        ),
        TINY_TODAY,
    )
    # P0003: last activity nine weeks ago: quiet.
    p3 = _pairing(tiny, admin, date(2026, 9, 1), date(2027, 2, 1), "active")
    _session(tiny, admin, p3, date(2026, 9, 18))
    # P0004: judged not transferred; P0005 stopped; P0006 not started yet (not quiet).
    p4 = _pairing(tiny, admin, date(2026, 3, 1), date(2026, 7, 1), "active")
    service.move(tiny, admin, p4, "review due", today=TINY_TODAY)
    service.move(tiny, admin, p4, "not transferred", reason="Recipient changed year group")
    p5 = _pairing(tiny, admin, date(2026, 3, 1), date(2026, 7, 1), "proposed")
    service.move(tiny, admin, p5, "stopped", reason="=Cover ran out")
    _pairing(tiny, admin, date(2026, 12, 7), date(2027, 3, 1), "agreed")
    return tiny


def test_overdue_without_evidence(story: Connection, admin: Viewer) -> None:
    frame = accountability.overdue(story, admin, today=TINY_TODAY)
    assert frame["pairing_id"].tolist() == ["P0001"]
    assert frame["days_overdue"].tolist() == [20]


def test_quiet_for_n_weeks(story: Connection, admin: Viewer) -> None:
    frame = accountability.quiet(story, admin, weeks=6, today=TINY_TODAY)
    assert frame["pairing_id"].tolist() == ["P0003"]
    assert frame["weeks_quiet"].tolist() == [9]
    assert accountability.quiet(story, admin, weeks=10, today=TINY_TODAY).empty
    longer = accountability.quiet(story, admin, weeks=2, today=TINY_TODAY)["pairing_id"].tolist()
    assert longer == ["P0003", "P0002"]  # P0001 had a session 10 days ago
    with pytest.raises(ValidationError, match="1 or more"):
        accountability.quiet(story, admin, weeks=0)


def test_not_transferred_with_reasons(story: Connection, admin: Viewer) -> None:
    frame = accountability.not_transferred(story, admin)
    assert frame[["pairing_id", "status", "reason"]].values.tolist() == [
        ["P0004", "not transferred", "Recipient changed year group"],
        ["P0005", "stopped", "=Cover ran out"],
    ]
    assert frame["judged_on"].notna().all()


def test_export_is_safe_csv(story: Connection, admin: Viewer) -> None:
    text = accountability.export(accountability.not_transferred(story, admin)).decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("pairing_id,practice,work_kind,status,donors,recipients")
    assert "'=Cover ran out" in text  # a formula-looking reason stays text
    assert ",C1,A2," in text  # lists written plainly
