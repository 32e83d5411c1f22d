"""The one owner of the DuckDB connection: opening, migrating, transactions.

Migrations are numbered SQL files in `migrations/`, each applied once in its own
transaction and recorded in `schema_version`, so opening an older database upgrades it in
place and never drops rows.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from brokering.errors import DatabaseLockedError, StoreError
from brokering.settings import DEFAULT_DB_PATH

T = TypeVar("T")
U = TypeVar("U")

Connection = duckdb.DuckDBPyConnection

#: Serialises this process's write transactions and audit entries, so the audit chain
#: (audit.py) is written in one order: an entry written inside a transaction is chained
#: before any other thread's. DuckDB's own concurrency is optimistic; this only orders.
WRITE_LOCK = threading.RLock()

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def default_db_path() -> Path:
    """Where the store lives: `BROKERING_DB` if set (read at call time, so tests can
    point each run elsewhere), else `data/alliance.duckdb`."""
    env = os.environ.get("BROKERING_DB")
    return Path(env) if env else DEFAULT_DB_PATH


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration shipped with the package, in order."""
    found = []
    for entry in resources.files("brokering.migrations").iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def connect(path: Path | str | None = None, *, read_only: bool = False) -> Connection:
    """Open (creating if needed) and migrate the store.

    A lock held by another process becomes a plain message naming the holder: DuckDB lets
    only one process open a file for writing, and the app may be that process.
    """
    target = str(path) if path is not None else str(default_db_path())
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as exc:
        raise _lock_error(target, exc) from exc
    except duckdb.Error as exc:
        raise StoreError(plain_error(exc, f"Could not open the database {target}")) from exc
    if not read_only:
        migrate(con)
    return con


def plain_error(exc: Exception, context: str) -> str:
    """A storage failure in words an operator can act on: a damaged write-ahead log or a
    full disk is named as such (and never served silently); anything else keeps its text."""
    text = str(exc)
    low = text.lower()
    if "wal" in low and ("corrupt" in low or "checksum" in low or "replaying" in low):
        return (
            f"{context}: its write-ahead log (the record of the latest changes) is damaged, "
            "so the store is not opened rather than served incomplete. Restore the latest "
            "backup (python -m brokering restore BACKUP), then re-apply what changed since."
        )
    if "no space left" in low or "file too large" in low or "disk is full" in low:
        return (
            f"{context}: the disk is full (or the file hit its size limit), so the change "
            "could not be written and nothing was changed. Free some space and try again."
        )
    if "corrupt" in low or "checksum" in low:
        return (
            f"{context}: the store file is damaged ({text}). Restore the latest backup "
            "(python -m brokering restore BACKUP)."
        )
    return f"{context}: {text}"


def lock_down(con: Connection) -> None:
    """No file access, no extensions, and the configuration fixed, for the rest of this
    database instance's life: `read_csv('/etc/passwd')`, `ATTACH`, `INSTALL`, `LOAD` and
    `COPY ... TO` all fail through it, and no later statement can undo that. The app runs on
    such a connection once the schema is open; imports take a separate one (sharing.py)."""
    if is_locked_down(con):
        return
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET allow_community_extensions = false")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def is_locked_down(con: Connection) -> bool:
    return bool(con.execute("SELECT current_setting('lock_configuration')").fetchall()[0][0])


def _lock_error(target: str, exc: Exception) -> StoreError | DatabaseLockedError:
    text = str(exc)
    if "lock" not in text.lower():
        return StoreError(f"Could not open the database {target}: {text}")
    pid = re.search(r"PID (\d+)", text)
    holder = f"process {pid.group(1)}" if pid else "another program"
    app = re.search(r"held in (\S+)", text)
    program = f" ({app.group(1)})" if app else ""
    return DatabaseLockedError(
        f"The database {target} is in use by {holder}{program}. Close the app (or wait for "
        "the other command to finish) and try again, or run the import from the app's Data page."
    )


def schema_version(con: Connection) -> int:
    """Highest migration applied; 0 for a database that has none."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0])


def migrate(con: Connection) -> list[int]:
    """Apply every migration newer than the database; return the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    # Each migration is recorded by number, so one merged later with a lower number than
    # the newest applied (branches landing out of order) is still applied.
    done = {int(r[0]) for r in con.execute("SELECT version FROM schema_version").fetchall()}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
        applied.append(version)
    return applied


#: Moves the store's change mark (`brokering.changes`): one more change, a fresh token.
NOTE_CHANGE_SQL = "UPDATE store_changes SET n = n + 1, token = uuid()::VARCHAR"
#: Write transactions open in this thread (`transaction`): memos of reads stand aside.
_WRITING: ContextVar[int] = ContextVar("brokering_writing", default=0)


def writing() -> bool:
    """Whether this thread is inside a write transaction: its reads may see its own writes
    before they are committed, so nothing read then may be remembered (`changes`)."""
    return _WRITING.get() > 0


def note_change(con: Connection) -> bool:
    """Move the store's change mark, so every memo keyed on the old one is passed over.
    Called inside each write transaction just before it commits (so the mark and the data
    move together), and after each write made outside one. False (nothing written) on a
    read-only connection, or on a store that has not reached migration 094 yet (only while
    migrating: the table is looked up in the catalogue, which does not abort a
    transaction as a failed query would)."""
    return _note(con) == "noted"


