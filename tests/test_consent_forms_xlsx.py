"""A consent form's answers downloaded from Microsoft Forms as Excel (issue 18): the sheet
"Sheet1" with Forms' own columns (ID, Start time, Completion time, Email, Name) and the
question, the times as Excel date-time cells. It is recognised as consent answers, the
proposed mapping is the CSV export's, and it imports the same way: each answer matched by
the keyed hash of the e-mail address, an unknown address listed by row, nothing else
written. Every person is invented (tests/exports.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from brokering.importing import import_paths
from brokering.mapping import Mapping, propose
from tests import exports
from tests.conftest import TINY_TODAY, data_tables
from tests.test_consent_forms import KEY, QUESTION, SCHOOLS, ZOE, _consent
from tests.test_import_bad_input import store_files as _stores  # noqa: F401 - fast store copies
from tests.test_import_bad_input import tiny as _tiny  # noqa: F401
from tests.test_mapping import matcher as _matcher  # noqa: F401


@pytest.fixture
def held(tiny, admin, tmp_path, matcher):
    """The tiny alliance plus school A's SIMS export (A4 and A5, with their e-mails)."""
    sims = exports.sims_staff_details(tmp_path)
    mapping, _ = propose([sims], tmp_path, school="A", known_schools=SCHOOLS, matcher=matcher)
    report = import_paths(tiny, [sims], admin, mapping=mapping, today=TINY_TODAY, pseudonym_key=KEY)
    assert report.ok, [str(p) for p in report.problems]
    return tiny


def _answer(n: int, when: dt.datetime, email: str, name: str, said: str) -> list[object]:
    return [n, when - dt.timedelta(minutes=2), when, email, name, None, said]


def _sheet(folder, *answers: list[object]):
    return exports.forms_consent_xlsx(folder, list(answers), QUESTION)


def test_the_forms_workbook_is_proposed_as_consent_answers(tmp_path, matcher) -> None:
    path = _sheet(
        tmp_path,
        _answer(
            1, dt.datetime(2026, 9, 20, 10, 2, 40), "z.oneill@alder.example.sch.uk", "Zoë", "Yes"
        ),
    )
    mapping, problems = propose([path], tmp_path, known_schools=SCHOOLS, matcher=matcher)
    [fm] = mapping.files
    assert problems == [] and mapping.complete
    assert (fm.table, fm.source, fm.sheet, fm.header_row) == (
        "consent",
        "Microsoft Forms consent",
        "Sheet1",
        1,
    )
    assert fm.unresolved == []
    assert fm.targets() == {"consent_date": "Completion time", "share_consent": QUESTION}
    assert fm.columns["Email"] == "hash" and fm.columns["Name"] == "drop"
    assert {fm.columns[c] for c in ("ID", "Start time", "Last modified time")} == {"drop"}


def test_the_forms_workbook_changes_consent_by_e_mail_hash(held, admin, tmp_path, matcher) -> None:
    path = _sheet(
        tmp_path,
        # 3 October, shown by Forms as 10/3/26: the cell's value is read, never the display.
        _answer(1, dt.datetime(2026, 10, 3, 9, 15), "Z.ONeill@alder.example.sch.uk", "Zoë", "Yes"),
        _answer(2, dt.datetime(2026, 10, 4, 16, 40), "stranger@elsewhere.example.org", "Ann", "No"),
    )
    mapping, _ = propose([path], tmp_path, known_schools=SCHOOLS, matcher=matcher)
    mapping = Mapping.from_dict(json.loads(mapping.to_json()))  # as a script would pass it
    before = data_tables(held)
    index = held.execute("SELECT * FROM identity_index ORDER BY ALL").fetchall()

    report = import_paths(held, [path], admin, mapping=mapping, today=TINY_TODAY, pseudonym_key=KEY)
    assert report.ok and report.applied, [str(p) for p in report.problems]
    assert _consent(held, ZOE) == (True, "2026-10-03")
    [gone] = report.unmatched
    assert (gone["file"], gone["line"], gone["who"]) == (
        path.name,
        3,
        "e-mail s…@elsewhere.example.org",
    )
    assert [(o.table, o.rows, o.added, o.updated) for o in report.outcomes] == [
        ("consent", 1, 0, 1)
    ]
    after = data_tables(held)
    assert len(after["staff"]) == len(before["staff"])
    assert [r[0] for r in after["staff"] if r not in before["staff"]] == [ZOE]
    assert held.execute("SELECT * FROM identity_index ORDER BY ALL").fetchall() == index
    dump = json.dumps(after, default=str) + json.dumps(
        held.execute("SELECT * FROM audit_log").fetchall(), default=str
    )
    for personal in ("oneill", "stranger", "elsewhere", "Zoë"):
        assert personal.lower() not in dump.lower()


def test_a_forms_workbook_without_pseudonymising_writes_nothing(
    held, admin, tmp_path, matcher
) -> None:
    path = _sheet(
        tmp_path,
        _answer(1, dt.datetime(2026, 9, 20, 10, 2), "z.oneill@alder.example.sch.uk", "Zoë", "Yes"),
    )
    mapping, _ = propose([path], tmp_path, known_schools=SCHOOLS, matcher=matcher)
    before = data_tables(held)
    report = import_paths(held, [path], admin, mapping=mapping, today=TINY_TODAY)
    assert not report.ok
    [p] = report.problems
    assert p.column == "email" and "pseudonymising" in p.message
    assert data_tables(held) == before
