"""The pseudonymised mapped-import row (issue 18): schools' own exports carry local staff
codes, and with the alliance key each must be hashed and resolved to its person through the
identity index — every row written imported, none left as a raw code."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from benchmarks import import_export
from benchmarks.measure import run_child
from benchmarks.ops_import import child_import
from brokering.pseudonymise import ENV_KEY, alliance_key, staff_pseudonym
from tests.conftest import TINY


@pytest.fixture
def keyed_base(tmp_path: Path) -> tuple[Path, Path]:
    """A data folder (the tiny alliance) and a store holding its schools and staff imported
    with the benchmark key, their staff codes as the schools' local codes."""
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    db = tmp_path / "base.duckdb"
    key = alliance_key(import_export.benchmark_env()[ENV_KEY])
    files = [str(data / "schools.csv"), str(data / "staff.csv")]
    res = child_import(str(db), files, key=key)
    assert res["ok"] and res["pseudonymised"], res
    return data, db


def _stored(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT e.staff_ref, s.staff_ref FROM evidence e LEFT JOIN staff s USING (staff_ref)"
    ).fetchall()
    con.close()
    return rows


def test_local_codes_export_resolves_every_row(keyed_base: tuple[Path, Path], tmp_path: Path):
    data, db = keyed_base
    export, mapping = import_export.write_export(data / "evidence.csv", tmp_path, local_codes=True)
    con = duckdb.connect()
    head = con.execute("SELECT * FROM read_csv(?, all_varchar = true) LIMIT 1", [export])
    assert [d[0] for d in head.description][:3] == ["School", "Staff Code", "Teacher"]
    codes = con.execute(
        'SELECT DISTINCT "School", "Staff Code" FROM read_csv(?, all_varchar = true)', [export]
    ).fetchall()
    con.close()
    assert all(school for school, _ in codes)  # every row's school is known
    key = alliance_key(import_export.benchmark_env()[ENV_KEY])
    res = child_import(str(db), [export, mapping], key=key)
    assert res["ok"] and res["pseudonymised"], res
    assert res["rows"] == import_export.count_rows(Path(export))
    stored = _stored(db)
    assert len(stored) == res["rows"]
    assert all(ref == held for ref, held in stored)  # every row belongs to a held person
    expected = {staff_pseudonym(school, code, key) for school, code in codes}
    assert {ref for ref, _ in stored} == expected  # hashed, never a raw code
    assert not {ref for ref, _ in stored} & {code for _, code in codes}


def test_the_child_process_takes_the_key_from_its_environment(
    keyed_base: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    data, db = keyed_base
    monkeypatch.delenv(ENV_KEY, raising=False)
    export, mapping = import_export.write_export(data / "evidence.csv", tmp_path, local_codes=True)
    args = ["import", "--db", str(db), "--files", f"{export},{mapping}", "--pseudonymise"]
    without = run_child(args)
    assert not without.get("ok")  # no key in its environment: refused, not imported raw
    res = run_child(args, env=import_export.benchmark_env())
    assert res["ok"] and res["pseudonymised"], res
    assert res["rows"] == import_export.count_rows(Path(export))
