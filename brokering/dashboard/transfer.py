# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Transfer evidence: headline figures with change since the previous term, and the trend
by term. Each is a SQL group-by over the derived facts (`facts.facts`), the distinct people
the viewer cannot see counted beside every figure; suppressed before it leaves here. The
charts' outcome tables are in `outcomes` (re-exported here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from brokering.dashboard import flows, unlisted
from brokering.dashboard.facts import (
    ALLIANCE,
    Facts,
    Scope,
    facts,
    scoped,
)
from brokering.dashboard.hiding import guard_areas, guard_terms
from brokering.dashboard.hours import hours_against_outcome  # noqa: F401 - re-exported
from brokering.dashboard.outcomes import (  # noqa: F401 - the dashboard's views, re-exported
    HOUR_BANDS,
    outcomes_by,
)
from brokering.dashboard.ratings import ratings_before_after  # noqa: F401 - re-exported
from brokering.dashboard.transfer_figures import figures_by_area, figures_of, period_figures
from brokering.db import Connection, alongside
from brokering.terms import Term, previous_term, term_of, terms_between
from brokering.viewer import Viewer


@dataclass(frozen=True)
class Figure:
    """A headline number, the same number for the previous term, and the people behind it
    the viewer cannot see (what hiding it rests on)."""

    key: str
    label: str
    value: float | None
    previous: float | None
    people: int
    help: str
    #: True when the figure exists but is hidden (too few people, or it would give a hidden
    #: figure away): drawn as "fewer than 3", never as 0 or a blank.
    hidden: bool = False
    previous_hidden: bool = False

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def direction(self) -> str:
        """How a change arrow is coloured: neutral ("off") at no change; for figures where
        lower is better (overdue, days, hours), a fall is good ("inverse")."""
        if not self.change:
            return "off"
        return "inverse" if self.key in LOWER_IS_BETTER else "normal"


#: Figures for which a fall is an improvement.
LOWER_IS_BETTER = frozenset({"overdue", "median_days", "hours_per_transfer"})
_LABELS = {
    "active": ("Pairings active", "Pairings running at some point in the term."),
    "transferred": (
        "Evidenced transfers",
        "Pairings whose recipient was seen doing the "
        "practice by someone else, after the start, concluded this term.",
    ),
    "rate": (
        "Transfer rate (%)",
        "Evidenced transfers as a share of pairings judged this "
        "term (transferred or not transferred).",
    ),
    "median_days": (
        "Median days to evidence",
        "From the start of the pairing to the first qualifying observation.",
    ),
    "hours_per_transfer": (
        "Hours per evidenced transfer",
        "Hours logged plus cover and "
        "travel, over pairings concluded this term, per evidenced transfer.",
    ),
    "overdue": (
        "Overdue reviews",
        "Open pairings past their review date with no transfer evidence yet.",
    ),
}


def headline(
    con: Connection, viewer: Viewer, term: Term, scope: Scope = ALLIANCE, as_of: date | None = None
) -> list[Figure]:
    """The six headline figures for a term beside the previous term's — suppressed with the
    trend's terms (`hiding.guard_terms`), so no term's figure differs between the two."""
    as_of = as_of or date.today()
    before_term = previous_term(term)
    f = facts(con)  # once: each look at whether the facts are current costs a query
    periods = _joint_periods(con, viewer, scope, as_of, [term, before_term], f)
    figures, shown = _guarded(con, viewer, scope, [(t.start, t.end) for t in periods], as_of, f)
    at = {t.start: k for k, t in enumerate(periods)}
    now = figures[at[term.start]]
    now_shown, before_shown = shown[at[term.start]], shown[at[before_term.start]]
    out = []
    for key, (label, help_text) in _LABELS.items():
        value, hidden = now_shown[key]
        prev, prev_hidden = before_shown[key]
        out.append(Figure(key, label, value, prev, now[key][1], help_text, hidden, prev_hidden))
    return out


def _span(
    con: Connection, scope: Scope, as_of: date, terms: int = 6, f: Facts | None = None
) -> list[Term]:
    """The trend's terms for `scope`: from its first pairing's (at most three years back)
    to `as_of`'s, the last `terms` of them."""
    f = f or facts(con)
    where, values = scoped(f, scope)
    first = con.execute(
        f"SELECT min(p.start_date) FROM {f.pairings} p WHERE {where}", values
    ).fetchall()[0][0]
    return terms_between(max(first or as_of, date(as_of.year - 3, 1, 1)), as_of)[-terms:]


