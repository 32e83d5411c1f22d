"""A derived set read inside a write transaction, where it is not current, is read inline.

Why: `derived.relations` rebuilds a stale set in a transaction of its own; inside a write's
transaction that is a transaction within a transaction, which DuckDB refuses — and the
refusal aborts the write around it. Found by review (review28): the reciprocity ledger's
first read on a store whose ledger tables were never built, made inside a write, failed.
Inside a write the set's own SQL is read inline instead (the answer the built tables
give, the write's own changes included), and nothing is built."""

from __future__ import annotations

import pandas as pd

from brokering import derived
from brokering.db import Connection, transaction
from brokering.pairings import ledger
from brokering.pairings.ledger_facts import LEDGER
from brokering.viewer import Viewer
from tests.test_pairings_ledger import _log, _pairing


def test_the_ledger_read_inside_a_write_before_its_tables_are_built(
    tiny: Connection, admin: Viewer
) -> None:
    p1 = _pairing(tiny, admin, "C1", "A2", "active")
    _log(tiny, admin, p1, 2.0)
    _log(tiny, admin, _pairing(tiny, admin, "B2", "A2", "active"), 1.5)
    tiny.execute(f"DROP TABLE IF EXISTS {derived.META}")  # as if never built
    head = Viewer("headteacher", "A", "h")
    with transaction(tiny) as t:
        inside = ledger.school_views(t, head)
        t.execute("SELECT 1").fetchall()  # the write's transaction is still usable
    assert not derived.is_current(tiny, LEDGER)  # nothing was built inside the write
    outside = ledger.school_views(tiny, head)  # built now, outside any write
    assert derived.is_current(tiny, LEDGER)
    for mine, theirs in zip(inside, outside, strict=True):
        pd.testing.assert_frame_equal(mine, theirs)
