"""The quick first look at the areas' totals (`flow_sample.settled`) agrees with the full
rule: wherever it settles a period, `flows.area_totals` gives exactly what deciding the
period in full gives — over random alliances and roles, and on an alliance built so that
it settles (every area holds two relationships resting on two people a head cannot see)."""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from brokering.dashboard import flow_between, flow_counts, flow_sample, flows
from brokering.db import Connection
from brokering.terms import term_of
from brokering.viewer import Viewer
from tests import alliances as made
from tests.alliances import Pairing

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "25"))
TERM = term_of(date(2026, 10, 1))
PERIODS = [(TERM.start, TERM.end)]
SKILLS = ("assessment-design", "anti-bullying", "adaptive-teaching")

#: Six schools, nobody consenting; every area holds two relationships of two people in
#: schools other than A: settled for A's head.
SETTLES = {
    "schools": list("ABCDEF"),
    "staff": [(f"{s}0", s, False) for s in "ABCDEF"] + [("A1", "A", True)],
    "pairings": [
        ("B0", "C0", "assessment-design"),
        ("D0", "E0", "assessment-design"),
        ("B0", "D0", "anti-bullying"),
        ("C0", "E0", "anti-bullying"),
        ("B0", "E0", "adaptive-teaching"),
        ("C0", "D0", "adaptive-teaching"),
        ("A0", "F0", "adaptive-teaching"),
    ],
}


def load(con: Connection, a: dict) -> None:
    made.load(con, a["schools"], a["staff"], [Pairing(d, r, k) for d, r, k in a["pairings"]])


@st.composite
def alliances(draw: st.DrawFn) -> dict:
    return made.drawn(draw, 7, st.sampled_from(SKILLS), most_pairings=20)


def in_full(con: Connection, viewer: Viewer, monkeypatch: pytest.MonkeyPatch) -> list:
    """`area_totals` with the first look settling nothing."""
    with monkeypatch.context() as m:
        m.setattr(
            flow_sample, "settled", lambda con, viewer, rel, periods, f=None: [False] * len(periods)
        )
        return flows.area_totals(con, viewer, PERIODS)


def test_an_alliance_it_settles(store: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    load(store, SETTLES)
    head = Viewer("headteacher", "A", "head-A")
    rel = flow_counts.read(store, head, PERIODS, areas=True, people=False)
    assert flow_sample.settled(store, head, rel, PERIODS) == [True]
    assert flows.area_totals(store, head, PERIODS) == in_full(store, head, monkeypatch)
    # With D0 and E0 consenting, D and E's relationship rests on no one A's head cannot
    # see: that area keeps one relationship to go by, and the look does not settle the term.
    shared = {**SETTLES, "staff": [(r, s, c or r in ("D0", "E0")) for r, s, c in SETTLES["staff"]]}
    load(store, shared)
    rel = flow_counts.read(store, head, PERIODS, areas=True, people=False)
    assert flow_sample.settled(store, head, rel, PERIODS) == [False]
    assert flows.area_totals(store, head, PERIODS) == in_full(store, head, monkeypatch)


def test_an_area_with_work_only_within_schools_is_decided_in_full(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behaviour's only work is within school A, which A's head sees: no cell to hide, and
    its total is one they can add up — the full rule says so (the look must not settle)."""
    within = {
        **SETTLES,
        "pairings": [p for p in SETTLES["pairings"] if p[2] != "anti-bullying"]
        + [("A0", "A1", "anti-bullying")],
    }
    load(store, within)
    head = Viewer("headteacher", "A", "head-A")
    rel = flow_counts.read(store, head, PERIODS, areas=True, people=False)
    assert flow_sample.settled(store, head, rel, PERIODS) == [False]
    assert flows.area_totals(store, head, PERIODS) == in_full(store, head, monkeypatch)


@settings(
    max_examples=TRIALS,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
@example(a=SETTLES)
def test_where_it_settles_the_full_rule_agrees(
    store: Connection, monkeypatch: pytest.MonkeyPatch, a: dict
) -> None:
    load(store, a)
    for viewer in made.roles(a["schools"]):
        if viewer.aggregate_only:
            continue
        rel = flow_counts.read(store, viewer, PERIODS, areas=True, people=False)
        if flow_sample.settled(store, viewer, rel, PERIODS)[0]:
            assert in_full(store, viewer, monkeypatch) == [(set(), set())], viewer
        assert flows.area_totals(store, viewer, PERIODS) == in_full(store, viewer, monkeypatch)


@settings(
    max_examples=TRIALS,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
@example(a=SETTLES)
def test_where_the_governors_look_settles_the_full_rule_agrees(
    store: Connection, monkeypatch: pytest.MonkeyPatch, a: dict
) -> None:
    """The governor's people-free look (`flows._two_sure_cells`, coded once for every
    period): where it settles a period, deciding the period in full gives the same."""
    load(store, a)
    governor = Viewer("viewer", None, "governor")
    rel = flow_counts.read(store, governor, PERIODS, areas=True, people=False)
    between = flow_between.Between.of(rel)
    quick = [flows._two_sure_cells(rel, between, s, e) for s, e in PERIODS]
    with monkeypatch.context() as m:
        m.setattr(flows, "_two_sure_cells", lambda rel, between, start, end: False)
        full = flows.area_totals(store, governor, PERIODS)
    if all(quick):
        assert full == [(set(), set())]
    assert flows.area_totals(store, governor, PERIODS) == full
