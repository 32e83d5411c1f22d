"""Property-based: over random alliances, for every role (governor, each head), no hidden
figure of the outcomes by receiving school — over all areas and within each — nor of the
outcomes by skill area can be worked out together with the figures beside them on the
Transfer page and the ledger: the headline (pairings active, evidenced transfers, overdue
reviews, pairings judged, for the whole and each area), the flows between schools (pairings,
for the whole and each area) and the reciprocity ledger by school and by relationship.

Why: the outcomes of a receiving school add up over the outcomes to the pairings it
received, which the flows and the ledger show; the outcomes of an area add up to its
pairings active. The model is the attacker's best case, as in
`test_flow_suppression_properties`: every pairing runs in the one term shown, has one donor
and one recipient; each figure is a sum over pairings; a hidden figure is recoverable when
its vector lies in the span of what the viewer is shown and already knows from what the
pages show them (`known`: each kind of pairing, and each cell of the outcomes' table, whose
people they can all see; and each school whose every member they can tell they see: its
pairings given and received by area and outcome, as the pairings page lists them).
A hidden figure the viewer's pages give them on their own is theirs, whatever the Transfer
page shows: the cells are split by which sides of a pairing the viewer sees, and what the
pairings page tells of each pairing it lists is known too (`page_known`) — to settle what is
theirs; the attack itself adds the shown figures to `known` alone, and with `placing` to
what the page tells too (it then works out where a listed pairing's unnamed side is: the
gaps PLACED_*: the outcomes' closed by `brokering.placing`, the ledger's by
`brokering.pairings.ledger_cover`).
More trials: BROKERING_PROPERTY_TRIALS=500.
"""

from __future__ import annotations

import os
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from brokering.dashboard import flows, transfer
from brokering.dashboard.facts import Scope
from brokering.db import Connection
from brokering.pairings import ledger
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.terms import term_of
from brokering.viewer import Viewer
from tests import alliances as made
from tests.alliances import Pairing
from tests.test_suppression_properties import recoverable

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "10"))
START, END = date(2026, 9, 1), date(2026, 12, 31)
TERM = term_of(START)
SKILLS = {
    "assessment-design": "Assessment and curriculum",
    "anti-bullying": "Behaviour and culture",
}
STATUSES = ("active", "transferred", "not transferred", "stopped")
OUTCOME = {"active": "open"}
#: Which sides of a pairing the viewer sees, by 2 x (donor seen) + (recipient seen).
SIDES = ("neither", "recipient", "donor", "both")


@st.composite
def alliances(draw: st.DrawFn) -> dict:
    fields = (st.sampled_from(sorted(SKILLS)), st.sampled_from(STATUSES), st.integers(1, 4))
    return made.drawn(draw, 3, *fields, most_pairings=12)


def load(con: Connection, a: dict) -> None:
    made.load(
        con,
        a["schools"],
        a["staff"],
        [Pairing(d, r, skill, status, hours) for d, r, skill, status, hours in a["pairings"]],
    )


def sees(viewer: Viewer, a: dict, ref: str) -> bool:
    if viewer.aggregate_only:
        return False
    school, consent = {r: (s, c) for r, s, c in a["staff"]}[ref]
    return consent or school == viewer.school_id


class Views:
    """The figures one role is shown (pairings counted), as vectors over the cells: every
    kind of pairing there could be (giving school, receiving school, skill area, outcome).
    A kind with no pairing is not known to be empty unless a figure shown as 0 says so, or a
    view that lists what is present (the outcomes, the flow matrix) leaves it out."""

    #: Where a cell says which of a pairing's two sides the viewer sees (`SIDES`), or None.
    sides: int | None = None
    #: The names of figures of the whole alliance (no school in them), as `collect` adds them.
    alliance: frozenset[str] = frozenset()

    def __init__(self, a: dict, viewer: Viewer | None = None) -> None:
        school = {r: s for r, s, _ in a["staff"]}
        schools, areas = a["schools"], sorted(set(SKILLS.values()))
        # Open pairings split in two: past their review date (overdue) or not (none here,
        # but the viewer does not know that).
        outcomes = [*sorted({OUTCOME.get(s, s) for s in STATUSES}), "open, not due"]
        # With a viewer, each kind is split further by the sides of its pairings the viewer
        # sees (`SIDES`): what their pairings page tells them of a pairing (`page_known`).
        ends = [(e,) for e in SIDES] if viewer is not None else [()]
        self.cells = [
            (g, r, ar, o, *e)
            for g in schools
            for r in schools
            for ar in areas
            for o in outcomes
            for e in ends
        ]
        self.sides = 4 if viewer is not None else None
        at = {c: k for k, c in enumerate(self.cells)}
        self.count = np.zeros(len(self.cells))
        #: Each pairing's cell (in the order of `a["pairings"]`).
        self.cell_of: list[int] = []
        #: Each cell's people (what a figure rests on).
        self.people: list[set[str]] = [set() for _ in self.cells]
        for x, y, skill, status, _ in a["pairings"]:
            e = (SIDES[2 * sees(viewer, a, x) + sees(viewer, a, y)],) if viewer else ()
            k = at[(school[x], school[y], SKILLS[skill], OUTCOME.get(status, status), *e)]
            self.count[k] += 1
            self.people[k] |= {x, y}
            self.cell_of.append(k)
        self.shown: list[np.ndarray] = []
        self.hidden: list[tuple[str, np.ndarray]] = []
        self.empty = np.zeros(len(self.cells), bool)

    def vec(self, keep, width: int = 4) -> np.ndarray:  # noqa: ANN001 - a predicate on a cell
        """`keep` asked of each cell's first `width` fields (giving school, receiving school,
        area, outcome, then any a wider model adds)."""
        return np.array([1.0 if keep(*c[:width]) else 0.0 for c in self.cells])

    def add(self, name: str, v: np.ndarray, value: object, hidden: bool | None = None) -> None:
        if hidden or (hidden is None and pd.isna(value)):
            if (v @ self.count) > 0:
                self.hidden.append((name, v))
            return
        if value is None or pd.isna(value):
            return
        assert float(value) == pytest.approx(v @ self.count), (name, value, v @ self.count)
        if float(value) == 0:
            self.empty |= v > 0
        else:
            self.shown.append(v)

    def listed(self, keep, present: set, width: int = 4) -> None:  # noqa: ANN001
        """A view listing the groups present: each group it leaves out is empty."""
        for k, c in enumerate(self.cells):
            group = keep(*c[:width])
            if group is not None and group not in present:
                self.empty[k] = True


