"""Looks worked out once and shared between a school's view's two threads: a read ahead
(`flow_once.once` without `wait`) is skipped while another thread is at the same look and
is then served to the thread that asks; and what is worked out from a read's rows
(`flow_counts.Work.remember`) is worked out once for them and never for other rows."""

from __future__ import annotations

from datetime import date

import numpy as np

from brokering.changes import forget
from brokering.dashboard import flow_counts, flow_once


def test_a_read_ahead_is_skipped_while_the_look_is_under_way_then_served(con) -> None:
    forget()
    calls: list[str] = []

    def outer() -> str:
        # The same key, asked ahead while this look holds it: nothing is done.
        assert flow_once.once(con, "look-a", lambda: calls.append("inner") or "x", False) is None
        calls.append("outer")
        return "answer"

    assert flow_once.once(con, "look-a", outer) == "answer"
    assert calls == ["outer"]
    # Read ahead when no one is at it: worked out once, then served from memory.
    assert flow_once.once(con, "look-b", lambda: calls.append("ahead") or "b", False) is None
    assert flow_once.once(con, "look-b", lambda: calls.append("again") or "c") == "b"
    assert calls == ["outer", "ahead"]


def _work(n: int) -> flow_counts.Work:
    rows = {k: np.arange(n) for k in flow_counts._REL}
    people = {k: np.arange(0) for k in flow_counts._WHO}
    ids = np.array(["A", "B"], object)
    return flow_counts.Work(ids, ids, np.arange(2), np.array([], object), **rows, **people)


def test_what_rests_on_a_read_is_worked_out_once_for_its_rows() -> None:
    work, other = _work(3), _work(3)
    calls: list[int] = []
    assert work.remember("k", lambda: calls.append(1) or 1) == 1
    assert work.remember("k", lambda: calls.append(2) or 2) == 1
    assert other.remember("k", lambda: calls.append(3) or 3) == 3
    # A period's rows (`during`) are other rows: nothing carried over.
    assert work.during(date(1970, 1, 1), date(1970, 1, 2)).remember("k", lambda: 4) == 4
    assert calls == [1, 3]
