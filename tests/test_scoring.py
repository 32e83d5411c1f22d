"""The scoring model on hand-built cases where the right order is known.

`build` writes a few schools, staff, evidence and coaching rows straight into an in-memory
store (the importer is tested elsewhere), dated in days before TODAY.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta

import pytest

from brokering.db import Connection
from brokering.score_parts import explain_coaching, explain_practice
from brokering.scoring import (
    DEFAULT_PARAMS,
    coaching_scores,
    practice_scores,
    to_percent,
)
from brokering.viewer import Viewer, operator

TODAY = date(2026, 11, 20)
ADMIN = operator("test")


def build(
    con: Connection,
    staff: Iterable[dict],
    evidence: Iterable[tuple] = (),
    coaching: Iterable[tuple] = (),
) -> Connection:
    """staff: dicts with ref and optional school (A), consent (True), trained (False),
    phases (()), left_on (None), role (teacher). evidence: (ref, skill, type, strength,
    days_ago[, phase]). coaching: (coach, coachee, skill, days_ago_end, outcome, feedback
    [, mode])."""
    con.execute(
        "INSERT INTO schools (school_id, name, phase) VALUES "
        "('A', 'Alder Primary', 'primary'), ('B', 'Birch Academy', 'secondary'), "
        "('C', 'Cedar School', 'special')"
    )
    for s in staff:
        con.execute(
            "INSERT INTO staff (staff_ref, school_id, role, phases, subjects, share_consent, "
            "coach_trained, left_on) VALUES (?, ?, ?, ?, [], ?, ?, ?)",
            [
                s["ref"],
                s.get("school", "A"),
                s.get("role", "teacher"),
                list(s.get("phases", ())),
                s.get("consent", True),
                s.get("trained", False),
                s.get("left_on"),
            ],
        )
    for e in evidence:
        ref, skill, etype, strength, ago, *rest = e
        con.execute(
            "INSERT INTO evidence (staff_ref, skill_id, evidence_type, strength, date, "
            "recorded_by, phase) VALUES (?, ?, ?, ?, ?, 'SLT', ?)",
            [ref, skill, etype, strength, TODAY - timedelta(days=ago), rest[0] if rest else None],
        )
    for c in coaching:
        coach, coachee, skill, ago, outcome, feedback, *mode = c
        end = TODAY - timedelta(days=ago)
        con.execute(
            "INSERT INTO coaching (coach_ref, coachee_ref, skill_id, mode, start_date, end_date, "
            "outcome_strength, feedback_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                coach,
                coachee,
                skill,
                mode[0] if mode else "coaching",
                end - timedelta(days=90),
                end,
                outcome,
                feedback,
            ],
        )
    return con


def scores(con: Connection, skill: str = "questioning", **kw) -> dict[str, float]:
    frame = practice_scores(con, ADMIN, skill, as_of=TODAY, **kw)
    return dict(zip(frame["staff_ref"], to_percent(frame["practice_mean"]), strict=True))


def people(*refs: str, **common) -> list[dict]:
    return [{"ref": r, **common} for r in refs]


def test_recent_evidence_beats_old_evidence(con) -> None:
    build(
        con,
        people("NEW", "OLD"),
        [
            ("NEW", "questioning", "observation", 4, 30),
            ("OLD", "questioning", "observation", 4, 900),
        ],
    )
    s = scores(con)
    assert s["NEW"] > s["OLD"]


def test_half_life_halves_a_records_weight() -> None:
    p = DEFAULT_PARAMS
    assert 0.5 ** (p.half_life_days / p.half_life_days) == 0.5  # the stated rule, once


def test_observation_beats_self_assessment(con) -> None:
    build(
        con,
        people("OBS", "SELF"),
        [
            ("OBS", "questioning", "observation", 4, 30),
            ("SELF", "questioning", "self-assessment", 4, 30),
        ],
    )
    s = scores(con)
    assert s["OBS"] > s["SELF"]


def test_outcomes_weigh_as_much_as_observation(con) -> None:
    build(
        con,
        people("OBS", "OUT"),
        [("OBS", "questioning", "observation", 3, 30), ("OUT", "questioning", "outcomes", 3, 30)],
    )
    s = scores(con)
    assert s["OBS"] == pytest.approx(s["OUT"])


def test_shrinkage_one_glowing_record_loses_to_sustained_practice(con) -> None:
    build(
        con,
        people("ONE4", "SIX4", "SIX3", "ONE3"),
        [
            ("ONE4", "questioning", "observation", 4, 10),
            ("ONE3", "questioning", "observation", 3, 10),
        ]
        + [("SIX4", "questioning", "observation", 4, 10 + i) for i in range(6)]
        + [("SIX3", "questioning", "observation", 3, 10 + i) for i in range(6)],
    )
    s = scores(con)
    # Sustained excellence first; sustained good practice above a single outstanding record;
    # a single outstanding record above a single good one.
    assert s["SIX4"] > s["SIX3"] > s["ONE4"] > s["ONE3"]


def test_the_default_prior_gives_the_documented_figures() -> None:
    p = DEFAULT_PARAMS

    def one_day(strengths: list[int]) -> float:
        return round(
            to_percent(
                (sum(strengths) + p.prior_mean * p.prior_weight) / (len(strengths) + p.prior_weight)
            ),
            1,
        )

    assert (one_day([4]), one_day([3] * 6), one_day([4] * 6)) == (50.0, 55.6, 77.8)


def test_a_lighter_prior_is_an_override_not_an_edit(con) -> None:
    build(
        con,
        people("ONE4", "SIX3"),
        [("ONE4", "questioning", "observation", 4, 10)]
        + [("SIX3", "questioning", "observation", 3, 10) for _ in range(1)]
        + [("SIX3", "questioning", "observation", 3, 11 + i) for i in range(5)],
    )
    light = dataclasses.replace(DEFAULT_PARAMS, prior_mean=2.5, prior_weight=1.5)
    s = scores(con, params=light)
    assert s["ONE4"] > s["SIX3"]  # with little shrinkage the single 4 wins: the order is a choice
    assert DEFAULT_PARAMS.prior_weight == 3.0  # the default object is untouched


def test_phase_filter_keeps_that_stage_and_unphased_evidence(con) -> None:
    build(
        con,
        [{"ref": "P", "phases": ("KS1", "KS2")}, {"ref": "Q", "phases": ("KS3",)}],
        [
            ("P", "questioning", "observation", 4, 10, "KS2"),
            ("P", "questioning", "observation", 1, 10, "KS1"),
            ("Q", "questioning", "observation", 4, 10),
        ],
    )
    ks2 = practice_scores(con, ADMIN, "questioning", as_of=TODAY, phase="KS2")
    assert ks2["staff_ref"].tolist() == ["P"]  # Q does not teach KS2
    assert int(ks2["evidence_count"].iloc[0]) == 1  # the KS1 record is left out
    both = practice_scores(con, ADMIN, "questioning", as_of=TODAY, phase=["KS2", "KS3"])
    assert set(both["staff_ref"]) == {"P", "Q"}


def _coach_case(con: Connection) -> None:
    """TOP is the best performer; COACH is good in class but her coachees improved."""
    build(
        con,
        [{"ref": "TOP"}, {"ref": "COACH", "trained": True}, {"ref": "X"}, {"ref": "Y"}],
        [("TOP", "questioning", "observation", 4, 20 + i) for i in range(5)]
        + [("COACH", "questioning", "observation", 3, 20 + i) for i in range(3)],
        [
            ("COACH", "X", "questioning", 60, 4, 4),
            ("COACH", "Y", "questioning", 200, 4, 3),
            ("COACH", "X", "feedback", 100, 3, None),
            ("TOP", "Y", "questioning", 60, 2, 2),
        ],
    )


def test_best_performer_is_not_best_coach(con) -> None:
    _coach_case(con)
    practice = scores(con)
    frame = coaching_scores(con, ADMIN, "questioning", as_of=TODAY)
    coaching = dict(zip(frame["staff_ref"], frame["coaching_score"], strict=True))
    assert practice["TOP"] > practice["COACH"]
    assert coaching["COACH"] > coaching["TOP"]


def test_practice_explanation_adds_up_to_the_score(con) -> None:
    _coach_case(con)
    parts = explain_practice(con, ADMIN, "COACH", "questioning", as_of=TODAY)
    assert parts["evidence_type"].iloc[-1] == "prior (shrinkage)"
    assert parts["share"].sum() == pytest.approx(1.0)
    assert parts["contribution"].sum() == pytest.approx(scores(con)["COACH"])


def test_coaching_explanation_adds_up_to_the_score(con) -> None:
    _coach_case(con)
    frame = coaching_scores(con, ADMIN, "questioning", as_of=TODAY)
    want = dict(zip(frame["staff_ref"], to_percent(frame["coaching_mean"]), strict=True))
    for ref in ("COACH", "TOP"):
        parts = explain_coaching(con, ADMIN, ref, "questioning", as_of=TODAY)
        assert parts["contribution"].sum() == pytest.approx(want[ref])
    parts = explain_coaching(con, ADMIN, "COACH", "questioning", as_of=TODAY)
    assert set(parts["part"]) == {
        "coaching outcome",
        "coachee feedback",
        "coach training",
        "prior (shrinkage)",
    }
    other = parts[parts["skill_id"] == "feedback"]
    assert other["skill_factor"].tolist() == [DEFAULT_PARAMS.other_skill_factor]


def test_feedback_only_coaching_counts(con) -> None:
    build(
        con,
        people("FB", "NONE", "X"),
        [],
        [("FB", "X", "questioning", 30, None, 4), ("NONE", "X", "questioning", 30, None, None)],
    )
    frame = coaching_scores(con, ADMIN, "questioning", as_of=TODAY)
    got = dict(zip(frame["staff_ref"], frame["coaching_score"], strict=True))
    assert (
        got["FB"]
        > got["NONE"]
        == pytest.approx(to_percent(DEFAULT_PARAMS.coaching_prior_mean), abs=0.05)
    )


def test_coaching_recency_runs_from_the_end_of_the_coaching(con) -> None:
    build(con, people("C", "X"), [], [("C", "X", "questioning", 0, 4, None)])
    parts = explain_coaching(con, ADMIN, "C", "questioning", as_of=TODAY)
    assert parts["recency_weight"].iloc[0] == pytest.approx(1.0)


def test_explanations_respect_visibility(con) -> None:
    build(
        con,
        [{"ref": "HIDDEN", "school": "A", "consent": False}],
        [("HIDDEN", "questioning", "observation", 4, 10)],
    )
    partner = Viewer("senior_leader", "B")
    assert explain_practice(con, partner, "HIDDEN", "questioning", as_of=TODAY).empty
    assert explain_coaching(con, partner, "HIDDEN", "questioning", as_of=TODAY).empty
    own = Viewer("senior_leader", "A")
    assert not explain_practice(con, own, "HIDDEN", "questioning", as_of=TODAY).empty