def kind(outcome: str) -> str:
    """The outcome a cell's pairings are drawn under."""
    return "open" if outcome.startswith("open") else outcome


def inside(scope: Scope):  # noqa: ANN201 - a predicate on a cell's schools and area
    """The cells a view of `scope` counts: pairings with someone from its school (any, for
    the alliance's), in its area (any, over all areas)."""
    s, area = scope.school_id, scope.area
    return lambda g, r, ar: (s is None or s in (g, r)) and area in (None, ar)


def scope_figures(
    con: Connection,
    viewer: Viewer,
    v: Views,
    scope: Scope,
    period: tuple[date | None, date | None] = (None, None),
) -> None:
    """One view's outcomes by receiving school (over `period`, all time by default), flow
    matrix and headline (pairings active, evidenced transfers, overdue reviews, and the
    pairings judged a shown rate beside its count gives away), added to `v`."""
    into = inside(scope)
    where = ", ".join(x for x in (scope.school_id, scope.area or "all areas") if x)
    frame = transfer.outcomes_by(con, viewer, "school", scope, *period)
    for row in frame.itertuples():
        cell = v.vec(lambda g, r, ar, o, row=row: kind(o) == row.outcome and r == row.group
                     and into(g, r, ar))  # fmt: skip
        v.add(f"outcome {row.outcome} at {row.group} in {where}", cell, row.pairings)
    v.listed(lambda g, r, ar, o: (kind(o), r) if into(g, r, ar) else None,
             set(zip(frame["outcome"], frame["group"], strict=True)))  # fmt: skip
    matrix = flows.flow_matrix(con, viewer, START, END, scope)
    for row in matrix.itertuples():
        cell = v.vec(lambda g, r, ar, o, row=row: g == row.giver and r == row.receiver
                     and into(g, r, ar))  # fmt: skip
        v.add(f"flow {row.giver}>{row.receiver} in {where}", cell, row.pairings)
    # The matrix lists flows between schools: work within one school is never a cell.
    v.listed(lambda g, r, ar, o: (g, r) if into(g, r, ar) and g != r else None,
             set(zip(matrix["giver"], matrix["receiver"], strict=True)))  # fmt: skip
    figs = {f.key: f for f in transfer.headline(con, viewer, TERM, scope, END)}
    for key, outs in (
        ("active", ("open", "open, not due", "transferred", "not transferred", "stopped")),
        ("transferred", ("transferred",)),
        ("overdue", ("open",)),
    ):
        cell = v.vec(lambda g, r, ar, o, outs=outs: o in outs and into(g, r, ar))
        v.add(f"{key} in {where}", cell, figs[key].value, figs[key].hidden)
    t, rate = figs["transferred"], figs["rate"]
    judged = v.vec(lambda g, r, ar, o: o in ("transferred", "not transferred") and into(g, r, ar))
    if not t.hidden and t.value and not rate.hidden and rate.value:
        v.add(f"judged in {where}", judged, round(t.value * 100 / rate.value, 6))


def collect(con: Connection, a: dict, viewer: Viewer, v: Views | None = None) -> Views:
    """The alliance's views (`scope_figures` for the whole and each area, the outcomes by
    area, the ledger), added to `v` (a new `Views` by default)."""
    v = Views(a, viewer) if v is None else v
    for area in (None, *sorted(set(SKILLS.values()))):
        scope_figures(con, viewer, v, Scope(area=area))
    frame = transfer.outcomes_by(con, viewer, "area")
    for row in frame.itertuples():
        cell = v.vec(lambda g, r, ar, o, row=row: kind(o) == row.outcome and ar == row.group)
        v.add(f"outcome {row.outcome} in {row.group}", cell, row.pairings)
        v.alliance |= {f"outcome {row.outcome} in {row.group}"}
    v.listed(
        lambda g, r, ar, o: (kind(o), ar), set(zip(frame["outcome"], frame["group"], strict=True))
    )
    by_school, by_pair = ledger.school_views(con, viewer)
    for row in by_school.itertuples():
        s = row.school_id
        v.add(f"ledger {s} given", v.vec(lambda g, r, ar, o, s=s: g == s), row.pairings_given)
        got = v.vec(lambda g, r, ar, o, s=s: r == s)
        v.add(f"ledger {s} received", got, row.pairings_received)
    for row in by_pair.itertuples():
        x, y = row.school_a, row.school_b
        ab = v.vec(lambda g, r, ar, o, x=x, y=y: g == x and r == y)
        ba = v.vec(lambda g, r, ar, o, x=x, y=y: g == y and r == x)
        v.add(f"ledger {x}>{y}", ab, row.pairings_a_to_b)
        v.add(f"ledger {y}>{x}", ba, row.pairings_b_to_a)
    return v


def certified(a: dict, viewer: Viewer, s: str) -> bool:
    """Whether the viewer can tell that they see every current member of staff of school `s`:
    a head, their own school's (`visibility.visible_staff_sql` shows every current member of
    it); another school's, where every member shares and the Data page says so — its "Staff"
    and "Sharing alliance-wide" counts, shown unless 1 or 2 (`overview.school_summary`),
    are equal. An aggregate-only role lists no one."""
    if viewer.aggregate_only:
        return False
    if s == viewer.school_id:
        return True
    staff = [consent for _, x, consent in a["staff"] if x == s]
    return all(staff) and len(staff) not in (1, 2)


