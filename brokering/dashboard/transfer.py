# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Transfer evidence: headline figures with change since the previous term, and the trend
by term. Each is a SQL group-by over the derived facts (`facts.facts`), the distinct people
the viewer cannot see counted beside every figure; suppressed before it leaves here. The
charts' outcome tables are in `outcomes` (re-exported here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from brokering.dashboard import flows
from brokering.dashboard.facts import (
    ALLIANCE,
    FINAL,
    Facts,
    Scope,
    facts,
    scoped,
    unseen_sql,
)
from brokering.dashboard.hiding import guard_areas, guard_terms
from brokering.dashboard.outcomes import (  # noqa: F401 - the dashboard's views, re-exported
    HOUR_BANDS,
    hours_against_outcome,
    outcomes_by,
    ratings_before_after,
)
from brokering.db import Connection, query_df
from brokering.terms import Term, previous_term, term_of, terms_between
from brokering.viewer import Viewer

_FINAL_SQL = ", ".join(f"'{s}'" for s in FINAL)


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
#: Per-period flags kept as bits of one integer per pairing (bit k: period k), so any number
#: of periods costs one pass over the pairings and one group-by over their people.
_FLAGS = {
    # Running on some day of the period: started by its end, not concluded before its start,
    # not merely proposed.
    "active": "p.start_date <= per.e{k} AND p.status <> 'proposed' "
    "AND (p.concluded_on IS NULL OR p.concluded_on >= per.s{k})",
    "concluded": "p.concluded_on BETWEEN per.s{k} AND per.e{k}",
    # Open, past its review date by the period's end (or today, if sooner), no evidence yet.
    "overdue": f"p.status NOT IN ({_FINAL_SQL}) AND p.review_date < per.c{{k}} "
    "AND p.first_evidence IS NULL AND p.start_date <= per.c{k}",
}
_MAX_PERIODS = 60


def _period_figures(
    con: Connection,
    f: Facts,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
    viewer: Viewer | None = None,
) -> list[dict]:
    """The headline figures for each (start, end) period: each a (value, people behind it)
    pair, people counted once however many pairings they are in — with a `viewer`, only the
    people that viewer cannot see (what suppression rests on). Concluded in the period:
    transferred, judged (transferred or not transferred)."""
    return _figures_by_area(con, f, scope, periods, as_of, viewer, by_area=False)[None]


