"""A candidates list framed from its laid-out columns (`matching.listing`) is the pool's own
rows in the list's order, with the types they had — also for a list of no one.

Why: the list is framed once from arrays taken in the final order (not by joining the
pool's frames and sorting them), and an array of text or objects handed to pandas is
looked at again; a column that came back as another type, or a row that came from another
person, would change what the page shows without changing any score."""

from __future__ import annotations

import pandas as pd
import pytest

from brokering.matching import candidates as cand
from brokering.matching import inputs, listing
from brokering.matching.needs import get_need
from brokering.matching.params import DEFAULT_MATCH_PARAMS
from brokering.scoring import DEFAULT_PARAMS
from tests.conftest import TINY_TODAY


def _pool_rows(con, viewer, need_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The list for a need, and the pool's people and skill rows read for it."""
    need = get_need(con, viewer, need_id)
    _, arrays, _, flags, laid = inputs.read(
        con, viewer, need, TINY_TODAY, DEFAULT_MATCH_PARAMS, DEFAULT_PARAMS
    )
    frame = listing.ranked_frame(need, arrays, laid, DEFAULT_MATCH_PARAMS, flags)
    per_skill = arrays.per_skill[need.skill_id].drop(columns="staff_ref")
    return frame, pd.concat([arrays.people, per_skill], axis=1)


def test_the_list_is_the_pools_rows_in_its_order(demo, admin) -> None:
    open_needs = "SELECT need_id FROM needs WHERE status = 'open' ORDER BY need_id"
    ids = demo.execute(open_needs).fetchall()
    listed = 0
    for (need_id,) in ids[:12]:
        frame, rows = _pool_rows(demo, admin, need_id)
        assert list(frame.columns[1 : 1 + rows.shape[1]]) == list(rows.columns)
        want = rows.set_index("staff_ref", drop=False).loc[frame["staff_ref"]]
        pd.testing.assert_frame_equal(
            frame[list(rows.columns)], want.reset_index(drop=True), check_exact=True
        )
        assert frame["rank"].tolist() == list(range(1, len(frame) + 1))
        assert isinstance(frame.index, pd.RangeIndex)
        listed += len(frame)
    assert listed > 0


@pytest.mark.parametrize(("staff_ref", "skill"), [("B2", "Chemistry"), ("C1", "Autism support")])
def test_a_list_of_no_one_has_the_columns_of_a_list(tiny, admin, staff_ref, skill) -> None:
    # Only the person asking has the skill (C2, who also has it, has left): nobody is listed,
    # though the pool was not empty. The columns the list adds to the pool's rows are typed
    # as in any list (text as text); the pool's own keep the types of its rows.
    alone = cand.candidates_for(tiny, admin, staff_ref, skill, as_of=TINY_TODAY).frame
    some = cand.candidates_for_need(tiny, admin, "N1", as_of=TINY_TODAY).frame
    assert alone.empty and not some.empty
    assert list(alone.columns) == list(some.columns)
    added = list(some.columns[some.columns.get_loc("school_name") :])
    assert alone[added].dtypes.astype(str).tolist() == some[added].dtypes.astype(str).tolist()
    assert alone["not_proposed_reason"].dtype == some["staff_ref"].dtype  # text
    assert isinstance(alone.index, pd.RangeIndex)


def test_a_column_of_objects_is_framed_as_objects() -> None:
    # As a plain array, pandas would make a column of objects that all hold text into text
    # (a close skill's id on every row of a pool read as objects, say).
    values = pd.Series(["maths", None, "phonics"], dtype=object).to_numpy()
    framed = pd.DataFrame({"close_skill_id": listing._taken(values, [2, 0])})
    assert framed["close_skill_id"].dtype == object
    assert framed["close_skill_id"].tolist() == ["phonics", "maths"]
    assert pd.DataFrame({"x": values.take([2, 0])})["x"].dtype != object  # why it is kept