def known(v: Views, a: dict, viewer: Viewer) -> list[np.ndarray]:
    """What the viewer knows without these views, from what the pages show them.

    - The alliance's total of pairings.
    - Each school whose every member of staff they can tell they see (`certified`): its
      pairings given and received by skill area and outcome — every pairing with one of its
      staff is on their pairings page (`pairings.views.list_pairings` lists each pairing with
      someone they see, its practice and status, and names the school of each person they
      see).
    - Each kind of pairing (giving and receiving school, area, outcome) whose pairings rest
      only on people they see, and each receiving school's outcome in an area (a cell of the
      outcomes' table) whose pairings do: every pairing in it is on that page with both
      schools named, and the rule takes such a figure as one they could count from their own
      lists (`hiding.primary`: never hidden, never cover), as `test_dashboard_properties`
      counts them. (That no pairing of people they cannot see hides in it is what showing a
      figure resting on no one they cannot see tells; it is not taken for a cell of no
      pairings, nor for a cell resting on someone they cannot see.)"""
    base = [np.ones(len(v.cells))]
    # A kind: everything of a cell but its schools (area, outcome, and what a wider model adds).
    kinds = sorted({c[2 : v.sides] for c in v.cells}, key=repr)
    for s in a["schools"]:
        if certified(a, viewer, s):
            for kd in kinds:
                for end in (0, 1):  # given, received
                    base.append(np.array([1.0 if c[end] == s and c[2 : v.sides] == kd
                                          else 0.0 for c in v.cells]))  # fmt: skip
    for k, people in enumerate(v.people):
        if people and all(sees(viewer, a, p) for p in people):
            base.append(np.eye(len(v.cells))[k])
    cells: dict[tuple, set[str]] = {}
    for k, c in enumerate(v.cells):
        cells.setdefault((c[1], c[2], kind(c[3])), set()).update(v.people[k])
    for (r, ar, out), people in cells.items():
        if people and all(sees(viewer, a, p) for p in people):
            base.append(
                v.vec(lambda g, r_, a_, o, r=r, ar=ar, out=out: (r_, a_, kind(o)) == (r, ar, out))
            )
    return base


def page_known(v: Views, a: dict, viewer: Viewer) -> list[np.ndarray]:
    """What the pairings page tells the viewer of each pairing it lists, as counts over the
    cells split by the sides the viewer sees (`Views.sides`; none without it).

    `pairings.views.list_pairings` lists every pairing with someone the viewer sees (one
    they see none of is not on it), with its practice (so its skill area), its status and
    whether its review is overdue, and names the school of each person they see
    (`donor_schools`, `recipient_schools`; a side they do not see is "a partner school",
    and "same school" is told only where they see everyone: `members_cte`). So they can
    count, for each kind of pairing: those whose two sides they see (both schools named);
    those whose donor only they see, by giving school; those whose recipient only they
    see, by receiving school. And they know where no pairing can be: a side they see needs
    someone they see at its school; a side they do not see, someone they do not see — not
    at a school whose every member they can tell they see (`certified`). (The pairings
    they see none of are what the page leaves unknown; the alliance's total, known, less
    those listed is their number.)"""
    if v.sides is None:
        return []
    at = v.sides
    seen_at = {s for r, s, _ in a["staff"] if sees(viewer, a, r)}
    whole = {s for s in a["schools"] if certified(a, viewer, s)}
    eye = np.eye(len(v.cells))
    out = []
    groups: dict[tuple, np.ndarray] = {}
    for k, c in enumerate(v.cells):
        g, r, e = c[0], c[1], c[at]
        donor, recipient = e in ("donor", "both"), e in ("recipient", "both")
        possible = (g in seen_at if donor else g not in whole) and (
            r in seen_at if recipient else r not in whole
        )
        if e == "both" or not possible:
            out.append(eye[k])  # counted one by one, or none can be there (0)
        elif e == "donor":  # by giving school: the receiving school is not named
            groups.setdefault((e, g, *c[2:at]), np.zeros(len(v.cells)))[k] = 1.0
        elif e == "recipient":  # by receiving school
            groups.setdefault((e, r, *c[2:at]), np.zeros(len(v.cells)))[k] = 1.0
    # The pairings on no page: the alliance's total less those listed.
    unlisted = np.array([1.0 if c[at] == "neither" else 0.0 for c in v.cells])
    return [*out, *groups.values(), unlisted]


def rests_on_few(v: Views, a: dict, viewer: Viewer, target: np.ndarray) -> bool:
    """A hidden figure (its cells: `target`) rests on 1 to threshold-1 people the viewer
    cannot see: what the rule protects (else it is hidden beside another, as a complement)."""
    people = set().union(*(v.people[k] for k in np.flatnonzero(target)))
    unseen = sum(not sees(viewer, a, p) for p in people)
    return 0 < unseen < SUPPRESSION_THRESHOLD


