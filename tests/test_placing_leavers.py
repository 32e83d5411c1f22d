"""A school whose every current member of staff shares is one the viewer "sees in full"
(`placing.whole_sql`): a figure of it resting on no one unseen settles no one's place. But a
former member of staff is never seen one by one (`visibility`), and the Data page counts only
those still in post — so a school with a leaver is not one the viewer sees in full, and a
listed pairing's unnamed side could be that leaver. Failed before `whole_sql` counted them."""

from __future__ import annotations

import pandas as pd

from brokering.dashboard import transfer
from brokering.db import Connection
from brokering.derived_sets import drop_all
from brokering.viewer import Viewer
from tests import alliances as made
from tests.alliances import Pairing

HEAD_A = Viewer("headteacher", "A", "head-A")


def _load(con: Connection) -> None:
    made.load(
        con,
        ["A", "X", "Y"],
        [("A0", "A", True), ("X0", "X", True), ("X1", "X", True), ("X2", "X", True),
         ("XL", "X", True), ("Y0", "Y", False)],
        [Pairing("A0", "Y0", "anti-bullying", "transferred", 4),
         Pairing("X0", "X1", "anti-bullying", "transferred", 4),
         Pairing("X2", "XL", "anti-bullying", "stopped", 4)],
    )  # fmt: skip


def _figure(con: Connection, school: str, outcome: str):  # noqa: ANN202 - a count or NA
    got = transfer.outcomes_by(con, HEAD_A, "school")
    row = got[(got["group"] == school) & (got["outcome"] == outcome)]
    assert len(row) == 1, got
    return row["pairings"].iloc[0]


def test_a_school_with_a_leaver_is_not_seen_in_full(store: Connection) -> None:
    """Head A lists A0 to Y0 (transferred), its recipient "a partner school": X or Y, as X
    had a member of staff who has left (XL), whom head A cannot see. X's transferred (X0 to
    X1, both seen) shown would say the recipient is not at X: so at Y, whose hidden figure
    is that pairing. It is hidden (it settles Y0's place: one person)."""
    _load(store)
    store.execute("UPDATE staff SET left_on = DATE '2026-10-20' WHERE staff_ref = 'XL'")
    drop_all(store)
    assert pd.isna(_figure(store, "X", "transferred"))


def test_without_the_leaver_the_school_is_seen_in_full(store: Connection) -> None:
    """The same alliance with XL still in post (and sharing): X is seen in full, so its
    figure settles nothing and is shown."""
    _load(store)
    assert _figure(store, "X", "transferred") == 1
