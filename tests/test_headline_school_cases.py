"""Hand-built alliances that the School filter's property tests
(tests/test_headline_school_properties.py) and their hunts found giving a hidden headline
figure away, each kept as a case that failed on the code before its rule: the same models
and checks (`check`, `check_with_flows`), one alliance and one viewer at a time."""

from __future__ import annotations

import numpy as np
import pytest

from brokering.db import Connection
from brokering.viewer import Viewer
from tests import test_flow_suppression_properties as flows_model
from tests import test_headline_area_properties as area_model
from tests.test_headline_school_properties import check, check_with_flows
from tests.test_suppression_properties import recoverable

#: Found by BROKERING_PROPERTY_TRIALS=100 (a hunt by helper gap20). The governor: school
#: A's "overdue reviews" over all areas (2: A0 with B0 and with B1) was hidden, as the work
#: elsewhere (the alliance's 4 less A's) is B0 and B1's alone — but A's overdue reviews are
#: all in classroom practice, where A's figure is the alliance's shown 2 (no work elsewhere
#: there), so A's whole was the sum of its areas shown (the work elsewhere is the alliance's
#: whole less its classroom practice anyway). A school's whole hidden beside its areas
#: needs one of them hidden too, or, with none the viewer cannot work out, is shown
#: (`school_view._cover_whole`). Failed (strict xfail) before.
OVERDUE_AT_A = {
    "schools": ["A", "B"],
    "staff": [("A0", "A", True), ("B0", "B", False), ("B1", "B", True)],
    "pairings": [("A0", "B0", "assessment-design", "stopped", 4),
                 ("B1", "B0", "assessment-design", "active", 2),
                 ("A0", "B0", "assessment-design", "transferred", 4),
                 ("A0", "B0", "adaptive-teaching", "stopped", 2),
                 ("B0", "B1", "anti-bullying", "active", 2),
                 ("A0", "B1", "adaptive-teaching", "active", 3),
                 ("A0", "B0", "adaptive-teaching", "active", 1),
                 ("B0", "B1", "anti-bullying", "not transferred", 3)],
}  # fmt: skip


def test_a_schools_whole_beside_its_areas_shown(store: Connection) -> None:
    area_model.load(store, OVERDUE_AT_A)
    check(store, OVERDUE_AT_A, Viewer("viewer"))


#: Found by BROKERING_PROPERTY_TRIALS=30 (helper overdue21's hunt). The governor: A's overdue
#: reviews are all in classroom practice (A2 with B0 and with B1), so A's whole (2, shown:
#: three people) was its classroom practice figure — hidden there by `hiding.outside`, as the
#: work elsewhere in classroom practice (B0 with C1) rests on two people. The mirror of
#: OVERDUE_AT_A: a whole shown beside exactly one of its areas hidden, with no other area of
#: the school to hide beside it; and C's hidden whole then followed as the alliance's and B's
#: less A's. A's whole is now hidden too (`school_view._cover_area`). Failed (strict xfail)
#: before.
ONE_AREA_UNDER_A_SHOWN_WHOLE = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("A1", "A", True), ("A2", "A", False), ("B0", "B", True),
              ("B1", "B", True), ("B2", "B", False), ("C0", "C", True), ("C1", "C", True),
              ("C2", "C", True)],
    "pairings": [("B0", "C1", "adaptive-teaching", "active", 3),
                 ("B1", "C1", "assessment-design", "active", 3),
                 ("B0", "A2", "adaptive-teaching", "active", 3),
                 ("A2", "B1", "adaptive-teaching", "active", 1)],
}  # fmt: skip


def test_one_area_under_a_shown_whole(store: Connection) -> None:
    area_model.load(store, ONE_AREA_UNDER_A_SHOWN_WHOLE)
    check(store, ONE_AREA_UNDER_A_SHOWN_WHOLE, Viewer("viewer"))


