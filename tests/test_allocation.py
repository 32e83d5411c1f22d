"""Whole-alliance allocation over the tiny alliance: proposals, leftovers with reasons, the
school outflow cap, commit in one transaction, and refusals that write nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from brokering.errors import PermissionDenied, ValidationError
from brokering.matching import allocation, needs
from brokering.matching.commit import commit_allocation
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY, data_tables

HEAD_C = Viewer("headteacher", "C", "head-c")


def _plan(con, viewer: Viewer, **kw) -> allocation.AllocationPlan:
    return allocation.plan_allocation(con, viewer, as_of=TINY_TODAY, **kw)


def _pairs(result: allocation.MethodResult) -> list[tuple[str, str]]:
    return list(zip(result.proposals["need_id"], result.proposals["coach_ref"], strict=True))


def _reasons(result: allocation.MethodResult) -> dict[str, str]:
    return dict(zip(result.unmatched["need_id"], result.unmatched["reason"], strict=True))


def test_tiny_alliance_known_answer(tiny, admin) -> None:
    plan = _plan(tiny, admin)
    for result in plan.results.values():
        assert _pairs(result) == [("N1", "B2")]
        assert "expertise" in _reasons(result)["N2"]
        assert (result.needs_covered, result.needs_considered, result.schools_involved) == (1, 2, 1)
    assert plan.results["optimal"].total_quality == plan.results["greedy"].total_quality
    comparison = plan.comparison()
    assert comparison["method"].tolist() == ["optimal", "coverage", "greedy"]
    assert comparison["average_match"].tolist() == [plan.results["optimal"].total_quality] * 3
    assert plan.differences("optimal", "greedy").empty  # the same coach for N1 either way
    assert set(plan.chart_data()["measure"]) == {"Needs matched", "Average match"}


def test_commit_sends_requests_in_one_go_and_a_stale_preview_is_refused(tiny, admin) -> None:
    plan = _plan(tiny, admin)
    done = commit_allocation(tiny, admin, plan)
    rows = tiny.execute(
        "SELECT need_id, coach_ref, coach_school_id, status, source, batch_id, mode, hours "
        "FROM match_requests"
    ).fetchall()
    assert rows == [("N1", "B2", "B", "pending", "allocation", done.batch_id, "coaching", 6.0)]
    assert done.request_ids and len(done.request_ids) == 1
    before = data_tables(tiny)
    with pytest.raises(ValidationError, match="changed since this preview"):
        commit_allocation(tiny, admin, plan)  # N1 is already asked
    assert data_tables(tiny) == before
    again = _plan(tiny, admin)
    assert again.awaiting_reply == 1 and again.results["optimal"].proposals.empty


def test_a_commit_whose_coach_lost_hours_writes_nothing(tiny, admin) -> None:
    plan = _plan(tiny, admin)
    tiny.execute("UPDATE staff SET capacity_hours = 0 WHERE staff_ref = 'B2'")
    count = tiny.execute("SELECT count(*) FROM match_requests").fetchall()
    with pytest.raises(ValidationError, match="coaches without the hours now: B2"):
        commit_allocation(tiny, admin, plan)
    assert tiny.execute("SELECT count(*) FROM match_requests").fetchall() == count


def test_zero_capacity_everywhere_is_a_clear_message(tiny, admin) -> None:
    tiny.execute("UPDATE staff SET capacity_hours = 0")
    with pytest.raises(ValidationError, match="coaching hours left in Autumn 2026"):
        _plan(tiny, admin)


def test_only_the_coordinator_or_administrator_allocates(tiny) -> None:
    with pytest.raises(PermissionDenied):
        _plan(tiny, Viewer("headteacher", "B"))
    assert _plan(tiny, Viewer("sle_coordinator")).results["optimal"].needs_considered == 2
    with pytest.raises(ValidationError, match="fraction"):
        _plan(tiny, Viewer("sle_coordinator"), school_cap=1.5)


def test_the_outflow_cap_keeps_a_schools_coaches_at_home(tiny, admin) -> None:
    c1 = needs.add_need(tiny, HEAD_C, staff_ref="C1", skill="Mathematics", wanted_role="coach")
    free = _plan(tiny, admin)
    assert sorted(_pairs(free.results["optimal"])) == sorted([("N1", "B2"), (c1.need_id, "B2")])
    closed = _plan(tiny, admin, school_cap=0.0)
    for result in closed.results.values():
        assert _pairs(result) == [("N1", "B2")]
        assert result.cross_school == 0
        assert "outflow cap" in _reasons(result)[c1.need_id]
    # School B's staff can give 18 hours a term; a third of that (6 h) covers C1's need.
    third = _plan(tiny, admin, school_cap=1 / 3)
    assert sorted(_pairs(third.results["optimal"])) == sorted([("N1", "B2"), (c1.need_id, "B2")])


def test_reasons_for_needs_left_unmatched(tiny, admin) -> None:
    needs.edit_need(tiny, admin, "N1", wanted_role="mentor")
    tiny.execute("UPDATE staff SET share_consent = FALSE WHERE staff_ref = 'A2'")
    plan = _plan(tiny, admin)
    assert "line manager" in _reasons(plan.results["optimal"])["N1"]  # only B2 is left
    tiny.execute("UPDATE staff SET share_consent = TRUE WHERE staff_ref = 'A2'")
    assert "full" in _reasons(_plan(tiny, admin).results["optimal"])["N1"]  # A2: no hours
    c1 = needs.add_need(tiny, HEAD_C, staff_ref="C1", skill="Mathematics", wanted_role="coach")
    tiny.execute("UPDATE staff SET share_consent = FALSE WHERE staff_ref IN ('A2', 'B2')")
    reasons = _reasons(_plan(tiny, admin).results["optimal"])
    assert "not agreed" in reasons[c1.need_id]
    tiny.execute(
        "INSERT INTO needs VALUES ('NX', 'C2', 'autism-support', 'high', 'coach', "
        "DATE '2026-01-01', 'open', NULL, NULL)"
    )
    assert "has left" in _reasons(_plan(tiny, admin).results["greedy"])["NX"]


def test_same_data_same_allocation(tiny, admin) -> None:
    needs.add_need(tiny, HEAD_C, staff_ref="C1", skill="Mathematics", wanted_role="coach")
    first, second = _plan(tiny, admin), _plan(tiny, admin)
    for method in allocation.METHODS:
        pd.testing.assert_frame_equal(
            first.results[method].proposals, second.results[method].proposals
        )


def test_the_benchmark_entry_point(tiny, admin) -> None:
    result = allocation.allocate(tiny, admin, as_of=TINY_TODAY, method="greedy")
    assert (result.total, result.covered, result.method) == (result.total_quality, 1, "greedy")


def test_the_preview_shows_what_each_coach_has_left_in_hours_and_release_days(tiny, admin) -> None:
    from brokering import alliance_settings
    from brokering.matching.capacity import capacity_left

    per_day = alliance_settings.get_float(tiny, "hours_per_day")
    hours = capacity_left(tiny, admin, as_of=TINY_TODAY).set_index("staff_ref")["hours_left"]
    for result in _plan(tiny, admin).results.values():
        p = result.proposals
        load = p.groupby("coach_ref")["hours"].sum()
        for r in p.itertuples(index=False):
            left = max(float(hours[r.coach_ref]) - float(load[r.coach_ref]), 0.0)
            assert r.hours_left_after == pytest.approx(left, abs=0.05)
            assert r.days_left_after == pytest.approx(left / per_day, abs=0.05)
