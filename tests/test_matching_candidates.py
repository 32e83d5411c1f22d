"""Candidates for one need on the tiny alliance, where the right answers are known.

Need N1: B3 (school B, KS3) wants a coach in Mathematics. B2 is B3's line manager and has
coached B3 in mathematics before; A2 teaches maths strongly but has no coaching hours; A3 is
the strongest in maths but has not consented to sharing, so only school A sees A3 and A3 is
never proposed to school B."""

from __future__ import annotations

import pandas as pd
import pytest

from brokering.errors import AmbiguousQuery, NotFoundError, PermissionDenied, ValidationError
from brokering.matching import candidates as cand
from brokering.matching.capacity import capacity_left
from brokering.matching.model import PART_NAMES
from brokering.matching.pool import close_skills
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY


def _n1(con, viewer: Viewer) -> cand.CandidateList:
    return cand.candidates_for_need(con, viewer, "N1", as_of=TINY_TODAY)


def test_n1_for_the_administrator(tiny, admin) -> None:
    result = _n1(tiny, admin)
    f = result.frame.set_index("staff_ref")
    assert result.frame["staff_ref"].tolist() == ["B2", "A3", "A2"]  # proposable first
    assert "B3" not in f.index  # nobody coaches themselves
    assert f.loc["B2", "proposable"] and f.loc["B2", "is_line_manager"]
    assert "line manager" in f.loc["B2", "flags"]
    assert f.loc["B2", "expertise_source"] == "none"  # listed for their coaching record
    assert not f.loc["A3", "proposable"]
    assert "agreed to alliance-wide sharing" in f.loc["A3", "not_proposed_reason"]
    assert not f.loc["A2", "proposable"] and f.loc["A2", "hours_left"] == 0
    assert "too few coaching hours" in f.loc["A2", "not_proposed_reason"]
    # Parts from the match formula itself: A3 teaches KS2 (next to B3's KS3), works 6.5 km
    # away in a partner school.
    assert f.loc["A3", "part_phase"] == 5.0
    assert f.loc["A3", "part_partner"] == 15.0
    assert f.loc["A3", "part_travel"] == pytest.approx(-2.6)
    assert f.loc["A3", "distance_km"] == pytest.approx(6.5, abs=0.1)
    assert f.loc["B2", "part_partner"] == 0.0 and f.loc["B2", "part_travel"] == 0.0
    assert f.loc["A2", "part_phase"] == 0.0  # KS1 and KS3 are not neighbours
    assert f["rank"].tolist() == [1, 2, 3]
    assert result.term_label == "Autumn 2026"


def test_partner_school_leader_never_sees_a3(tiny) -> None:
    result = _n1(tiny, Viewer("senior_leader", "B"))
    assert result.frame["staff_ref"].tolist() == ["B2", "A2"]


def test_own_school_sees_a3_but_a3_is_not_proposed_to_school_b(tiny) -> None:
    result = _n1(tiny, Viewer("headteacher", "A"))
    f = result.frame.set_index("staff_ref")
    assert "A3" in f.index and not f.loc["A3", "proposable"]


def test_every_breakdown_adds_up_to_the_match_score(tiny, admin) -> None:
    result = _n1(tiny, admin)
    for ref in result.frame["staff_ref"]:
        parts, notes = cand.explain(result, ref)
        row = result.row(ref)
        assert parts["points"].sum() == pytest.approx(row["match_score"], abs=1e-6)
        assert len(parts) == len(PART_NAMES)
        assert any("Hours left in Autumn 2026" in n for n in notes)
    parts, notes = cand.explain(result, "A3")
    assert "6.5 km" in parts.set_index("part").loc["Travel", "how"]
    assert any("Not proposed" in n for n in notes)


def test_a_line_manager_is_never_proposed_as_mentor(tiny, admin) -> None:
    result = cand.candidates_for(tiny, admin, "B3", "maths", wanted_role="mentor", as_of=TINY_TODAY)
    b2 = result.row("B2")
    assert result.need.need_id == "N1" and result.need.wanted_role == "mentor"
    assert not b2["proposable"] and "never their mentor" in b2["not_proposed_reason"]
    either = cand.candidates_for(tiny, admin, "B3", "maths", wanted_role="either", as_of=TINY_TODAY)
    assert either.row("B2")["proposed_as"] == "coach"  # may coach, flagged
    assert either.row("B2")["proposable"]


