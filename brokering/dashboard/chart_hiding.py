# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""A school's view of the Transfer page's charts (hours against outcome, ratings before and
after) beside the alliance's and every other school's.

Why a rule of its own: the School filter shows the alliance's chart and each school's, and a
school's view counts every pairing with someone from it. So every figure of these views is
a sum of the same parts — the pairings grouped by the set of schools they have people from
(a pairing between A and B is in A's view, B's and the alliance's) — and adding and
subtracting views isolates sums of parts: the alliance's less a school's is the work
elsewhere; A's less C's, where every pairing of A's is with C or with B, is the work between
A and B. A school's cell is therefore hidden, as well as on its own people, where

- one of its parts (the pairings with exactly its set of schools) rests on 1 to threshold-1
  people the viewer cannot see (the other views could isolate it),
- the work elsewhere (the alliance's cell less the school's) does (it would be shown as the
  difference), or
- the alliance's same cell is hidden (the school's would give it away where the work
  elsewhere is known or shown in other schools' views);

and where the work elsewhere rests on nobody the viewer cannot see, the school's cell is the
alliance's less what they know, so it is hidden exactly when the alliance's is.

`across_schools` works these out in one pass over the chart's cells; `levels_ctes` the same
for a table's cells beside its rows' and columns' totals, in the statement that counts the
school's own table (`school_tables.own_tables`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from brokering import changes
from brokering.dashboard.facts import (
    ALLIANCE,
    Facts,
    facts,
    unseen_sql,
)
from brokering.dashboard.hiding import primary
from brokering.db import Connection, query_df
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.terms import previous_term, term_of
from brokering.viewer import Viewer

#: A headline figure per term, and what else leaves its outcome's term figure unknown (the
#: pairings not transferred are the judged, a rate beside its count, less the transferred).
TERM_HIDES = {
    "transferred": ("transferred",),
    "not transferred": ("transferred", "rate", "judged", "not_transferred"),
}


def totals_unshown(con: Connection, viewer: Viewer, as_of: date | None = None) -> frozenset[str]:
    """The outcomes ("transferred", "not transferred") whose total over all time the pages
    must not show: the alliance's headline hides that outcome's figure (over all areas) in
    exactly one term. Why: the terms' figures add up to the total over all time, so beside
    it the one hidden term's would be the total less the terms shown (`hiding.guard_terms`
    hides a second term's where it can; where no other term has any, it cannot). The hours
    chart shows an outcome's total over all time as its bands' sum, and as its one band
    where it has one (`outcomes._view`, `school_tables.table_hidden`: such a total is then
    hidden with any of its cells); the pairings' counts by status show it to a governor.
    And, for an aggregate-only role, the outcomes those counts hide as cover
    (`counts_cover.charted_cover`: hidden in a term of the headline too). One answer per
    store change, viewer and day."""
    if viewer.sees_everyone:
        return frozenset()
    as_of = as_of or date.today()
    key = ("chart_hiding.totals_unshown", viewer, as_of)
    return changes.remembered(changes.mark(con), key, lambda: _unshown(con, viewer, as_of))


def headline_unshown(con: Connection, viewer: Viewer, as_of: date) -> frozenset[str]:
    """`totals_unshown` before the counts' cover (`counts_cover.cover_of` weighs it), the
    headline as its terms are suppressed without that cover. Remembered as it."""
    key = ("chart_hiding.headline_unshown", viewer, as_of)
    return changes.remembered(
        changes.mark(con), key, lambda: _unshown(con, viewer, as_of, cover=False)
    )


def _unshown(con: Connection, viewer: Viewer, as_of: date, cover: bool = True) -> frozenset[str]:
    """`totals_unshown`, worked out from the headline's terms as the page suppresses them."""
    from brokering.dashboard import transfer  # it reads the charts from here
    from brokering.dashboard.counts_cover import charted_cover

    f = facts(con)
    term = term_of(as_of)
    terms = transfer._joint_periods(con, viewer, ALLIANCE, as_of, [term, previous_term(term)], f)
    bounds = [(t.start, t.end) for t in terms]
    got = transfer._guarded_views(con, viewer, ALLIANCE, bounds, as_of, f, cover=cover)
    shown = unshown_of([o[None] for o in got[1]])
    return shown | charted_cover(con, viewer, as_of) if cover else shown


#: Each outcome's own figure of a term (shown as 0 where it has none: `hiding.guard_all`).
TERM_FIGURE = {"transferred": "transferred", "not transferred": "not_transferred"}


def unshown_of(whole: list[dict[str, tuple[float | None, bool]]]) -> frozenset[str]:
    """`totals_unshown` from the alliance's suppressed figures over all areas, term by term
    (key -> (value, hidden)): the outcomes whose figure exactly one term hides. A term
    whose own figure of the outcome is 0 hides none of it, whatever is hidden beside it
    (its rate hidden as cover, say): the total over all time is then the one other hidden
    term's figure (found: SUMMER_TOLD_BY_THE_TOTAL, tests/test_hours_by_area_found.py)."""
    return frozenset(
        outcome
        for outcome, keys in TERM_HIDES.items()
        if sum(hides(w, outcome, keys) for w in whole) == 1
    )


def hides(w: dict[str, tuple[float | None, bool]], outcome: str, keys: tuple[str, ...]) -> bool:
    """Whether one term's figures (`w`, as suppressed) leave its figure of `outcome`
    unknown: one of `keys` hidden, and the figure itself not shown as 0."""
    own = w.get(TERM_FIGURE[outcome])
    if own is not None and not own[1] and own[0] == 0:
        return False
    return any(w[k][1] for k in keys if k in w)


def across_schools(
    con: Connection,
    f: Facts,
    viewer: Viewer,
    school_id: str,
    cells_sql: str,
    values: list[object],
    keys: list[str],
) -> pd.DataFrame:
    """Per cell of a chart (`keys`: its columns in `cells_sql`, which yields pairing_id and
    them for the whole alliance, a pairing at most once per cell): `part`, True where a part
    of the school's cell rests on 1 to threshold-1 people the viewer cannot see; `elsewhere`
    and `unseen`, the people the viewer cannot see behind the work elsewhere and behind the
    alliance's cell. Only cells with pairings from the school are returned."""
    # `listed`: `m` is the facts' people, all on the staff list, so those the viewer cannot
    # see are looked up among the list's unseen quarter (for a head), not matched against
    # its seen three quarters — the same people, a third of this read at national scale.
    unseen, params = unseen_sql(viewer, "m", listed=True)
    t = SUPPRESSION_THRESHOLD
    cols = ", ".join(f'"{k}"' for k in keys)
    frame = query_df(
        con,
        f"""
        WITH c AS ({cells_sql}),
        mine AS (SELECT DISTINCT pairing_id FROM {f.people} WHERE school_id = ?),
        cm AS (SELECT c.* FROM c SEMI JOIN mine USING (pairing_id)),
        -- only the school's cells: the rest of the alliance's table is not its concern
        cc AS MATERIALIZED (
            SELECT c.*, c.pairing_id IN (SELECT pairing_id FROM mine) AS here
            FROM c SEMI JOIN (SELECT DISTINCT {cols} FROM cm) ks USING ({cols})),
        atom AS (
            SELECT pairing_id, list(DISTINCT school_id ORDER BY school_id) AS schools
            FROM {f.people} SEMI JOIN cm USING (pairing_id) GROUP BY pairing_id),
        w AS (
            SELECT cc.*, atom.schools AS part, m.staff_ref, {unseen} AS u
            FROM cc LEFT JOIN atom USING (pairing_id) JOIN {f.people} m USING (pairing_id)),
        per AS (
            SELECT {cols}, here, part, count(DISTINCT staff_ref) FILTER (WHERE u) AS unseen
            FROM w GROUP BY ALL),
        whole AS (
            SELECT {cols}, count(DISTINCT staff_ref) FILTER (WHERE u) AS unseen
            FROM w GROUP BY ALL)
        SELECT {cols}, bool_or(per.here AND per.unseen BETWEEN 1 AND {t - 1}) AS part,
               coalesce(max(per.unseen) FILTER (WHERE NOT per.here), 0) AS elsewhere,
               any_value(whole.unseen) AS unseen
        FROM per JOIN whole USING ({cols}) GROUP BY ALL
        """,
        [*values, school_id, *params],
    )
    return frame


#: The rows `levels_ctes` weighs (its `cells` and `totals`), as one frame for `split_levels`.
LEVELS_SELECT = """
        SELECT outcome, r, k, level, part, elsewhere, unseen FROM cells
        UNION ALL
        SELECT outcome, r, k, level, part, elsewhere, unseen FROM totals"""


def levels_ctes(f: Facts, cells_sql: str, unseen: str, also: str | None = None) -> str:
    """What `grid_beside` weighs for a school's table, as CTEs (their parameters:
    `cells_sql`'s values, the school, and `unseen`'s, in that order; `cells_sql` yields the
    alliance's (pairing_id, outcome, r, k)): `cells`, per cell of the school's (level 0:
    outcome, r, k), `across_schools`' part, elsewhere and unseen; `totals`, per row total
    (level 1: outcome, r) and column total (level 2: outcome, k) of the school's, only
    whether the work elsewhere rests on nobody the viewer cannot see (`elsewhere` 0; else
    1), with no distinct count (a column's total spans most of the alliance); and `pm`, the
    people (pairing_id,
    staff_ref, school_id, side, u: one the viewer cannot see, `unseen` of alias `m`) of the
    alliance's pairings in the school's rows and columns — and of those `also` (a CTE of
    pairing ids, defined before) names. Why one pass: the school's cells are among its rows
    and columns, so their people and who of them the viewer cannot see (one look at the
    staff list) are read once for both; as two statements the cells' alone cost as much as
    the totals' (the same scans of the cells, the people and the staff list, for a hundred
    pairings)."""
    t = SUPPRESSION_THRESHOLD
    keys = '"outcome", "r", "k"'
    more = f" UNION ALL SELECT pairing_id FROM {also}" if also else ""
    return f"""
        wc AS ({cells_sql}),
        mine AS (SELECT DISTINCT pairing_id FROM {f.people} WHERE school_id = ?),
        cm AS MATERIALIZED (SELECT wc.* FROM wc SEMI JOIN mine USING (pairing_id)),
        -- the alliance's pairings in the school's rows and columns (its cells among them)
        rel AS MATERIALIZED (
            SELECT wc.*, wc.pairing_id IN (SELECT pairing_id FROM mine) AS here FROM wc
            WHERE (outcome, r) IN (SELECT (outcome, r) FROM cm)
               OR (outcome, k) IN (SELECT (outcome, k) FROM cm)),
        pm AS MATERIALIZED (
            SELECT m.pairing_id, m.staff_ref, m.school_id, m.side, {unseen} AS u
            FROM {f.people} m
            WHERE m.pairing_id IN (SELECT pairing_id FROM rel{more})),
        -- the cells (`across_schools`), each of the school's pairings with its set of schools
        cc AS MATERIALIZED (
            SELECT rel.* FROM rel SEMI JOIN (SELECT DISTINCT {keys} FROM cm) ks USING ({keys})),
        atom AS (
            SELECT pairing_id, list(DISTINCT school_id ORDER BY school_id) AS schools
            FROM pm SEMI JOIN cm USING (pairing_id) GROUP BY pairing_id),
        cw AS (
            SELECT cc.*, atom.schools AS part, m.staff_ref, m.u
            FROM cc LEFT JOIN atom USING (pairing_id) JOIN pm m USING (pairing_id)),
        per AS (
            SELECT {keys}, here, part, count(DISTINCT staff_ref) FILTER (WHERE u) AS unseen
            FROM cw GROUP BY ALL),
        whole AS (
            SELECT {keys}, count(DISTINCT staff_ref) FILTER (WHERE u) AS unseen
            FROM cw GROUP BY ALL),
        cells AS (
            SELECT {keys}, 0 AS level,
                   bool_or(per.here AND per.unseen BETWEEN 1 AND {t - 1}) AS part,
                   coalesce(max(per.unseen) FILTER (WHERE NOT per.here), 0) AS elsewhere,
                   any_value(whole.unseen) AS unseen
            FROM per JOIN whole USING ({keys}) GROUP BY ALL),
        -- the totals: whether the work elsewhere rests on anyone unseen
        away AS (SELECT * FROM rel WHERE NOT here),
        seen AS (SELECT DISTINCT pairing_id FROM pm WHERE u),
        totals AS (
            SELECT outcome, r, k, grouping(r, k) AS level, FALSE AS part,
                   CASE WHEN bool_or(pairing_id IN (SELECT pairing_id FROM seen)) THEN 1
                        ELSE 0 END AS elsewhere, 0 AS unseen
            FROM away GROUP BY GROUPING SETS ((outcome, r), (outcome, k))
            -- only the school's totals (the rest, thousands at national scale, are not
            -- looked up)
            HAVING (grouping(r, k) = 1
                    AND (r IS NULL OR (outcome, r) IN (SELECT (outcome, r) FROM cm)))
                OR (grouping(r, k) = 2
                    AND (k IS NULL OR (outcome, k) IN (SELECT (outcome, k) FROM cm))))"""


def split_levels(frame: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """What `grid_beside` weighs (`levels`) from the rows of `LEVELS_SELECT`: the cells
    (level 0: part, elsewhere, unseen) and the totals (levels 1 and 2: elsewhere)."""
    level = frame["level"].to_numpy()
    cells = frame[level == 0][["outcome", "r", "k", "part", "elsewhere", "unseen"]]
    cells = cells.astype({"part": bool, "elsewhere": np.int64, "unseen": np.int64})
    totals = frame[["outcome", "r", "k", "level", "elsewhere"]]
    return {0: cells.reset_index(drop=True), 1: totals[level == 1], 2: totals[level == 2]}


def hidden_beside(got: pd.DataFrame, alliance_hidden: pd.Series) -> pd.Series:
    """Per cell of `across_schools`' answer (same index as `alliance_hidden`, the
    alliance's cells as its view hides them): the school's cell is hidden for the other
    views' sake. Where the work elsewhere rests on nobody the viewer cannot see, the
    school's cell is the alliance's less what they know: hidden exactly when the alliance's
    is (hiding it otherwise protects nothing). Else where a part or the work elsewhere rests
    on too few people, or the alliance's is hidden."""
    elsewhere = got["elsewhere"]
    few = (elsewhere > 0) & (elsewhere < SUPPRESSION_THRESHOLD)
    return alliance_hidden.where(elsewhere == 0, alliance_hidden | got["part"] | few)


def grid_beside(
    grid: pd.DataFrame,
    whole: pd.DataFrame,
    theirs: np.ndarray,
    levels: dict[int, pd.DataFrame],
    rule: Callable[[pd.DataFrame], np.ndarray],
) -> np.ndarray:
    """`rule` (`school_tables.table_hidden`: how a counted table's views hide it) for a
    school's table (`grid`, as `school_tables.grid` counts it) beside the alliance's
    (`whole`, hidden as its own views hide it: `theirs`, aligned with it; `levels`: what
    `levels_ctes` weighs for the school): each cell hidden for the other views' sake
    (`hidden_beside`) counts as hidden on its own people, and each that is the alliance's
    shown cell less what the viewer knows as resting on nobody unseen (shown, and never
    picked to hide beside another); then the table is suppressed as any (a margin with a
    hidden cell hidden), and a margin that is the alliance's less what the viewer knows is
    hidden exactly as the alliance's is. Aligned with `grid`."""
    if grid.empty:
        return np.zeros(0, bool)
    unseen = grid["unseen"].to_numpy(np.int64).copy()
    hidden = np.zeros(len(grid), bool)
    for level, keys in ((0, ["outcome", "r", "k"]), (1, ["outcome", "r"]), (2, ["outcome", "k"])):
        cols = [{"r": "row", "k": "col"}.get(k, k) for k in keys]
        got = levels[level]
        got_keys = _keys(got, keys)
        mine = np.flatnonzero(grid["level"].to_numpy() == level)
        # Only the alliance's figures in the school's rows (areas) are looked up — the
        # school's own, and for the cells those `levels_ctes` weighs: the rest of a
        # national table (90,000 cells) is left out before matching.
        side = cols[1]
        near = grid[side].iloc[mine].astype(object)
        if level == 0:
            near = pd.concat([near, got[keys[1]].astype(object)])
        named = [str(v) for v in near.dropna().unique()]  # as text: isin's quick path
        there = whole[side].isin(named).to_numpy(bool)
        if near.isna().any():
            there |= whole[side].isna().to_numpy(bool)
        at = (whole["level"].to_numpy() == level) & there
        alliance_hidden = dict(zip(_keys(whole[at], cols), theirs[at], strict=True))
        if level == 0:
            alliance = pd.Series([bool(alliance_hidden.get(k, False)) for k in got_keys])
            same = dict(zip(got_keys, got["elsewhere"].to_numpy() == 0, strict=True))
            forced = dict(zip(got_keys, hidden_beside(got, alliance), strict=True))
            for i, k in zip(mine, _keys(grid.iloc[mine], cols), strict=True):
                if same.get(k, False):
                    unseen[i] = 1 if alliance_hidden.get(k, False) else 0
                elif forced.get(k, False):
                    unseen[i] = 1
            hidden = rule(grid.assign(unseen=unseen))
            continue
        # A total with no work elsewhere resting on anyone unseen (none listed: none at all).
        away = {k for k, e in zip(got_keys, got["elsewhere"].to_numpy(), strict=True) if e}
        # Else hidden with any of its cells, even as an outcome's only row: that total is
        # then the school's figure of the outcome, which its headline need not show (hidden
        # for the work elsewhere's sake, it is not there to be worked out from).
        inner = (grid["level"].to_numpy() == 0) & hidden
        held = set(_keys(grid[inner], cols))
        for i, k in zip(mine, _keys(grid.iloc[mine], cols), strict=True):
            if k not in away:
                hidden[i] = bool(alliance_hidden.get(k, False))
            elif k in held:
                hidden[i] = True
    # An outcome with one cell: the cell, its row's total and its column's are one figure
    # (the rule may show both totals as the grand total, which a cell hidden here for
    # the other views' sake is too).
    outcome, level = grid["outcome"].to_numpy(object), grid["level"].to_numpy()
    for out in pd.unique(outcome[level == 0]):
        this = outcome == out
        if (this & (level == 0)).sum() == 1 and hidden[this].any():
            hidden[this] = True
    return hidden


def _keys(frame: pd.DataFrame, cols: list[str]) -> list[tuple]:
    """The rows of `frame` as tuples of `cols`, to match cells across two tables."""
    return list(zip(*(frame[c].to_numpy(object) for c in cols), strict=True))


def ratings_beside(
    areas: pd.Series,
    own: np.ndarray,
    *,
    tied: np.ndarray | None,
    got: pd.DataFrame,
) -> np.ndarray:
    """Which of a school's ratings by area (`areas`; `own`: hidden on its own people;
    `tied`: hidden as its outcomes' figures) are hidden beside the alliance's and the other
    schools' views (`hidden_beside`; the alliance's ratings are hidden on their own people
    alone). The averages' counts are shown, so each area is a sum of pairings, and of
    ratings, like any other cell. `got`: each area's `part`, `elsewhere` and `unseen` as
    `across_schools` counts them (`ratings._school_sql` reads them with the ratings)."""
    alliance = pd.Series(primary(got["unseen"]), index=got.index)
    beside = areas.map(hidden_beside(got, alliance)).fillna(True).to_numpy(bool)
    # Hidden on its own people too (or as its outcomes' figures), unless it is the
    # alliance's less what they know.
    known = areas.map(got["elsewhere"] == 0).fillna(False).to_numpy(bool)
    mine = own if tied is None else own | tied
    return beside | (mine & ~known)


def labelled(con: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """A view by school with each school's `label` (as `outcomes._view`'s `named`)."""
    # Only the view's schools' names: a national store has 20,000.
    names = query_df(
        con,
        'SELECT school_id AS "row", name FROM schools '
        "WHERE school_id IN (SELECT unnest(?::VARCHAR[]))",
        [[str(r) for r in frame["row"].dropna().unique()]],
    )
    frame = frame.merge(names, on="row", how="left")
    frame["label"] = frame["name"].fillna(frame["row"])
    shared = frame.groupby("label")["row"].transform("nunique") > 1
    frame.loc[shared, "label"] += " (" + frame.loc[shared, "row"] + ")"
    frame = frame.drop(columns=["name"]).sort_values(["label", "outcome"], kind="stable")
    return frame.reset_index(drop=True)