def _figures_by_area(
    con: Connection,
    f: Facts,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
    viewer: Viewer | None = None,
    by_area: bool = True,
    where_values: tuple[str, list[object]] | None = None,
) -> dict[str | None, list[dict]]:
    """`_period_figures` for the scope (key None) and, with `by_area`, for each skill area
    within the scope's school (the scope's own area is not applied) — in one pass.
    `where_values`: the pairings to count instead of the scope's (`facts.outside`)."""
    if not 0 < len(periods) <= _MAX_PERIODS:
        raise ValueError(f"between 1 and {_MAX_PERIODS} periods")
    where, values = where_values or scoped(f, Scope(scope.school_id) if by_area else scope)
    unseen, unseen_params = unseen_sql(viewer, "m") if viewer is not None else ("TRUE", [])
    sets = "GROUPING SETS ((area), ())" if by_area else "()"
    ks = range(len(periods))
    bounds = ", ".join(f"?::DATE AS s{k}, ?::DATE AS e{k}, ?::DATE AS c{k}" for k in ks)
    dates = [v for s, e in periods for v in (s, e, min(e, as_of))]
    masks = ",\n".join(
        " | ".join(f"(CASE WHEN {cond.format(k=k)} THEN {1 << k} ELSE 0 END)" for k in ks)
        + f" AS {flag}"
        for flag, cond in _FLAGS.items()
    )

    def agg(template: str) -> str:
        return ", ".join(template.format(k=k, bit=1 << k) for k in ks)

    sql = f"""
        WITH per AS (SELECT {bounds}),
        m AS (
            SELECT p.pairing_id, p.area, p.hours,
                   date_diff('day', p.start_date, p.first_evidence) AS days,
                   p.status = 'transferred' AS t,
                   p.status IN ('transferred', 'not transferred') AS j,
                   {masks}
            FROM {f.pairings} p, per WHERE {where}
        ), x AS (
            SELECT *, CASE WHEN t THEN concluded ELSE 0 END AS transferred,
                   CASE WHEN j THEN concluded ELSE 0 END AS judged,
                   CASE WHEN j AND NOT t THEN concluded ELSE 0 END AS nt
            FROM m WHERE active | concluded | overdue <> 0
        ), pairs AS (
            SELECT {"area" if by_area else "NULL"} AS area,
                   {agg("count(*) FILTER (WHERE active & {bit} <> 0) AS active_{k}")},
                   {agg("count(*) FILTER (WHERE transferred & {bit} <> 0) AS transferred_{k}")},
                   {agg("count(*) FILTER (WHERE judged & {bit} <> 0) AS judged_{k}")},
                   {agg("count(*) FILTER (WHERE overdue & {bit} <> 0) AS overdue_{k}")},
                   {agg("sum(hours) FILTER (WHERE concluded & {bit} <> 0) AS hours_{k}")},
                   {
        agg("quantile_cont(days, 0.5) FILTER (WHERE transferred & {bit} <> 0) AS median_days_{k}")
    }
            FROM x GROUP BY {sets}
        ), who AS (
            SELECT {"x.area" if by_area else "NULL"} AS area,
                   bit_or(x.active) AS active, bit_or(x.transferred) AS transferred,
                   bit_or(x.judged) AS judged, bit_or(x.nt) AS nt,
                   bit_or(x.concluded) AS concluded,
                   bit_or(x.overdue) AS overdue
            FROM x JOIN {f.people} m USING (pairing_id) WHERE {unseen}
            GROUP BY {
        "GROUPING SETS ((m.staff_ref, x.area), (m.staff_ref))" if by_area else "m.staff_ref"
    }
        ), people AS (
            SELECT area, {
        ", ".join(
            agg(f"count(*) FILTER (WHERE {flag} & {{bit}} <> 0) AS {flag}_people_{{k}}")
            for flag in ("active", "transferred", "judged", "nt", "concluded", "overdue")
        )
    }
            FROM who GROUP BY area
        )
        SELECT * FROM pairs LEFT JOIN people q ON pairs.area IS NOT DISTINCT FROM q.area
    """
    frame = query_df(con, sql, [*dates, *values, *unseen_params])
    if frame.empty:  # no pairing in scope: the whole's figures are all zero
        frame = query_df(
            con, sql.replace("GROUPING SETS ((area), ())", "()"), [*dates, *values, *unseen_params]
        )
    return {
        (None if pd.isna(row["area"]) else str(row["area"])): _figures_of(row, ks)
        for _, row in frame.iterrows()
    }


def _figures_of(row: pd.Series, ks: range) -> list[dict]:
    """One result row's figures, period by period."""

    def n(name: str, k: int) -> int:
        v = row[f"{name}_{k}"]
        return 0 if pd.isna(v) else int(v)

    out = []
    for k in ks:
        median, hours = row[f"median_days_{k}"], row[f"hours_{k}"]
        transferred = n("transferred", k)
        out.append(
            {
                "active": (n("active", k), n("active_people", k)),
                "transferred": (transferred, n("transferred_people", k)),
                "rate": (
                    (transferred / n("judged", k) * 100) if n("judged", k) else None,
                    n("judged_people", k),
                ),
                "median_days": (
                    None if pd.isna(median) else float(median),
                    n("transferred_people", k),
                ),
                "hours_per_transfer": (
                    float(hours) / transferred if transferred else None,
                    n("concluded_people", k),
                ),
                "overdue": (n("overdue", k), n("overdue_people", k)),
                # The totals the rate and the average rest on (not shown on their own).
                "judged": (n("judged", k), n("judged_people", k)),
                # Judged less transferred: the outcomes view shows it on its own.
                "not_transferred": (n("judged", k) - transferred, n("nt_people", k)),
                "hours": (
                    None if pd.isna(hours) else float(hours),
                    n("concluded_people", k),
                ),
            }
        )
    return out


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
    periods = _joint_periods(con, viewer, scope, as_of, [term, before_term])
    figures, shown = _guarded(con, viewer, scope, [(t.start, t.end) for t in periods], as_of)
    at = {t.start: k for k, t in enumerate(periods)}
    now = figures[at[term.start]]
    now_shown, before_shown = shown[at[term.start]], shown[at[before_term.start]]
    out = []
    for key, (label, help_text) in _LABELS.items():
        value, hidden = now_shown[key]
        prev, prev_hidden = before_shown[key]
        out.append(Figure(key, label, value, prev, now[key][1], help_text, hidden, prev_hidden))
    return out


