"""Import: every kind of bad input a school's export can carry is refused precisely (file,
line, column, value, and a message that says what to do), and a refused batch leaves the
alliance's data tables exactly as they were. The few near-misses that must be *accepted*
(Windows-1252, BOMs, UTF-16, semicolons, .xlsx, strength and phase words) sit beside them.

`con` and `tiny` are redefined here as copies of store files built once per module: they hold
the same as conftest's fixtures, but `open_store`'s taxonomy sync costs ~1.5 s a store.
"""

from __future__ import annotations

import codecs
import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

import brokering.importing
import brokering.importing.apply
from brokering.db import Connection, connect
from brokering.errors import StoreError
from brokering.importing import ImportReport, Problem, import_paths
from brokering.store import open_store
from brokering.viewer import Viewer, operator
from tests.conftest import TINY, TINY_TODAY, data_tables

EVIDENCE_HEADER = "staff_ref,skill,evidence_type,strength,date,recorded_by,note,phase"
NEEDS_HEADER = "need_id,staff_ref,skill,priority,wanted_role,raised_on,status,hours"
STAFF_HEADER = (
    "staff_ref,school_id,role,phases,subjects,line_manager_ref,share_consent,coach_trained,"
    "mentor_trained,capacity_hours,consent_date,left_on"
)

#: A message "says what to do" when a clause starts with an instruction.
_INSTRUCTION = re.compile(
    r"(?:^|[.;:?(]\s*|,\s*or\s+)(?:use|write|remove|save|import|check|keep|add|name|give|"
    r"shorten|update|wrap|choose|say|delete|correct|never write|accepted)\b|\bmust be\b",
    re.IGNORECASE,
)


# -- fixtures: fast copies of a migrated, taxonomy-synced store ----------------------------
@pytest.fixture(scope="module")
def store_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("stores")
    empty = root / "empty.duckdb"
    open_store(empty).close()
    loaded = root / "tiny.duckdb"
    shutil.copy(empty, loaded)
    c = connect(loaded)
    report = import_paths(c, [TINY], operator("template"), today=TINY_TODAY)
    assert report.ok, [str(p) for p in report.problems]
    c.close()
    return empty, loaded


def _copy_store(source: Path, target: Path) -> Connection:
    shutil.copy(source, target)
    return connect(target)


@pytest.fixture
def con(store_files: tuple[Path, Path], tmp_path: Path) -> Connection:
    """An empty store (migrated, taxonomy loaded)."""
    c = _copy_store(store_files[0], tmp_path / "empty.duckdb")
    yield c
    c.close()


@pytest.fixture
def tiny(store_files: tuple[Path, Path], tmp_path: Path) -> Connection:
    """The store with the tiny alliance loaded (3 schools, 8 staff)."""
    c = _copy_store(store_files[1], tmp_path / "tiny.duckdb")
    yield c
    c.close()


# -- helpers ---------------------------------------------------------------------------------
def refused(con: Connection, admin: Viewer, paths: list[Path], **kwargs) -> ImportReport:
    """Import that must be refused, writing nothing to the alliance's data tables."""
    before = data_tables(con)
    report = import_paths(con, paths, admin, today=TINY_TODAY, **kwargs)
    assert not report.ok and not report.applied
    assert report.problem_count >= 1
    assert data_tables(con) == before
    return report


def accepted(con: Connection, admin: Viewer, paths: list[Path], **kwargs) -> ImportReport:
    report = import_paths(con, paths, admin, today=TINY_TODAY, **kwargs)
    assert report.ok, [str(p) for p in report.problems]
    assert report.applied
    return report


def problem(
    report: ImportReport,
    file: str,
    line: int,
    column: str,
    value: str,
    phrase: str,
    *,
    only: bool = True,
    actionable: bool = True,
) -> Problem:
    """The one problem at (file, line, column, value); its message holds `phrase`."""
    shown = [str(p) for p in report.problems]
    if only:
        assert len(report.problems) == 1, shown
    found = [
        p
        for p in report.problems
        if (p.file, p.line, p.column, p.value) == (file, line, column, value)
    ]
    assert len(found) == 1, shown
    p = found[0]
    assert phrase.lower() in p.message.lower(), p.message
    if actionable:
        assert says_what_to_do(p.message), p.message
    return p


def says_what_to_do(message: str) -> bool:
    return bool(_INSTRUCTION.search(message))


def append(folder: Path, table: str, *lines: str) -> Path:
    """The tiny file for `table` with `lines` added at the end. The first added line is
    line 10 of staff/evidence, 5 of schools/needs and 4 of coaching (the header is line 1)."""
    f = folder / f"{table}.csv"
    f.write_text(f.read_text(encoding="utf-8") + "".join(line + "\n" for line in lines))
    return f


