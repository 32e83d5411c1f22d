"""Why a candidate is not proposed: the rule that actually excluded them, naming the figure,
on hand-built candidate lists."""

from __future__ import annotations

import numpy as np

from brokering.matching import rules

STAGES = ("expertise", "consent", "line_manager", "room")


def reasons(**over: object) -> list[str]:
    n = 5
    ok = {s: np.ones(n, bool) for s in STAGES}
    ok.update({k: np.asarray(v, bool) for k, v in over.pop("ok", {}).items()})
    base: dict = {
        "expertise": np.array([47.9, 0.0, 62.0, 30.0, 80.0]),
        "source": np.array(["direct", "none", "direct", "close", "direct"], dtype=object),
        "evidence": np.array([5, 0, 4, 0, 6], float),
        "coaching_records": np.zeros(n),
        "hours_left": np.array([12.0, 12.0, 0.0, 3.0, 12.0]),
        "need_hours": 6.0,
        "min_expertise": 50.0,
    }
    base.update(over)
    return rules.not_proposed_reasons(ok, **base).tolist()


def test_a_score_under_the_threshold_is_named_not_called_no_evidence() -> None:
    got = reasons(ok={"expertise": [False, False, True, False, True]})
    assert got[0] == "expertise 47.9 is below the 50 needed to propose"
    assert got[1] == "no evidence of expertise in this skill or a close one"
    assert got[3] == "expertise 30.0 (from a close skill) is below the 50 needed to propose"
    assert got[2] == got[4] == ""


def test_hours_say_how_many_are_left() -> None:
    got = reasons(ok={"room": [True, True, False, False, True]})
    assert got[2] == "no hours left this term"
    assert got[3] == "3 hours left this term, 6 needed"


def test_the_first_rule_failed_is_the_reason() -> None:
    got = reasons(
        ok={
            "expertise": [False, True, True, True, True],
            "consent": [False, False, True, True, True],
            "line_manager": [True, False, False, True, True],
        }
    )
    assert got[0].startswith("expertise 47.9")  # expertise is checked before consent
    assert "agreed to alliance-wide sharing" in got[1]
    assert got[2] == rules.NOT_PROPOSED["line_manager_mentor"]
    assert "line manager" in got[2]
