"""Property-based: the Transfer page under its School filter, with the alliance's views, as
one system of linear equations. Over random alliances, for every role (governor, SLE
coordinator, each head), no hidden figure resting on 1 to threshold-1 people the role
cannot see — of the outcomes by receiving school and by skill area, hours against outcome,
the ratings' counts, or the headline, of the whole alliance or any one school, over all
areas or one — can be worked out from everything else the role sees together: the same
charts' other views, the headline and the trend (pairings active, evidenced transfers,
overdue reviews, pairings judged) of every view, the flow matrices, and the reciprocity
ledger by school and by relationship — beyond what the alliance's views alone give away
(those are the alliance's rules': the known gaps below).

Why one system: the charts are tied to each other and to the figures beside them — the
hours chart's transferred is the outcomes' transferred and the headline's evidenced
transfers; a school's outcomes add up over the outcomes to its pairings active, over the
receiving schools to its row of the flows and the ledger; and a school's view less the
alliance's is the work elsewhere. `test_school_charts_properties` holds each chart as its
own measure; this test holds them together.

The model is `test_outcomes_joint_properties`' (its views, what the viewer knows, which
hidden figures the rule protects), its cells made wider: every kind of pairing there could
be (giving school, receiving school, skill area, outcome, hours band for a judged pairing,
whether it has ratings before and after). What the viewer knows beyond it: each cell
between two schools whose every member they see (a head's own school with itself), and a
count they know to be 0 (each cell in it empty). Two attackers: a kind with no pairing not
known to be empty unless a figure shown as 0 says so or a view listing what is present
leaves it out (the outcomes' cover along the outcomes rests on that); and the attacker's
best case of `test_school_charts_properties`, who knows which kinds there are. Sums of
hours and of ratings are other measures (`test_school_charts_properties`,
`test_headline_school_properties`). More trials: BROKERING_PROPERTY_TRIALS=300.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings

from brokering.dashboard import ratings, school_tables, transfer
from brokering.dashboard.outcomes import HOUR_BANDS
from brokering.db import Connection
from brokering.viewer import Viewer
from tests import alliances as made
from tests import test_outcomes_joint_properties as joint
from tests import test_school_charts_properties as charts

TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "5"))
JUDGED = ("transferred", "not transferred")
#: The hidden figures this test holds: the charts' and the headline's (the flows' and the
#: ledger's are `test_flow_suppression_properties`', with its known gap).
HELD = ("outcome", "hours", "rated", "active", "transferred", "overdue", "judged", "trend")


class Cells(joint.Views):
    """`test_outcomes_joint_properties.Views` over wider cells: (giving school, receiving
    school, area, outcome, hours band — a judged pairing's, else None —, rated). Its views
    ask the first four fields; the charts' ask all six (`width=6`)."""

    def __init__(self, a: dict) -> None:  # the base's cells are narrower: not called
        school = {r: s for r, s, _ in a["staff"]}
        schools, areas = a["schools"], sorted(set(charts.SKILLS.values()))
        outcomes = [*sorted({joint.OUTCOME.get(s, s) for s in charts.STATUSES}), "open, not due"]
        bands = [label for *_, label in HOUR_BANDS]
        self.cells = [
            (g, r, ar, o, b, rt)
            for g in schools
            for r in schools
            for ar in areas
            for o in outcomes
            for b in (bands if o in JUDGED else [None])
            for rt in (False, True)
        ]
        at = {c: k for k, c in enumerate(self.cells)}
        self.count = np.zeros(len(self.cells))
        self.people: list[set[str]] = [set() for _ in self.cells]
        for x, y, skill, status, hours, rated in a["pairings"]:
            o = joint.OUTCOME.get(status, status)
            if o == "open" and rated is not None:  # its observation is evidence: not overdue
                o = "open, not due"
            b = charts.band(float(hours)) if o in JUDGED else None
            k = at[(school[x], school[y], charts.SKILLS[skill], o, b, rated is not None)]
            self.count[k] += 1
            self.people[k] |= {x, y}
        self.shown: list[np.ndarray] = []
        self.names: list[str] = []
        self.hidden: list[tuple[str, np.ndarray]] = []
        self.empty = np.zeros(len(self.cells), bool)

    def add(self, name: str, v: np.ndarray, value: object, hidden: bool | None = None) -> None:
        before = len(self.shown)
        super().add(name, v, value, hidden)
        self.names += [name] * (len(self.shown) - before)


def school_filter(con: Connection, a: dict, viewer: Viewer, v: Cells) -> None:
    """Every view the page's two filters offer beyond the alliance's (`joint.collect`): each
    school's outcomes by receiving school, flows and headline (`joint.scope_figures`), and
    for every view the outcomes by skill area, hours against outcome, the ratings' counts
    and the trend's term."""
    term = charts.TERM
    for scope in charts.scopes(a):
        into = joint.inside(scope)
        where = ", ".join(x for x in (scope.school_id, scope.area or "all areas") if x)
        if scope.school_id is not None:
            joint.scope_figures(con, viewer, v, scope, (term.start, term.end))
        frame = transfer.outcomes_by(con, viewer, "area", scope, term.start, term.end)
        for row in frame.itertuples():
            cell = v.vec(lambda g, r, ar, o, row=row, into=into: joint.kind(o) == row.outcome
                         and ar == row.group and into(g, r, ar))  # fmt: skip
            v.add(f"outcome {row.outcome} in {row.group} in {where}", cell, row.pairings)
        v.listed(lambda g, r, ar, o, into=into: (joint.kind(o), ar) if into(g, r, ar) else None,
                 set(zip(frame["outcome"], frame["group"], strict=True)))  # fmt: skip
        for row in transfer.hours_against_outcome(con, viewer, scope).itertuples():
            cell = v.vec(lambda g, r, ar, o, b, rt, row=row, into=into: o == row.outcome
                         and b == row.hours and into(g, r, ar), width=6)  # fmt: skip
            v.add(f"hours {row.hours} {row.outcome} in {where}", cell, row.pairings)
        ratings = transfer.ratings_before_after(con, viewer, scope)
        for row in ratings[ratings["when"] == "before"].itertuples():
            cell = v.vec(lambda g, r, ar, o, b, rt, row=row, into=into: rt and ar == row.area
                         and into(g, r, ar), width=6)  # fmt: skip
            v.add(f"rated in {row.area} in {where}", cell, row.pairings, bool(row.hidden))
        v.listed(lambda g, r, ar, o, b, rt, into=into: ar if rt and into(g, r, ar) else None,
                 set(ratings["area"]), width=6)  # fmt: skip
        trend = transfer.trend_by_term(con, viewer, scope, joint.END)
        rows = trend[trend["term"] == term.label] if not trend.empty else trend
        for _, row in rows.iterrows():
            for col, outs in (("pairings active", None), ("evidenced transfers", ("transferred",))):
                cell = v.vec(lambda g, r, ar, o, outs=outs, into=into: (outs is None or o in outs)
                             and into(g, r, ar))  # fmt: skip
                v.add(f"trend {col} in {where}", cell, row[col], pd.isna(row[col]))


class Span:
    """The span of a set of vectors, worked out once (an orthonormal basis of it), so each
    hidden figure is asked of it in one product (`test_suppression_properties.recoverable`
    per figure, without a rank per figure)."""

    def __init__(self, rows: list[np.ndarray], n: int) -> None:
        self.basis = np.zeros((0, n))
        if rows:
            _, s, vt = np.linalg.svd(np.array(rows, dtype=float), full_matrices=False)
            self.basis = vt[s > 1e-9 * max(1.0, float(s.max()))]

    def holds(self, target: np.ndarray) -> bool:
        rest = target - self.basis.T @ (self.basis @ target)
        return float(np.linalg.norm(rest)) < 1e-7 * max(1.0, float(np.linalg.norm(target)))


def whole_schools(v: Cells, a: dict, viewer: Viewer) -> list[np.ndarray]:
    """Beyond `joint.known`: each cell between two schools whose every member the viewer
    sees (a head's own school with itself; for others, schools whose staff all share) —
    every pairing of it they see, so they know its count, none included."""
    seen = {s for s in a["schools"]
            if all(joint.sees(viewer, a, r) for r, x, _ in a["staff"] if x == s)}  # fmt: skip
    eye = np.eye(len(v.cells))
    return [eye[k] for k, c in enumerate(v.cells) if c[0] in seen and c[1] in seen]


def figures(con: Connection, a: dict, viewer: Viewer) -> Cells:
    """Everything `viewer` is shown on the Transfer page, the alliance's views and every
    school's, as vectors over the cells."""
    v = joint.collect(con, a, viewer, Cells(a))
    school_filter(con, a, viewer, v)
    return v


def leaks(
    con: Connection,
    a: dict,
    viewer: Viewer,
    held: tuple[str, ...] = HELD,
    kinds_known: bool = False,
    v: Cells | None = None,
) -> list[tuple[str, bool, list]]:
    """The hidden figures (named from `held`) `viewer` could work out: (name, whether the
    alliance's views alone give it away, the shown figures it follows from). `kinds_known`:
    the attacker's best case of `test_school_charts_properties` — which kinds of pairing
    there are is known (every empty kind known empty). `v`: `figures`, already read."""
    v = figures(con, a, viewer) if v is None else v
    empty = v.empty | (v.count == 0) if kinds_known else v.empty
    known = [*joint.known(v, a, viewer), *whole_schools(v, a, viewer)]
    for k in known:  # a count known to be 0: each cell in it is empty (none is negative)
        if k @ v.count == 0:
            empty = empty | (k > 0)
    keep = ~empty
    n = int(keep.sum())
    know = [k[keep] for k in known]
    shown = [s[keep] for s in v.shown]
    alone, together = Span(know, n), Span(know + shown, n)
    theirs = Span(know + [s for s, name in zip(shown, v.names, strict=True)
                          if not re.search(r" in [A-Z], ", name)], n)  # fmt: skip
    out = []
    for name, target in v.hidden:
        if not name.startswith(held) or not joint.rests_on_few(v, a, viewer, target):
            continue
        t = target[keep]
        if together.holds(t) and not alone.holds(t):
            why = charts.why(know, shown, v.names, t)
            why = sorted(why, key=lambda w: -abs(w[1]))[:12]
            out.append((name, theirs.holds(t), why))
    return out


def check(con: Connection, a: dict, viewer: Viewer) -> None:
    """No hidden figure the School filter's views give away: every one `viewer` could work
    out is given away by the alliance's views alone (the alliance's own rules': see the
    known gaps below), never only with a school's."""
    v = figures(con, a, viewer)
    for kinds_known in (False, True):
        found = leaks(con, a, viewer, kinds_known=kinds_known, v=v)
        found = [(name, why) for name, theirs, why in found if not theirs]
        assert not found, (viewer, kinds_known, found, a)


@settings(
    max_examples=TRIALS,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=charts.alliances())
@example(a=charts.RATINGS_BETWEEN)
def test_no_hidden_figure_is_recoverable_across_the_school_filter(
    store: Connection, a: dict
) -> None:
    if not a["pairings"]:
        return
    charts.load(store, a)
    for viewer in made.roles(a["schools"]):
        check(store, a, viewer)


def test_without_the_school_rule_the_check_fails(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check can fail: a school's views hidden on their own alone (not weighed against
    the alliance's and the other schools') give figures away in the attacker's best case
    (`test_school_charts_properties.RATINGS_BETWEEN`: B's ratings are the alliance's less
    C's)."""
    monkeypatch.setattr(school_tables, "grid_beside", lambda grid, *_: _[-1](grid))
    monkeypatch.setattr(ratings, "ratings_beside", lambda *args, **_: args[-1])
    charts.load(store, charts.RATINGS_BETWEEN)
    with pytest.raises(AssertionError):
        check(store, charts.RATINGS_BETWEEN, Viewer("viewer"))


#: Found by a random hunt (a governor; the SLE coordinator and heads too); failed before
#: this change. Three transferred pairings of under 6 hours, each on two people: B's hours
#: chart showed its one band of transfers (2, both of B's pairings), though its cell in
#: behaviour was hidden for the work elsewhere's sake (C0 to A0, two people) — the band was
#: taken as B's grand total, shown elsewhere, but B's headline hides it for the same work
#: elsewhere. The alliance's band (3) less B's gave A's one transfer away (the outcomes',
#: hidden). A school's total whose work elsewhere rests on someone unseen is now hidden
#: with any of its cells, even as an outcome's only band.
ONE_BAND_BESIDE = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", False), ("B0", "B", False), ("B1", "B", True), ("B2", "B", False),
              ("B3", "B", False), ("C0", "C", False)],
    "pairings": [("C0", "A0", "anti-bullying", "transferred", 1, None),
                 ("B1", "B3", "anti-bullying", "transferred", 4, None),
                 ("B0", "B2", "assessment-design", "transferred", 4, None)],
}  # fmt: skip