def write(folder: Path, name: str, text: str) -> Path:
    f = folder / name
    f.write_text(text, encoding="utf-8")
    return f


def evidence_row(
    *,
    staff: str = "A2",
    skill: str = "Questioning",
    kind: str = "observation",
    strength: str = "4",
    when: str = "2026-10-02",
    by: str = "A1",
    note: str = "",
    phase: str = "",
) -> str:
    return ",".join((staff, skill, kind, strength, when, by, note, phase))


# -- encodings ---------------------------------------------------------------------------------
def test_bytes_invalid_in_utf8_and_windows_1252_are_refused(tiny, admin, tiny_dir) -> None:
    f = tiny_dir / "evidence.csv"
    f.write_bytes(f.read_bytes() + evidence_row(note="caf").encode() + b"\x81\x8d\n")
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 0, "", "", "encoding we cannot read")
    assert "UTF-8" in p.message


def test_binary_file_with_nul_bytes_is_refused(tiny, admin, tiny_dir) -> None:
    f = tiny_dir / "staff.csv"
    f.write_bytes(b"staff_ref,school_id\x00\x00\x01\x02\n")  # (a fake zip: test_import_hostile)
    report = refused(tiny, admin, [f])
    p = problem(report, "staff.csv", 0, "", "", "NUL bytes")
    assert "not a text file" in p.message


def test_windows_1252_file_is_converted_and_says_so(tiny, admin, tiny_dir) -> None:
    f = tiny_dir / "evidence.csv"
    text = f.read_text() + evidence_row(note="Bought £200 of books; it’s working") + "\n"
    f.write_bytes(text.encode("cp1252"))
    report = accepted(tiny, admin, [f])
    assert any(
        "evidence.csv" in n and "Windows-1252" in n and "converted" in n for n in report.notes
    ), report.notes
    assert tiny.execute(
        "SELECT note FROM evidence WHERE staff_ref = 'A2' AND skill_id = 'questioning'"
    ).fetchall() == [("Bought £200 of books; it’s working",)]


def test_utf8_with_bom_is_read(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "schools", "D,Damson Primary,primary,no,,,")
    f.write_bytes(codecs.BOM_UTF8 + f.read_bytes())
    report = accepted(tiny, admin, [f])
    assert [(o.table, o.added, o.updated) for o in report.outcomes] == [("schools", 1, 0)]
    ids = [r[0] for r in tiny.execute("SELECT school_id FROM schools ORDER BY 1").fetchall()]
    assert ids == ["A", "B", "C", "D"]  # the BOM did not end up in the first column


def test_utf16_with_bom_is_read(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "A4,A,teacher,KS1,,A1,yes,no,no,0,2025-09-01,")
    f.write_text(f.read_text(), encoding="utf-16")  # Python writes the BOM
    assert f.read_bytes()[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    report = accepted(tiny, admin, [f])
    assert any("staff.csv" in n and "UTF-16" in n for n in report.notes), report.notes
    assert tiny.execute(
        "SELECT school_id, phases FROM staff WHERE staff_ref = 'A4'"
    ).fetchall() == [("A", ["KS1"])]


# -- header row ------------------------------------------------------------------------------
def test_missing_required_column_is_refused(tiny, admin, tmp_path) -> None:
    f = write(
        tmp_path,
        "evidence.csv",
        "staff_ref,skill,strength,date,recorded_by\nA2,Questioning,4,2026-10-02,A1\n",
    )
    report = refused(tiny, admin, [f])
    # The message names the column but gives no instruction: see test_message_says_what_to_do.
    problem(report, "evidence.csv", 1, "evidence_type", "", "required column", actionable=False)


def test_misspelt_column_is_refused_with_the_nearest_name(tiny, admin, tmp_path) -> None:
    f = write(
        tmp_path,
        "evidence.csv",
        "staf_ref,skill,evidence_type,strength,date,recorded_by\n"
        "A2,Questioning,observation,4,2026-10-02,A1\n",
    )
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 1, "staf_ref", "staf_ref", "not a column", only=False)
    assert "Did you mean 'staff_ref'?" in p.message
    # ... and the required staff_ref is reported missing too
    assert [(q.column, q.line) for q in report.problems if "required" in q.message] == [
        ("staff_ref", 1)
    ]


def test_column_that_could_carry_a_name_is_refused(tiny, admin, tiny_dir) -> None:
    f = tiny_dir / "staff.csv"
    lines = f.read_text().splitlines()
    f.write_text("\n".join([lines[0] + ",forename"] + [ln + ",Jane" for ln in lines[1:]]) + "\n")
    report = refused(tiny, admin, [f])
    p = problem(report, "staff.csv", 1, "forename", "forename", "not a column of staff.csv")
    assert "never names or emails" in p.message
    assert "Did you mean" not in p.message


