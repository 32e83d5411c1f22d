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
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import duckdb

from brokering.db import Connection, transaction
from brokering.errors import StoreError

SCHEMA = "derived"
META = f"{SCHEMA}.derived_meta"

#: Builds a table's SELECT from the relations of the tables before it in the set.
SqlBuilder = Callable[[Mapping[str, str]], str]


@dataclass(frozen=True)
class Table:
    key: str
    build: SqlBuilder
    order_by: str


@dataclass(frozen=True)
class DerivedSet:
    """A group of derived tables built together from one signature."""

    name: str
    #: Bump when the SQL changes, so tables an older release built are rebuilt.
    layout: int
    #: One row of integers that changes whenever the source data does.
    signature_sql: str
    tables: tuple[Table, ...]

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


def stored_signature(con: Connection, spec: DerivedSet) -> list[int] | None:
    try:
        rows = con.execute(f"SELECT signature FROM {META} WHERE name = ?", [spec.name]).fetchall()
    except duckdb.CatalogException:
        return None
    return [int(v) for v in rows[0][0]] if rows else None


def is_current(con: Connection, spec: DerivedSet) -> bool:
    """Whether the set's stored tables match the data now (else the next read rebuilds)."""
    return stored_signature(con, spec) == signature(con, spec)


def relations(con: Connection, spec: DerivedSet) -> Relations:
    """The set's tables, current with the data: rebuilt first if the data changed since they
    were built (one process-wide lock keeps two page views from rebuilding at once); the
    same SQL inline on a connection that cannot write."""
    current = signature(con, spec)
    if stored_signature(con, spec) == current:
        return Relations(spec.stored(), stored=True)
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
