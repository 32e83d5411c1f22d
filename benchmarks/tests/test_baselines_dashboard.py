# ruff: noqa: F811 - `dash` is the fixture imported from test_dashboard
"""The plain-pandas baseline of the dashboard's headline figures computes exactly what the
product's SQL does, on the hand-built case and on the demo alliance: the headline figures
term by term, outcomes by recipient school, and the flow matrix."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from benchmarks.baselines import dashboard as baselines_dashboard
from brokering.dashboard import facts, flows, outcomes, school_tables, transfer
from brokering.dashboard.facts import ALLIANCE
from brokering.demo import DEMO_AS_OF
from brokering.terms import previous_term, term_of
from brokering.viewer import Viewer
from tests.test_dashboard import AS_OF, AUTUMN, dash  # noqa: F401 - the fixture


def _terms(as_of, n: int = 8):
    terms = [term_of(as_of)]
    for _ in range(n - 1):
        terms.append(previous_term(terms[-1]))
    return [(t.start, t.end) for t in terms]


def _check(con, as_of) -> None:
    periods = _terms(as_of)
    product = transfer.period_figures(con, facts.facts(con), ALLIANCE, periods, as_of)
    baseline = baselines_dashboard.period_figures(
        baselines_dashboard.load_dash_frames(con), periods, as_of
    )
    assert baseline == product
    assert any(fig["transferred"][0] for fig in product)  # the case has something to count


def test_baseline_matches_the_product_on_the_hand_built_case(dash) -> None:
    _check(dash, AS_OF)


def test_baseline_matches_the_product_on_the_demo_alliance(demo) -> None:
    _check(demo, DEMO_AS_OF)


# -- outcomes by recipient school and the flow matrix ---------------------------------------


def _product_cells(con, monkeypatch, admin) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`outcomes_by(by="school")`'s cells before suppression — the row totals of the school x
    area table it suppresses, with the distinct people behind each (as a governor, who sees
    nobody one by one, has them counted): outcome, recipient_school, pairings, people — and
    what it shows the administrator."""
    f = facts.facts(con)
    cells, values = outcomes._outcome_cells(f, ALLIANCE, None, None)
    grid = school_tables.grid(con, f, Viewer("viewer"), cells, values)
    rows = grid[grid["level"] == 1].rename(columns={"row": "recipient_school"})
    shown = transfer.outcomes_by(con, admin, "school")
    return rows.sort_values(["outcome", "recipient_school"]), shown


def _check_outcomes(con, monkeypatch, admin) -> None:
    frames = baselines_dashboard.load_dash_frames(con)
    cells, shown = _product_cells(con, monkeypatch, admin)
    mirror = baselines_dashboard.outcomes_by_school(frames)
    assert list(mirror.columns) == ["outcome", "recipient_school", "pairings", "people"]
    product = cells[list(mirror.columns)].astype({"pairings": "int64", "people": "int64"})
    pd.testing.assert_frame_equal(mirror, product.reset_index(drop=True))
    # What the page shows the administrator: the same counts, cell for cell (and each
    # school's outcomes with no pairings, as 0).
    shown = shown[shown["pairings"] > 0]
    assert sorted(zip(shown["outcome"], shown["pairings"].astype(int), strict=True)) == sorted(
        zip(mirror["outcome"], mirror["pairings"], strict=True)
    )
    # The case exercises what could go wrong: several outcomes, a cell of several pairings
    # whose people overlap (distinct people fewer than the pairings' people added up).
    assert mirror["outcome"].nunique() >= 2
    per_pairing = np.bincount(frames.people["pairing"], minlength=len(frames.pairings))
    status = frames.pairings["status"].astype(str).to_numpy()
    outcome = np.where(np.isin(status, facts.FINAL), status, "open")
    naive = (
        pd.DataFrame(
            {
                "outcome": outcome[frames.receivers["pairing"]],
                "recipient_school": frames.schools[frames.receivers["school"]],
                "n": per_pairing[frames.receivers["pairing"]],
            }
        )
        .groupby(["outcome", "recipient_school"], as_index=False)["n"]
        .sum()
    )
    both = mirror.merge(naive, on=["outcome", "recipient_school"])
    assert len(both) == len(mirror)
    assert (both["people"] < both["n"]).any()


def test_outcomes_by_school_mirror_matches_the_product_on_the_hand_built_case(
    dash, monkeypatch, admin
) -> None:
    frames = baselines_dashboard.load_dash_frames(dash)
    cells, _ = _product_cells(dash, monkeypatch, admin)
    mirror = baselines_dashboard.outcomes_by_school(frames)
    product = cells[list(mirror.columns)].astype({"pairings": "int64", "people": "int64"})
    pd.testing.assert_frame_equal(mirror, product.reset_index(drop=True))
    # B3 receives in P2 (not transferred) and P3 (open): one school, two outcomes.
    assert set(mirror["outcome"]) == {"transferred", "not transferred", "open"}


def test_outcomes_by_school_mirror_matches_the_product_on_the_demo_alliance(
    demo, monkeypatch, admin
) -> None:
    _check_outcomes(demo, monkeypatch, admin)


_FLOW = ["giver", "receiver", "pairings", "coaching_records", "hours", "people"]


def _check_flow(con, admin, start, end) -> pd.DataFrame:
    product = flows.flow_matrix(con, admin, start, end)[_FLOW].reset_index(drop=True)
    mirror = baselines_dashboard.flow_matrix(baselines_dashboard.load_dash_frames(con), start, end)
    assert list(mirror.columns) == _FLOW
    if product.empty:  # the product's empty frame has untyped columns
        assert mirror.empty
        return mirror
    pd.testing.assert_frame_equal(
        mirror,
        product.astype({c: "int64" for c in ("pairings", "coaching_records", "people")}).astype(
            {"hours": float}
        ),
    )
    return mirror


def test_flow_matrix_mirror_matches_the_product_on_the_hand_built_case(dash, admin) -> None:
    m = _check_flow(dash, admin, AUTUMN.start, AUTUMN.end)
    # P1, P2, P3 (the proposed P5 has given nothing yet); P4 ended in the summer.
    assert m["pairings"].sum() == 3
    assert _check_flow(dash, admin, date(2020, 1, 1), date(2020, 3, 31)).empty


def test_flow_matrix_mirror_matches_the_product_on_the_demo_alliance(demo, admin) -> None:
    term = term_of(DEMO_AS_OF)
    m = _check_flow(demo, admin, term.start, term.end)
    # The case exercises what could go wrong: cells of pairings, of coaching and of both;
    # coaching outside the term left out; people shared within a cell counted once.
    assert (m["pairings"] > 0).any() and (m["coaching_records"] > 0).any()
    assert ((m["pairings"] > 0) & (m["coaching_records"] > 0)).any()
    all_coaching = demo.execute("SELECT count(*) FROM coaching").fetchall()[0][0]
    assert 0 < m["coaching_records"].sum() < all_coaching
    assert (m["people"] < 2 * m["coaching_records"] + 2 * m["pairings"]).any()
    # Every term the demo has: each one equal too.
    for t in _terms(DEMO_AS_OF):
        _check_flow(demo, admin, *t)
