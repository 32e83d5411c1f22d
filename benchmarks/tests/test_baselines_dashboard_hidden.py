# ruff: noqa: F811 - `dash` is the fixture imported from test_dashboard
"""The pandas mirrors of a governor's suppressed dashboard figures give exactly the product's
answer — figures and hidden flags — on the hand-built case and the demo alliance: the
headline, outcomes by receiving school, the flow matrix and given and received. Each case
must hide something, or the equality would say nothing about the suppression."""

from __future__ import annotations

import os
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from benchmarks.baselines import dashboard_hidden as dh
from brokering.dashboard import flows, transfer
from brokering.demo import DEMO_AS_OF
from brokering.terms import previous_term, term_of
from brokering.viewer import Viewer
from tests import alliances as made
from tests.test_dashboard import AS_OF, dash  # noqa: F401 - the fixture

GOVERNOR = Viewer("viewer", None, "test-governor")
SLE = Viewer("sle_coordinator", None, "test-sle")


@pytest.fixture(params=["hand-built", "demo"])
def case(request, dash, demo):
    """(store, as of) for each case the mirrors are held equal on."""
    if request.param == "demo":
        return demo, DEMO_AS_OF
    return dash, AS_OF


def _terms(as_of: date, n: int = 6) -> list:
    terms = [term_of(as_of)]
    for _ in range(n - 1):
        terms.append(previous_term(terms[-1]))
    return terms


def test_headline_mirror_matches_the_product(case) -> None:
    con, as_of = case
    hf = dh.load_hidden_frames(con)
    hidden = 0
    for term in _terms(as_of):
        product = dh.headline_product(transfer.headline(con, GOVERNOR, term, as_of=as_of))
        mirror = dh.headline_governor(hf, term, as_of, GOVERNOR)
        assert mirror == product, term
        hidden += sum(row[4] + row[5] for row in product)
    assert hidden  # the case hides something


def test_outcomes_by_school_mirror_matches_the_product(case) -> None:
    con, _ = case
    product = transfer.outcomes_by(con, GOVERNOR, "school")
    mirror = dh.outcomes_by_school_governor(dh.load_hidden_frames(con))
    pd.testing.assert_frame_equal(mirror, product)
    assert product["pairings"].isna().any()


def test_flow_matrix_and_balance_mirrors_match_the_product(case) -> None:
    con, as_of = case
    hf = dh.load_hidden_frames(con)
    hidden = 0
    for term in _terms(as_of):
        product = flows.flow_matrix(con, GOVERNOR, term.start, term.end)
        mirror = dh.flow_matrix_governor(hf, term.start, term.end, GOVERNOR)
        if product.empty:
            assert mirror.empty
        else:
            pd.testing.assert_frame_equal(mirror, product.reset_index(drop=True))
            hidden += int(product["hours"].isna().sum())
        product = flows.balance(con, GOVERNOR, term.start, term.end)
        mirror = dh.balance_governor(hf, term.start, term.end, GOVERNOR)
        pd.testing.assert_frame_equal(mirror, product.reset_index(drop=True))
    assert hidden


# -- over random alliances: the rules' rarer turns (cover along the outcomes, rows shown) --

SKILLS = ("assessment-design", "anti-bullying", "questioning")
STATUSES = ("active", "transferred", "not transferred", "stopped", "proposed")


@st.composite
def alliances(draw: st.DrawFn) -> dict:
    fields = (st.sampled_from(SKILLS), st.sampled_from(STATUSES), st.integers(1, 9))
    return made.drawn(draw, 5, *fields, most_pairings=30)


