"""The school-year calendar (CONTRACT: Terms): term boundaries, half-terms at the midpoint,
previous and next terms, and spans — the one calendar every "this term" figure uses."""

from datetime import date

import pytest

from brokering.terms import (
    Calendar,
    half_term_of,
    next_term,
    previous_term,
    school_year_of,
    term_of,
    terms_between,
)


@pytest.mark.parametrize(
    ("day", "name", "start", "end"),
    [
        (date(2026, 9, 1), "autumn", date(2026, 9, 1), date(2026, 12, 31)),
        (date(2026, 12, 31), "autumn", date(2026, 9, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), "spring", date(2027, 1, 1), date(2027, 3, 31)),
        (date(2027, 3, 31), "spring", date(2027, 1, 1), date(2027, 3, 31)),
        (date(2027, 4, 1), "summer", date(2027, 4, 1), date(2027, 8, 31)),
        (date(2027, 8, 31), "summer", date(2027, 4, 1), date(2027, 8, 31)),
        (date(2028, 2, 29), "spring", date(2028, 1, 1), date(2028, 3, 31)),
    ],
)
def test_term_boundaries(day: date, name: str, start: date, end: date) -> None:
    term = term_of(day)
    assert (term.name, term.start, term.end) == (name, start, end)


def test_school_year_is_named_by_its_autumn() -> None:
    assert school_year_of(date(2026, 8, 31)) == 2025
    assert school_year_of(date(2026, 9, 1)) == 2026
    assert term_of(date(2027, 5, 1)).year_label == "2026/27"
    assert term_of(date(2026, 11, 20)).label == "Autumn 2026"


def test_half_terms_split_at_the_midpoint() -> None:
    first, second = term_of(date(2026, 10, 1)).half_terms()
    assert (first.start, first.end) == (date(2026, 9, 1), date(2026, 10, 31))  # 61 of 122 days
    assert (second.start, second.end) == (date(2026, 11, 1), date(2026, 12, 31))
    spring = term_of(date(2027, 2, 1)).half_terms()  # 90 days: 45 + 45
    assert spring[0].end == date(2027, 2, 14) and spring[1].start == date(2027, 2, 15)
    assert half_term_of(date(2026, 10, 31)).half == 1
    assert half_term_of(date(2026, 11, 1)).label == "Autumn 2026, half 2"


def test_previous_and_next_terms_and_spans() -> None:
    autumn = term_of(date(2026, 11, 20))
    assert previous_term(autumn).label == "Summer 2026"
    assert next_term(autumn).label == "Spring 2027"
    assert [t.label for t in terms_between(date(2026, 3, 1), date(2026, 9, 2))] == [
        "Spring 2026",
        "Summer 2026",
        "Autumn 2026",
    ]
    assert terms_between(date(2026, 9, 2), date(2026, 9, 1)) == []


def test_overlap_of_a_relationship_with_a_term() -> None:
    autumn = term_of(date(2026, 11, 20))
    assert autumn.overlaps(date(2026, 1, 10), None)  # still running
    assert not autumn.overlaps(date(2025, 10, 1), date(2026, 2, 1))  # ended in spring
    assert autumn.overlaps(date(2026, 12, 31), date(2027, 3, 1))
    assert not autumn.overlaps(date(2027, 1, 1), None)


def test_an_alliance_may_set_its_own_dates() -> None:
    cal = Calendar(autumn=(9, 4), spring=(1, 6), summer=(4, 20))
    assert term_of(date(2026, 9, 3), cal).label == "Summer 2026"
    assert term_of(date(2027, 1, 5), cal).end == date(2027, 1, 5)
    assert term_of(date(2027, 1, 6), cal).name == "spring"
