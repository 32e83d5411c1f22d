"""Property-based: the Transfer page's charts under its School filter. Over random alliances,
for every role (governor, SLE coordinator, each head), no hidden figure of the outcomes by
receiving school, the outcomes by skill area, hours against outcome or the ratings before
and after — of the whole alliance or of any one school, over all areas or one — can be
worked out from the same charts' other views: the page offers the alliance's view and every
school's, all areas and each, and a school's view counts every pairing with someone from
it, so the alliance's figure less the school's (the work elsewhere) is shown too.

The model is `test_headline_school_properties`' (the attacker's best case): every pairing
runs in the one term shown; a figure is a vector over the pairings (which of them it adds
up); the viewer knows each pairing whose people they can all see; a hidden figure is
recoverable when its vector lies in the span of what the viewer knows and the same chart's
shown figures. Each chart is its own measure: the outcomes' pairings (both cuts are one
table), the hours chart's concluded pairings, the ratings' pairings, and the sums of the
ratings before and of those after (a shown average beside its shown count gives its sum).
Relations between different charts (the hours chart's transferred against the outcomes')
and with the headline and the flows are not this test's subject. More trials:
BROKERING_PROPERTY_TRIALS=500.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from brokering.dashboard import transfer
from brokering.dashboard.facts import Scope
from brokering.dashboard.outcomes import HOUR_BANDS
from brokering.db import Connection
from brokering.terms import term_of
from brokering.viewer import Viewer
from tests import alliances as made
from tests.alliances import Pairing
from tests.test_suppression_properties import recoverable

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "10"))
TERM = term_of(pd.Timestamp("2026-10-01").date())
SKILLS = {
    "assessment-design": "Assessment and curriculum",
    "anti-bullying": "Behaviour and culture",
}
STATUSES = ("active", "transferred", "not transferred", "stopped")
#: Hours across the chart's bands; ratings (before, after) of an observation that counts.
HOURS = (1, 4, 8, 14)
RATINGS = (None, (1, 3), (2, 3), (2, 4), (3, 4))
MEASURES = ("outcomes", "hours", "rated", "before", "after")


@st.composite
def alliances(draw: st.DrawFn) -> dict:
    fields = (
        st.sampled_from(sorted(SKILLS)),
        st.sampled_from(STATUSES),
        st.sampled_from(HOURS),
        st.sampled_from(RATINGS),
    )
    return made.drawn(draw, 3, *fields, most_pairings=12)


def load(con: Connection, a: dict) -> None:
    made.load(
        con,
        a["schools"],
        a["staff"],
        [
            Pairing(
                d,
                r,
                skill,
                status,
                hours,
                before=(rt or (None, None))[0],
                after=(rt or (None, None))[1],
            )
            for d, r, skill, status, hours, rt in a["pairings"]
        ],  # fmt: skip
    )


def sees(viewer: Viewer, a: dict, ref: str) -> bool:
    if viewer.aggregate_only:
        return False
    school, consent = {r: (s, c) for r, s, c in a["staff"]}[ref]
    return consent or school == viewer.school_id


def band(hours: float) -> str:
    return next(label for lo, hi, label in HOUR_BANDS if lo <= hours < hi)


class Figures:
    """The figures one role is shown and hidden, per measure, as vectors over the pairings."""

    def __init__(self, a: dict) -> None:
        school = {r: s for r, s, _ in a["staff"]}
        p = a["pairings"]
        self.n = len(p)
        self.area = [SKILLS[x[2]] for x in p]
        self.status = [x[3] for x in p]
        self.outcome = ["open" if x[3] == "active" else x[3] for x in p]
        self.band = [band(float(x[4])) for x in p]
        self.receiver = [school[x[1]] for x in p]
        self.ends = [{school[x[0]], school[x[1]]} for x in p]
        self.value = {
            "outcomes": np.ones(self.n),
            "hours": np.ones(self.n),
            "rated": np.ones(self.n),
            "before": np.array([float(x[5][0]) if x[5] else 0.0 for x in p]),
            "after": np.array([float(x[5][1]) if x[5] else 0.0 for x in p]),
        }
        self.rated = [x[5] is not None for x in p]
        self.shown: dict[str, list[np.ndarray]] = {m: [] for m in MEASURES}
        self.names: dict[str, list[str]] = {m: [] for m in MEASURES}
        self.hidden: list[tuple[str, str, np.ndarray]] = []

    def vec(self, scope: Scope, keep) -> np.ndarray:  # noqa: ANN001 - a predicate on an index
        return np.array(
            [
                1.0
                if scope.area in (None, self.area[i])
                and (scope.school_id is None or scope.school_id in self.ends[i])
                and keep(i)
                else 0.0
                for i in range(self.n)
            ]
        )

    def add(self, name: str, measure: str, v: np.ndarray, value: object, hidden: bool) -> None:
        if hidden or value is None or pd.isna(value):
            assert hidden or not v.any(), (name, value)
            if v.any():
                self.hidden.append((name, measure, v))
            return
        expected = float(v @ self.value[measure])
        assert float(value) == pytest.approx(expected, abs=0.02 * max(1, v.sum())), (
            name,
            value,
            expected,
        )
        self.shown[measure].append(v)
        self.names[measure].append(name)


def scopes(a: dict) -> list[Scope]:
    """Every view the page's two filters offer: the alliance or one school, all areas or one."""
    areas = sorted(set(SKILLS.values()))
    return [Scope(s, area) for s in (None, *a["schools"]) for area in (None, *areas)]


