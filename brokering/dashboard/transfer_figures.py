# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""The Transfer page's figures per period, before suppression: one pass over the derived
facts for any number of periods (each figure a (value, people behind it) pair, people
counted once however many pairings they are in). Why a module of its own: the headline,
the trend and a school's view (`school_view`) all read them, and `transfer` suppresses."""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering.dashboard import figure_sets
from brokering.dashboard.facts import FINAL_SQL, Facts, Scope, scoped, unseen_sql
from brokering.db import Connection, query_arrays
from brokering.viewer import Viewer

#: Per-period flags kept as bits of one integer per pairing (bit k: period k), so any number
#: of periods costs one pass over the pairings and one group-by over their people.
FLAGS = {
    # Running on some day of the period: started by its end, not concluded before its start,
    # not merely proposed.
    "active": "p.start_date <= per.e{k} AND p.status <> 'proposed' "
    "AND (p.concluded_on IS NULL OR p.concluded_on >= per.s{k})",
    "concluded": "p.concluded_on BETWEEN per.s{k} AND per.e{k}",
    # Open, past its review date by the period's end (or today, if sooner), no evidence yet.
    "overdue": f"p.status NOT IN ({FINAL_SQL}) AND p.review_date < per.c{{k}} "
    "AND p.first_evidence IS NULL AND p.start_date <= per.c{k}",
}
MAX_PERIODS = 60
#: A pairing every participant of which the viewer cannot see: as many of its people unseen
#: (`un.n`, counted in `_rows`) as it has (`people`, the facts' count of its participants).
_ALL_UNSEEN = "coalesce(un.n = p.people, FALSE)"
#: `figures_split`'s parts of the rest (the pairings off the viewer's pairings page): all
#: of it, and apart with and without someone from the school.
REST_PARTS = {None: "rest", True: "rest_in", False: "rest_out"}