def test_a_schools_one_band_is_hidden_with_its_cell(store: Connection) -> None:
    charts.load(store, ONE_BAND_BESIDE)
    check(store, ONE_BAND_BESIDE, Viewer("viewer"))


#: Found by a hunt of 100 alliances (a governor); the alliance's views alone give it away,
#: so it is not the School filter's (`check` passes) but the alliance's charts beside its
#: headline; failed before `chart_hiding.totals_unshown`. The alliance's 7 pairings active
#: (headline) less its open pairings (the 2 overdue reviews; A's open, shown), its stopped
#: (A's 2, shown) and its not transferred (2: hours against outcome, its one band shown over
#: all areas though both its cells are hidden) left its one transferred pairing (A1 to A2):
#: A's transferred in the outcomes, the alliance's evidenced transfers in the headline and
#: its "under 6 h, transferred" in the hours chart, each hidden on its two people. The hours
#: chart showed an outcome's one band as that outcome's total, taken to be shown elsewhere;
#: here the headline hides the transfers, and so the pairings judged, in the only term with
#: any (no second term to hide beside it). An outcome's total over all time is now hidden
#: with its cells, even as its one band, exactly where the headline hides its figure in one
#: term alone (`totals_unshown`); where the headline shows it, the band is shown as before
#: (`test_dashboard_suppression.test_hours_bands_are_never_one_hidden_cell_short`).
HOURS_TELL = {
    "schools": ["A", "B"],
    "staff": [("A1", "A", True), ("A2", "A", False), ("A3", "A", False), ("B0", "B", True)],
    "pairings": [("A1", "A2", "assessment-design", "stopped", 4, None),
                 ("A1", "A2", "assessment-design", "transferred", 1, None),
                 ("A3", "A1", "assessment-design", "active", 14, None),
                 ("A3", "B0", "assessment-design", "not transferred", 1, None),
                 ("B0", "A2", "assessment-design", "stopped", 1, None),
                 ("A3", "A1", "anti-bullying", "not transferred", 1, None),
                 ("A2", "A3", "assessment-design", "active", 8, None)],
}  # fmt: skip


