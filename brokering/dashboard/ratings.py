# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Recipients' observation ratings before and after, by skill area — the Transfer page's
ratings chart, for the alliance or one school (its School filter). Apart from `outcomes`
(the outcome tables' cuts) so each module stays one a reader can hold; the rule that hides
a school's view beside the alliance's and the other schools' is `chart_hiding`'s
(`ratings_beside`, `across_schools`); the tie of a ratings count to its outcomes is this
module's (`_school_sql`'s `tied`).

Why one statement for a school's view: what the rule weighs — the school's ratings and the
people behind them, each area's parts by set of schools and its work elsewhere
(as `chart_hiding.across_schools` counts them), and the outcomes' work elsewhere where the
count is theirs (`tied`) — is read from one pass over the same pairings and their people, where
three queries read them three times (twice the time at national scale).
tests/test_ratings_and_counts_reads.py holds it equal to those three, for every role and
school."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brokering.dashboard.chart_hiding import ratings_beside
from brokering.dashboard.facts import (
    ALLIANCE,
    OUTCOME_SQL,
    Facts,
    Scope,
    facts,
    scoped,
    unseen_sql,
)
from brokering.dashboard.hiding import primary
from brokering.db import Connection, query_df
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer


def ratings_before_after(con: Connection, viewer: Viewer, scope: Scope = ALLIANCE) -> pd.DataFrame:
    """Recipients' observation ratings before and after, averaged by skill area. An area
    resting on too few people the viewer cannot see keeps its rows with no rating and no
    count (`hidden` True), so the chart can say how many areas it leaves out. For one
    school, hidden beside the alliance's and the other schools' views too
    (`chart_hiding.ratings_beside`), what that weighs read in the same statement."""
    f = facts(con)
    if scope.school_id is not None and not viewer.sees_everyone:
        frame = query_df(con, *_school_sql(f, viewer, scope))
        hide = primary(frame["unseen"])
        if len(frame):  # beside the alliance's and the other schools'
            got = frame.set_index("area")[["part", "elsewhere", "whole"]]
            got = got.rename(columns={"whole": "unseen"})
            tied = frame["tied"].to_numpy(bool)
            hide = ratings_beside(frame["area"], hide, tied=tied, got=got)
    else:
        where, values = scoped(f, scope)
        # The facts' participants are all on the staff list: the people the viewer cannot
        # see are looked up among the list's unseen (a quarter of it for a head), the same.
        unseen, params = unseen_sql(viewer, "m", listed=True)
        frame = query_df(
            con,
            f"""
            WITH c AS (SELECT * FROM {f.pairings} p WHERE p.rating_before IS NOT NULL
                       AND p.rating_after IS NOT NULL AND {where}),
            w AS (SELECT c.area, count(DISTINCT m.staff_ref) FILTER (WHERE {unseen}) AS unseen
                  FROM c JOIN {f.people} m USING (pairing_id) GROUP BY ALL)
            SELECT area, count(*) AS pairings, avg(rating_before) AS before,
                   avg(rating_after) AS after, any_value(w.unseen) AS unseen
            FROM c JOIN w USING (area) GROUP BY area ORDER BY area
            """,
            [*values, *params],
        )
        hide = primary(frame["unseen"]) if not viewer.sees_everyone else np.zeros(len(frame), bool)
    return laid_out(frame, hide)


def laid_out(frame: pd.DataFrame, hide: np.ndarray) -> pd.DataFrame:
    """The chart's rows from each area's ratings (`frame`: area, pairings, before, after)
    and its hidden flags: a row before and after each, a hidden area's with no rating and
    no count, drawn hidden — never as 0."""
    rows = []
    for r, hidden in zip(frame.itertuples(index=False), hide, strict=True):
        for when, value in (("before", r.before), ("after", r.after)):
            rows.append(
                {
                    "area": r.area,
                    "when": when,
                    "rating": None if hidden else round(float(value), 2),
                    "pairings": None if hidden else int(r.pairings),
                    "hidden": bool(hidden),
                }
            )
    out = pd.DataFrame(rows, columns=["area", "when", "rating", "pairings", "hidden"])
    out["pairings"] = out["pairings"].astype("Int64")
    return out


