"""The Data page's import through a column mapping (AppTest): a title-rowed workbook is
uploaded, its columns are proposed in an editable table with five mapped rows previewed, the
school is chosen, and the import writes the rows (and no name)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from brokering.db import connect
from tests import exports

ROOT = Path(__file__).resolve().parents[1]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _alliance_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports may pseudonymise staff codes: give them the alliance secret."""
    monkeypatch.setenv("BROKERING_PSEUDONYM_KEY", "a-test-alliance-secret-of-32-chars!")


def _school_counts(db: Path) -> dict[tuple[str, str], int]:
    """(school, role) -> staff held: what an import added, whatever refs it stored."""
    con = connect(db)
    try:
        rows = con.execute("SELECT school_id, role, count(*) FROM staff GROUP BY ALL").fetchall()
    finally:
        con.close()
    return {(s, r): n for s, r, n in rows}


def _data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "alliance_admin"
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    # The strength scale is said before the files (issue 23); these hold no numbers.
    next(r for r in at.radio if "strengths" in r.label).set_value("none").run()
    return at


def _upload(at: AppTest, path: Path, mime: str = XLSX) -> AppTest:
    at.get("file_uploader")[0].set_value([(path.name, path.read_bytes(), mime)]).run()
    assert not at.exception, at.exception
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_a_title_rowed_workbook_is_proposed_previewed_and_imported(
    tiny_db: Path, tmp_path: Path
) -> None:
    before = _school_counts(tiny_db)
    at = _upload(_data_page(), exports.bromcom_staff(tmp_path))
    assert any("Read as **a staff list**" in c.value and "Bromcom" in c.value for c in at.caption)
    assert any("header on row 3" in c.value for c in at.caption)
    # The file column -> product column table (a data editor; AppTest lists it as a frame)
    table = next(d.value for d in at.dataframe if "Reads as" in getattr(d.value, "columns", []))
    reads = dict(zip(table["Column in the file"], table["Reads as"], strict=True))
    # product columns in words, never the template's identifiers (issue 23)
    assert reads["Staff Code"] == "Staff code" and reads["Role"] == "Role"
    assert reads["First Name"] in ("Leave out (not read)", "Forename")
    assert reads["Last Name"] in ("Leave out (not read)", "Surname")
    assert not {"staff_ref", "drop", "hash"} & set(reads.values())
    assert table.loc[table["Column in the file"] == "Last Name", "Example"].item() == ""
    # Whose file it is has not been said: the import waits
    assert any("no school was given" in w.value for w in at.warning)
    assert _button(at, "Check and import").disabled
    next(s for s in at.selectbox if s.label.startswith("Whose files")).set_value("C").run()
    assert not at.exception
    assert not any("no school was given" in w.value for w in at.warning)
    preview = at.dataframe[-1].value
    assert "staff_ref" not in preview.columns  # headed in words
    assert list(preview["Staff code"]) == ["C3"]
    assert list(preview["School"]) == ["Cedar Special School"]  # by name, not its code
    assert list(preview["Role"]) == ["Middle Leader"]
    assert "Featherstonehaugh" not in preview.to_string()
    _button(at, "Check and import").click().run()
    assert not at.exception
    assert any("Imported" in s.value for s in at.success), [e.value for e in at.error]
    after = _school_counts(tiny_db)
    assert after[("C", "middle leader")] == before.get(("C", "middle leader"), 0) + 1
    con = connect(tiny_db)
    try:
        dump = json.dumps(con.execute("SELECT * FROM audit_log").fetchall(), default=str)
        assert "Featherstonehaugh" not in dump and "h.fh@" not in dump
    finally:
        con.close()


def test_a_renamed_binary_is_refused_in_plain_words(tiny_db: Path, tmp_path: Path) -> None:
    fake = tmp_path / "staff.xlsx"
    fake.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    at = _upload(_data_page(), fake)
    assert any("is a PDF document" in e.value for e in at.error)
    assert not any(b.label == "Check and import" for b in at.button)


def test_two_schools_files_each_tagged_with_its_school(tiny_db: Path, tmp_path: Path) -> None:
    sims = exports.sims_staff_details(tmp_path)
    brom = exports.bromcom_staff(tmp_path)
    before = _school_counts(tiny_db)
    at = _data_page()
    at.get("file_uploader")[0].set_value(
        [(sims.name, sims.read_bytes(), "text/csv"), (brom.name, brom.read_bytes(), XLSX)]
    ).run()
    assert not at.exception
    own = [s for s in at.selectbox if s.label == "Whose file is this?"]
    assert len(own) == 2
    own[0].set_value("A").run()
    [s for s in at.selectbox if s.label == "Whose file is this?"][1].set_value("C").run()
    assert not at.exception
    assert not [w.value for w in at.warning if "school" in w.value]
    _button(at, "Check and import").click().run()
    assert any("Imported" in s.value for s in at.success), [e.value for e in at.error]
    after = _school_counts(tiny_db)
    added = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    assert added == {("A", "teacher"): 1, ("A", "teaching assistant"): 1, ("C", "middle leader"): 1}
