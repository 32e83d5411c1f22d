"""`python -m brokering mapping ...` and `import --mapping/--profile`: exit codes and the JSON
shape scripts rely on (docs/CLI.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import exports
from tests.test_cli import _quiet_store as _quiet  # noqa: F401 - autouse: no default store
from tests.test_cli import run, run_json, tables_of
from tests.test_cli import store_files as _stores  # noqa: F401
from tests.test_cli import tiny_db as _tiny_db  # noqa: F401


@pytest.fixture(autouse=True)
def _alliance_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports may pseudonymise staff codes: give them the alliance secret."""
    monkeypatch.setenv("BROKERING_PSEUDONYM_KEY", "a-test-alliance-secret-of-32-chars!")


MAPPING_KEYS = {"format", "files", "complete", "problems"}
FILE_KEYS = {
    "file",
    "sheet",
    "header_row",
    "table",
    "school",
    "source",
    "columns",
    "constants",
    "values",
    "dropped",
    "unresolved",
}
UNRESOLVED_KEYS = {"kind", "target", "message", "choices", "column", "value"}


def test_propose_exits_0_when_everything_is_resolved_and_writes_the_mapping(
    capsys, tiny_db: Path, tmp_path: Path
) -> None:
    sims = exports.sims_staff_details(tmp_path)
    out_file = tmp_path / "map.json"
    code, out = run_json(
        capsys,
        "--db",
        tiny_db,
        "mapping",
        "propose",
        sims,
        "--school",
        "A",
        "--out",
        out_file,
        "--json",
    )
    assert code == 0
    assert set(out) == MAPPING_KEYS and out["complete"] is True and out["problems"] == []
    [fm] = out["files"]
    assert set(fm) == FILE_KEYS
    assert (fm["table"], fm["header_row"], fm["school"]) == ("staff", 4, "A")
    assert json.loads(out_file.read_text()) == out


def test_propose_exits_4_with_what_is_unresolved(capsys, tiny_db: Path, tmp_path: Path) -> None:
    brom = exports.bromcom_staff(tmp_path)
    bomb = tmp_path / "notes.pdf.csv"
    bomb.write_bytes(b"%PDF-1.7\n")
    code, out = run_json(capsys, "--db", tiny_db, "mapping", "propose", brom, bomb, "--json")
    assert code == 4 and out["complete"] is False
    [fm] = out["files"]
    [u] = fm["unresolved"]
    assert set(u) == UNRESOLVED_KEYS and u["kind"] == "school"
    assert sorted(u["choices"]) == ["A", "B", "C"]
    [problem] = out["problems"]
    assert problem.startswith("notes.pdf.csv:") and "PDF" in problem


def test_import_with_a_mapping_tags_each_file_with_its_school(
    capsys, tiny_db: Path, tmp_path: Path
) -> None:
    sims = exports.sims_staff_details(tmp_path)
    brom = exports.bromcom_staff(tmp_path)
    map_file = tmp_path / "map.json"
    code, _ = run(capsys, "--db", tiny_db, "mapping", "propose", sims, brom, "--out", map_file)
    assert code == 4  # whose files they are is not known yet
    code, out = run_json(
        capsys,
        "--db",
        tiny_db,
        "import",
        sims,
        brom,
        "--mapping",
        map_file,
        "--school",
        f"{sims.name}=A",
        "--school",
        f"{brom.name}=C",
        "--json",
    )
    assert code == 0, out["problems"]
    assert [(t["table"], t["added"]) for t in out["tables"]] == [("staff", 3)]
    assert {r["file"]: r["valid"] for r in out["rows"]} == {sims.name: 2, brom.name: 1}


def test_import_with_an_unresolved_mapping_writes_nothing(capsys, tiny_db: Path, tmp_path):
    brom = exports.bromcom_staff(tmp_path)
    map_file = tmp_path / "map.json"
    run(capsys, "--db", tiny_db, "mapping", "propose", brom, "--out", map_file)
    before = tables_of(tiny_db)
    code, out = run_json(capsys, "--db", tiny_db, "import", brom, "--mapping", map_file, "--json")
    assert code == 2 and "unresolved" in out["problems"][0]["message"]
    assert tables_of(tiny_db) == before


def test_a_bad_mapping_file_is_a_plain_error(capsys, tiny_db: Path, tmp_path: Path) -> None:
    brom = exports.bromcom_staff(tmp_path)
    map_file = tmp_path / "map.json"
    map_file.write_text("{not json")
    code, out = run_json(capsys, "--db", tiny_db, "import", brom, "--mapping", map_file, "--json")
    assert code == 1 and "not valid JSON" in out["error"]


def test_save_then_import_next_terms_file_by_profile(capsys, tiny_db: Path, tmp_path) -> None:
    brom = exports.bromcom_staff(tmp_path)
    map_file = tmp_path / "map.json"
    code, _ = run(
        capsys, "--db", tiny_db, "mapping", "propose", brom, "--school", "C", "--out", map_file
    )
    assert code == 0
    code, out = run(capsys, "--db", tiny_db, "mapping", "save", "Cedar staff", map_file)
    assert code == 0 and "Cedar staff" in out
    code, listing = run_json(capsys, "--db", tiny_db, "mapping", "list", "--json")
    assert [(r["name"], r["table"], r["school"]) for r in listing] == [
        ("Cedar staff", "staff", "C")
    ]
    spring = tmp_path / "spring" / "Staff List (spring).xlsx"
    spring.parent.mkdir()
    spring.write_bytes(brom.read_bytes())
    code, laid = run_json(
        capsys, "--db", tiny_db, "mapping", "propose", spring, "--profile", "Cedar staff", "--json"
    )
    assert code == 0 and laid["files"][0]["file"] == spring.name
    assert laid["files"][0]["school"] == "C"
    code, out = run_json(
        capsys, "--db", tiny_db, "import", spring, "--profile", "Cedar staff", "--json"
    )
    assert code == 0 and out["tables"][0]["added"] == 1
