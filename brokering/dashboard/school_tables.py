# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""A school's view of a table chart (outcomes, hours against outcome) under the Transfer
page's School filter: the school's table counted whole with its margins, suppressed beside
the alliance's and every other school's (`chart_hiding.grid_beside`), then cut to the view.

Why read whole, in Python: the alliance's views (`outcomes._view`) hide in SQL and hand
Python only the cells, but a school's view must be weighed cell by cell against the
alliance's table as that table's own views hide it — so both are counted with their margins
(`grid`) and the alliance's hidden flags worked out by the same rule
its views apply (`table_hidden`: `hiding.grid_hidden` on the cells, then each margin hidden
when one of its cells is, and on its own people)."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd

from brokering import changes
from brokering.dashboard.chart_hiding import LEVELS_SELECT, grid_beside, levels_ctes, split_levels
from brokering.dashboard.facts import Facts, Scope, unseen_sql
from brokering.dashboard.hiding import grid_hidden, primary
from brokering.dashboard.hours_cover import Columns, bare, pick_cover, pick_total_cover
from brokering.dashboard.outcome_cover import HEADLINE_OUTCOMES, OUTCOMES
from brokering.dashboard.outcome_sql import COUNTED, PLACED
from brokering.db import Connection, alongside, query_df
from brokering.placing import placed_ctes, placed_sql, places, settled_sql, whole_sql
from brokering.viewer import Viewer

#: Outcomes whose total is shown nowhere else, or what works them out (asked only where a
#: total could be its outcome's only one: at national scale, never).
Unshown = frozenset[str] | Callable[[], frozenset[str]]
#: The same given a connection to read with (a school's view reads on two at once).
UnshownOn = frozenset[str] | Callable[[Connection], frozenset[str]]
GRID_COLUMNS = ["outcome", "row", "col", "level", "pairings", "people", "unseen"]
VIEW_COLUMNS = ["outcome", "row", "col", "pairings", "unseen", "hidden"]


def grid(
    con: Connection,
    f: Facts,
    viewer: Viewer,
    cells_sql: str,
    values: list[object],
    schools: bool = False,
    people: tuple[str, list[object]] | None = None,
    ordered: bool = True,
) -> pd.DataFrame:
    """The table behind a set of views: `cells_sql` yields (pairing_id, outcome, r, k) rows,
    a pairing at most once per cell. Returns one row per cell (level 0), per row total over
    the columns (level 1) and per column total over the rows (level 2), each with its
    pairings, people and the people the viewer cannot see — distinct, so a pairing or a
    person in two cells of a total counts once in it. `schools`: the rows are receiving
    schools, so a figure resting on no one unseen weighs the unseen recipients of listed
    pairings whose school it settles (`placing`: as `outcomes._view` does). `people`: the
    same cells with their people (pairing_id, outcome, r, k, staff_ref, side), read from
    rows laid out once (`facts.receiver_people`) rather than each cell joined to its people
    here. Not `ordered`: the rows in no set order (the alliance's table, whose hidden flags
    are worked out by keys, never by position: a sort of 90,000 rows saved).
    """
    # `listed`: the facts' people are on the staff list, so those the viewer cannot see are
    # looked up among the list's unseen quarter, not its seen three quarters (a tenth of
    # the alliance's table's time at national scale; the same people).
    unseen, params = unseen_sql(viewer, "m", listed=True)
    if people is None:
        joined, by_people = (
            f"(SELECT c.*, m.staff_ref, m.side FROM c JOIN {f.people} m USING (pairing_id))",
            [],
        )
    else:
        joined, by_people = f"({people[0]})", list(people[1])
    ctes, select, mine = grid_parts(viewer, schools, joined, unseen)
    order = 'ORDER BY a.level, a.outcome, "row", col' if ordered else ""
    frame = query_df(
        con,
        f"WITH c AS ({cells_sql}), {ctes} {select} {order}",
        [*values, *params, *by_people, *mine],
    )
    return frame[GRID_COLUMNS] if not frame.empty else pd.DataFrame(columns=GRID_COLUMNS)


