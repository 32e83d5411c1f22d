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
"""

from __future__ import annotations

from brokering.db import Connection

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