def test_duplicate_header_is_refused(tiny, admin, tmp_path) -> None:
    f = write(
        tmp_path,
        "evidence.csv",
        EVIDENCE_HEADER + ",skill\n" + evidence_row() + ",Feedback\n",
    )
    report = refused(tiny, admin, [f])
    problem(report, "evidence.csv", 1, "skill", "skill", "appears twice in the header row")


# -- dates -----------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["yesterday", "02/10/26"])
def test_unreadable_date_is_refused(tiny, admin, tiny_dir, bad: str) -> None:
    f = append(tiny_dir, "evidence", evidence_row(when=bad))
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 10, "date", bad, "is not a date")
    assert "YYYY-MM-DD" in p.message and "DD/MM/YYYY" in p.message


def test_us_month_first_date_is_refused_never_swapped(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "evidence", evidence_row(when="12/25/2025"))
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 10, "date", "12/25/2025", "US month-first")
    assert "DD/MM/YYYY" in p.message


@pytest.mark.parametrize("bad", ["31/02/2026", "2026-13-01"])
def test_impossible_date_is_refused(tiny, admin, tiny_dir, bad: str) -> None:
    f = append(tiny_dir, "evidence", evidence_row(when=bad))
    report = refused(tiny, admin, [f])
    problem(report, "evidence.csv", 10, "date", bad, "not a real calendar date", actionable=False)


def test_date_in_the_future_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "evidence", evidence_row(when="21/11/2026"))  # TINY_TODAY + 1 day
    report = refused(tiny, admin, [f])
    problem(report, "evidence.csv", 10, "date", "2026-11-21", "in the future", actionable=False)


# -- strengths -------------------------------------------------------------------------------
def test_out_of_range_strength_is_refused(tiny, admin, tiny_dir) -> None:
    bad = ["0", "5", "2.5"]
    f = append(
        tiny_dir,
        "evidence",
        *(evidence_row(strength=b, when=f"2026-10-0{i}") for i, b in enumerate(bad, 1)),
    )
    report = refused(tiny, admin, [f])
    assert [(p.line, p.column, p.value) for p in report.problems] == [
        (10, "strength", "0"),
        (11, "strength", "5"),
        (12, "strength", "2.5"),
    ]
    for p in report.problems:
        assert p.message.startswith("is out of range; use 1-4 or one of: outstanding")


def test_strength_words_are_accepted_on_any_scale(tiny, admin, tmp_path) -> None:
    rows = [
        evidence_row(strength="Outstanding", when="2026-10-02"),
        evidence_row(strength="requires  improvement", when="2026-10-03"),
        evidence_row(strength="SECURE", when="2026-10-04"),
    ]
    f = write(tmp_path, "evidence.csv", "\n".join([EVIDENCE_HEADER, *rows, ""]))
    accepted(tiny, admin, [f], strength_scale=None)  # words need no declared scale
    assert tiny.execute(
        "SELECT date::VARCHAR, strength FROM evidence WHERE skill_id = 'questioning' ORDER BY 1"
    ).fetchall() == [("2026-10-02", 4), ("2026-10-03", 2), ("2026-10-04", 3)]


def test_unknown_strength_word_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "evidence", evidence_row(strength="excellent"))
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 10, "strength", "excellent", "is not a strength")
    assert "requires improvement" in p.message


@pytest.mark.parametrize("bad", ["nan", "inf"])
def test_nan_strength_is_refused_not_a_crash(tiny, admin, tiny_dir, bad: str) -> None:
    f = append(tiny_dir, "evidence", evidence_row(strength=bad))
    report = refused(tiny, admin, [f])
    problem(report, "evidence.csv", 10, "strength", bad, "strength")


# -- references --------------------------------------------------------------------------------
def test_unknown_school_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "D1,D,teacher,KS1,,,yes,no,no,0,2025-09-01,")
    report = refused(tiny, admin, [f])
    p = problem(report, "staff.csv", 10, "school_id", "D", "is not a school in the alliance")
    assert "schools.csv" in p.message


def test_unknown_staff_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "evidence", evidence_row(staff="Z9"))
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 10, "staff_ref", "Z9", "not a member of staff")
    assert "staff.csv" in p.message


def test_recorded_by_a_name_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "evidence", evidence_row(by="Mrs Smith"))
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 10, "recorded_by", "Mrs Smith", "role label")
    assert "never write a name" in p.message


def test_recorded_by_role_labels_and_staff_refs_are_accepted(tiny, admin, tiny_dir) -> None:
    f = append(
        tiny_dir,
        "evidence",
        evidence_row(by="hod", when="2026-10-02"),
        evidence_row(by="B1", when="2026-10-03"),
    )
    accepted(tiny, admin, [f])
    assert tiny.execute(
        "SELECT recorded_by FROM evidence WHERE skill_id = 'questioning' ORDER BY date"
    ).fetchall() == [("HoD",), ("B1",)]


