# ruff: noqa: S608 - table names and SQL here are code constants; values are parameters.
"""Derived tables that keep themselves current: summaries rebuilt before the next read
whenever the data they summarise has changed.

Why: some figures (the dashboard's, the maturity indicators) summarise hundreds of thousands
of rows, and working the summary out on every page view is too slow at national scale. A
`DerivedSet` names its tables, the SQL that builds each, and a signature query of cheap
counts that changes whenever the source data does (the pairing tables are append-only,
evidence and staff change only through imports). `relations` checks the signature and
rebuilds in one transaction when it differs. A connection that cannot write (read-only)
gets the same SQL inline instead, so an answer never comes from stale tables.

Nothing here decides who may see what: the tables hold facts about every pairing or person,
and the modules that read them apply the viewer's visibility and suppression.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import duckdb

from brokering.db import Connection, note_change, transaction, writing
from brokering.errors import StoreError

SCHEMA = "derived"
META = f"{SCHEMA}.derived_meta"

#: Builds a table's SELECT from the relations of the tables before it in the set (and, under
#: `SOURCE` + name, of any source table a partial refresh narrows: read them with `source`).
SqlBuilder = Callable[[Mapping[str, str]], str]
SOURCE = "source:"


def last_import_sql(unread: tuple[str, ...]) -> str:
    """A signature term: the newest import that could have changed a set's sources — every
    import (and undo) except one that wrote only to tables in `unread`, tables the set never
    reads (so an evidence-only import leaves the pairings' facts current)."""
    listed = ", ".join(f"'{t}'" for t in unread)
    return (
        "(SELECT coalesce(max(import_id), 0) FROM imports WHERE NOT (outcome = 'applied' "  # noqa: S608
        f"AND detail IS NOT NULL AND list_has_all([{listed}], json_keys(detail))))"
    )


def source(relations: Mapping[str, str], table: str) -> str:
    """The relation a builder reads source `table` from: the table itself, or only the rows
    a partial refresh is working out again (see `Part`)."""
    return relations.get(SOURCE + table, table)


@dataclass(frozen=True)
class Table:
    key: str
    build: SqlBuilder
    order_by: str


@dataclass(frozen=True)
class Part:
    """Rows of a set that can be worked out again on their own — one pairing's, one coach's —
    so that a write which touched only those keeps the set current at the cost of their rows
    (`Upkeep`), not of a rebuild.

    `tables`: (table key, the column holding the part's key) for every table whose rows the
    part replaces; `sources`: (source table, its column holding the key) for every source read
    narrowed to those keys while they are worked out (any other source is read whole)."""

    name: str
    tables: tuple[tuple[str, str], ...]
    sources: tuple[tuple[str, str], ...]
    #: Totals over many parts' rows (a school's, two schools'), worked out again afterwards.
    spread: tuple[Spread, ...] = ()


@dataclass(frozen=True)
class Spread:
    """A table of totals by another key (a school, two schools) over a part's tables: after a
    part's rows are worked out again, the totals for every key those rows held before or hold
    now are worked out again too.

    `keys_from`: (part table key, its column holding the totals' key); `where`: a condition on
    a totals row naming its keys as `{keys}` (e.g. "a IN {keys} OR b IN {keys}"); `reads`:
    (table key the totals are built from, the condition narrowing it, in the same form)."""

    table: str
    keys_from: tuple[str, str]
    where: str
    reads: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DerivedSet:
    """A group of derived tables built together from one signature."""

    name: str
    #: Bump when the SQL changes, so tables an older release built are rebuilt.
    layout: int
    #: One row of integers that changes whenever the source data does.
    signature_sql: str
    tables: tuple[Table, ...]
    #: The ways its rows can be refreshed a part at a time (none: only a whole rebuild).
    parts: tuple[Part, ...] = ()

    def table_name(self, key: str) -> str:
        return f"{SCHEMA}.{self.name}_{key}"

    def stored(self) -> dict[str, str]:
        return {t.key: self.table_name(t.key) for t in self.tables}

    def inline(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for t in self.tables:
            out[t.key] = f"({t.build(out)})"
        return out


@dataclass(frozen=True)
class Relations:
    """Where to read each table of a set from, and whether that is the stored table."""

    names: Mapping[str, str]
    stored: bool

    def __getitem__(self, key: str) -> str:
        return self.names[key]


_LOCK = threading.Lock()


def signature(con: Connection, spec: DerivedSet) -> list[int]:
    return [spec.layout, *(int(v) for v in con.execute(spec.signature_sql).fetchall()[0])]


def _has_meta(con: Connection) -> bool:
    """Whether any set was ever built here. Asked of the catalogue rather than by trying the
    table: inside a write's transaction a failed statement would abort the write."""
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ?",
            [SCHEMA, META.split(".")[1]],
        ).fetchall()[0][0]
    )