def _school_sql(f: Facts, viewer: Viewer, scope: Scope) -> tuple[str, list[object]]:
    """Per area of a school's rated pairings (in the scope's area): its pairings, average
    ratings and the people behind them the viewer cannot see (`unseen`); `part`,
    `elsewhere` and `whole` as `chart_hiding.across_schools` counts them for the ratings'
    cells (the alliance's rated pairings by area); `tied`: where every pairing of each outcome
    the school's rated pairings are in is rated, the count is those outcomes' figures under
    another name — hidden where their work elsewhere, or the school's own pairings of one of
    them (a cell the school's outcomes hide: found RATED_BESIDE_THE_TRANSFERS,
    tests/test_school_filter_joint_properties.py), rests on 1 to threshold-1 people unseen.
    One pass: the pairings in the school's areas (`x`) — its own, the rated
    ones elsewhere and the work elsewhere of its tied outcomes — joined once to the people
    the viewer cannot see (`w`), every count taken from that."""
    # The facts' participants are all on the staff list: the same people, looked up there.
    unseen, params = unseen_sql(viewer, "m", listed=True)
    t = SUPPRESSION_THRESHOLD
    area = "TRUE" if scope.area is None else "p.area = ?"
    sql = f"""
    WITH mine AS (SELECT DISTINCT pairing_id FROM {f.people} WHERE school_id = ?),
    p AS MATERIALIZED (
        SELECT p.pairing_id, p.area, {OUTCOME_SQL} AS outcome,
               p.rating_before IS NOT NULL AND p.rating_after IS NOT NULL AS rated,
               p.pairing_id IN (SELECT pairing_id FROM mine) AS here,
               p.rating_before, p.rating_after
        FROM {f.pairings} p WHERE {area}),
    k AS (SELECT area, outcome, count(*) AS n, count(*) FILTER (WHERE rated) AS r
          FROM p WHERE here GROUP BY ALL),
    tied AS (
        SELECT k.area, k.outcome FROM k SEMI JOIN (
            SELECT area FROM k GROUP BY area
            HAVING bool_and(r = 0 OR r = n) AND sum(r) > 0) a USING (area)
        WHERE k.r > 0),
    x AS MATERIALIZED (
        SELECT p.*, (p.area, p.outcome) IN (SELECT (area, outcome) FROM tied) AS t
        FROM p WHERE p.area IN (SELECT area FROM p WHERE here AND rated)),
    y AS (SELECT * FROM x WHERE rated OR (t AND NOT here)),
    atom AS (
        SELECT pairing_id, list(DISTINCT school_id ORDER BY school_id) AS part
        FROM {f.people} WHERE pairing_id IN (SELECT pairing_id FROM x WHERE here AND rated)
        GROUP BY pairing_id),
    w AS MATERIALIZED (
        SELECT y.area, y.outcome, y.rated, y.here, y.t, atom.part, m.staff_ref
        FROM y JOIN {f.people} m USING (pairing_id) LEFT JOIN atom USING (pairing_id)
        WHERE {unseen}),
    main AS (
        SELECT area, count(*) AS pairings, avg(rating_before) AS before,
               avg(rating_after) AS after
        FROM x WHERE here AND rated GROUP BY area),
    own AS (SELECT area, count(DISTINCT staff_ref) AS unseen FROM w
            WHERE here AND rated GROUP BY area),
    per AS (SELECT area, here, part, count(DISTINCT staff_ref) AS n FROM w
            WHERE rated GROUP BY ALL),
    across AS (
        SELECT area, bool_or(here AND n BETWEEN 1 AND {t - 1}) AS part,
               coalesce(max(n) FILTER (WHERE NOT here), 0) AS elsewhere
        FROM per GROUP BY area),
    whole AS (SELECT area, count(DISTINCT staff_ref) AS unseen FROM w
              WHERE rated GROUP BY area),
    few AS (SELECT area FROM w WHERE t GROUP BY area, outcome, here
            HAVING count(DISTINCT staff_ref) < {t})
    SELECT area, main.pairings, main.before, main.after,
           coalesce(own.unseen, 0) AS unseen, coalesce(across.part, FALSE) AS part,
           coalesce(across.elsewhere, 0) AS elsewhere, coalesce(whole.unseen, 0) AS whole,
           area IN (SELECT area FROM few) AS tied
    FROM main LEFT JOIN own USING (area) LEFT JOIN across USING (area)
    LEFT JOIN whole USING (area)
    ORDER BY area
    """
    return sql, [scope.school_id, *([scope.area] if scope.area else []), *params]
