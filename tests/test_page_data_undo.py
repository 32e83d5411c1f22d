"""Data page (AppTest): an applied import can be undone from the page, and the import form
pseudonymises by default (issue 18)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY_TODAY

ROOT = Path(__file__).resolve().parents[1]


def _admin_data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "alliance_admin"
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    return at


def test_pseudonymising_is_on_by_default(tiny_db: Path) -> None:
    at = _admin_data_page()
    box = next(c for c in at.checkbox if "pseudonyms" in c.label)
    assert box.value is True
    moves = next(c for c in at.checkbox if "moves between schools" in c.label)
    assert moves.value is False


def test_an_import_is_undone_from_the_page(tiny_db: Path, tmp_path: Path) -> None:
    f = tmp_path / "staff.csv"
    f.write_text("staff_ref,school_id,role\nA9,A,teacher\n")
    con = open_store(tiny_db)
    report = import_paths(con, [f], operator(), today=TINY_TODAY)
    con.close()
    assert report.ok
    at = _admin_data_page()
    form_batch = next(s for s in at.selectbox if s.label == "Import")
    assert form_batch.value == report.batch_id
    # offered in words (when, by whom, which files), not as a bare batch number
    described = form_batch.options[0]
    assert described.startswith("Import of ") and "staff.csv (1 rows added)" in described
    assert f"by {operator().username}" in described
    next(b for b in at.button if b.label == "Undo this import").click().run()
    assert not at.exception
    assert any(s.value == f"Undone: {described}." for s in at.success)
    con = open_store(tiny_db)
    try:
        assert con.execute("SELECT count(*) FROM staff WHERE staff_ref = 'A9'").fetchall() == [(0,)]
    finally:
        con.close()


def test_a_reading_is_confirmed_from_the_page(tiny_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "alliance_admin"
    at.session_state["value_questions"] = [
        {
            "kind": "role",
            "file": "staff.csv",
            "column": "role",
            "value": "Deputy Haed",
            "suggestion": "senior leader",
            "choices": ["senior leader", "headteacher"],
            "rows": 2,
        }
    ]
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    box = next(s for s in at.selectbox if "Deputy Haed" in s.label)
    assert box.value == "senior leader"
    next(b for b in at.button if b.label == "Confirm").click().run()
    assert any("means senior leader" in s.value for s in at.success)
    con = open_store(tiny_db)
    try:
        assert con.execute("SELECT raw, value FROM value_maps").fetchall() == [
            ("deputy haed", "senior leader")
        ]
    finally:
        con.close()
