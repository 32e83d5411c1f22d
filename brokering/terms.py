"""The school-year calendar: terms and half-terms, in one module (CONTRACT: Terms).

Why one module: "this term" decides how much coaching capacity a person has left, and
"previous term" and trends decide what dashboards compare. If each feature cut the year its
own way, a coach could be full on one page and free on another.

The default year runs autumn (1 Sep-31 Dec), spring (1 Jan-31 Mar) and summer (1 Apr-31 Aug).
Each term splits into two half-terms at its midpoint: the first half has `days // 2` days and
the second half the rest, so autumn's first half ends on 31 October. An alliance with its own
dates passes a `Calendar` with other start days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

TERM_NAMES = ("autumn", "spring", "summer")


@dataclass(frozen=True)
class Calendar:
    """Start (month, day) of each term, in school-year order; a term ends the day before the
    next one starts. The school year is named after the calendar year its autumn starts in."""

    autumn: tuple[int, int] = (9, 1)
    spring: tuple[int, int] = (1, 1)
    summer: tuple[int, int] = (4, 1)
    #: Days the schools are shut on weekdays (holidays, training days): (first, last) spans.
    closures: tuple[tuple[date, date], ...] = ()

    def starts(self, school_year: int) -> list[tuple[str, date]]:
        """(term name, first day) for one school year, plus the next year's autumn start."""
        return [
            ("autumn", date(school_year, *self.autumn)),
            ("spring", date(school_year + 1, *self.spring)),
            ("summer", date(school_year + 1, *self.summer)),
            ("next", date(school_year + 1, *self.autumn)),
        ]


DEFAULT_CALENDAR = Calendar()


@dataclass(frozen=True, order=True)
class Term:
    """One term: its first and last day (both inclusive)."""

    start: date
    end: date
    name: str
    school_year: int

    @property
    def label(self) -> str:
        """ "Autumn 2026", "Spring 2027": the calendar year the term falls in."""
        return f"{self.name.capitalize()} {self.start.year}"

    @property
    def year_label(self) -> str:
        """ "2026/27": the school year, as schools write it."""
        return f"{self.school_year}/{(self.school_year + 1) % 100:02d}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, start: date, end: date | None) -> bool:
        """Whether a span (end None = still running) is active on any day of this term."""
        return start <= self.end and (end is None or end >= self.start)

    def half_terms(self) -> tuple[HalfTerm, HalfTerm]:
        split = self.start + timedelta(days=self.days // 2)
        return (
            HalfTerm(self.start, split - timedelta(days=1), self, 1),
            HalfTerm(split, self.end, self, 2),
        )


@dataclass(frozen=True, order=True)
class HalfTerm:
    start: date
    end: date
    term: Term
    half: int

    @property
    def label(self) -> str:
        return f"{self.term.label}, half {self.half}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def school_year_of(day: date, calendar: Calendar = DEFAULT_CALENDAR) -> int:
    """The school year a day falls in, named by the year its autumn term starts."""
    return day.year if day >= date(day.year, *calendar.autumn) else day.year - 1


def terms_of_year(school_year: int, calendar: Calendar = DEFAULT_CALENDAR) -> list[Term]:
    starts = calendar.starts(school_year)
    return [
        Term(start, nxt - timedelta(days=1), name, school_year)
        for (name, start), (_, nxt) in zip(starts, starts[1:], strict=False)
    ]


def term_of(day: date, calendar: Calendar = DEFAULT_CALENDAR) -> Term:
    """The term containing `day` ("this term" when `day` is today)."""
    for term in terms_of_year(school_year_of(day, calendar), calendar):
        if term.contains(day):
            return term
    raise AssertionError(f"{day} fell outside every term")  # pragma: no cover - calendar bug


def half_term_of(day: date, calendar: Calendar = DEFAULT_CALENDAR) -> HalfTerm:
    first, second = term_of(day, calendar).half_terms()
    return first if first.contains(day) else second


def previous_term(term: Term, calendar: Calendar = DEFAULT_CALENDAR) -> Term:
    return term_of(term.start - timedelta(days=1), calendar)


def next_term(term: Term, calendar: Calendar = DEFAULT_CALENDAR) -> Term:
    return term_of(term.end + timedelta(days=1), calendar)


def terms_between(first: date, last: date, calendar: Calendar = DEFAULT_CALENDAR) -> list[Term]:
    """Every term touching the span first..last, oldest first (for trends)."""
    if last < first:
        return []
    out = [term_of(first, calendar)]
    while out[-1].end < last:
        out.append(next_term(out[-1], calendar))
    return out


def is_school_day(day: date, calendar: Calendar = DEFAULT_CALENDAR) -> bool:
    """A weekday on which the schools are open (not inside one of the calendar's closures)."""
    return day.weekday() < 5 and not any(a <= day <= b for a, b in calendar.closures)


def add_school_days(start: date, days: int, calendar: Calendar = DEFAULT_CALENDAR) -> date:
    """The `days`-th school day after `start` (start itself not counted): reply-by dates are
    counted in school days, so a request sent on a Friday before a closure is not lapsed by
    the time the school reopens."""
    if days < 0:
        raise ValueError("Count school days forward only.")
    day, left = start, days
    while left:
        day += timedelta(days=1)
        left -= is_school_day(day, calendar)
    return day


def school_days_between(first: date, last: date, calendar: Calendar = DEFAULT_CALENDAR) -> int:
    """School days after `first` up to and including `last` (0 when last <= first)."""
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_school_day(day, calendar)
    return count
