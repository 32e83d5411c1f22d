"""The flows' relationships held as numbers in the dashboard's facts (`flow_facts`): after a
pairing write, a consent change, an accepted request and an import, the tables hold exactly
what a rebuild would, and the flows read from them the same relationships as the joins of
the facts' links and coaching to the schools did (schools in the ledger's order)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from brokering import derived, derived_sets
from brokering.dashboard import flow_counts, flow_facts
from brokering.dashboard.facts import DASHBOARD, facts
from brokering.db import Connection
from brokering.importing import import_paths
from brokering.viewer import Viewer
from tests.conftest import TINY, TINY_TODAY
from tests.test_derived_upkeep import _apply

PERIODS = [(date(2026, 9, 1), date(2026, 12, 31)), (date(2027, 1, 1), date(2027, 3, 31))]
HEAD = Viewer("headteacher", "A", "head-a")
_COLS = ("g", "r", "area", "pairing", "hours", "first", "last", "size")


def _joined(con: Connection, monkeypatch: pytest.MonkeyPatch) -> flow_counts.Work:
    """The relationships as the facts' links and coaching joined to the schools give them."""
    with monkeypatch.context() as m:
        m.setattr(flow_facts, "read", lambda *a: None)
        return flow_counts.read(con, HEAD, PERIODS, areas=True, people=False)


def _rows(work: flow_counts.Work) -> list[tuple]:
    cols = [getattr(work, c) for c in _COLS]
    return sorted(zip(*(c.tolist() for c in cols), strict=True))


def _same_as_joined(con: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    held = flow_counts.read(con, HEAD, PERIODS, areas=True, people=False)
    joined = _joined(con, monkeypatch)
    for k in ("ids", "names", "by_id", "areas"):
        assert np.array_equal(getattr(held, k), getattr(joined, k)), k
    assert _rows(held) == _rows(joined)


def _current_and_rebuilt(con: Connection) -> None:
    """The facts are current (the next read rebuilds nothing) and the flows' tables hold
    what their SQL gives now."""
    assert derived.is_current(con, DASHBOARD)
    inline = DASHBOARD.inline()
    for key in ("flow_links", "flow_coaching"):
        stored = con.execute(f"SELECT * FROM {DASHBOARD.table_name(key)} ORDER BY ALL").fetchall()  # noqa: S608
        fresh = con.execute(f"SELECT * FROM {inline[key]} ORDER BY ALL").fetchall()  # noqa: S608
        assert stored == fresh, key


def test_writes_keep_the_flows_numbers_current(tiny, monkeypatch) -> None:
    for spec in derived_sets.all_sets():
        derived.build(tiny, spec)
    before = len(flow_counts.read(tiny, HEAD, PERIODS, areas=True, people=False).g)
    for op in (
        ("log", "A1", "B3", "active", "mathematics", 0),  # a pairing written
        ("log", "B1", "C1", "agreed", "questioning", 0),
        ("move", 0, "stopped", 30),
        ("people", 1, "A2", 0),
        ("consent", "B3", False, 0),  # a consent change
        ("accept", "C1", 0, False, 0),  # an accepted request: a coaching record
    ):
        _apply(tiny, op)
        _current_and_rebuilt(tiny)
        _same_as_joined(tiny, monkeypatch)
    assert len(flow_counts.read(tiny, HEAD, PERIODS, areas=True, people=False).g) > before


def test_an_import_leaves_the_flows_numbers_current(tiny, admin, monkeypatch) -> None:
    """The re-lay after an import rebuilds them with the rest of the facts (the batch's own
    upkeep off, as for a big one); a small batch keeps them itself."""
    from brokering.find.maintenance import after_import
    from brokering.importing import upkeep

    for spec in derived_sets.all_sets():
        derived.build(tiny, spec)
    tiny.execute("DELETE FROM coaching")
    derived.build(tiny, DASHBOARD)
    assert import_paths(tiny, [TINY / "coaching.csv"], admin, today=TINY_TODAY).applied
    after_import(tiny, True)
    _current_and_rebuilt(tiny)
    _same_as_joined(tiny, monkeypatch)
    monkeypatch.setattr(upkeep, "MAX_PEOPLE", -1)
    tiny.execute("DELETE FROM coaching")
    derived.build(tiny, DASHBOARD)
    assert import_paths(tiny, [TINY / "coaching.csv"], admin, today=TINY_TODAY).applied
    assert not derived.is_current(tiny, DASHBOARD)
    after_import(tiny, True)
    _current_and_rebuilt(tiny)
    _same_as_joined(tiny, monkeypatch)


def test_schools_sharing_a_hash_are_read_by_the_joins(tiny, monkeypatch) -> None:
    """Positions that could not be told apart are never laid on: the joins read them."""
    f = facts(tiny)
    assert flow_facts.read(tiny, f.flow_links, f.flow_coaching, PERIODS) is not None
    monkeypatch.setattr(flow_facts, "_SCHOOLS", flow_facts._SCHOOLS.replace("hash(school_id)", "1"))
    assert flow_facts.read(tiny, f.flow_links, f.flow_coaching, PERIODS) is None
    joined = _joined(tiny, monkeypatch)
    assert _rows(flow_counts.read(tiny, HEAD, PERIODS, areas=True, people=False)) == _rows(joined)
    assert len(joined.g) > 0
