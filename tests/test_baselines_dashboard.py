# ruff: noqa: F811 - `dash` is the fixture imported from test_dashboard
"""The plain-pandas baseline of the dashboard's headline figures computes exactly what the
product's SQL does, on the hand-built case and on the demo alliance, term by term."""

from __future__ import annotations

from brokering import baselines_dashboard
from brokering.dashboard import facts, transfer
from brokering.dashboard.facts import ALLIANCE
from brokering.demo import DEMO_AS_OF
from brokering.terms import previous_term, term_of
from tests.test_dashboard import AS_OF, dash  # noqa: F401 - the fixture


def _terms(as_of, n: int = 8):
    terms = [term_of(as_of)]
    for _ in range(n - 1):
        terms.append(previous_term(terms[-1]))
    return [(t.start, t.end) for t in terms]


def _check(con, as_of) -> None:
    periods = _terms(as_of)
    product = transfer._period_figures(con, facts.facts(con), ALLIANCE, periods, as_of)
    baseline = baselines_dashboard.period_figures(
        baselines_dashboard.load_dash_frames(con), periods, as_of
    )
    assert baseline == product
    assert any(fig["transferred"][0] for fig in product)  # the case has something to count


def test_baseline_matches_the_product_on_the_hand_built_case(dash) -> None:
    _check(dash, AS_OF)


def test_baseline_matches_the_product_on_the_demo_alliance(demo) -> None:
    _check(demo, DEMO_AS_OF)