def collect(con: Connection, a: dict, viewer: Viewer) -> Figures:
    f = Figures(a)
    for scope in scopes(a):
        where = f"{scope.school_id or 'alliance'}, {scope.area or 'all areas'}"
        for by in ("school", "area"):
            frame = transfer.outcomes_by(con, viewer, by, scope, TERM.start, TERM.end)
            for row in frame.itertuples():
                group = f.receiver if by == "school" else f.area
                v = f.vec(scope, lambda i, row=row, group=group: group[i] == row.group
                          and f.outcome[i] == row.outcome)  # fmt: skip
                f.add(f"outcome {row.outcome} at {row.group} in {where}", "outcomes", v,
                      row.pairings, pd.isna(row.pairings))  # fmt: skip
        hours = transfer.hours_against_outcome(con, viewer, scope)
        for row in hours.itertuples():
            v = f.vec(scope, lambda i, row=row: f.band[i] == row.hours
                      and f.status[i] == row.outcome)  # fmt: skip
            f.add(f"hours {row.hours} {row.outcome} in {where}", "hours", v, row.pairings,
                  pd.isna(row.pairings))  # fmt: skip
        ratings = transfer.ratings_before_after(con, viewer, scope)
        for row in ratings.itertuples():
            v = f.vec(scope, lambda i, row=row: f.rated[i] and f.area[i] == row.area)
            name = f"ratings {row.when} in {row.area} in {where}"
            if row.when == "before":
                f.add(f"{name} (pairings)", "rated", v, row.pairings, bool(row.hidden))
            total = None if row.hidden else row.rating * row.pairings
            f.add(name, row.when, v, total, bool(row.hidden))
    return f


def check(con: Connection, a: dict, viewer: Viewer) -> None:
    f = collect(con, a, viewer)
    know = [np.eye(f.n)[i] for i, p in enumerate(a["pairings"])
            if sees(viewer, a, p[0]) and sees(viewer, a, p[1])]  # fmt: skip
    for name, measure, target in f.hidden:
        if recoverable(know, target):
            continue
        assert not recoverable(know + f.shown[measure], target), (
            viewer,
            name,
            np.flatnonzero(target).tolist(),
            why(know, f.shown[measure], f.names[measure], target),
            a,
        )


def why(know: list[np.ndarray], shown: list[np.ndarray], names: list[str], target) -> list:  # noqa: ANN001
    """The shown figures a hidden one is worked out from (for the failure's message)."""
    m = np.array(know + shown, dtype=float).T
    coef = np.linalg.lstsq(m, target, rcond=None)[0][len(know) :]
    return [(names[k], round(float(c), 2)) for k, c in enumerate(coef) if abs(c) > 1e-6]


