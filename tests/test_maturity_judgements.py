"""Maturity you can defend: the model is named, each indicator's value and thresholds share
one unit with the stage it supports, and only the right people record a judgement."""

from __future__ import annotations

import pytest

from brokering.dashboard import maturity
from brokering.errors import PermissionDenied
from brokering.viewer import Viewer
from tests.test_dashboard import AS_OF, dash  # noqa: F401 - the shared fixture

HUB_HEAD = Viewer("headteacher", "A", "head-a")  # Alder Primary is the tiny alliance's hub
HEAD_B = Viewer("headteacher", "B", "head-b")


def test_the_model_and_how_indicators_combine_are_stated() -> None:
    assert "four-stage maturity model of a self-improving school system" in maturity.MODEL
    assert "distributed staff information" in maturity.MODEL
    assert "mentoring and coaching" in maturity.MODEL
    assert "lower middle" in maturity.COMBINE


def test_value_and_thresholds_are_in_one_unit_with_the_stage_they_support(dash, admin) -> None:  # noqa: F811
    frame = maturity.indicators(dash, admin, as_of=AS_OF).set_index("key")
    row = frame.loc["recorded_strengths"]
    assert (row["Developing from"], row["Embedding from"], row["Leading from"]) == (25, 50, 75)
    assert row["value"] == pytest.approx(71.4, abs=0.1)  # per cent, like the thresholds
    assert row["stage"] == "Embedding"  # 71.4 is at least 50 and below 75


@pytest.mark.parametrize(
    ("viewer", "scope", "allowed"),
    [
        (Viewer("alliance_admin", None, "admin"), "alliance", True),
        (HUB_HEAD, "alliance", True),
        (HEAD_B, "alliance", False),  # one school's head does not speak for the alliance
        (Viewer("sle_coordinator", None, "coord"), "alliance", False),
        (HEAD_B, "B", True),
        (HUB_HEAD, "B", False),
        (Viewer("senior_leader", "B", "sl-b"), "B", False),
        (Viewer("viewer", None, "gov"), "alliance", False),
    ],
)
def test_who_records_a_judgement(dash, viewer, scope, allowed) -> None:  # noqa: F811
    assert maturity.may_record(dash, viewer, scope) is allowed
    before = len(maturity.judgements(dash, viewer, scope))
    if allowed:
        maturity.record_judgement(dash, viewer, scope, "staff information", "Developing", "", None)
        assert len(maturity.judgements(dash, viewer, scope)) == before + 1
    else:
        with pytest.raises(PermissionDenied):
            maturity.record_judgement(
                dash, viewer, scope, "staff information", "Developing", "", None
            )
        assert len(maturity.judgements(dash, viewer, scope)) == before
