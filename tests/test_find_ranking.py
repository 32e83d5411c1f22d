"""find_expertise ranks as the scoring model says, by either route (stored parts after
`maintenance.optimise`, or parts computed from the evidence), with deterministic ties."""

from __future__ import annotations

import dataclasses

import pytest

from brokering.find import find_expertise, maintenance
from brokering.scoring import DEFAULT_PARAMS, coaching_scores, practice_scores, to_percent
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY
from tests.test_scoring import ADMIN, TODAY, build, people


@pytest.fixture(params=["computed", "stored"])
def route(request):
    """Run each test twice: parts computed per find, and parts stored by optimise()."""
    return request.param


def ready(con, route: str):
    if route == "stored":
        maintenance.optimise(con)
        assert maintenance.parts_status(con, TODAY).usable
    return con


def refs(con, skill="questioning", viewer=ADMIN, **kw) -> list[str]:
    result = find_expertise(con, viewer, skill, as_of=TODAY, **kw)
    return result.rows["staff_ref"].tolist()


def test_recency_type_and_shrinkage_order(con, route) -> None:
    build(
        con,
        people("SIX4", "SIX3", "ONE4", "OLD4", "SELF4"),
        [("SIX4", "questioning", "observation", 4, 10 + i) for i in range(6)]
        + [("SIX3", "questioning", "observation", 3, 10 + i) for i in range(6)]
        + [
            ("ONE4", "questioning", "observation", 4, 10),
            ("OLD4", "questioning", "observation", 4, 700),
            ("SELF4", "questioning", "self-assessment", 4, 10),
        ],
    )
    ready(con, route)
    assert refs(con) == ["SIX4", "SIX3", "ONE4", "OLD4", "SELF4"]


def test_ties_break_on_confidence_then_latest_evidence_then_ref(con, route) -> None:
    # P: one 3. Q: 3,3,2,2,2 the same day: both exactly 41.7, Q with more evidence.
    # R, S, T: one 3 each with recency switched off (infinite half-life), R and T newer.
    build(
        con,
        people("P", "Q", "T", "S", "R"),
        [("P", "questioning", "observation", 3, 5)]
        + [("Q", "questioning", "observation", s, 5) for s in (3, 3, 2, 2, 2)],
    )
    ready(con, route)
    assert refs(con) == ["Q", "P"]
    flat = dataclasses.replace(DEFAULT_PARAMS, half_life_days=float("inf"))
    build_more = [
        ("R", "retrieval-practice", "observation", 3, 10),
        ("T", "retrieval-practice", "observation", 3, 10),
        ("S", "retrieval-practice", "observation", 3, 400),
    ]
    for ref, skill, etype, strength, ago in build_more:
        con.execute(
            "INSERT INTO evidence (staff_ref, skill_id, evidence_type, strength, date, recorded_by)"
            " VALUES (?, ?, ?, ?, ?::DATE - ?::INTEGER, 'SLT')",
            [ref, skill, etype, strength, TODAY, ago],
        )
    got = find_expertise(con, ADMIN, "retrieval-practice", as_of=TODAY, params=flat).rows
    assert got["staff_ref"].tolist() == ["R", "T", "S"]
    assert got["score"].nunique() == 1 and got["confidence"].nunique() == 1


def test_same_answer_as_the_scoring_functions(tiny, route) -> None:
    ready(tiny, route)
    for viewer in (ADMIN, Viewer("senior_leader", "B"), Viewer("headteacher", "A")):
        for skill in ("mathematics", "chemistry", "autism-support"):
            got = find_expertise(tiny, viewer, skill, as_of=TINY_TODAY).rows.set_index("staff_ref")
            want = practice_scores(tiny, viewer, skill, as_of=TINY_TODAY).set_index("staff_ref")
            assert sorted(got.index) == sorted(want.index)
            for ref in got.index:
                assert got.loc[ref, "practice_score"] == pytest.approx(
                    to_percent(want.loc[ref, "practice_mean"]), abs=0.051
                )
                assert got.loc[ref, "practice_confidence"] == pytest.approx(
                    want.loc[ref, "practice_confidence"]
                )
                assert got.loc[ref, "evidence_count"] == want.loc[ref, "evidence_count"]
            coach = coaching_scores(
                tiny, viewer, skill, as_of=TINY_TODAY, staff_refs=list(got.index)
            ).set_index("staff_ref")
            for ref in got.index:
                assert got.loc[ref, "coaching_score"] == pytest.approx(
                    to_percent(coach.loc[ref, "coaching_mean"]), abs=0.051
                )


