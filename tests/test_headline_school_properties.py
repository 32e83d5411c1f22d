"""Property-based: the Transfer page's School filter. Over random alliances, for every role
(governor, SLE coordinator, each head), no hidden headline figure of one school — all areas
or one skill area — can be worked out from the figures that role can see: the same figures
for the whole alliance, for each other school and each area (a pairing counts for every
school it has someone from, so two schools' figures less the alliance's are the work
between them), and, with the flows, the flow matrices of the whole alliance and each area,
the given-and-received balance and the reciprocity ledger (the work between two schools is
also the two cells of the matrix between them).

The models are `test_headline_area_properties`' (one term, pairings of every status: a
figure is a vector over the pairings; the viewer knows each pairing whose people they can
all see) and, with the flows, `test_flow_suppression_properties`' (every pairing running in
the one term shown; the viewer also knows each school's rows whose people in pairings they
can all see). More trials: BROKERING_PROPERTY_TRIALS=500.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings

from brokering.dashboard import transfer
from brokering.dashboard.facts import Scope
from brokering.db import Connection
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.terms import term_of
from brokering.viewer import Viewer
from tests import alliances as made
from tests import test_flow_suppression_properties as flows_model
from tests import test_headline_area_properties as area_model
from tests.test_suppression_properties import recoverable

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "5"))
SKILLS = area_model.SKILLS
#: Every property test over random alliances here and in test_school_unlisted: the same
#: examples each run (derandomized), more with BROKERING_PROPERTY_TRIALS.
PROPERTY = settings(
    max_examples=TRIALS,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TERM, AS_OF = area_model.TERM, area_model.AS_OF


def scopes(a: dict, areas: list[str]) -> list[Scope]:
    """Every view the page's two filters offer: the alliance or one school, all areas or one."""
    return [Scope(s, area) for s in (None, *a["schools"]) for area in (None, *areas)]


