# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Outcomes of pairings cut several ways — by receiving school, by skill area, by school
within one area, by hours invested (recipients' ratings before and after: `ratings`).

Why one table behind the cuts: the Transfer page lets any role choose a skill area, so the
outcomes by school within an area, by school over all areas and by area are the cells, row
totals and column totals of one school x area table. Hiding each view on its own would let a
reader subtract one from another; so every view is cut from the same cells, suppressed
together (`hiding.grid_hidden`) — and with the outcomes as a third side of the table, since
a school's pairings over every outcome and an area's of one outcome are shown on other views
(the flows, the ledger, the headline). Hours against outcome are the same shape (hours band
x area)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from brokering.dashboard.chart_hiding import labelled
from brokering.dashboard.facts import (
    ALLIANCE,
    FINAL,
    OUTCOME_SQL,
    Facts,
    Scope,
    facts,
    scoped,
    unseen_sql,
)
from brokering.dashboard.hiding import grid_hidden
from brokering.dashboard.hours_cover import Columns, bare, pick_cover, pick_total_cover
from brokering.dashboard.outcome_cover import HEADLINE_OUTCOMES, OUTCOMES, falls_in
from brokering.dashboard.outcome_numbers import numbers_grid
from brokering.dashboard.outcome_rows import Rows, every_outcome, frame_of, numbers
from brokering.dashboard.outcome_rows import every_outcome_frame as _every_outcome  # noqa: F401 - the mirrors'
from brokering.dashboard.outcome_sql import AREA_NAMES, AREA_TOTALS, LABELLED, ROW_TOTALS, named_sql
from brokering.dashboard.school_tables import grid, school_view
from brokering.db import Connection, alongside, query_arrays, query_df
from brokering.placing import places, settled_sql, view_placing
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer

HOUR_BANDS = [(0, 6, "under 6 h"), (6, 12, "6-12 h"), (12, 24, "12-24 h"), (24, 10_000, "24 h+")]


_VIEW_COLUMNS = ["outcome", "row", "col", "pairings", "unseen", "hidden"]


def _view(
    con: Connection,
    f: Facts,
    viewer: Viewer,
    cells_sql: str,
    values: list[object],
    level: int,
    area: str | None,
    named: bool = False,
    across: bool = False,
    unshown: frozenset[str] | Callable[[], frozenset[str]] = frozenset(),
    force: Columns | Callable[[Connection], Columns] = frozenset(),
    raw: bool = False,
) -> pd.DataFrame:
    """One view of the table behind `cells_sql` — row totals (level 1), column totals
    (level 2), or one area's cells (level 1) or total (level 2) — suppressed with every
    other view of the same table (`hiding.grid_hidden`), without handing the view's
    figures' people to Python: SQL counts each cell's people and each figure's own, and
    hides on them (a figure on its own people, a total when one of its cells is); the
    cells, a few numbers each, come back beside the view, Python hides the further cells
    that cover them (a rule over whole tables at once), and the view's totals they fall in.
    `named`: rows are schools, labelled by `outcome_sql` (in SQL: handing 30,000 rows to pandas
    to merge names cost more than the view). `across`: a row's pairings over every outcome
    are shown on another view (a school's, in the flows and the ledger). `unshown`: outcomes
    whose total is shown nowhere else (`chart_hiding.totals_unshown`; or what works them
    out, asked only where it could matter: `hours_cover.bare`): one with no cell hidden has
    one hidden (`hours_cover.pick_total_cover`), and a total of one is hidden with any of
    its cells even where it is the outcome's only row or area. `force`:
    (outcome, area) with a cell hidden whatever it rests on (`hours_cover.areas_unshown`) —
    or what works them out on a cursor, run alongside the view's own read (`db.alongside`:
    at national scale each is mostly one thread's work). `raw`: its text columns left as
    Python strings (object), for a caller that hands them on as arrays."""
    one = [area] if area is not None else []
    if viewer.sees_everyone:
        row = "r" if level == 1 else "NULL"
        col = "k" if level == 2 or area is not None else "NULL"
        sql = f"""
            WITH c AS ({cells_sql})
            SELECT outcome, {row} AS "row", {col} AS col,
                   count(DISTINCT pairing_id) AS pairings, 0 AS unseen, FALSE AS hidden,
                   FALSE AS cell
            FROM c {"WHERE k = ?" if area is not None else ""} GROUP BY ALL ORDER BY ALL
        """
        frame = query_df(con, named_sql(sql) if named else sql, [*values, *one])
        return frame.drop(columns=["cell"])
    unseen, params = unseen_sql(viewer, "m")
    own_p = [viewer.school_id] if viewer.school_id else []
    t = SUPPRESSION_THRESHOLD
    # People the viewer cannot see are counted per pairing first (`pu`; a governor's are the
    # pairing's people, already in the facts), and distinct people counted afresh only for a
    # figure of two or more pairings whose count could matter: one resting on fewer than
    # the threshold in all is hidden whoever they are, and a total already hidden by a
    # hidden cell needs no count. (So `unseen` is exact wherever it decides anything.)
    pu = "c0.np" if viewer.aggregate_only else "coalesce(pu.n, 0)"
    # A head knows each pairing with someone from their school (their pairings page lists
    # it, its practice and status): a cell of only such pairings needs no cover (rule 3).
    own = (
        "(c0.pairing_id IN (SELECT m.pairing_id FROM "
        f"{f.people} m JOIN staff st USING (staff_ref) WHERE st.school_id = ?))"
        if viewer.school_id
        else "FALSE"
    )
    pu_join = (
        ""
        if viewer.aggregate_only
        else "LEFT JOIN (SELECT pairing_id, count(*) AS n FROM um GROUP BY ALL) pu "
        "USING (pairing_id)"
    )
    key = "r" if level == 1 else "k"
    # `um` is only ever joined to the cells' pairings: narrowed first only where that spares
    # looking up whom the viewer sees. The pairings counted exactly (`cp`, `vp`) are picked
    # before their people are joined (the planner joined everyone's first: a fifth longer).
    narrow = "" if viewer.aggregate_only else "SEMI JOIN c0 USING (pairing_id)"
    # Unseen people a figure on no one unseen settles the place of (`placing`).
    pl_ctes, placed, whole_r, whole_v, mine = view_placing(viewer, across, level, key)
    on = places(viewer, across) or ""  # (nothing read or joined where no one is placed)
    v_unseen = f"CASE WHEN v.pairings = 1 OR v.s < {t} THEN v.s ELSE coalesce(vx.exact, v.s) END"
    cell_unseen = f"""CASE WHEN cell.pairings = 1 OR cell.s < {t} THEN cell.s
                           ELSE coalesce(cx.exact, 0) END"""
    totals = ROW_TOTALS if level == 1 else AREA_TOTALS
    totals = totals.format(across=across, area="WHERE c.k = ?" if area is not None else "")
    if area is not None and level == 1:  # one area's cells, by row: hidden on their own
        ctes = ""
        select = """SELECT outcome, r AS "row", k AS col, pairings, unseen, hid AS hidden,
                           onum, rn, kn FROM ci WHERE k = ?"""
    else:
        ctes = f"""
            , v AS ({totals}),
            vp AS MATERIALIZED (
                SELECT c.pairing_id, c.outcome, c.{key}
                FROM c SEMI JOIN (SELECT outcome, {key} FROM v
                                  WHERE pairings > 1 AND s >= {t} AND NOT part) w
                  USING (outcome, {key})),
            vx AS (
                SELECT vp.outcome, vp.{key}, count(DISTINCT um.staff_ref) AS exact
                FROM vp JOIN um USING (pairing_id) GROUP BY ALL),
            vv AS (
                SELECT v.*, {settled_sql(v_unseen, placed, whole_v)} AS unseen
                FROM v LEFT JOIN vx USING (outcome, {key})
                {on and "LEFT JOIN plo USING (outcome)"})"""
        select = f"""
            SELECT outcome, {"r" if level == 1 else "NULL"} AS "row",
                   {"k" if level == 2 else "NULL"} AS col, pairings, unseen,
                   part OR unseen BETWEEN 1 AND {t - 1} AS hidden,
                   onum, {"rn, NULL::INT AS kn" if level == 1 else "NULL::INT AS rn, kn"}
            FROM vv JOIN oo USING (outcome) JOIN {"ro" if level == 1 else "ko"} USING ({key})"""
    row_s = ", cell.s" if level == 1 else ""  # (the rows' totals sum it: `ROW_TOTALS`)
    pad = "NULL, NULL," if named else ""  # a named view's label and place (`LABELLED`)
    sql = f"""
        WITH c0 AS ({cells_sql}),
        um AS (SELECT m.pairing_id, m.staff_ref{on and ", m.side"} FROM {f.people} m
               {narrow} WHERE {unseen}),
        c AS MATERIALIZED (
            SELECT c0.pairing_id, c0.outcome, c0.r, c0.k, {pu} AS pu, {own} AS own{on and ", c0.np"}
            FROM c0 {pu_join}) {pl_ctes},
        cell AS (SELECT outcome, r, k, count(*) AS pairings, sum(pu) AS s, bool_and(own) AS own
                 FROM c GROUP BY ALL),
        cp AS MATERIALIZED (
            SELECT c.pairing_id, c.outcome, c.r, c.k
            FROM c SEMI JOIN (SELECT outcome, r, k FROM cell WHERE pairings > 1 AND s >= {t}) w
              USING (outcome, r, k)),
        cx AS (
            SELECT cp.outcome, cp.r, cp.k, count(DISTINCT um.staff_ref) AS exact
            FROM cp JOIN um USING (pairing_id) GROUP BY ALL),
        ci0 AS MATERIALIZED (
            SELECT *, unseen BETWEEN 1 AND {t - 1} AS hid FROM (
                SELECT cell.outcome, cell.r, cell.k, cell.pairings, cell.own{row_s},
                       {settled_sql(cell_unseen, "plk.placed", whole_r)} AS unseen
                FROM cell LEFT JOIN cx USING (outcome, r, k)
                {on and "LEFT JOIN plk USING (outcome, k)"})),
        -- Outcomes, rows and areas as whole numbers in name order: the cells go to Python
        -- as numbers only.
        oo AS (SELECT outcome, (rank() OVER (ORDER BY outcome) - 1)::INT AS onum
               FROM (SELECT DISTINCT outcome FROM ci0)),
        ro AS (SELECT r, (rank() OVER (ORDER BY r) - 1)::INT AS rn
               FROM (SELECT DISTINCT r FROM ci0)),
        ko AS (SELECT k, (rank() OVER (ORDER BY k) - 1)::INT AS kn
               FROM (SELECT DISTINCT k FROM ci0)),
        ci AS MATERIALIZED (
            SELECT * FROM ci0 JOIN oo USING (outcome) JOIN ro USING (r) JOIN ko USING (k))
        {ctes},
        {LABELLED.format(select=select) if named else f"vw AS MATERIALIZED ({select})"}
        SELECT *, FALSE AS cell FROM vw
        UNION ALL  -- the cells, where the rule could still hide one of the view's figures
        SELECT NULL, CASE WHEN own THEN 'known' END, NULL, pairings, unseen, hid, onum, rn, kn,
               {pad} TRUE
        FROM ci
        WHERE EXISTS (SELECT 1 FROM vw WHERE NOT hidden)
        UNION ALL  -- and the outcomes' names by number (rule 3 weighs them)
        SELECT outcome, NULL, NULL, NULL, NULL, NULL, onum, NULL, NULL, {pad} TRUE FROM oo
        WHERE EXISTS (SELECT 1 FROM vw WHERE NOT hidden)
        {AREA_NAMES.format(pad=pad) if force else ""}
    """
    tail = [*one, *mine] if area is None or level == 2 else one
    args = [*values, *params, *own_p, *mine, *tail]
    if callable(force):
        rows, force = alongside(con, force, lambda: query_arrays(con, sql, args))
    else:
        rows = query_arrays(con, sql, args)
    is_cell = np.asarray(rows["cell"], bool)
    shown = np.flatnonzero(~is_cell)  # the view's rows; by label, where named (`LABELLED`)
    if named:  # (outcome numbers are in name order)
        seq = np.ma.getdata(rows.pop("seq"))[shown]
        shown = shown[np.lexsort((np.ma.getdata(rows["onum"])[shown], seq))]
    null = {c: np.ma.getmaskarray(rows[c]) for c in ("outcome", "row", "col")}
    at = is_cell & null["outcome"] & null["col"]  # the cells; then outcomes' and areas' names
    o, r, k, unseen, pairings = (
        numbers(rows, c, at) for c in ("onum", "rn", "kn", "unseen", "pairings")
    )
    hid = numbers(rows, "hidden", at, bool)
    named_o, named_k = is_cell & ~null["outcome"] & null["col"], is_cell & ~null["col"]
    names = (np.ma.getdata(rows["outcome"])[named_o], numbers(rows, "onum", named_o))
    view = frame_of(rows, shown, strings=not raw).drop(columns=["cell"])
    picked = _forced(o, r, k, hid, unseen, pairings, names, rows, named_k, force)
    # Outcomes whose total is shown nowhere else (by number), asked only where it could matter.
    whole = _whole(o, r if level == 1 else k, names, hid | picked, unshown)
    if whole.any():
        picked |= pick_total_cover(o, r, k, hid | picked, unseen, pairings, whole)
    if hid.any() or picked.any():
        unseen = np.where(picked, 1, unseen)  # hidden as if on their own people
        empty: list[tuple[int, int, int]] = []  # cells with no pairings hidden as cover
        pinned = np.zeros(o.max() + 1, bool)
        pinned[names[1]] = np.isin(names[0], HEADLINE_OUTCOMES)
        spare = bool(set(OUTCOMES) - set(HEADLINE_OUTCOMES) - set(names[0]))
        known = ~null["row"][at]  # every pairing with the head's school
        cover = dict(empty=empty, pinned=pinned, spare=spare, known=known)
        more = grid_hidden(o, r, k, unseen, pairings, across, **cover) & ~hid
        # (A cell hidden on its own people of an outcome whose total is shown nowhere else:
        # the total is hidden with it even as the outcome's only row.)
        more |= hid & whole[o] if whole.any() else False
        if more.any() or empty:
            if empty:
                o, r, k = (np.r_[x, [e[j] for e in empty]] for j, x in enumerate((o, r, k)))
                more = np.r_[more, np.ones(len(empty), bool)]
            view["hidden"] = view["hidden"].to_numpy(bool) | falls_in(
                o, r, k, more, view, level, across, whole
            )
    view = view.drop(columns=["onum", "rn", "kn"])
    return view if named else view.sort_values(_VIEW_COLUMNS[:3], ignore_index=True)


def _forced(
    o: np.ndarray,
    r: np.ndarray,
    k: np.ndarray,
    hid: np.ndarray,
    unseen: np.ndarray,
    pairings: np.ndarray,
    names: tuple[np.ndarray, np.ndarray],
    rows: Rows,
    named_k: np.ndarray,
    force: Columns,
) -> np.ndarray:
    """Which of a view's cells (codes `o`, `r`, `k`; `hid` hidden on their own people)
    `hours_cover.pick_cover` hides for `force`'s columns (outcome, area), given the outcomes'
    names by number and the read's rows `named_k` naming its areas. Aligned with the cells."""
    if not force or not len(o):
        return np.zeros(len(o), bool)
    onum = dict(zip(names[0], names[1], strict=True))
    knum = dict(zip(np.ma.getdata(rows["col"])[named_k], numbers(rows, "kn", named_k), strict=True))
    want = {(onum[a], knum[b]) for a, b in force if a in onum and b in knum}
    wanted = np.array([(x, y) in want for x, y in zip(o, k, strict=True)], bool)
    return pick_cover(o, r, k, hid, unseen, pairings, wanted)


def _whole(
    o: np.ndarray,
    key: np.ndarray,
    names: tuple[np.ndarray, np.ndarray],
    hidden: np.ndarray,
    unshown: frozenset[str] | Callable[[], frozenset[str]],
) -> np.ndarray:
    """By outcome number, the outcomes of a view's table whose total is shown nowhere else
    (`unshown`, read only where `hours_cover.bare` says it could change what is hidden;
    `o`, `key`: the cells' outcomes and rows (areas, for a view of the areas' totals);
    `hidden`: the cells hidden so far)."""
    n = int(names[1].max()) + 1 if len(names[1]) else 0
    out = np.zeros(n, bool)
    if not unshown or not len(o) or not n:
        return out
    if not bare(o, key, hidden):
        return out
    got = unshown() if callable(unshown) else unshown
    if not got <= set(FINAL):
        raise ValueError(f"not an outcome: {sorted(got - set(FINAL))}")
    out[names[1]] = np.isin(names[0], list(got))
    return out


def _outcome_cells(
    f: Facts, scope: Scope, start: date | None, end: date | None
) -> tuple[str, list[object]]:
    """The outcomes table's rows (pairing_id, outcome, r: receiving school, k: area, np: the
    pairing's people) for a school's scope and a period, and their parameters. The area of
    `scope` is not applied: it picks a column of the table, which is suppressed whole."""
    where, values = scoped(f, Scope(school_id=scope.school_id))
    outcome = OUTCOME_SQL
    period = (
        "AND p.start_date <= ?::DATE AND (p.concluded_on IS NULL OR p.concluded_on >= ?::DATE)"
        if start and end
        else ""
    )
    cells = f"""
        SELECT p.pairing_id, {outcome} AS outcome, p.school_id AS r, p.area AS k, p.people AS np
        FROM {f.receivers} p WHERE {where} {period}
    """
    return cells, [*values, *([end, start] if start and end else [])]


def _outcome_people(f: Facts, start: date | None, end: date | None) -> tuple[str, list[object]]:
    """The alliance's cells of `_outcome_cells` with each pairing's people (pairing_id,
    outcome, r, k, staff_ref, side), read from the rows laid out once for it
    (`facts.receiver_people`), and their parameters."""
    period = (
        "WHERE p.start_date <= ?::DATE AND (p.concluded_on IS NULL OR p.concluded_on >= ?::DATE)"
        if start and end
        else ""
    )
    cells = f"""
        SELECT p.pairing_id, {OUTCOME_SQL} AS outcome, p.school_id AS r, p.area AS k,
               p.staff_ref, p.side
        FROM {f.receiver_people} p {period}
    """
    return cells, [end, start] if start and end else []


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
    cells, values = _outcome_cells(f, scope, start, end)
    school = by == "school"
    level = 1 if school else 2
    if scope.school_id is not None and not viewer.sees_everyone:  # beside the alliance's
        whole = _outcome_cells(f, ALLIANCE, start, end)

        def read_whole(cursor: Connection) -> pd.DataFrame:
            # From the facts held as numbers; from the strings where two ids share a hash.
            got = numbers_grid(cursor, f, viewer, start, end)
            if got is not None:
                return got
            return grid(cursor, f, viewer, *whole, True, _outcome_people(f, start, end), False)

        view = school_view(
            con, f, viewer, scope, (cells, values), whole, level, True, read_whole=read_whole
        )
        view = labelled(con, view) if school else view
    else:
        view = _view(
            con, f, viewer, cells, values, level, scope.area, named=school, across=True, raw=school
        )
    counts = view["pairings"].astype("Int64").array
    hidden = view["hidden"].to_numpy(bool) | counts.isna()
    group, outcome, pairings = every_outcome(
        (view["label"] if school else view["col"]).to_numpy(object),
        view["outcome"].to_numpy(object),
        pd.arrays.IntegerArray(counts.to_numpy(np.int64, na_value=0), hidden),
    )
    out = pd.DataFrame(
        {"group": group, "outcome": outcome, "pairings": pairings},
        columns=["group", "outcome", "pairings"],
    )
    if not school:  # a handful of areas; schools come ordered by label from SQL
        out = out.sort_values(["group", "outcome"], kind="stable").reset_index(drop=True)
    return out