def check(
    con: Connection, a: dict, viewer: Viewer, v: Views | None = None, placing: bool = False
) -> None:
    """No hidden outcome `viewer` could work out from what they are shown (`collect`, into
    `v`: a `Views` split by the sides they see, by default) beyond what they know: a figure
    their pages give them (`known` and `page_known`) is theirs, whatever the Transfer page
    shows. The attack adds the shown figures to `known` — with `placing`, to what the
    pairings page tells too (`page_known`): it then also works out where a listed pairing's
    unnamed side is (PLACED_BY_A_CELL, closed by `placing`; PLACED_BY_THE_LEDGER, by
    `ledger_cover`)."""
    v = collect(con, a, viewer, v)
    base = known(v, a, viewer)
    full = base + page_known(v, a, viewer)

    def kept(vectors: list[np.ndarray]) -> np.ndarray:
        empty = v.empty.copy()
        for k in vectors:  # a count known to be 0: each cell in it is empty (none is negative)
            if k @ v.count == 0:
                empty |= k > 0
        return ~empty

    theirs, attack = kept(full), kept(full if placing else base)
    know = [k[theirs] for k in full]
    by = [k[attack] for k in (full if placing else base)]
    shown = [s[attack] for s in v.shown]
    for name, target in v.hidden:
        if not name.startswith("outcome"):
            continue  # the flows', the ledger's and the headline's by area beside the flows:
            # test_flow_suppression_properties (its known gap, the area's pairings active)
        if not rests_on_few(v, a, viewer, target):
            continue  # hidden beside another (a complement): not what the rule protects
        if recoverable(know, target[theirs]):
            continue
        if name in v.alliance and made.all_listed(a, viewer, [target[k] for k in v.cell_of]):
            continue  # the whole alliance's, every pairing of it on the viewer's page: theirs
        assert not recoverable(by + shown, target[attack]), (viewer, name, a)


def roles(a: dict) -> list[Viewer]:
    """The governor, the SLE coordinator and the head of the school with fewest staff."""
    size = {s: sum(1 for _, x, _ in a["staff"] if x == s) for s in a["schools"]}
    small = min(a["schools"], key=lambda s: (size[s], s))
    return [
        Viewer("viewer"),
        Viewer("sle_coordinator"),
        Viewer("headteacher", small, f"head-{small}"),
    ]


#: A governor: of 4 pairings active, 3 judged and transferred; the outcomes listed B's open
#: pairings (hidden) and no open or stopped row elsewhere — so B's hidden open count was the
#: 4 active less the 3 judged. Each group now lists every outcome, hidden beside a hidden one.
ROWS_TELL = {
    "schools": ["A", "B"],
    "staff": [("A0", "A", False), ("A1", "A", False), ("B0", "B", False), ("B1", "B", False),
              ("B2", "B", False)],
    "pairings": [("B2", "A0", "assessment-design", "transferred", 3),
                 ("B0", "B1", "anti-bullying", "active", 3),
                 ("B2", "B1", "anti-bullying", "transferred", 3),
                 ("B2", "A1", "anti-bullying", "transferred", 3)],
}  # fmt: skip
#: A governor: in Behaviour and culture, 4 evidenced transfers at a rate of 80% gave the 5
#: judged away, and so the 1 not transferred (two people) the outcomes by area hide. The
#: rate is now hidden with the pairings not transferred.
RATE_TELLS = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", False), ("A1", "A", False), ("B0", "B", False), ("B1", "B", False),
              ("B2", "B", True), ("B3", "B", True), ("C0", "C", True), ("C1", "C", False),
              ("C2", "C", False), ("C3", "C", False)],
    "pairings": [("C1", "A1", "assessment-design", "not transferred", 2),
                 ("C0", "C1", "anti-bullying", "transferred", 1),
                 ("B2", "C3", "anti-bullying", "transferred", 4),
                 ("B2", "C1", "assessment-design", "stopped", 4),
                 ("A0", "B3", "anti-bullying", "stopped", 1),
                 ("C2", "A0", "assessment-design", "stopped", 2),
                 ("C0", "C1", "anti-bullying", "stopped", 1),
                 ("B2", "A1", "assessment-design", "not transferred", 2),
                 ("A1", "A0", "anti-bullying", "transferred", 3),
                 ("B2", "A1", "anti-bullying", "transferred", 4),
                 ("B1", "C1", "anti-bullying", "not transferred", 2),
                 ("C1", "B1", "assessment-design", "stopped", 2)],
}  # fmt: skip


@pytest.mark.parametrize("a", [ROWS_TELL, RATE_TELLS], ids=["rows", "rate"])
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
def test_no_hidden_outcome_is_recoverable_beside_the_headline_flows_and_ledger(
    store: Connection, a: dict
) -> None:
    if not a["pairings"]:
        return
    load(store, a)
    for viewer in roles(a):
        check(store, a, viewer)


#: Found with BROKERING_PROPERTY_TRIALS=100 (head A) and by a default run (the governor); both
#: failed before this change. The governor: B's one "not transferred" in Behaviour and
#: culture was the area's pairings judged less its evidenced transfers (the headline) less
#: A's (shown) — hiding the area's total gave no cover; now an area's one hidden cell of an
#: outcome gets a second (`hiding.grid_hidden`; this case still fails on the old rule).
#: Head A: A's one hidden "not transferred" (B1, not sharing, to A0) was A's pairings
#: received less its open and stopped (shown) and its transferred (none, drawn hidden: the
#: area's less B's). Every other pairing rests on people head A sees, so nothing they cannot
#: count could cover it — and nothing need: the pairings page shows them A0's pairing, its
#: practice and status. It passes because `known` now holds that (a fully seen school's
#: pairings by area and outcome), not by more hiding.
OUTCOME_GAPS = [
    (
        {
            "schools": ["A", "B"],
            "staff": [("A0", "A", False), ("A1", "A", False), ("B0", "B", True),
                      ("B1", "B", False), ("B2", "B", True)],
            "pairings": [("B2", "A0", "assessment-design", "active", 4),
                         ("B0", "A1", "anti-bullying", "stopped", 2),
                         ("A1", "B2", "assessment-design", "stopped", 2),
                         ("A1", "B0", "assessment-design", "transferred", 3),
                         ("A0", "B2", "assessment-design", "transferred", 1),
                         ("B2", "B0", "assessment-design", "active", 1),
                         ("B2", "B0", "assessment-design", "active", 1),
                         ("B1", "A0", "assessment-design", "not transferred", 2)],
        },
        Viewer("headteacher", "A", "head-A"),
    ),
    (
        {
            "schools": ["A", "B"],
            "staff": [("A0", "A", True), ("A1", "A", False), ("A2", "A", True),
                      ("A3", "A", False), ("B0", "B", False), ("B1", "B", True),
                      ("B2", "B", True), ("B3", "B", True)],
            "pairings": [("A3", "A2", "assessment-design", "not transferred", 4),
                         ("A0", "A1", "anti-bullying", "transferred", 3),
                         ("A0", "A2", "assessment-design", "not transferred", 3),
                         ("A2", "B3", "anti-bullying", "transferred", 4),
                         ("A3", "B2", "anti-bullying", "not transferred", 4),
                         ("B2", "A1", "assessment-design", "stopped", 1),
                         ("A0", "A2", "anti-bullying", "not transferred", 1),
                         ("B0", "A1", "anti-bullying", "not transferred", 2),
                         ("A2", "A1", "assessment-design", "transferred", 4),
                         ("B0", "A0", "assessment-design", "transferred", 2),
                         ("B1", "B3", "assessment-design", "not transferred", 4),
                         ("B1", "A1", "assessment-design", "active", 3)],
        },
        Viewer("viewer"),
    ),
]  # fmt: skip