# -- duplicates ----------------------------------------------------------------------------------
def test_staff_ref_twice_in_a_file_is_refused(tiny, admin, tiny_dir) -> None:
    row = "A4,A,teacher,KS1,,A1,yes,no,no,0,2025-09-01,"
    f = append(tiny_dir, "staff", row, row.replace("KS1", "KS2"))
    report = refused(tiny, admin, [f])
    problem(report, "staff.csv", 11, "staff_ref", "A4", "repeats line 10")


def test_evidence_natural_key_twice_in_a_file_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(
        tiny_dir,
        "evidence",
        evidence_row(strength="4", note="first"),
        evidence_row(strength="3", note="second"),  # same staff, skill, type, date, recorder
    )
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 11, "staff_ref", "A2", "repeats line 10")
    assert "recorded_by" in p.message


def test_second_observer_on_the_same_day_is_new_evidence(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "evidence", evidence_row(by="A1"), evidence_row(by="SLT"))
    report = accepted(tiny, admin, [f])
    assert [(o.added, o.unchanged) for o in report.outcomes] == [(2, 8)]


def test_duplicate_row_problem_names_the_value(tiny, admin, tiny_dir) -> None:
    row = "A4,A,teacher,KS1,,A1,yes,no,no,0,2025-09-01,"
    report = refused(tiny, admin, [append(tiny_dir, "staff", row, row)])
    problem(report, "staff.csv", 11, "staff_ref", "A4", "repeats line 10")


# -- skills ----------------------------------------------------------------------------------
def test_unknown_skill_is_refused_with_the_nearest_skills(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "evidence", evidence_row(skill="Welsh"))
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 10, "skill", "Welsh", "is not a skill in the taxonomy")
    nearest = re.search(r"Nearest: (.+?)\.", p.message)
    assert nearest, p.message
    names = {r[0] for r in tiny.execute("SELECT name FROM skills").fetchall()}
    suggested = nearest.group(1).split(", ")
    assert 1 <= len(suggested) <= 3 and set(suggested) <= names
    assert "English" in suggested
    assert "data/taxonomy/skills.csv" in p.message


@pytest.mark.parametrize("text", ["assessment", "reading"])
def test_ambiguous_skill_text_is_refused_with_choices(tiny, admin, tiny_dir, text: str) -> None:
    f = append(tiny_dir, "evidence", evidence_row(skill=text))
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 10, "skill", text, "could be several skills")
    assert "Write the skill's name as in the taxonomy" in p.message


def test_unknown_skill_in_a_staff_subject_list_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "A4,A,teacher,KS1,Mathematics;Welsh,A1,yes,no,no,0,2025-09-01,")
    report = refused(tiny, admin, [f])
    p = problem(report, "staff.csv", 10, "subjects", "Mathematics;Welsh", "'Welsh' is not a skill")
    assert "'Mathematics'" not in p.message  # only the unknown item is reported


# -- empty and short files -------------------------------------------------------------------------
def test_empty_file_is_refused(tiny, admin, tmp_path) -> None:
    f = tmp_path / "staff.csv"
    f.write_bytes(b"")
    report = refused(tiny, admin, [f])
    problem(report, "staff.csv", 0, "", "", "is empty", actionable=False)


@pytest.mark.parametrize("ending", ["\n", "\r\n\r\n"])
def test_header_only_file_is_refused(tiny, admin, tmp_path, ending: str) -> None:
    f = write(tmp_path, "evidence.csv", EVIDENCE_HEADER + ending)
    report = refused(tiny, admin, [f])
    problem(report, "evidence.csv", 0, "", "", "no data rows", actionable=False)


# -- cell contents -------------------------------------------------------------------------------
def test_formula_looking_cells_are_refused(tiny, admin, tiny_dir) -> None:
    cells = ["=SUM(A1)", "@cmd", "+1+1", "-cmd(calc)", '=HYPERLINK("http://x")']
    f = append(
        tiny_dir,
        "evidence",
        *(
            evidence_row(when=f"2026-10-0{i}", note='"' + c.replace('"', '""') + '"')
            for i, c in enumerate(cells, 1)
        ),
    )
    report = refused(tiny, admin, [f])
    assert [(p.file, p.line, p.column, p.value) for p in report.problems] == [
        ("evidence.csv", line, "note", cell) for line, cell in enumerate(cells, 10)
    ]
    for p in report.problems:
        assert "looks like a spreadsheet formula" in p.message
        assert says_what_to_do(p.message)