def _joint_periods(
    con: Connection,
    viewer: Viewer,
    scope: Scope,
    as_of: date,
    extra: list[Term],
    f: Facts | None = None,
) -> list[Term]:
    """The terms suppressed together: the whole's trend (its school's, all areas) and the term
    before it — every term the page's headline can show, this term's or last term's — and
    `extra`. Terms with no pairings change nothing (nothing in them is hidden or hideable).
    The administrator sees every figure: only `extra` is worked out."""
    span = [] if viewer.sees_everyone else _span(con, Scope(scope.school_id), as_of, f=f)
    terms = [*([previous_term(span[0])] if span else []), *span, *extra]
    return sorted({t.start: t for t in terms}.values(), key=lambda t: t.start)


def trend_by_term(
    con: Connection,
    viewer: Viewer,
    scope: Scope = ALLIANCE,
    as_of: date | None = None,
    terms: int = 6,
) -> pd.DataFrame:
    """Per term: pairings active, evidenced transfers and the transfer rate."""
    as_of = as_of or date.today()
    f = facts(con)  # once: each look at whether the facts are current costs a query
    span = _span(con, scope, as_of, terms, f)
    if not span:
        return pd.DataFrame()
    periods = _joint_periods(con, viewer, scope, as_of, span, f)
    _, guarded = _guarded(con, viewer, scope, [(t.start, t.end) for t in periods], as_of, f)
    at = {t.start: k for k, t in enumerate(periods)}
    return pd.DataFrame([trend_row(term, guarded[at[term.start]]) for term in span])


def trend_row(term: Term, shown: dict) -> dict:
    """One term of the trend from its suppressed figures (a hidden figure None: the line's
    gap, marked as one)."""
    return {
        "term": term.label,
        "start": term.start.isoformat(),
        "pairings active": shown["active"][0],
        "evidenced transfers": shown["transferred"][0],
        "transfer rate (%)": shown["rate"][0],
        "hidden": shown["active"][1] or shown["transferred"][1],
    }


def _guarded(
    con: Connection,
    viewer: Viewer,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
    f: Facts,
) -> tuple[list[dict], list[dict[str, tuple[float | None, bool]]]]:
    """Each period's figures for the scope, and the same suppressed (`_guarded_views`)."""
    figures, out = _guarded_views(con, viewer, scope, periods, as_of, f)
    # (The administrator's view of one area is worked out alone, under key None.)
    return figures, [o[scope.area] if scope.area in o else o[None] for o in out]


