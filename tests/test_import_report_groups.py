"""Identical import problems are grouped (issue 23): one line per kind of mistake with its
count and lines, the largest first; the whole list is held beyond the 500 a report lists."""

from __future__ import annotations

from brokering.importing.problems import ImportReport, Problem, group_problems
from brokering.settings import MAX_REPORTED_PROBLEMS

ROLE = "is not allowed; use one of: teacher, headteacher"


def test_identical_problems_become_one_group_with_their_lines() -> None:
    problems = [
        Problem("staff.csv", n, "role", "Class Teacher", ROLE, f"code C{n}") for n in (7, 4)
    ]
    problems += [Problem("staff.csv", 9, "role", "Caretaker", ROLE)]
    problems += [Problem("staff.csv", n, "role", "Class Teacher", ROLE) for n in range(10, 59)]
    [big, small] = group_problems(problems)
    assert (big.value, big.count, big.lines[:3]) == ("Class Teacher", 51, (4, 7, 10))
    assert str(big) == (
        f"staff.csv, column role: 'Class Teacher' {ROLE} — 51 rows: lines 4, 7, 10, 11, 12, "
        "13, 14, 15, 16, 17, 18, 19, …"
    )
    assert str(small).endswith("'Caretaker' " + ROLE + " — 1 row: line 9")


def test_a_different_file_column_value_or_message_is_another_group() -> None:
    base = Problem("staff.csv", 2, "role", "x", ROLE)
    others = [
        Problem("evidence.csv", 2, "role", "x", ROLE),
        Problem("staff.csv", 2, "phases", "x", ROLE),
        Problem("staff.csv", 2, "role", "y", ROLE),
        Problem("staff.csv", 2, "role", "x", "is empty but required."),
    ]
    assert len(group_problems([base, *others])) == 5


def test_a_whole_file_problem_says_so() -> None:
    [g] = group_problems([Problem("odd.csv", 0, "", "", "is not a table we know.")])
    assert (
        g.where() == "the whole file"
        and str(g) == "odd.csv, is not a table we know. — the whole file"
    )


def test_the_report_holds_every_problem_and_lists_500() -> None:
    report = ImportReport()
    for n in range(1, 1201):
        report.add(Problem("staff.csv", n + 1, "capacity_hours", "lots", "is not a number"))
    assert report.problem_count == 1200 and len(report.problems) == 1200
    assert len(report.shown) == MAX_REPORTED_PROBLEMS and report.more_than_shown
    assert len(report.to_dict()["problems"]) == MAX_REPORTED_PROBLEMS
    [g] = report.grouped()
    assert g.count == 1200