#: Found by the default run (a governor): B's ratings in behaviour (one pairing, A1 with B0)
#: hidden on its two people, while the alliance's (three pairings) and C's (the other two,
#: both with C) were shown — B's was the alliance's less C's. A school's cell is now hidden
#: where a part of it (here the work between A and B) rests on too few people.
RATINGS_BETWEEN = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("A1", "A", False), ("A2", "A", False), ("B0", "B", False),
              ("B1", "B", False), ("C0", "C", False), ("C1", "C", False)],
    "pairings": [("B1", "A0", "anti-bullying", "transferred", 8, None),
                 ("A0", "A2", "assessment-design", "transferred", 8, (2, 4)),
                 ("B0", "B1", "assessment-design", "stopped", 4, None),
                 ("C1", "A1", "assessment-design", "not transferred", 4, (2, 3)),
                 ("C0", "A1", "anti-bullying", "transferred", 14, (2, 3)),
                 ("C1", "A0", "assessment-design", "not transferred", 1, None),
                 ("A2", "C0", "assessment-design", "active", 8, (1, 3)),
                 ("C1", "A1", "anti-bullying", "active", 14, (2, 4)),
                 ("A1", "B0", "anti-bullying", "active", 1, (3, 4)),
                 ("C0", "A1", "assessment-design", "not transferred", 8, (2, 4))],
}  # fmt: skip
#: Found by the default run (a governor): the alliance's pairings not transferred in
#: assessment hidden (beside B's cell, A0 to B1, in its table), while A's view — every such
#: pairing has someone from A, and A's table has that one area — showed the same 4. A
#: school's figure with no work elsewhere is now hidden exactly as the alliance's is.
OUTCOME_SAME = {
    "schools": ["A", "B"],
    "staff": [("A0", "A", False), ("A1", "A", True), ("A2", "A", True), ("A3", "A", True),
              ("B0", "B", False), ("B1", "B", False)],
    "pairings": [("A0", "B1", "assessment-design", "not transferred", 8, (2, 4)),
                 ("B0", "A0", "assessment-design", "not transferred", 4, (1, 3)),
                 ("A3", "A2", "anti-bullying", "transferred", 8, None),
                 ("A1", "A0", "assessment-design", "not transferred", 8, (1, 3)),
                 ("A2", "A0", "assessment-design", "not transferred", 8, (1, 3)),
                 ("B0", "B1", "anti-bullying", "not transferred", 8, (3, 4)),
                 ("B0", "A1", "anti-bullying", "stopped", 14, None),
                 ("A2", "A0", "assessment-design", "stopped", 8, (2, 3)),
                 ("B1", "A1", "assessment-design", "stopped", 14, (1, 3))],
}  # fmt: skip
FOUND = [RATINGS_BETWEEN, OUTCOME_SAME]
#: Not a hole of the old code but of a first draft of the rule (kept so it stays closed):
#: B's table of evidenced transfers had one cell (to A, in assessment), hidden for the work
#: elsewhere's sake, while its row's and its column's totals — the same figure — were shown.
ONE_CELL = {
    "schools": ["A", "B"],
    "staff": [("A0", "A", True), ("A1", "A", True), ("A2", "A", False), ("B0", "B", True)],
    "pairings": [("A2", "A0", "anti-bullying", "transferred", 14, (3, 4)),
                 ("A2", "A0", "anti-bullying", "active", 8, (2, 4)),
                 ("A0", "A2", "assessment-design", "not transferred", 14, (2, 4)),
                 ("A0", "B0", "assessment-design", "not transferred", 14, (3, 4)),
                 ("A1", "A0", "assessment-design", "transferred", 1, (2, 4)),
                 ("B0", "A1", "assessment-design", "transferred", 1, (2, 3)),
                 ("B0", "A2", "assessment-design", "transferred", 4, (2, 3)),
                 ("A1", "A2", "anti-bullying", "stopped", 14, (3, 4))],
}  # fmt: skip


@pytest.mark.parametrize("a", FOUND, ids=["ratings between", "outcome same"])
def test_the_found_alliances_hold(store: Connection, a: dict) -> None:
    load(store, a)
    check(store, a, Viewer("viewer"))


@settings(
    max_examples=TRIALS,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
@example(a=RATINGS_BETWEEN)
@example(a=OUTCOME_SAME)
@example(a=ONE_CELL)
def test_no_hidden_school_chart_figure_is_recoverable(store: Connection, a: dict) -> None:
    if not a["pairings"]:
        return
    load(store, a)
    for viewer in made.roles(a["schools"]):
        check(store, a, viewer)
