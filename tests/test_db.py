"""Migrations: applied once, recorded, and an older database upgrades without losing rows."""

from pathlib import Path

import duckdb
import pytest

from brokering import db
from brokering.errors import DatabaseLockedError


def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "a.duckdb")
    versions = [v for v, _, _ in db.migrations()]
    assert db.schema_version(con) == max(versions)
    assert db.migrate(con) == []  # nothing left to apply


def test_older_database_upgrades_and_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    first = db.migrations()[0]
    raw.execute(first[2])
    raw.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [first[0], first[1]])
    raw.execute(
        "INSERT INTO schools (school_id, name, phase) VALUES ('X', 'Old School', 'primary')"
    )
    raw.close()
    con = db.connect(path)
    assert db.schema_version(con) == max(v for v, _, _ in db.migrations())
    assert con.execute("SELECT name FROM schools").fetchall() == [("Old School",)]


def test_transaction_rolls_back_on_error() -> None:
    con = db.connect(":memory:")
    with pytest.raises(RuntimeError):
        with db.transaction(con):
            con.execute("INSERT INTO schools (school_id, name, phase) VALUES ('X', 'X', 'primary')")
            raise RuntimeError("boom")
    assert con.execute("SELECT count(*) FROM schools").fetchall() == [(0,)]


def test_lock_held_by_another_process_is_a_plain_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "locked.duckdb"
    db.connect(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('held', flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseLockedError) as info:
            db.connect(path)
        assert "in use by process" in str(info.value)
        assert "Traceback" not in str(info.value)
    finally:
        holder.communicate("")


def test_a_migration_numbered_below_the_newest_is_still_applied(tmp_path: Path) -> None:
    path = tmp_path / "gap.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    everything = db.migrations()
    first = everything[0]
    raw.execute(first[2])
    raw.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", list(first[:2]))
    # The newest migration that stands on the first alone (a later one may alter a table an
    # earlier one made), applied out of order so the ones between are the gap.
    for version, name, sql in reversed(everything[2:]):
        raw.execute("BEGIN TRANSACTION")
        try:
            raw.execute(sql)
        except duckdb.CatalogException:
            raw.execute("ROLLBACK")
            continue
        raw.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
        raw.execute("COMMIT")
        break
    raw.close()
    con = db.connect(path)
    recorded = {r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()}
    assert recorded == {v for v, _, _ in everything}