@pytest.mark.parametrize("k", range(len(OUTCOME_GAPS)))
def test_a_not_transferred_outcome_is_not_worked_out(store: Connection, k: int) -> None:
    a, viewer = OUTCOME_GAPS[k]
    load(store, a)
    check(store, a, viewer)


#: Found by a hunt of 300 random alliances after the rule above (the governor): B is the only
#: school receiving, so each outcome's table has one row, and its row's total was shown as
#: "the grand total, known" — but an outcome's total over the alliance is not shown when the
#: headline hides it; B's "not transferred" (3) beside its open, stopped and the pairings
#: active gave its one hidden "transferred" away. A total with a hidden cell is now hidden,
#: even in a table of one row or area.
ONE_ROW = (
    {
        "schools": ["A", "B"],
        "staff": [("A0", "A", False), ("A1", "A", True), ("B0", "B", True), ("B1", "B", False),
                  ("B2", "B", True), ("B3", "B", False)],
        "pairings": [("B1", "B2", "anti-bullying", "active", 2),
                     ("B1", "B0", "anti-bullying", "not transferred", 4),
                     ("A1", "B1", "anti-bullying", "active", 2),
                     ("A0", "B1", "anti-bullying", "not transferred", 1),
                     ("B1", "B3", "anti-bullying", "active", 1),
                     ("B2", "B3", "assessment-design", "not transferred", 1),
                     ("B2", "B3", "assessment-design", "transferred", 2),
                     ("A0", "B1", "anti-bullying", "stopped", 2),
                     ("B1", "B2", "anti-bullying", "stopped", 2)],
    },
    Viewer("viewer"),
)  # fmt: skip


def test_a_one_row_table_keeps_its_total_hidden(store: Connection) -> None:
    a, viewer = ONE_ROW
    load(store, a)
    check(store, a, viewer)


#: Found by BROKERING_PROPERTY_TRIALS=200 after the rule above; failed before rule 3 of
#: `hiding.grid_hidden` (cover along the outcomes). Head A: B's one
#: pairing received, stopped (B1, not sharing, to B2), is the only stopped pairing of the
#: alliance, so no cell of its outcome or of its school can cover it; it is the alliance's
#: pairings (known) less the evidenced transfers and pairings judged (headline), the open
#: pairings by area (shown) and B's to C (ledger). Every other pairing rests on people head A
#: sees, so no cell could cover it; now the empty open cell beside it (B, Behaviour and
#: culture) is hidden as cover — B's open pairings are drawn hidden already, and the open
#: pairings in the area are hidden with it. Since `page_known` it passes without rule 3 too:
#: all 5 pairings are on head A's pairings page, B1 to B2 with B2 named at B, and the
#: alliance's 5 less them leave none — the cell is theirs (as PINNED_BESIDE's);
#: ALONE_BESIDE_PINNED holds rule 3 now.
LONE_OUTCOME = (
    {
        "schools": ["A", "B", "C"],
        "staff": [("A0", "A", False), ("B0", "B", True), ("B1", "B", False), ("B2", "B", True),
                  ("B3", "B", False), ("C0", "C", True)],
        "pairings": [("B2", "A0", "anti-bullying", "active", 4),
                     ("B0", "C0", "assessment-design", "active", 1),
                     ("B2", "A0", "assessment-design", "transferred", 2),
                     ("B1", "B2", "anti-bullying", "stopped", 4),
                     ("B2", "A0", "anti-bullying", "active", 4)],
    },
    Viewer("headteacher", "A", "head-A"),
)  # fmt: skip


def test_the_alliances_only_stopped_pairing_is_covered_along_the_outcomes(
    store: Connection,
) -> None:
    a, viewer = LONE_OUTCOME
    load(store, a)
    check(store, a, viewer)