#: Found by BROKERING_PROPERTY_TRIALS=60 (helper area22's hunt); fails on the code before
#: `_cover_area` too. The governor: B's overdue reviews (4) are hidden, as the work without
#: B — A0 with C0 alone, two people — rests on too few (`hiding.outside`); but A's (3) and
#: C's (3) are shown beside the alliance's 5, and A's + C's − the alliance's is the work
#: between A and C less the work with neither (none overdue here): that one pairing. So B's
#: is the alliance's less it. A three-school form of the work elsewhere: a school's figure
#: whose part with one other school (the pairings between exactly them) rests on 1 to
#: threshold-1 people tells that part beside the other's and the alliance's — the
#: headline's form of `chart_hiding`'s rule on parts, which `school_view` now applies
#: (`school_parts`: A's and C's overdue reviews are hidden, their part A0 with C0 resting
#: on two people). Failed (strict xfail) before.
BETWEEN_TWO_OTHERS = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("B0", "B", False), ("B1", "B", True), ("B2", "B", False),
              ("C0", "C", False)],
    "pairings": [("C0", "A0", "anti-bullying", "transferred", 4),
                 ("B1", "C0", "anti-bullying", "not transferred", 3),
                 ("B2", "C0", "assessment-design", "stopped", 2),
                 ("C0", "B1", "anti-bullying", "transferred", 2),
                 ("C0", "B0", "adaptive-teaching", "active", 4),
                 ("B0", "A0", "assessment-design", "transferred", 1),
                 ("A0", "B0", "assessment-design", "active", 1),
                 ("A0", "B1", "anti-bullying", "active", 1),
                 ("C0", "A0", "adaptive-teaching", "not transferred", 2),
                 ("A0", "C0", "assessment-design", "active", 3),
                 ("B1", "A0", "assessment-design", "stopped", 4),
                 ("C0", "B2", "assessment-design", "active", 4)],
}  # fmt: skip


def test_the_work_between_two_other_schools(store: Connection) -> None:
    area_model.load(store, BETWEEN_TWO_OTHERS)
    check(store, BETWEEN_TWO_OTHERS, Viewer("viewer"))


#: Found by BROKERING_PROPERTY_TRIALS=60 (helper area22's hunt); fails on the code before
#: `_cover_area` too. The governor: A's pairings active over all areas (8: all but B1 with
#: B2) are hidden, as the work without A — B1 with B2, two people — rests on too few; but
#: A's pairings active in behaviour (2) are shown, as the behaviour flow matrix gives them
#: away (A1 to B1 and B1 to A1, each shown), and the alliance's behaviour (3) less them is
#: B's work within itself there, that one pairing — so A's whole is the alliance's 9 less
#: it. The alliance's area total beside its flow matrix leaves the area's work within
#: schools shown as their difference, resting here on two people: the flows' rule
#: (`flow_hiding._within_exposed`) now hides such an area's total (behaviour's), with a
#: complement among the areas. Failed (strict xfail) before.
WITHIN_B_BESIDE_THE_FLOWS = {
    "schools": ["A", "B"],
    "staff": [("A0", "A", False), ("A1", "A", True), ("A2", "A", True), ("B0", "B", True),
              ("B1", "B", True), ("B2", "B", True)],
    "pairings": [("A1", "B1", "anti-bullying", "stopped", 3),
                 ("A2", "B0", "assessment-design", "active", 4),
                 ("A1", "B0", "adaptive-teaching", "active", 2),
                 ("A1", "A0", "assessment-design", "transferred", 4),
                 ("A0", "A2", "adaptive-teaching", "active", 1),
                 ("B1", "B2", "anti-bullying", "stopped", 1),
                 ("A0", "B1", "assessment-design", "stopped", 4),
                 ("B1", "A1", "anti-bullying", "active", 3),
                 ("A0", "A2", "adaptive-teaching", "stopped", 3)],
}  # fmt: skip


def test_work_within_a_school_beside_the_flows(store: Connection) -> None:
    area_model.load(store, WITHIN_B_BESIDE_THE_FLOWS)
    check(store, WITHIN_B_BESIDE_THE_FLOWS, Viewer("viewer"))