def test_formula_looking_reference_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "=A1,A,teacher,KS1,,A1,yes,no,no,0,2025-09-01,")
    report = refused(tiny, admin, [f])
    # only the formula problem: not also "not a valid reference" for the same cell
    problem(report, "staff.csv", 10, "staff_ref", "=A1", "spreadsheet formula")


def test_dash_inside_a_note_is_fine(tiny, admin, tiny_dir) -> None:
    notes = ["Well-paced - good use of mini whiteboards", "- bullet", "-2 on the quiz"]
    f = append(
        tiny_dir,
        "evidence",
        *(evidence_row(when=f"2026-10-0{i}", note=n) for i, n in enumerate(notes, 1)),
    )
    accepted(tiny, admin, [f])
    got = tiny.execute("SELECT note FROM evidence WHERE skill_id = 'questioning' ORDER BY date")
    assert [r[0] for r in got.fetchall()] == notes


def test_oversized_note_is_refused(tiny, admin, tiny_dir) -> None:
    note = "x" * 5000
    f = append(tiny_dir, "evidence", evidence_row(note=note))
    report = refused(tiny, admin, [f])
    p = problem(
        report, "evidence.csv", 10, "note", "x" * 79 + "…", "5,000 characters", actionable=False
    )
    assert "2,000" in p.message


def test_over_long_reference_is_refused(tiny, admin, tiny_dir) -> None:
    ref = "R" * 65
    f = append(tiny_dir, "staff", f"{ref},A,teacher,KS1,,A1,yes,no,no,0,2025-09-01,")
    report = refused(tiny, admin, [f])
    p = problem(report, "staff.csv", 10, "staff_ref", ref, "65 characters", actionable=False)
    assert "64" in p.message


def test_email_as_reference_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "jane.doe@school.org,A,teacher,KS1,,A1,yes,no,no,0,2025-09-01,")
    report = refused(tiny, admin, [f])
    p = problem(
        report, "staff.csv", 10, "staff_ref", "jane.doe@school.org", "not a valid reference"
    )
    assert "emails" in p.message


# -- separators ------------------------------------------------------------------------------------
def test_line_with_other_separator_is_refused_with_its_line(tiny, admin, tiny_dir) -> None:
    bad = evidence_row(when="2026-10-03").replace(",", ";")
    f = append(tiny_dir, "evidence", evidence_row(when="2026-10-02"), bad)
    report = refused(tiny, admin, [f])
    p = problem(report, "evidence.csv", 11, "", bad, "separator")
    assert "commas" in p.message


def test_semicolon_separated_file_is_read(tiny, admin, tmp_path) -> None:
    f = write(
        tmp_path,
        "evidence.csv",
        EVIDENCE_HEADER.replace(",", ";")
        + "\n"
        + "A2;Questioning;observation;4;02/10/2026;A1;Good pace, clear questions;KS1\n",
    )
    accepted(tiny, admin, [f])
    assert tiny.execute(
        "SELECT date, note, phase FROM evidence WHERE skill_id = 'questioning'"
    ).fetchall() == [(date(2026, 10, 2), "Good pace, clear questions", "KS1")]


def test_tab_separated_file_is_read(tiny, admin, tmp_path) -> None:
    f = write(
        tmp_path,
        "evidence.tsv",
        EVIDENCE_HEADER.replace(",", "\t") + "\n" + evidence_row().replace(",", "\t") + "\n",
    )
    report = accepted(tiny, admin, [f])
    assert [(o.table, o.added) for o in report.outcomes] == [("evidence", 1)]


# -- spreadsheets --------------------------------------------------------------------------------
def _workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_xlsx_is_read_including_excel_date_cells(tiny, admin, tmp_path) -> None:
    f = _workbook(
        tmp_path / "evidence.xlsx",
        [
            EVIDENCE_HEADER.split(","),
            ["A2", "Questioning", "observation", 4, date(2026, 10, 2), "A1", "from Excel", "KS1"],
            ["A3", "Questioning", "observation", "good", datetime(2026, 10, 3), "SLT", None, None],
        ],
    )
    report = accepted(tiny, admin, [f])
    assert report.files == ["evidence.xlsx"]
    assert tiny.execute(
        "SELECT staff_ref, strength, date, note, phase FROM evidence "
        "WHERE skill_id = 'questioning' ORDER BY staff_ref"
    ).fetchall() == [
        ("A2", 4, date(2026, 10, 2), "from Excel", "KS1"),
        ("A3", 3, date(2026, 10, 3), None, None),
    ]


def test_xlsx_bad_row_is_reported_on_its_spreadsheet_line(tiny, admin, tmp_path) -> None:
    f = _workbook(
        tmp_path / "evidence.xlsx",
        [
            EVIDENCE_HEADER.split(",")[:6],
            ["A2", "Questioning", "observation", 4, date(2026, 10, 2), "A1"],
            [None] * 6,  # a blank row Excel kept: still counts as a spreadsheet row
            ["A2", "Questioning", "observation", 7, date(2026, 10, 4), "A1"],
        ],
    )
    report = refused(tiny, admin, [f])
    problem(report, "evidence.xlsx", 4, "strength", "7", "out of range")