def grid_parts(
    viewer: Viewer, schools: bool, joined: str, unseen: str
) -> tuple[str, str, list[object]]:
    """`grid`'s statement after its cells (CTE `c`): its CTEs, its SELECT and the SELECT's
    parameters. `joined`: the cells with their people (pairing_id, outcome, r, k, staff_ref,
    side), as `m`; `unseen`: whether `m`'s person is one the viewer cannot see."""
    # The cells' pairings are read from `c` itself, not from `w` made distinct: a pairing is
    # at most once per cell, and every pairing of the facts has its people in `f.people`
    # (the facts keep only pairings with someone on the staff list), so both give the same.
    # Why not one GROUPING SETS pass with distinct counts: at national scale (90,000 cells)
    # distinct counts over three groupings cost twice what counting each person once per
    # cell and then each cell's people once per margin does; the answer is the same.
    whole, mine = whole_sql(viewer, "a.r", places(viewer, schools))
    listed = "SELECT pairing_id FROM w WHERE NOT unseen"  # a pairing with someone they see
    same = " AND ".join(f"a.{c} IS NOT DISTINCT FROM b.{c}" for c in ("outcome", "r", "k"))
    ctes = f"""
        w AS MATERIALIZED (
            SELECT m.pairing_id, m.outcome, m.r, m.k, m.staff_ref, m.side, {unseen} AS unseen
            FROM {joined} m)
        {placed_ctes(placed_sql("w", listed) if places(viewer, schools) else None)},
        d AS MATERIALIZED (
            SELECT outcome, r, k, staff_ref, bool_or(unseen) AS unseen FROM w GROUP BY ALL),
        p AS MATERIALIZED (SELECT outcome, r, k, pairing_id FROM c),
        {COUNTED},
        paired AS (
            SELECT outcome, r, k, 0::BIGINT AS level, count(*) AS pairings FROM p GROUP BY ALL
            UNION ALL
            SELECT outcome, r, NULL, 1, count(DISTINCT pairing_id) FROM p GROUP BY ALL
            UNION ALL
            SELECT outcome, NULL, k, 2, count(DISTINCT pairing_id) FROM p GROUP BY ALL)"""
    select = f"""
        SELECT a.outcome, a.r AS "row", a.k AS col, a.level, b.pairings, a.people,
               {settled_sql("a.unseen", PLACED, whole)} AS unseen
        FROM counted a JOIN paired b ON a.level = b.level AND {same}
        LEFT JOIN plk ON plk.outcome = a.outcome AND plk.k = a.k
        LEFT JOIN plo ON plo.outcome = a.outcome"""
    return ctes, select, mine


def own_tables(
    con: Connection,
    f: Facts,
    viewer: Viewer,
    school_id: str,
    cells: tuple[str, list[object]],
    whole: tuple[str, list[object]],
    schools: bool,
) -> tuple[pd.DataFrame, dict[int, pd.DataFrame]]:
    """(`grid` of the school's `cells`, ordered; what `chart_hiding.grid_beside` weighs
    beside the alliance's table, `whole`, for the school: `chart_hiding.levels_ctes`) in
    one statement. Why: the school's pairings are among those
    `levels_ctes` reads with their people, so its table is counted from the same rows —
    one scan of the people and one look at the staff list for both, not two (apart, the
    school's table of a hundred pairings cost a third of the pair: those same scans).
    The school's cells need not be the alliance's: their people are read with the rest."""
    unseen, params = unseen_sql(viewer, "m", listed=True)
    joined = "(SELECT c.*, m.staff_ref, m.side, m.u FROM c JOIN pm m USING (pairing_id))"
    ctes, select, mine = grid_parts(viewer, schools, joined, "m.u")
    frame = query_df(
        con,
        f"""
        WITH c AS ({cells[0]}), {levels_ctes(f, whole[0], unseen, also="c")}, {ctes},
        g AS ({select})
        SELECT 0 AS src, outcome, "row", col, level, pairings, people, unseen,
               FALSE AS part, 0::BIGINT AS elsewhere FROM g
        UNION ALL
        SELECT 1, outcome, r, k, level, 0, 0, unseen, part, elsewhere
        FROM ({LEVELS_SELECT})
        ORDER BY src, level, outcome, "row", col
        """,
        [*cells[1], *whole[1], school_id, *params, *mine],
    )
    src = frame["src"].to_numpy()
    own = frame[src == 0][GRID_COLUMNS].reset_index(drop=True)
    rest = frame[src == 1].rename(columns={"row": "r", "col": "k"})
    return own if len(own) else pd.DataFrame(columns=GRID_COLUMNS), split_levels(rest)


