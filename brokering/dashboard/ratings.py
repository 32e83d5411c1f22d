# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Recipients' observation ratings before and after, by skill area — the Transfer page's
ratings chart, for the alliance or one school (its School filter). Apart from `outcomes`
(the outcome tables' cuts) so each module stays one a reader can hold; the suppression of a
school's view beside the alliance's and the other schools' is `chart_hiding`'s."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brokering.dashboard.chart_hiding import ratings_across, ratings_beside, tied_hidden
from brokering.dashboard.facts import ALLIANCE, Scope, facts, scoped, unseen_sql
from brokering.dashboard.hiding import primary
from brokering.db import Connection, alongside, query_df
from brokering.viewer import Viewer


def ratings_before_after(con: Connection, viewer: Viewer, scope: Scope = ALLIANCE) -> pd.DataFrame:
    """Recipients' observation ratings before and after, averaged by skill area. An area
    resting on too few people the viewer cannot see keeps its rows with no rating and no
    count (`hidden` True), so the chart can say how many areas it leaves out. For one
    school, beside the alliance's and the other schools' views: what those weigh
    (`chart_hiding.ratings_across`) is read on a cursor of its own while the school's
    ratings and their tie to its outcomes (`tied_hidden`) are read here — each is one
    thread's work (`db.alongside`)."""
    f = facts(con)
    where, values = scoped(f, scope)
    # The facts' participants are all on the staff list: the people the viewer cannot see
    # are looked up among the list's unseen (a quarter of it for a head), the same people.
    unseen, params = unseen_sql(viewer, "m", listed=True)
    sql = f"""
        WITH c AS (SELECT * FROM {f.pairings} p WHERE p.rating_before IS NOT NULL
                   AND p.rating_after IS NOT NULL AND {where}),
        w AS (SELECT c.area, count(DISTINCT m.staff_ref) FILTER (WHERE {unseen}) AS unseen
              FROM c JOIN {f.people} m USING (pairing_id) GROUP BY ALL)
        SELECT area, count(*) AS pairings, avg(rating_before) AS before,
               avg(rating_after) AS after, any_value(w.unseen) AS unseen
        FROM c JOIN w USING (area) GROUP BY area ORDER BY area
        """
    beside = scope.school_id is not None and not viewer.sees_everyone
    if not beside:
        frame = query_df(con, sql, [*values, *params])
        hide = primary(frame["unseen"]) if not viewer.sees_everyone else np.zeros(len(frame), bool)
    else:

        def school() -> tuple[pd.DataFrame, np.ndarray]:
            frame = query_df(con, sql, [*values, *params])
            return frame, tied_hidden(con, f, viewer, scope, frame["area"])

        def others(cursor: Connection) -> pd.DataFrame:
            return ratings_across(cursor, f, viewer, scope)

        (frame, tied), got = alongside(con, others, school)
        hide = primary(frame["unseen"])
        if len(frame):  # beside the alliance's and the other schools'
            hide = ratings_beside(con, f, viewer, scope, frame["area"], hide, tied, got)
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
