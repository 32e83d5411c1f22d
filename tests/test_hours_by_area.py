"""The hours chart for one skill area weighed against the headline's figures for that area,
term by term: a governor, a head of another school.

Why: the hours chart (hours against outcome) counts concluded pairings over all time, so an
area's bands of one outcome add up to that outcome's figures for the area summed over the
terms — and the headline shows those term by term. Where the headline hides an area's
figure in exactly one term (e.g. as cover for another area, resting on enough people), the
area's bands all shown would give it away as their sum less the terms shown, and with it
the figure it covers. The model is `test_headline_terms_properties`' (pairings start in one
of two terms and conclude in one of three), over the pairings: a figure is a vector over
them; a hidden one is recoverable when it lies in the span of the shown figures and what
the viewer knows (each pairing whose people they can all see). The alliances the property
test's hunts found, each closed, are held by `check` in tests/test_hours_by_area_found.py."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from brokering.dashboard import hours, hours_cover, transfer
from brokering.dashboard.facts import Scope, facts
from brokering.dashboard.outcomes import HOUR_BANDS
from brokering.db import Connection
from brokering.pairings import views
from brokering.terms import previous_term, term_of
from brokering.viewer import Viewer
from tests import test_headline_terms_properties as terms_model
from tests.test_suppression_properties import recoverable

SKILLS, TERMS, AS_OF = terms_model.SKILLS, terms_model.TERMS, terms_model.AS_OF
AREAS = sorted(set(SKILLS.values()))


def band(hours: float) -> str:
    return next(label for lo, hi, label in HOUR_BANDS if lo <= hours < hi)


def check(con: Connection, a: dict, viewer: Viewer, schools: bool = False) -> None:
    """No hidden headline figure (evidenced transfers, the pairings judged a rate gives away)
    nor hours chart cell, of the alliance over all areas or one — and with `schools`, of
    each school's view (its School filter) — can be worked out from the others shown (with
    the pairings' counts by status over all time, for a governor)."""
    model = terms_model.Model(a)
    records, p = model.records, a["pairings"]
    n = len(p)
    school = {r: s for r, s, _ in a["staff"]}
    ends = [{school[x[0]], school[x[1]]} for x in p]
    shown: list[np.ndarray] = []
    hidden: list[tuple[str, np.ndarray]] = []

    def add(name: str, v: np.ndarray, value: object, is_hidden: bool) -> None:
        if is_hidden or value is None or pd.isna(value):
            assert is_hidden or not v.any(), (name, value)
            if v.any():
                hidden.append((name, v))
            return
        assert float(value) == pytest.approx(v.sum()), (name, value)
        shown.append(v)

    for scope in (Scope(s, area) for s in (None, *(a["schools"] if schools else ()))
                  for area in (None, *AREAS)):  # fmt: skip
        area, where = scope.area, f"{scope.school_id or 'alliance'}, {scope.area or 'all areas'}"
        mine = np.array([1.0 if scope.school_id in (None, *e) else 0.0 for e in ends])
        for term in TERMS:
            figs = {f.key: f for f in transfer.headline(con, viewer, term, scope, AS_OF)}
            t, rate = figs["transferred"], figs["rate"]
            got = terms_model.figure(records, "transferred", term, area) * mine
            add(f"transferred {term.label}, {where}", got, t.value, t.hidden)
            judged = terms_model.figure(records, "judged", term, area) * mine
            if not t.hidden and t.value and not rate.hidden and rate.value:
                add(f"judged {term.label}, {where}", judged, t.value * 100 / rate.value, False)
            elif rate.hidden and not t.hidden:
                add(f"judged {term.label}, {where}", judged, None, True)
        hours = transfer.hours_against_outcome(con, viewer, scope, AS_OF)
        for row in hours.itertuples():
            v = mine * np.array([1.0 if r.status == row.outcome and area in (None, r.area)
                                 and band(float(x[4])) == row.hours else 0.0
                                 for r, x in zip(records, p, strict=True)])  # fmt: skip
            add(f"hours {row.hours} {row.outcome}, {where}", v, row.pairings, pd.isna(row.pairings))
    if viewer.aggregate_only:
        for row in views.status_counts(con, viewer, AS_OF).itertuples(index=False):
            if row.status in ("transferred", "not transferred"):
                v = np.array([1.0 if r.status == row.status else 0.0 for r in records])
                add(f"all-time {row.status}", v, row.pairings, pd.isna(row.pairings))
    sees = terms_model.sees
    know = [np.eye(n)[i] for i, x in enumerate(p)
            if sees(viewer, a, x[0]) and sees(viewer, a, x[1])]  # fmt: skip
    for name, target in hidden:
        if recoverable(know, target):
            continue
        assert not recoverable(know + shown, target), (viewer, name, a)