def check(
    con: Connection, a: dict, viewer: Viewer, listed: bool = False, every: bool = False
) -> tuple[list[np.ndarray], dict[str, list[np.ndarray]]]:
    """`test_headline_area_properties.check`'s model, with every school's view beside the
    alliance's. With `listed`, the viewer also knows every pairing on their pairings page
    (a head or the SLE coordinator: each pairing with someone they can see, its area and
    status — `pairings.views.list_pairings`), as `tests/test_school_unlisted.py` asks; a
    hidden figure is then weighed where what it has off the page rests on few. With
    `every` too, every hidden figure is: for a hand-built case whose figure is hidden for
    what it tells beside another (the alliance's less it: the work without the school),
    not for its own people (found: HEAD_D_LISTS_THE_REST in
    tests/test_headline_school_cases.py). Not for random alliances: a figure hidden for a
    difference that rests on few people the viewer cannot see but is all on their page
    (`hiding.outside` weighs people unseen, not unlisted) is then found worked out, though
    it tells nothing the page does not (a hunt at 60 trials, head B). Returns what the
    viewer knows and, per figure, the figures shown (vectors over the pairings), for a case
    that asks of a sum no figure is (a part: PART_OFF_HEAD_BS_PAGE)."""
    n = len(a["pairings"])
    school = {r: s for r, s, _ in a["staff"]}
    area = [SKILLS[p[2]] for p in a["pairings"]]
    status = [p[3] for p in a["pairings"]]
    hours = np.array([float(p[4]) for p in a["pairings"]])
    ends = [{school[p[0]], school[p[1]]} for p in a["pairings"]]
    sets = {
        "active": lambda i: True,
        "transferred": lambda i: status[i] == "transferred",
        "overdue": lambda i: status[i] == "active",
        "judged": lambda i: status[i] in ("transferred", "not transferred"),
        "hours": lambda i: status[i] != "active",
    }
    shown: dict[str, list[np.ndarray]] = {key: [] for key in sets}
    hidden: list[tuple[str, str, np.ndarray]] = []
    page: set[str] = set()  # hidden figures of the whole alliance counted off the page

    def add(name: str, key: str, scope: Scope, value: object, is_hidden: bool) -> None:
        v = np.array(
            [
                1.0
                if sets[key](i)
                and scope.area in (None, area[i])
                and (scope.school_id is None or scope.school_id in ends[i])
                else 0.0
                for i in range(n)
            ]
        )
        if is_hidden or value is None or pd.isna(value):
            assert is_hidden or not v.any(), (name, value)
            if v.any():
                hidden.append((name, key, v))
                if scope.school_id is None and made.all_listed(a, viewer, v):
                    page.add(name)
            return
        expected = float(v @ hours) if key == "hours" else v.sum()
        assert float(value) == pytest.approx(expected), (name, value, expected)
        # With what is listed known, a shown figure whose rest off the page rests on 1 to
        # threshold-1 people tells that rest, as `brokering/dashboard/unlisted.py` says.
        if listed and not viewer.aggregate_only:
            rest = _unlisted_people(a, viewer, v)
            assert not 0 < len(rest) < SUPPRESSION_THRESHOLD, (viewer, name, sorted(rest), a)
        shown[key].append(v)

    for scope in scopes(a, sorted(set(SKILLS.values()))):
        where = f"{scope.school_id or 'alliance'}, {scope.area or 'all areas'}"
        figs = {f.key: f for f in transfer.headline(con, viewer, TERM, scope, AS_OF)}
        for key in ("active", "transferred", "overdue"):
            add(f"{key} in {where}", key, scope, figs[key].value, figs[key].hidden)
        t = figs["transferred"]
        for derived, total in (("rate", "judged"), ("hours_per_transfer", "hours")):
            d = figs[derived]
            if not t.hidden and t.value and not d.hidden and d.value is not None:
                value = t.value * 100 / d.value if derived == "rate" else d.value * t.value
                add(f"{total} in {where}", total, scope, round(value, 6), False)
            elif t.value and d.hidden:
                add(f"{total} in {where}", total, scope, None, True)
        trend = transfer.trend_by_term(con, viewer, scope, AS_OF)
        rows = trend[trend["term"] == TERM.label] if not trend.empty else trend
        for _, row in rows.iterrows():
            for col, key in (("pairings active", "active"), ("evidenced transfers", "transferred")):
                add(f"trend {key} in {where}", key, scope, row[col], pd.isna(row[col]))
    sees = area_model.sees
    lists = listed and not viewer.aggregate_only
    know = [np.eye(n)[i] for i, p in enumerate(a["pairings"])
            if (sees(viewer, a, p[0]) and sees(viewer, a, p[1]))
            or (lists and (sees(viewer, a, p[0]) or sees(viewer, a, p[1])))]  # fmt: skip
    for name, key, target in hidden:
        if recoverable(know, target) or name in page:
            continue
        few = 0 < len(_unlisted_people(a, viewer, target)) < SUPPRESSION_THRESHOLD
        if lists and not (every or few):
            continue  # what is not listed rests on enough people: the figure tells no one's
        assert not recoverable(know + shown[key], target), (viewer, name, a)
    return know, shown


def _unlisted_people(a: dict, viewer: Viewer, target: np.ndarray) -> set[str]:
    """The people of a figure's pairings that are not on the viewer's pairings page."""
    sees = area_model.sees
    return {
        ref
        for i, p in enumerate(a["pairings"])
        if target[i] and not (sees(viewer, a, p[0]) or sees(viewer, a, p[1]))
        for ref in p[:2]
    }


#: Found with 20 trials: a governor, two schools. B's transfer rate in assessment is hidden
#: (so its pairings judged count as hidden) while no pairing judged there is without B: they
#: are the alliance's, shown through its rate. Hiding a school's figure equal to the
#: alliance's shown one protects nothing: `hiding.outside` now says which figures are known
#: so (every additive one, not only pairings active), and neither `guard_areas` nor
#: `guard_terms` hides one beside another (`guard_terms` had hidden B's pairings judged in
#: assessment as the second area beside its hidden whole). Failed (strict xfail) before.
JUDGED_ACROSS = {
    "schools": ["A", "B"],
    "staff": [("A0", "A", False), ("A1", "A", True), ("A2", "A", True), ("B0", "B", True)],
    "pairings": [("B0", "A2", "assessment-design", "transferred", 2),
                 ("A2", "A1", "anti-bullying", "not transferred", 4),
                 ("A1", "B0", "anti-bullying", "not transferred", 4),
                 ("A1", "A0", "anti-bullying", "stopped", 4),
                 ("A0", "B0", "assessment-design", "transferred", 4),
                 ("A1", "A2", "assessment-design", "stopped", 2),
                 ("A0", "B0", "anti-bullying", "not transferred", 3)],
}  # fmt: skip


