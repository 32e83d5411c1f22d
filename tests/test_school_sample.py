"""The quick first look at what the flow matrices decide about one school's pairings active
(`school_sample.settled`) agrees with the full rule: wherever it settles a period,
`flows.school_totals` gives exactly what deciding the period in full gives — for every role
and every school, over random alliances and on alliances built so that it settles."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings

from brokering.dashboard import flow_counts, flows, school_sample
from brokering.dashboard.facts import facts
from brokering.db import Connection
from brokering.viewer import Viewer
from tests import alliances as made
from tests.test_flow_sample import PERIODS, TRIALS, alliances, load  # the same alliances

#: Six schools, nobody consenting but A1: A works in one area with two schools, each
#: relationship of two people; every area holds two such relationships without A.
SETTLES = {
    "schools": list("ABCDEF"),
    "staff": [(f"{s}0", s, False) for s in "ABCDEF"] + [("A1", "A", True)],
    "pairings": [
        ("A0", "B0", "assessment-design"),
        ("A1", "C0", "assessment-design"),
        ("D0", "E0", "assessment-design"),
        ("D0", "F0", "assessment-design"),
        ("B0", "D0", "anti-bullying"),
        ("C0", "E0", "anti-bullying"),
        ("B0", "E0", "adaptive-teaching"),
        ("C0", "D0", "adaptive-teaching"),
    ],
}


def in_full(con: Connection, viewer: Viewer, school: str, monkeypatch: pytest.MonkeyPatch) -> list:
    """`school_totals` with the first look settling nothing."""
    with monkeypatch.context() as m:
        m.setattr(
            school_sample,
            "settled",
            lambda con, viewer, rel, periods, at, f: [None] * len(periods),
        )
        return flows.school_totals(con, viewer, PERIODS, school)


def looked(con: Connection, viewer: Viewer, school: str) -> list:
    """The first look's answers alone."""
    rel = flow_counts.read(con, viewer, PERIODS, areas=True, people=False)
    at = int(list(rel.ids).index(school))
    return school_sample.settled(con, viewer, rel, PERIODS, at, facts(con))


def test_an_alliance_it_settles(store: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    load(store, SETTLES)
    head = Viewer("headteacher", "A", "head-A")
    # A's head sees all of A: its ledger totals are shown, nothing of its view is hidden.
    assert looked(store, head, "A") == [(set(), set())]
    assert flows.school_totals(store, head, PERIODS, "A") == in_full(store, head, "A", monkeypatch)
    # The governor sees no one: A's totals hidden with its relationships, and so its area's
    # pairings active and its whole.
    governor = Viewer("viewer", None, "governor")
    (quick,) = looked(store, governor, "A")
    assert quick is not None and None in quick[0] and len(quick[0]) == 2 and not quick[1]
    for viewer in made.roles(SETTLES["schools"]):
        for school in SETTLES["schools"]:
            got = flows.school_totals(store, viewer, PERIODS, school)
            assert got == in_full(store, viewer, school, monkeypatch), (viewer, school)
    # With D0 and E0 consenting, their relationship rests on no one A's head cannot see:
    # assessment keeps one relationship without A to go by, and the look does not settle.
    shared = {**SETTLES, "staff": [(r, s, c or r in ("D0", "E0")) for r, s, c in SETTLES["staff"]]}
    load(store, shared)
    assert looked(store, head, "A") == [None]
    assert flows.school_totals(store, head, PERIODS, "A") == in_full(store, head, "A", monkeypatch)


def test_a_leaver_of_the_school_hides_its_totals(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A0 has left A: A's head cannot see them, so A's ledger totals rest on someone unseen
    and are hidden with its relationships — its view's figures hidden too, as in full."""
    load(store, SETTLES)
    store.execute("UPDATE staff SET left_on = DATE '2026-09-01' WHERE staff_ref = 'A0'")
    head = Viewer("headteacher", "A", "head-A")
    full = in_full(store, head, "A", monkeypatch)
    assert looked(store, head, "A") in ([None], full)
    assert flows.school_totals(store, head, PERIODS, "A") == full


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
        for school in a["schools"]:
            full = in_full(store, viewer, school, monkeypatch)
            assert looked(store, viewer, school)[0] in (None, full[0]), (viewer, school)
            assert flows.school_totals(store, viewer, PERIODS, school) == full, (viewer, school)