#: A governor (or C's head: nobody at A or B shares). Behaviour's one evidenced transfer in
#: Autumn 2026 (A0 with B0) is hidden on its two people, and assessment's two that term (four
#: people) beside it as cover, the whole's 3 shown; behaviour's two in Spring 2027 are shown.
#: The hours chart's behaviour bands (all time: 3, six people) and assessment's (2) were
#: shown — behaviour's Autumn figure was their 3 less Spring's 2, assessment's their 2. An
#: area's outcome the headline hides in exactly one term has one of its bands hidden too
#: (`hours_cover.areas_unshown`, as `chart_hiding.totals_unshown` for the whole). Failed
#: before.
HOURS_UNDER_AN_AREA = {
    "schools": ["A", "B", "C"],
    "staff": [*((f"{s}{k}", s, False) for s in "AB" for k in range(5)), ("C0", "C", False)],
    "pairings": [("A0", "B0", "anti-bullying", "transferred", 2, 0, 0),
                 ("A1", "B1", "anti-bullying", "transferred", 2, 0, 1),
                 ("A2", "B2", "anti-bullying", "transferred", 2, 0, 1),
                 ("A3", "B3", "assessment-design", "transferred", 2, 0, 0),
                 ("A4", "B4", "assessment-design", "transferred", 2, 0, 0)],
}  # fmt: skip


@pytest.mark.parametrize(
    "viewer", [Viewer("viewer"), Viewer("headteacher", "C", "head")], ids=["governor", "head"]
)
def test_an_areas_hours_do_not_tell_its_hidden_term(store: Connection, viewer: Viewer) -> None:
    terms_model.load(store, HOURS_UNDER_AN_AREA)
    check(store, HOURS_UNDER_AN_AREA, viewer)


def test_without_the_rule_the_check_fails(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hours, "areas_unshown", lambda *args, **kw: frozenset())
    terms_model.load(store, HOURS_UNDER_AN_AREA)
    with pytest.raises(AssertionError, match="hours|Assessment|Behaviour"):
        check(store, HOURS_UNDER_AN_AREA, Viewer("viewer"))


@settings(
    max_examples=int(os.environ.get("BROKERING_PROPERTY_TRIALS", "3")),
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=terms_model.alliances())
def test_no_hidden_hours_or_headline_figure_is_recoverable(store: Connection, a: dict) -> None:
    if not a["pairings"]:
        return
    terms_model.load(store, a)
    for viewer in terms_model.roles(a):
        check(store, a, viewer, schools=True)
        assert hours_cover.areas_unshown(store, viewer, AS_OF) == in_full(store, viewer), a


def in_full(con: Connection, viewer: Viewer) -> frozenset[tuple[str, str]]:
    """`hours_cover.areas_unshown` worked out in full, with the flows (which decide only
    pairings active): the same answer."""
    term = term_of(AS_OF)
    f = facts(con)
    terms = transfer._joint_periods(con, viewer, Scope(), AS_OF, [term, previous_term(term)], f)
    bounds = [(t.start, t.end) for t in terms]
    first = sorted(SKILLS.values())[0]
    _, out = transfer._guarded_views(con, viewer, Scope(area=first), bounds, AS_OF, f)
    return hours_cover.unshown_by_area(out)


def test_an_area_hidden_in_one_term_is_found_with_or_without_the_flows(store: Connection) -> None:
    terms_model.load(store, HOURS_UNDER_AN_AREA)
    for viewer in (Viewer("viewer"), Viewer("headteacher", "C", "head")):
        got = hours_cover.areas_unshown(store, viewer, AS_OF)
        # (Not the pairings not transferred, though the rate beside the count, hidden,
        # leaves them unknown: there are none, a term's figure of 0 hides none —
        # `chart_hiding.unshown_of`, since SUMMER_TOLD_BY_THE_TOTAL.)
        transfers = {("transferred", a) for a in AREAS}
        assert got == in_full(store, viewer) == transfers, got
