"""Physical layout for fast reads: evidence ordered by skill, and per-skill score parts.

Why: "who is best at X?" reads one skill's evidence out of millions of rows. DuckDB skips
row groups whose min/max cannot hold the skill, so evidence stored in skill order is read in
a few row groups instead of all. The score parts table goes further: for each (skill, person,
phase) it keeps the sums the scoring model needs, with recency measured against a fixed
`epoch`, so that a find at any later date only rescales them (every weight halves with age,
so ageing all records by the same number of days multiplies every sum by the same factor).

Nothing here decides who may see whom: the parts hold every person, and `brokering.find`
joins them with the live staff table under the acting viewer's visibility. The parts are
used only while they match the data (row counts and the last import) and the parameters
they were built with; otherwise find computes the same parts on the fly from the evidence.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from brokering.db import Connection, memory_limit, note_change, transaction
from brokering.find.parts_sql import params_key, parts_query, priors_key
from brokering.scoring import (
    COACHING_DATE_SQL,
    DEFAULT_PARAMS,
    ScoringParams,
    pairing_outcomes_sql,
)
from brokering.settings import IMPORT_MEMORY_LIMIT

SCHEMA = "derived"
PARTS = f"{SCHEMA}.find_parts"
META = f"{SCHEMA}.find_parts_meta"
RANKS = f"{SCHEMA}.find_parts_ranks"
#: Ranks at which each skill's s1 is kept: a find's cut-off for skipping weak rows.
S1_RANKS = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192)
#: Days the parts' epoch is set after the newest record at a full build. Why: a write can
#: re-work only the rows of the people it touched while their records are no newer than the
#: epoch (older rows were summed to it); with the epoch at the newest record, today's
#: observations, the usual import, always forced a full re-lay. Ahead of the data, no weight
#: is clamped and a find at any date on or after the newest record rescales the sums exactly
#: (a factor above 1 before the epoch: 2 ** (366 / half-life), small for any half-life kept).
EPOCH_MARGIN_DAYS = 366


@dataclass(frozen=True)
class PartsStatus:
    """Whether the stored parts can answer a find, from which date they count, and whether
    their `s1` order was built with the same priors (so it bounds today's scores)."""

    usable: bool
    epoch: date | None
    reason: str
    ordered: bool = False
    s1_at: tuple[float, ...] = ()
    #: Names this build of the parts: a new one every build, so rows read from one build are
    #: never mistaken for another's (`brokering.find_leaders` keeps them by it).
    build_id: str | None = None
    params_key: str = ""
    priors_key: str = ""
    #: The newest record the sums hold (finds before it are refused), and the date `s1` is
    #: measured to (the newest record at the last full build).
    newest: date | None = None
    ranked_at: date | None = None


#: What the parts were built from: evidence and coaching rows, the last import, and the rows
#: of the pairings' history (versions and log entries; both only ever appended), since a
#: pairing judged at review counts in its donors' coaching strength.
SIGNATURE_SQL = (
    "(SELECT count(*) FROM evidence), (SELECT count(*) FROM coaching),"
    " (SELECT coalesce(max(import_id), 0) FROM imports),"
    " (SELECT count(*) FROM pairing_versions) + (SELECT count(*) FROM pairing_entries)"
)
_SIGNED = "(evidence_rows, coaching_rows, last_import, pairing_rows)"
#: The stored build's id while the parts match the data, else NULL: a scalar that any
#: statement can carry to confirm, in the same read, that rows kept from a build still hold.
CURRENT_BUILD_SQL = f"(SELECT build_id FROM {META} WHERE {_SIGNED} = ({SIGNATURE_SQL}))"  # noqa: S608


def parts_status(
    con: Connection,
    as_of: date,
    params: ScoringParams = DEFAULT_PARAMS,
    skill_id: str | None = None,
) -> PartsStatus:
    """May a find at `as_of` with `params` use the stored parts? One small query: evidence and
    coaching are only ever added by imports (or removed wholesale), so their row counts and
    the last import id change whenever the parts would. With `skill_id`, the same query
    brings that skill's s1 at `S1_RANKS`."""
    try:
        meta = con.execute(
            f"SELECT epoch, params, {_SIGNED} = ({SIGNATURE_SQL}), priors, "  # noqa: S608
            f"(SELECT s1_at FROM {RANKS} WHERE skill_id = ?), build_id, "
            f"coalesce(newest, epoch), coalesce(ranked_at, epoch) FROM {META}",  # 096
            [skill_id],
        ).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):  # none, or an older layout
        return PartsStatus(False, None, "not built")
    if not meta:
        return PartsStatus(False, None, "not built")
    epoch, key, current, priors, s1_at, build_id, newest, ranked_at = meta[0]
    if not current:
        return PartsStatus(False, epoch, "data changed since the parts were built")
    if key != params_key(params):
        return PartsStatus(False, epoch, "built with other scoring parameters")
    if as_of < newest:
        return PartsStatus(False, epoch, "asked about a date before the newest record")
    ordered = priors == priors_key(params)
    ranks = tuple(float(v) for v in s1_at or ()) if ordered else ()
    return PartsStatus(
        True, epoch, "ready", ordered, ranks, build_id, key, priors, newest, ranked_at
    )


