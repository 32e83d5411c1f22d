"""The Data page's import form and report (AppTest, issue 23): the strength scale before the
files, problems grouped by kind with their full wording, a long report said to be long and
downloadable whole, the report kept on screen, and an empty uploader after an import."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui_imports
from brokering.db import connect

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "staff_ref,school_id,role,phases,subjects,line_manager_ref,share_consent,coach_trained,"
    "mentor_trained,capacity_hours,consent_date,left_on\n"
)


@pytest.fixture(autouse=True)
def _alliance_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports pseudonymise staff codes by default: give them the alliance secret."""
    monkeypatch.setenv("BROKERING_PSEUDONYM_KEY", "a-test-alliance-secret-of-32-chars!")


def _row(ref: str, consent: str = "2025-09-01", manager: str = "") -> str:
    return f"{ref},C,teacher,KS3,,{manager},yes,no,no,0,{consent},\n"


def _data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "alliance_admin"
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    return at


def _scale(at: AppTest):
    return next(r for r in at.radio if "strengths" in r.label)


def _uploader(at: AppTest):
    return at.get("file_uploader")[0]


def _check_and_import(at: AppTest, path: Path, scale: str = "none") -> AppTest:
    _scale(at).set_value(scale).run()
    _uploader(at).set_value([(path.name, path.read_bytes(), "text/csv")]).run()
    assert not at.exception, at.exception
    next(b for b in at.button if b.label == "Check and import").click().run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in [*at.markdown, *at.error, *at.warning, *at.success])


def test_the_strength_scale_is_chosen_before_the_files(tiny_db: Path) -> None:
    at = _data_page()
    scale = _scale(at)
    assert scale.value is None and scale.label.startswith("First:")
    assert _uploader(at).proto.disabled  # no file before the scale
    assert any("cannot be imported until you say" in c.value for c in at.caption)
    scale.set_value("4-best").run()
    assert not _uploader(at).proto.disabled
    assert not any("cannot be imported until you say" in c.value for c in at.caption)


def test_numbers_without_a_scale_are_refused_in_the_pages_words(
    tiny_db: Path, tmp_path: Path
) -> None:
    f = tmp_path / "evidence.csv"
    f.write_text(
        "staff_ref,skill,evidence_type,strength,date,recorded_by,note,phase\n"
        "C1,Mathematics,observation,3,2026-10-01,,,KS3\n"
    )
    at = _check_and_import(_data_page(), f, scale="none")
    shown = _text(at)
    assert "no strength scale was chosen" in shown
    assert "--" not in shown.replace(" — ", " ")  # no command-line flag on the web page


def test_identical_problems_are_grouped_with_their_count_and_lines(
    tiny_db: Path, tmp_path: Path
) -> None:
    f = tmp_path / "staff.csv"
    f.write_text(HEADER + "".join(_row(f"C{n}", "2030-09-01") for n in range(10, 61)))
    at = _check_and_import(_data_page(), f)
    assert any("Refused: 51 problems" in e.value for e in at.error)
    listed = next(m.value for m in at.markdown if "2030-09-01" in m.value)
    # The whole message, not cut short by a column's width:
    assert "'2030-09-01' is in the future; check the year, or record it once" in listed
    assert "51 rows\\: lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, …" in listed
    assert listed.count("2030-09-01") == 1  # said once, not 51 times
    assert any(b.proto.label == "Download every problem (CSV)" for b in at.get("download_button"))
    # Any later run (a download, another widget) keeps the report on screen.
    at.run()
    assert any("Refused: 51 problems" in e.value for e in at.error)
    assert any("2030-09-01" in m.value for m in at.markdown)


