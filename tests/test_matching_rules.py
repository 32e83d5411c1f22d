"""The matching rules on plain values and hand-built arrays: no database, known answers.

The vectorised scoring uses exactly these functions, so what is checked here is what the
candidates list and the allocation apply."""

from __future__ import annotations

import numpy as np
import pytest

from brokering.errors import PermissionDenied
from brokering.matching import model, rules
from brokering.matching.model import COACH, EITHER, MENTOR, Needs, Pool
from brokering.matching.params import MatchParams
from brokering.matching.pool import phase_mask
from brokering.viewer import Viewer

P = MatchParams()


def test_rules_on_single_values() -> None:
    assert not rules.not_self("A1", "A1") and rules.not_self("A1", "B1")
    assert rules.consent_allows(False, True)  # own school: fine without consent
    assert not rules.consent_allows(False, False)
    assert rules.consent_allows(True, False)
    assert not rules.mentor_allowed(True, True)  # a line manager never mentors
    assert rules.mentor_allowed(True, False)  # ... but may coach (flagged)
    assert rules.has_room(6.0, 6.0) and not rules.has_room(5.9, 6.0)


def test_who_manages_needs_and_who_decides() -> None:
    head_b = Viewer("headteacher", "B")
    assert rules.can_manage_need(head_b, "B") and not rules.can_manage_need(head_b, "A")
    assert rules.can_manage_need(Viewer("sle_coordinator"), "A")
    assert rules.can_manage_need(Viewer("alliance_admin"), "C")
    assert not rules.can_manage_need(Viewer("viewer"), "A")
    assert rules.can_decide(head_b, "B") and rules.can_decide(Viewer("senior_leader", "B"), "B")
    assert not rules.can_decide(head_b, "A")
    assert not rules.can_decide(Viewer("alliance_admin"), "B")  # not that school's leader
    with pytest.raises(PermissionDenied, match="Birch Academy"):
        rules.require_decider(Viewer("senior_leader", "A"), "B", "Birch Academy")
    rules.require_allocator(Viewer("sle_coordinator"))
    with pytest.raises(PermissionDenied, match="SLE coordinator"):
        rules.require_allocator(head_b)
    with pytest.raises(PermissionDenied):
        rules.require_allocator(Viewer("viewer"))


def test_phase_fit_same_neighbouring_none_unknown() -> None:
    ks2, ks3, ks5 = phase_mask(["KS2"]), phase_mask(["KS3"]), phase_mask(["KS5"])
    assert phase_mask(["EYFS", "KS5"]) == 0b100001
    assert model.phase_fit(ks2, phase_mask(["KS1", "KS2"]), P) == 1.0
    assert model.phase_fit(ks2, ks3, P) == P.adjacent_phase_fit
    assert model.phase_fit(ks2, ks5, P) == 0.0
    assert model.phase_fit(0, ks5, P) == P.unknown_phase_fit
    assert model.phase_fit(phase_mask(["KS5"]), phase_mask(["EYFS"]), P) == 0.0  # no wrap


def test_haversine_known_distance_and_unknown_location() -> None:
    # London (51.5074, -0.1278) to Birmingham (52.4862, -1.8904): about 163 km.
    d = model.haversine_matrix(
        np.array([51.5074, 52.4862, np.nan]), np.array([-0.1278, -1.8904, np.nan])
    )
    assert d[0, 1] == pytest.approx(163, abs=2)
    assert d[0, 0] == 0 and np.isnan(d[0, 2])


