"""The store's change signature: a few cheap counts that move whenever anything a page
reads could have changed.

Why: the app caches some reads (the school list, depth by school, the gap map, find
results) to keep pages quick, and a cache must never outlive the data it was read from — a
withdrawn consent takes effect at once, and an import's new people show on the very next
page run. Keying every cache on `store_version` makes that hold without each write path
having to remember to clear caches. The tables behind it only grow (evidence, coaching,
consent events, pairing versions and entries, imports), except staff, which changes only
through an import (a new import id) or a consent change (a new consent event), and needs,
whose every change writes a need event (an accepted request included). Leaders' maturity
judgements are only appended; accounts are covered by a hash of what a page could show or
decide by (name, role, school, disabled), not by sign-in times, so a colleague signing in
does not empty every cache.

`mark` is the cheap counterpart for reads made many times a minute (a find, a candidates
list): one row, `store_changes`, moved by every write transaction as it commits and by the
few writes made outside one (`db.note_change`). `remembered` keeps a read's answer in this
process under the mark it was read at, so a repeat of the same read — same statement, same
viewer's visibility — costs one look at the mark until anything is written. Nothing is
remembered inside a write transaction (its reads may see writes not yet committed).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import duckdb

from brokering.db import Connection, writing

VERSION_SQL = (
    "SELECT (SELECT coalesce(max(import_id), 0) FROM imports),"
    " (SELECT count(*) FROM consent_events), (SELECT count(*) FROM evidence),"
    " (SELECT count(*) FROM coaching), (SELECT count(*) FROM staff),"
    " (SELECT count(*) FROM pairing_versions), (SELECT count(*) FROM pairing_entries),"
    " (SELECT count(*) FROM need_events), (SELECT count(*) FROM maturity_judgements),"
    " (SELECT coalesce(sum(hash(username, role, school_id, disabled)), 0) % 9223372036854775807"
    " FROM users)"
)


def store_version(con: Connection) -> tuple[int, ...]:
    """Counts that change with every write a cached read could depend on (see module doc)."""
    return tuple(int(v) for v in con.execute(VERSION_SQL).fetchall()[0])


#: (changes so far, a token drawn afresh at each change).
Mark = tuple[int, str]
T = TypeVar("T")
#: Answers remembered at once, all under the newest mark stored (the oldest go first).
MEMO_SIZE = 256
_MEMO: OrderedDict[tuple[Mark, Hashable], object] = OrderedDict()
_MEMO_LOCK = threading.Lock()
_MISSING = object()


def mark(con: Connection) -> Mark | None:
    """The store's change mark now, or None when nothing may be remembered: inside a write
    transaction of this thread, or on a store without the mark (one opened read-only
    before migration 094)."""
    if writing():
        return None
    try:
        rows = con.execute("SELECT n, token FROM store_changes").fetchall()
    except duckdb.CatalogException:
        return None
    return (int(rows[0][0]), str(rows[0][1])) if rows else None


def remembered(at: Mark | None, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`'s answer as it was at mark `at`, worked out once per mark. `key` must name
    everything the answer depends on besides the store (the statement and its values: the
    viewer's visibility among them). `at` None: worked out afresh, not kept. The answer is
    shared: callers must not change it. Two threads asking at once may both work it out
    (correct, only duplicated work): the lock is not held while computing."""
    if at is None:
        return compute()
    k = (at, key)
    with _MEMO_LOCK:
        hit = _MEMO.get(k, _MISSING)
        if hit is not _MISSING:
            _MEMO.move_to_end(k)
            return hit  # type: ignore[return-value]
    value = compute()
    with _MEMO_LOCK:
        # Answers under any other mark are dead once the store has moved on (or belong to
        # another store in this process): dropped now rather than held until pushed out, as
        # one remembered pool can be a national skill's thousands of people.
        for old in [m for m in _MEMO if m[0] != at]:
            del _MEMO[old]
        _MEMO[k] = value
        while len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)
    return value


def recalled(at: Mark | None, key: Hashable) -> object | None:
    """What `remembered` holds for `key` at mark `at`, or None: never worked out here (a
    caller content with a cheaper answer takes the fuller one where it is held)."""
    if at is None:
        return None
    with _MEMO_LOCK:
        return _MEMO.get((at, key))


def forget() -> None:
    """Drop every remembered answer (the benchmark's first-read figures; tests)."""
    with _MEMO_LOCK:
        _MEMO.clear()


def hashable(values: list[object] | tuple[object, ...]) -> tuple[object, ...]:
    """Bound values as a memo key: lists (phases, refs) become tuples."""
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)