def test_the_hours_chart_keeps_a_total_the_headline_hides(store: Connection) -> None:
    charts.load(store, HOURS_TELL)
    assert not leaks(store, HOURS_TELL, Viewer("viewer"))


#: Found by a random hunt (a governor), only by the attacker who knows which kinds of pairing there
#: are; failed before the ratings' tie to outcomes (then `chart_hiding.tied_hidden`, now
#: `ratings._school_sql`'s `tied`). The alliance's 3 evidenced transfers (headline) less C's 2
#: pairings rated in assessment (the ratings chart under the School filter: C's two pairings, both
#: transferred, both rated) left B's one transfer within B (B1 to B2, two people) — given that every
#: rated pairing with C is a transfer, and every transfer with C rated, which only that attacker
#: knows. The ratings chart was weighed beside the alliance's and the schools' ratings alone
#: (`chart_hiding. ratings_beside`); a count whose rated pairings are every pairing of the outcomes
#: they are in is those outcomes' figures under another name, and is now hidden where the view's
#: outcomes by area hide one of them (C's transferred in assessment, hidden beside B's).
RATED_TELLS = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", False), ("B0", "B", True), ("B1", "B", True), ("B2", "B", True),
              ("B3", "B", False), ("C0", "C", False), ("C1", "C", True), ("C2", "C", False)],
    "pairings": [("A0", "B2", "assessment-design", "stopped", 14, (1, 3)),
                 ("C0", "B2", "assessment-design", "active", 8, None),
                 ("B1", "B2", "assessment-design", "transferred", 8, (2, 4)),
                 ("B1", "C1", "assessment-design", "transferred", 1, (2, 3)),
                 ("C1", "B0", "anti-bullying", "active", 8, (2, 3)),
                 ("B2", "C2", "assessment-design", "transferred", 4, (3, 4)),
                 ("B2", "B3", "assessment-design", "stopped", 8, (2, 4))],
}  # fmt: skip


