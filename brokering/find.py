"""Find expertise: "in which of our schools is the best teacher of X?" — ranked, explained,
and private.

Why these pieces: a leader types a skill the way they say it; `resolve_query` turns it into a
taxonomy skill and a phase filter, or refuses with choices. `find_expertise` ranks the people
the viewer may see by practice strength, coaching strength or a blend the leader sets, with
a deterministic order; `explain` opens any rank. `depth_by_school` and `gap_map` (in
`find_depth`) answer "which school?" and "where must we look outside?" without singling
anyone out. Visibility is applied in SQL on the live staff table, every time.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from brokering import audit, find_leaders, find_scores, maintenance
from brokering.db import Connection
from brokering.errors import NotFoundError, ValidationError
from brokering.find_depth import depth_by_school, gap_map
from brokering.find_query import (
    QueryNotResolved,
    QueryResolver,
    ResolvedQuery,
    parse_phase,
    resolve_query,
)
from brokering.scoring import (
    DEFAULT_PARAMS,
    ScoringParams,
    explain_coaching,
    explain_practice,
    to_percent,
)
from brokering.taxonomy import SkillMatcher
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

__all__ = [
    "RANK_BY",
    "Explanation",
    "FindResult",
    "QueryNotResolved",
    "QueryResolver",
    "RelatedSkill",
    "ResolvedQuery",
    "depth_by_school",
    "explain",
    "find_expertise",
    "gap_map",
    "related_skills",
    "resolve_query",
]

RANK_BY = ("practice", "coaching", "blend")
MAX_TOP = 500
#: Columns of `FindResult.rows`, in display order.
RESULT_COLUMNS = [
    "rank",
    "staff_ref",
    "school_id",
    "school",
    "role",
    "phases",
    "practice_score",
    "coaching_score",
    "blend_score",
    "score",
    "confidence",
    "practice_confidence",
    "coaching_confidence",
    "evidence_count",
    "latest_evidence",
    "coaching_records",
]


@dataclass(frozen=True)
class RelatedSkill:
    """A skill near the one searched for in which the viewer can see someone with evidence."""

    skill_id: str
    name: str


@dataclass(frozen=True)
class FindResult:
    """A ranked answer, what it was for, and — when empty — why and where to look next."""

    skill_id: str
    skill_name: str
    area: str
    phases: tuple[str, ...]
    school_id: str | None
    rank_by: str
    blend: float
    as_of: date
    rows: pd.DataFrame
    query: ResolvedQuery | None = None
    message: str = ""
    related: tuple[RelatedSkill, ...] = field(default_factory=tuple)
    stored_parts: bool = False

    @property
    def empty(self) -> bool:
        return self.rows.empty

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `python -m brokering find --json` (docs/CLI.md)."""
        results = []
        for r in self.rows.itertuples(index=False):
            results.append(
                {
                    "rank": int(r.rank),
                    "staff_ref": r.staff_ref,
                    "school_id": r.school_id,
                    "school": r.school,
                    "role": r.role,
                    "phases": list(r.phases),
                    "practice_score": float(r.practice_score),
                    "coaching_score": float(r.coaching_score),
                    "blend_score": float(r.blend_score),
                    "confidence": round(float(r.confidence), 3),
                    "evidence_count": int(r.evidence_count),
                    "latest_evidence": None
                    if pd.isna(r.latest_evidence)
                    else pd.Timestamp(r.latest_evidence).date().isoformat(),
                }
            )
        return {
            "ok": True,
            "skill": {"id": self.skill_id, "name": self.skill_name, "area": self.area},
            "phase": list(self.phases),
            "phase_words": list(self.query.phase_words) if self.query else [],
            "school_id": self.school_id,
            "rank_by": self.rank_by,
            "blend": self.blend,
            "as_of": self.as_of.isoformat(),
            "results": results,
            "message": self.message,
            "related": [{"id": r.skill_id, "name": r.name} for r in self.related],
        }


