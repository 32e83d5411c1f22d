"""Property-based: over random alliances, for every role (governor, coordinator, each head),
no hidden figure of the flows between schools — the flow matrix of the whole alliance and of
each skill area, the given-and-received balance — nor of the reciprocity ledger by school and
by relationship is shown, or can be worked out by adding and subtracting the figures that
role can see across all of those views together.

The model is the attacker's best case: every pairing runs in the one term shown (so the
term's flows and the ledger's all-time figures count the same pairings), has one donor and
one recipient, and all its hours flow donor to recipient (so the ledger's person-hours and
the flows' hours are the same hours). With `headline`, each area's pairings active (the
Transfer page's headline for that area) is among the figures: the area's flows between
schools and its work within schools add up to it. Every figure is then a sum over pairings — of ones
(pairings) or of each pairing's hours — so a figure is a vector over the pairings; a hidden
one is recoverable when it lies in the span of what the viewer is shown and already knows:
the alliance's totals (pairings and hours), each pairing whose
people they can all see, and each school whose people in pairings they can all see (they can
add its row up from their own lists). A figure recoverable from what they already know is
not the views' to protect. More trials: BROKERING_PROPERTY_TRIALS=500.
"""

from __future__ import annotations

import os
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from brokering.dashboard import flow_hiding, flows, hiding, transfer
from brokering.dashboard.facts import Scope
from brokering.db import Connection
from brokering.pairings import ledger, ledger_suppression
from brokering.terms import term_of
from brokering.viewer import Viewer
from tests import alliances as made
from tests.alliances import Pairing
from tests.test_suppression_properties import recoverable

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "25"))
START, END = date(2026, 9, 1), date(2026, 12, 31)
SKILLS = {
    "assessment-design": "Assessment and curriculum",
    "anti-bullying": "Behaviour and culture",
}


@st.composite
def alliances(draw: st.DrawFn) -> dict:
    fields = (st.sampled_from(sorted(SKILLS)), st.integers(1, 4))
    return made.drawn(draw, 4, *fields, most_pairings=12)


def load(con: Connection, a: dict) -> None:
    made.load(
        con,
        a["schools"],
        a["staff"],
        [Pairing(d, r, skill, hours=hours) for d, r, skill, hours in a["pairings"]],
    )


def roles(a: dict) -> list[Viewer]:
    return made.roles(a["schools"])


class Views:
    """The figures one role is shown, as vectors over the pairings, per measure."""

    def __init__(self, a: dict, viewer: Viewer) -> None:
        self.a, self.viewer = a, viewer
        school = {r: s for r, s, _ in a["staff"]}
        self.donor = [school[d] for d, *_ in a["pairings"]]
        self.recipient = [school[r] for _, r, *_ in a["pairings"]]
        self.area = [SKILLS[k] for *_, k, _ in a["pairings"]]
        self.hours = np.array([float(h) for *_, h in a["pairings"]])
        self.shown = {"pairings": [], "hours": []}
        self.hidden: list[tuple[str, str, np.ndarray]] = []

    def vec(self, keep) -> np.ndarray:  # noqa: ANN001 - a predicate on a pairing's index
        return np.array([1.0 if keep(i) else 0.0 for i in range(len(self.a["pairings"]))])

    def add(self, name: str, measure: str, v: np.ndarray, value: object) -> None:
        if pd.isna(value):
            self.hidden.append((name, measure, v))
            return
        expected = v.sum() if measure == "pairings" else float(v @ self.hours)
        assert float(value) == pytest.approx(expected, abs=0.051), (name, value, expected)
        self.shown[measure].append(v)


def sees(viewer: Viewer, a: dict, ref: str) -> bool:
    if viewer.aggregate_only:
        return False
    school, consent = {r: (s, c) for r, s, c in a["staff"]}[ref]
    return consent or school == viewer.school_id