def table_hidden(
    cells: pd.DataFrame,
    viewer: Viewer,
    across: bool,
    unshown: Unshown = frozenset(),
    force: Columns = frozenset(),
    whole: bool = False,
) -> np.ndarray:
    """Which figures of a counted table (`grid`'s rows) its views hide: the cells by
    `hiding.grid_hidden` (`across`: a row's pairings over every outcome are shown elsewhere,
    as for the outcomes); a margin when one of its cells is hidden — unless its outcome has
    one row (area) and not `across`, when that margin is the outcome's grand total — and on
    its own people; with `across`, also the margins an empty cell hidden as cover falls in
    (rule 3). `unshown`: outcomes whose total is shown nowhere else
    (`chart_hiding.totals_unshown`; or what works them out, asked only where it matters),
    their margins hidden with their cells even where one
    is the grand total. `force`: (outcome, area) with a cell hidden whatever it rests on
    (`hours_cover.areas_unshown`). `whole`: the alliance's own table, where an `unshown`
    outcome with no cell hidden has one hidden (`hours_cover.pick_total_cover`). The rule
    `outcomes._view` applies in SQL, on a table held whole. Aligned with `cells`."""
    n = len(cells)
    if viewer.sees_everyone or n == 0:
        return np.zeros(n, bool)
    level = cells["level"].to_numpy()
    inner = level == 0
    codes = {
        c: pd.factorize(cells[c], sort=True)[0].astype(np.int64)  # as text: 4x quicker
        for c in ("outcome", "row", "col")
    }
    o, r, k = codes["outcome"], codes["row"], codes["col"]
    unseen = cells["unseen"].to_numpy(np.int64)
    pairings = cells["pairings"].to_numpy(np.int64)
    hidden = np.zeros(n, bool)
    empty: list[tuple[int, int, int]] = []  # outcomes with no pairings hidden as cover
    if inner.any():
        if force:  # hidden as if on their own people
            out_, col_ = cells["outcome"].to_numpy(object), cells["col"].to_numpy(object)
            wanted = np.array([(a, b) in force for a, b in zip(out_, col_, strict=True)])
            at = np.flatnonzero(inner)
            x = [v[at] for v in (o, r, k, primary(unseen), unseen, pairings, wanted)]
            unseen = unseen.copy()
            unseen[at[pick_cover(*x)]] = 1
        if whole and unshown:  # as `outcomes._view`: asked only where it could matter
            at = np.flatnonzero(inner)
            x = [v[at] for v in (o, r, k)]
            h = primary(unseen[at])
            if bare(x[0], x[1], h):
                got = _resolved(unshown)
                out_names = pd.factorize(cells["outcome"], sort=True)[1]
                total = np.isin(np.asarray(out_names, dtype=object), list(got))
                unseen = unseen.copy()
                unseen[at[pick_total_cover(*x, h, unseen[at], pairings[at], total)]] = 1
        hidden[inner] = grid_hidden(
            o[inner],
            _dense(r[inner]),
            _dense(k[inner]),
            unseen[inner],
            pairings[inner],
            across,
            **(_cover(cells, empty) if across else {}),
        )
    rows, cols = np.unique(r[inner]), np.unique(k[inner])
    if across:  # every margin with a hidden cell (or an empty cover cell) hidden, at once
        _margins_across(o, r, k, level, inner & hidden, rows, cols, empty, hidden)
        margins = level > 0
        hidden[margins] |= primary(unseen[margins])
        return hidden
    names = pd.factorize(cells["outcome"], sort=True)[1]
    for out in np.unique(o[inner]):
        mine = inner & (o == out)
        cover = [(rows[er], cols[ek]) for eo, er, ek in empty if eo == out]
        for lev, key, j in ((1, r, 0), (2, k, 1)):
            if (
                len(np.unique(key[mine])) > 1
                or across
                or ((mine & hidden).any() and names[out] in _resolved(unshown))
            ):
                at = (o == out) & (level == lev)
                keys = np.r_[key[mine & hidden], [c[j] for c in cover]]
                hidden[at] = np.isin(key[at], keys)
    margins = level > 0
    hidden[margins] |= primary(unseen[margins])
    return hidden


def _margins_across(
    o: np.ndarray,
    r: np.ndarray,
    k: np.ndarray,
    level: np.ndarray,
    held: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    empty: list[tuple[int, int, int]],
    hidden: np.ndarray,
) -> None:
    """`table_hidden`'s margins where `across`: each outcome's row total (level 1) and
    column total (level 2) hidden exactly where a `held` cell of that outcome, or an empty
    cell hidden as cover (`empty`: outcome code, row and column index into `rows`, `cols`),
    lies on its line — the per-outcome loop's answer, as whole numbers in one pass (a
    national table has 30,000 row totals). Sets `hidden` in place."""
    cover = np.array(empty, dtype=np.int64).reshape(-1, 3)
    for lev, key, idx, j in ((1, r, rows, 1), (2, k, cols, 2)):
        width = int(max(key.max(initial=0), idx.max(initial=0))) + 2  # codes are >= -1
        wanted = np.r_[o[held] * width + key[held] + 1, cover[:, 0] * width + idx[cover[:, j]] + 1]
        at = level == lev
        hidden[at] = np.isin(o[at] * width + key[at] + 1, wanted)