# -- files -----------------------------------------------------------------------------------------
def test_any_file_name_is_read_as_the_table_its_header_names(tiny, admin, tmp_path) -> None:
    f = write(tmp_path, "teachers (3).csv", "staff_ref,school_id,role\nA4,A,teacher\n")
    report = accepted(tiny, admin, [f])
    assert [(o.table, o.added) for o in report.outcomes] == [("staff", 1)]
    assert any("read as staff (from its header row)" in n for n in report.notes)


def test_file_whose_table_cannot_be_told_is_refused(tiny, admin, tmp_path) -> None:
    f = write(tmp_path, "teachers.csv", "staff_ref,school_id\nA4,A\n")
    report = refused(tiny, admin, [f])
    p = problem(report, "teachers.csv", 0, "", "", "which table it holds")
    assert "staff.csv" in p.message and "role" in p.message


def test_unsupported_file_type_is_refused(tiny, admin, tmp_path) -> None:
    f = write(tmp_path, "staff.json", "[]")
    report = refused(tiny, admin, [f])
    problem(report, "staff.json", 0, "", "", "not a spreadsheet or CSV file")


# -- rules specific to a table ---------------------------------------------------------------------
def test_need_for_a_leaver_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "needs", "N9,C2,Questioning,high,coach,2026-10-01,open,")
    report = refused(tiny, admin, [f])
    problem(report, "needs.csv", 5, "staff_ref", "C2", "left on 2026-07-31", actionable=False)


def test_need_for_someone_leaving_in_the_same_batch_is_refused(tiny, admin, tiny_dir) -> None:
    staff = tiny_dir / "staff.csv"
    row = "A3,A,teacher,Year 6,Mathematics,A1,no,yes,no,12,2025-09-01,"
    assert row + "\n" in staff.read_text()
    staff.write_text(staff.read_text().replace(row, row + "2026-08-31"))
    needs = append(tiny_dir, "needs", "N9,A3,Questioning,high,coach,2026-10-01,open,")
    report = refused(tiny, admin, [staff, needs])
    problem(report, "needs.csv", 5, "staff_ref", "A3", "leaver", actionable=False)


def test_second_open_need_for_the_same_skill_is_refused(tiny, admin, tiny_dir) -> None:
    # N1 is already an open need of B3's for Mathematics; "maths" is the same skill.
    f = append(tiny_dir, "needs", "N9,B3,maths,high,coach,2026-10-01,open,")
    report = refused(tiny, admin, [f])
    [p] = report.problems
    assert (p.file, p.line, p.column) == ("needs.csv", 5, "need_id")
    assert "already has an open need for this skill (N1)" in p.message
    assert says_what_to_do(p.message)


def test_two_open_needs_for_the_same_skill_in_one_file_are_refused(tiny, admin, tiny_dir) -> None:
    f = append(
        tiny_dir,
        "needs",
        "N9,A2,Questioning,high,coach,2026-10-01,open,",
        "N10,A2,questioning,low,mentor,2026-10-02,open,",
    )
    report = refused(tiny, admin, [f])
    [p] = report.problems
    assert (p.file, p.line, p.column) == ("needs.csv", 6, "need_id")
    assert "(N9)" in p.message


def test_closed_need_beside_an_open_one_is_fine(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "needs", "N9,B3,Mathematics,low,coach,2026-01-01,closed,")
    accepted(tiny, admin, [f])


def test_duplicate_open_need_problem_names_the_need(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "needs", "N9,B3,maths,high,coach,2026-10-01,open,")
    report = refused(tiny, admin, [f])
    problem(report, "needs.csv", 5, "need_id", "N9", "already has an open need")


def test_coach_coaching_themselves_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "coaching", "B2,B2,Questioning,coaching,2026-01-10,,,,")
    report = refused(tiny, admin, [f])
    problem(
        report, "coaching.csv", 4, "coachee_ref", "B2", "same person as the coach", actionable=False
    )


def test_coaching_ending_before_it_starts_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "coaching", "B2,B3,Questioning,coaching,2026-01-10,2025-12-01,,,")
    report = refused(tiny, admin, [f])
    problem(
        report, "coaching.csv", 4, "end_date", "2025-12-01", "before start_date", actionable=False
    )


def test_line_manager_of_themselves_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "A4,A,teacher,KS1,,A4,yes,no,no,0,2025-09-01,")
    report = refused(tiny, admin, [f])
    problem(
        report, "staff.csv", 10, "line_manager_ref", "A4", "manages themselves", actionable=False
    )


