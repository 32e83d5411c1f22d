"""Looks at the flows read once per store change and shared between threads: a school's
view of the Transfer page works out its own flows and the alliance's side by side
(`school_view`), and both need the period's relationships and the same sample of them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import date
from typing import TypeVar

from brokering import changes
from brokering.dashboard.facts import Facts, facts
from brokering.dashboard.flow_counts import Work, read
from brokering.db import Connection
from brokering.viewer import Viewer

T = TypeVar("T")


def relationships(
    con: Connection, viewer: Viewer, periods: list[tuple[date, date]], f: Facts | None = None
) -> Work:
    """`read` with areas and without people: the same for every viewer (no one's visibility
    enters it), so read once per store change for every look that needs it — a school's view
    of the Transfer page looks at its own flows and the alliance's beside them. Shared:
    callers must not change its arrays."""
    f = f or facts(con)
    key = ("flow_counts.relationships", tuple(periods), f.links, f.coaching, f.people)
    return once(con, key, lambda: read(con, viewer, periods, areas=True, people=False, f=f))


_LOCKS_GUARD = threading.Lock()
_LOCKS: dict[Hashable, threading.Lock] = {}


def once(con: Connection, key: Hashable, compute: Callable[[], T], wait: bool = True) -> T | None:
    """`changes.remembered` under the store's mark, worked out by one thread at a time per
    key: a school's view of the Transfer page asks for the same look from two threads side
    by side (its flows' and the alliance's), and the second waits for the first's answer
    rather than working it out again. Without `wait`: worked out ahead, by a thread with
    time to spare, unless another thread is at it (then nothing is done); None either way."""
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(key, threading.Lock())
        if len(_LOCKS) > 64:  # keys of past marks: let the oldest go
            for old in list(_LOCKS)[:32]:
                if old != key:
                    _LOCKS.pop(old)
    if not wait:
        if lock.acquire(blocking=False):
            try:
                changes.remembered(changes.mark(con), key, compute)
            finally:
                lock.release()
        return None
    with lock:
        return changes.remembered(changes.mark(con), key, compute)
