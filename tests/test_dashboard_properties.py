"""Property-based: over random alliances, for every role, no hidden figure of the Transfer
page's outcome views — by receiving school, by skill area, by school within each area — nor
of the pairings' counts by status, is shown, or can be worked out by adding and subtracting
the figures that role can see across those views.

The model is the attacker's best case: each view is a sum of the cells of one table
(outcome x receiving school x skill area), each pairing in exactly one cell; every figure
resting only on people the viewer can see is known to them (they can count it from their own
lists), and so is each outcome's grand total. A hidden figure is recoverable when its vector
over the cells lies in the span of the known and shown figures' vectors; it must not be,
unless it already was from what the viewer knows without the dashboard.
More trials: BROKERING_PROPERTY_TRIALS=500.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from brokering.dashboard import transfer
from brokering.dashboard.facts import Scope
from brokering.db import Connection
from brokering.pairings import views
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer
from tests import alliances as made
from tests.alliances import Pairing
from tests.test_suppression_properties import recoverable

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "25"))
T = SUPPRESSION_THRESHOLD
#: One skill in each of three areas (the taxonomy's names).
SKILLS = {
    "assessment-design": "Assessment and curriculum",
    "anti-bullying": "Behaviour and culture",
    "adaptive-teaching": "Classroom practice",
}
STATUSES = ("active", "transferred", "not transferred", "stopped")
OUTCOME = {"active": "open"}


@st.composite
def alliances(draw: st.DrawFn) -> dict:
    fields = (st.sampled_from(sorted(SKILLS)), st.sampled_from(STATUSES))
    return made.drawn(draw, 4, *fields, most_pairings=14)


def load(con: Connection, a: dict) -> None:
    made.load(
        con,
        a["schools"],
        a["staff"],
        [Pairing(d, r, skill, status) for d, r, skill, status in a["pairings"]],
    )


def roles(a: dict) -> list[Viewer]:
    return made.roles(a["schools"])


def _sees(viewer: Viewer, a: dict, ref: str) -> bool:
    if viewer.aggregate_only:
        return False
    school, consent = {r: (s, c) for r, s, c in a["staff"]}[ref]
    return consent or school == viewer.school_id


def check_outcomes(con: Connection, a: dict, viewer: Viewer) -> None:
    school_of = {r: s for r, s, _ in a["staff"]}
    # The table's cells (outcome, receiving school, area) with the pairings in each.
    members: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for donor, recipient, skill, status in a["pairings"]:
        key = (OUTCOME.get(status, status), school_of[recipient], SKILLS[skill])
        members.setdefault(key, []).append((donor, recipient))
    cells = sorted(members)
    index = {c: i for i, c in enumerate(cells)}

    def vec(keep) -> np.ndarray:  # noqa: ANN001 - a predicate on a cell
        return np.array([1.0 if keep(c) else 0.0 for c in cells])

    def free(v: np.ndarray) -> bool:  # resting only on people the viewer can see
        people = {p for c in cells if v[index[c]] for pair in members[c] for p in pair}
        return all(_sees(viewer, a, p) for p in people)

    visible, hidden = [], []
    areas = sorted(set(SKILLS.values()))
    for by, filters in (("school", (None, *areas)), ("area", (None,))):
        for area in filters:
            frame = transfer.outcomes_by(con, viewer, by, Scope(area=area))
            for r in frame.itertuples(index=False):
                if by == "school":
                    v = vec(lambda c, r=r, area=area: c[0] == r.outcome and c[1] == r.group
                            and (area is None or c[2] == area))  # fmt: skip
                else:
                    v = vec(lambda c, r=r: c[0] == r.outcome and c[2] == r.group)
                if not v.any():  # an outcome the group has none of: 0, or hidden with it
                    assert pd.isna(r.pairings) or r.pairings == 0, (by, area, r)
                    continue
                if pd.isna(r.pairings):
                    hidden.append(((by, area, r.group, r.outcome), v))
                else:
                    n = sum(len(members[c]) for c in cells if v[index[c]])
                    assert r.pairings == n, (by, area, r)
                    visible.append(v)
    outcomes = sorted({c[0] for c in cells})
    known = [vec(lambda c, o=o: c[0] == o) for o in outcomes]  # each outcome's grand total
    known += [np.eye(len(cells))[i] for i, c in enumerate(cells) if free(np.eye(len(cells))[i])]
    known += [v for _, v in hidden if free(v)] + [v for v in visible if free(v)]
    for name, target in hidden:
        people = {p for c in cells if target[index[c]] for pair in members[c] for p in pair}
        if not 0 < sum(not _sees(viewer, a, p) for p in people) < T:
            # Hidden beside another (a complement), as in test_outcomes_joint_properties: not
            # what the rule protects. It may be a figure the viewer can count, or rest on an
            # empty cell this model takes as known: the cover along the outcomes
            # (`hiding.grid_hidden` rule 3) for an outcome's only pairing (LONE_OUTCOME there).
            continue
        assert not free(target), (viewer, name)  # a figure the viewer can count is shown
        if not recoverable(known, target):
            assert not recoverable(known + visible, target), (viewer, name, cells)


def check_status_counts(con: Connection, a: dict) -> None:
    counts = views.status_counts(con, Viewer("viewer")).set_index("status")["pairings"]
    present = {s for *_, s in a["pairings"]}
    hidden = [s for s in counts.index if pd.isna(counts[s])]
    for s in hidden:
        people = {p for d, r, _, x in a["pairings"] if x == s for p in (d, r)}
        assert s in present and len(people) >= 1
    # With the total of pairings known, one hidden status would be the total less the rest.
    assert len(hidden) != 1 or len(present) == 1, counts


@settings(
    max_examples=TRIALS,
    deadline=None,
    # Each example runs every role's views: shrinking a failure would take minutes, so the
    # failing alliance is reported as found.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
def test_no_hidden_outcome_figure_is_shown_or_recoverable(store: Connection, a: dict) -> None:
    if not a["pairings"]:
        return
    load(store, a)
    for viewer in roles(a):
        check_outcomes(store, a, viewer)
    check_status_counts(store, a)


def test_a_figure_resting_on_people_the_viewer_cannot_see_is_hidden(store: Connection) -> None:
    """The hand-checked case: two pairings received at B in one area, their four people at
    schools A and B; A's head sees A's people and B's who share; a governor sees nobody."""
    a = {
        "schools": ["A", "B"],
        "staff": [("A0", "A", False), ("A1", "A", False), ("B0", "B", True), ("B1", "B", False)],
        "pairings": [
            ("A0", "B0", "anti-bullying", "transferred"),
            ("A1", "B1", "anti-bullying", "transferred"),
        ],
    }
    load(store, a)

    def received_at_b(viewer: Viewer) -> object:
        frame = transfer.outcomes_by(store, viewer, "school").set_index(["group", "outcome"])
        return frame.loc[("B", "transferred"), "pairings"]

    assert received_at_b(Viewer("viewer")) == 2  # four people the governor cannot see
    assert pd.isna(received_at_b(Viewer("headteacher", "A")))  # one unseen: B1
    assert pd.isna(received_at_b(Viewer("headteacher", "B")))  # two unseen: A0 and A1
    assert received_at_b(Viewer("alliance_admin")) == 2