def _span(con: Connection, scope: Scope, as_of: date, terms: int = 6) -> list[Term]:
    """The trend's terms for `scope`: from its first pairing's (at most three years back)
    to `as_of`'s, the last `terms` of them."""
    f = facts(con)
    where, values = scoped(f, scope)
    first = con.execute(
        f"SELECT min(p.start_date) FROM {f.pairings} p WHERE {where}", values
    ).fetchall()[0][0]
    return terms_between(max(first or as_of, date(as_of.year - 3, 1, 1)), as_of)[-terms:]


def _joint_periods(
    con: Connection, viewer: Viewer, scope: Scope, as_of: date, extra: list[Term]
) -> list[Term]:
    """The terms suppressed together: the whole's trend (its school's, all areas) and the term
    before it — every term the page's headline can show, this term's or last term's — and
    `extra`. Terms with no pairings change nothing (nothing in them is hidden or hideable).
    The administrator sees every figure: only `extra` is worked out."""
    span = [] if viewer.sees_everyone else _span(con, Scope(scope.school_id), as_of)
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
    span = _span(con, scope, as_of, terms)
    if not span:
        return pd.DataFrame()
    periods = _joint_periods(con, viewer, scope, as_of, span)
    _, guarded = _guarded(con, viewer, scope, [(t.start, t.end) for t in periods], as_of)
    at = {t.start: k for k, t in enumerate(periods)}
    rows = []
    for term in span:
        shown = guarded[at[term.start]]
        rows.append(
            {
                "term": term.label,
                "start": term.start.isoformat(),
                "pairings active": shown["active"][0],
                "evidenced transfers": shown["transferred"][0],
                "transfer rate (%)": shown["rate"][0],
                "hidden": shown["active"][1] or shown["transferred"][1],
            }
        )
    return pd.DataFrame(rows)


def _guarded(
    con: Connection,
    viewer: Viewer,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
) -> tuple[list[dict], list[dict[str, tuple[float | None, bool]]]]:
    """Each period's figures for the scope, and the same suppressed (`_guarded_views`)."""
    figures, out = _guarded_views(con, viewer, scope, periods, as_of)
    # (The administrator's view of one area is worked out alone, under key None.)
    return figures, [o[scope.area] if scope.area in o else o[None] for o in out]


def _guarded_views(
    con: Connection,
    viewer: Viewer,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
) -> tuple[list[dict], list[dict[str | None, dict[str, tuple[float | None, bool]]]]]:
    """Each period's figures for the scope, and per period the same suppressed for the
    whole (key None) and, for one skill area, every area (`hiding.guard_all`), across the
    periods (`hiding.guard_terms`: what concludes in a term adds up over the terms). For one
    skill area, suppressed with the whole's and every other area's (`hiding.guard_areas`):
    the page offers them all, and the areas add up to the whole — all worked out in one
    pass. For one school, with the alliance's (`school_view.forced`)."""
    from brokering.dashboard import school_view  # it reads the alliance's views from here

    f = facts(con)
    # One school's view: what is hidden for the alliance's view and the flows beside it.
    school = school_view.decide(con, viewer, scope, periods, as_of)
    if scope.area is None or viewer.sees_everyone:
        figures = _period_figures(con, f, scope, periods, as_of, viewer)
        whole = [{None: figs} for figs in figures]
        out = [
            guard_areas({None: figs}, viewer, *school_view.whole(school, k))
            for k, figs in enumerate(figures)
        ]
        return figures, guard_terms(whole, out, viewer)
    by_area = _figures_by_area(con, f, scope, periods, as_of, viewer)
    zero = (
        _period_figures(con, f, scope, periods, as_of, viewer)
        if scope.area not in by_area
        else None
    )
    figures = by_area.get(scope.area) or zero
    # An area's pairings active adds up from its flow matrix (work between schools) and its
    # work within schools: hidden with the matrix where that has nothing else left to hide,
    # shown where the matrix gives it away. Then the terms are guarded together (what
    # concludes in a term adds up over the terms to the counts by status over all time).
    with_flows = flows.area_totals(con, viewer, periods) if school is None else None
    per_period, guarded = [], []
    for k, figs in enumerate(figures):
        this = {area: figs_[k] for area, figs_ in by_area.items()}
        this[scope.area] = figs
        per_period.append(this)
        if school is None:
            hidden, known = with_flows[k]
            forced = {area: ("active",) for area in hidden}
        else:
            forced, known = school[k]
        guarded.append(guard_areas(this, viewer, forced, known))
    return figures, guard_terms(per_period, guarded, viewer)


def current_term(as_of: date | None = None) -> Term:
    return term_of(as_of or date.today())