def period_figures(
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
    return figures_by_area(con, f, scope, periods, as_of, viewer, by_area=False)[None]


def figures_by_area(
    con: Connection,
    f: Facts,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
    viewer: Viewer | None = None,
    by_area: bool = True,
    where_values: tuple[str, list[object]] | None = None,
) -> dict[str | None, list[dict]]:
    """`period_figures` for the scope (key None) and, with `by_area`, for each skill area
    within the scope's school (the scope's own area is not applied) — in one pass.
    `where_values`: the pairings to count instead of the scope's (`facts.outside`)."""
    if not 0 < len(periods) <= MAX_PERIODS:
        raise ValueError(f"between 1 and {MAX_PERIODS} periods")
    where, values = where_values or scoped(f, Scope(scope.school_id) if by_area else scope)
    rows = _rows(con, f, where, values, periods, as_of, viewer, by_area)
    return {
        (None if pd.isna(row["area"]) else str(row["area"])): figures_of(row, range(len(periods)))
        for row in rows
    }


def figures_parted(
    con: Connection,
    f: Facts,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
    viewer: Viewer,
    by_area: bool,
) -> dict[bool | None, dict[str | None, list[dict]]]:
    """`figures_by_area` (key None) and the same for the pairings every participant of which
    the viewer cannot see (True: those `unlisted.unlisted_where` keeps) and the rest
    (False), in one pass — a second pass over a WHERE would read every pairing again
    (`unlisted`). Which pairings those are is told as `figures_split`'s rest is: the people
    the viewer cannot see counted per pairing, as many as its people — not by weighing
    every participant (a third less of the head's one-area headline's pass at national
    scale). The whole (area None) is always there under key None."""
    if not 0 < len(periods) <= MAX_PERIODS:
        raise ValueError(f"between 1 and {MAX_PERIODS} periods")
    where, values = scoped(f, Scope(scope.school_id) if by_area else scope)
    split = (_ALL_UNSEEN, [])
    rows = _rows(con, f, where, values, periods, as_of, viewer, by_area, split, count_unseen=True)
    ks = range(len(periods))
    out: dict[bool | None, dict[str | None, list[dict]]] = {None: {}, True: {}, False: {}}
    for row in rows:
        area = None if pd.isna(row["area"]) else str(row["area"])
        touch = None if pd.isna(row["touch"]) else bool(row["touch"])
        out[touch][area] = figures_of(row, ks)
    if None not in out[None]:  # no pairing counted: the whole's figures are all zero
        out[None][None] = figures_of({}, ks)
    return out


def figures_split(
    con: Connection,
    f: Facts,
    school_id: str,
    periods: list[tuple[date, date]],
    as_of: date,
    viewer: Viewer | None = None,
    rest: bool = False,
) -> dict[bool | str | None, tuple[dict[str | None, list[dict]], dict[str | None, int]]]:
    """`figures_by_area` for the whole alliance (key None), the pairings with a participant
    from `school_id` (True: `facts.scoped`'s school) and those without (False:
    `facts.outside`), in one pass — a school's view of the Transfer page weighs all three.
    Each: (area -> figures, area -> the periods with a pairing counted there, bit k for
    period k: an area a call for fewer periods would list only where one of its bits is
    set). The whole (area None) is always there. With `rest` and a `viewer`, also the
    pairings every participant of which the viewer cannot see (key "rest": the pairings
    `unlisted.unlisted_where` keeps; areas with none are left out; "rest_in" and "rest_out":
    those with and without someone from the school), in the same pass — the alliance's view
    beside the school's weighs them, and the school's its two parts; a second pass for them
    cost the head's School filter headline a tenth more CPU at national scale."""
    if not 0 < len(periods) <= MAX_PERIODS:
        raise ValueError(f"between 1 and {MAX_PERIODS} periods")
    touch = f"p.pairing_id IN (SELECT pairing_id FROM {f.people} WHERE school_id = ?)"
    split = (touch, [school_id])
    rows = _rows(con, f, "TRUE", [], periods, as_of, viewer, True, split, rest, few_touch=True)
    ks = range(len(periods))
    out: dict[bool | str | None, tuple[dict, dict]] = {
        None: ({}, {}),
        True: ({}, {}),
        False: ({}, {}),
        **({part: ({}, {}) for part in REST_PARTS.values()} if rest else {}),
    }
    for row in rows:
        area = None if pd.isna(row["area"]) else str(row["area"])
        touch = None if pd.isna(row["touch"]) else bool(row["touch"])
        part = REST_PARTS[touch] if row.get("rest") else touch
        out[part][0][area] = figures_of(row, ks)
        out[part][1][area] = 0 if pd.isna(row["seen"]) else int(row["seen"])
    for part, (figures, seen) in out.items():
        if None not in figures and part not in REST_PARTS.values():  # nothing counted: zero
            figures[None] = figures_of({}, ks)
            seen[None] = 0
    return out


def _rows(
    con: Connection,
    f: Facts,
    where: str,
    values: list[object],
    periods: list[tuple[date, date]],
    as_of: date,
    viewer: Viewer | None,
    by_area: bool,
    split: tuple[str, list[object]] | None = None,
    rest: bool = False,
    count_unseen: bool = False,
    few_touch: bool = False,
) -> list[dict]:
    """The figures' result rows (`figures_by_area`); with `split` (a SQL truth value over
    the pairing `p`, and its parameters), grouped by it too (column touch: NULL for both),
    each with `seen`: the periods with a pairing counted (bit k for period k); with `rest`
    (with `split` and `by_area` only), the same over the pairings every participant of
    which the viewer cannot see, apart (column rest TRUE, touch NULL; NULL elsewhere).
    Why these so: which pairings those are is counted from the people the viewer cannot see
    alone (as many as the pairing's people: `np` in `facts`), not by weighing every
    participant; so their people are those the viewer cannot see, joined once for both.
    `count_unseen` (implied by `rest`): each pairing's people the viewer cannot see are
    counted (`un.n`, for `split` to name: `_ALL_UNSEEN`). `few_touch` (with `split` of a
    few pairings: a school's, `figures_split`): the people grouped by touch only over those
    in a pairing with touch (`_who_sql`).
    Why one grouped read and numpy: the pairings are grouped once by kind in SQL (their
    flags; the transferred ones by their days; the people by their flags) and the grouping
    sets summed from those few thousand rows (`figure_sets`) — as a dozen grouping-set
    aggregates over every pairing, each re-reading them, they were most of the School
    filter headline's time at national scale."""
    if rest and (split is None or not by_area):
        raise ValueError("rest is grouped beside a split by area only")
    unseen, unseen_params = (
        unseen_sql(viewer, "m", listed=True) if viewer is not None else ("TRUE", [])
    )
    touch, touch_values = split if split is not None else ("NULL::BOOLEAN", [])
    sets: list[tuple[str, ...]] = [("area",), ()] if by_area else [()]
    if split is not None:
        sets = sets + [("touch", *s) for s in sets]
    area = "area" if by_area else "NULL::VARCHAR"
    rest_sql = _ALL_UNSEEN if rest else "NULL::BOOLEAN"
    # With the rest: each pairing's people the viewer cannot see, counted.
    pre, pairings = "", f"{f.pairings} p"
    if rest or count_unseen:
        pre = "un AS (SELECT pairing_id, count(*) AS n FROM u GROUP BY pairing_id),"
        pairings = f"{f.pairings} p LEFT JOIN un ON un.pairing_id = p.pairing_id"
    ks = range(len(periods))
    bounds = ", ".join(f"?::DATE AS s{k}, ?::DATE AS e{k}, ?::DATE AS c{k}" for k in ks)
    dates = [v for s, e in periods for v in (s, e, min(e, as_of))]
    masks = ",\n".join(
        " | ".join(f"(CASE WHEN {cond.format(k=k)} THEN {1 << k} ELSE 0 END)" for k in ks)
        + f" AS {flag}"
        for flag, cond in FLAGS.items()
    )
    words, packed = _packed(len(periods))
    w_cols = ", ".join(f"w{i}" for i in range(len(words)))
    no_w = ", ".join(f"NULL::BIGINT AS w{i}" for i in range(len(words)))
    # The people's grouping sets: the same, each with the person.
    t = "touch" if split is not None else "NULL::BOOLEAN"
    few_touch = few_touch and split is not None
    who = _who_sql(sets, area, t, len(words), rest, few_touch)
    sql = f"""
        WITH per AS (SELECT {bounds}),
        u AS (SELECT m.pairing_id, m.staff_ref FROM {f.people} m WHERE {unseen}), {pre}
        m AS (
            SELECT p.pairing_id, p.area, p.hours,
                   date_diff('day', p.start_date, p.first_evidence) AS days,
                   p.status = 'transferred' AS t,
                   p.status IN ('transferred', 'not transferred') AS j,
                   {touch} AS touch, {rest_sql} AS rest, {masks}
            FROM {pairings}, per WHERE {where}
        ), x AS (
            SELECT *, CASE WHEN t THEN concluded ELSE 0 END AS transferred,
                   CASE WHEN j THEN concluded ELSE 0 END AS judged,
                   CASE WHEN j AND NOT t THEN concluded ELSE 0 END AS nt
            FROM m WHERE active | concluded | overdue <> 0
        ), xu AS (
            SELECT x.area, x.touch, x.rest, u.staff_ref,
                   {", ".join(f"{word} AS w{i}" for i, word in enumerate(words))}
            FROM x JOIN u USING (pairing_id)
        ), who AS ({who})
        SELECT 0 AS part, {area} AS area, touch, rest, active AS a, concluded AS b,
               t::INTEGER + 2 * j::INTEGER AS c, overdue AS d, NULL::BIGINT AS days,
               count(*) AS n, sum(hours) AS hours, {no_w}
        FROM x GROUP BY ALL
        UNION ALL
        SELECT 1, {area}, touch, rest, transferred, 0, 0, 0, days, count(*), NULL, {no_w}
        FROM x WHERE transferred <> 0 GROUP BY ALL
        UNION ALL
        SELECT CASE WHEN sub THEN 4 ELSE 2 END, area, touch, rest, 0, 0, 0, 0, NULL, count(*),
               NULL, {w_cols}
        FROM who GROUP BY ALL
    """
    params = [*dates, *unseen_params, *touch_values, *values]
    cols = query_arrays(con, sql, params)
    return figure_sets.rows_of(cols, len(periods), sets, rest, packed, few_touch)


def _who_sql(
    sets: list[tuple[str, ...]], area: str, t: str, n_words: int, rest: bool, few_touch: bool
) -> str:
    """The people's grouping sets (`xu`: one row per person the viewer cannot see and
    pairing, the flags packed in words): each set with the person, their words or'ed (sub
    FALSE); with `rest`, again over the rest (rest TRUE). With `few_touch` (a split of a few
    pairings: a school's), the sets by touch are taken only over the people in a pairing
    with touch (sub TRUE, with the sets without touch over them too, to take away): for
    everyone else the group without touch is their group with touch FALSE
    (`figure_sets.rows_of`) — half the grouping sets over every person, a seventh of the
    governor's School filter headline's statement at national scale."""
    ors = ", ".join(f"bit_or(w{i}) AS w{i}" for i in range(n_words))
    cols = f"{area} AS area, {{}} AS touch, {{}} AS rest, {{}} AS sub, {ors}"
    everyone = [s for s in sets if "touch" not in s] if few_touch else sets

    def grouped(sets: list[tuple[str, ...]]) -> str:
        return (
            "GROUPING SETS (" + ", ".join(f"({', '.join(('staff_ref', *s))})" for s in sets) + ")"
        )

    parts = []
    for is_rest in (False, True) if rest else (False,):
        where, flag = ("WHERE rest", "TRUE") if is_rest else ("", "NULL::BOOLEAN")
        touch = t if not few_touch else "NULL::BOOLEAN"
        select = f"SELECT {cols.format(touch, flag, 'FALSE')} FROM xu {where}"
        parts.append(f"{select} GROUP BY {grouped(everyone)}")
        if few_touch:
            some = "staff_ref IN (SELECT staff_ref FROM xu WHERE touch)"
            where = f"WHERE {some} AND rest" if is_rest else f"WHERE {some}"
            parts.append(
                f"SELECT {cols.format(t, flag, 'TRUE')} FROM xu {where} GROUP BY {grouped(sets)}"
            )
    return " UNION ALL ".join(parts)


#: A person's flags, each a bit per period, as the people's counts read them.
PEOPLE_FLAGS = ("active", "transferred", "judged", "nt", "concluded", "overdue")


def _packed(n_periods: int) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """(the SQL of a few BIGINT words holding the people's flags side by side, flag -> (its
    word, its first bit)): as many flags to a word as fit in 63 bits, so a person's flags
    are combined (`bit_or`) and grouped as one or two words, not six columns — a fifth of
    the figures' time at national scale. Packing is one to one, so the counts are the same."""
    per = max(1, min(len(PEOPLE_FLAGS), 63 // n_periods))
    words: list[list[str]] = []
    packed: dict[str, tuple[int, int]] = {}
    for j, flag in enumerate(PEOPLE_FLAGS):
        i, shift = divmod(j, per)
        shift *= n_periods
        if i == len(words):
            words.append([])
        words[i].append(f"(x.{flag}::BIGINT << {shift})" if shift else f"x.{flag}::BIGINT")
        packed[flag] = (i, shift)
    return [" | ".join(parts) for parts in words], packed


def figures_of(row: dict, ks: range) -> list[dict]:
    """One result row's figures, period by period (an empty row: all zero)."""

    def n(name: str, k: int) -> int:
        v = row.get(f"{name}_{k}")
        return 0 if pd.isna(v) else int(v)

    out = []
    for k in ks:
        median, hours = row.get(f"median_days_{k}"), row.get(f"hours_{k}")
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
