"""The command line, run in-process through `brokering.cli.main` (plus one real
`python -m brokering`), against database files in tmp_path; JSON shapes are pinned.

Each test starts from a copy of a store file built once per module. Opening a store re-syncs
the taxonomy (~1.5 s); here that sync is skipped when the copied store already holds the
taxonomy, so only the subprocess test pays it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import brokering.store
from brokering.cli import main
from brokering.db import Connection, connect
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY, data_tables

REPO = Path(__file__).resolve().parent.parent
IMPORT_KEYS = {
    "ok",
    "applied",
    "dry_run",
    "strength_scale",
    "files",
    "tables",
    "problem_count",
    "problems",
    "notes",
    "pseudonymised",
    "moves",
    "unmatched",
    "removed",
    "questions",
    "batch_id",
    "changes",
    "rows",
}
ROWS_KEYS = {"file", "table", "read", "valid", "refused", "whole_file"}
TABLE_KEYS = {"table", "file", "rows", "added", "updated", "unchanged"}
PROBLEM_KEYS = {"file", "line", "column", "value", "message", "who"}
TINY_FILES = ["schools.csv", "staff.csv", "evidence.csv", "coaching.csv", "needs.csv"]
TINY_ROWS = {"schools": 3, "staff": 8, "evidence": 8, "coaching": 2, "needs": 3}


@pytest.fixture(scope="module")
def store_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli-stores")
    empty = root / "empty.duckdb"
    open_store(empty).close()
    loaded = root / "tiny.duckdb"
    shutil.copy(empty, loaded)
    c = connect(loaded)
    assert import_paths(c, [TINY], operator("template"), today=TINY_TODAY).ok
    c.close()
    return empty, loaded


@pytest.fixture(autouse=True)
def _quiet_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never touch data/alliance.duckdb; skip re-syncing a taxonomy the store already has."""
    monkeypatch.setenv("BROKERING_DB", str(tmp_path / "default-should-not-be-used.duckdb"))
    real_sync = brokering.store.sync_taxonomy

    def sync_once(con: Connection, skills=None) -> int:
        if con.execute("SELECT count(*) FROM skills").fetchall()[0][0]:
            return 0
        return real_sync(con, skills)

    monkeypatch.setattr(brokering.store, "sync_taxonomy", sync_once)


@pytest.fixture
def empty_db(store_files: tuple[Path, Path], tmp_path: Path) -> Path:
    target = tmp_path / "empty.duckdb"
    shutil.copy(store_files[0], target)
    return target


@pytest.fixture
def tiny_db(store_files: tuple[Path, Path], tmp_path: Path) -> Path:
    target = tmp_path / "tiny.duckdb"
    shutil.copy(store_files[1], target)
    return target


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str]:
    capsys.readouterr()  # drop anything printed before
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().out


def run_json(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, dict]:
    code, out = run(capsys, *argv)
    return code, json.loads(out)


def tables_of(db: Path) -> dict[str, list[tuple]]:
    c = connect(db)
    try:
        return data_tables(c)
    finally:
        c.close()


# -- import ------------------------------------------------------------------------------------
def test_import_json_shape_is_pinned(capsys, empty_db: Path) -> None:
    code, out = run_json(
        capsys, "--db", empty_db, "import", TINY, "--refs-are-pseudonyms", "--json"
    )
    assert code == 0
    assert set(out) == IMPORT_KEYS
    assert out["ok"] is True and out["applied"] is True and out["dry_run"] is False
    assert out["strength_scale"] == "4-best"
    assert out["files"] == TINY_FILES
    assert out["problem_count"] == 0 and out["problems"] == []
    assert all(isinstance(n, str) for n in out["notes"])
    assert all(set(t) == TABLE_KEYS for t in out["tables"])
    assert {t["table"]: t["added"] for t in out["tables"]} == TINY_ROWS
    assert {k: len(v) for k, v in tables_of(empty_db).items() if k in TINY_ROWS} == TINY_ROWS


def test_import_text_output_states_the_strength_scale(capsys, empty_db: Path) -> None:
    code, out = run(capsys, "--db", empty_db, "import", TINY, "--refs-are-pseudonyms")
    assert code == 0
    assert out.startswith("Strength scale: 4-best (numbers read with 4 as the strongest).")
    assert "evidence.csv: 8 rows — 8 added, 0 updated, 0 unchanged" in out


def test_bad_file_exits_2_with_its_problems(capsys, tiny_db: Path, tmp_path: Path) -> None:
    f = tmp_path / "evidence.csv"
    f.write_text(
        "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
        "B3,Questioning,observation,3,2026-10-01,B2\n"
        "ZZ9,Questioning,observation,3,2026-10-01,B2\n"
    )
    before = tables_of(tiny_db)
    code, out = run_json(capsys, "--db", tiny_db, "import", f, "--refs-are-pseudonyms", "--json")
    assert code == 2
    assert set(out) == IMPORT_KEYS
    assert (out["ok"], out["applied"], out["problem_count"], out["tables"]) == (False, False, 1, [])
    [rows] = out["rows"]
    assert set(rows) == ROWS_KEYS
    assert (rows["read"], rows["valid"], rows["refused"]) == (2, 1, 1)
    [problem] = out["problems"]
    assert set(problem) == PROBLEM_KEYS
    assert (problem["file"], problem["line"], problem["column"], problem["value"]) == (
        "evidence.csv",
        3,
        "staff_ref",
        "ZZ9",
    )
    assert "not a member of staff" in problem["message"]
    assert tables_of(tiny_db) == before


