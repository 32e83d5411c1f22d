# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Outcomes of pairings cut several ways — by receiving school, by skill area, by school
within one area, by hours invested — and recipients' ratings before and after.

Why one table behind the cuts: the Transfer page lets any role choose a skill area, so the
outcomes by school within an area, by school over all areas and by area are the cells, row
totals and column totals of one school x area table. Hiding each view on its own would let a
reader subtract one from another; so the whole table is counted once (`_grid`, one SQL
GROUPING SETS pass) and suppressed together (`hiding.grid_hidden`) before any view is cut
from it. Hours against outcome are the same shape (hours band x area)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from brokering.dashboard.facts import ALLIANCE, FINAL, Facts, Scope, facts, scoped, unseen_sql
from brokering.dashboard.hiding import grid_hidden, primary
from brokering.db import Connection, query_df
from brokering.viewer import Viewer

_FINAL_SQL = ", ".join(f"'{s}'" for s in FINAL)
HOUR_BANDS = [(0, 6, "under 6 h"), (6, 12, "6-12 h"), (12, 24, "12-24 h"), (24, 10_000, "24 h+")]
GRID_COLUMNS = ["outcome", "row", "col", "level", "pairings", "people", "unseen"]


def _grid(
    con: Connection, f: Facts, viewer: Viewer, cells_sql: str, values: list[object]
) -> pd.DataFrame:
    """The table behind a set of views: `cells_sql` yields (pairing_id, outcome, r, k) rows,
    a pairing at most once per cell. Returns one row per cell (level 0), per row total over
    the columns (level 1) and per column total over the rows (level 2), each with its
    pairings, people and the people the viewer cannot see — distinct, so a pairing or a
    person in two cells of a total counts once in it."""
    unseen, params = unseen_sql(viewer, "m")
    frame = query_df(
        con,
        f"""
        WITH c AS ({cells_sql}),
        w AS (SELECT c.pairing_id, c.outcome, c.r, c.k, m.staff_ref, {unseen} AS unseen
              FROM c JOIN {f.people} m USING (pairing_id))
        SELECT outcome, r AS "row", k AS col, grouping(r, k) AS level,
               count(DISTINCT pairing_id) AS pairings, count(DISTINCT staff_ref) AS people,
               count(DISTINCT staff_ref) FILTER (WHERE unseen) AS unseen
        FROM w GROUP BY GROUPING SETS ((outcome, r, k), (outcome, r), (outcome, k))
        ORDER BY level, outcome, "row", col
        """,
        [*values, *params],
    )
    return frame[GRID_COLUMNS] if not frame.empty else pd.DataFrame(columns=GRID_COLUMNS)


def _cut(grid: pd.DataFrame, hidden: np.ndarray, level: int, area: str | None) -> pd.DataFrame:
    """One view of a suppressed grid: the row totals (level 1) or column totals (level 2),
    or — for one area — that column's cells (level 0 by row) or its total."""
    shown = grid.assign(pairings=grid["pairings"].astype("Int64").where(~hidden, pd.NA))
    if area is None:
        return shown[shown["level"] == level]
    keep = shown["col"] == area
    return shown[keep & (shown["level"] == (0 if level == 1 else 2))]


def outcomes_by(
    con: Connection,
    viewer: Viewer,
    by: str,
    scope: Scope = ALLIANCE,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Pairings per outcome, by recipient school (`by="school"`) or by skill area
    (`by="area"`), long format for a stacked bar; suppressed with the other cuts of the same
    school x area table (see the module's docstring)."""
    f = facts(con)
    where, values = scoped(f, Scope(school_id=scope.school_id))
    outcome = f"CASE WHEN p.status IN ({_FINAL_SQL}) THEN p.status ELSE 'open' END"
    period = (
        "AND p.start_date <= ?::DATE AND (p.concluded_on IS NULL OR p.concluded_on >= ?::DATE)"
        if start and end
        else ""
    )
    cells = f"""
        SELECT p.pairing_id, {outcome} AS outcome, p.school_id AS r, p.area AS k
        FROM {f.receivers} p WHERE {where} {period}
    """
    grid = _grid(con, f, viewer, cells, [*values, *([end, start] if start and end else [])])
    view = _cut(grid, grid_hidden(grid, viewer), 1 if by == "school" else 2, scope.area)
    if by == "school":
        frame = view.rename(columns={"row": "recipient_school"})
        names = query_df(con, "SELECT school_id AS recipient_school, name FROM schools")
        frame = frame.merge(names, on="recipient_school", how="left")
        frame["group"] = frame["name"].fillna(frame["recipient_school"])
        # Schools are counted apart even when they share a name (a national register has
        # dozens of St Mary's); a shared name carries the school's reference.
        shared = frame.groupby("group")["recipient_school"].transform("nunique") > 1
        frame.loc[shared, "group"] = (
            frame.loc[shared, "group"] + " (" + frame.loc[shared, "recipient_school"] + ")"
        )
    else:
        frame = view.assign(group=view["col"])
    out = pd.DataFrame(
        {"group": frame["group"], "outcome": frame["outcome"], "pairings": frame["pairings"]},
        columns=["group", "outcome", "pairings"],
    )
    out["pairings"] = out["pairings"].astype("Int64")
    return out.sort_values(["group", "outcome"], kind="stable").reset_index(drop=True)


def hours_against_outcome(con: Connection, viewer: Viewer, scope: Scope = ALLIANCE) -> pd.DataFrame:
    """Benefit against transaction cost: concluded pairings by hours invested and outcome,
    suppressed with the same bands in each skill area (an hours band x area table)."""
    f = facts(con)
    where, values = scoped(f, Scope(school_id=scope.school_id))
    band = " ".join(
        f"WHEN p.hours >= {lo} AND p.hours < {hi} THEN '{label}'" for lo, hi, label in HOUR_BANDS
    )
    cells = f"""
        SELECT * FROM (
            SELECT p.pairing_id, p.status AS outcome, CASE {band} END AS r, p.area AS k
            FROM {f.pairings} p
            WHERE p.status IN ('transferred', 'not transferred') AND {where}
        ) WHERE r IS NOT NULL
    """
    grid = _grid(con, f, viewer, cells, values)
    got = _cut(grid, grid_hidden(grid, viewer), 1, scope.area).set_index(["row", "outcome"])
    rows = []
    for _lo, _hi, label in HOUR_BANDS:
        for outcome in ("transferred", "not transferred"):
            n = got.at[(label, outcome), "pairings"] if (label, outcome) in got.index else 0
            rows.append({"hours": label, "outcome": outcome, "pairings": n})
    out = pd.DataFrame(rows)
    out["pairings"] = out["pairings"].astype("Int64")
    return out


def ratings_before_after(con: Connection, viewer: Viewer, scope: Scope = ALLIANCE) -> pd.DataFrame:
    """Recipients' observation ratings before and after, averaged by skill area. An area
    resting on too few people the viewer cannot see keeps its rows with no rating and no
    count (`hidden` True), so the chart can say how many areas it leaves out."""
    f = facts(con)
    where, values = scoped(f, scope)
    unseen, params = unseen_sql(viewer, "m")
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
