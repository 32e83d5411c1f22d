# ruff: noqa: F811 - `dash` is the fixture imported from test_dashboard
"""The numpy mirrors of one school's ratings before and after and of a governor's pairings by
status (`baselines.dashboard_reads`) give exactly the product's answer — figures and hidden
flags — on the hand-built case, the demo alliance and random alliances with ratings, for the
governor and every head, every school. Each fixed case must hide something, or the equality
would say nothing about the suppression."""

from __future__ import annotations

import os
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from benchmarks.baselines import dashboard_area_flows as daf
from benchmarks.baselines import dashboard_reads as dr
from brokering.dashboard import transfer
from brokering.dashboard.facts import Scope
from brokering.demo import DEMO_AS_OF
from brokering.pairings import views
from brokering.viewer import Viewer
from tests import test_school_charts_properties as charts
from tests.test_dashboard import AS_OF, dash  # noqa: F401 - the fixture

GOVERNOR = Viewer("viewer", None, "test-governor")


@pytest.fixture(params=["hand-built", "demo"])
def case(request, dash, demo):
    """(store, as of) for each case the mirrors are held equal on."""
    if request.param == "demo":
        return demo, DEMO_AS_OF
    return dash, AS_OF


def _ratings_checks(con) -> int:
    """Every school's ratings (all areas and each area) for the governor and each head:
    the mirror against the product. The number of areas hidden."""
    af = daf.load_area_frames(con)
    rt = dr.load_ratings(con)
    areas = sorted(set(af.hf.area.tolist()))
    schools = [str(s) for s in af.hf.base.schools]
    hidden = 0
    for viewer in [GOVERNOR, *(Viewer("headteacher", s, f"head-{s}") for s in schools)]:
        unseen = daf.unseen_people(con, af.hf, viewer)
        for school in schools if viewer is GOVERNOR else [viewer.school_id]:
            for area in [None, *areas]:
                product = transfer.ratings_before_after(con, viewer, Scope(school, area))
                mirror = dr.ratings_school(af, rt, school, unseen, viewer, area)
                pd.testing.assert_frame_equal(mirror, product, obj=f"{viewer} {school} {area}")
                hidden += int(product["hidden"].sum())
    return hidden


def _counts_checks(con, days: list[date]) -> int:
    """The governor's counts by status as of each day: the mirror against the product. The
    number of counts hidden."""
    af, sf = daf.load_area_frames(con), dr.load_statuses(con)
    hidden = 0
    for day in days:
        product = views.status_counts(con, GOVERNOR, day)
        pd.testing.assert_frame_equal(dr.status_counts_governor(sf, af, GOVERNOR, day), product)
        hidden += int(product["pairings"].isna().sum())
    return hidden


def test_ratings_mirror_matches_the_product(case) -> None:
    con, _ = case
    assert _ratings_checks(con)  # the case hides something


def test_status_counts_mirror_matches_the_product(case) -> None:
    con, as_of = case
    assert _counts_checks(con, [as_of, date(2026, 12, 10), date(2027, 2, 1)]) >= 0


def test_status_counts_mirror_hides_as_the_product_on_a_small_alliance(store) -> None:
    """An alliance of a few pairings: the governor's counts hide some (held equal)."""
    a = {
        "schools": ["S1", "S2"],
        "staff": [("a", "S1", False), ("b", "S2", False), ("c", "S2", True)],
        "pairings": [
            ("a", "b", "anti-bullying", "transferred", 4, (2, 3)),
            ("a", "c", "anti-bullying", "active", 8, None),
            ("c", "b", "assessment-design", "not transferred", 1, (1, 3)),
        ],
    }
    charts.load(store, a)
    assert _counts_checks(store, [date(2026, 12, 10)])


@settings(
    max_examples=int(os.environ.get("BROKERING_PROPERTY_TRIALS", "10")),
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=charts.alliances())
def test_the_mirrors_match_the_product_over_random_alliances(store, a: dict) -> None:
    if not a["pairings"]:
        return
    charts.load(store, a)
    _ratings_checks(store)
    _counts_checks(store, [date(2026, 12, 10)])
