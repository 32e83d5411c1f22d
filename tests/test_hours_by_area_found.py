"""The alliances the hunts of `test_hours_by_area`'s property test found (and their kin
built by hand), each a hole in the hours chart weighed against the headline, the counts
by status or a school's view, each closed and held here by that module's `check`.

Why a module of its own: the property test and its check (tests/test_hours_by_area.py)
say what must hold for any alliance; these say which alliances broke it, why, and which
rule closed each — with the tests that take a rule away and see the check fail. "Found by
the property test" below is that module's."""

from __future__ import annotations

import numpy as np
import pytest

from brokering.dashboard import counts_cover, hours, outcomes, transfer
from brokering.dashboard.facts import Scope
from brokering.db import Connection
from brokering.viewer import Viewer
from tests import test_headline_terms_properties as terms_model
from tests.test_hours_by_area import AREAS, AS_OF, TERMS, check

#: Found by the property test with 30 trials (helper area22's hunt); fails on the code
#: before that session too (there first on the hole HOURS_UNDER_AN_AREA closed). The
#: governor: the pairings' counts by status hide "not transferred" over all time (2: C0 with
#: B0, C1 with C0) as the second figure beside the hidden "active" (`pairings.views.
#: status_counts`: never exactly one hidden) — but the hours chart over all areas shows the
#: outcome's one band, "under 6 h, not transferred": 2, the same figure (the headline hides
#: the rate in every term, so `chart_hiding.totals_unshown` leaves the total shown). The
#: counts' cover is a figure the chart shows: `status_counts` (another helper's) should pick
#: a cover the chart does not show: it now takes a status no chart adds up first
#: (`pairings.views.never_one_hidden`). Failed (strict xfail) before.
COUNTS_COVER_SHOWN_AS_A_BAND = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("A1", "A", True), ("B0", "B", True), ("C0", "C", True),
              ("C1", "C", True)],
    "pairings": [("C0", "A1", "assessment-design", "stopped", 3, 1, 1),
                 ("A0", "C1", "anti-bullying", "transferred", 2, 1, 1),
                 ("C0", "B0", "anti-bullying", "not transferred", 1, 1, 2),
                 ("C1", "C0", "assessment-design", "not transferred", 4, 0, 0),
                 ("A1", "B0", "anti-bullying", "stopped", 4, 0, 0),
                 ("A1", "B0", "assessment-design", "transferred", 3, 1, 1),
                 ("B0", "A0", "assessment-design", "stopped", 1, 1, 1),
                 ("C0", "A1", "anti-bullying", "transferred", 2, 0, 1),
                 ("A0", "A1", "anti-bullying", "transferred", 1, 0, 1),
                 ("A1", "A0", "anti-bullying", "stopped", 3, 0, 1),
                 ("A0", "B0", "assessment-design", "transferred", 4, 0, 2),
                 ("C0", "C1", "assessment-design", "active", 4, 0, 1)],
}  # fmt: skip


def test_the_counts_cover_is_no_hours_band(store: Connection) -> None:
    terms_model.load(store, COUNTS_COVER_SHOWN_AS_A_BAND)
    check(store, COUNTS_COVER_SHOWN_AS_A_BAND, Viewer("viewer"))


