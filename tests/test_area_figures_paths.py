"""The quicker ways the Transfer page's figures for one skill area are worked out give what
the plain ways give: a person the viewer cannot see, looked up among the staff they cannot
see (`facts.unseen_sql(listed=True)`) or outside those they can; and the areas' flow-matrix
look worked out on a cursor of its own beside the figures' query
(`flows.area_totals_beside`) or alone."""

from __future__ import annotations

import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokering.dashboard import flows
from brokering.dashboard.facts import facts, unseen_sql
from brokering.db import Connection
from brokering.terms import term_of
from brokering.viewer import Viewer
from tests import alliances as made
from tests.alliances import Pairing

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "25"))
TERM = term_of(date(2026, 10, 1))
PERIODS = [(TERM.start, TERM.end), (date(2027, 1, 1), date(2027, 3, 31))]
SKILLS = ("assessment-design", "anti-bullying", "adaptive-teaching")


@st.composite
def alliances(draw: st.DrawFn) -> dict:
    a = made.drawn(draw, 5, st.sampled_from(SKILLS), most_pairings=14)
    refs = [r for r, _, _ in a["staff"]]
    a["left"] = draw(st.sets(st.sampled_from(refs), max_size=2)) if refs else set()
    return a


def load(con: Connection, a: dict) -> None:
    made.load(con, a["schools"], a["staff"], [Pairing(d, r, k) for d, r, k in a["pairings"]])
    for ref in a["left"]:  # leavers: seen by no one one by one, still in past pairings
        con.execute("UPDATE staff SET left_on = DATE '2026-10-15' WHERE staff_ref = ?", [ref])


def roles(a: dict) -> list[Viewer]:
    return [*made.roles(a["schools"]), Viewer("senior_leader", a["schools"][0], "sl")]


@settings(
    max_examples=TRIALS,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
def test_the_unseen_looked_up_either_way_are_the_same_people(store: Connection, a: dict) -> None:
    load(store, a)
    f = facts(store)
    for viewer in roles(a):
        plain, params = unseen_sql(viewer, "m")
        listed, listed_params = unseen_sql(viewer, "m", listed=True)
        rows = store.execute(
            f"SELECT m.staff_ref, {plain}, {listed} FROM {f.people} m ORDER BY 1",  # noqa: S608
            [*params, *listed_params],
        ).fetchall()
        assert all(a_ == b_ for _, a_, b_ in rows), (viewer, rows)


@settings(
    max_examples=TRIALS,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
def test_the_flow_look_beside_the_figures_is_the_flow_look_alone(
    store: Connection, a: dict
) -> None:
    load(store, a)
    f = facts(store)
    for viewer in roles(a):
        alone = flows.area_totals(store, viewer, PERIODS, f)
        assert flows.area_totals_beside(store, viewer, PERIODS, f, lambda: "work") == (
            "work",
            alone,
        ), viewer


def test_a_failure_in_the_figures_is_raised_and_the_look_still_ends(store: Connection) -> None:
    made.load(store, ["A", "B"], [("A0", "A", False), ("B0", "B", False)], [Pairing("A0", "B0")])

    def failing() -> None:
        raise ValueError("boom")

    try:
        flows.area_totals_beside(store, Viewer("viewer"), PERIODS, facts(store), failing)
    except ValueError as exc:
        assert str(exc) == "boom"
    else:
        raise AssertionError("the failure was swallowed")