@dataclass(frozen=True)
class _Skill:
    name: str
    area: str
    #: The parts build confirmed current by the same read (None: not asked, or stale).
    build_id: str | None = None


def _skill_row(con: Connection, skill_id: str, confirm: bool = False) -> _Skill | None:
    """The skill's name and area; with `confirm`, the same statement says which build of the
    stored parts is current, so a find from held rows costs no statement of its own for it."""
    build = maintenance.CURRENT_BUILD_SQL if confirm else "NULL"
    sql = f"SELECT name, area, {build} FROM skills WHERE skill_id = ?"  # noqa: S608
    try:
        rows = con.execute(sql, [skill_id]).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):
        if not confirm:
            raise
        return _skill_row(con, skill_id)  # no parts (dropped, or an older layout)
    return _Skill(*rows[0]) if rows else None


def _check_school(con: Connection, school_id: str | None) -> None:
    if school_id is None:
        return
    if not con.execute("SELECT 1 FROM schools WHERE school_id = ?", [school_id]).fetchall():
        raise ValidationError(
            f"No school with the reference “{school_id}” is in the alliance. Leave the school "
            "filter empty to search every school."
        )


def _by_id(skill_id: str, name: str) -> ResolvedQuery:
    """A search that was a skill id, taken as it is."""
    return ResolvedQuery(skill_id, skill_id, name, how="skill id", understood_as=skill_id)


def _resolve(
    con: Connection,
    query_or_skill: str | ResolvedQuery,
    resolver: QueryResolver | None,
    confirm: bool = False,
) -> tuple[ResolvedQuery, _Skill]:
    """The query and its skill: a skill id is taken as it is, text resolved. `confirm` asks
    the skill's read to confirm the current parts build too (see `_skill_row`)."""
    if isinstance(query_or_skill, ResolvedQuery):
        query = query_or_skill
    else:
        text = str(query_or_skill).strip()
        known = _skill_row(con, text, confirm) if text else None
        if known:
            return _by_id(text, known.name), known
        resolver = resolver or QueryResolver(SkillMatcher.from_db(con))
        query = resolver.resolve(text)
    skill = _skill_row(con, query.skill_id, confirm)
    if skill is None:
        raise NotFoundError(f"The skill “{query.skill_id}” is not in the taxonomy.")
    return query, skill