#: Found by the property test with 30 trials (helper area22's hunt); fails on the code
#: before that session too. The governor: the counts by status hid "transferred" over all
#: time (2: C2 to B1 and B1 to A1) as cover while the headline's Spring 2027 (the only term
#: with any) and the hours chart's one band ("under 6 h, transferred") show 2 (the family of
#: COUNTS_COVER_SHOWN_AS_A_BAND: closed since by taking a status no chart adds up first);
#: and the pairings judged in Spring were hidden (the rate hidden) as cover for Summer's (one
#: pairing not transferred, two people) though they are those same two transfers, as no
#: pairing not transferred concluded then (for the attacker who knows which kinds of
#: pairing there are). Closed: the pairings judged where none concluded not transferred are
#: the transfers shown beside them, never a cover (`hiding.told`, in `guard_terms` and
#: `guard_areas`); with no other term to hide, Summer's stays hidden alone and its total over
#: all time is hidden instead (`chart_hiding.totals_unshown`: one term alone hides it).
#: Failed (strict xfail) before.
TRANSFERS_SHOWN_TWICE = {
    "schools": ['A', 'B', 'C'],
    "staff": [("A0", "A", False), ("A1", "A", True), ("B0", "B", False), ("B1", "B", False),
              ("B2", "B", True), ("C0", "C", False), ("C1", "C", False), ("C2", "C", True),
              ("C3", "C", False)],
    "pairings": [('B1', 'C2', 'assessment-design', 'active', 2, 0, 0),
                 ('C2', 'A1', 'anti-bullying', 'active', 4, 1, 1),
                 ('C2', 'B1', 'anti-bullying', 'stopped', 4, 0, 0),
                 ('C1', 'C3', 'assessment-design', 'stopped', 4, 0, 2),
                 ('B2', 'C0', 'assessment-design', 'active', 4, 0, 2),
                 ('C2', 'B1', 'anti-bullying', 'transferred', 3, 0, 1),
                 ('B1', 'C2', 'anti-bullying', 'active', 1, 0, 0),
                 ('B1', 'A1', 'assessment-design', 'transferred', 1, 1, 1),
                 ('C1', 'C0', 'anti-bullying', 'stopped', 2, 0, 0),
                 ('C1', 'A0', 'assessment-design', 'not transferred', 2, 0, 2),
                 ('B0', 'B2', 'assessment-design', 'stopped', 2, 1, 1)],
}  # fmt: skip


def test_transfers_shown_twice_are_no_cover(store: Connection) -> None:
    terms_model.load(store, TRANSFERS_SHOWN_TWICE)
    check(store, TRANSFERS_SHOWN_TWICE, Viewer("viewer"), schools=True)


#: The same family by area (built by hand, kinds25): in Spring 2027 assessment's one pairing
#: not transferred (A0 with B0) is hidden on its two people, and behaviour's pairings judged
#: were hidden beside it as cover — but they are behaviour's two transfers, shown (no
#: pairing not transferred there), so assessment's was the whole's less them. Now the
#: whole's pairings judged are hidden instead (`hiding.guard_areas`: an area's judged that
#: is its transfers is no cover), behaviour's rate shown. Failed before.
JUDGED_BY_AREA_TOLD = {
    "schools": ["A", "B"],
    "staff": [*((f"{s}{k}", s, False) for s in "AB" for k in range(3))],
    "pairings": [("A0", "B0", "assessment-design", "not transferred", 2, 0, 1),
                 ("A1", "B1", "anti-bullying", "transferred", 2, 0, 1),
                 ("A2", "B2", "anti-bullying", "transferred", 2, 0, 1)],
}  # fmt: skip


