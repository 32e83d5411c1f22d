"""Property-based: over random alliances, for every role, no hidden headline figure of the
Transfer page for one skill area — nor one of its trend — can be worked out by subtracting
the other areas' figures from the whole alliance's (the page offers every area and the
whole, and the areas add up to the whole).

The model: every pairing runs in the one term shown, so the term's figures are sums over
pairings — of ones (pairings active, evidenced transfers, overdue reviews, and the pairings
judged that a transfer rate beside its count gives away) or of each pairing's hours (which
hours per evidenced transfer beside its count gives away). A hidden figure is recoverable
when its vector over the pairings lies in the span of the same figure's shown values (the
whole's and the areas') and what the viewer already knows (each pairing whose people they
can all see). Relations between different figures of one view (pairings active against
those judged and those overdue) are not this test's subject. More trials:
BROKERING_PROPERTY_TRIALS=500.
"""

from __future__ import annotations

import os
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from brokering.dashboard import hiding, transfer
from brokering.dashboard.facts import Scope
from brokering.db import Connection
from brokering.terms import term_of
from brokering.viewer import Viewer
from tests import alliances as made
from tests.alliances import Pairing
from tests.test_suppression_properties import recoverable

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "25"))
TERM = term_of(date(2026, 10, 1))
AS_OF = date(2027, 1, 15)
SKILLS = {
    "assessment-design": "Assessment and curriculum",
    "anti-bullying": "Behaviour and culture",
    "adaptive-teaching": "Classroom practice",
}
STATUSES = ("active", "transferred", "not transferred", "stopped")


@st.composite
def alliances(draw: st.DrawFn) -> dict:
    fields = (st.sampled_from(sorted(SKILLS)), st.sampled_from(STATUSES), st.integers(1, 4))
    return made.drawn(draw, 3, *fields, most_pairings=14)


def load(con: Connection, a: dict) -> None:
    made.load(
        con,
        a["schools"],
        a["staff"],
        [Pairing(d, r, skill, status, hours) for d, r, skill, status, hours in a["pairings"]],
    )


def roles(a: dict) -> list[Viewer]:
    return made.roles(a["schools"])


def sees(viewer: Viewer, a: dict, ref: str) -> bool:
    if viewer.aggregate_only:
        return False
    school, consent = {r: (s, c) for r, s, c in a["staff"]}[ref]
    return consent or school == viewer.school_id


def check(con: Connection, a: dict, viewer: Viewer) -> None:
    n = len(a["pairings"])
    area = [SKILLS[p[2]] for p in a["pairings"]]
    status = [p[3] for p in a["pairings"]]
    hours = np.array([float(p[4]) for p in a["pairings"]])

    def vec(keep) -> np.ndarray:  # noqa: ANN001 - a predicate on a pairing's index
        return np.array([1.0 if keep(i) else 0.0 for i in range(n)])

    sets = {
        "active": lambda i: True,
        "transferred": lambda i: status[i] == "transferred",
        "overdue": lambda i: status[i] == "active",
        "judged": lambda i: status[i] in ("transferred", "not transferred"),
        "hours": lambda i: status[i] != "active",
    }
    shown: dict[str, list[np.ndarray]] = {key: [] for key in sets}
    hidden: list[tuple[str, str, np.ndarray]] = []

    def add(name: str, key: str, where: str | None, value: object, is_hidden: bool) -> None:
        v = vec(lambda i: sets[key](i) and where in (None, area[i]))
        if is_hidden or value is None or pd.isna(value):
            assert is_hidden or not v.any(), (name, value)
            if v.any():
                hidden.append((name, key, v))
            return
        expected = float(v @ hours) if key == "hours" else v.sum()
        assert float(value) == pytest.approx(expected), (name, value, expected)
        shown[key].append(v)

    for where in (None, *sorted(set(SKILLS.values()))):
        figs = {f.key: f for f in transfer.headline(con, viewer, TERM, Scope(area=where), AS_OF)}
        for key in ("active", "transferred", "overdue"):
            add(f"{key} in {where}", key, where, figs[key].value, figs[key].hidden)
        t = figs["transferred"]
        # A rate (an average) beside its shown count gives its denominator (total) away.
        for derived, total in (("rate", "judged"), ("hours_per_transfer", "hours")):
            d = figs[derived]
            if not t.hidden and t.value and not d.hidden and d.value is not None:
                value = t.value * 100 / d.value if derived == "rate" else d.value * t.value
                add(f"{total} in {where}", total, where, round(value, 6), False)
            elif t.value and d.hidden:
                add(f"{total} in {where}", total, where, None, True)
        trend = transfer.trend_by_term(con, viewer, Scope(area=where), AS_OF)
        rows = trend[trend["term"] == TERM.label] if not trend.empty else trend
        for _, row in rows.iterrows():
            for col, key in (("pairings active", "active"), ("evidenced transfers", "transferred")):
                add(f"trend {key} in {where}", key, where, row[col], pd.isna(row[col]))
    know = [np.eye(n)[i] for i, p in enumerate(a["pairings"])
            if sees(viewer, a, p[0]) and sees(viewer, a, p[1])]  # fmt: skip
    for name, key, target in hidden:
        if recoverable(know, target) or made.all_listed(a, viewer, target):
            continue  # known; or counted off their pairings page, as the school model has it
        assert not recoverable(know + shown[key], target), (viewer, name, a)