#: Found by the default run: head B, every school's pairings active hidden — A's too, though
#: the work without A is all B's own (head B counts it), so A's was the alliance's shown 12
#: less what they know. A school's pairings active the viewer can work out are shown.
ALL_ELSEWHERE_KNOWN = {
    "schools": ['A', 'B', 'C'],
    "staff": [('A0', 'A', False), ('A1', 'A', True), ('A2', 'A', True), ('A3', 'A', False),
              ('B0', 'B', True), ('B1', 'B', False), ('B2', 'B', False), ('B3', 'B', True),
              ('C0', 'C', False), ('C1', 'C', True)],
    "pairings": [('C0', 'A2', 'assessment-design', 'transferred', 2),
                 ('A1', 'A0', 'anti-bullying', 'not transferred', 2),
                 ('A0', 'B1', 'assessment-design', 'transferred', 1),
                 ('C1', 'A2', 'adaptive-teaching', 'stopped', 2),
                 ('B2', 'B1', 'assessment-design', 'stopped', 4),
                 ('A3', 'B0', 'adaptive-teaching', 'active', 4),
                 ('C1', 'A3', 'anti-bullying', 'transferred', 4),
                 ('A1', 'C1', 'assessment-design', 'active', 1),
                 ('A3', 'B1', 'assessment-design', 'active', 3),
                 ('B2', 'B1', 'assessment-design', 'transferred', 3),
                 ('A2', 'B0', 'anti-bullying', 'transferred', 1),
                 ('B0', 'B2', 'anti-bullying', 'transferred', 3)],
}  # fmt: skip


def test_a_school_figure_equal_to_the_alliances_is_shown(store: Connection) -> None:
    area_model.load(store, JUDGED_ACROSS)
    check(store, JUDGED_ACROSS, Viewer("viewer"))


@PROPERTY
@given(a=area_model.alliances())
@example(a=area_model.FLOWS_KNOWN)
@example(a=ALL_ELSEWHERE_KNOWN)
def test_no_hidden_school_headline_figure_is_recoverable(store: Connection, a: dict) -> None:
    if not a["pairings"]:
        return
    area_model.load(store, a)
    for viewer in area_model.roles(a):
        check(store, a, viewer)


def check_with_flows(con: Connection, a: dict, viewer: Viewer) -> None:
    """`test_flow_suppression_properties.check` with each area's headline, and each
    school's pairings active (all areas and each area) beside them."""
    v = flows_model.collect(con, a, viewer, headline=True)
    d, r, ar = v.donor, v.recipient, v.area
    term = term_of(flows_model.START)
    for scope in scopes(a, sorted(set(flows_model.SKILLS.values()))):
        if scope.school_id is None and scope.area is not None:
            continue  # the alliance's areas are among the flows' figures already
        fig = {f.key: f for f in transfer.headline(con, viewer, term, scope, flows_model.END)}
        s, area = scope.school_id, scope.area
        vec = v.vec(lambda i, s=s, area=area: s in (None, d[i], r[i]) and area in (None, ar[i]))
        active = fig["active"]
        v.add(f"active in {s or 'the alliance'}, {area or 'all areas'}", "pairings", vec,
              None if active.hidden else active.value)  # fmt: skip
    know = flows_model.known(v)
    # The flows model's premise (the alliance's total of pairings known) holds here only
    # where the viewer can work the total out from what they are shown, their pairings
    # page and the pairings they see whole (the Transfer page hides the alliance's whole
    # where what is off a head's page rests on few: `unlisted`).
    total = np.ones(len(a["pairings"]))
    own = [k for k in know["pairings"] if not np.array_equal(k, total)]
    if not recoverable(own + made.listed_units(a, viewer) + v.shown["pairings"], total):
        know["pairings"] = own
    alliance = {f"active in {area}" for area in flows_model.SKILLS.values()}
    for name, measure, target in v.hidden:
        if recoverable(know[measure], target):
            continue
        if name in alliance and made.all_listed(a, viewer, target):
            continue  # the viewer counts it off their pairings page
        assert not recoverable(know[measure] + v.shown[measure], target), (viewer, name, a)


@PROPERTY
@given(a=flows_model.alliances())
@example(a=flows_model.FOUND[0])
@example(a=flows_model.FOUND[4])
def test_with_the_flows_too(store: Connection, a: dict) -> None:
    if not a["pairings"]:
        return
    flows_model.load(store, a)
    for viewer in flows_model.roles(a):
        check_with_flows(store, a, viewer)