def _on(unshown: UnshownOn, con: Connection) -> Unshown:
    """`unshown` read with `con` (a thread's own cursor), if it is to be read at all."""
    return unshown if isinstance(unshown, frozenset) else lambda: unshown(con)


def _resolved(unshown: Unshown) -> frozenset[str]:
    """`unshown` as a set (worked out now where it was given as what works it out)."""
    return unshown if isinstance(unshown, frozenset) else unshown()


def _cover(cells: pd.DataFrame, empty: list[tuple[int, int, int]]) -> dict:
    """Rule 3's arguments of `hiding.grid_hidden` for the outcomes, as `outcomes._view`
    passes them: which outcomes the headline gives by area (`pinned`), whether one it does
    not has no pairings (`spare`), and where to list the empty cells hidden as cover. No
    cells count as `known` (a head's own school's): hiding those too only hides more."""
    names = np.asarray(pd.factorize(cells["outcome"], sort=True)[1], dtype=object)
    return dict(
        empty=empty,
        pinned=np.isin(names, HEADLINE_OUTCOMES),
        spare=bool(set(OUTCOMES) - set(HEADLINE_OUTCOMES) - set(names)),
    )


def _dense(codes: np.ndarray) -> np.ndarray:
    """Codes renumbered 0..n-1 in the same order (the margins' missing key left out)."""
    if len(codes) and codes.min() >= 0:  # already 0..n-1 (a table's cells hold every key)
        seen = np.zeros(int(codes.max()) + 1, bool)
        seen[codes] = True
        if seen.all():
            return codes.astype(np.int64)
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
    unshown: UnshownOn = frozenset(),
    unshown_key: Hashable = None,
    force: Columns | Callable[[Connection], Columns] = frozenset(),
    read_whole: Callable[[Connection], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """One view of a school's table (its `cells`) suppressed beside the alliance's (`whole`)
    and the other schools' (`chart_hiding.grid_beside`); `unshown` as `table_hidden`'s
    (`unshown_key`: what it depends on beyond the viewer, for remembering); `force` as
    `table_hidden`'s, for the alliance's table (the school's is weighed beside it) — or what
    works it out on a cursor, on the alliance's side (depending on no more than `unshown`:
    remembered under the same key), so its read, too, runs beside the school's own.
    `read_whole`: what reads the alliance's table on a cursor, as `grid` counts it from
    `whole` (the outcomes': from the facts held as numbers, `outcome_numbers`).
    The alliance's table and its hidden flags (the same beside every school's view, so
    remembered under the change mark) are read alongside the school's own reads: at
    national scale each side is mostly one thread's work, so a first read costs the longer
    of the two, not their sum."""
    mark = changes.mark(con)
    key = ("school_tables.grid", viewer, whole[0], tuple(whole[1]))

    def read_grid(cursor: Connection) -> pd.DataFrame:
        return grid(cursor, f, viewer, *whole, across, ordered=False)

    def alliance(cursor: Connection) -> tuple[pd.DataFrame, np.ndarray]:
        lazy = callable(force)
        hidden_key = ("school_tables.hidden", across, unshown_key, "lazy" if lazy else force)
        hidden_key += key[1:]

        def table() -> pd.DataFrame:
            return changes.remembered(
                mark,
                key,
                lambda: (read_whole or read_grid)(cursor),
            )

        forced = force
        if lazy and changes.recalled(mark, hidden_key) is None:
            # What `force` works out (the headline's areas, a pass of its own) is read on a
            # cursor of its own beside the alliance's table: one after the other they were
            # the longer side of a first read (the hours chart's, by half again).
            full, forced = alongside(cursor, force, table)
        else:
            full = table()
        hidden = changes.remembered(
            mark,
            hidden_key,
            lambda: table_hidden(
                full,
                viewer,
                across,
                _on(unshown, cursor),
                forced(cursor) if callable(forced) else forced,
                whole=True,
            ),
        )
        return full, hidden

    def own() -> tuple[pd.DataFrame, dict[int, pd.DataFrame]]:
        return own_tables(con, f, viewer, scope.school_id, cells, whole, across)

    (mine, levels), (full, theirs) = alongside(con, alliance, own)

    def rule(table: pd.DataFrame) -> np.ndarray:
        return table_hidden(table, viewer, across, _on(unshown, con))

    hidden = grid_beside(mine, full, theirs, levels, rule)
    return cut(mine, hidden, level, scope.area)[VIEW_COLUMNS].reset_index(drop=True)