def test_a_report_over_500_problems_says_so_and_downloads_whole(
    tiny_db: Path, tmp_path: Path
) -> None:
    f = tmp_path / "staff.csv"
    # Two problems in each of 300 rows: a future date and a line manager nobody holds.
    f.write_text(HEADER + "".join(_row(f"C{n}", "2030-09-01", "ZZ9") for n in range(300)))
    at = _check_and_import(_data_page(), f)
    assert any("Refused: 600 problems" in e.value for e in at.error), [e.value for e in at.error]
    assert any("more than the 500" in w.value and "every one" in w.value for w in at.warning)
    report = at.session_state[ui_imports.LAST_REPORT]["report"]
    whole = ui_imports.problems_frame(report.problems)
    assert len(whole) == 600 and list(whole.columns)[-1] == "What is wrong"
    assert len(report.shown) == 500  # what the command line's report lists
    assert any(b.proto.label == "Download every problem (CSV)" for b in at.get("download_button"))
    listed = "\n".join(m.value for m in at.markdown)
    assert listed.count("300 rows") == 2 and "line\\_manager\\_ref" in listed


@pytest.mark.parametrize("dry_run", [False])
def test_after_an_import_the_uploader_is_empty_and_the_tables_are_new(
    tiny_db: Path, tmp_path: Path, dry_run: bool
) -> None:
    def staff_at_c(at: AppTest) -> int:
        frame = next(d.value for d in at.dataframe if "evidence_rows" in d.value.columns)
        return int(frame.loc[frame["name"] == "Cedar Special School", "staff"].iloc[0])

    at = _data_page()
    before = staff_at_c(at)
    f = tmp_path / "staff.csv"
    f.write_text(HEADER + _row("C77") + _row("C78"))
    at = _check_and_import(at, f)
    assert any("Imported: it is the newest import" in s.value for s in at.success), _text(at)
    assert staff_at_c(at) == before + 2  # the page's tables read again
    assert not any(b.label == "Check and import" for b in at.button)  # no files held
    assert any(m.value == "#### The last import" for m in at.markdown)
    con = connect(tiny_db)
    try:
        assert con.execute("SELECT count(*) FROM staff WHERE school_id = 'C'").fetchall()[0][0]
    finally:
        con.close()


def test_each_data_quality_warning_opens_its_rows(tiny_db: Path) -> None:
    at = _data_page()
    assert any("2 staff (not leavers) with no evidence" in w.value for w in at.warning)
    box = next(e for e in at.expander if "no evidence of any strength" in e.label)
    rows = box.dataframe[0].value
    assert list(rows.columns) == ["Reference", "School", "Role", "Phases"]
    assert sorted(rows["Reference"]) == ["A1", "B1"]
    assert any(b.proto.label == "Download these rows (CSV)" for b in box.get("download_button"))


def _seen_text(at: AppTest) -> str:
    frames = " ".join(
        " ".join(map(str, d.value.columns)) + " " + d.value.to_string() for d in at.dataframe
    )
    words = " ".join(x.value for x in [*at.markdown, *at.caption, *at.info, *at.warning])
    return frames + " " + words


@pytest.mark.parametrize(("role", "school"), [("headteacher", "A"), ("viewer", None)])
def test_no_raw_values_or_leftovers_on_the_page(tiny_db: Path, role: str, school) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = role
    if school:
        at.session_state["viewer_school"] = school
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    seen = _seen_text(at)
    for raw in ("None", "nan", "NaT", "00:00:00", "<NA>", "in the sidebar", "--strength"):
        assert raw not in seen, raw
    assert "school_id" not in seen, seen[seen.index("school_id") - 300 :][:400]
    if role == "viewer":  # a governor sees counts only: no rows behind the warnings
        assert not [e for e in at.expander if "rows behind" in e.label]


def test_the_loaded_table_sorts_figures_and_dates_as_what_they_are(tiny_db: Path) -> None:
    # Nothing is withheld from the data manager: counts stay figures (a heading click sorts
    # 108 after 46, not before it), the latest evidence a date drawn "5 Dec 2026".
    at = _data_page()
    frame = next(d.value for d in at.dataframe if "evidence_rows" in d.value.columns)
    for col in ("staff", "sharing_consent", "open_needs", "evidence_rows"):
        assert pd.api.types.is_numeric_dtype(frame[col]), col
    assert pd.api.types.is_datetime64_any_dtype(frame["latest_evidence"])