def collect(con: Connection, a: dict, viewer: Viewer, headline: bool = False) -> Views:
    v = Views(a, viewer)
    d, r, ar = v.donor, v.recipient, v.area
    for area in (None, *sorted(set(SKILLS.values()))):
        matrix = flows.flow_matrix(con, viewer, START, END, Scope(area=area))
        for row in matrix.itertuples(index=False):
            cell = v.vec(lambda i, row=row, area=area: d[i] == row.giver
                         and r[i] == row.receiver and area in (None, ar[i]))  # fmt: skip
            assert pd.isna(row.pairings) == pd.isna(row.people) == pd.isna(row.hours)
            name = f"flow {row.giver}>{row.receiver} in {area or 'all areas'}"
            v.add(name, "pairings", cell, row.pairings)
            v.add(name, "hours", cell, row.hours)
    for row in flows.balance(con, viewer, START, END).itertuples(index=False):
        s = row.school_id
        given = v.vec(lambda i, s=s: d[i] == s and r[i] != s)
        got = v.vec(lambda i, s=s: r[i] == s and d[i] != s)
        v.add(f"balance {s} given", "hours", given, row[2])
        v.add(f"balance {s} received", "hours", got, row[3])
        v.add(f"balance {s}", "hours", given - got, row[4])
    # Each area's pairings active (the Transfer page's headline for that area): the flows
    # of one area add up to it.
    term = term_of(START)
    for area in sorted(set(SKILLS.values())) if headline else ():
        fig = {f.key: f for f in transfer.headline(con, viewer, term, Scope(area=area), END)}
        active = fig["active"]
        v.add(f"active in {area}", "pairings", v.vec(lambda i, area=area: ar[i] == area),
              None if active.hidden else active.value)  # fmt: skip
    by_school, by_pair = ledger.school_views(con, viewer)
    for row in by_school.itertuples(index=False):
        s = row.school_id
        given, got = v.vec(lambda i, s=s: d[i] == s), v.vec(lambda i, s=s: r[i] == s)
        v.add(f"ledger {s} given", "pairings", given, row.pairings_given)
        v.add(f"ledger {s} received", "pairings", got, row.pairings_received)
        v.add(f"ledger {s} hours given", "hours", given, row.hours_given)
        v.add(f"ledger {s} hours received", "hours", got, row.hours_received)
        v.add(f"ledger {s} balance", "hours", given - got, row.balance)
    for row in by_pair.itertuples(index=False):
        x, y = row.school_a, row.school_b
        ab = v.vec(lambda i, x=x, y=y: d[i] == x and r[i] == y)
        ba = v.vec(lambda i, x=x, y=y: d[i] == y and r[i] == x)
        v.add(f"ledger {x}>{y}", "pairings", ab, row.pairings_a_to_b)
        v.add(f"ledger {y}>{x}", "pairings", ba, row.pairings_b_to_a)
        v.add(f"ledger {x}>{y} hours", "hours", ab, row.hours_a_to_b)
        v.add(f"ledger {y}>{x} hours", "hours", ba, row.hours_b_to_a)
    return v


def known(v: Views) -> dict[str, list[np.ndarray]]:
    """What the viewer knows without these views (see the module's docstring)."""
    a, viewer = v.a, v.viewer
    n = len(a["pairings"])
    school = {r: s for r, s, _ in a["staff"]}
    base = [np.ones(n)]
    base += [np.eye(n)[i] for i, (x, y, *_) in enumerate(a["pairings"])
             if sees(viewer, a, x) and sees(viewer, a, y)]  # fmt: skip
    rows = []
    for s in a["schools"]:
        people = {p for x, y, *_ in a["pairings"] for p in (x, y) if school[p] == s}
        if all(sees(viewer, a, p) for p in people):
            rows += [
                v.vec(lambda i, s=s: v.donor[i] == s),
                v.vec(lambda i, s=s: v.recipient[i] == s),
            ]
    return {"pairings": base + rows, "hours": base + rows}


def check(con: Connection, a: dict, viewer: Viewer, headline: bool = False) -> None:
    v = collect(con, a, viewer, headline)
    know = known(v)
    if headline:
        # The premise (the alliance's total of pairings known) holds with the headlines
        # only where the viewer can work the total out from what they are shown, their
        # pairings page and the pairings they see whole: the Transfer page hides the
        # alliance's whole where what is off a head's page rests on few (`unlisted`), as
        # the School filter's check with the flows says (ACTIVE_IN_AN_AREA).
        total = np.ones(len(a["pairings"]))
        for measure in ("pairings", "hours"):
            own = [k for k in know[measure] if not np.array_equal(k, total)]
            if not recoverable(own + made.listed_units(a, viewer) + v.shown[measure], total):
                know[measure] = own
    for name, measure, target in v.hidden:
        if recoverable(know[measure], target):
            continue
        assert not recoverable(know[measure] + v.shown[measure], target), (viewer, name, a)


