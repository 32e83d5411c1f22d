"""The stored find parts kept current after a write, for exactly the people it touched.

Why apart from the full build (`maintenance`): every stored sum is per person, so a write
about a few people (an accepted request, a pairing judged, a small import) re-works those
people's rows in every skill and the ranks of the skills they appear in — at the cost of
their rows, not the store's — instead of re-laying five million rows.
"""

from __future__ import annotations

import uuid
from datetime import date

import duckdb

from brokering.db import Connection, transaction
from brokering.find.maintenance import (
    META,
    PARTS,
    RANKS,
    S1_RANKS,
    SIGNATURE_SQL,
    build_find_parts,
    params_key,
    parts_query,
)
from brokering.scoring import DEFAULT_PARAMS, ScoringParams, coaching_records_sql


def refresh_people(
    con: Connection,
    staff_refs: list[str],
    *,
    evidence_added: int = 0,
    coaching_added: int = 0,
    pairing_rows_added: int = 0,
    params: ScoringParams = DEFAULT_PARAMS,
) -> str:
    """Bring the stored parts up to date after a write that added `evidence_added` evidence
    and `coaching_added` coaching rows, all about `staff_refs`, so finds keep the fast route.
    A pairing write passes the rows it appended to the pairings' history (versions and log
    entries, `pairing_rows_added`) and the pairing's donors, whose coaching strength counts
    the pairings judged at review (a write to a pairing not yet judged passes no one: only
    the signature moves).

    Why: every stored sum is per person (a coach's outcomes in other skills count towards
    each of their skills), so re-working those people's rows in every skill, and the s1
    ranks of the skills they appear in, gives exactly what a full build would — at the cost
    of their rows, not the store's. Done only when the parts were current just before this
    write and its weighted records are no newer than the parts' epoch, which a full build
    sets `maintenance.EPOCH_MARGIN_DAYS` after the newest record, so today's records are
    re-worked here too (the parts' `newest` moves forward to cover them); a record after the
    epoch moves it, so the parts are rebuilt in full (a coaching relationship just begun
    has no outcome or feedback yet, so it weighs nothing and never forces that). Returns
    "refreshed", "rebuilt", or why nothing was done ("not built", "already stale", "other
    scoring parameters")."""
    try:
        meta = con.execute(
            f"SELECT epoch, params, evidence_rows, coaching_rows, last_import, pairing_rows, "  # noqa: S608
            f"coalesce(ranked_at, epoch) FROM {META}"  # migration 096
        ).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):  # none, or an older layout
        return "not built"
    if not meta:
        return "not built"
    epoch, key, *built, _ranked_at = meta[0]
    if key != params_key(params):
        return "other scoring parameters"
    now = con.execute(f"SELECT {SIGNATURE_SQL}").fetchall()[0]  # noqa: S608
    if tuple(now) == tuple(built):
        return "refreshed"  # nothing this build does not already hold
    added = (evidence_added, coaching_added, 0, pairing_rows_added)
    if tuple(n - a for n, a in zip(now, added, strict=True)) != tuple(built):
        return "already stale"
    refs = sorted(set(staff_refs))
    if not refs:  # no one's sums changed: the rows and their build stand as they are
        with transaction(con):
            con.execute(
                f"UPDATE {META} SET evidence_rows = ?, coaching_rows = ?, last_import = ?, "  # noqa: S608
                "pairing_rows = ?",
                list(now),
            )
        return "refreshed"
    newest = newest_weighted(con, refs, params)
    if newest is not None and newest > epoch:
        build_find_parts(con, params)
        return "rebuilt"
    with transaction(con):
        rework_people(con, refs, epoch, list(now), params, newest)
    return "refreshed"


def newest_weighted(con: Connection, refs: list[str], params: ScoringParams) -> date | None:
    """The newest record that weighs in `refs`' sums: their evidence, and their coaching
    (pairings judged at review included) that has an outcome or feedback. Past the parts'
    epoch, it moves the epoch: their rows alone cannot be worked out again. Up to it, it
    moves the parts' `newest` (no find before it may use them)."""
    return con.execute(
        "SELECT greatest((SELECT max(date) FROM evidence WHERE list_contains(?, staff_ref)),"  # noqa: S608
        f" (SELECT max(date) FROM {coaching_records_sql(params, donors=True)} c"
        " WHERE list_contains(?, c.coach_ref)"
        " AND (c.o IS NOT NULL OR c.fb IS NOT NULL)))",
        [refs, refs, refs],
    ).fetchall()[0][0]


def rework_people(
    con: Connection,
    refs: list[str],
    epoch: date,
    now: list[int],
    params: ScoringParams = DEFAULT_PARAMS,
    newest: date | None = None,
) -> None:
    """`refs`' rows of the stored parts worked out again (recency to `epoch`, s1 to the
    build's `ranked_at` as every other row's), the parts' `newest` moved on to `newest` (the
    touched people's newest weighted record, `newest_weighted`), the s1 ranks
    of every skill they appear in before or after, and the build recorded as matching the
    signature `now` — inside the caller's transaction (a write's own, so the parts and the
    data commit together). The caller has checked the parts were current before its write
    and that none of `refs`' weighted records is newer than `epoch` (`refresh_people`)."""
    ranked_at = con.execute(f"SELECT coalesce(ranked_at, epoch) FROM {META}").fetchall()[0][0]  # noqa: S608
    sql, values = parts_query(params, epoch, staff_refs=refs, ranked_at=ranked_at)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _touched AS SELECT DISTINCT skill_id FROM {PARTS} "  # noqa: S608
        "WHERE list_contains(?, staff_ref)",
        [refs],
    )
    con.execute(f"DELETE FROM {PARTS} WHERE list_contains(?, staff_ref)", [refs])  # noqa: S608
    con.execute(
        f"INSERT INTO {PARTS} SELECT * FROM ({sql}) ORDER BY skill_id, s1 DESC, staff_ref",  # noqa: S608
        values,
    )
    con.execute(
        f"INSERT INTO _touched SELECT DISTINCT skill_id FROM {PARTS} "  # noqa: S608
        "WHERE list_contains(?, staff_ref)",
        [refs],
    )
    con.execute(f"DELETE FROM {RANKS} WHERE skill_id IN (SELECT skill_id FROM _touched)")  # noqa: S608
    con.execute(
        f"INSERT INTO {RANKS} SELECT skill_id, "  # noqa: S608
        "list(s1 ORDER BY rk) FILTER (WHERE list_contains(?, rk)) AS s1_at FROM ("
        "SELECT skill_id, s1, row_number() OVER (PARTITION BY skill_id ORDER BY s1 DESC) "
        f"AS rk FROM {PARTS} WHERE n > 0 "
        "AND skill_id IN (SELECT skill_id FROM _touched)) GROUP BY skill_id",
        [list(S1_RANKS)],
    )
    con.execute("DROP TABLE _touched")
    con.execute(
        f"UPDATE {META} SET evidence_rows = ?, coaching_rows = ?, last_import = ?, "  # noqa: S608
        "pairing_rows = ?, build_id = ?, ranked_at = coalesce(ranked_at, epoch), "
        "newest = greatest(coalesce(newest, epoch), coalesce(?::DATE, newest, epoch))",
        [*now, uuid.uuid4().hex, newest],
    )