#: Found by BROKERING_PROPERTY_TRIALS=40 (helper school25's hunt; the same on the code
#: before its change). The SLE coordinator, with the flows: every pairing in assessment has
#: B1 in it (consented: each is on their pairings page), so B's pairings active there are
#: the alliance's assessment figure — hidden, but the whole's 12 less behaviour's 8, and
#: all listed (the model lets them count it). B's is hidden too (the flows' look:
#: `flows.school_totals`), though it is the same pairings: hiding a figure the viewer can
#: work out protects nothing, and the model finds it recovered. Closed: `hiding.outside`
#: takes the alliance's figure the viewer can count from their page (`unlisted.listed_of`)
#: and that is the whole less the other areas, all shown, as told, as it does one shown;
#: so B's, the alliance's less work resting on nobody unseen, is known.
B_IS_ALL_OF_ASSESSMENT = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", False), ("A1", "A", True), ("A2", "A", True), ("B0", "B", True),
              ("B1", "B", True), ("B2", "B", False), ("B3", "B", True), ("C0", "C", False),
              ("C1", "C", True), ("C2", "C", True), ("C3", "C", False)],
    "pairings": [("B1", "C0", "assessment-design", 1), ("C2", "C1", "anti-bullying", 2),
                 ("C0", "C2", "anti-bullying", 2), ("B1", "B0", "anti-bullying", 1),
                 ("A2", "C1", "anti-bullying", 4), ("B3", "A1", "anti-bullying", 1),
                 ("B1", "A1", "assessment-design", 3), ("B1", "B2", "assessment-design", 1),
                 ("B3", "A0", "anti-bullying", 4), ("B1", "C3", "assessment-design", 1),
                 ("C2", "B3", "anti-bullying", 4), ("A1", "B2", "anti-bullying", 1)],
}  # fmt: skip


def test_a_school_figure_equal_to_the_alliances_listed_one_is_known(store: Connection) -> None:
    flows_model.load(store, B_IS_ALL_OF_ASSESSMENT)
    check_with_flows(store, B_IS_ALL_OF_ASSESSMENT, Viewer("sle_coordinator"))


#: The same with its first pairing B1 with A1 (found at 40 trials after the rule's second
#: form): B's assessment figure rests on B2 and C3 alone among those the coordinator cannot
#: see, and is still the alliance's, told by the whole less behaviour — so known, though it
#: would be hidden on its own people (the second form kept such a figure hidden).
B_IS_ALL_WITH_A1 = {
    **B_IS_ALL_OF_ASSESSMENT,
    "pairings": [("B1", "A1", "assessment-design", 1), *B_IS_ALL_OF_ASSESSMENT["pairings"][1:]],
}


def test_a_school_figure_on_few_told_by_the_alliances_is_known(store: Connection) -> None:
    flows_model.load(store, B_IS_ALL_WITH_A1)
    check_with_flows(store, B_IS_ALL_WITH_A1, Viewer("sle_coordinator"))


def test_a_listed_figure_not_told_by_the_rest_is_no_knowledge(store: Connection) -> None:
    """The same alliance for head A, who sees the alliance's behaviour hidden too: its
    assessment, though all on their page, is not the whole less the rest shown, and taking
    B's as known (the first form of the rule) showed it beside the ledger's B given, hidden
    as a cover, which it then gave away (BROKERING_PROPERTY_TRIALS=40)."""
    flows_model.load(store, B_IS_ALL_OF_ASSESSMENT)
    check_with_flows(store, B_IS_ALL_OF_ASSESSMENT, Viewer("headteacher", "A", "head-A"))


#: Found by BROKERING_PROPERTY_TRIALS=40 (failed on 4ca875e too; a strict xfail until the
#: model's premise was checked). Head C, with the flows: the alliance's pairings active in
#: assessment (4, one of them, B1 with B2, off head C's page) are hidden; behaviour's 8 are
#: shown, every pairing of it on head C's page. With the alliance's total (12: the flows
#: model's premise), 12 less 8 gave assessment. But head C cannot work the total out: the
#: product hides the alliance's whole from them (what is off their page rests on two
#: people, `unlisted`) and no figure they see gives it (review27's guard:
#: tests/test_headline_school_premise.py). `check_with_flows` now takes the premise only
#: where the viewer can work the total out; the assertion is unchanged.
C_COUNTS_BEHAVIOUR_OFF_THE_PAGE = {
    **B_IS_ALL_OF_ASSESSMENT,
    "staff": [("A0", "A", False), ("A1", "A", True), ("A2", "A", True), ("B0", "B", True),
              ("B1", "B", False), ("B2", "B", False), ("B3", "B", True), ("C0", "C", False),
              ("C1", "C", True), ("C2", "C", True), ("C3", "C", False)],
    "pairings": [("B1", "A1", "assessment-design", 1), ("C2", "C1", "anti-bullying", 4),
                 *B_IS_ALL_OF_ASSESSMENT["pairings"][2:]],
}  # fmt: skip