#: Alliances earlier runs found giving a hidden figure away, kept as examples.
FOUND = [
    {
        "schools": ["A", "B", "C", "D"],
        "staff": [("A0", "A", False), ("A1", "A", True), ("A2", "A", True), ("B0", "B", False),
                  ("B1", "B", True), ("B2", "B", False), ("C0", "C", True), ("C1", "C", True),
                  ("C2", "C", True), ("D0", "D", True), ("D1", "D", True)],
        "pairings": [("A0", "C2", "anti-bullying", 4), ("B2", "A0", "anti-bullying", 1),
                     ("A2", "D0", "anti-bullying", 3), ("A0", "C1", "anti-bullying", 4),
                     ("A0", "C1", "anti-bullying", 4), ("D0", "C0", "assessment-design", 3)],
    },
    {
        "schools": ["A", "B"],
        "staff": [("A0", "A", False), ("A1", "A", False), ("A2", "A", False), ("B0", "B", False)],
        "pairings": [("A2", "B0", "assessment-design", 1), ("B0", "A1", "assessment-design", 2),
                     ("A1", "A0", "anti-bullying", 4), ("A0", "A1", "anti-bullying", 4),
                     ("B0", "A1", "assessment-design", 4), ("A1", "A2", "assessment-design", 2),
                     ("A0", "B0", "anti-bullying", 3), ("A1", "A0", "assessment-design", 4),
                     ("A2", "B0", "anti-bullying", 3), ("A2", "A1", "assessment-design", 3)],
    },
    # A governor: every pairing not given by B was C's to A, so the alliance's total less B's
    # given was C>A (never one given total hidden among the schools that give).
    {
        "schools": ["A", "B", "C"],
        "staff": [("A0", "A", True), ("A1", "A", False), ("A2", "A", True), ("A3", "A", False),
                  ("B0", "B", False), ("B1", "B", False), ("B2", "B", False), ("B3", "B", True),
                  ("C0", "C", True)],
        "pairings": [("B1", "B2", "anti-bullying", 1), ("B1", "B3", "assessment-design", 4),
                     ("B1", "A2", "anti-bullying", 4), ("C0", "A0", "anti-bullying", 1),
                     ("B0", "B3", "assessment-design", 1), ("C0", "A0", "anti-bullying", 1),
                     ("B3", "B2", "assessment-design", 4), ("B1", "A1", "assessment-design", 3),
                     ("B3", "A2", "anti-bullying", 2)],
    },
    # With each area's headline: behaviour's total (two people) is the matrix's shown A>B
    # cell, so hiding it protected nothing and gave assessment's away as the complement.
    {
        "schools": ["A", "B"],
        "staff": [("A0", "A", True), ("A1", "A", False), ("A2", "A", True), ("B0", "B", False),
                  ("B1", "B", True), ("B2", "B", True)],
        "pairings": [("B0", "A2", "assessment-design", 1), ("B0", "B1", "assessment-design", 2),
                     ("A2", "B2", "anti-bullying", 3), ("A2", "B2", "anti-bullying", 1),
                     ("B2", "B1", "assessment-design", 3), ("A1", "A0", "assessment-design", 3)],
    },
    # Head A, with each area's headline (200 trials): B's hidden ledger "given" total was
    # worked out from the areas' totals when all of B's giving A's head cannot add up fell
    # in one area.
    {
        "schools": ["A", "B", "C", "D"],
        "staff": [("A0", "A", True), ("A1", "A", False), ("A2", "A", True), ("B0", "B", False),
                  ("B1", "B", False), ("B2", "B", False), ("C0", "C", True), ("D0", "D", False),
                  ("D1", "D", False), ("D2", "D", True)],
        "pairings": [("B1", "A0", "anti-bullying", 3), ("A1", "B0", "assessment-design", 4),
                     ("B0", "C0", "anti-bullying", 3), ("D1", "D2", "anti-bullying", 2),
                     ("A2", "A0", "anti-bullying", 4), ("D1", "D2", "anti-bullying", 2),
                     ("B0", "D0", "assessment-design", 1), ("B1", "A0", "anti-bullying", 3),
                     ("B0", "B1", "assessment-design", 4)],
    },
]  # fmt: skip