def test_coach_outranks_top_performer_on_coaching_only(con, route) -> None:
    build(
        con,
        [{"ref": "TOP"}, {"ref": "COACH", "trained": True}, {"ref": "X"}, {"ref": "Y"}],
        [("TOP", "questioning", "observation", 4, 20 + i) for i in range(5)]
        + [("COACH", "questioning", "observation", 3, 20 + i) for i in range(3)],
        [
            ("COACH", "X", "questioning", 60, 4, 4),
            ("COACH", "Y", "questioning", 200, 4, 3),
            ("TOP", "Y", "questioning", 60, 2, 2),
            ("ONLY", "X", "questioning", 30, 4, 4),  # coached it, no evidence of their own
        ],
    )
    con.execute(
        "INSERT INTO staff (staff_ref, school_id, role, phases, subjects, share_consent) "
        "VALUES ('ONLY', 'B', 'SLE', [], [], TRUE)"
    )
    ready(con, route)
    assert refs(con)[:2] == ["TOP", "COACH"]
    assert "ONLY" not in refs(con)  # no practice evidence: not in a practice ranking
    coaching = refs(con, rank_by="coaching")
    assert coaching.index("COACH") < coaching.index("TOP")
    assert "ONLY" in coaching
    assert refs(con, rank_by="blend", blend=0.0)[:2] == ["TOP", "COACH"]
    assert refs(con, rank_by="blend", blend=1.0) == coaching


def test_blend_is_the_weighted_mean_of_the_two_scores(tiny, route) -> None:
    ready(tiny, route)
    rows = find_expertise(
        tiny, ADMIN, "mathematics", as_of=TINY_TODAY, rank_by="blend", blend=0.25
    ).rows
    for r in rows.itertuples():
        assert r.blend_score == pytest.approx(
            0.75 * r.practice_score + 0.25 * r.coaching_score, abs=0.11
        )
        assert r.score == r.blend_score


def test_visible_top_is_found_behind_many_hidden_people(con, route) -> None:
    hidden = [{"ref": f"H{i:03d}", "school": "A", "consent": False} for i in range(150)]
    seen = [{"ref": f"V{i}", "school": "C"} for i in range(3)]
    build(
        con,
        hidden + seen,
        [(p["ref"], "questioning", "observation", 4, 10 + i % 5) for i, p in enumerate(hidden)]
        + [(p["ref"], "questioning", "observation", 3, 10 + i) for i, p in enumerate(seen)],
    )
    ready(con, route)
    partner = Viewer("senior_leader", "B")
    assert refs(con, viewer=partner) == ["V0", "V1", "V2"]
    own = Viewer("senior_leader", "A")
    assert len(refs(con, viewer=own)) == 20 and refs(con, viewer=own, top=200)[-3:] == [
        "V0",
        "V1",
        "V2",
    ]


def test_school_and_phase_filters(tiny, route) -> None:
    ready(tiny, route)
    assert refs(tiny, "mathematics", school_id="B") == ["B3"]
    result = find_expertise(tiny, ADMIN, "yr 6 maths", as_of=TINY_TODAY)
    assert result.phases == ("KS2",) and result.rows["staff_ref"].tolist() == ["A3"]
    explicit = find_expertise(tiny, ADMIN, "yr 6 maths", phase="KS1", as_of=TINY_TODAY)
    assert explicit.phases == ("KS1",) and explicit.rows["staff_ref"].tolist() == ["A2"]


def test_rows_carry_what_the_page_shows(tiny, route) -> None:
    ready(tiny, route)
    result = find_expertise(tiny, ADMIN, "maths", as_of=TINY_TODAY)
    first = result.rows.iloc[0]
    assert (first["rank"], first["staff_ref"], first["school"], first["role"]) == (
        1,
        "A3",
        "Alder Primary",
        "teacher",
    )
    assert first["phases"] == ("KS2",) and first["evidence_count"] == 2
    assert str(first["latest_evidence"].date()) == "2026-07-20"
    assert result.stored_parts == (route == "stored")
