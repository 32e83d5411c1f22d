"""Hostile and malformed files: every one ends in a clear message, never a traceback or the
database's internal text, and every data row is accounted for (rows in = rows valid + rows
refused, or the whole file is refused).

The corpus (brokering/importing/corpus.py) is made on demand: no binary fixtures are kept in
the repository, and `python -m brokering robustness` can run the same files. The limits are
lowered for the run (a 64 KB line, a 1 MB workbook part) so the bombs stay small and the
suite fast while still tripping the same checks a full-size file trips.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import brokering.importing.reader as reader
import brokering.importing.rows as staging_rows
import brokering.importing.workbook as workbook
from brokering.importing import import_paths
from brokering.importing.corpus import (
    CORPUS,
    GOOD_BOOK,
    HEADER,
    INTERNAL,
    ROWS,
    Case,
    check_case,
    try_corpus,
)
from brokering.importing.problems import ImportReport
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY
from tests.test_import_bad_input import con as _con  # noqa: F401
from tests.test_import_bad_input import store_files as _stores  # noqa: F401 - fast store copies
from tests.test_import_bad_input import tiny as _tiny  # noqa: F401

LINE_LIMIT = 64 * 1024


@pytest.fixture
def corpus_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging_rows, "MAX_LINE_BYTES", LINE_LIMIT)
    monkeypatch.setattr(reader, "HEADER_SEARCH_BYTES", LINE_LIMIT)


def run(con, admin: Viewer, path: Path) -> ImportReport:
    return import_paths(con, [path], admin, dry_run=True, today=TINY_TODAY)


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 30
    assert len({c.name for c in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_every_malformed_file_ends_in_a_clear_message_and_every_row_is_counted(
    case: Case, tiny, admin: Viewer, tmp_path: Path, corpus_limits: None
) -> None:
    path = tmp_path / case.name
    path.write_bytes(case.build(tmp_path))
    report = run(tiny, admin, path)  # never raises
    assert check_case(case, report) == [], [str(p) for p in report.problems]
    for note in report.notes:
        assert not INTERNAL.search(note), note
    if case.whole:
        [p] = report.problems
        assert p.line == 0
    else:
        assert report.ok == (case.refused == 0), [str(p) for p in report.problems]


def test_the_corpus_run_adds_up(con, admin: Viewer, corpus_limits: None) -> None:
    """The totals a robustness report quotes: every row accounted for, no crash, nothing
    unclear (on an empty store: the corpus needs nothing loaded)."""
    result = try_corpus(con, admin, TINY_TODAY)
    totals = result.to_dict()
    assert totals["files"] == len(CORPUS) >= 30
    assert totals["rows_unaccounted"] == 0 and totals["crashes"] == 0
    assert totals["unclear_messages"] == 0 and totals["outcomes_not_as_expected"] == 0
    assert totals["rows_in"] == totals["rows_valid"] + totals["rows_refused"]


def test_a_ragged_row_is_never_shifted_into_the_next_column(tiny, admin, tmp_path) -> None:
    """The hole: `…,phase,note` with one extra empty field stored phase empty, note 'KS3'."""
    f = tmp_path / "evidence.csv"
    f.write_text(
        "staff_ref,skill,evidence_type,strength,date,recorded_by,phase,note\n"
        "A2,Mathematics,observation,3,2026-03-03,SLT,,KS3,\n"
    )
    report = import_paths(tiny, [f], admin, today=TINY_TODAY)
    assert not report.ok and not report.applied
    [p] = report.problems
    assert p.line == 2 and "9 fields but the header has 8" in p.message
    assert "refused rather than shifted" in p.message


def test_mixed_line_endings_are_read_not_reported_as_a_parser_state(tiny, admin, tmp_path):
    f = tmp_path / "schools.csv"
    f.write_bytes(f"{HEADER}\r\n{ROWS[0]}\n{ROWS[1]}\r\n".encode())
    report = run(tiny, admin, f)
    assert report.ok, [str(p) for p in report.problems]
    assert any("more than one way" in n for n in report.notes)


def test_a_problem_after_blank_lines_names_its_own_line(tiny, admin, tmp_path) -> None:
    f = tmp_path / "schools.csv"
    f.write_text(f"{HEADER}\n{ROWS[0]}\n\n\nS9,Elm School,castle\n")
    report = run(tiny, admin, f)
    [p] = report.problems
    assert (p.line, p.column, p.value) == (5, "phase", "castle")


def test_a_one_line_file_far_over_the_limit_is_refused_quickly(tiny, admin, tmp_path) -> None:
    """The hole: a 200 MB one-line file ended in `field larger than field limit`. Only the
    first megabyte is read to find the header, so the real size is no slower (made at 8 MB
    here to keep the suite light)."""
    f = tmp_path / "schools.csv"
    with f.open("wb") as fh:
        fh.write(b"school_id,")
        for _ in range(8):
            fh.write(b"n" * 1024**2)
    report = run(tiny, admin, f)
    [p] = report.problems
    assert p.line == 0 and "first line longer than" in p.message


def test_twenty_thousand_columns_are_refused_before_any_row_is_read(tiny, admin, tmp_path):
    f = tmp_path / "schools.csv"
    row = ",".join(["1"] * 20_000)
    f.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n" + "\n".join([row] * 200) + "\n")
    started = time.process_time()
    report = run(tiny, admin, f)
    [p] = report.problems
    assert "more than 256 columns" in p.message
    assert time.process_time() - started < 60  # a guard against the old minutes, not a timing


def test_a_workbook_that_unpacks_too_far_is_refused_before_it_is_parsed(
    tiny, admin, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_UNPACKED_BYTES", 2048)
    f = tmp_path / "schools.xlsx"
    f.write_bytes(GOOD_BOOK(tmp_path))
    report = run(tiny, admin, f)
    [p] = report.problems
    assert "would unpack to" in p.message and "CSV UTF-8" in p.message


def test_openpyxl_parses_through_defusedxml() -> None:
    import openpyxl as op

    assert op.DEFUSEDXML is True


def test_lists_inside_cells_do_not_pass_for_the_separator(tiny, admin, tmp_path) -> None:
    f = tmp_path / "staff.csv"
    f.write_text(
        "staff_ref,school_id,role,phases\nA7,A,teacher,EYFS;KS1;KS2;KS3;KS4;KS5\nA8,A,teacher,KS1\n"
    )
    report = run(tiny, admin, f)
    assert report.ok, [str(p) for p in report.problems]


def test_too_many_files_in_one_batch_are_refused_unread(tiny, admin, tmp_path, monkeypatch):
    import brokering.importing as importing

    monkeypatch.setattr(importing, "MAX_FILES_PER_BATCH", 3)
    for i in range(4):
        (tmp_path / f"schools{i}.csv").write_text(f"{HEADER}\n{ROWS[0]}\n")
    report = run(tiny, admin, tmp_path)
    [p] = report.problems
    assert "4 files were given" in p.message and "smaller batches" in p.message