#: Found by BROKERING_PROPERTY_TRIALS=200 (head A). The hidden "stopped in Behaviour and
#: culture" (3) rests on one person head A cannot see (B2, not sharing, to A2). Settled as a
#: question for the model, from what the pages show head A (no rule change; it passes on the
#: old rule too):
#: - A's pairings received, stopped, in the area (2: B2 to A2, B0 to A2) are on their
#:   pairings page in full: it lists every pairing with someone they see, its practice and
#:   status, naming the school of each person they see (`pairings.views.list_pairings`,
#:   `members_cte`), and a head sees every current member of their own school
#:   (`visibility.visible_staff_sql`) — `known`: a `certified` school;
#: - B's (1: A2 to B1) rests on no one they cannot see: its pairing is on that page with
#:   both schools named, and the rule shows it as a figure they could count from their own
#:   lists (`hiding.primary`; `outcomes._view` never hides such a cell nor takes it as cover).
#: The model knew each kind of pairing by giving school but not that cell of the outcomes'
#: table (B's received, over the giving schools: no pairing within B), so the shown 1 looked
#: like news; `known` now holds such a cell as the rule does — never a cell of no pairings,
#: nor one resting on someone they cannot see. The 3 is the 2 and the 1.
SEEN_PAIRINGS = (
    {
        "schools": ["A", "B"],
        "staff": [("A0", "A", False), ("A1", "A", False), ("A2", "A", True), ("B0", "B", True),
                  ("B1", "B", True), ("B2", "B", False)],
        "pairings": [("B2", "A2", "anti-bullying", "stopped", 4),
                     ("A2", "B1", "anti-bullying", "stopped", 2),
                     ("B0", "A2", "anti-bullying", "stopped", 4),
                     ("B1", "A2", "anti-bullying", "not transferred", 4),
                     ("A2", "A1", "anti-bullying", "transferred", 2),
                     ("A2", "B0", "assessment-design", "not transferred", 3)],
    },
    Viewer("headteacher", "A", "head-A"),
)  # fmt: skip


def test_a_total_of_two_figures_the_head_can_count_is_theirs(store: Connection) -> None:
    a, viewer = SEEN_PAIRINGS
    load(store, a)
    check(store, a, viewer)


#: Found by BROKERING_PROPERTY_TRIALS=150 after SEEN_PAIRINGS was settled (head B); failed
#: before `dashboard.unlisted`. A's one "transferred" (A2 to A3, neither sharing: on no page
#: head B sees) was the area's evidenced transfers (2, the headline: resting on A1, A2 and A3,
#: so shown) less B's (1: A1 to B0, B0 their own), which head B lists. Now a headline figure
#: is hidden where its pairings off the viewer's pairings page rest on 1 or 2 people.
UNLISTED_REST = (
    {
        "schools": ["A", "B"],
        "staff": [("A0", "A", True), ("A1", "A", False), ("A2", "A", False), ("A3", "A", False),
                  ("B0", "B", True), ("B1", "B", False)],
        "pairings": [("A0", "A2", "assessment-design", "not transferred", 2),
                     ("A1", "B1", "anti-bullying", "stopped", 3),
                     ("A1", "B0", "assessment-design", "transferred", 1),
                     ("B0", "B1", "anti-bullying", "stopped", 1),
                     ("A2", "A3", "anti-bullying", "stopped", 1),
                     ("A2", "A3", "assessment-design", "transferred", 3),
                     ("B1", "B0", "anti-bullying", "active", 2),
                     ("A1", "A0", "assessment-design", "stopped", 3),
                     ("A2", "B0", "anti-bullying", "active", 4)],
    },
    Viewer("headteacher", "B", "head-B"),
)  # fmt: skip


def test_the_headline_hides_what_rests_on_few_the_head_cannot_list(store: Connection) -> None:
    a, viewer = UNLISTED_REST
    load(store, a)
    check(store, a, viewer)


#: Found by a hunt of 100 random alliances after rule 3 (SLE coordinator). Settled as a
#: question for the model, from what the pages show the coordinator (no rule change; the
#: strict xfail it was turned into a pass by `page_known`). A's one hidden cell (A3 to A1,
#: transferred, in Assessment and curriculum) was worked out as the area's evidenced
#: transfers (4, the headline) less B's transferred (3: every member of B shares, as the
#: Data page says — `certified`). But the coordinator reads the cell off their own pages:
#: - every one of the 7 pairings has someone they see, so each is on their pairings page
#:   (`pairings.views.list_pairings`) with its practice and status — A3 to A1 as
#:   "Assessment and curriculum: <A> -> a partner school", transferred (A3 named with A's
#:   school, `donor_schools`; A1 "not shared", `recipient_schools` empty);
#: - its recipient, one they do not see, is not at B, whose every member they see: so it is
#:   at A (`page_known`: a side they do not see is at no `certified` school);
#: - and nothing else is in the cell: the alliance's pairings (7, known to the model — and
#:   shown here as the headline's pairings active, its pairings on no page resting on no
#:   one: `unlisted`) less the 7 listed leave no pairing off their page.
#: So the 1 is theirs before any figure of the Transfer page. (Without the alliance's total,
#: the headline's evidenced transfers less what they list tell them that no pairing they
#: see no one of is in the cell — resting on no one, as `unlisted` shows such a figure.)
LONE_ROW = (
    {
        "schools": ["A", "B"],
        "staff": [("A0", "A", False), ("A1", "A", False), ("A2", "A", False), ("A3", "A", True),
                  ("B0", "B", True), ("B1", "B", True), ("B2", "B", True)],
        "pairings": [("A1", "B1", "assessment-design", "not transferred", 1),
                     ("B0", "B1", "anti-bullying", "stopped", 3),
                     ("A0", "B1", "assessment-design", "transferred", 2),
                     ("A3", "B1", "assessment-design", "transferred", 1),
                     ("A3", "A1", "assessment-design", "transferred", 2),
                     ("A2", "B0", "assessment-design", "transferred", 3),
                     ("B0", "B2", "anti-bullying", "active", 2)],
    },
    Viewer("sle_coordinator"),
)  # fmt: skip


def test_a_cell_the_coordinator_reads_off_their_pages_is_theirs(store: Connection) -> None:
    a, viewer = LONE_ROW
    load(store, a)
    check(store, a, viewer)