def test_an_area_told_by_the_total_and_the_page_is_not_the_views(store: Connection) -> None:
    flows_model.load(store, C_COUNTS_BEHAVIOUR_OFF_THE_PAGE)
    check_with_flows(store, C_COUNTS_BEHAVIOUR_OFF_THE_PAGE, Viewer("headteacher", "C", "head-C"))


#: Built by hand (helper parts30): BETWEEN_TWO_OTHERS with nobody sharing, and a school D
#: with no one in its pairings. The SLE coordinator and head D then see no one one by one,
#: as the governor sees no one: B's overdue reviews (4) are hidden, as the work without B —
#: A0 with C0, two people off their page — rests on too few (`unlisted.school_forced`), but
#: A's (3) and C's (3) were shown beside the alliance's 5, and 2 x 5 − 3 − 3 is B's; the
#: alliance's less it, the one pairing of A0 and C0. `school_parts` weighed the parts for
#: the governor alone (`applies`); it now weighs them for every role that does not see
#: everyone. Failed before (the same model as the governor's: what they see one by one).
NOBODY_SHARES = {
    **BETWEEN_TWO_OTHERS,
    "schools": ["A", "B", "C", "D"],
    "staff": [(ref, school, False) for ref, school, _ in BETWEEN_TWO_OTHERS["staff"]],
}
HEAD_D = Viewer("headteacher", "D", "head-D")


def test_the_work_between_two_others_for_the_sle_coordinator(store: Connection) -> None:
    area_model.load(store, NOBODY_SHARES)
    check(store, NOBODY_SHARES, Viewer("sle_coordinator"))
    check(store, NOBODY_SHARES, Viewer("sle_coordinator"), listed=True, every=True)


def test_the_work_between_two_others_for_a_head_of_another_school(store: Connection) -> None:
    area_model.load(store, NOBODY_SHARES)
    check(store, NOBODY_SHARES, HEAD_D)
    check(store, NOBODY_SHARES, HEAD_D, listed=True, every=True)


#: Built by hand (helper parts30): NOBODY_SHARES with one more overdue review, D0 (head
#: D's own) with B0 — on head D's pairings page, the work with neither A nor C. A's overdue
#: reviews (3) and C's (3) less the alliance's (6) are the work between A and C less the
#: work with neither: 0, and head D lists the 1 with neither, so the work between A and C
#: is 1 — A0 with C0, two people off their page — and B's hidden 5 is the alliance's less
#: it. The model that knows only the pairings they see whole cannot take the 1 away; the
#: one that knows the page (`listed`) weighed B's only where what it has off the page rests
#: on few (here on four), so `every`. Closed: a part's people are counted off the page
#: (`school_parts.by_part`, `rest`): what head D lists of a part they count themselves.
#: Failed before.
HEAD_D_LISTS_THE_REST = {
    **NOBODY_SHARES,
    "staff": [*NOBODY_SHARES["staff"], ("D0", "D", False)],
    "pairings": [*NOBODY_SHARES["pairings"], ("D0", "B0", "assessment-design", "active", 2)],
}


def test_the_work_with_neither_listed_by_a_head(store: Connection) -> None:
    area_model.load(store, HEAD_D_LISTS_THE_REST)
    check(store, HEAD_D_LISTS_THE_REST, HEAD_D, listed=True, every=True)


#: Found by BROKERING_PROPERTY_TRIALS=60 (helper parts30's hunt, on the code before its
#: change too). The governor: every pairing concluded in assessment has someone from B, so
#: B's hours there are the alliance's (14: its hours per transfer, shown, times its 3
#: transfers) — known (`hiding.outside`). But B's hours over all areas were hidden, the work
#: elsewhere unknown in one area alone (`school_view._one_unknown_elsewhere`), and the area
#: hidden beside the whole was assessment's, the first: known, it covers nothing, and the
#: model finds the hidden figure the alliance's shown one. The second area is now one the
#: viewer cannot work out. Failed before.
KNOWN_SPARE_BESIDE_B = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", True), ("B0", "B", False), ("B1", "B", False), ("B2", "B", False),
              ("B3", "B", False), ("C0", "C", False), ("C1", "C", True), ("C2", "C", False),
              ("C3", "C", True)],
    "pairings": [("C3", "C0", "adaptive-teaching", "transferred", 2),
                 ("B0", "C2", "assessment-design", "transferred", 3),
                 ("C0", "B0", "assessment-design", "transferred", 2),
                 ("A0", "B1", "adaptive-teaching", "stopped", 1),
                 ("B2", "C1", "assessment-design", "transferred", 3),
                 ("B2", "A0", "assessment-design", "not transferred", 2),
                 ("C3", "B1", "adaptive-teaching", "not transferred", 1),
                 ("C2", "B0", "assessment-design", "not transferred", 4),
                 ("C0", "C2", "adaptive-teaching", "transferred", 1),
                 ("A0", "C2", "adaptive-teaching", "not transferred", 1),
                 ("C0", "A0", "anti-bullying", "active", 3)],
}  # fmt: skip


