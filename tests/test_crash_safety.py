"""Crash safety and backups: an import killed at random moments leaves all of its batch or
none; a damaged write-ahead log or a full disk is reported in plain words, never served
silently; backups are checked by counts and a content hash, and restore the same way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from brokering import backup, crashes
from brokering.cli import main
from brokering.db import connect
from brokering.errors import StoreError
from brokering.store import open_store

SLOW = os.environ.get("BROKERING_SLOW_TESTS") == "1"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "base.duckdb"
    crashes.make_base(path)
    return path


def test_an_import_killed_at_random_moments_leaves_all_or_none(base: Path, tmp_path: Path) -> None:
    report = crashes.run_trials(base, tmp_path, trials=50 if SLOW else 3, seed=11)
    assert report.failures == []
    assert report.survived == report.trials


def _crash_with_wal(path: Path) -> None:
    """Changes left only in the write-ahead log, as a crash leaves them."""
    code = (
        "import os, duckdb\n"
        f"c = duckdb.connect({str(path)!r})\n"
        'c.execute("INSERT INTO schools (school_id, name, phase) '
        "SELECT 'W' || range, 'School ' || range, 'primary' FROM range(400)\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_damaged_write_ahead_log_is_reported_not_served(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    db.write_bytes(base.read_bytes())
    _crash_with_wal(db)
    wal = Path(f"{db}.wal")
    data = bytearray(wal.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 32):
        data[i] ^= 0xFF
    wal.write_bytes(bytes(data))
    with pytest.raises(StoreError) as info:
        connect(db)
    assert "write-ahead log" in str(info.value) and "damaged" in str(info.value)
    assert "restore" in str(info.value)


@pytest.mark.parametrize(
    "room",
    [80_000, 4_000_000],
    ids=["full while importing", "full while laying the store out"],
)
def test_a_full_disk_is_reported_in_words_and_the_store_holds_all_or_none(
    base: Path, tmp_path: Path, room: int
) -> None:
    """A file-size limit stands in for a full disk: writes past it fail as they would."""
    db = tmp_path / "a.duckdb"
    db.write_bytes(base.read_bytes())
    batch = tmp_path / "batch"
    evidence = crashes.write_batch(batch)
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({room}, {room}))\n"
        "from brokering.cli import main\n"
        f"sys.exit(main(['--db', {str(db)!r}, 'import', {str(batch)!r},"
        " '--refs-are-pseudonyms']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "disk is full" in done.stderr
    con = connect(db)
    staff = con.execute("SELECT count(*) FROM staff").fetchall()[0][0]
    ev = con.execute("SELECT count(*) FROM evidence").fetchall()[0][0]
    con.close()
    assert (staff, ev) in ((0, 0), (crashes.BATCH_STAFF, evidence))


def test_a_backup_is_checked_and_restores_the_same_store(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    db.write_bytes(base.read_bytes())
    con = open_store(db)
    before = backup.fingerprint(con)
    manifest = backup.make_backup(con, db, tmp_path / "b" / "alliance.backup")
    con.execute("DELETE FROM schools WHERE school_id = 'C'")
    con.close()
    assert manifest["tables"]["schools"]["rows"] == 3
    kept = backup.restore_backup(tmp_path / "b" / "alliance.backup", db)
    assert kept is not None and kept.exists()
    con = connect(db)
    assert backup.fingerprint(con).differences(before) == []
    con.close()


def test_a_damaged_backup_is_refused(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    db.write_bytes(base.read_bytes())
    con = open_store(db)
    out = tmp_path / "alliance.backup"
    backup.make_backup(con, db, out)
    con.close()
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    manifest["tables"]["schools"]["rows"] = 4
    Path(f"{out}.manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="damaged"):
        backup.restore_backup(out, db)
    assert connect(db).execute("SELECT count(*) FROM schools").fetchall() == [(3,)]


def test_backup_and_restore_commands(base: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "a.duckdb"
    db.write_bytes(base.read_bytes())
    out = tmp_path / "nightly.backup"
    assert main(["--db", str(db), "backup", str(out), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["ok"] and made["tables"]["schools"]["rows"] == 3
    con = connect(db)
    con.execute("DELETE FROM schools")
    con.close()
    assert main(["--db", str(db), "restore", str(out), "--json"]) == 0
    restored = json.loads(capsys.readouterr().out)
    assert restored["ok"] and restored["kept"]
    con = connect(db)
    assert con.execute("SELECT count(*) FROM schools").fetchall() == [(3,)]
    actions = [
        r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY audit_id").fetchall()
    ]
    con.close()
    assert actions[-1] == "restore"