@find_scores.plain_errors("search")
def find_expertise(
    con: Connection,
    viewer: Viewer,
    query_or_skill: str | ResolvedQuery,
    *,
    phase: str | tuple[str, ...] | list[str] | None = None,
    school_id: str | None = None,
    top: int = 20,
    rank_by: str = "practice",
    blend: float = 0.5,
    as_of: date | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
    resolver: QueryResolver | None = None,
    audited: bool = True,
) -> FindResult:
    """The strongest people in a skill that `viewer` may see, best first.

    `query_or_skill` is a search ("yr 6 maths"), a skill id, or an already resolved query.
    An explicit `phase` replaces the one the search's phase words gave. `rank_by` chooses the
    practice score, the coaching score, or a blend in which `blend` is coaching's share.
    Ties: score (to one decimal), then confidence, then latest evidence, then staff_ref.
    Every search goes to the audit trail; `audited=False` is for callers that list staff for
    a purpose of their own (candidates for a need) and record that purpose instead, so one
    request leaves one entry whichever route answered it.
    """
    viewer.require_listing()
    if rank_by not in RANK_BY:
        raise ValidationError(f"Rank by one of: {', '.join(RANK_BY)}.")
    if not 0.0 <= float(blend) <= 1.0:
        raise ValidationError("The blend is coaching's share of the score, from 0 to 1.")
    if not 1 <= int(top) <= MAX_TOP:
        raise ValidationError(f"Ask for between 1 and {MAX_TOP} results.")
    as_of = as_of or date.today()
    held = rank_by == "practice" and school_id is None
    held = held and find_leaders.build_for(as_of, params) is not None
    quick = (
        _held_find(con, viewer, query_or_skill, phase, int(top), float(blend), as_of, params)
        if held
        else None
    )
    if isinstance(quick, tuple):
        query, skill, stages, rows = quick
        stored = True
    else:
        held = held and quick is None  # tried and refused (False): not again on this find
        query, skill = _resolve(con, query_or_skill, resolver, confirm=held)
        stages = parse_phase(phase) if phase else query.phases
        _check_school(con, school_id)
        rows, stored = _ranked(
            con,
            viewer,
            query.skill_id,
            stages,
            school_id,
            rank_by,
            float(blend),
            int(top),
            as_of,
            params,
            confirmed=skill.build_id if held else None,
            # Not again after a refusal, nor when the read just said the parts are stale
            # (the SQL route then notes the current build as the newest).
            use_held=quick is None and not (held and skill.build_id is None),
        )
    message = ""
    related: tuple[RelatedSkill, ...] = ()
    if rows.empty and (stages or school_id):
        where = f" at {', '.join(stages)}" if stages else ""
        there = " in that school" if school_id else ""
        message = (
            f"No one you can see has evidence in {skill.name}{where}{there}. "
            "Try without the phase or school filter."
        )
    elif rows.empty:
        message = f"No one you can see has evidence in {skill.name} yet."
        related = tuple(related_skills(con, viewer, query.skill_id, as_of=as_of, params=params))
        if related:
            message += " These related skills in the same area have some:"
    if audited:
        audit.record(
            con,
            viewer,
            "search",
            {
                "skill": query.skill_id,
                "phases": list(stages),
                "school": school_id,
                "found": len(rows),
            },
        )
    return FindResult(
        skill_id=query.skill_id,
        skill_name=skill.name,
        area=skill.area,
        phases=stages,
        school_id=school_id,
        rank_by=rank_by,
        blend=float(blend),
        as_of=as_of,
        rows=rows,
        query=query,
        message=message,
        related=related,
        stored_parts=stored,
    )


def _held_find(
    con: Connection,
    viewer: Viewer,
    query_or_skill: str | ResolvedQuery,
    phase: str | tuple[str, ...] | list[str] | None,
    top: int,
    blend: float,
    as_of: date,
    params: ScoringParams,
) -> tuple[ResolvedQuery, _Skill, tuple[str, ...], pd.DataFrame] | bool | None:
    """A practice find for every school, answered from a skill's held leading rows with one
    statement (the staff lookup, which also confirms the build and the skill), when the
    skill's rows are held and no phase filter applies. Else None (not tried: the skill's
    rows are not held yet) or False (tried and refused), leaving it to the full route.
    The answer is the full route's, row for row (tests hold them equal)."""
    build = find_leaders.build_for(as_of, params)
    if build is None:
        return None
    text = (
        query_or_skill.skill_id
        if isinstance(query_or_skill, ResolvedQuery)
        else str(query_or_skill).strip()
    )
    held = build.skills.get(text)
    if held is None:
        return None
    if isinstance(query_or_skill, ResolvedQuery):
        query = query_or_skill
    else:
        query = _by_id(text, held.name)
    stages = parse_phase(phase) if phase else query.phases
    if stages:  # a phase filter needs the per-phase parts: the SQL route
        return False
    where, w_values = _staff_filters(viewer, (), None)
    rows = _held_top(con, viewer, text, where, w_values, top, blend, as_of, params, None, build)
    if rows is None:
        return False
    return query, _Skill(held.name, held.area, build.build_id), stages, rows


