"""The needs register: list and filter, add, edit and close with validation; refusals write
nothing; every change is kept with who and when."""

from __future__ import annotations

from datetime import date

import pytest

from brokering.errors import AmbiguousQuery, NotFoundError, PermissionDenied, ValidationError
from brokering.matching import needs
from brokering.viewer import Viewer
from tests.conftest import data_tables

HEAD_A = Viewer("headteacher", "A", "head-a")
LEAD_B = Viewer("senior_leader", "B", "lead-b")


def test_list_and_filter(tiny, admin) -> None:
    open_needs = needs.list_needs(tiny, admin)
    assert open_needs["need_id"].tolist() == ["N1", "N2"]  # high priority first
    assert needs.list_needs(tiny, admin, statuses=None)["need_id"].tolist() == ["N1", "N2", "N3"]
    assert needs.list_needs(tiny, admin, school_id="A")["need_id"].tolist() == ["N2"]
    assert needs.list_needs(tiny, admin, priority="high")["need_id"].tolist() == ["N1"]
    assert needs.list_needs(tiny, admin, wanted_role="either")["need_id"].tolist() == ["N2"]
    assert needs.list_needs(tiny, admin, skill_id="mathematics")["skill_name"].tolist() == [
        "Mathematics"
    ]
    with pytest.raises(PermissionDenied):
        needs.list_needs(tiny, Viewer("viewer"))


def test_add_a_need_resolves_the_skill_and_records_history(tiny) -> None:
    need = needs.add_need(
        tiny,
        HEAD_A,
        staff_ref="A2",
        skill="retrieval",
        priority="high",
        wanted_role="coach",
        hours=9,
        note="Year 1 team",
        today=date(2026, 11, 20),
    )
    assert need.need_id == "N0004" and need.skill_name == "Retrieval practice"
    assert (need.status, need.hours, need.raised_on) == ("open", 9.0, date(2026, 11, 20))
    history = needs.need_history(tiny, HEAD_A, need.need_id)
    assert history["action"].tolist() == ["created"] and history["username"][0] == "head-a"
    audit = tiny.execute("SELECT action FROM audit_log ORDER BY audit_id DESC LIMIT 1").fetchall()
    assert audit == [("need.add",)]


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"staff_ref": "ZZ9"}, NotFoundError, "ZZ9"),
        ({"staff_ref": "C2", "skill": "Autism support"}, ValidationError, "left"),
        ({"skill": "basket weaving"}, AmbiguousQuery, "No skill"),
        ({"skill": "Mathematics", "staff_ref": "B3"}, ValidationError, "already has an open"),
        ({"priority": "urgent"}, ValidationError, "Priority must be"),
        ({"wanted_role": "guru"}, ValidationError, "role wanted"),
        ({"hours": 0}, ValidationError, "more than 0"),
        ({"hours": 5000}, ValidationError, "at most 1,000"),
        ({"raised_on": date(2030, 1, 1)}, ValidationError, "future"),
    ],
)
def test_bad_needs_are_refused_and_nothing_is_written(tiny, admin, kwargs, error, text) -> None:
    before = data_tables(tiny)
    args = {
        "staff_ref": "A2",
        "skill": "Oracy",
        "priority": "low",
        "wanted_role": "coach",
        "today": date(2026, 11, 20),
        **kwargs,
    }
    with pytest.raises(error, match=text):
        needs.add_need(tiny, admin, **args)
    assert data_tables(tiny) == before


def test_leaders_manage_only_their_own_schools_needs(tiny) -> None:
    with pytest.raises(PermissionDenied, match="Alder Primary"):
        needs.add_need(tiny, LEAD_B, staff_ref="A2", skill="Oracy")
    with pytest.raises(PermissionDenied):
        needs.close_need(tiny, LEAD_B, "N2", reason="not ours")
    needs.add_need(tiny, LEAD_B, staff_ref="B3", skill="Oracy")  # their own colleague


def test_a_partner_school_cannot_see_a_non_consenting_persons_needs(tiny) -> None:
    needs.add_need(tiny, HEAD_A, staff_ref="A3", skill="Oracy")
    assert "A3" in needs.list_needs(tiny, HEAD_A)["staff_ref"].tolist()
    assert "A3" not in needs.list_needs(tiny, LEAD_B)["staff_ref"].tolist()


def test_edit_keeps_the_old_version(tiny, admin) -> None:
    after = needs.edit_need(tiny, admin, "N2", priority="high", hours=12, note="Urgent")
    assert (after.priority, after.hours, after.note) == ("high", 12.0, "Urgent")
    history = needs.need_history(tiny, admin, "N2")
    assert history["action"].tolist() == ["edited"]
    assert '"priority": "medium"' in history["before_json"][0]
    assert '"priority": "high"' in history["after_json"][0]
    cleared = needs.edit_need(tiny, admin, "N2", hours=None)
    assert cleared.hours is None and cleared.priority == "high"
    with pytest.raises(ValidationError, match="already has an open"):
        needs.add_need(tiny, admin, staff_ref="A2", skill="Behaviour and routines")


def test_status_moves(tiny, admin) -> None:
    with pytest.raises(ValidationError, match="only open needs"):
        needs.edit_need(tiny, admin, "N3", priority="high")  # closed
    with pytest.raises(ValidationError, match="cannot become"):
        needs.close_need(tiny, admin, "N3", status="withdrawn")
    with pytest.raises(ValidationError, match="closed as one of"):
        needs.close_need(tiny, admin, "N2", status="matched")  # only by an accepted request
    closed = needs.close_need(tiny, admin, "N2", status="withdrawn", reason="Left the team")
    assert closed.status == "withdrawn"
    assert needs.need_history(tiny, admin, "N2")["reason"].tolist() == ["Left the team"]
    # Withdrawn: the same person may now raise a fresh need in the skill.
    fresh = needs.add_need(tiny, admin, staff_ref="A2", skill="Behaviour and routines")
    assert fresh.status == "open"


def test_the_data_manager_sees_leavers_needs_to_close_them(tiny, admin) -> None:
    tiny.execute(
        "INSERT INTO needs VALUES ('NX', 'C2', 'autism-support', 'high', 'coach', "
        "DATE '2026-01-01', 'open', NULL, NULL)"
    )
    assert "NX" in needs.list_needs(tiny, admin)["need_id"].tolist()
    assert "NX" not in needs.list_needs(tiny, Viewer("headteacher", "C"))["need_id"].tolist()
    assert needs.close_need(tiny, admin, "NX", reason="Left").status == "closed"