#: Found by random runs (about one alliance in fifty) before two fixes: the matrix listed its
#: same-school cells, so with the rows head B can add up and the alliance's total, C's hidden
#: cell with itself was the remainder (work within one school is now left out of the
#: matrices); and D's hidden "received" total was the sum of directions head B knows (A's
#: row, all visible; B's own giving, all to D) and one shown cell (the rule now counts what
#: a row the viewer can add up gives away side by side: given, received).
GAP = {
    "schools": ["A", "B", "C", "D"],
    "staff": [("A0", "A", True), ("B0", "B", True), ("B1", "B", False), ("C0", "C", False),
              ("C1", "C", False), ("D0", "D", False), ("D1", "D", False), ("D2", "D", False),
              ("D3", "D", False)],
    "pairings": [("B0", "D2", "anti-bullying", 3), ("A0", "D0", "assessment-design", 4),
                 ("D2", "B1", "assessment-design", 2), ("C1", "C0", "assessment-design", 1),
                 ("C0", "D0", "anti-bullying", 1), ("D2", "B1", "anti-bullying", 1),
                 ("C1", "D1", "assessment-design", 1), ("A0", "B0", "anti-bullying", 4),
                 ("C1", "B0", "assessment-design", 4), ("B0", "D0", "anti-bullying", 4),
                 ("D0", "B1", "assessment-design", 4)],
}  # fmt: skip


def test_a_same_school_cell_is_not_the_remainder(store: Connection) -> None:
    load(store, GAP)
    for viewer in roles(GAP):
        check(store, GAP, viewer)
    matrix = flows.flow_matrix(store, Viewer("headteacher", "B", "head-B"), START, END)
    assert not (matrix["giver"] == matrix["receiver"]).any()


