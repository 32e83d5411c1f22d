"""A search that resolves but finds no one under its phase or school filter offers the same
skill without the filter and the nearest skills with evidence under it (issue 23): worked
out in brokering.find, so the page and the command line say the same."""

from __future__ import annotations

from brokering.find import find_expertise, maintenance
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY

LEADER_A = Viewer("senior_leader", "A", "lead-a")


def test_no_one_at_the_phase_offers_the_skill_without_it_and_nearby_skills(tiny) -> None:
    result = find_expertise(tiny, LEADER_A, "A level maths", as_of=TINY_TODAY)
    assert result.empty and result.phases == ("KS5",)
    assert result.without_filters  # A2, A3 and B3 have maths evidence at other phases
    # Chemistry is in the same area and B2 (Birch, consenting) has KS5 evidence in it.
    assert [r.name for r in result.related] == ["Chemistry"]
    assert "No one you can see has evidence in Mathematics at KS5" in result.message
    assert "Without the phase filter, Mathematics has evidence" in result.message


def test_the_same_answer_from_stored_parts(tiny) -> None:
    maintenance.optimise(tiny)
    result = find_expertise(tiny, LEADER_A, "A level maths", as_of=TINY_TODAY)
    assert result.without_filters and [r.name for r in result.related] == ["Chemistry"]


def test_nothing_at_the_phase_or_without_it_says_so(tiny) -> None:
    result = find_expertise(tiny, LEADER_A, "reception physics", as_of=TINY_TODAY)
    assert result.empty and not result.without_filters and not result.related
    assert result.message == (
        "No one you can see has evidence in Physics at EYFS. "
        "Nor does anyone without the phase filter."
    )


def test_a_school_filter_is_offered_away_the_same_way(tiny) -> None:
    result = find_expertise(tiny, LEADER_A, "maths", school_id="C", as_of=TINY_TODAY)
    assert result.empty and result.without_filters
    assert "Without the school filter" in result.message


def test_a_result_under_the_filter_carries_no_suggestion(tiny) -> None:
    result = find_expertise(tiny, LEADER_A, "yr 6 maths", as_of=TINY_TODAY)
    assert not result.empty and not result.without_filters and not result.related
