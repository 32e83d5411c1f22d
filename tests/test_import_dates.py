"""Dates in a school's export are never read in US order (issue 18): a month-first date is
refused on its own row with a message saying how to write it, a date that could be read
either way is read day first in a file that writes day first, and in a column that also
holds month-first dates it is refused too rather than read the wrong way round silently."""

from __future__ import annotations

from pathlib import Path

from brokering.importing import import_paths
from brokering.mapping.propose import propose
from tests.conftest import TINY_TODAY, data_tables
from tests.test_import_bad_input import store_files as _stores  # noqa: F401 - fast store copies
from tests.test_import_bad_input import tiny as _tiny  # noqa: F401
from tests.test_mapping import SCHOOLS
from tests.test_mapping import matcher as _matcher  # noqa: F401

HEADER = "Staff Code,Teacher,Date of Observation,Observer,Subject,Overall Judgement\n"


#: Day-first dates no one could read the other way round (the day is over 12): enough rows
#: that what follows is past the rows a proposal samples, as in a real year's tracker.
FILLER = [f"{d}/{m:02d}/2024" for m in range(1, 8) for d in range(13, 29)]


def _tracker(folder: Path, *dates: str) -> Path:
    """An observation tracker as a school saves it from Excel: a term of clearly day-first
    rows, then one row per date given (line numbers from FIRST)."""
    path = folder / "Observations 2025-26.csv"
    rows = [f"A2,Mrs Quill,{d},SLT,Mathematics,Good\n" for d in [*FILLER, *dates]]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


#: The spreadsheet line of the first date given to _tracker.
FIRST = 2 + len(FILLER)


def _import(con, admin, path: Path, tmp: Path, matcher):
    mapping, problems = propose([path], tmp, school="A", known_schools=SCHOOLS, matcher=matcher)
    assert problems == [] and mapping.complete, mapping.to_json()
    return import_paths(con, [path], admin, mapping=mapping, today=TINY_TODAY)


def _dates(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT date::VARCHAR FROM evidence WHERE staff_ref = 'A2' AND recorded_by = 'SLT' "
            "AND date >= DATE '2025-01-01' AND date < DATE '2026-01-01' ORDER BY date"
        ).fetchall()
    ]


def test_a_us_order_date_among_the_sampled_rows_is_a_question_in_the_proposal(
    tmp_path, matcher
) -> None:
    path = tmp_path / "Observations.csv"
    path.write_text(HEADER + "A2,Mrs Quill,12/31/2025,SLT,Mathematics,Good\n", encoding="utf-8")
    mapping, _ = propose([path], tmp_path, school="A", known_schools=SCHOOLS, matcher=matcher)
    [item] = mapping.files[0].unresolved
    assert (item.target, item.value) == ("date", "12/31/2025")
    assert "US month-first" in item.message and not mapping.complete


def test_a_us_order_date_is_refused_on_its_row_and_nothing_is_written(
    tiny, admin, tmp_path, matcher
) -> None:
    path = _tracker(tmp_path, "25/09/2025", "12/31/2025")
    before = data_tables(tiny)
    report = _import(tiny, admin, path, tmp_path, matcher)
    assert not report.ok and not report.applied
    [p] = report.problems
    assert (p.file, p.line, p.column, p.value) == (path.name, FIRST + 1, "date", "12/31/2025")
    assert "US month-first" in p.message and "DD/MM/YYYY" in p.message
    assert data_tables(tiny) == before


def test_a_date_either_way_round_is_read_day_first_in_a_day_first_file(
    tiny, admin, tmp_path, matcher
) -> None:
    path = _tracker(tmp_path, "25/09/2025", "03/04/2025", "13/10/2025")
    report = _import(tiny, admin, path, tmp_path, matcher)
    assert report.ok and report.applied, [str(p) for p in report.problems]
    assert _dates(tiny) == ["2025-04-03", "2025-09-25", "2025-10-13"]


def test_beside_month_first_dates_a_date_either_way_round_is_refused_too(
    tiny, admin, tmp_path, matcher
) -> None:
    """03/04/2025 in a column that also writes 12/31/2025 is most likely 4 March: reading it
    as 3 April would be a silent misread, so both rows are refused."""
    path = _tracker(tmp_path, "12/31/2025", "03/04/2025", "04/04/2025", "2025-09-25")
    before = data_tables(tiny)
    report = _import(tiny, admin, path, tmp_path, matcher)
    assert not report.ok
    assert [(p.line, p.column, p.value) for p in report.problems] == [
        (FIRST, "date", "12/31/2025"),
        (FIRST + 1, "date", "03/04/2025"),
    ]
    either = report.problems[1].message
    assert "either way round" in either and "12/31/2025" in either and "YYYY-MM-DD" in either
    assert data_tables(tiny) == before
