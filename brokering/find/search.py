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

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd
from rapidfuzz import fuzz

from brokering import audit
from brokering.db import Connection
from brokering.errors import NotFoundError, ValidationError
from brokering.find import leaders as find_leaders
from brokering.find import maintenance, routes
from brokering.find import scores as find_scores
from brokering.find.query import QueryResolver, ResolvedQuery, parse_phase
from brokering.find.result import MAX_TOP, RANK_BY, FindResult, RelatedSkill, frame
from brokering.scoring import DEFAULT_PARAMS, ScoringParams
from brokering.taxonomy import SkillMatcher
from brokering.viewer import Viewer


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
    without_filters = False
    if rows.empty and (stages or school_id):
        message, without_filters, related = _filtered_out(
            con, viewer, query.skill_id, skill.name, stages, school_id, as_of, params
        )
    elif rows.empty:
        message = f"No one you can see has evidence in {skill.name} yet."
        related = tuple(related_skills(con, viewer, query.skill_id, as_of=as_of, params=params))
        if related:
            message += " These related skills in the same area have some:"
    result = FindResult(
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
        without_filters=without_filters,
    )
    if audited:
        record_search(con, viewer, result)
    return result


def record_search(con: Connection, viewer: Viewer, result: FindResult) -> None:
    """Audit a search whose results are shown to `viewer`. `find_expertise` calls it; a page
    that serves a repeated search from its cache calls it itself, so every showing is
    recorded whichever way the answer was obtained."""
    audit.record(
        con,
        viewer,
        "search",
        {
            "skill": result.skill_id,
            "phases": list(result.phases),
            "school": result.school_id,
            "found": len(result.rows),
        },
    )


def _filtered_out(
    con: Connection,
    viewer: Viewer,
    skill_id: str,
    name: str,
    stages: tuple[str, ...],
    school_id: str | None,
    as_of: date,
    params: ScoringParams,
) -> tuple[str, bool, tuple[RelatedSkill, ...]]:
    """A skill that resolved but has no visible evidence under the phase or school filter:
    why, whether the same skill has evidence without the filters (a one-row find), and the
    nearest skills that do have evidence under the same filters — so the leader is offered
    somewhere to go rather than an empty page."""
    where = f" at {', '.join(stages)}" if stages else ""
    there = " in that school" if school_id else ""
    message = f"No one you can see has evidence in {name}{where}{there}."
    hits, _stored = _ranked(con, viewer, skill_id, (), None, "practice", 0.0, 1, as_of, params)
    unfiltered = not hits.empty
    related = tuple(
        related_skills(
            con, viewer, skill_id, as_of=as_of, params=params, phases=stages, school_id=school_id
        )
    )
    filters = " and ".join(
        w for w, on in (("phase", bool(stages)), ("school", bool(school_id))) if on
    )
    if unfiltered:
        message += f" Without the {filters} filter, {name} has evidence."
    if related:
        message += f" Nearby skills with evidence{where}{there}:"
    elif not unfiltered:
        message += f" Nor does anyone without the {filters} filter."
    return message, unfiltered, related


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
    where, w_values = routes.staff_filters(viewer, (), None)
    rows = routes.held_top(
        con, viewer, text, where, w_values, top, blend, as_of, params, None, build
    )
    if rows is None:
        return False
    return query, _Skill(held.name, held.area, build.build_id), stages, rows


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
    where, w_values = routes.staff_filters(viewer, stages, school_id)
    if use_held and rank_by == "practice" and not school_id and not stages:
        held = routes.held_top(
            con, viewer, skill_id, where, w_values, top, blend, as_of, params, confirmed
        )
        if held is not None:
            return held, True
    source = find_scores.parts_source(con, skill_id, as_of, params, stages)
    if source.status is not None:
        find_leaders.remember(source.status)
    grouped, g_values = find_scores.grouped_sql(source, stages)
    if rank_by == "practice" and not school_id:
        rows = routes.practice_top(
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
        rows = routes.joined_top(
            con, source, grouped, g_values, where, w_values, rank_by, top, blend, params
        )
    return frame(con, rows, rank_by, blend), source.stored


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
    phases: tuple[str, ...] = (),
    school_id: str | None = None,
) -> list[RelatedSkill]:
    """Skills in the same area as `skill_id`, closest first, in which the viewer can see
    someone with evidence (under `phases` and `school_id` when given): linked through
    `depends_on` first, then sharing dependencies, then similar names. Each candidate is
    checked with a one-row find, so this stays quick on a national store."""
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
        hits, _stored = _ranked(
            con, viewer, sid, tuple(phases), school_id, "practice", 0.0, 1, as_of, params
        )
        if not hits.empty:
            found.append(RelatedSkill(sid, name))
            if len(found) >= limit:
                break
    return found
