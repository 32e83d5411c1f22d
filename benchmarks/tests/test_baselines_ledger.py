# ruff: noqa: F811 - `dash` is the fixture imported from test_dashboard
"""The pandas mirrors of the reciprocity ledger's two views (`baselines.dashboard_ledger`) give
exactly the product's answer (`ledger.school_views`) — figures, hidden cells and types — for
the SLE coordinator and every school's head (the governor's too), on the demo alliance, the
hand-built cases and random alliances. The fixed cases must hide something, and somewhere
rule 5 must have a side to cover, or the equality would say nothing about the suppression."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from benchmarks.baselines import dashboard_ledger as dl
from brokering.db import Connection
from brokering.pairings import ledger
from brokering.viewer import Viewer
from tests import alliances as made
from tests.test_dashboard import dash  # noqa: F401 - the fixture
from tests.test_pairings_ledger import _log, _pairing


def _viewers(con: Connection) -> list[Viewer]:
    """The governor, the SLE coordinator and each school's head."""
    schools = [r[0] for r in con.execute("SELECT school_id FROM schools ORDER BY 1").fetchall()]
    return made.roles(schools)


def _check(con: Connection) -> tuple[int, int]:
    """Every viewer's mirror against the product; (cells hidden, unnamed sides) over those
    who list pairings."""
    lf = dl.load_ledger_frames(con)
    hidden = sides = 0
    for viewer in _viewers(con):
        product = ledger.school_views(con, viewer)
        if viewer.aggregate_only:
            mirror = dl.school_views_governor(lf, viewer)
        else:
            unseen = dl.unseen_staff(con, lf, viewer)
            mirror = dl.school_views_lists(lf, viewer, unseen, dl.whole_places(con, lf, viewer))
            hidden += int(product[0]["pairings_given"].isna().sum())
            hidden += int(product[1]["pairings_a_to_b"].isna().sum())
            sides += int(unseen.any())
        for mine, theirs in zip(mirror, product, strict=True):
            pd.testing.assert_frame_equal(mine, theirs, obj=str(viewer))
    return hidden, sides


@pytest.fixture
def flows(tiny: Connection, admin: Viewer) -> Connection:
    """The ledger's hand-built case (tests/test_pairings_ledger.py): hours each way, a
    proposal that counts nothing, a pairing within one school."""
    p1 = _pairing(tiny, admin, "C1", "A2", "active")
    _log(tiny, admin, p1, 2.0)
    _log(tiny, admin, p1, 3.0, entry_type="visit", who=("A2", "C1"), flow="recipient to donor")
    p2 = _pairing(tiny, admin, "B2", "A2", "active")
    _log(tiny, admin, p2, 1.5, who=("B2", "A2"))
    _log(tiny, admin, _pairing(tiny, admin, "C1", "B3", "proposed"), 4.0)
    _log(tiny, admin, _pairing(tiny, admin, "B2", "B3", "active"), 1.0)
    _log(tiny, admin, _pairing(tiny, admin, "C1", "B3", "agreed"), 2.0)
    return tiny


def test_the_ledger_mirrors_match_the_product_on_the_demo_alliance(demo: Connection) -> None:
    hidden, sides = _check(demo)
    assert hidden and sides


def test_the_ledger_mirrors_match_the_product_on_the_hand_built_cases(
    dash: Connection,  # noqa: F811
) -> None:
    hidden, sides = _check(dash)
    assert hidden and sides


def test_the_ledger_mirrors_match_the_product_with_hours_each_way(flows: Connection) -> None:
    _check(flows)


STATUSES = ("active", "transferred", "stopped", "agreed", "proposed")


@st.composite
def alliances(draw: st.DrawFn) -> dict:
    fields = (
        st.sampled_from(("questioning", "anti-bullying")),
        st.sampled_from(STATUSES),
        st.one_of(st.none(), st.integers(1, 6)),
    )
    return made.drawn(draw, 5, *fields, most_pairings=30)


@settings(
    max_examples=int(os.environ.get("BROKERING_PROPERTY_TRIALS", "25")),
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
def test_the_ledger_mirrors_match_the_product_over_random_alliances(
    store: Connection, a: dict
) -> None:
    if not a["pairings"]:
        return
    made.load(store, a["schools"], a["staff"], [made.Pairing(*p) for p in a["pairings"]])
    _check(store)