def _staff_filters(
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


def _ranked(
    con: Connection,
    viewer: Viewer,
    skill_id: str,
    stages: tuple[str, ...],
    school_id: str | None,
    rank_by: str,
    blend: float,
    top: int,
    as_of: date,
    params: ScoringParams,
    confirmed: str | None = None,
    use_held: bool = True,
) -> tuple[pd.DataFrame, bool]:
    """The ranked result table, and whether stored parts answered it. `confirmed` is the
    parts build a read in this find has just confirmed current (None: not asked);
    `use_held=False` skips the held rows (this find has tried them already)."""
    where, w_values = _staff_filters(viewer, stages, school_id)
    if use_held and rank_by == "practice" and not school_id and not stages:
        held = _held_top(
            con, viewer, skill_id, where, w_values, top, blend, as_of, params, confirmed
        )
        if held is not None:
            return held, True
    source = find_scores.parts_source(con, skill_id, as_of, params, stages)
    if source.status is not None:
        find_leaders.remember(source.status)
    grouped, g_values = find_scores.grouped_sql(source, stages)
    if rank_by == "practice" and not school_id:
        rows = _practice_top(
            con,
            source,
            grouped,
            g_values,
            where,
            w_values,
            top,
            blend,
            params,
            viewer.sees_everyone,
        )
    else:
        rows = _joined_top(
            con, source, grouped, g_values, where, w_values, rank_by, top, blend, params
        )
    return _frame(con, rows, rank_by, blend), source.stored


def _joined_top(
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
) -> dict[str, tuple[Any, ...]]:
    """Staff rows for `refs` that the viewer may see: read by key (the primary-key index, kept
    by materialising the keyed read first), then filtered by the visibility predicate. With
    `expect`, one more row of the same read reports the current parts build and the skill
    (else `_Stale`): rows held in memory are then as true as the store's own."""
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
    try:
        rows = con.execute(sql, values).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):
        if not expect:
            raise
        raise _Stale from None  # the parts are gone (or of an older layout)
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