@settings(
    max_examples=int(os.environ.get("BROKERING_PROPERTY_TRIALS", "25")),
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
def test_the_mirrors_match_the_product_over_random_alliances(store, a: dict) -> None:
    if not a["pairings"]:
        return
    made.load(store, a["schools"], a["staff"], [made.Pairing(*p) for p in a["pairings"]])
    as_of, term = date(2026, 12, 10), term_of(date(2026, 12, 10))
    hf = dh.load_hidden_frames(store)
    product = dh.headline_product(transfer.headline(store, GOVERNOR, term, as_of=as_of))
    assert dh.headline_governor(hf, term, as_of, GOVERNOR) == product
    pd.testing.assert_frame_equal(
        dh.outcomes_by_school_governor(hf), transfer.outcomes_by(store, GOVERNOR, "school")
    )
    product = flows.flow_matrix(store, GOVERNOR, term.start, term.end)
    mirror = dh.flow_matrix_governor(hf, term.start, term.end, GOVERNOR)
    if product.empty:
        assert mirror.empty
    else:
        pd.testing.assert_frame_equal(mirror, product.reset_index(drop=True))
    pd.testing.assert_frame_equal(
        dh.balance_governor(hf, term.start, term.end, GOVERNOR),
        flows.balance(store, GOVERNOR, term.start, term.end),
    )


# -- one skill area's headline and trend, and one school's (the School filter) ---------------


def _scoped_checks(con, as_of: date, term) -> None:
    """Every scoped mirror against the product, for the governor and each school's head; the
    School filter's headline for every school for the governor, and for a head their own
    and the next school's (the parts' rule weighs another school's for them too:
    `school_parts.applies`), and for the SLE coordinator every school's."""
    from benchmarks.baselines import dashboard_area_flows as daf
    from benchmarks.baselines import dashboard_school as ds
    from brokering.dashboard.facts import Scope

    af = daf.load_area_frames(con)
    areas = sorted(set(af.hf.area.tolist()))
    schools = [str(s) for s in af.hf.base.schools]
    viewers = [GOVERNOR, *(Viewer("headteacher", s, f"head-{s}") for s in schools)]
    for viewer in [*viewers, SLE]:
        unseen = daf.unseen_people(con, af.hf, viewer)
        for area in areas[:2] if viewer is not SLE else []:
            product = dh.headline_product(
                transfer.headline(con, viewer, term, scope=Scope(None, area), as_of=as_of)
            )
            assert ds.headline_area(af, term, as_of, unseen, viewer, area) == product, area
            product = transfer.trend_by_term(con, viewer, scope=Scope(None, area), as_of=as_of)
            mirror = ds.trend_area(af, as_of, unseen, viewer, area)
            pd.testing.assert_frame_equal(mirror, product)
        for school in _schools_looked_at(viewer, schools):
            for area in [None, *areas[:1]]:
                scope = Scope(school, area)
                product = dh.headline_product(
                    transfer.headline(con, viewer, term, scope=scope, as_of=as_of)
                )
                mirror = ds.headline_school(af, term, as_of, unseen, viewer, school, area)
                assert mirror == product, (viewer, scope)


def _schools_looked_at(viewer: Viewer, schools: list[str]) -> list[str]:
    """The schools whose School filter headline `_scoped_checks` holds equal for `viewer`."""
    if viewer.school_id is None:
        return schools
    mine = schools.index(viewer.school_id)
    return [viewer.school_id, *([schools[(mine + 1) % len(schools)]] if len(schools) > 1 else [])]


def test_scoped_headline_mirrors_match_the_product(case) -> None:
    con, as_of = case
    _scoped_checks(con, as_of, term_of(as_of))


def _chart_checks(con, term, as_of) -> None:
    """The School filter's charts' mirrors against the product, for the governor and each
    school's head, every school; and the hours chart's for the alliance and each area."""
    from benchmarks.baselines import dashboard_area_flows as daf
    from benchmarks.baselines import dashboard_charts as dc
    from brokering.dashboard.facts import Scope

    af = daf.load_area_frames(con)
    schools = [str(s) for s in af.hf.base.schools]
    for viewer in [GOVERNOR, *(Viewer("headteacher", s, f"head-{s}") for s in schools)]:
        unseen, whole = daf.unseen_people(con, af.hf, viewer), dc.whole_schools(con, viewer)
        for school in schools if viewer is GOVERNOR else [viewer.school_id]:
            scope = Scope(school)
            for window in ((None, None), (term.start, term.end)):
                product = transfer.outcomes_by(con, viewer, "school", scope, *window)
                mirror = dc.outcomes_school(af, school, unseen, viewer, *window, whole)
                pd.testing.assert_frame_equal(mirror, product, obj=f"{viewer} {school}")
            product = transfer.hours_against_outcome(con, viewer, scope, as_of)
            mirror = dc.hours_school(af, school, unseen, viewer, as_of)
            pd.testing.assert_frame_equal(mirror, product, obj=f"{viewer} {school}")
        for area in [None, *sorted(set(af.hf.area.tolist()))]:  # the alliance's, each area's
            product = transfer.hours_against_outcome(con, viewer, Scope(None, area), as_of)
            mirror = dc.hours_alliance(af, unseen, viewer, as_of, area)
            pd.testing.assert_frame_equal(mirror, product, obj=f"{viewer} {area}")


def test_school_chart_mirrors_match_the_product(case) -> None:
    con, as_of = case
    _chart_checks(con, term_of(as_of), as_of)


@settings(
    max_examples=int(os.environ.get("BROKERING_PROPERTY_TRIALS", "6")),
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
def test_the_scoped_mirrors_match_the_product_over_random_alliances(store, a: dict) -> None:
    if not a["pairings"]:
        return
    made.load(store, a["schools"], a["staff"], [made.Pairing(*p) for p in a["pairings"]])
    _scoped_checks(store, date(2026, 12, 10), term_of(date(2026, 12, 10)))
    _chart_checks(store, term_of(date(2026, 12, 10)), date(2026, 12, 10))


def test_ledger_mirror_matches_the_product(case) -> None:
    from benchmarks.baselines import dashboard_ledger as dl
    from brokering.pairings import ledger

    con, _ = case
    by_school, by_pair = ledger.school_views(con, GOVERNOR)
    mine_s, mine_p = dl.school_views_governor(dl.load_ledger_frames(con), GOVERNOR)
    pd.testing.assert_frame_equal(mine_s, by_school)
    pd.testing.assert_frame_equal(mine_p, by_pair)
    assert by_school["pairings_given"].isna().any()


@pytest.mark.parametrize("name", ["JUDGED_BY_AREA_TOLD", "SUMMER_TOLD_BY_THE_TOTAL"])
def test_the_mirrors_match_where_an_outcomes_total_is_hidden(store, name: str) -> None:
    """The hand-built alliances of tests/test_hours_by_area_found.py where an outcome's total over
    all time is hidden for the counts' cover (`counts_cover`) or with a band of its own
    (`hours_cover.pick_total_cover`): the governor's headline, every chart and scoped
    mirror against the product."""
    from tests import test_headline_terms_properties as terms_model
    from tests import test_hours_by_area_found as cases

    terms_model.load(store, getattr(cases, name))
    as_of = cases.AS_OF
    hf = dh.load_hidden_frames(store)
    for term in cases.TERMS:
        product = dh.headline_product(transfer.headline(store, GOVERNOR, term, as_of=as_of))
        assert dh.headline_governor(hf, term, as_of, GOVERNOR) == product, term
    _chart_checks(store, term_of(as_of), as_of)
    _scoped_checks(store, as_of, term_of(as_of))


def test_the_school_hours_mirror_weighs_the_schools_headline(store) -> None:
    """B_BAND_TOLD_BY_ITS_TERMS (tests/test_hours_by_area_found.py): school B's one band of
    transfers, hidden by the table's rule, is shown as its headline tells it
    (`school_hours.shown_where_told`) — the mirror's headline (`dashboard_school.
    school_terms`) weighed by the product's rule, equal to the product."""
    from brokering.dashboard.facts import Scope
    from tests import test_headline_terms_properties as terms_model
    from tests.test_hours_by_area_found import B_BAND_TOLD_BY_ITS_TERMS

    terms_model.load(store, B_BAND_TOLD_BY_ITS_TERMS)
    as_of = terms_model.AS_OF
    _chart_checks(store, term_of(as_of), as_of)
    got = transfer.hours_against_outcome(store, GOVERNOR, Scope("B"), as_of)
    assert got.set_index(["hours", "outcome"]).at[("under 6 h", "transferred"), "pairings"] == 2


#: Head D's one pairing, D0 (theirs) with B0 (of B, who does not share), is on their page:
#: school B's part with D rests on no one off it, so the parts' rule (`school_parts`, which
#: for a head counts a part's pairings off their page alone) leaves B's overdue reviews (4:
#: B's work within, three people, and that one) shown. Counted with B0, the mirror hid them.
LISTED_PART = {
    "schools": ["B", "C", "D"],
    "staff": [("B0", "B", False), ("B1", "B", False), ("B2", "B", False), ("B3", "B", False),
              ("C0", "C", False), ("C1", "C", False), ("C2", "C", False), ("D0", "D", False)],
    "pairings": [("D0", "B0", "assessment-design"), ("B1", "B2", "assessment-design"),
                 ("B2", "B3", "assessment-design"), ("B1", "B3", "assessment-design"),
                 ("C0", "C1", "assessment-design"), ("C1", "C2", "assessment-design")],
}  # fmt: skip


@pytest.mark.parametrize("name", ["LISTED_PART", "HEAD_D_LISTS_THE_REST"])
def test_the_school_mirror_weighs_parts_off_the_page(store, name: str) -> None:
    """The School filter's mirror weighs a head's and the SLE coordinator's parts off their
    page, as the product does (`school_parts.by_part`'s `rest`)."""
    from tests.test_headline_school_cases import HEAD_D_LISTS_THE_REST

    a = LISTED_PART if name == "LISTED_PART" else HEAD_D_LISTS_THE_REST
    made.load(store, a["schools"], a["staff"], [made.Pairing(*p) for p in a["pairings"]])
    as_of = date(2026, 12, 10)
    _scoped_checks(store, as_of, term_of(as_of))