def test_bad_file_text_output_says_nothing_was_written(
    capsys, tiny_db: Path, tmp_path: Path
) -> None:
    f = tmp_path / "teachers.csv"
    f.write_text("staff_ref\nA1\n")
    code, out = run(capsys, "--db", tiny_db, "import", f, "--refs-are-pseudonyms")
    assert code == 2
    assert "Refused: 1 problem(s); nothing was written." in out
    assert "teachers.csv: could not be told from its header row which table it holds" in out


def test_dry_run_writes_nothing(capsys, empty_db: Path) -> None:
    before = tables_of(empty_db)
    code, out = run_json(
        capsys,
        "--db",
        empty_db,
        "import",
        TINY,
        "--refs-are-pseudonyms",
        "--dry-run",
        "--strength-scale",
        "1-best",
        "--json",
    )
    assert code == 0
    assert (out["ok"], out["applied"], out["dry_run"]) == (True, False, True)
    assert out["strength_scale"] == "1-best"
    assert {t["table"]: t["added"] for t in out["tables"]} == TINY_ROWS
    assert tables_of(empty_db) == before


def test_reimport_adds_nothing(capsys, tiny_db: Path) -> None:
    before = tables_of(tiny_db)
    code, out = run_json(capsys, "--db", tiny_db, "import", TINY, "--refs-are-pseudonyms", "--json")
    assert code == 0 and out["applied"] is True
    assert [(t["added"], t["updated"]) for t in out["tables"]] == [(0, 0)] * 5
    assert {t["table"]: t["unchanged"] for t in out["tables"]} == TINY_ROWS
    assert tables_of(tiny_db) == before


# -- stats -------------------------------------------------------------------------------------
def test_stats_json_shape_is_pinned(capsys, tiny_db: Path) -> None:
    code, out = run_json(capsys, "--db", tiny_db, "stats", "--json")
    assert code == 0
    assert set(out) == {"db", "tables", "fast_path"}
    assert out["fast_path"]["current"] is False  # the tiny store was never optimised
    assert out["fast_path"]["find_parts"]["reason"] == "not built"
    assert set(out["fast_path"]["derived"]) == {"dash", "maturity", "ledger"}
    assert out["db"] == str(tiny_db)
    assert {t: out["tables"][t] for t in TINY_ROWS} == TINY_ROWS
    assert out["tables"]["skills"] >= 120


# -- export ------------------------------------------------------------------------------------
def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_staff_writes_a_csv(capsys, tiny_db: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "f.csv"
    code, out = run(capsys, "--db", tiny_db, "export", "staff", "--out", out_file)
    assert code == 0
    rows = _csv(out_file)
    assert f"Wrote {len(rows)} rows of staff to {out_file}" in out
    assert {"staff_ref", "school_id", "role", "phases", "share_consent"} <= set(rows[0])
    refs = {r["staff_ref"] for r in rows}
    assert {"A1", "A2", "B2"} <= refs <= {"A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2"}
    c = connect(tiny_db)
    try:
        assert c.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchall() == [
            (1,)
        ]
    finally:
        c.close()


def _with_formula_note(db: Path) -> None:
    c = connect(db)
    c.execute(
        'UPDATE evidence SET note = \'=HYPERLINK("http://evil.example","x")\' '
        "WHERE staff_ref = 'A2' AND evidence_type = 'observation'"
    )
    c.close()


def test_export_evidence_keeps_every_note(capsys, tiny_db: Path, tmp_path: Path) -> None:
    _with_formula_note(tiny_db)
    out_file = tmp_path / "e.csv"
    assert run(capsys, "--db", tiny_db, "export", "evidence", "--out", out_file)[0] == 0
    notes = [r["note"] for r in _csv(out_file) if r["staff_ref"] == "A2"]
    assert any("HYPERLINK" in n for n in notes)


def test_export_neutralises_formula_looking_cells(capsys, tiny_db: Path, tmp_path: Path) -> None:
    _with_formula_note(tiny_db)
    out_file = tmp_path / "e.csv"
    assert run(capsys, "--db", tiny_db, "export", "evidence", "--out", out_file)[0] == 0
    [note] = [r["note"] for r in _csv(out_file) if "HYPERLINK" in r["note"]]
    assert note == '\'=HYPERLINK("http://evil.example","x")'


def test_export_writes_lists_with_semicolons(capsys, tiny_db: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "f.csv"
    assert run(capsys, "--db", tiny_db, "export", "staff", "--out", out_file)[0] == 0
    a1 = next(r for r in _csv(out_file) if r["staff_ref"] == "A1")
    assert a1["phases"] == "KS1;KS2"


# -- init-demo --------------------------------------------------------------------------------
def test_init_demo_refuses_a_loaded_store_without_force(capsys, tiny_db: Path) -> None:
    before = tables_of(tiny_db)
    code, out = run(capsys, "--db", tiny_db, "init-demo")
    assert code == 1
    assert "already holds an alliance" in out and "--force" in out
    assert tables_of(tiny_db) == before


# -- the module entry point ----------------------------------------------------------------------
def test_python_dash_m_brokering_runs(empty_db: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BROKERING_DB"}
    result = subprocess.run(
        [sys.executable, "-m", "brokering", "--db", str(empty_db), "stats"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("fast path") and "not current" in lines[-1]
    counts = dict(line.split() for line in lines[:-1])
    assert counts["schools"] == "0"
    assert int(counts["skills"].replace(",", "")) >= 120
