"""Property-based: over random alliances, for every role, no hidden ledger figure is shown,
and none can be worked out by adding and subtracting the ledger figures that role can see.

The model is the attacker's best case: every pairing has one donor and one recipient and all
its hours flow donor to recipient, so a school's row is exactly its same-school part plus
its relationship cells, and the schools' rows add up to the alliance's totals (taken as
known). A hidden figure is recoverable when its vector over the unknown cells lies in the
span of the visible figures' vectors. More trials: BROKERING_PROPERTY_TRIALS=500.
"""

from __future__ import annotations

import os
from itertools import permutations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from brokering.db import Connection
from brokering.pairings import ledger
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer
from tests import alliances as made
from tests.alliances import Pairing

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "25"))
T = SUPPRESSION_THRESHOLD


@st.composite
def alliances(draw: st.DrawFn) -> dict:
    schools, staff, refs = made.people(draw, 5)
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(refs), st.sampled_from(refs), st.integers(1, 3)),
            min_size=1,
            max_size=10,
        )
    )
    pairings = [(d, r, h) for d, r, h in pairs if d != r]
    return {"schools": schools, "staff": staff, "pairings": pairings}


def load(con: Connection, a: dict) -> None:
    made.load(
        con,
        a["schools"],
        a["staff"],
        [Pairing(d, r, hours=h, review=None) for d, r, h in a["pairings"]],
    )


def roles(a: dict) -> list[Viewer]:
    return made.roles(a["schools"])


def recoverable(visible: list[np.ndarray], target: np.ndarray) -> bool:
    if not visible:
        return not target.any()
    v = np.array(visible, dtype=float)
    return np.linalg.matrix_rank(np.vstack([v, target])) == np.linalg.matrix_rank(v)


def check(a: dict, viewer: Viewer, by_school: pd.DataFrame, by_pair: pd.DataFrame) -> None:
    schools = a["schools"]
    school_of = {r: s for r, s, _ in a["staff"]}
    # Unknowns: each directed school-to-school cell and each school's same-school part.
    cells = list(permutations(schools, 2)) + [(s, s) for s in schools]
    index = {c: i for i, c in enumerate(cells)}

    def vec(keys: list[tuple[str, str]]) -> np.ndarray:
        out = np.zeros(len(cells))
        for k in keys:
            out[index[k]] += 1
        return out

    def given(s: str) -> np.ndarray:  # a school's pairings (or hours) given
        return vec([(s, o) for o in schools])

    def received(s: str) -> np.ndarray:
        return vec([(o, s) for o in schools])

    # Pairings and hours are separate unknowns but follow the same algebra; the balance is
    # hours given minus received. Totals of the alliance are taken as known.
    visible = [vec(cells)]
    hidden: list[tuple[str, np.ndarray]] = []
    linked = set()
    for row in by_pair.itertuples(index=False):
        a_, b_ = row.school_a, row.school_b
        linked |= {(a_, b_), (b_, a_)}
        shown = not pd.isna(row.pairings_a_to_b)
        assert shown == (not pd.isna(row.people)) == (not pd.isna(row.hours_b_to_a))
        for key in ((a_, b_), (b_, a_)):
            if shown:
                visible.append(vec([key]))
            else:
                hidden.append((f"{key[0]} to {key[1]}", vec([key])))
    for row in by_school.itertuples(index=False):
        s = row.school_id
        shown = not pd.isna(row.pairings_given)
        assert shown == (not pd.isna(row.people)) == (not pd.isna(row.balance))
        figures = [given(s), received(s), given(s) - received(s)]
        if shown:
            visible += figures
        else:
            hidden += [(s, f) for f in figures]
    # What the viewer knows without the ledger: the alliance totals, pairs of schools with
    # nothing between them, and — for a school whose every participant they can see — its
    # row and same-school part (added up from the pairings list). A hidden figure must not be
    # recoverable from the ledger unless it already was from these.
    known = [visible[0]] + [vec([k]) for k in permutations(schools, 2) if k not in linked]
    for s in schools:
        people = {r for d, r_, _ in a["pairings"] for r in (d, r_) if school_of[r] == s}
        if all(_sees(viewer, school_of[p], p, a) for p in people):
            known += [vec([(s, s)]), given(s), received(s)]
    for a_, b_ in permutations(schools, 2):  # a relationship between people all seen
        between = [(d, r) for d, r, _ in a["pairings"] if {school_of[d], school_of[r]} == {a_, b_}]
        if between and all(_sees(viewer, school_of[p], p, a) for x in between for p in x):
            known.append(vec([(a_, b_)]))
    visible += known
    for name, target in hidden:
        if not recoverable(known, target):
            assert not recoverable(visible, target), (viewer, name, by_school, by_pair)


def _sees(viewer: Viewer, school: str, ref: str, a: dict) -> bool:
    if viewer.aggregate_only:
        return False
    consent = {r: c for r, _, c in a["staff"]}[ref]
    return consent or school == viewer.school_id


#: Found by BROKERING_PROPERTY_TRIALS=100 after the ledger's covers (`ledger_cover`) were
#: added: the one pairing is within A (A1 sharing, A0 not), so the SLE coordinator lists it
#: with an unnamed side and there is no relationship between two schools at all — the cover
#: rule read an end of no relationship and failed (IndexError). It now looks for none.
NO_RELATIONSHIP = {
    "schools": ["A", "B", "C", "D", "E"],
    "staff": [("A0", "A", False), ("A1", "A", True), ("B0", "B", True), ("C0", "C", False),
              ("D0", "D", False), ("E0", "E", False)],
    "pairings": [("A0", "A1", 1)],
}  # fmt: skip


@settings(
    max_examples=TRIALS,
    deadline=None,
    # A long run reports the failing alliance as found: shrinking it costs minutes.
    phases=tuple(Phase) if TRIALS <= 25 else (Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances())
@example(a=NO_RELATIONSHIP)
def test_no_hidden_ledger_figure_is_shown_or_recoverable(store: Connection, a: dict) -> None:
    load(store, a)
    for viewer in roles(a):
        check(a, viewer, *ledger.school_views(store, viewer))