def stored_signature(con: Connection, spec: DerivedSet) -> list[int] | None:
    if not _has_meta(con):
        return None
    rows = con.execute(f"SELECT signature FROM {META} WHERE name = ?", [spec.name]).fetchall()
    return [int(v) for v in rows[0][0]] if rows else None


def is_current(con: Connection, spec: DerivedSet) -> bool:
    """Whether the set's stored tables match the data now (else the next read rebuilds)."""
    return stored_signature(con, spec) == signature(con, spec)


def relations(con: Connection, spec: DerivedSet) -> Relations:
    """The set's tables, current with the data: rebuilt first if the data changed since they
    were built (one process-wide lock keeps two page views from rebuilding at once); the
    same SQL inline on a connection that cannot write, and inside a write's transaction (a
    rebuild there would be a transaction within a transaction, refused, and the refusal
    would abort the write: tests/test_derived_in_a_write.py)."""
    current = signature(con, spec)
    if stored_signature(con, spec) == current:
        return Relations(spec.stored(), stored=True)
    if writing():
        return Relations(spec.inline(), stored=False)
    with _LOCK:
        if stored_signature(con, spec) != current:
            try:
                build(con, spec, current)
            except (duckdb.InvalidInputException, duckdb.TransactionException) as exc:
                if stored_signature(con, spec) == current:  # another process built it
                    return Relations(spec.stored(), stored=True)
                if "read-only" in str(exc):
                    return Relations(spec.inline(), stored=False)
                raise StoreError(
                    "The figures could not be brought up to date just now. Reload the page "
                    "in a moment."
                ) from exc
    return Relations(spec.stored(), stored=True)


def build(con: Connection, spec: DerivedSet, current: list[int] | None = None) -> None:
    """(Re)build every table of the set and record its signature, in one transaction."""
    current = current or signature(con, spec)
    names = spec.stored()
    with transaction(con):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {META} (name VARCHAR PRIMARY KEY, signature BIGINT[],"
            " built_at TIMESTAMP DEFAULT current_timestamp)"
        )
        for t in spec.tables:
            con.execute(
                f"CREATE OR REPLACE TABLE {names[t.key]} AS {t.build(names)} ORDER BY {t.order_by}"
            )
        con.execute(f"DELETE FROM {META} WHERE name = ?", [spec.name])
        con.execute(f"INSERT INTO {META} (name, signature) VALUES (?, ?)", [spec.name, current])


def drop(con: Connection, spec: DerivedSet) -> None:
    """Remove a set's tables (the next read rebuilds them)."""
    for name in spec.stored().values():
        con.execute(f"DROP TABLE IF EXISTS {name}")
    try:
        con.execute(f"DELETE FROM {META} WHERE name = ?", [spec.name])
    except duckdb.CatalogException:
        pass
    note_change(con)


# -- keeping sets current through a write --------------------------------------------------
_KEYS = "_derived_spread"


#: Up to this many keys are worked out one at a time; more (an import's batch) in one pass.
ONE_BY_ONE = 4