#: Found by BROKERING_PROPERTY_TRIALS=200 after UNLISTED_REST (head A). Settled as a
#: question for the model, from what the pages show head A (no rule change; the strict xfail
#: it was turned into a pass by `page_known`). B's one pairing received, stopped (B1, not
#: sharing, to B2), was worked out from the pairings judged over all areas (1: the evidenced
#: transfers, 1, over the transfer rate, 100%), the alliance's pairings (5, known to the
#: model) and what head A lists; rule 3's cover beside it could only be the headline's
#: outcomes. But every one of the 5 pairings has someone head A sees, so each is on their
#: pairings page (`pairings.views.list_pairings`) with its practice and status — B1 to B2 as
#: "Behaviour and culture: a partner school -> <B>", stopped (B2 shares: named with B's
#: school, `recipient_schools`) — and the alliance's 5 less the 5 listed leave none off it:
#: the 1 is theirs from the pairings page alone (`page_known`). Without the alliance's
#: total the cell cannot be worked out at all, with the Transfer page or without it
#: (checked when this was settled), so no hiding there could protect it.
PINNED_BESIDE = (
    {
        "schools": ["A", "B", "C"],
        "staff": [("A0", "A", False), ("B0", "B", True), ("B1", "B", False), ("B2", "B", True),
                  ("B3", "B", False), ("C0", "C", True)],
        "pairings": [("C0", "B0", "anti-bullying", "active", 4),
                     ("B0", "C0", "assessment-design", "active", 1),
                     ("B2", "A0", "assessment-design", "transferred", 2),
                     ("B1", "B2", "anti-bullying", "stopped", 4),
                     ("B2", "A0", "anti-bullying", "active", 4)],
    },
    Viewer("headteacher", "A", "head-A"),
)  # fmt: skip


def test_a_cell_on_the_heads_pairings_page_is_theirs(store: Connection) -> None:
    a, viewer = PINNED_BESIDE
    load(store, a)
    check(store, a, viewer)


#: Found by a hunt of 100 random alliances once the model knew what the pairings page tells
#: (`page_known`; head C); failed before `brokering.placing` (it passed under the model
#: before `page_known` only because that model did not know the page). B0 (sharing) to A2
#: (not sharing), transferred, is on head C's pairings page with its recipient "not shared"
#: at "a partner school" — which school the page keeps from them on purpose (`list_pairings`
#: names only the schools of people they see). The outcomes place it: B's transferred (1,
#: shown: C1 to B0, resting only on people head C sees) holds no other pairing, so the
#: recipient is not at B, nor at C (their own school, every member seen): A's hidden
#: transferred (1) is that pairing. A figure resting only on people the viewer sees is shown
#: as one they could count from their own lists (`hiding.primary`), but shown it also says
#: that no pairing of someone they do not see is in it — here, where a listed pairing's
#: unnamed side is not. Now such a figure weighs the unseen people whose school it settles
#: (`placing.settled`: the unseen recipients of listed pairings of its outcome and area, A2
#: here), in the outcomes: B's transferred over all areas is hidden on A2.
PLACED_BY_A_CELL = (
    {
        "schools": ["A", "B", "C"],
        "staff": [("A0", "A", True), ("A1", "A", True), ("A2", "A", False), ("B0", "B", True),
                  ("B1", "B", False), ("B2", "B", False), ("C0", "C", False), ("C1", "C", False)],
        "pairings": [("B0", "A2", "assessment-design", "transferred", 2),
                     ("C1", "A2", "assessment-design", "stopped", 4),
                     ("C1", "B2", "assessment-design", "not transferred", 2),
                     ("C0", "B2", "anti-bullying", "not transferred", 3),
                     ("C1", "B0", "anti-bullying", "transferred", 3)],
    },
    Viewer("headteacher", "C", "head-C"),
)  # fmt: skip


def test_a_shown_cell_never_places_a_partner_school(store: Connection) -> None:
    a, viewer = PLACED_BY_A_CELL
    load(store, a)
    check(store, a, viewer, placing=True)


#: Found by the same hunt (the SLE coordinator); failed before `brokering.placing`: the
#: ledger's form of PLACED_BY_A_CELL. A0 (sharing) to B1 (not sharing), not transferred, is
#: on their pairings page with its recipient at "a partner school". A's pairings received in
#: the ledger (1: B1 to A0, its recipient A0 seen, listed) hold no other, so that recipient
#: is not at A; nor at C, whose outcomes list no pairing not transferred: so B's hidden "not
#: transferred" (C0 to B0 and A0 to B1, resting on B1) is the two. The placing rule was
#: tried on the ledger's school rows (such a row weighing the unseen people of all the
#: listed pairings) and reverted: on the demo alliance it hid 9 of the SLE coordinator's 10
#: school rows. Closed by a lighter rule (`ledger_cover`, `ledger_suppression` rule 5):
#: each listed pairing's unnamed side keeps one cover — a second school it could be at,
#: not ruled out by a shown row or relationship. A0 to B1's recipient had none (A's and
#: C's received, and A to C, all rest on no one unseen), so A's own row (the side within A)
#: is hidden as its cover; B1 to C0's donor likewise gets C's. On the demo alliance the
#: coordinator and each head other than SCH02's lose one school row (9 shown of 10 -> 8).
PLACED_BY_THE_LEDGER = (
    {
        "schools": ["A", "B", "C"],
        "staff": [("A0", "A", True), ("B0", "B", True), ("B1", "B", False), ("C0", "C", True)],
        "pairings": [("B1", "A0", "assessment-design", "transferred", 4),
                     ("A0", "C0", "anti-bullying", "stopped", 2),
                     ("C0", "B0", "assessment-design", "not transferred", 1),
                     ("B1", "C0", "anti-bullying", "transferred", 4),
                     ("A0", "B1", "assessment-design", "not transferred", 1),
                     ("A0", "C0", "assessment-design", "stopped", 2),
                     ("A0", "C0", "assessment-design", "stopped", 1)],
    },
    Viewer("sle_coordinator"),
)  # fmt: skip