def test_an_areas_judged_that_is_its_transfers_is_no_cover(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rule of `hiding.guard_areas` alone: the counts' cover (which hides behaviour's
    # transfers here too: `test_the_counts_cover_is_hidden_where_it_is_told`) left out.
    monkeypatch.setattr(counts_cover, "charted_cover", lambda *args: frozenset())
    terms_model.load(store, JUDGED_BY_AREA_TOLD)
    governor, spring = Viewer("viewer"), TERMS[1]
    area = {
        f.key: f for f in transfer.headline(store, governor, spring, Scope(area=AREAS[1]), AS_OF)
    }
    whole = {f.key: f for f in transfer.headline(store, governor, spring, Scope(), AS_OF)}
    assert area["transferred"].value == 2 and area["rate"].value == 100, area
    assert whole["rate"].hidden, whole


def test_the_counts_cover_is_hidden_where_it_is_told(store: Connection) -> None:
    """JUDGED_BY_AREA_TOLD, the governor: the counts by status hide "not transferred" over
    all time (1, two people) and, as its cover, "transferred" (2) — no other status has any —
    though the headline's one term with any (Spring 2027) and the hours chart's one band
    showed it. Hiding it protected nothing, and not hiding it leaves one hidden beside a
    total shown elsewhere (`test_dashboard_properties.check_status_counts`; tried, kinds25:
    taking no charted status as cover broke that). Closed (totals26): an outcome the counts
    hide as cover is hidden in a term of the headline too where none hides it (Spring's
    transfers, and so behaviour's, the only area with any), and its total over all time is
    shown nowhere (`counts_cover`: the hours chart hides its one band). Failed (strict
    xfail) before."""
    terms_model.load(store, JUDGED_BY_AREA_TOLD)
    check(store, JUDGED_BY_AREA_TOLD, Viewer("viewer"), schools=True)
    spring = {
        f.key: f for f in transfer.headline(store, Viewer("viewer"), TERMS[1], Scope(), AS_OF)
    }
    assert spring["transferred"].hidden, spring


def test_without_the_counts_cover_the_check_fails(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counts_cover, "charted_cover", lambda *args: frozenset())
    terms_model.load(store, JUDGED_BY_AREA_TOLD)
    with pytest.raises(AssertionError, match="all-time transferred"):
        check(store, JUDGED_BY_AREA_TOLD, Viewer("viewer"), schools=True)


#: Found by the property test with 40 trials (helper kinds25's hunt, the governor); fails
#: on the code before that session too. Assessment's three pairings not transferred all
#: concluded in Summer 2027 (five people): its pairings judged there are hidden (the rate,
#: 0%, hidden) as cover for behaviour's one transfer in Summer (two people) — but they are
#: the pairings not transferred over all time (3), which the counts by status and the hours
#: chart's one band show: the whole's "not transferred" counts as hidden in two terms (Spring
#: too, where none concluded: its transfers hidden as cover, so its rate), so
#: `chart_hiding.totals_unshown` left the total shown. Closed (totals26) by both: a term
#: whose own figure of the outcome is shown as 0 hides none of it (`chart_hiding.unshown_of`,
#: for the whole and, through it, each area's `hours_cover.areas_unshown`: Summer's is then
#: the total over all time, hidden in the counts), and an outcome whose total is shown
#: nowhere else has a cell of the hours chart hidden where none is
#: (`hours_cover.pick_total_cover`), its one band hidden with it even as its only row
#: (`outcome_cover.falls_in`) — in the view over all areas and in its area's (the first alone
#: made the counts hide the total while the band still showed it). The same hunt found the
#: family by area three times more (an area's pairings judged in one term, hidden as cover,
#: its pairings not transferred over all time), each failing before too. Failed (strict
#: xfail) before.
SUMMER_TOLD_BY_THE_TOTAL = {
    "schools": ["A", "B"],
    "staff": [("A0", "A", True), ("A1", "A", False), ("A2", "A", True), ("A3", "A", False),
              ("B0", "B", True), ("B1", "B", True), ("B2", "B", False), ("B3", "B", False)],
    "pairings": [("B0", "A0", "assessment-design", "active", 2, 1, 2),
                 ("A2", "A0", "anti-bullying", "transferred", 1, 1, 1),
                 ("A0", "A3", "anti-bullying", "transferred", 1, 1, 1),
                 ("A3", "B3", "anti-bullying", "transferred", 4, 1, 1),
                 ("A3", "A2", "anti-bullying", "transferred", 3, 1, 2),
                 ("A3", "B1", "anti-bullying", "transferred", 4, 1, 1),
                 ("A1", "B1", "assessment-design", "not transferred", 4, 0, 2),
                 ("B0", "B2", "assessment-design", "not transferred", 1, 0, 2),
                 ("B2", "B3", "assessment-design", "not transferred", 4, 1, 2)],
}  # fmt: skip


def test_a_cover_is_not_told_by_the_total(store: Connection) -> None:
    terms_model.load(store, SUMMER_TOLD_BY_THE_TOTAL)
    check(store, SUMMER_TOLD_BY_THE_TOTAL, Viewer("viewer"))


def test_without_a_band_hidden_for_the_total_the_check_fails(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outcomes, "pick_total_cover", lambda o, *args: np.zeros(len(o), bool))
    terms_model.load(store, SUMMER_TOLD_BY_THE_TOTAL)
    with pytest.raises(AssertionError, match="Summer 2027|hours"):
        check(store, SUMMER_TOLD_BY_THE_TOTAL, Viewer("viewer"))


def test_an_areas_active_cover_is_not_told(store: Connection) -> None:
    """JUDGED_BY_AREA_TOLD under `test_headline_terms_properties`' check (pairings active
    too; the attacker who knows no kind unless a figure shown as 0 says so). It failed on
    "transferred" over all time (the counts' cover, shown in Spring); then (kinds25) on
    behaviour's pairings active in Spring: the whole's pairings judged hidden there (its
    area's, told, no cover) hid one of its two pairings-active figures and two areas' beside
    it (`hiding._guard_active`), and behaviour's was its judged shown (2, with nothing open
    after). Passes since the counts' cover is hidden in the headline too (totals26:
    behaviour's transfers in Spring hidden, so its judged, `counts_cover`); `_guard_active`
    has no `told`'s like for pairings active yet. Failed (strict xfail) before."""
    terms_model.load(store, JUDGED_BY_AREA_TOLD)
    terms_model.check(store, JUDGED_BY_AREA_TOLD, Viewer("viewer"))


#: Found by a random hunt of the property test (helper kinds25, 50 alliances, the
#: governor, with the School filter's views); fails on the code before that session too
#: (there beside two more). B's hours chart hides its one band of transfers ("under 6 h":
#: B1 to A1 and B1 to C0, three people) — but B's headline shows its transfers in every term
#: (0, 0 and 2 in Summer 2027), whose sum is that band. The alliance's rule for this
#: (`chart_hiding.totals_unshown`, an outcome's total hidden where its headline hides one
#: term alone) had no school's form: a school's band hidden where its headline shows every
#: term protects nothing (its headline would need a term hidden, or the band shown). The
#: same hunt found it again for C (its band over all areas and in assessment). Closed: an
#: outcome's one band hidden beside the rest shown, their total told by the school's
#: headline term by term (over all areas, or the view's area), is shown — it adds nothing
#: to what the viewer can work out (`school_hours.shown_where_told`). Failed (strict xfail)
#: before.
B_BAND_TOLD_BY_ITS_TERMS = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", False), ("A1", "A", False), ("A2", "A", False), ("A3", "A", False),
              ("B0", "B", True), ("B1", "B", False), ("C0", "C", False), ("C1", "C", False),
              ("C2", "C", False), ("C3", "C", True)],
    "pairings": [("A0", "A2", "assessment-design", "active", 3, 1, 1),
                 ("A1", "A3", "assessment-design", "transferred", 2, 0, 0),
                 ("B1", "A1", "anti-bullying", "transferred", 2, 0, 2),
                 ("B1", "A1", "anti-bullying", "stopped", 2, 1, 2),
                 ("B1", "C0", "assessment-design", "transferred", 3, 1, 2),
                 ("A1", "B0", "assessment-design", "not transferred", 2, 1, 1),
                 ("C3", "C2", "anti-bullying", "transferred", 1, 0, 0)],
}  # fmt: skip