def _guarded_views(
    con: Connection,
    viewer: Viewer,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
    f: Facts | None = None,
    given: dict[str | None, list[dict]] | None = None,
    given_rest: tuple[unlisted.Forced, unlisted.Listed] | None = None,
    flows_too: bool = True,
    cover: bool = True,
) -> tuple[list[dict], list[dict[str | None, dict[str, tuple[float | None, bool]]]]]:
    """Each period's figures for the scope, and per period the same suppressed for the
    whole (key None) and, for one skill area, every area (`hiding.guard_all`), across the
    periods (`hiding.guard_terms`: what concludes in a term adds up over the terms). For one
    skill area, suppressed with the whole's and every other area's (`hiding.guard_areas`):
    the page offers them all, and the areas add up to the whole — all worked out in one
    pass. For one school, with the alliance's (`school_view.decide`). `given`: the
    alliance's figures by area (`figures_by_area`), already read; `given_rest`: with them,
    `unlisted.forced` and `listed_of` by area, read in the same pass
    (`unlisted.split_and_forced`). What the viewer can count from their pairings page alone
    is never a cover (`unlisted.listed_of`). Not `flows_too`: the alliance's areas (or a
    school's view) without their flow matrices, which decide only pairings active (for a
    caller that reads no more: `hours_cover.areas_unshown`, `school_hours`). The alliance's
    views with the outcomes a governor's counts by status hide as cover hidden in a term too
    (`counts_cover`; not `cover`: as before it, which that rule weighs)."""
    from brokering.dashboard import school_view  # it reads the alliance's views from here

    f = f or facts(con)  # once: each look at whether the facts are current costs a query
    # One school's view: what is hidden for the alliance's view and the flows beside it.
    decided = school_view.decide(con, viewer, scope, periods, as_of, flows_too)
    school, mine = decided or (None, None)
    alliance = cover and school is None and scope.school_id is None
    # The alliance's figures: hidden too where what the viewer cannot list rests on few (a
    # school's view weighs the alliance's as they are shown: school_view), counted in the
    # figures' own pass (`unlisted.figures_and_forced`).
    rest: unlisted.Forced = [{} for _ in periods]
    listed: unlisted.Listed = [set() for _ in periods]
    if scope.area is None or viewer.sees_everyone:
        if mine is not None:  # the school's figures, read beside the alliance's
            figures = mine[None]
        elif scope.school_id is None and scope.area is None:
            whole_, rest, listed = unlisted.figures_and_forced(
                con, f, scope, periods, as_of, viewer, False
            )
            figures = whole_[None]
        else:
            figures = period_figures(con, f, scope, periods, as_of, viewer)
        whole = [{None: figs} for figs in figures]
        out = []
        for k, figs in enumerate(figures):
            forced, known = school_view.whole(school, k)
            out.append(guard_areas({None: figs}, viewer, unlisted.merged(forced, rest[k]), known))
        # A school's whole the viewer works out (`hiding.outside`'s known) is no cover.
        sure = listed if school is None else [{x for x in kn if _whole(x)} for _, kn in school]
        shown = guard_terms(whole, out, viewer, sure)
        return figures, _counts_cover(con, viewer, as_of, whole, shown, sure, alliance)

    # An area's pairings active adds up from its flow matrix (work between schools) and its
    # work within schools: hidden with the matrix where that has nothing else left to hide,
    # shown where the matrix gives it away (for the alliance's view, worked out beside the
    # figures' own query). Then the terms are guarded together (what concludes in a term
    # adds up over the terms to the counts by status over all time).
    def by_areas() -> dict[str | None, list[dict]]:
        if given is not None and scope.school_id is None:
            return dict(given)
        if mine is not None:
            return dict(mine)
        return figures_by_area(con, f, scope, periods, as_of, viewer)

    if school is None and given is None:  # the figures and what is unlisted, in one pass

        def figures_and_rest() -> tuple[dict, unlisted.Forced, unlisted.Listed]:
            return unlisted.figures_and_forced(con, f, scope, periods, as_of, viewer, True)

        def looks(cursor: Connection) -> list:
            return flows.area_totals(cursor, viewer, periods, f)

        if flows_too:
            (by_area, rest, listed), with_flows = alongside(con, looks, figures_and_rest)
        else:
            (by_area, rest, listed), with_flows = (
                figures_and_rest(),
                flows.unweighed(periods),
            )
    elif school is None:  # the figures given, and what is unlisted read in their pass
        if given_rest is None:
            raise ValueError("the figures are given with what is unlisted beside them")
        by_area, rest, listed = by_areas(), *given_rest
        with_flows = (
            flows.area_totals(con, viewer, periods, f) if flows_too else flows.unweighed(periods)
        )
    else:
        by_area, with_flows = by_areas(), None
    if scope.area not in by_area:  # no pairing in the area: its figures are all zero
        # A school's figures list every area with a pairing counted in one of the periods
        # (`school_view._periods`): one left out has none, so its zeros need no second pass
        # over every pairing (about a tenth of the head's School filter headline's CPU for
        # one area at national scale).
        by_area[scope.area] = (
            figures_of({}, range(len(periods)))
            if mine is not None
            else period_figures(con, f, scope, periods, as_of, viewer)
        )
    figures = by_area[scope.area]
    per_period, guarded = [], []
    for k, figs in enumerate(figures):
        this = {area: figs_[k] for area, figs_ in by_area.items()}
        this[scope.area] = figs
        per_period.append(this)
        if school is None:
            hidden, known = with_flows[k]
            known = known | listed[k]
            forced = unlisted.merged({area: ("active",) for area in hidden}, rest[k])
        else:
            forced, known = school[k]
        guarded.append(guard_areas(this, viewer, forced, known))
    known = listed if school is None else [k for _, k in school]
    shown = guard_terms(per_period, guarded, viewer, known)
    return figures, _counts_cover(con, viewer, as_of, per_period, shown, known, alliance)


def _counts_cover(
    con: Connection,
    viewer: Viewer,
    as_of: date,
    figs: list[dict],
    shown: list[dict],
    known: list | None,
    alliance: bool,
) -> list[dict]:
    """The alliance's views (`alliance`) with the outcomes a governor's counts by status
    hide as cover hidden in a term too (`counts_cover.hidden_too`); a school's view weighs
    the alliance's as shown."""
    if not alliance or not viewer.aggregate_only:
        return shown
    from brokering.dashboard import counts_cover  # it weighs the headline from here

    outcomes = counts_cover.charted_cover(con, viewer, as_of)
    return counts_cover.hidden_too(figs, shown, viewer, outcomes, known) if outcomes else shown


def _whole(known: object) -> bool:
    """A school's decision about its whole (None, or (None, key)), not one of its areas."""
    return known is None or (isinstance(known, tuple) and known[0] is None)


def current_term(as_of: date | None = None) -> Term:
    return term_of(as_of or date.today())