def build_find_parts(con: Connection, params: ScoringParams = DEFAULT_PARAMS) -> int:
    """(Re)build the per-skill score parts in skill order, in one transaction; return rows."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    signature = con.execute(f"SELECT {SIGNATURE_SQL}").fetchall()[0]  # noqa: S608
    newest = con.execute(
        "SELECT greatest((SELECT max(date) FROM evidence),"  # noqa: S608 - code fragments
        f" (SELECT max({COACHING_DATE_SQL}) FROM coaching c),"
        f" (SELECT max(date) FROM ({pairing_outcomes_sql(params)})), DATE '2000-01-01')"
    ).fetchall()[0][0]
    epoch = newest + timedelta(days=EPOCH_MARGIN_DAYS)
    sql, values = parts_query(params, epoch, ranked_at=newest)
    with transaction(con):
        con.execute(f"DROP TABLE IF EXISTS {PARTS}")
        con.execute(f"DROP TABLE IF EXISTS {META}")
        con.execute(
            f"CREATE TABLE {PARTS} AS SELECT * FROM ({sql}) "  # noqa: S608 - code fragments
            "ORDER BY skill_id, s1 DESC, staff_ref",
            values,
        )
        con.execute(f"DROP TABLE IF EXISTS {RANKS}")
        con.execute(
            f"CREATE TABLE {RANKS} AS SELECT skill_id, "  # noqa: S608
            "list(s1 ORDER BY rk) FILTER (WHERE list_contains(?, rk)) AS s1_at FROM ("
            "SELECT skill_id, s1, row_number() OVER (PARTITION BY skill_id ORDER BY s1 DESC) "
            f"AS rk FROM {PARTS} WHERE n > 0) GROUP BY skill_id",
            [list(S1_RANKS)],
        )
        con.execute(
            f"CREATE TABLE {META} (epoch DATE, params VARCHAR, evidence_rows BIGINT,"
            " coaching_rows BIGINT, last_import BIGINT, built_at TIMESTAMP, priors VARCHAR,"
            " build_id VARCHAR, pairing_rows BIGINT, newest DATE, ranked_at DATE)"
        )
        con.execute(
            f"INSERT INTO {META} VALUES (?, ?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?)",  # noqa: S608
            [
                epoch,
                params_key(params),
                *signature[:3],
                priors_key(params),
                uuid.uuid4().hex,
                signature[3],
                newest,
                newest,
            ],
        )
    return int(con.execute(f"SELECT count(*) FROM {PARTS}").fetchall()[0][0])  # noqa: S608


def sort_table(con: Connection, table: str, order_by: str) -> None:
    """Rewrite a table in the given order, keeping the table itself (its constraints and any
    views on it): copy aside, delete, re-insert, all in one transaction."""
    if table not in _SORTABLE or order_by != _SORTABLE[table]:
        raise ValueError(f"{table} cannot be sorted by {order_by}")
    with transaction(con):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _sorted AS SELECT * FROM {table} "  # noqa: S608
            f"ORDER BY {order_by}"
        )
        con.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        con.execute(f"INSERT INTO {table} SELECT * FROM _sorted")  # noqa: S608
        con.execute("DROP TABLE _sorted")


_SORTABLE = {
    "evidence": "skill_id, staff_ref, date",
    "coaching": "coach_ref, skill_id, start_date",
}


def optimise(con: Connection, params: ScoringParams = DEFAULT_PARAMS) -> dict[str, int]:
    """Lay the store out for finds: evidence in skill order, coaching in coach order, and the
    score parts rebuilt. Run after an import (the benchmark does; so may the data manager with
    `python -m brokering optimise`). Content is unchanged; only order and derived tables."""
    for table, order in _SORTABLE.items():
        sort_table(con, table, order)
    rows = build_find_parts(con, params)
    con.execute("CHECKPOINT")
    return {"find_parts": rows}


def after_import(con: Connection, applied: bool, params: ScoringParams = DEFAULT_PARAMS) -> bool:
    """Re-lay the store once an import (or an undo) has written rows, unless the batch kept
    it current itself, so finds keep the fast route (the stored parts stop being used the
    moment the data changes) and the derived facts whose data the import changed are ready
    for the next page view. A small batch keeps the parts and the sets current inside its own
    transaction, for exactly the people and pairings it touched
    (`brokering.importing.upkeep`); a big one, or one the upkeep could not follow, leaves
    them stale and is re-laid here in full. A kept batch skips the evidence re-sort and the
    CHECKPOINT too: its few rows sit at the tables' end until the next full re-lay, which
    costs a find only the row groups they add. Every caller that applies an import (the
    Data page, the command line, the demo build) calls this. Returns whether it re-laid."""
    if not applied:
        return False
    from brokering import derived_sets

    if parts_status(con, date.max, params).usable and not _stale_sets(con):
        return False  # kept current by the batch itself: nothing to re-lay
    with memory_limit(con, IMPORT_MEMORY_LIMIT):  # the 5M-row sort peaks like the import
        optimise(con, params)
        # The derived facts (dashboard, maturity, ledger) too: an import may change rows
        # anywhere (a move of school, corrected pairings), so each built set whose data moved
        # is rebuilt here rather than on the first page view after the import.
        derived_sets.rebuild_stale(con)
    return True


def _stale_sets(con: Connection) -> list[str]:
    """Derived sets built here whose data moved since (a set never built waits for its
    first read, as before)."""
    from brokering import derived, derived_sets

    return [
        s.name
        for s in derived_sets.all_sets()
        if (built := derived.stored_signature(con, s)) is not None
        and built != derived.signature(con, s)
    ]


def fast_path(con: Connection, as_of: date | None = None) -> dict[str, object]:
    """For operators and monitoring: whether finds can take the stored route today, and why
    not when they cannot (the route then still answers, only slower)."""
    status = parts_status(con, as_of or date.today())
    return {
        "current": status.usable,
        "reason": status.reason,
        "epoch": status.epoch.isoformat() if status.epoch else None,
        "newest": status.newest.isoformat() if status.newest else None,
    }


def drop_find_parts(con: Connection) -> None:
    """Remove the derived tables (finds then compute their parts from the evidence)."""
    for table in (PARTS, META, RANKS):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    note_change(con)  # memos that read the parts' build (find.routes) pass it over
