"""A real alliance from the first run (issue 18): `init --admin` starts an empty store with
one administrator and no demo; the shipped templates imported into the demo as a first try
neither move demo staff nor rename the hub silently."""

from __future__ import annotations

import shutil
from pathlib import Path

from brokering.cli import main
from brokering.db import connect
from brokering.importing import import_paths
from brokering.store import build_demo, is_fresh, open_store
from brokering.viewer import operator

REPO = Path(__file__).resolve().parent.parent
KEY = b"an-alliance-secret-of-some-length"


def test_init_makes_an_empty_store_with_one_administrator(tmp_path, monkeypatch, capsys) -> None:
    db = tmp_path / "real.duckdb"
    monkeypatch.setenv("BROKERING_ADMIN_PASSWORD", "a-long-enough-password")
    assert main(["--db", str(db), "init", "--admin", "dm.smith"]) == 0
    assert "no demo" in capsys.readouterr().out
    con = connect(db)
    try:
        assert con.execute("SELECT username, role FROM users").fetchall() == [
            ("dm.smith", "alliance_admin")
        ]
        assert con.execute("SELECT count(*) FROM schools").fetchall() == [(0,)]
        assert not is_fresh(con)  # so the app never builds the demo into it
    finally:
        con.close()
    assert main(["--db", str(db), "init", "--admin", "other"]) == 1
    assert "already holds" in capsys.readouterr().err
    assert main(["--db", str(db), "init-demo"]) == 1  # nor does init-demo, without --force


def test_init_without_a_password_is_refused(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("BROKERING_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--db", str(tmp_path / "x.duckdb"), "init", "--admin", "dm"]) == 1
    assert "No password" in capsys.readouterr().err


def _templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in ("schools.csv", "staff.csv", "evidence.csv"):
        shutil.copy(REPO / "data" / "templates" / name, folder / name)
    return folder


def test_templates_into_the_demo_report_the_rename_and_move_nobody(tmp_path) -> None:
    from brokering.demo import DEMO_AS_OF

    con = open_store(":memory:")
    assert build_demo(con).ok
    held = con.execute(
        "SELECT staff_ref, school_id, role FROM staff WHERE staff_ref IN ('S00001', 'S00002') "
        "ORDER BY 1"
    ).fetchall()
    evidence = con.execute("SELECT count(*) FROM evidence WHERE staff_ref = 'S00001'").fetchall()
    folder = _templates(tmp_path)
    # Pseudonymising (the default): the template's S00001 is a new person at SCH01.
    report = import_paths(con, [folder], operator(), today=DEMO_AS_OF, pseudonym_key=KEY)
    assert report.ok, [str(p) for p in report.problems]
    assert report.moves == []
    assert "School SCH01 renamed: 'Marlowick Academy' becomes 'Example Teaching School Hub'." in (
        report.notes
    )
    assert (
        con.execute(
            "SELECT staff_ref, school_id, role FROM staff WHERE staff_ref IN ('S00001', 'S00002') "
            "ORDER BY 1"
        ).fetchall()
        == held
    )
    assert (
        con.execute("SELECT count(*) FROM evidence WHERE staff_ref = 'S00001'").fetchall()
        == evidence
    )
    # Files taken as holding stored refs: the demo's S00001 would move, so it is refused.
    refused = import_paths(con, [folder], operator(), today=DEMO_AS_OF)
    assert not refused.ok
    assert any("moves S00001 from school SCH07 to SCH01" in p.message for p in refused.problems)
