"""The two ways a practice rank is answered, each one short function:

- `practice_top`, the SQL route: rank the skill's stored (or inline) parts, then look up only
  the leading candidates in the live staff table under the viewer's visibility;
- `held_top`, the held-rows route: the same rank from the skill's leading rows kept in memory
  (`find.leaders`), confirmed current by the staff lookup's own read.

`joined_top` serves coaching and blended ranks and school filters in one joined query. The
shared tie-break (score, confidence, latest evidence, reference) is docs/SCORING.md's.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from brokering import changes
from brokering.db import Connection
from brokering.find import leaders as find_leaders
from brokering.find import maintenance
from brokering.find import scores as find_scores
from brokering.find.result import frame
from brokering.scoring import ScoringParams
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql


def staff_filters(
    viewer: Viewer, stages: tuple[str, ...], school_id: str | None
) -> tuple[str, list[object]]:
    vis, values = visible_staff_sql(viewer, "st")
    where = [vis]
    values = list(values)
    if stages:
        where.append("(len(st.phases) = 0 OR list_has_any(st.phases, ?::VARCHAR[]))")
        values.append(list(stages))
    if school_id:
        where.append("st.school_id = ?")
        values.append(school_id)
    return " AND ".join(where), values


_PCT = find_scores.PCT_SQL


def joined_top(
    con: Connection,
    source: find_scores.PartsSource,
    grouped: str,
    g_values: list[object],
    where: str,
    w_values: list[object],
    rank_by: str,
    top: int,
    blend: float,
    params: ScoringParams,
) -> list[dict[str, Any]]:
    """Coaching or blended ranks (and any school filter): every candidate joined with the
    visible staff, scored and ordered in one query."""
    pm, pc, p_values = find_scores.practice_sql(source, params)
    cm, cc, c_values = find_scores.coaching_sql(source, params, "st.coach_trained")
    candidates = "g.n > 0" if rank_by == "practice" else "(g.n > 0 OR g.c_n > 0)"
    score = {"practice": "practice_score", "coaching": "coaching_score", "blend": "blend_score"}
    conf = {
        "practice": "practice_confidence",
        "coaching": "coaching_confidence",
        "blend": "(1 - ?) * practice_confidence + ? * coaching_confidence",
    }
    sql = f"""
        SELECT *, {_PCT.format("practice_mean")} AS practice_score,
               {_PCT.format("coaching_mean")} AS coaching_score,
               {_PCT.format("(1 - ?) * practice_mean + ? * coaching_mean")} AS blend_score
        FROM (
            SELECT g.staff_ref, st.school_id, sc.name AS school, st.role, st.phases, g.n,
                   g.latest, g.c_n,
                   {pm} AS practice_mean, {pc} AS practice_confidence,
                   {cm} AS coaching_mean, {cc} AS coaching_confidence
            FROM {grouped} g JOIN staff st USING (staff_ref)
            JOIN schools sc ON sc.school_id = st.school_id
            WHERE {where} AND {candidates}
        )
        ORDER BY {score[rank_by]} DESC, {conf[rank_by]} DESC, latest DESC NULLS LAST, staff_ref
        LIMIT ?
    """  # noqa: S608 - fragments are code; values are parameters
    values = [blend, blend, *p_values, *c_values, *g_values, *w_values]
    values += [blend, blend] if rank_by == "blend" else []
    cur = con.execute(sql, [*values, top])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


#: Candidates ranked per query on the fast route. Above DuckDB's late-materialisation limit
#: (50 rows), which would otherwise read the skill's row group twice for a narrow table.
_WINDOW = 64


class _Beyond(Exception):
    """The find needs more candidates than are certainly among the held rows: it starts
    again on the SQL route (the held rows stay: they still answer shorter lists)."""


class _Stale(_Beyond):
    """The store no longer holds the build the rows came from (`skill_only`: the build
    stands, but the skill's name or area changed): drop them, then the SQL route."""

    def __init__(self, skill_only: bool = False) -> None:
        super().__init__()
        self.skill_only = skill_only


@dataclass(frozen=True)
class _Expect:
    """What a lookup's own read must confirm for held rows to stand: this parts build is
    current and the skill's name and area are still those held."""

    build_id: str
    skill_id: str
    skill: tuple[str, str]


def _lookup(
    con: Connection,
    refs: list[str],
    where: str,
    w_values: list[object],
    expect: _Expect | None = None,
    at: changes.Mark | None = None,
) -> dict[str, tuple[Any, ...]]:
    """Staff rows for `refs` that the viewer may see: read by key (the primary-key index, kept
    by materialising the keyed read first), then filtered by the visibility predicate. With
    `expect`, one more row of the same read reports the current parts build and the skill
    (else `_Stale`): rows held in memory are then as true as the store's own. With the
    store's change mark `at`, the read's rows are remembered under it (`changes.remembered`,
    keyed on the statement and its values, the viewer's visibility among them): a repeat
    find before anything is written reads the mark instead."""
    marks = ", ".join("?" for _ in refs)
    check = (
        f" UNION ALL SELECT NULL, {maintenance.CURRENT_BUILD_SQL}, NULL,"
        f" {find_leaders.SKILL_SQL}, NULL"
        if expect
        else ""
    )
    sql = f"""WITH st AS MATERIALIZED (
                SELECT staff_ref, school_id, role, phases, coach_trained, left_on,
                       share_consent
                FROM staff WHERE staff_ref IN ({marks}))
            SELECT st.staff_ref, st.school_id, st.role, st.phases, st.coach_trained
            FROM st WHERE {where}{check}"""  # noqa: S608
    values = [*refs, *w_values, *([expect.skill_id] if expect else [])]

    def read() -> list[tuple[Any, ...]]:
        try:
            return con.execute(sql, values).fetchall()
        except (duckdb.CatalogException, duckdb.BinderException):
            if not expect:
                raise
            raise _Stale from None  # the parts are gone (or of an older layout)

    rows = changes.remembered(at, ("find.lookup", sql, changes.hashable(values)), read)
    if expect:
        check_row = next((r for r in rows if r[0] is None), None)
        if check_row is None or check_row[1] != expect.build_id:
            raise _Stale
        if check_row[3] != list(expect.skill):
            raise _Stale(skill_only=True)
    return {r[0]: r[1:] for r in rows if r[0] is not None}


def _visible(
    candidates: Iterator[dict[str, Any]],
    lookup: Callable[[list[str]], dict[str, tuple[Any, ...]]],
    top: int,
    batch: int,
    factor: float,
    blend: float,
    params: ScoringParams,
) -> list[dict[str, Any]]:
    """The first `top` candidates (in rank order) the viewer may see, looked up a batch at a
    time, each with the coaching score the live coach-training flag gives."""
    out: list[dict[str, Any]] = []
    while len(out) < top and (chunk := list(itertools.islice(candidates, batch))):
        staff = lookup([c["staff_ref"] for c in chunk])
        for c in chunk:
            if c["staff_ref"] not in staff or len(out) >= top:
                continue
            c["school_id"], c["role"], c["phases"], trained = staff[c["staff_ref"]]
            mean, conf = find_scores.coaching_value(
                c["c_sw"], c["c_w"], bool(trained), factor, params
            )
            c["coaching_mean"], c["coaching_confidence"] = mean, conf
            c["coaching_score"] = find_scores.percent(mean)
            c["blend_score"] = find_scores.percent((1 - blend) * c["practice_mean"] + blend * mean)
            out.append(c)
    return out


def _batch(top: int, sees_everyone: bool) -> int:
    """Candidates looked up at once: a few spare when everyone is visible, else twice `top`."""
    return top + max(2, top // 4) if sees_everyone else 2 * top


def held_top(
    con: Connection,
    viewer: Viewer,
    skill_id: str,
    where: str,
    w_values: list[object],
    top: int,
    blend: float,
    as_of: date,
    params: ScoringParams,
    confirmed: str | None,
    build: find_leaders.Build | None = None,
) -> pd.DataFrame | None:
    """The practice rank from the skill's leading rows held in memory (`find_leaders`), when
    the newest build seen (or the caller's `build`) can answer; None sends the find down the
    SQL route. The build must be confirmed current: by the caller's read (`confirmed`) or,
    failing that, by the first staff lookup (which also confirms the held name and area of
    the skill). Only a failed confirmation drops held rows; a list longer than the held rows
    can answer for leaves them for the next find."""
    build = build or find_leaders.build_for(as_of, params)
    if build is not None and confirmed is not None and confirmed != build.build_id:
        find_leaders.forget(build)
        return None
    held = find_leaders.leaders(con, build, skill_id) if build is not None else None
    if build is None or held is None:
        return None
    factor = 0.5 ** ((as_of - build.epoch).days / params.half_life_days)
    aged = 0.5 ** ((as_of - build.ranked_at).days / params.half_life_days)
    order, certain = find_leaders.ranked(held, factor, params, aged)
    unconfirmed = confirmed is None
    at = changes.mark(con)

    def candidates() -> Iterator[dict[str, Any]]:
        for i, entry in enumerate(order):
            if i >= certain:
                raise _Beyond
            yield find_leaders.candidate(held, entry)
        if not held.complete:  # more rows than are held: the SQL route must go on
            raise _Beyond

    def lookup(refs: list[str]) -> dict[str, tuple[Any, ...]]:
        nonlocal unconfirmed
        expect = _Expect(build.build_id, skill_id, (held.name, held.area))
        found = _lookup(con, refs, where, w_values, expect if unconfirmed else None, at)
        unconfirmed = False
        return found

    try:
        batch = _batch(top, viewer.sees_everyone)
        rows = _visible(candidates(), lookup, top, batch, factor, blend, params)
    except _Stale as stale:
        if stale.skill_only:
            build.skills.pop(skill_id, None)
        else:  # the store holds another build (or none)
            find_leaders.forget(build)
        return None
    except _Beyond:
        return None
    names = find_leaders.school_names(con, build, {r["school_id"] for r in rows})
    for r in rows:
        r["school"] = names[r["school_id"]]
    return frame(con, rows, "practice", blend)


def _score_floor(source: find_scores.PartsSource, need: int, params: ScoringParams) -> float:
    """The source's s1 bound (rows read in s1 order skip the rest); a seam the tests watch."""
    return source.floor(need, params)


def practice_top(
    con: Connection,
    source: find_scores.PartsSource,
    grouped: str,
    g_values: list[object],
    where: str,
    w_values: list[object],
    top: int,
    blend: float,
    params: ScoringParams,
    sees_everyone: bool,
) -> list[dict[str, Any]]:
    """Rank the skill's parts first (no join), then look up only the leading candidates in
    the live staff table, by key, under the viewer's visibility, a batch at a time until
    `top` visible people are found or the candidates run out. At national scale this keeps a
    find within milliseconds: staff is read by index, never scanned."""
    pm, pc, p_values = find_scores.practice_sql(source, params)
    ranked_sql = f"""
        SELECT staff_ref, n, latest, c_sw, c_w, c_n, practice_mean, practice_confidence,
               {_PCT.format("practice_mean")} AS practice_score
        FROM (SELECT g.*, {pm} AS practice_mean, {pc} AS practice_confidence
              FROM {grouped} g WHERE g.n > 0 AND g.s1 >= ?)
        ORDER BY practice_score DESC, practice_confidence DESC, latest DESC NULLS LAST,
                 staff_ref
        LIMIT ? OFFSET ?
    """  # noqa: S608 - fragments are code; values are parameters

    def candidates() -> Iterator[dict[str, Any]]:
        offset, window = 0, max(_WINDOW, 2 * top)
        while True:
            floor = _score_floor(source, offset + window, params)
            cur = con.execute(ranked_sql, [*p_values, *g_values, floor, window, offset])
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
            yield from (dict(zip(names, r, strict=True)) for r in rows)
            if len(rows) < window:
                return
            offset += window
            window *= 2

    return _visible(
        candidates(),
        lambda refs: _lookup(con, refs, where, w_values),
        top,
        _batch(top, sees_everyone),
        source.factor,
        blend,
        params,
    )