def test_a_schools_band_told_by_its_terms_is_shown(store: Connection) -> None:
    terms_model.load(store, B_BAND_TOLD_BY_ITS_TERMS)
    check(store, B_BAND_TOLD_BY_ITS_TERMS, Viewer("viewer"), schools=True)
    got = transfer.hours_against_outcome(store, Viewer("viewer"), Scope("B"), AS_OF)
    assert got.set_index(["hours", "outcome"]).at[("under 6 h", "transferred"), "pairings"] == 2


def test_without_the_schools_rule_the_check_fails(
    store: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hours, "shown_where_told", lambda view, told: view)
    terms_model.load(store, B_BAND_TOLD_BY_ITS_TERMS)
    with pytest.raises(AssertionError, match="hours under 6 h transferred, B"):
        check(store, B_BAND_TOLD_BY_ITS_TERMS, Viewer("viewer"), schools=True)


#: Found by the property test with 40 trials (helper band26's hunt, the governor);
#: fails on the code before that session too (an alliance-level rule, not the school's).
#: The counts by status hide "stopped" over all time (1: B0 with B1, two people) and, as
#: its cover, "not transferred" (2) — every other status has none, so no status no chart
#: adds up is left to take (`pairings.views.never_one_hidden`) — but the hours chart over
#: all areas shows the outcome's one band, "under 6 h, not transferred": 2, the same figure
#: (the headline hides the whole's rate in two terms, Spring and Summer 2027, so
#: `chart_hiding.totals_unshown` leaves the total shown). The family of
#: COUNTS_COVER_SHOWN_AS_A_BAND with no uncharted status to cover. Closed by the counts'
#: cover weighed against the charts (totals26, merged beside it: `counts_cover`, the cover's
#: total shown nowhere, so its band hidden by `hours_cover.pick_total_cover`).
STOPPED_COVERED_BY_A_BAND = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("A1", "A", True), ("A2", "A", True), ("A3", "A", True),
              ("B0", "B", False), ("B1", "B", False), ("C0", "C", True), ("C1", "C", True)],
    "pairings": [("A1", "C1", "anti-bullying", "not transferred", 4, 1, 1),
                 ("B0", "C1", "assessment-design", "not transferred", 3, 0, 2),
                 ("B0", "B1", "anti-bullying", "stopped", 2, 0, 2)],
}  # fmt: skip