def test_bad_yes_no_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "A4,A,teacher,KS1,,A1,yes,maybe,no,0,2025-09-01,")
    report = refused(tiny, admin, [f])
    p = problem(report, "staff.csv", 10, "coach_trained", "maybe", "is not yes or no")
    assert "y/n" in p.message


def test_unknown_role_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "A4,A,dinner lady,KS1,,A1,yes,no,no,0,2025-09-01,")
    report = refused(tiny, admin, [f])
    p = problem(report, "staff.csv", 10, "role", "dinner lady", "is not allowed")
    assert "teaching assistant" in p.message


def test_role_is_read_whatever_its_case(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "A4,A,Middle  Leader,KS1,,A1,yes,no,no,0,2025-09-01,")
    accepted(tiny, admin, [f])
    assert tiny.execute("SELECT role FROM staff WHERE staff_ref = 'A4'").fetchall() == [
        ("middle leader",)
    ]


@pytest.mark.parametrize(
    ("table", "row", "column"),
    [
        ("staff", "A4,A,teacher,KS9,,A1,yes,no,no,0,2025-09-01,", "phases"),
        ("evidence", evidence_row(phase="KS9"), "phase"),
    ],
)
def test_unknown_phase_is_refused(tiny, admin, tiny_dir, table: str, row: str, column: str) -> None:
    f = append(tiny_dir, table, row)
    report = refused(tiny, admin, [f])
    p = problem(report, f"{table}.csv", 10, column, "KS9", "use")
    assert "EYFS, KS1, KS2, KS3, KS4, KS5" in p.message


def test_evidence_phase_naming_two_stages_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "evidence", evidence_row(phase="primary"))
    report = refused(tiny, admin, [f])
    problem(report, "evidence.csv", 10, "phase", "primary", "not one key stage")


def test_phase_words_are_read_as_key_stages_with_a_note(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "A4,A,teacher,Reception;Year 6,,A1,yes,no,no,0,2025-09-01,")
    report = accepted(tiny, admin, [f])
    assert "staff.csv, phases: 'Reception;Year 6' read as EYFS;KS2" in report.notes
    assert tiny.execute("SELECT phases FROM staff WHERE staff_ref = 'A4'").fetchall() == [
        (["EYFS", "KS2"],)
    ]


def test_staff_file_with_only_required_columns_adds_new_staff(tiny, admin, tmp_path) -> None:
    f = write(tmp_path, "staff.csv", "staff_ref,school_id,role\nA4,A,teacher\n")
    accepted(tiny, admin, [f])
    assert tiny.execute(
        "SELECT phases, subjects, share_consent FROM staff WHERE staff_ref = 'A4'"
    ).fetchall() == [([], [], False)]


@pytest.mark.parametrize(("bad", "phrase"), [("-3", "negative"), ("lots", "not a number")])
def test_bad_capacity_hours_is_refused(tiny, admin, tiny_dir, bad: str, phrase: str) -> None:
    f = append(tiny_dir, "staff", f"A4,A,teacher,KS1,,A1,yes,no,no,{bad},2025-09-01,")
    report = refused(tiny, admin, [f])
    problem(report, "staff.csv", 10, "capacity_hours", bad, phrase, actionable=phrase == "negative")


def test_nan_capacity_hours_is_refused(tiny, admin, tiny_dir) -> None:
    f = append(tiny_dir, "staff", "A4,A,teacher,KS1,,A1,yes,no,no,nan,2025-09-01,")
    report = refused(tiny, admin, [f])
    problem(report, "staff.csv", 10, "capacity_hours", "nan", "number")


# -- messages -----------------------------------------------------------------------------------
_SILENT_MESSAGES = {
    "missing column": (
        "evidence.csv",
        "staff_ref,skill,strength,date,recorded_by\nA2,Questioning,4,2026-10-02,A1\n",
    ),
    "impossible date": (
        "evidence.csv",
        EVIDENCE_HEADER + "\n" + evidence_row(when="31/02/2026") + "\n",
    ),
    "future date": (
        "evidence.csv",
        EVIDENCE_HEADER + "\n" + evidence_row(when="2026-12-25") + "\n",
    ),
    "long note": ("evidence.csv", EVIDENCE_HEADER + "\n" + evidence_row(note="x" * 2001) + "\n"),
    "empty file": ("staff.csv", ""),
    "header only": ("staff.csv", STAFF_HEADER + "\n"),
    "leaver": ("needs.csv", NEEDS_HEADER + "\nN9,C2,Questioning,high,coach,2026-10-01,open,\n"),
    "self-coaching": (
        "coaching.csv",
        "coach_ref,coachee_ref,skill,mode,start_date\nB2,B2,Questioning,coaching,2026-01-10\n",
    ),
    "self-management": ("staff.csv", STAFF_HEADER + "\nA4,A,teacher,KS1,,A4,yes,no,no,0,,\n"),
}