def test_hours_left_count_relationships_active_this_term(tiny, admin) -> None:
    hours = capacity_left(tiny, admin, as_of=TINY_TODAY).set_index("staff_ref")
    assert hours.loc["C1", "hours_used"] == 6.0  # mentoring A2 since January, default hours
    assert hours.loc["C1", "hours_left"] == 12.0
    assert hours.loc["B2", "hours_used"] == 0.0  # coaching B3 ended in February
    assert "C2" not in hours.index  # leavers are never counted or proposed


def test_close_skill_stands_in_at_a_discount(tiny, admin) -> None:
    assert "mathematics" in close_skills(tiny, "statistics")
    assert "art-and-design" not in close_skills(tiny, "mathematics")
    direct = _n1(tiny, admin).row("A3")["direct_score"]
    result = cand.candidates_for(tiny, admin, "B3", "Statistics", as_of=TINY_TODAY)
    a3 = result.row("A3")
    assert result.need.need_id == "" and result.need.status == "not recorded"
    assert a3["expertise_source"] == "close" and a3["expertise_skill"] == "Mathematics"
    assert a3["expertise_score"] == pytest.approx(round(0.6 * direct, 1))
    assert "close skill" in a3["flags"]
    assert "Mathematics" in result.close_skills


def test_a_need_for_a_leaver_is_refused(tiny, admin) -> None:
    with pytest.raises(ValidationError, match="left"):
        cand.candidates_for(tiny, admin, "C2", "Autism support", as_of=TINY_TODAY)
    tiny.execute(
        "INSERT INTO needs VALUES ('NX', 'C2', 'autism-support', 'high', 'coach', "
        "DATE '2026-01-01', 'open', NULL, NULL)"
    )
    with pytest.raises(ValidationError, match="Close the need"):
        cand.candidates_for_need(tiny, admin, "NX", as_of=TINY_TODAY)


def test_unknown_staff_or_skill_is_a_clear_message(tiny, admin) -> None:
    with pytest.raises(NotFoundError, match="ZZ9"):
        cand.candidates_for(tiny, admin, "ZZ9", "maths", as_of=TINY_TODAY)
    with pytest.raises(AmbiguousQuery) as info:
        cand.candidates_for(tiny, admin, "B3", "basket weaving", as_of=TINY_TODAY)
    assert "No skill" in str(info.value)
    with pytest.raises(NotFoundError):
        cand.candidates_for_need(tiny, admin, "N999", as_of=TINY_TODAY)


def test_aggregate_only_viewers_get_no_list(tiny) -> None:
    with pytest.raises(PermissionDenied):
        _n1(tiny, Viewer("viewer"))


def test_same_data_same_answer(tiny, admin) -> None:
    first, second = _n1(tiny, admin).frame, _n1(tiny, admin).frame
    pd.testing.assert_frame_equal(first, second)


def test_nobody_with_expertise_gives_an_empty_list(tiny, admin) -> None:
    result = cand.candidates_for_need(tiny, admin, "N2", as_of=TINY_TODAY)
    assert result.frame.empty and result.proposable.empty


def test_stored_score_parts_give_the_same_candidates(tiny, admin) -> None:
    """With the Find page's stored score parts built (national scale's fast route), the
    candidates and every figure are the same as when scored from the evidence."""
    from brokering.find import maintenance

    def autism(viewer: Viewer) -> pd.DataFrame:  # every candidate is in Find's ranking
        return cand.candidates_for(tiny, viewer, "A1", "Autism support", as_of=TINY_TODAY).frame

    viewers = [admin, Viewer("senior_leader", "B"), Viewer("headteacher", "A")]
    before = [(_n1(tiny, v).frame, autism(v)) for v in viewers]
    maintenance.optimise(tiny)
    for viewer, slow in zip(viewers, before, strict=True):
        for old, new in zip(slow, (_n1(tiny, viewer).frame, autism(viewer)), strict=True):
            cols = [c for c in old.columns if c != "latest_evidence"]
            pd.testing.assert_frame_equal(old[cols], new[cols], check_exact=False, rtol=1e-9)
    assert autism(admin)["staff_ref"].tolist() == ["C1"]