#: The same hunt, the same family: the counts hide "active" over all time (1: C2 with B0)
#: and, as its cover, "transferred" (2) — no other status has any — which the hours chart's
#: one band ("under 6 h, transferred") shows (the headline hides the whole's transfers in
#: Autumn 2026 and Summer 2027: two terms). Fails on the code before that session too;
#: closed in the same way.
ACTIVE_COVERED_BY_A_BAND = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", False), ("A1", "A", False), ("A2", "A", False), ("A3", "A", True),
              ("B0", "B", True), ("B1", "B", True), ("B2", "B", True), ("C0", "C", False),
              ("C1", "C", True), ("C2", "C", True), ("C3", "C", True)],
    "pairings": [("C0", "B1", "anti-bullying", "transferred", 4, 0, 2),
                 ("A1", "A0", "assessment-design", "transferred", 2, 0, 0),
                 ("C2", "B0", "assessment-design", "active", 4, 0, 2)],
}  # fmt: skip


@pytest.mark.parametrize("a", [STOPPED_COVERED_BY_A_BAND, ACTIVE_COVERED_BY_A_BAND])
def test_the_counts_cover_is_no_band_shown(store: Connection, a: dict) -> None:
    terms_model.load(store, a)
    check(store, a, Viewer("viewer"))


