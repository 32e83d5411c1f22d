"""A remembered candidates list's laid-out columns (`matching.listing.lay`, kept under the
store's change mark with the list's reads) are one viewer's, and no list handed out shares
them: review27's guards for the framing change.

Why: `Laid` is remembered per viewer, need, date and parameters and framed again on every
call; a frame whose columns were views of it would let a caller's change to one list (a page
adding or editing a column) show in the next list, and a layout kept under a key without the
viewer would list people the viewer may not see."""

from __future__ import annotations

import pandas as pd

from brokering import changes
from brokering.matching import candidates as cand
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY


def test_a_list_changed_by_its_caller_leaves_the_next_list_alone(tiny, admin) -> None:
    first = cand.candidates_for_need(tiny, admin, "N1", as_of=TINY_TODAY).frame
    assert not first.empty
    want = first.copy(deep=True)
    # Changed in place: a frame built without copying writes into its own arrays.
    first.loc[0, "hours_left"] = -99.0
    first.loc[0, "staff_ref"] = "ZZ"
    first.loc[0, "flags"] = "changed"
    again = cand.candidates_for_need(tiny, admin, "N1", as_of=TINY_TODAY).frame
    pd.testing.assert_frame_equal(again, want, check_exact=True)


def test_one_viewers_layout_is_not_another_viewers(tiny, admin) -> None:
    # A3 (school A, no sharing consent) teaches mathematics: the administrator sees them,
    # head B does not. The administrator's list is remembered first.
    head_b = Viewer("headteacher", "B", "head-B")
    theirs = cand.candidates_for_need(tiny, admin, "N1", as_of=TINY_TODAY).frame
    assert "A3" in set(theirs["staff_ref"])
    remembered = cand.candidates_for_need(tiny, head_b, "N1", as_of=TINY_TODAY).frame
    assert "A3" not in set(remembered["staff_ref"])
    changes.forget()
    fresh = cand.candidates_for_need(tiny, head_b, "N1", as_of=TINY_TODAY).frame
    pd.testing.assert_frame_equal(remembered, fresh, check_exact=True)