@pytest.mark.parametrize("case", sorted(_SILENT_MESSAGES))
def test_message_says_what_to_do(tiny, admin, tmp_path, case: str) -> None:
    name, text = _SILENT_MESSAGES[case]
    report = refused(tiny, admin, [write(tmp_path, name, text)])
    [p] = report.problems
    assert says_what_to_do(p.message), p.message


def test_instruction_detector_on_known_messages() -> None:
    assert says_what_to_do("is not a date: write it as YYYY-MM-DD or DD/MM/YYYY")
    assert says_what_to_do("appears twice in the header row; keep one.")
    assert says_what_to_do("is not a member of staff. Import staff.csv first, or check it.")
    assert not says_what_to_do("has a header row but no data rows: nothing to import.")
    assert not says_what_to_do("is in the future.")


# -- whole batches ---------------------------------------------------------------------------------
def test_failure_in_the_last_file_leaves_earlier_files_unwritten(con, admin, tiny_dir) -> None:
    append(tiny_dir, "needs", "N9,A2,Questioning,urgent,coach,2026-10-01,open,")
    report = refused(con, admin, [tiny_dir])
    assert report.files == ["schools.csv", "staff.csv", "evidence.csv", "coaching.csv", "needs.csv"]
    problem(report, "needs.csv", 5, "priority", "urgent", "use one of: high, medium, low")
    assert all(rows == [] for rows in data_tables(con).values())
    assert con.execute("SELECT count(*) FROM imports").fetchall() == [(0,)]


def test_problems_in_several_files_are_all_reported(tiny, admin, tiny_dir) -> None:
    schools = append(tiny_dir, "schools", "D,Damson,primary,perhaps,,,")
    evidence = append(tiny_dir, "evidence", evidence_row(when="12/25/2025"))
    report = refused(tiny, admin, [evidence, schools])  # read in dependency order
    assert [(p.file, p.line, p.column) for p in report.problems] == [
        ("schools.csv", 5, "is_hub"),
        ("evidence.csv", 10, "date"),
    ]


def _crash_on_evidence(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    real = brokering.importing.apply.upsert

    def upsert(con, table, *args, **kwargs):
        if table == "evidence":
            raise error
        return real(con, table, *args, **kwargs)

    # `_apply` calls the name bound in brokering.importing; patch both bindings.
    monkeypatch.setattr(brokering.importing.apply, "upsert", upsert)
    monkeypatch.setattr(brokering.importing, "upsert", upsert)


def test_crash_mid_apply_leaves_the_store_as_it_was(con, admin, monkeypatch) -> None:
    _crash_on_evidence(monkeypatch, RuntimeError("disk on fire"))
    before = data_tables(con)
    with pytest.raises(RuntimeError, match="disk on fire"):  # not wrapped: not a duckdb.Error
        import_paths(con, [TINY], admin, today=TINY_TODAY)
    assert data_tables(con) == before
    assert con.execute("SELECT count(*) FROM imports").fetchall() == [(0,)]
    monkeypatch.undo()
    # the connection is usable afterwards: no transaction was left open, no temp tables linger
    accepted(con, admin, [TINY])
    assert con.execute("SELECT count(*) FROM staff").fetchall() == [(8,)]


def test_database_error_mid_apply_is_a_store_error(con, admin, monkeypatch) -> None:
    _crash_on_evidence(monkeypatch, duckdb.ConstraintException("evidence broke"))
    before = data_tables(con)
    with pytest.raises(StoreError, match="nothing was changed"):
        import_paths(con, [TINY], admin, today=TINY_TODAY)
    assert data_tables(con) == before
    temp = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_type = 'LOCAL TEMPORARY' "
        "AND (table_name LIKE 'stg%' OR table_name LIKE 'prs%' OR table_name LIKE 'map%')"
    ).fetchall()
    assert temp == [(0,)]


def test_refused_import_is_recorded_in_the_audit_log(tiny, admin, tiny_dir) -> None:
    before = tiny.execute("SELECT max(audit_id) FROM audit_log").fetchall()[0][0] or 0
    refused(tiny, admin, [append(tiny_dir, "evidence", evidence_row(staff="Z9"))])
    rows = tiny.execute(
        "SELECT username, action, detail FROM audit_log WHERE audit_id > ?", [before]
    ).fetchall()
    assert len(rows) == 1
    username, action, detail = rows[0]
    assert (username, action) == (admin.username, "import")
    assert json.loads(detail) == {
        "files": ["evidence.csv"],
        "ok": False,
        "applied": False,
        "dry_run": False,
        "problems": 1,
    }