def test_a_ratings_count_that_is_an_outcomes_figure_hides_with_it(store: Connection) -> None:
    charts.load(store, RATED_TELLS)
    check(store, RATED_TELLS, Viewer("viewer"))


#: Found by BROKERING_PROPERTY_TRIALS=50 (head A), by two hunts apart; failed before
#: `brokering.placing` (`school_tables.grid` weighs it now): the School filter's form of
#: `test_outcomes_joint_properties.PLACED_BY_A_CELL`. A0 (their own school) to B0 (not
#: sharing), open, is on head A's pairings page with its recipient at "a partner school" (B
#: or C: C1 does not share). A's view's open pairings received at C (1: A1 to C2, resting
#: only on people head A sees, so shown) hold no other, so that recipient is not at C: B's
#: open in A's view (1, hidden on B0) is that pairing, and its school is told. A's view's
#: open at C now weighs B0, whose school it settles (`placing.settled`), and is hidden.
PLACED_IN_A_VIEW = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("A1", "A", True), ("A2", "A", False), ("B0", "B", False),
              ("C0", "C", True), ("C1", "C", False), ("C2", "C", True)],
    "pairings": [("A2", "A0", "assessment-design", "not transferred", 1, (2, 4)),
                 ("C1", "B0", "assessment-design", "active", 8, (3, 4)),
                 ("A0", "B0", "anti-bullying", "active", 14, (2, 4)),
                 ("A0", "A2", "assessment-design", "not transferred", 4, (2, 4)),
                 ("A1", "C2", "assessment-design", "active", 4, (2, 3)),
                 ("A0", "C1", "anti-bullying", "not transferred", 4, None),
                 ("C0", "C2", "assessment-design", "active", 4, (2, 3)),
                 ("C0", "C1", "anti-bullying", "stopped", 4, (2, 3))],
}  # fmt: skip


