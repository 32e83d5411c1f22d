"""Who finds whom: own school, partner school, consent, leavers, aggregate-only roles — and
the suppression of depth counts (CONTRACT: Suppression). Enforced in brokering/."""

from __future__ import annotations

import pandas as pd
import pytest

from brokering.errors import NotFoundError, PermissionDenied
from brokering.find import depth_by_school, explain, find_expertise, gap_map, maintenance
from brokering.viewer import Viewer, operator
from tests.conftest import TINY_TODAY
from tests.test_scoring import TODAY, build

ADMIN = operator("test")
LEAD_A = Viewer("senior_leader", "A")
HEAD_A = Viewer("headteacher", "A")
LEAD_B = Viewer("senior_leader", "B")
COORD = Viewer("sle_coordinator")
GOVERNOR = Viewer("viewer")


def found(con, viewer, skill="mathematics") -> set[str]:
    return set(find_expertise(con, viewer, skill, as_of=TINY_TODAY).rows["staff_ref"])


@pytest.mark.parametrize("optimised", [False, True])
def test_non_consenting_staff_are_found_only_by_their_own_school(tiny, optimised) -> None:
    if optimised:
        maintenance.optimise(tiny)
    # A3 (school A) has not consented to alliance-wide sharing.
    assert "A3" in found(tiny, LEAD_A)
    assert "A3" in found(tiny, HEAD_A)
    assert "A3" in found(tiny, ADMIN)
    assert "A3" not in found(tiny, LEAD_B)
    assert "A3" not in found(tiny, COORD)
    assert {"A2", "B3"} <= found(tiny, LEAD_B)


def test_leavers_are_never_found(tiny) -> None:
    # C2 left on 2026-07-31 with recent, strong autism-support evidence.
    for viewer in (ADMIN, Viewer("headteacher", "C"), LEAD_B):
        assert "C2" not in found(tiny, viewer, "autism-support")
    assert "C1" in found(tiny, ADMIN, "autism-support")


def test_aggregate_only_role_gets_no_person_lists(tiny) -> None:
    with pytest.raises(PermissionDenied):
        find_expertise(tiny, GOVERNOR, "maths", as_of=TINY_TODAY)
    with pytest.raises(PermissionDenied):
        explain(tiny, GOVERNOR, "A2", "mathematics", as_of=TINY_TODAY)
    depth = depth_by_school(tiny, GOVERNOR, "mathematics", as_of=TINY_TODAY)
    assert depth["listed"].sum() == 0  # aggregates only, suppressed


def test_explaining_someone_you_cannot_see_is_refused(tiny) -> None:
    with pytest.raises(NotFoundError):
        explain(tiny, LEAD_B, "A3", "mathematics", as_of=TINY_TODAY)
    why = explain(tiny, LEAD_A, "A3", "mathematics", as_of=TINY_TODAY)
    assert why.practice_score == pytest.approx(
        find_expertise(tiny, LEAD_A, "mathematics", as_of=TINY_TODAY)
        .rows.set_index("staff_ref")
        .loc["A3", "practice_score"],
        abs=0.051,
    )


def test_explanation_for_a_coach_without_evidence_is_the_prior(con) -> None:
    build(con, [{"ref": "C"}, {"ref": "X"}], [], [("C", "X", "questioning", 30, 4, 4)])
    why = explain(con, ADMIN, "C", "questioning", as_of=TODAY)
    assert why.practice["evidence_type"].tolist() == ["prior (shrinkage)"]
    assert why.practice_score == pytest.approx(100 / 3)
    assert why.coaching_score > why.practice_score


# -- depth by school ------------------------------------------------------------------------
def _depth_case(con):
    """School A: 1 consenting + 4 non-consenting strong; school C: 2 non-consenting strong;
    school B: 1 strong leaver and 1 weak consenting teacher."""
    staff = [{"ref": "A-OK", "school": "A"}]
    staff += [{"ref": f"A-NO{i}", "school": "A", "consent": False} for i in range(4)]
    staff += [{"ref": f"C-NO{i}", "school": "C", "consent": False} for i in range(2)]
    staff += [{"ref": "B-LEFT", "school": "B", "left_on": TODAY}, {"ref": "B-WEAK", "school": "B"}]
    strong = [
        (s["ref"], "questioning", "observation", 4, 20 + d)
        for s in staff
        if s["ref"] != "B-WEAK"
        for d in range(3)
    ]
    old = [("A-OK", "retrieval-practice", "observation", 4, 1200 + d) for d in range(3)]
    return build(con, staff, [*strong, *old, ("B-WEAK", "questioning", "observation", 2, 10)])


