"""Values as schools write them (issue 18): job titles, judgement words, observer labels,
statuses, lists and dates — built-in maps applied and noted, fuzzy readings asked once and
remembered, never applied silently."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from brokering import school_words as sw
from brokering.errors import ValidationError
from brokering.importing import import_paths
from brokering.importing.value_maps import confirm
from brokering.values import parse_date
from tests.conftest import TINY_TODAY, data_tables


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Class Teacher", "teacher"),
        ("HLTA", "teaching assistant"),
        ("SENCO", "middle leader"),
        ("SENDCo", "middle leader"),
        ("Deputy Head", "senior leader"),
        ("Assistant Head", "senior leader"),
        ("Principal", "headteacher"),
        ("Cover Supervisor", "support staff"),
        ("ECT", "early career teacher"),
        ("ECT 2", "early career teacher"),
        ("Teacher of Mathematics", "teacher"),
        ("Head of Science", "middle leader"),
        ("Acting Deputy Headteacher", "senior leader"),
        ("English Teacher", "teacher"),
    ],
)
def test_job_titles_become_roles(text: str, role: str) -> None:
    r = sw.read_role(text)
    assert (r.value, r.how in ("exact", "map", "rule")) == (role, True)


def test_a_near_miss_job_title_is_a_question() -> None:
    r = sw.read_role("Deputy Haed")
    assert (r.value, r.how) == ("senior leader", "fuzzy")
    assert sw.read_role("Astronaut").how == "unknown"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Outstanding", "outstanding"),
        ("Good", "good"),
        ("RI", "requires improvement"),
        ("Requires Improvement", "requires improvement"),
        ("Inadequate", "inadequate"),
        ("Good+", "good"),
        ("Good with outstanding features", "good"),
        ("Secure", "good"),
        ("Developing", "requires improvement"),
        ("Emerging", "inadequate"),
        ("Ungraded", sw.UNGRADED),
        ("1 - Outstanding", "outstanding"),
        ("Grade 2 (Good)", "good"),
    ],
)
def test_judgement_words(text: str, word: str) -> None:
    r = sw.read_judgement(text)
    assert r is not None and r.value == word and r.how != "fuzzy"


def test_numbers_are_left_to_the_declared_scale_and_near_misses_asked() -> None:
    assert sw.read_judgement("3") is None
    assert sw.read_judgement("Outstandng").how == "fuzzy"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("HT", "headteacher"),
        ("DHT", "SLT"),
        ("AHT", "SLT"),
        ("HoD", "HoD"),
        ("SLT", "SLT"),
        ("LA adviser", "external"),
        ("Mrs Smith (DHT)", "SLT"),
        ("Mrs Smith", sw.NOT_RECORDED),
        ("Jane Smith", sw.NOT_RECORDED),
        ("J. Smith, HoD", "HoD"),
    ],
)
def test_observer_labels(text: str, label: str) -> None:
    r = sw.read_observer(text)
    assert r is not None and r.value == label


def test_a_staff_code_is_not_an_observer_word() -> None:
    assert sw.read_observer("JDO") is None


@pytest.mark.parametrize(
    ("text", "status"),
    [("Achieved", "closed"), ("In progress", "open"), ("Not started", "open")],
)
def test_statuses(text: str, status: str) -> None:
    assert sw.read_status(text).value == status


def test_lists_split_only_where_the_parts_are_skills(matcher) -> None:
    def exact(t: str) -> bool:
        return matcher.exact(t) is not None

    assert sw.split_list("Art & Design, Music", exact) == ["Art & Design", "Music"]
    assert sw.split_list("Mathematics/Physics", exact) == ["Mathematics", "Physics"]
    assert sw.split_list("Music and Drama", exact) == ["Music", "Drama"]
    assert sw.split_list("History and Geography", exact) == ["History and Geography"]  # alias
    assert sw.split_list("Design and technology", exact) == ["Design and technology"]
    assert sw.split_list("Speech, language and communication needs", exact) == [
        "Speech, language and communication needs"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2025-09-26",
        "2025-09-26 14:30:00",
        "2025-09-26T10:00:00Z",
        "26-Sep-2025",
        "26 September 2025",
        "26/9/25",
        "26/09/2025",
        "45926",
    ],
)
def test_dates_as_schools_write_them(text: str) -> None:
    assert parse_date(text) == (date(2025, 9, 26), None)


def test_us_order_is_never_read() -> None:
    value, problem = parse_date("9/26/2025")
    assert value is None and "US" in problem


# -- through the importer ------------------------------------------------------------------
STAFF = "staff_ref,school_id,role,subjects\n"
EVIDENCE = "staff_ref,skill,evidence_type,strength,date,recorded_by\n"


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_school_words_are_read_on_import(tiny, admin, tmp_path) -> None:
    _write(tmp_path, "staff.csv", STAFF + 'X1,A,Class Teacher,"Art & Design, Music"\n')
    _write(
        tmp_path,
        "evidence.csv",
        EVIDENCE + "X1,Questioning,observation,Good+,26-Sep-2025,DHT\n"
        "X1,Questioning,observation,RI,26/9/25,Mrs Smith\n",
    )
    report = import_paths(tiny, [tmp_path], admin, today=TINY_TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert tiny.execute("SELECT role, subjects FROM staff WHERE staff_ref = 'X1'").fetchall() == [
        ("teacher", ["art-and-design", "music"])
    ]
    assert sorted(
        tiny.execute("SELECT strength, recorded_by FROM evidence WHERE staff_ref = 'X1'").fetchall()
    ) == [(2, "not recorded"), (3, "SLT")]
    notes = " ".join(report.notes)
    assert "'Class Teacher' read as teacher" in notes
    assert "'Art & Design, Music' read as" in notes
    assert "Smith" not in repr(data_tables(tiny))


def test_a_fuzzy_reading_is_asked_once_then_remembered(tiny, admin, tmp_path) -> None:
    _write(tmp_path, "staff.csv", STAFF + "X1,A,Deputy Haed,\nX2,A,Deputy Haed,\n")
    before = data_tables(tiny)
    report = import_paths(tiny, [tmp_path], admin, today=TINY_TODAY)
    assert not report.ok and data_tables(tiny) == before
    assert report.problem_count == 1  # one line for the value, not one per row
    [q] = report.questions
    assert (q["kind"], q["value"], q["suggestion"], q["rows"]) == (
        "role",
        "Deputy Haed",
        "senior leader",
        2,
    )
    assert "needs confirmation" in report.problems[0].message
    confirm(tiny, admin, "role", "Deputy Haed", "senior leader")
    report = import_paths(tiny, [tmp_path], admin, today=TINY_TODAY)
    assert report.ok, [str(p) for p in report.problems]
    with pytest.raises(ValidationError, match="already mapped to senior leader"):
        confirm(tiny, admin, "role", "deputy haed", "headteacher")


def test_an_unplaceable_value_is_one_line_with_the_nearest_choices(tiny, admin, tmp_path) -> None:
    _write(tmp_path, "staff.csv", STAFF + "X1,A,Astronaut,\nX2,A,Astronaut,\n")
    report = import_paths(tiny, [tmp_path], admin, today=TINY_TODAY)
    assert report.problem_count == 1
    [p] = report.problems
    assert (p.line, p.column, p.value) == (2, "role", "Astronaut")
    assert "nearest:" in p.message and "2 rows" in p.message


def test_a_fuzzy_skill_is_asked_not_applied(tiny, admin, tmp_path) -> None:
    _write(
        tmp_path,
        "evidence.csv",
        EVIDENCE + "A2,Retreival practise,observation,good,2026-10-01,SLT\n",
    )
    report = import_paths(tiny, [tmp_path], admin, today=TINY_TODAY)
    assert not report.ok
    [q] = report.questions
    assert q["kind"] == "skill" and q["suggestion"] == "Retrieval practice"


def test_values_cli_json_is_pinned(capsys, tiny_db) -> None:
    import json

    from brokering.cli import main

    assert (
        main(
            [
                "--db",
                str(tiny_db),
                "values",
                "confirm",
                "role",
                "Deputy Haed",
                "senior leader",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == {
        "ok": True,
        "kind": "role",
        "words": "Deputy Haed",
        "value": "senior leader",
    }
    assert main(["--db", str(tiny_db), "values", "list", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [set(m) for m in out["maps"]] == [
        {"kind", "raw", "value", "confirmed_by", "confirmed_at"}
    ]
    assert main(["--db", str(tiny_db), "values", "confirm", "role", "deputy haed", "teacher"]) == 1
    assert "already mapped" in capsys.readouterr().err
    assert (
        main(["--db", str(tiny_db), "values", "confirm", "skill", "Maths teaching", "Nonsense"])
        == 1
    )
    assert "not a skill" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "phase"),
    [
        ("Middle deemed secondary", "middle"),
        ("Middle deemed primary", "middle"),
        ("All-through", "all-through"),
        ("16 plus", "16 plus"),
        ("Pupil referral unit", "alternative provision"),
        ("Infant", "primary"),
    ],
)
def test_school_phases_as_the_register_writes_them(text: str, phase: str) -> None:
    assert sw.read_school_phase(text).value == phase


def test_not_applicable_phase_is_not_guessed() -> None:
    assert sw.read_school_phase("Not applicable").how in ("unknown", "fuzzy")


def test_two_digit_years_pivot_at_1970() -> None:
    assert parse_date("26/9/25")[0] == date(2025, 9, 26)
    assert parse_date("31/12/98")[0] == date(1998, 12, 31)
    assert parse_date("1 Jan 69")[0] == date(2069, 1, 1)
