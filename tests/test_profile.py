"""A person behind every reference (issue 21): the profile's content and its visibility per
role, the audit of every opening, the practice score agreeing with the find's, and similar
people on hand-built vectors."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from brokering.errors import NotFoundError, PermissionDenied
from brokering.profile import (
    NO_RECORD,
    coaching_text,
    confidence_word,
    cosine,
    most_similar,
    staff_profile,
)
from brokering.profile.read import observer_role
from brokering.scoring import practice_scores
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY

LEADER_A = Viewer("senior_leader", "A", "leader-a")
LEADER_B = Viewer("senior_leader", "B", "leader-b")
COORDINATOR = Viewer("sle_coordinator", None, "coord")
GOVERNOR = Viewer("viewer", None, "gov")


def test_own_school_sees_the_whole_profile(tiny) -> None:
    p = staff_profile(tiny, LEADER_A, "A2", as_of=TINY_TODAY)
    assert p.person["school"] == "Alder Primary" and p.person["own_school"]
    maths = p.strengths.set_index("skill_id").loc["mathematics"]
    assert maths["evidence_count"] == 2
    # Evidence newest first, with its note and the observer's role (A1 is the head).
    first = p.evidence.iloc[0]
    assert str(first["date"])[:10] == "2026-10-01"
    assert first["note"] == "Strong modelling with concrete materials"
    assert first["observer"] == "headteacher"
    assert p.evidence.iloc[1]["observer"] == "self"
    assert list(p.needs["need_id"]) == ["N2"]
    received = p.coaching[p.coaching["direction"] == "received"].iloc[0]
    assert received["other_ref"] == "C1" and received["mode"] == "mentoring"
    assert received["state"] == "running"


def test_partner_without_consent_is_not_found_with_the_same_message(tiny) -> None:
    with pytest.raises(NotFoundError) as hidden:
        staff_profile(tiny, LEADER_B, "A3", as_of=TINY_TODAY)
    with pytest.raises(NotFoundError) as missing:
        staff_profile(tiny, LEADER_B, "A9", as_of=TINY_TODAY)
    assert str(hidden.value).replace("A3", "X") == str(missing.value).replace("A9", "X")
    # Its own school sees A3.
    assert staff_profile(tiny, LEADER_A, "A3", as_of=TINY_TODAY).staff_ref == "A3"


def test_partner_with_consent_is_shown(tiny) -> None:
    p = staff_profile(tiny, LEADER_B, "A2", as_of=TINY_TODAY)
    assert p.staff_ref == "A2" and not p.person["own_school"]
    assert staff_profile(tiny, COORDINATOR, "B2", as_of=TINY_TODAY).staff_ref == "B2"
    with pytest.raises(NotFoundError):
        staff_profile(tiny, COORDINATOR, "A3", as_of=TINY_TODAY)


def test_a_governor_gets_no_profile(tiny) -> None:
    with pytest.raises(PermissionDenied):
        staff_profile(tiny, GOVERNOR, "A2", as_of=TINY_TODAY)


def test_leavers_are_not_found(tiny) -> None:
    with pytest.raises(NotFoundError):
        staff_profile(tiny, LEADER_A, "C2", as_of=TINY_TODAY)


def test_people_inside_a_profile_are_named_only_when_visible(tiny) -> None:
    tiny.execute(
        "INSERT INTO coaching (coach_ref, coachee_ref, skill_id, mode, start_date) "
        "VALUES ('B2', 'A3', 'chemistry', 'coaching', DATE '2026-09-15')"
    )
    given = staff_profile(tiny, LEADER_B, "B2", as_of=TINY_TODAY).coaching
    hidden = given[given["skill"] == "Chemistry"].iloc[0]
    assert hidden["other_ref"] == "not shared" and pd.isna(hidden["other_school"])
    seen = staff_profile(tiny, Viewer("alliance_admin"), "B2", as_of=TINY_TODAY).coaching
    assert "A3" in set(seen["other_ref"])


def test_opening_a_profile_is_audited_by_reference(tiny) -> None:
    staff_profile(tiny, LEADER_A, "A2", as_of=TINY_TODAY)
    rows = tiny.execute(
        "SELECT username, action, detail FROM audit_log WHERE action = 'profile.view'"
    ).fetchall()
    assert rows == [("leader-a", "profile.view", '{"staff_ref": "A2"}')]


def test_practice_scores_agree_with_the_find(tiny) -> None:
    for ref, skill in (("A2", "mathematics"), ("A3", "mathematics"), ("B2", "chemistry")):
        p = staff_profile(tiny, Viewer("alliance_admin"), ref, as_of=TINY_TODAY)
        mine = p.strengths.set_index("skill_id").loc[skill]
        found = practice_scores(tiny, Viewer("alliance_admin"), skill, as_of=TINY_TODAY)
        theirs = found.set_index("staff_ref").loc[ref]
        assert mine["practice_score"] == pytest.approx(theirs["practice_score"])
        assert mine["practice_confidence"] == pytest.approx(theirs["practice_confidence"])


def test_coaching_without_records_reads_no_record_yet(tiny) -> None:
    a2 = staff_profile(tiny, LEADER_A, "A2", as_of=TINY_TODAY).strengths.iloc[0]
    assert not a2["has_coaching_record"]
    assert coaching_text(a2["coaching_score"], a2["has_coaching_record"]) == NO_RECORD
    b2 = staff_profile(tiny, LEADER_B, "B2", as_of=TINY_TODAY).strengths
    maths = b2.set_index("skill_id").loc["mathematics"]  # coached B3 in maths: an outcome
    assert maths["has_coaching_record"] and maths["coaching_records"] == 1
    assert coaching_text(maths["coaching_score"], True) == f"{maths['coaching_score']:.1f}"


def test_capacity_this_term(tiny) -> None:
    cap = staff_profile(tiny, LEADER_B, "B2", as_of=TINY_TODAY).capacity
    assert cap.term == "Autumn 2026" and cap.capacity_hours == 12 and cap.hours_left == 12


def test_confidence_words() -> None:
    assert [confidence_word(c) for c in (0.0, 0.25, 0.39, 0.4, 0.69, 0.7, 1.0)] == [
        "low",
        "low",
        "low",
        "moderate",
        "moderate",
        "high",
        "high",
    ]
    assert confidence_word(float("nan")) == "low" and confidence_word(None) == "low"


def test_observer_role_never_shows_another_reference() -> None:
    assert observer_role("SLT", None) == "SLT"
    assert observer_role("A1", "headteacher") == "headteacher"
    assert observer_role("Mr Smith", None) == "a colleague"
    assert observer_role(None, None) == ""


# --- similar people on hand-built vectors ------------------------------------------------
def test_cosine_on_hand_built_vectors() -> None:
    assert cosine({"a": 1.0}, {"a": 5.0}) == pytest.approx(1.0)
    assert cosine({"a": 1.0}, {"b": 1.0}) == 0.0
    assert cosine({"a": 3.0, "b": 4.0}, {"a": 4.0, "b": 3.0}) == pytest.approx(24 / 25)
    assert cosine({}, {"a": 1.0}) == 0.0


def test_most_similar_orders_and_cuts() -> None:
    target = {"maths": 80.0, "phonics": 60.0}
    others = {
        "P1": {"maths": 80.0, "phonics": 60.0},  # the same: 1.0
        "P2": {"maths": 70.0},  # maths only: 0.8
        "P3": {"chemistry": 90.0},  # nothing shared: 0
        "P0": {"maths": 40.0, "phonics": 30.0},  # same direction as P1: 1.0, earlier ref
        "P4": {"maths": 10.0, "chemistry": 90.0},  # 8/ (100 * 90.55) ~ 0.088: below the cut
    }
    got = most_similar(target, others, top=3)
    assert [s.staff_ref for s in got] == ["P0", "P1", "P2"]
    assert got[2].similarity == pytest.approx(0.8) and got[2].shared_skills == ("maths",)
    assert all(not math.isnan(s.similarity) for s in got)
    assert [s.staff_ref for s in most_similar(target, others, top=10)] == ["P0", "P1", "P2"]


def test_similar_people_keep_to_the_viewer(tiny) -> None:
    # A3 (no consent) shares maths with A2: its own school sees it, a partner does not.
    own = staff_profile(tiny, LEADER_A, "A2", as_of=TINY_TODAY)
    partner = staff_profile(tiny, LEADER_B, "A2", as_of=TINY_TODAY)
    assert "A3" in {s.staff_ref for s in own.similar}
    assert "A3" not in {s.staff_ref for s in partner.similar}
    assert "A2" not in {s.staff_ref for s in own.similar}


def test_a_pairing_participant_sees_their_pairings_on_the_demo(demo) -> None:
    admin = Viewer("alliance_admin")
    donor = demo.execute(
        "SELECT staff_ref, pairing_id FROM pairing_members m JOIN staff USING (staff_ref) "
        "WHERE side = 'donor' AND left_on IS NULL ORDER BY pairing_id LIMIT 1"
    ).fetchall()[0]
    p = staff_profile(demo, admin, donor[0])
    row = p.pairings.set_index("pairing_id").loc[donor[1]]
    assert row["side"] == "donor"
    assert len(p.strengths) and len(p.evidence)
    assert p.to_dict()["pairings"]