def test_the_ledger_never_places_a_partner_school(store: Connection) -> None:
    a, viewer = PLACED_BY_THE_LEDGER
    load(store, a)
    check(store, a, viewer, placing=True)


#: Found while settling the cases above (a hunt of 150 alliances without rule 3 found it
#: failing with rule 3 too: the governor); failed before this change. B's one open pairing
#: (A2 to B0, in Assessment and curriculum: two people) was the alliance's pairings (9)
#: less the pairings judged (5, the headline), the stopped (B's 3, shown; none at A) — the
#: hidden cells beside it, B's not transferred, are of an outcome whose totals the headline
#: gives, so they covered nothing, and rule 3 did not look: the line had more than one hidden
#: cell. Rule 3 now counts a line's hidden cells among the outcomes the headline does not
#: give (`outcome_cover`), and covers with one of those first: B's stopped in the area.
ALONE_BESIDE_PINNED = {
    "schools": ["A", "B"],
    "staff": [("A0", "A", True), ("A1", "A", False), ("A2", "A", False), ("A3", "A", False),
              ("B0", "B", False), ("B1", "B", False), ("B2", "B", False), ("B3", "B", True)],
    "pairings": [("B0", "B3", "assessment-design", "not transferred", 2),
                 ("A0", "B0", "assessment-design", "stopped", 3),
                 ("A0", "A2", "assessment-design", "transferred", 4),
                 ("A2", "B3", "assessment-design", "stopped", 4),
                 ("A3", "B1", "assessment-design", "not transferred", 4),
                 ("A0", "B1", "anti-bullying", "not transferred", 2),
                 ("B2", "B0", "assessment-design", "stopped", 1),
                 ("A2", "B0", "assessment-design", "active", 1),
                 ("A2", "A1", "assessment-design", "transferred", 4)],
}  # fmt: skip


def test_a_lone_outcome_beside_pinned_ones_is_covered(store: Connection) -> None:
    load(store, ALONE_BESIDE_PINNED)
    check(store, ALONE_BESIDE_PINNED, Viewer("viewer"))


#: Found by a hunt of 100 random alliances (another seed than the test's; head A); failed
#: before the model treated a whole-alliance figure counted entirely off the viewer's pages
#: as theirs (`tests.alliances.all_listed`, as the headline models do since KNOWN_COVER). The
#: hidden "open in Behaviour and culture" (1: B1, not sharing, to A0) is A's open pairings in
#: the area (1, that pairing: their own school's, on their pairings page) and B's (0: B's
#: open over all areas, 1, shown as resting only on people head A sees — A0 to B0 — less B's
#: open in Assessment and curriculum, that same pairing). Worked out, it tells head A only
#: what their pairings page lists (B1 to A0, open, in the area) and that no pairing off the
#: page is in it: a remainder of none, resting on no one — nobody's figure, as a 0 shown is.
#: So no rule changes: hiding every figure resting only on seen people beside a hidden total
#: would hide most of a small school's own figures for nothing.
ZERO_BESIDE_OWN = (
    {
        "schools": ["A", "B"],
        "staff": [("A0", "A", False), ("B0", "B", True), ("B1", "B", False), ("B2", "B", False)],
        "pairings": [("A0", "B0", "assessment-design", "active", 1),
                     ("B0", "B2", "anti-bullying", "transferred", 1),
                     ("B1", "A0", "anti-bullying", "active", 2),
                     ("B2", "B0", "assessment-design", "stopped", 1),
                     ("A0", "B1", "anti-bullying", "transferred", 1),
                     ("B2", "B1", "anti-bullying", "not transferred", 1),
                     ("B1", "B0", "assessment-design", "stopped", 3)],
    },
    Viewer("headteacher", "A", "head-A"),
)  # fmt: skip


def test_a_remainder_of_none_beside_the_own_school_is_theirs(store: Connection) -> None:
    a, viewer = ZERO_BESIDE_OWN
    load(store, a)
    check(store, a, viewer)


#: Found by the same hunt (head C); failed on the model before `page_known` too, and before
#: `brokering.placing`: the ledger's form of PLACED_BY_A_CELL under the model's own attack.
#: B's hidden "not transferred" (1: A0, not sharing, to B0) was B's pairings received in the
#: ledger (5) less the four others, each resting only on people head C sees. Every one of
#: the five is on head C's pairings page, its recipient (B0 or B1, sharing) named at B; what
#: the ledger's 5 adds is that B1 to A0 (not transferred, its recipient "not shared" at "a
#: partner school": A or B, whose two members' counts the Data page does not show) was not
#: received at B — so A's hidden "not transferred" is that pairing too. Closed as
#: PLACED_BY_THE_LEDGER is (`ledger_cover`): that recipient's only other school it could be
#: at is B (C is head C's own), whose received ruled it out; B's row is now hidden as its
#: cover.
PLACED_BY_B_RECEIVED = (
    {
        "schools": ["A", "B", "C"],
        "staff": [("A0", "A", False), ("A1", "A", False), ("B0", "B", True), ("B1", "B", True),
                  ("C0", "C", False)],
        "pairings": [("B1", "B0", "anti-bullying", "stopped", 1),
                     ("C0", "B1", "anti-bullying", "stopped", 4),
                     ("B0", "B1", "assessment-design", "stopped", 3),
                     ("C0", "B0", "anti-bullying", "active", 3),
                     ("B0", "A1", "anti-bullying", "active", 2),
                     ("B1", "A0", "anti-bullying", "not transferred", 4),
                     ("A0", "B0", "anti-bullying", "not transferred", 2)],
    },
    Viewer("headteacher", "C", "head-C"),
)  # fmt: skip


def test_the_ledger_never_places_it_in_the_old_attack(store: Connection) -> None:
    a, viewer = PLACED_BY_B_RECEIVED
    load(store, a)
    check(store, a, viewer)