def test_a_schools_view_never_places_a_partner_school(store: Connection) -> None:
    charts.load(store, PLACED_IN_A_VIEW)
    check(store, PLACED_IN_A_VIEW, Viewer("headteacher", "A", "head-A"))


#: Found by BROKERING_PROPERTY_TRIALS=60 (helper area22's hunt, PLACED_IN_A_VIEW's family
#: skipped); fails on the code before that session's changes too. Head A: B's view's
#: pairings stopped in assessment (B0 with C0, each way) are hidden on C0, whom head A cannot
#: see — but the reciprocity ledger's B given and B received (3 + 1: every pairing of B's)
#: less B's view's open pairings (B0 to A0 in assessment, B0 to A1 in behaviour, both shown)
#: leave them. Head C likewise works out B's pairings active in behaviour (B0 to A1: A1
#: does not share) from B given less B's assessment figures. The ledger's school totals are
#: a line total over B's outcomes that B's view's outcomes are not weighed against (rule 3
#: of `hiding.grid_hidden` weighs a receiving school's row, not the viewed school's whole:
#: `outcome_cover`). The same hunt found it again for head B and the SLE coordinator: A's
#: pairings active in behaviour as "A given" (A gives in every pairing it has) less A's
#: assessment figures. Closed on the ledger's side (`pairings.ledger_cover`): B's row rests
#: on no one head A cannot see (B0), and so said, shown, that B0's listed pairings with C0
#: ("a partner school": B or C) are not within B — it placed C0. Each listed pairing's
#: unnamed side now keeps a cover, here B's own row (for head C too: B0 to A1's recipient),
#: so the totals these views were taken from are hidden. Held for every role (head B and the
#: coordinator held on this alliance before; their form was another alliance's).
LEDGER_TOTALS_OF_B = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("A1", "A", False), ("B0", "B", True), ("C0", "C", False)],
    "pairings": [("B0", "A1", "anti-bullying", "active", 4, None),
                 ("B0", "C0", "assessment-design", "stopped", 14, None),
                 ("C0", "B0", "assessment-design", "stopped", 1, (1, 3)),
                 ("A0", "A1", "assessment-design", "stopped", 8, (1, 3)),
                 ("B0", "A0", "assessment-design", "active", 4, (2, 4)),
                 ("A0", "C0", "assessment-design", "transferred", 14, (2, 3)),
                 ("C0", "A0", "anti-bullying", "stopped", 14, (1, 3))],
}  # fmt: skip