def _held_top(
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
    order, certain = find_leaders.ranked(held, factor, params)
    unconfirmed = confirmed is None

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
        found = _lookup(con, refs, where, w_values, expect if unconfirmed else None)
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
    return _frame(con, rows, "practice", blend)


def _score_floor(source: find_scores.PartsSource, need: int, params: ScoringParams) -> float:
    """The source's s1 bound (rows read in s1 order skip the rest); a seam the tests watch."""
    return source.floor(need, params)


def _practice_top(
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


def _frame(con: Connection, rows: list[dict[str, Any]], rank_by: str, blend: float) -> pd.DataFrame:
    """The ranked rows as the result table, with school names and the rank's confidence."""
    if not rows:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    if "school" not in rows[0]:
        ids = sorted({r["school_id"] for r in rows})
        marks = ", ".join("?" for _ in ids)
        names = dict(
            con.execute(
                f"SELECT school_id, name FROM schools WHERE school_id IN ({marks})",  # noqa: S608
                ids,
            ).fetchall()
        )
        for r in rows:
            r["school"] = names.get(r["school_id"], r["school_id"])
    count = len(rows)

    def floats(key: str) -> np.ndarray:
        return np.fromiter((r[key] for r in rows), dtype=np.float64, count=count)

    def ints(key: str) -> np.ndarray:
        return np.fromiter((r[key] for r in rows), dtype=np.int64, count=count)

    conf = {"practice": floats("practice_confidence"), "coaching": floats("coaching_confidence")}
    conf["blend"] = (1 - blend) * conf["practice"] + blend * conf["coaching"]
    phases = np.empty(count, dtype=object)
    phases[:] = [tuple(r["phases"] or ()) for r in rows]
    columns = {
        "rank": np.arange(1, count + 1, dtype=np.int64),
        "staff_ref": [r["staff_ref"] for r in rows],
        "school_id": [r["school_id"] for r in rows],
        "school": [r["school"] for r in rows],
        "role": [r["role"] for r in rows],
        "phases": phases,
        "practice_score": floats("practice_score"),
        "coaching_score": floats("coaching_score"),
        "blend_score": floats("blend_score"),
        "score": floats(f"{rank_by}_score"),
        "confidence": conf[rank_by],
        "practice_confidence": conf["practice"],
        "coaching_confidence": conf["coaching"],
        "evidence_count": ints("n"),
        "latest_evidence": np.array([r["latest"] for r in rows], dtype="datetime64[s]"),
        "coaching_records": ints("c_n"),
    }
    return pd.DataFrame(columns)


#: Related skills checked for visible evidence before giving up (each check is one find).
_RELATED_CHECKS = 15


@find_scores.plain_errors("look for related skills")
def related_skills(
    con: Connection,
    viewer: Viewer,
    skill_id: str,
    *,
    limit: int = 5,
    as_of: date | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> list[RelatedSkill]:
    """Skills in the same area as `skill_id`, closest first, in which the viewer can see
    someone with evidence: linked through `depends_on` first, then sharing dependencies, then
    similar names. Each candidate is checked with a one-row find, so this stays quick on a
    national store."""
    viewer.require_listing()
    as_of = as_of or date.today()
    rows = con.execute(
        """
        WITH me AS (SELECT area, depends_on, name FROM skills WHERE skill_id = ?)
        SELECT sk.skill_id, sk.name,
               list_contains(sk.depends_on, ?) OR list_contains(me.depends_on, sk.skill_id),
               len(list_intersect(sk.depends_on, me.depends_on)), me.name
        FROM me, skills sk WHERE sk.area = me.area AND sk.skill_id <> ?
        """,
        [skill_id, skill_id, skill_id],
    ).fetchall()
    ranked = sorted(
        rows,
        key=lambda r: (
            -((2.0 if r[2] else 0.0) + 0.5 * r[3] + fuzz.token_set_ratio(r[1], r[4]) / 100.0),
            r[1],
        ),
    )
    found: list[RelatedSkill] = []
    for sid, name, *_ in ranked[:_RELATED_CHECKS]:
        hits, _stored = _ranked(con, viewer, sid, (), None, "practice", 0.0, 1, as_of, params)
        if not hits.empty:
            found.append(RelatedSkill(sid, name))
            if len(found) >= limit:
                break
    return found


@dataclass(frozen=True)
class Explanation:
    """Why one person ranks where they do: both scores' parts, each adding up to its score."""

    staff_ref: str
    skill_id: str
    practice: pd.DataFrame
    coaching: pd.DataFrame

    @property
    def practice_score(self) -> float:
        return float(self.practice["contribution"].sum())

    @property
    def coaching_score(self) -> float:
        return float(self.coaching["contribution"].sum())


@find_scores.plain_errors("explain this rank")
def explain(
    con: Connection,
    viewer: Viewer,
    staff_ref: str,
    skill_id: str,
    *,
    phase: str | tuple[str, ...] | list[str] | None = None,
    as_of: date | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> Explanation:
    """ "Why this rank": the evidence behind the practice score (type, strength, date, weight,
    share) and the coaching records, training and prior behind the coaching score."""
    stages = parse_phase(phase)
    as_of = as_of or date.today()
    coaching = explain_coaching(con, viewer, staff_ref, skill_id, as_of=as_of, params=params)
    practice = explain_practice(
        con, viewer, staff_ref, skill_id, as_of=as_of, phase=stages or None, params=params
    )
    if coaching.empty:
        raise NotFoundError(f"No one you can see has the reference “{staff_ref}”.")
    if practice.empty:  # coached the skill but has no evidence in it: the prior alone
        practice = pd.DataFrame(
            [
                {
                    "evidence_type": "prior (shrinkage)",
                    "strength": params.prior_mean,
                    "note": "No evidence in this skill yet: the neutral starting point",
                    "weight": params.prior_weight,
                    "share": 1.0,
                    "contribution": float(to_percent(params.prior_mean)),
                }
            ]
        )
    audit.record(con, viewer, "profile.view", {"staff_ref": staff_ref, "skill": skill_id})
    return Explanation(staff_ref, skill_id, practice, coaching)