def refresh_part(con: Connection, spec: DerivedSet, part: Part, keys: Iterable[str]) -> None:
    """Work out the rows of `part` for `keys` again: delete them from each of the part's
    tables and insert them from the set's own SQL over the sources narrowed to those keys,
    then any totals they feed (`Spread`). Runs inside the caller's transaction; records no
    signature (`Upkeep` does).

    A few keys one at a time (a write in the app touches one pairing, coach or person):
    `column = $1` is a filter each scan applies itself, skipping the row groups whose range
    cannot hold the key. More than `ONE_BY_ONE` (an import's batch: forty people) in one
    pass, the keys in a temporary table: one scan of each source instead of one per key."""
    columns = dict(part.tables)
    for i in range(len(part.spread)):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_KEYS}_{i} (k VARCHAR)")
    every = sorted(set(keys))
    if len(every) > ONE_BY_ONE:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_KEYS}_all (k VARCHAR)")
        con.execute(f"INSERT INTO {_KEYS}_all SELECT unnest(?::VARCHAR[])", [every])
        passes: list[tuple[str, list[object]]] = [(f"IN (SELECT k FROM {_KEYS}_all)", [])]
    else:
        passes = [("= $1", [key]) for key in every]
    for cond, values in passes:
        names: dict[str, str] = dict(spec.stored())
        for table, column in part.sources:
            names[SOURCE + table] = f"(SELECT * FROM {table} WHERE {column} {cond})"
        _spread_keys(con, spec, part, columns, cond, values)  # the keys the rows held
        for t in spec.tables:
            if t.key not in columns:
                continue
            name, column = spec.table_name(t.key), columns[t.key]
            con.execute(f"DELETE FROM {name} WHERE {column} {cond}", values)
            con.execute(
                f"INSERT INTO {name} BY NAME SELECT * FROM ({t.build(names)}) "
                f"WHERE {column} {cond}",
                values,
            )
            names[t.key] = f"(SELECT * FROM {name} WHERE {column} {cond})"
        _spread_keys(con, spec, part, columns, cond, values)  # and the keys they hold now
    if len(every) > ONE_BY_ONE:
        con.execute(f"DROP TABLE {_KEYS}_all")
    if part.spread:
        _refresh_spread(con, spec, part)


def _spread_keys(
    con: Connection, spec: DerivedSet, part: Part, columns: dict, cond: str, values: list
) -> None:
    for i, sp in enumerate(part.spread):
        table, column = sp.keys_from
        con.execute(
            f"INSERT INTO {_KEYS}_{i} SELECT DISTINCT {column} FROM {spec.table_name(table)} "
            f"WHERE {columns[table]} {cond}",
            values,
        )


def _refresh_spread(con: Connection, spec: DerivedSet, part: Part) -> None:
    builds = {t.key: t.build for t in spec.tables}
    for i, sp in enumerate(part.spread):
        keys = f"(SELECT DISTINCT k FROM {_KEYS}_{i})"
        names: dict[str, str] = dict(spec.stored())
        for table, where in sp.reads:
            names[table] = f"(SELECT * FROM {names[table]} WHERE {where.format(keys=keys)})"
        name, where = spec.table_name(sp.table), sp.where.format(keys=keys)
        con.execute(f"DELETE FROM {name} WHERE {where}")
        con.execute(
            f"INSERT INTO {name} BY NAME SELECT * FROM ({builds[sp.table](names)}) WHERE {where}"
        )
        con.execute(f"DROP TABLE {_KEYS}_{i}")


def record_signature(con: Connection, spec: DerivedSet, current: list[int]) -> None:
    """Record the set's tables as matching `current` (the caller knows they do)."""
    con.execute(f"UPDATE {META} SET signature = ?, built_at = current_timestamp WHERE name = ?",
                [current, spec.name])  # fmt: skip


class Upkeep:
    """Keeps the derived sets that were current before a write current after it, inside the
    write's own transaction, so the first read after a write finds them ready.

    Why: a rebuild of the dashboard's facts takes seconds at national scale, and it used to
    fall on the first page view after any change. The writer says what it touched (`touch`:
    a part and its keys, e.g. ("pairing", ["P0042"])); at the end (`finish`) every set whose
    signature moved has those parts worked out again and its new signature recorded. A set
    that was already stale, or whose data moved in a way no touched part describes, is left
    stale: its next read rebuilds it, so nothing is ever read from stale tables."""

    def __init__(self, con: Connection, specs: Iterable[DerivedSet]) -> None:
        self.con = con
        self.current = [s for s in specs if is_current(con, s)]
        self.touched: dict[str, set[str]] = {}
        self.outcome: dict[str, str] = {}

    def touch(self, part: str, keys: Iterable[str]) -> None:
        self.touched.setdefault(part, set()).update(str(k) for k in keys)

    def finish(self) -> dict[str, str]:
        """Refresh what was touched; per set, what was done ("unchanged", "refreshed" or
        "left stale")."""
        for spec in self.current:
            now = signature(self.con, spec)
            if stored_signature(self.con, spec) == now:
                self.outcome[spec.name] = "unchanged"
                continue
            parts = [p for p in spec.parts if self.touched.get(p.name)]
            if not parts:
                self.outcome[spec.name] = "left stale"
                continue
            for part in parts:
                refresh_part(self.con, spec, part, self.touched[part.name])
            record_signature(self.con, spec, now)
            self.outcome[spec.name] = "refreshed"
        return self.outcome