def _note(con: Connection) -> str:
    """`note_change`'s outcome: "noted", "no mark" (no table yet) or "read-only"."""
    try:
        con.table("store_changes")
    except duckdb.CatalogException:
        return "no mark"
    try:
        with WRITE_LOCK:  # never beside another thread's transaction moving the same row
            con.execute(NOTE_CHANGE_SQL)
    except duckdb.InvalidInputException as exc:
        if "read-only" not in str(exc):
            raise
        return "read-only"
    return "noted"


@contextmanager
def transaction(con: Connection) -> Iterator[Connection]:
    """All or nothing: commit on success, roll back on any exception. Every commit moves the
    store's change mark (`note_change`); on a read-only connection, where nothing could be
    written, the transaction is rolled back instead (the failed move aborted it)."""
    with WRITE_LOCK:
        depth = _WRITING.set(_WRITING.get() + 1)
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                noted = _note(con)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            else:
                con.execute("ROLLBACK" if noted == "read-only" else "COMMIT")
        finally:
            _WRITING.reset(depth)


@contextmanager
def manual_transaction() -> Iterator[None]:
    """For a writer that runs its own BEGIN ... COMMIT (the importer: its batch upkeep and
    dry runs need the transaction in hand): holds the write lock and marks this thread as
    writing while it does; the writer calls `note_change` before its COMMIT."""
    with WRITE_LOCK:
        depth = _WRITING.set(_WRITING.get() + 1)
        try:
            yield
        finally:
            _WRITING.reset(depth)


def query_df(con: Connection, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
    """Run a read and return a DataFrame, turning driver errors into StoreError."""
    try:
        return con.execute(sql, params or []).df()
    except duckdb.Error as exc:
        raise StoreError(f"The database could not answer that request: {exc}") from exc


def query_df_arrow(con: Connection, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
    """`query_df` by way of Arrow. Why: a read of many text rows (a national table's 90,000
    cells by school and area) comes back a quarter quicker, text as the same string type.
    Only for reads of text and whole numbers that never hold NULL: Arrow gives an integer
    column with NULL as floats (`query_df`: nullable integers), a BOOLEAN one with NULL as
    objects, dates as `datetime.date` (`query_df`: datetime64) and an empty text column
    as text (`query_df`: objects). A result left unread on `con` (a `.fetchone()`) is run
    to its end first: a relation's read is refused beside it, where `execute` replaces it."""
    try:
        con.complete()
        return con.sql(sql, params=list(params or [])).to_arrow_table().to_pandas()
    except duckdb.Error as exc:
        raise StoreError(f"The database could not answer that request: {exc}") from exc


def alongside(
    con: Connection, other: Callable[[Connection], U], work: Callable[[], T]
) -> tuple[T, U]:
    """(`work()`, `other(cursor)`): `other` runs on a cursor of its own in a second thread
    while `work` runs here on `con`. Why: at national scale a dashboard read is mostly one
    thread's work (DuckDB reads a table of 100,000 rows as one row group), so two
    independent reads finish in the time of the longer on a machine with two cores. Both see
    the store as committed; an error in either is raised here."""
    cursor = con.cursor()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(other, cursor)
            answer = work()
        return answer, pending.result()
    finally:
        cursor.close()


def query_records(con: Connection, sql: str, params: list | tuple | None = None) -> list[dict]:
    """Run a read and return its rows as dicts (a name given twice keeps its first column),
    turning driver errors into StoreError. Why beside `query_df`: a wide row of a few
    results reads back several times faster without a DataFrame between (NULL is None)."""
    try:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(reversed(list(zip(names, row, strict=True)))) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        raise StoreError(f"The database could not answer that request: {exc}") from exc


def query_arrays(con: Connection, sql: str, params: list | tuple | None = None) -> dict:
    """Run a read and return its columns as numpy arrays (masked where NULL), turning driver
    errors into StoreError. Why beside `query_df`: rows only taken apart again into arrays
    need no DataFrame between (a read of tens of thousands of rows)."""
    try:
        return con.execute(sql, params or []).fetchnumpy()
    except duckdb.Error as exc:
        raise StoreError(f"The database could not answer that request: {exc}") from exc


def table_counts(con: Connection) -> dict[str, int]:
    """Row counts of the alliance's data tables (the `stats` command and the Data page)."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
    ]
    return {t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0]) for t in tables}  # noqa: S608


@contextmanager
def memory_limit(con: Connection, limit: str) -> Iterator[None]:
    """Bound DuckDB's memory for a heavy step — an import, a re-lay — (never raising a lower
    limit already set), and put the previous limit back afterwards. Why: a national file
    otherwise peaks near 2.3 GB; bounded, DuckDB spills what does not fit, at no measured
    cost in time."""
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.execute("SET memory_limit = ?", [limit])
    lowered = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    if _size(lowered) > _size(before):  # the store was already held to less: keep that
        con.execute("SET memory_limit = ?", [before])
    try:
        yield
    finally:
        con.execute("SET memory_limit = ?", [before])


def _size(text: str) -> float:
    """A DuckDB size such as '1.3 GiB' or '1500.0 MiB' in bytes, for comparing limits."""
    number, _, unit = str(text).strip().partition(" ")
    scale = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
    scale |= {"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}
    return float(number) * scale.get(unit or "B", 1)