def test_the_ledgers_totals_of_a_viewed_school_keep_its_hidden_cells(
    store: Connection,
) -> None:
    charts.load(store, LEDGER_TOTALS_OF_B)
    for viewer in made.roles(LEDGER_TOTALS_OF_B["schools"]):
        check(store, LEDGER_TOTALS_OF_B, viewer)


#: Found by BROKERING_PROPERTY_TRIALS=60 (helper area22's hunt); fails on the code before
#: that session's changes too; only the attacker who knows which kinds of pairing there are
#: (RATED_TELLS' family). The governor: the evidenced transfer in behaviour (C1 to B0, two
#: people) is hidden everywhere — the alliance's, B's and C's behaviour figures, the
#: outcomes' "transferred at B" and its hours band — but C's ratings count in assessment
#: (2: C3 with B2, not transferred, and B0 to C3, stopped — every pairing of both outcomes
#: there rated) beside the alliance's and B's evidenced transfers over all areas told it:
#: the count is C's (and, with no such work elsewhere, the alliance's) not transferred and
#: stopped in assessment, each hidden on its two people, so the alliance's pairings there
#: (4) less it gave its transfers there (2, hidden as their cover), and the 3 over all
#: areas less those gave behaviour's one. `ratings._school_sql`'s `tied` hid a count tied
#: to its outcomes only where their work elsewhere rests on few; closed: also where the
#: school's own pairings of one of them do (C's not transferred in assessment: the count
#: would be that hidden cell with the others, shown under another name). Failed (strict
#: xfail) before.
RATED_BESIDE_THE_TRANSFERS = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", False), ("B0", "B", False), ("B1", "B", True), ("B2", "B", True),
              ("C0", "C", True), ("C1", "C", False), ("C2", "C", False), ("C3", "C", True)],
    "pairings": [("B1", "B0", "assessment-design", "transferred", 4, (2, 3)),
                 ("C3", "B1", "anti-bullying", "stopped", 8, (1, 3)),
                 ("C3", "B1", "anti-bullying", "active", 4, (3, 4)),
                 ("B0", "C3", "anti-bullying", "not transferred", 4, (1, 3)),
                 ("C1", "B0", "anti-bullying", "transferred", 1, (2, 4)),
                 ("A0", "C3", "anti-bullying", "active", 1, (3, 4)),
                 ("C3", "B2", "assessment-design", "not transferred", 8, (1, 3)),
                 ("B0", "A0", "assessment-design", "transferred", 8, (3, 4)),
                 ("B0", "C3", "assessment-design", "stopped", 14, (3, 4))],
}  # fmt: skip


def test_a_ratings_count_tied_to_a_hidden_cell_hides_with_it(store: Connection) -> None:
    charts.load(store, RATED_BESIDE_THE_TRANSFERS)
    check(store, RATED_BESIDE_THE_TRANSFERS, Viewer("viewer"))