#: Found by the property test with 40 trials (helper band26's hunt, the governor, with
#: the School filter's views); fails on the code before that session too — a school's
#: headline alone, not its hours chart. B's evidenced transfers over all areas in Summer
#: 2027 are hidden (the School filter's whole, `transfer._guarded_views` over all areas)
#: while its areas' in Summer are both shown (behaviour 2: B1 to B2 and A0 to B2;
#: assessment 0), so the whole is their sum. B's Spring transfer (B2 to A0, two people) is
#: hidden on its own, and the whole's Summer taken as its cover across the terms
#: (`hiding.guard_terms`) — though it is the alliance's Summer (2, shown) less the work
#: elsewhere (none): the School filter's whole was guarded with no `known` (`transfer.
#: _guarded_views`, all areas: `known` was passed only for the alliance), where its areas'
#: view knows it and so hides no area beside it. Closed: the whole's known figures
#: (`hiding.outside`'s) are passed to `guard_terms` there too, never a cover. Failed
#: (strict xfail) before.
B_WHOLE_BESIDE_ITS_AREAS = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("A1", "A", True), ("A2", "A", True), ("B0", "B", False),
              ("B1", "B", False), ("B2", "B", True), ("C0", "C", False), ("C1", "C", True)],
    "pairings": [("B0", "A0", "anti-bullying", "not transferred", 4, 0, 2),
                 ("C0", "A0", "anti-bullying", "transferred", 2, 0, 0),
                 ("C1", "B1", "anti-bullying", "not transferred", 1, 1, 1),
                 ("A0", "C0", "assessment-design", "active", 1, 1, 1),
                 ("B1", "B2", "anti-bullying", "transferred", 3, 1, 2),
                 ("A0", "B2", "anti-bullying", "transferred", 1, 1, 2),
                 ("A1", "B2", "anti-bullying", "stopped", 4, 1, 1),
                 ("B2", "A0", "assessment-design", "transferred", 2, 1, 1),
                 ("A0", "C0", "anti-bullying", "stopped", 1, 1, 2),
                 ("B0", "B2", "assessment-design", "stopped", 3, 1, 2),
                 ("B2", "B1", "anti-bullying", "not transferred", 2, 1, 1)],
}  # fmt: skip


def test_a_schools_known_whole_is_no_cover_across_the_terms(store: Connection) -> None:
    terms_model.load(store, B_WHOLE_BESIDE_ITS_AREAS)
    check(store, B_WHOLE_BESIDE_ITS_AREAS, Viewer("viewer"), schools=True)


#: Found by the property test with 40 trials (helper totals26's hunt, the governor with
#: the School filter's views); fails on the code before that session too (4ca875e), so not
#: of its rules. School A's headline hides its evidenced transfers over all areas in Spring
#: 2027 — its parts (the pairings with A and B, with A and C: one each, two people) rest on
#: few (`school_parts`) — but every transfer that term has someone from A, so A's figure is
#: the alliance's, shown (2), and its areas' show it too: assessment's 2 (the alliance's
#: less what the viewer knows: `hiding.outside`'s known) and behaviour's 0. Hiding it
#: protects nothing. Closed by helper band26's rule of the same session (it passes on that
#: branch alone): a school's whole guarded across the terms with what the viewer works out
#: of it (`transfer._whole`), never a cover.
A_WHOLE_IS_THE_ALLIANCES = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("A1", "A", False), ("A2", "A", False), ("A3", "A", True),
              ("B0", "B", True), ("B1", "B", False), ("B2", "B", False), ("C0", "C", True),
              ("C1", "C", True), ("C2", "C", True), ("C3", "C", True)],
    "pairings": [("A3", "B1", "assessment-design", "transferred", 4, 0, 0),
                 ("B1", "B2", "anti-bullying", "active", 1, 0, 1),
                 ("C0", "C3", "assessment-design", "not transferred", 1, 0, 0),
                 ("B0", "C2", "assessment-design", "transferred", 4, 1, 2),
                 ("C3", "A2", "assessment-design", "transferred", 1, 1, 1),
                 ("C2", "A0", "anti-bullying", "not transferred", 3, 1, 1),
                 ("A3", "C0", "assessment-design", "stopped", 3, 0, 2),
                 ("B1", "B0", "anti-bullying", "not transferred", 2, 1, 2),
                 ("B2", "A0", "assessment-design", "stopped", 4, 0, 0),
                 ("A2", "B0", "assessment-design", "transferred", 4, 0, 1)],
}  # fmt: skip


def test_a_schools_whole_that_is_the_alliances_is_shown(store: Connection) -> None:
    terms_model.load(store, A_WHOLE_IS_THE_ALLIANCES)
    check(store, A_WHOLE_IS_THE_ALLIANCES, Viewer("viewer"), schools=True)
