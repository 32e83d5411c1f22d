# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""A school's view of a table chart (outcomes, hours against outcome) under the Transfer
page's School filter: the school's table counted whole with its margins, suppressed beside
the alliance's and every other school's (`chart_hiding.grid_beside`), then cut to the view.

Why read whole, in Python: the alliance's views (`outcomes._view`) hide in SQL and hand
Python only the cells, but a school's view must be weighed cell by cell against the
alliance's table as that table's own views hide it — so both are counted with their margins
(`grid`, one GROUPING SETS pass) and the alliance's hidden flags worked out by the same rule
its views apply (`table_hidden`: `hiding.grid_hidden` on the cells, then each margin hidden
when one of its cells is, and on its own people)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brokering import changes
from brokering.dashboard.chart_hiding import grid_beside
from brokering.dashboard.facts import Facts, Scope, unseen_sql
from brokering.dashboard.hiding import grid_hidden, primary
from brokering.db import Connection, query_df
from brokering.viewer import Viewer

GRID_COLUMNS = ["outcome", "row", "col", "level", "pairings", "people", "unseen"]
VIEW_COLUMNS = ["outcome", "row", "col", "pairings", "unseen", "hidden"]


def grid(
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


def table_hidden(cells: pd.DataFrame, viewer: Viewer, across: bool) -> np.ndarray:
    """Which figures of a counted table (`grid`'s rows) its views hide: the cells by
    `hiding.grid_hidden` (`across`: a row's pairings over every outcome are shown elsewhere,
    as for the outcomes); a margin when one of its cells is hidden — unless its outcome has
    one row (area) and not `across`, when that margin is the outcome's grand total — and on
    its own people. The rule `outcomes._view` applies in SQL, on a table held whole.
    Aligned with `cells`."""
    n = len(cells)
    if viewer.sees_everyone or n == 0:
        return np.zeros(n, bool)
    level = cells["level"].to_numpy()
    inner = level == 0
    codes = {
        c: pd.factorize(cells[c].astype(object), sort=True)[0].astype(np.int64)
        for c in ("outcome", "row", "col")
    }
    o, r, k = codes["outcome"], codes["row"], codes["col"]
    unseen = cells["unseen"].to_numpy(np.int64)
    pairings = cells["pairings"].to_numpy(np.int64)
    hidden = np.zeros(n, bool)
    if inner.any():
        hidden[inner] = grid_hidden(
            o[inner], _dense(r[inner]), _dense(k[inner]), unseen[inner], pairings[inner], across
        )
    for out in np.unique(o[inner]):
        mine = inner & (o == out)
        for lev, key in ((1, r), (2, k)):
            if len(np.unique(key[mine])) > 1 or across:
                at = (o == out) & (level == lev)
                hidden[at] = np.isin(key[at], key[mine & hidden])
    margins = level > 0
    hidden[margins] |= primary(unseen[margins])
    return hidden


def _dense(codes: np.ndarray) -> np.ndarray:
    """Codes renumbered 0..n-1 in the same order (the margins' missing key left out)."""
    return np.unique(codes, return_inverse=True)[1].astype(np.int64)


def cut(table: pd.DataFrame, hidden: np.ndarray, level: int, area: str | None) -> pd.DataFrame:
    """One view of a table with its `hidden` flags beside the figures: the row totals
    (level 1) or column totals (level 2), or — for one area — that column's cells (level 0
    by row) or its total."""
    shown = table.assign(hidden=hidden)
    if area is None:
        return shown[shown["level"] == level]
    keep = shown["col"] == area
    return shown[keep & (shown["level"] == (0 if level == 1 else 2))]


def school_view(
    con: Connection,
    f: Facts,
    viewer: Viewer,
    scope: Scope,
    cells: tuple[str, list[object]],
    whole: tuple[str, list[object]],
    level: int,
    across: bool,
) -> pd.DataFrame:
    """One view of a school's table (its `cells`) suppressed beside the alliance's (`whole`)
    and the other schools' (`chart_hiding.grid_beside`)."""
    mine = grid(con, f, viewer, *cells)
    key = ("school_tables.grid", viewer, whole[0], tuple(whole[1]))  # beside every school's
    full = changes.remembered(changes.mark(con), key, lambda: grid(con, f, viewer, *whole))

    def rule(table: pd.DataFrame) -> np.ndarray:
        return table_hidden(table, viewer, across)

    hidden = grid_beside(con, f, viewer, scope.school_id, mine, full, *whole, rule)
    return cut(mine, hidden, level, scope.area)[VIEW_COLUMNS].reset_index(drop=True)