def _depth(con, viewer, skill="questioning") -> dict[str, tuple]:
    frame = depth_by_school(con, viewer, skill, as_of=TODAY)
    return {
        r.school_id: (r.listed, None if pd.isna(r.not_shared) else int(r.not_shared), r.depth)
        for r in frame.itertuples()
    }


@pytest.mark.parametrize("optimised", [False, True])
def test_depth_counts_partner_staff_only_above_the_threshold(con, optimised) -> None:
    _depth_case(con)
    if optimised:
        maintenance.optimise(con)
    # A partner (school B) sees A's consenting person listed and the 4 others as a count;
    # C's two non-consenting people are hidden (2 < 3); B's leaver is never counted.
    assert _depth(con, LEAD_B) == {"A": (1, 4, 5), "C": (0, None, 0), "B": (0, 0, 0)}
    # Their own school counts everyone; the administrator sees all as listed.
    assert _depth(con, LEAD_A)["A"] == (5, 0, 5)
    assert _depth(con, ADMIN) == {"A": (5, 0, 5), "C": (2, 0, 2), "B": (0, 0, 0)}
    # Aggregate-only: nothing listed, small counts hidden.
    assert _depth(con, GOVERNOR) == {"A": (0, 5, 5), "C": (0, None, 0), "B": (0, 0, 0)}


def test_depth_note_says_who_is_not_shown(con) -> None:
    _depth_case(con)
    frame = depth_by_school(con, LEAD_B, "questioning", as_of=TODAY).set_index("school_id")
    assert frame.loc["A", "note"] == "and 4 more who have not consented to sharing"
    assert frame.loc["C", "note"] == ""
    assert frame.index[0] == "A"  # deepest first


def test_depth_counts_only_recent_evidence(con) -> None:
    _depth_case(con)
    assert _depth(con, ADMIN, "retrieval-practice")["A"] == (0, 0, 0)


# -- gap map ------------------------------------------------------------------------------
def test_gap_map_lists_skills_without_strong_recent_evidence(con) -> None:
    _depth_case(con)
    con.execute(
        "INSERT INTO needs VALUES ('N1', 'B-WEAK', 'retrieval-practice', 'high', 'coach', "
        "?, 'open', NULL, NULL)",
        [TODAY],
    )
    gaps = gap_map(con, ADMIN, as_of=TODAY).set_index("skill_id")
    assert "questioning" not in gaps.index  # strong, recent evidence exists
    assert gaps.loc["retrieval-practice", "status"] == "evidence, but none strong and recent"
    assert gaps.loc["retrieval-practice", "open_needs"] == 1
    assert gaps.loc["metacognition", "status"] == "no evidence recorded"
    areas = gaps["area"].tolist()
    assert areas == sorted(areas)  # grouped by area


def test_gap_map_suppresses_small_counts_for_everyone_but_the_administrator(con) -> None:
    _depth_case(con)
    gaps = gap_map(con, LEAD_B, as_of=TODAY).set_index("skill_id")
    assert pd.isna(gaps.loc["retrieval-practice", "people_with_evidence"])  # 1 person
    assert gap_map(con, GOVERNOR, as_of=TODAY).shape[0] == gaps.shape[0]


def test_driver_errors_become_plain_messages(tiny) -> None:
    from brokering.errors import StoreError

    tiny.close()
    with pytest.raises(StoreError, match="could not search"):
        find_expertise(tiny, ADMIN, "mathematics", as_of=TINY_TODAY)
    with pytest.raises(StoreError, match="could not count staff"):
        depth_by_school(tiny, ADMIN, "mathematics", as_of=TINY_TODAY)