def test_a_known_area_is_no_cover_beside_a_schools_whole(store: Connection) -> None:
    area_model.load(store, KNOWN_SPARE_BESIDE_B)
    check(store, KNOWN_SPARE_BESIDE_B, Viewer("viewer"))


#: Found by BROKERING_PROPERTY_TRIALS=60 (helper parts30's hunt; fails on 3a77897 too, so
#: not of its change; not yet looked into). The governor, with the flows: the ledger's
#: pairings given by C (its two in assessment, C2 to C3 and C3 to C1, within C) are hidden,
#: and the model works them out from the figures shown. Left for the lead.
LEDGER_C_GIVEN = {
    "schools": ["A", "B", "C", "D"],
    "staff": [("A0", "A", False), ("A1", "A", True), ("B0", "B", True), ("B1", "B", False),
              ("B2", "B", False), ("C0", "C", True), ("C1", "C", True), ("C2", "C", True),
              ("C3", "C", True), ("D0", "D", True), ("D1", "D", True), ("D2", "D", False),
              ("D3", "D", False)],
    "pairings": [("D3", "C2", "anti-bullying", 1), ("A0", "C0", "anti-bullying", 3),
                 ("C2", "C3", "assessment-design", 1), ("C3", "C1", "assessment-design", 2),
                 ("A0", "C0", "anti-bullying", 2)],
}  # fmt: skip


@pytest.mark.xfail(strict=True, reason="LEDGER_C_GIVEN: found at 60 trials, not yet closed")
def test_the_ledgers_given_beside_the_school_filter(store: Connection) -> None:
    flows_model.load(store, LEDGER_C_GIVEN)
    check_with_flows(store, LEDGER_C_GIVEN, Viewer("viewer"))


#: Built by hand (helper parts30): head B, whose school is in none of these pairings. A's
#: evidenced transfers (3: A0 with C0, and A1 with A2 and A2 with A3, within A) and C's (3,
#: the same with C's within) were shown beside the alliance's (5): each rests on enough
#: people off their page, and so does the work without each (A's within, C's within). But
#: A's + C's − the alliance's is the work between A and C less the work with neither —
#: none here — so the one transfer of A0 with C0, two people off their page. No figure is
#: that sum, so the model's hidden figures do not ask it: this case does (`check` returns
#: what is known and shown). Closed by the parts' rule for heads (`school_parts`: A's and
#: C's part with each other rests on two people). Failed before.
PART_OFF_HEAD_BS_PAGE = {
    "schools": ["A", "B", "C"],
    "staff": [("A0", "A", False), ("A1", "A", False), ("A2", "A", False), ("A3", "A", False),
              ("B0", "B", True), ("C0", "C", False), ("C1", "C", False), ("C2", "C", False),
              ("C3", "C", False)],
    "pairings": [("A0", "C0", "assessment-design", "transferred", 2),
                 ("A1", "A2", "assessment-design", "transferred", 2),
                 ("A2", "A3", "assessment-design", "transferred", 2),
                 ("C1", "C2", "assessment-design", "transferred", 2),
                 ("C2", "C3", "assessment-design", "transferred", 2)],
}  # fmt: skip


def test_a_part_off_a_heads_page_is_not_told(store: Connection) -> None:
    area_model.load(store, PART_OFF_HEAD_BS_PAGE)
    head_b = Viewer("headteacher", "B", "head-B")
    know, shown = check(store, PART_OFF_HEAD_BS_PAGE, head_b, listed=True)
    between = np.array([1.0, 0, 0, 0, 0])  # A0 with C0: the part of A and C
    assert not recoverable(know + shown["transferred"], between), shown["transferred"]