#: Route (b) of the last session's note, "the ratings tie rule with cover cells" (helper
#: rules30's strongest hand-made attempt; passes). The governor: C's three stopped pairings in
#: assessment (six people, all rated) are its whole ratings count there, every stopped
#: pairing of it rated and its one not transferred (A0 to C3, two people) not — so the count
#: (3, shown) is C's "stopped in assessment" under another name. That cell is hidden in C's
#: outcomes only as a cover (beside the not transferred, hidden on its two people), and
#: `ratings`' tie weighs only whether the outcomes' groups rest on 1 to threshold-1 people,
#: not whether a cell is a cover: the count shows the cover's figure. It gives nothing
#: away here: the not transferred stays hidden beside C's other cells of the line (open,
#: transferred: empty, hidden too) and C's headline in the area, and `check` (every figure
#: of every role, as one system) finds no figure resting on few recoverable. Not shown
#: closed: a line whose one cover is a tied count's outcome was not built.
RATED_COVER = {
    "schools": ["A", "C", "D"],
    "staff": [("A0", "A", False), ("A1", "A", False), ("C0", "C", False), ("C1", "C", False),
              ("C2", "C", False), ("C3", "C", False), ("D0", "D", False), ("D1", "D", False),
              ("D2", "D", False), ("D3", "D", False)],
    "pairings": [("D0", "C0", "assessment-design", "stopped", 2, (2, 3)),
                 ("D1", "C1", "assessment-design", "stopped", 2, (2, 3)),
                 ("D2", "C2", "assessment-design", "stopped", 2, (1, 3)),
                 ("A0", "C3", "assessment-design", "not transferred", 2, None),
                 ("A1", "D3", "anti-bullying", "transferred", 1, None)],
}  # fmt: skip


def test_a_ratings_count_beside_a_cover_cell_gives_nothing_away(store: Connection) -> None:
    charts.load(store, RATED_COVER)
    for viewer in made.roles(RATED_COVER["schools"]):
        check(store, RATED_COVER, viewer)


#: Route (c) of the last session's note, "the school's reverse of school_hours" (helper
#: rules30's strongest hand-made attempt; passes). The governor: the alliance's transfers
#: under 6 h (3: A0 to B0, A1 to B1, C0 to A4) are shown, B's (2) hidden — the alliance's
#: less B's would be C0 to A4 alone, two people (`chart_hiding`). Were B's total of transfers
#: told by its headline (4, eight people), its hidden band would be that total less its
#: 6-12 h band (2) — shown outright by `school_hours.shown_where_told` — and the alliance's
#: band less it would give C0 to A4 away. Stopped by the headline's own rule for a school's
#: view: B's evidenced transfers are hidden because the rest without anyone from B (C0 to
#: A4) rests on two people (`unlisted.split_and_forced`, "rest_out"), so nothing is told
#: and the band stays hidden. (Over several terms the chart's all-time bands and the
#: headline's terms count different pairings; not built here.)
HOURS_REVERSE = {
    "schools": ["A", "B", "C"],
    "staff": [*[(f"A{i}", "A", False) for i in range(5)],
              *[(f"B{i}", "B", False) for i in range(4)], ("C0", "C", False)],
    "pairings": [("A0", "B0", "assessment-design", "transferred", 2, None),
                 ("A1", "B1", "assessment-design", "transferred", 2, None),
                 ("A2", "B2", "assessment-design", "transferred", 8, None),
                 ("A3", "B3", "assessment-design", "transferred", 8, None),
                 ("C0", "A4", "assessment-design", "transferred", 2, None)],
}  # fmt: skip


def test_a_schools_hours_never_tell_the_work_elsewhere(store: Connection) -> None:
    charts.load(store, HOURS_REVERSE)
    for viewer in made.roles(HOURS_REVERSE["schools"]):
        check(store, HOURS_REVERSE, viewer)
    governor = Viewer("viewer")
    b = transfer.hours_against_outcome(store, governor, joint.Scope("B", None))
    under = b[(b["hours"] == "under 6 h") & (b["outcome"] == "transferred")]
    assert under["pairings"].isna().all()  # B's band under 6 h stays hidden
    figs = transfer.headline(store, governor, joint.TERM, joint.Scope("B", None), joint.END)
    assert next(f for f in figs if f.key == "transferred").hidden  # nothing told of B's total