def _pool() -> tuple[Pool, np.ndarray]:
    """Four candidates in schools 0, 1, 1, 2 (school 2's location unknown)."""
    distance = model.haversine_matrix(
        np.array([52.60, 52.65, np.nan]), np.array([-1.20, -1.25, np.nan])
    )
    pool = Pool(
        school=np.array([0, 1, 1, 2]),
        consent=np.array([True, False, True, True]),
        phase_mask=np.array([phase_mask(["KS2"]), phase_mask(["KS3"]), 0, phase_mask(["KS5"])]),
        hours_left=np.array([12.0, 12.0, 0.0, 6.0]),
        expertise=np.array([[80.0, 90.0, 70.0, 60.0]]),
        has_expertise=np.array([[True, True, True, True]]),
        coaching=np.array([[50.0, 40.0, 30.0, 20.0]]),
        mentoring=np.array([60.0, 30.0, 30.0, 70.0]),
    )
    return pool, distance


def _need(role: int, *, school: int = 0, manager: int = -1, me: int = -1) -> Needs:
    return Needs(
        skill=np.array([0]),
        school=np.array([school]),
        phase_mask=np.array([phase_mask(["KS2"])]),
        self_idx=np.array([me]),
        manager_idx=np.array([manager]),
        role=np.array([role]),
        hours=np.array([6.0]),
    )


def test_parts_add_up_to_the_match_score() -> None:
    pool, distance = _pool()
    block = model.score_block(_need(COACH), pool, distance, P)
    total = sum(block.parts[p] for p in model.PART_NAMES)
    assert np.allclose(total, block.score, atol=1e-9)
    # candidate 0: own school, KS2 = KS2: 0.45*80 + 0.30*50 + 10 + 0 + 0
    assert block.score[0, 0] == pytest.approx(36.0 + 15.0 + 10.0)
    # candidate 3: other school, location unknown -> partner points, no travel deduction
    assert block.parts["partner"][0, 3] == 15.0 and block.parts["travel"][0, 3] == 0.0
    # candidate 1: about 6.6 km away -> a small deduction
    assert -3.0 < block.parts["travel"][0, 1] < -2.0


def test_rule_stages_on_hand_built_arrays() -> None:
    pool, distance = _pool()
    block = model.score_block(_need(COACH, school=0, me=0), pool, distance, P)
    ok = block.proposable[0]
    assert not ok[0]  # themselves
    assert not ok[1]  # other school without consent
    assert not ok[2]  # no hours left
    assert ok[3]
    mentor = model.score_block(_need(MENTOR, manager=3), pool, distance, P)
    assert not mentor.proposable[0, 3] and not mentor.stage_ok["line_manager"][0, 3]
    coach = model.score_block(_need(COACH, manager=3), pool, distance, P)
    assert coach.proposable[0, 3] and coach.is_line_manager[0, 3]  # allowed, flagged
    either = model.score_block(_need(EITHER, manager=3), pool, distance, P)
    # mentoring (70) beats coaching (20), but a line manager can only coach
    assert not either.as_mentor[0, 3] and either.proposable[0, 3]
    assert either.as_mentor[0, 0]  # 60 > 50 for someone else


def test_top_edges_keeps_only_feasible_pairs_best_first() -> None:
    pool, distance = _pool()
    needs = Needs(
        skill=np.array([0, 0]),
        school=np.array([0, 1]),
        phase_mask=np.array([phase_mask(["KS2"]), phase_mask(["KS3"])]),
        self_idx=np.array([-1, -1]),
        manager_idx=np.array([-1, 0]),
        role=np.array([COACH, MENTOR]),
        hours=np.array([6.0, 6.0]),
    )
    edges = model.top_edges(needs, pool, distance, MatchParams(top_k=2))
    assert edges.need.tolist() == [0, 0, 1, 1]
    assert edges.coach.tolist()[:2] == [0, 3]  # 1 lacks consent for school 0; 2 is full
    # need 1: 0 is the line manager; 3 (63.0, other school) beats 1 (59.5, own school)
    assert edges.coach.tolist()[2:] == [3, 1]
    assert edges.score.tolist()[2:] == [63.0, 59.5]
    assert edges.stage_counts["expertise"].tolist() == [4, 4]
    assert edges.stage_counts["consent"].tolist() == [3, 4]
    assert edges.stage_counts["room"].tolist() == [2, 2]
