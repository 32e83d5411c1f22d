"""Who sees which pairing, and how a participant they may not see appears.

Tiny alliance: A3 teaches at Alder (A) and has not consented to sharing; C2 has left.
"""

from __future__ import annotations

from datetime import date

import pytest

from brokering.db import Connection
from brokering.errors import NotFoundError, PermissionDenied, ValidationError
from brokering.pairings import accountability, entries, service, views
from brokering.pairings.model import EntryDraft, PairingDraft
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY

HEAD_A = Viewer("headteacher", "A", "head-a")
LEAD_B = Viewer("senior_leader", "B", "lead-b")
COORDINATOR = Viewer("sle_coordinator", username="coord")
GOVERNOR = Viewer("viewer", username="governor")


@pytest.fixture
def hidden(tiny: Connection) -> str:
    """A3 (no consent, school A) coaches B3 (school B); head of A logs it."""
    draft = PairingDraft(
        ("A3",), ("B3",), "questioning", "coaching", date(2026, 9, 1), status="active"
    )
    pid = service.log_pairing(tiny, HEAD_A, draft, today=TINY_TODAY)
    entry = EntryDraft("observation", date(2026, 10, 1), 1.0, observed_ref="B3", recorded_by="A3")
    entries.add_entry(tiny, HEAD_A, pid, entry, today=TINY_TODAY)
    return pid


def test_own_school_sees_the_non_consenting_colleague(tiny: Connection, hidden: str) -> None:
    row = views.list_pairings(tiny, HEAD_A).iloc[0]
    assert list(row["donors"]) == ["A3"]
    assert list(row["donor_schools"]) == ["Alder Primary"]


@pytest.mark.parametrize("viewer", [LEAD_B, COORDINATOR])
def test_partner_school_non_consenting_participant_is_hidden(
    tiny: Connection, hidden: str, viewer: Viewer
) -> None:
    row = views.list_pairings(tiny, viewer).iloc[0]
    assert list(row["donors"]) == ["not shared"] and list(row["donor_schools"]) == []
    assert list(row["recipients"]) == ["B3"]
    detail = views.pairing_detail(tiny, viewer, hidden)
    people = detail["participants"].set_index("side")
    assert people.loc["donor", "staff_ref"] == "not shared"
    assert people.loc["donor", "school"] == "not shared"
    log = views.pairing_log(tiny, viewer, hidden)
    assert log["recorded_by"].tolist() == ["not shared"]
    assert log["observed_ref"].tolist() == ["B3"]
    history = views.pairing_history(tiny, viewer, hidden)
    assert [list(p) for p in history["participants"]] == [["not shared", "B3"]]
    exported = accountability.export(views.list_pairings(tiny, viewer)).decode("utf-8-sig")
    assert "A3" not in exported


def test_a_pairing_with_nobody_visible_is_not_shown(tiny: Connection) -> None:
    head_b = Viewer("headteacher", "B", "head-b")
    # Hidden from the coordinator: both participants' consent is withdrawn after logging.
    pid = service.log_pairing(
        tiny,
        head_b,
        PairingDraft(("B2",), ("B3",), "questioning", "coaching", date(2026, 9, 1)),
        today=TINY_TODAY,
    )
    tiny.execute("UPDATE staff SET share_consent = FALSE WHERE staff_ref IN ('B2', 'B3')")
    assert views.list_pairings(tiny, COORDINATOR).empty
    with pytest.raises(NotFoundError, match="that you can see"):
        views.pairing_detail(tiny, COORDINATOR, pid)
    with pytest.raises(NotFoundError):
        service.move(tiny, COORDINATOR, pid, "agreed")


def test_nobody_can_name_a_hidden_person(tiny: Connection, hidden: str) -> None:
    draft = PairingDraft(("A3",), ("C1",), "questioning", "coaching", date(2026, 9, 1))
    with pytest.raises(ValidationError, match="A3 is not a member of staff you can see"):
        service.log_pairing(tiny, COORDINATOR, draft, today=TINY_TODAY)
    assert "A3" not in set(views.staff_choices(tiny, COORDINATOR)["staff_ref"])
    assert "A3" in set(views.staff_choices(tiny, HEAD_A)["staff_ref"])
    assert "C2" not in set(views.staff_choices(tiny, HEAD_A)["staff_ref"])  # a leaver


def test_aggregate_only_role_gets_suppressed_counts_and_no_lists(
    tiny: Connection, hidden: str
) -> None:
    with pytest.raises(PermissionDenied):
        views.list_pairings(tiny, GOVERNOR)
    with pytest.raises(PermissionDenied):
        views.pairing_detail(tiny, GOVERNOR, hidden)
    with pytest.raises(PermissionDenied):
        accountability.overdue(tiny, GOVERNOR)
    counts = views.status_counts(tiny, GOVERNOR).set_index("status")["pairings"]
    assert counts.isna()["active"]  # one pairing: fewer than the threshold
    assert counts["proposed"] == 0
    assert views.status_counts(tiny, LEAD_B).set_index("status").loc["active", "pairings"] == 1