@settings(
    max_examples=TRIALS,
    deadline=None,
    # Deterministic: the same alliances every run (GAP above is the class random runs find).
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
@example(a=FOUND[0])
@example(a=FOUND[1])
@example(a=FOUND[2])
def test_no_hidden_flow_or_ledger_figure_is_shown_or_recoverable(
    store: Connection, a: dict
) -> None:
    if not a["pairings"]:
        return
    load(store, a)
    for viewer in roles(a):
        check(store, a, viewer)


@settings(
    max_examples=TRIALS,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
@example(a=FOUND[0])
@example(a=FOUND[3])
@example(a=FOUND[4])
def test_with_each_areas_headline_too(store: Connection, a: dict) -> None:
    if not a["pairings"]:
        return
    load(store, a)
    for viewer in roles(a):
        check(store, a, viewer, headline=True)


def test_a_school_total_is_not_one_areas_total_less_known_parts(store: Connection) -> None:
    """Head A: B's ledger "given" is (A's and C's received rows, all seen) plus the
    assessment total less A's giving there — every part of B's giving A's head cannot add
    up is in assessment, and so is every part of assessment they cannot."""
    load(store, FOUND[4])
    head = Viewer("headteacher", "A", "head-A")
    check(store, FOUND[4], head, headline=True)
    # Assessment's total is hidden (its unknown cells all lie in B's giving), and behaviour's
    # as its complement; the whole alliance's stays shown.
    for area, hidden in ((None, False), *((a, True) for a in sorted(set(SKILLS.values())))):
        figs = transfer.headline(store, head, term_of(START), Scope(area=area), END)
        assert next(f for f in figs if f.key == "active").hidden is hidden, area


#: A governor's view where one relationship rests on two people: hiding it alone (no
#: secondary suppression) leaves it as a school's total less its other, shown, cells.
SMALL = {
    "schools": ["A", "B", "C"],
    "staff": [(f"{s}{k}", s, False) for s in "ABC" for k in range(4)],
    "pairings": [
        ("A0", "B0", "anti-bullying", 2),
        ("A1", "C0", "anti-bullying", 1),
        ("A2", "C1", "anti-bullying", 3),
        ("B1", "C2", "anti-bullying", 1),
        ("B2", "C3", "anti-bullying", 2),
        ("C0", "A3", "anti-bullying", 1),
        ("C1", "B3", "anti-bullying", 2),
    ],
}


def test_the_hand_built_case_holds(store: Connection) -> None:
    load(store, SMALL)
    for viewer in roles(SMALL):
        check(store, SMALL, viewer)
    matrix = flows.flow_matrix(store, Viewer("viewer"), START, END)
    cells = matrix.set_index(["giver", "receiver"])["pairings"]
    assert pd.isna(cells[("A", "B")])  # two people, both unseen by a governor


def test_without_secondary_suppression_a_hidden_figure_is_recoverable(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check can fail: hiding on each figure's own people only gives figures away."""

    def primary_only(schools, pairs, viewer, threshold=3, covers=None):  # noqa: ANN001, ANN202
        keep = ledger_suppression.primary
        return keep(schools["hidden"], threshold), keep(pairs["hidden"], threshold)

    def flows_primary_only(schools, pairs, cells, viewer):  # noqa: ANN001, ANN202
        keep_s, keep_p = primary_only(schools, pairs, viewer)
        hid_c = hiding.primary(cells["unseen"])
        return ~keep_s.to_numpy(), ~keep_p.to_numpy(), hid_c, set(), set()

    monkeypatch.setattr(ledger_suppression, "shown", primary_only)
    monkeypatch.setattr(flow_hiding, "flow_hidden", flows_primary_only)
    load(store, SMALL)
    with pytest.raises(AssertionError):
        check(store, SMALL, Viewer("viewer"))


#: Route (a) of the last session's note, "rule 5 on the flow matrix" (helper rules30's hand-
#: made attack; failed before the flows kept the ledger's covers). The SLE coordinator lists
#: A1 (sharing) to B1 (not sharing), its recipient at "a partner school": B or C, A being
#: whole to them (every member shares). The ledger keeps that side a cover (`ledger_cover`,
#: rule 5): C's row and A to C are hidden, as nothing unseen on C's or A to C's receiving
#: side leaves it there. The flows suppressed the same pairings by the ledger's rule without
#: that cover and showed A>C (1, in all areas and in the area) and C's hours received: A>C is
#: A2 to C0, on their page with both schools named, so nothing else is in it and the
#: recipient is at B — with the outcomes beside them (B1's pairing, not transferred), B's
#: hidden "not transferred" (resting on B1 alone) is that one pairing, C's hidden beside it
#: (`placing`) for nothing. The flows now keep the ledger's covers
#: (`flow_covers`; `flow_hiding.flow_hidden`'s `covers`): a cell or total the ledger hides
#: as a cover is hidden in the matrices and the balance too.
PLACED_BY_THE_FLOWS = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("A1", "A", True), ("A2", "A", True), ("B0", "B", True),
              ("B1", "B", False), ("C0", "C", True), ("C1", "C", False)],
    "pairings": [("A0", "B0", "assessment-design", 1), ("A1", "B1", "assessment-design", 1),
                 ("A2", "C0", "assessment-design", 2)],
}  # fmt: skip


def covers_kept(con: Connection, viewer: Viewer) -> None:
    """Every row the ledger hides (a relationship, a school's totals) is hidden in the flows
    too, every pairing running in the one term shown: what either view shows of the same
    pairings, the other shows as well, so a cover in one is a cover in both."""
    by_school, by_pair = ledger.school_views(con, viewer)
    hidden_pairs = {
        frozenset((r.school_a, r.school_b))
        for r in by_pair.itertuples(index=False)
        if pd.isna(r.pairings_a_to_b)
    }
    for area in (None, *sorted(set(SKILLS.values()))):
        matrix = flows.flow_matrix(con, viewer, START, END, Scope(area=area))
        for row in matrix.itertuples(index=False):
            if frozenset((row.giver, row.receiver)) in hidden_pairs:
                assert pd.isna(row.pairings), (viewer, area, row.giver, row.receiver)
    hidden_schools = set(by_school.loc[by_school["pairings_given"].isna(), "school_id"])
    balance = flows.balance(con, viewer, START, END).set_index("school_id")
    for s in hidden_schools & set(balance.index):
        if balance.loc[s, "partners given to"] or balance.loc[s, "partners received from"]:
            assert pd.isna(balance.loc[s, "hours given"]), (viewer, s)


def test_the_flows_keep_the_ledgers_covers(store: Connection) -> None:
    load(store, PLACED_BY_THE_FLOWS)
    for viewer in (Viewer("sle_coordinator"), *roles(PLACED_BY_THE_FLOWS)):
        covers_kept(store, viewer)
    # The attack: A>C shown as 1 (A2 to C0, both named on the coordinator's page) said that
    # A1's partner was not at C. Hidden now, as the ledger hides it.
    matrix = flows.flow_matrix(store, Viewer("sle_coordinator"), START, END)
    cells = matrix.set_index(["giver", "receiver"])["pairings"]
    assert pd.isna(cells[("A", "C")])


#: Found by BROKERING_PROPERTY_TRIALS=60 (helper rules30's hunt of this file). Head C, with
#: each area's headline: "active in Behaviour and culture" (3) is hidden, and the model
#: found it as the alliance's total (10) less assessment's shown 7 — but that total was the
#: model's premise, not a figure head C has: the alliance's pairings active is hidden on
#: the Transfer page for head C (what is off their page, B3 with B2, rests on two people)
#: and follows from nothing they are shown, list or see whole. The model now takes the
#: premise only where it holds (`check`), as the School filter's check with the flows does;
#: the figure is not recoverable. (A strict xfail before the model was mended.)
ACTIVE_IN_AN_AREA = {
    "schools": ["A", "B", "C", "D"],
    "staff": [("A0", "A", False), ("A1", "A", False), ("B0", "B", False), ("B1", "B", True),
              ("B2", "B", False), ("B3", "B", False), ("C0", "C", False), ("C1", "C", True),
              ("C2", "C", True), ("D0", "D", False), ("D1", "D", False), ("D2", "D", True)],
    "pairings": [("B2", "B1", "assessment-design", 4), ("B3", "B1", "assessment-design", 1),
                 ("D2", "A1", "assessment-design", 4), ("B1", "B3", "assessment-design", 2),
                 ("B3", "B2", "anti-bullying", 1), ("C0", "B3", "anti-bullying", 3),
                 ("D2", "B3", "assessment-design", 2), ("A0", "C1", "assessment-design", 2),
                 ("B0", "B1", "assessment-design", 3), ("A0", "C1", "anti-bullying", 3)],
}  # fmt: skip


def test_an_areas_active_is_not_recoverable_for_head_c(store: Connection) -> None:
    load(store, ACTIVE_IN_AN_AREA)
    check(store, ACTIVE_IN_AN_AREA, Viewer("headteacher", "C", "head-C"), headline=True)


#: Found by BROKERING_PROPERTY_TRIALS=60 once the model's premise was mended (above), on
#: the code with the ledger's covers on the flows (and failing on the code before them
#: too). Head C, with each area's headline: the
#: flow A>C in assessment (A0 to C1: one person head C cannot see) is hidden, yet follows
#: from A>C over all areas (2, shown) less behaviour's part of it — every pairing here is on
#: head C's pairings page, so the alliance's and each area's totals are theirs to count.
#: C1's two partners are unnamed on that page; A>C shown whole places both at A. Not worked
#: out in the session that found it: a strict xfail, for the next to turn into a plain test.
PARTNERS_PLACED_BY_A_WHOLE_CELL = {
    "schools": ["A", "B", "C", "D"],
    "staff": [("A0", "A", False), ("A1", "A", False), ("B0", "B", True), ("B1", "B", True),
              ("B2", "B", False), ("B3", "B", False), ("C0", "C", False), ("C1", "C", True),
              ("C2", "C", True), ("D0", "D", False), ("D1", "D", False), ("D2", "D", True)],
    "pairings": [("B2", "B1", "assessment-design", 4), ("D2", "A1", "assessment-design", 4),
                 ("D2", "A1", "assessment-design", 4), ("B1", "B3", "assessment-design", 2),
                 ("B2", "B1", "assessment-design", 4), ("C0", "B3", "anti-bullying", 2),
                 ("D2", "B3", "assessment-design", 2), ("A0", "C1", "assessment-design", 2),
                 ("B0", "B1", "assessment-design", 3), ("A0", "C1", "anti-bullying", 3)],
}  # fmt: skip


@pytest.mark.xfail(strict=True, reason="PARTNERS_PLACED_BY_A_WHOLE_CELL: found, not yet closed")
def test_a_whole_cell_does_not_place_head_cs_partners(store: Connection) -> None:
    load(store, PARTNERS_PLACED_BY_A_WHOLE_CELL)
    check(
        store, PARTNERS_PLACED_BY_A_WHOLE_CELL, Viewer("headteacher", "C", "head-C"), headline=True
    )
