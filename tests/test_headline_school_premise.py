"""Head C in C_COUNTS_BEHAVIOUR_OFF_THE_PAGE cannot work out the alliance's total of pairings
from their views, their pairings page and the pairings they see whole (review27's guard).

Why: the flows model takes the total as known (its premise); with it, behaviour's shown 8
would give the hidden assessment figure (12 less 8, the pairing off head C's page in
assessment). The School filter's check with the flows (`check_with_flows`) now takes the
premise only where the viewer can work the total out, as here they cannot: the product
hides it (what is off head C's page rests on two people, `unlisted`). If a change ever
showed it, assessment's hidden figure would be told by subtraction: this test and that
check would both fail."""

from __future__ import annotations

import numpy as np

from brokering.viewer import Viewer
from tests import alliances as made
from tests import test_flow_suppression_properties as flows_model
from tests.test_headline_school_cases import C_COUNTS_BEHAVIOUR_OFF_THE_PAGE as C_CASE
from tests.test_suppression_properties import recoverable


def test_head_c_cannot_work_out_the_total_the_excuse_rests_on(store) -> None:
    flows_model.load(store, C_CASE)
    viewer = Viewer("headteacher", "C", "head-C")
    v = flows_model.collect(store, C_CASE, viewer, headline=True)
    n = len(C_CASE["pairings"])
    total = np.ones(n)
    # What head C knows without the premise: pairings whose people they all see, schools
    # whose people in pairings they all see, and every pairing on their page.
    own = [k for k in flows_model.known(v)["pairings"] if not np.array_equal(k, total)]
    page = made.listed_units(C_CASE, viewer)
    assessment = v.vec(lambda i: v.area[i] == "Assessment and curriculum")
    assert any(np.array_equal(t, assessment) for _, _, t in v.hidden)  # hidden, as the case says
    assert not recoverable(own + page + v.shown["pairings"], total)
    assert not recoverable(own + page + v.shown["pairings"], assessment)