#: For a coordinator the behaviour matrix's one cell (two people, both seen) was hidden with
#: its relationship, and the area's total hidden for it gave classroom practice's away as the
#: complement: a hidden cell resting only on people the viewer sees needs no cover.
FLOWS_KNOWN = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("A1", "A", False), ("B0", "B", True), ("B1", "B", True),
              ("B2", "B", False), ("B3", "B", True), ("C0", "C", True), ("C1", "C", False),
              ("C2", "C", False), ("C3", "C", True)],
    "pairings": [("C2", "C1", "adaptive-teaching", "not transferred", 3),
                 ("C1", "A1", "adaptive-teaching", "stopped", 1),
                 ("C0", "A0", "anti-bullying", "stopped", 3),
                 ("C2", "C1", "adaptive-teaching", "stopped", 2)],
}  # fmt: skip


#: Found by BROKERING_PROPERTY_TRIALS=40 (helper school25's hunt; the same on the code
#: before it). Head C: assessment's evidenced transfers (2: C0 with B0 and with A1) are
#: hidden, the whole's 5 less classroom practice's 3 and behaviour's 0 — but both pairings
#: have someone from C, so both are on head C's pairings page: they count the figure there,
#: and it is no cover (`unlisted.listed_of`, `hiding.guard_areas`). The model now treats a
#: hidden figure all listed as known (`alliances.all_listed`), as the School filter's
#: (`test_headline_school_properties.check`'s `page`) and the outcomes' models do.
LISTED_BY_HEAD_C = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", False), ("A1", "A", True), ("A2", "A", False), ("B0", "B", False),
              ("C0", "C", False), ("C1", "C", True)],
    "pairings": [("A2", "B0", "adaptive-teaching", "transferred", 3),
                 ("A1", "A0", "assessment-design", "stopped", 4),
                 ("C1", "A2", "adaptive-teaching", "transferred", 1),
                 ("A0", "A2", "adaptive-teaching", "transferred", 1),
                 ("C0", "A2", "adaptive-teaching", "active", 3),
                 ("A0", "B0", "adaptive-teaching", "stopped", 3),
                 ("A0", "C0", "assessment-design", "active", 3),
                 ("C0", "B0", "assessment-design", "transferred", 1),
                 ("C0", "A0", "anti-bullying", "not transferred", 2),
                 ("A1", "B0", "adaptive-teaching", "active", 3),
                 ("C0", "A1", "assessment-design", "transferred", 2),
                 ("C1", "A0", "adaptive-teaching", "not transferred", 3)],
}  # fmt: skip


@settings(
    max_examples=TRIALS,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
@example(a=FLOWS_KNOWN)
@example(a=LISTED_BY_HEAD_C)
def test_no_hidden_area_headline_figure_is_recoverable(store: Connection, a: dict) -> None:
    if not a["pairings"]:
        return
    load(store, a)
    for viewer in roles(a):
        check(store, a, viewer)


#: One evidenced transfer in behaviour (two people) beside three in assessment (six): the
#: whole alliance's four less assessment's three would give behaviour's one away.
SMALL = {
    "schools": ["A", "B"],
    "staff": [(f"{s}{k}", s, False) for s in "AB" for k in range(4)],
    "pairings": [
        ("A0", "B0", "anti-bullying", "transferred", 2),
        ("A1", "B1", "assessment-design", "transferred", 1),
        ("A2", "B2", "assessment-design", "transferred", 3),
        ("A3", "B3", "assessment-design", "transferred", 2),
    ],
}


def test_the_hand_built_case_hides_the_complement(store: Connection) -> None:
    load(store, SMALL)
    governor = Viewer("viewer")
    check(store, SMALL, governor)
    for where in ("Behaviour and culture", "Assessment and curriculum"):
        figs = {
            f.key: f for f in transfer.headline(store, governor, TERM, Scope(area=where), AS_OF)
        }
        assert figs["transferred"].hidden, where
    whole = {f.key: f for f in transfer.headline(store, governor, TERM, Scope(), AS_OF)}
    assert whole["transferred"].value == 4


def test_without_complementary_suppression_the_check_fails(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    def each_alone(by_area, viewer, forced=None, known=()):  # noqa: ANN001, ANN202
        return {area: hiding.guard_all(figs, viewer) for area, figs in by_area.items()}

    monkeypatch.setattr(transfer, "guard_areas", each_alone)
    load(store, SMALL)
    with pytest.raises(AssertionError):
        check(store, SMALL, Viewer("viewer"))
