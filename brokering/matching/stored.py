"""The pool for one need from the stored score parts: the route that keeps the candidates
list for one need within 100 ms on a national store.

Why a route of its own: the general one (`pool.skill_pool`, then `arrays.to_arrays`) asks the
find for the skill's strongest practitioners and then reads the same few hundred people from
`staff` twice more (coaching details; hours and attributes) and their schools once more.
Against 470,000 staff each of those reads costs tens of milliseconds. Here the skill's
stored parts (`maintenance`) are ranked once, as the find ranks them, and the leading
candidates are read from the live `staff` table by key, under the acting viewer's
visibility, in one statement that also brings their coaching record, the hours held by
requests awaiting a reply and their schools.

The figures are the general route's own: the same SQL expressions (`find_scores`,
`capacity`), the same final steps (`pool.pool_frame`, `arrays.arrays_from`), and the tests
(`tests/test_matching_speed_paths.py`) hold the two routes equal. It answers only the
common national case — stored parts that are current, and at least `pool_limit`
practitioners of the skill the viewer may see, enough of them expert that close skills are
not needed; otherwise it returns None and the general route answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from brokering import find
from brokering.db import Connection
from brokering.find import maintenance
from brokering.find import scores as find_scores
from brokering.matching.arrays import Arrays, arrays_from
from brokering.matching.needs import Need
from brokering.matching.params import MatchParams
from brokering.matching.pool import COACH_COLUMNS, NO_CLOSE, SkillPool, phase_mask, pool_frame
from brokering.scoring import ScoringParams
from brokering.terms import term_of
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

_PCT = find_scores.PCT_SQL
#: Ranked rows asked for at first, as the find does (above DuckDB's late-materialisation
#: limit of 50 rows, which would otherwise read the skill's row group twice).
_WINDOW = 64
#: Most staff refs read by key in one statement (DuckDB scans the table beyond 2,048).
_MAX_BATCH = 1024
#: Columns of `capacity.capacity_left(..., attributes=True)`, in its order.
PEOPLE_COLUMNS = [
    "staff_ref",
    "school_id",
    "role",
    "phases",
    "share_consent",
    "line_manager_ref",
    "capacity_hours",
    "hours_used",
    "active_relationships",
    "hours_reserved",
    "pending_requests",
    "hours_left",
]
_DETAIL_COLUMNS = [c for c in COACH_COLUMNS if c not in ("coaching_score", "coaching_confidence")]


def pool_for_need(
    con: Connection,
    viewer: Viewer,
    need: Need,
    *,
    as_of: date,
    params: MatchParams,
    scoring: ScoringParams,
) -> tuple[SkillPool, Arrays] | None:
    """The pool and its arrays for `need` from the stored parts, as `pool.skill_pool` and
    `arrays.to_arrays(..., extra_schools=[need.school_id])` would give them; None when this
    route cannot answer (see the module note)."""
    top = params.pool_limit
    if not 1 <= top <= find.MAX_TOP:
        return None
    with find_scores.plain_errors("list the candidates"):
        head = _head(con, need)
        if head is None:
            return None
        skill_name, need_school = head
        source = find_scores.parts_source(con, need.skill_id, as_of, scoring)
        if not source.stored or _too_few(source, top):
            return None
        ranked, people = _leading(con, viewer, need.skill_id, source, top, as_of, params, scoring)
    if people is None or len(people["staff_ref"]) < top:
        return None
    if sum(ranked[r][6] >= params.min_expertise for r in people["staff_ref"]) < (
        params.close_skill_min
    ):
        return None  # close skills would join: the general route reads them
    schools = _schools(people, need_school)
    if schools is None:
        return None
    order = np.argsort(people["staff_ref"], kind="stable")
    by_ref = {c: v[order] for c, v in people.items()}
    pool = _pool(need.skill_id, skill_name, ranked, by_ref, source, params, scoring)
    attributes = pd.DataFrame(
        {
            **{c: by_ref[c] for c in PEOPLE_COLUMNS},
            "phase_mask": [phase_mask(p) for p in by_ref["phases"]],
        }
    )
    return pool, arrays_from([pool], attributes, schools)


def _schools(people: dict[str, np.ndarray], need_school: tuple[Any, ...]) -> pd.DataFrame | None:
    """`arrays.schools_frame` rows for the people's schools and the need's; None when a
    person's school is missing (the general route reports it as it always has)."""
    found = {need_school[0]: need_school[1:]}
    for school_id, name, lat, lon in zip(
        people["school_id"].tolist(),
        np.ma.filled(people["school_name"], None).tolist(),
        np.ma.filled(people["latitude"], np.nan).tolist(),
        np.ma.filled(people["longitude"], np.nan).tolist(),
        strict=True,
    ):
        if not isinstance(name, str):
            return None
        found[school_id] = (name, lat, lon)
    ids = sorted(found)
    return pd.DataFrame(
        {
            "school_id": ids,
            "name": [found[s][0] for s in ids],
            "latitude": [_number(found[s][1]) for s in ids],
            "longitude": [_number(found[s][2]) for s in ids],
        }
    )


def _number(value: object) -> float:
    return float("nan") if value is None else float(value)  # type: ignore[arg-type]


def _head(con: Connection, need: Need) -> tuple[str, tuple[Any, ...]] | None:
    """The skill's name and the need's school, or None when either is missing or the
    stored parts were never built. The parts' table is looked up in the catalogue, not
    queried: a query naming a missing table would abort a surrounding transaction."""
    try:
        con.table(maintenance.META)
    except duckdb.CatalogException:
        return None
    rows = con.execute(
        "SELECT sk.name, sc.school_id, sc.name, sc.latitude, sc.longitude FROM skills sk "
        "LEFT JOIN (SELECT * FROM schools WHERE school_id = ?) sc ON TRUE "
        "WHERE sk.skill_id = ?",
        [need.school_id, need.skill_id],
    ).fetchall()
    if not rows or rows[0][1] is None:
        return None
    return str(rows[0][0]), tuple(rows[0][1:])


def _too_few(source: find_scores.PartsSource, top: int) -> bool:
    """Whether the skill plainly has fewer than `top` practitioners in all (the ranks at
    which its s1 is kept stop short of `top`), so the general route should answer."""
    if not source.ordered:
        return False
    kept = len(source.s1_at)
    return kept < len(maintenance.S1_RANKS) and maintenance.S1_RANKS[kept] <= top


def _ranked_rows(
    con: Connection, source: find_scores.PartsSource, scoring: ScoringParams, top: int
) -> Iterator[tuple[Any, ...]]:
    """The skill's practitioners best first, in the find's order, a window at a time:
    (staff_ref, n, latest, c_sw, c_w, practice_confidence, practice_score)."""
    grouped, g_values = find_scores.grouped_sql(source, ())
    pm, pc, p_values = find_scores.practice_sql(source, scoring)
    sql = f"""
        SELECT staff_ref, n, latest, c_sw, c_w, practice_confidence,
               {_PCT.format("practice_mean")} AS practice_score
        FROM (SELECT g.*, {pm} AS practice_mean, {pc} AS practice_confidence
              FROM {grouped} g WHERE g.n > 0 AND g.s1 >= ?)
        ORDER BY practice_score DESC, practice_confidence DESC, latest DESC NULLS LAST,
                 staff_ref
        LIMIT ? OFFSET ?
    """  # noqa: S608 - fragments are code; values are parameters
    offset, window = 0, max(_WINDOW, 2 * top)
    while True:
        floor = source.floor(offset + window, scoring)
        rows = con.execute(sql, [*p_values, *g_values, floor, window, offset]).fetchall()
        yield from rows
        if len(rows) < window:
            return
        offset += window
        window *= 2


def _people_sql(viewer: Viewer, count: int) -> tuple[str, list[object]]:
    """One statement for `count` staff refs (bound twice over): those the viewer may see,
    read by key (the primary-key index, kept by materialising the keyed read first), their
    coaching records by the `coaching (coach_ref)` index (migrations/095) the same way, with what
    `capacity.capacity_left` and `pool._coaching_details` give for them, and their school.
    The expressions are theirs, so the figures and their types are the same."""
    vis, vis_values = visible_staff_sql(viewer, "st")
    marks = ", ".join("?" for _ in range(count))
    sql = f"""
        WITH st AS MATERIALIZED (
            SELECT staff_ref, school_id, role, phases, share_consent, line_manager_ref,
                   capacity_hours, coach_trained, mentor_trained, left_on
            FROM staff WHERE staff_ref IN ({marks})
        ), people AS (
            SELECT * FROM st WHERE {vis}
        ), their_coaching AS MATERIALIZED (
            SELECT coach_ref, coachee_ref, skill_id, mode, outcome_strength, hours,
                   start_date, end_date
            FROM coaching WHERE coach_ref IN ({marks})
        ), rec AS (
            SELECT c.coach_ref AS staff_ref, c.skill_id, c.mode, c.outcome_strength, c.hours,
                   c.start_date <= ? AND (c.end_date IS NULL OR c.end_date >= ?)
                   AND c.coachee_ref NOT IN (SELECT staff_ref FROM staff WHERE left_on < ?)
                     AS active
            FROM their_coaching c JOIN people p ON p.staff_ref = c.coach_ref
        ), agg AS (
            SELECT staff_ref,
                   count(*) FILTER (WHERE mode = 'coaching' AND skill_id = ?) AS in_skill,
                   avg(outcome_strength)
                       FILTER (WHERE mode = 'coaching' AND skill_id = ?) AS outcome,
                   count(*) FILTER (WHERE mode = 'mentoring') AS mentoring,
                   sum(coalesce(hours, ?)) FILTER (WHERE active) AS hours_used,
                   count(*) FILTER (WHERE active) AS active_relationships
            FROM rec GROUP BY 1
        ), reserved AS (
            SELECT r.coach_ref AS staff_ref, sum(r.hours) AS hours_reserved,
                   count(*) AS pending_requests
            FROM match_requests r JOIN people p ON p.staff_ref = r.coach_ref
            WHERE r.status = 'pending' GROUP BY 1
        )
        SELECT p.staff_ref, p.school_id, p.role, p.phases, p.share_consent, p.line_manager_ref,
               p.capacity_hours,
               coalesce(agg.hours_used, 0) AS hours_used,
               coalesce(agg.active_relationships, 0) AS active_relationships,
               coalesce(reserved.hours_reserved, 0) AS hours_reserved,
               coalesce(reserved.pending_requests, 0) AS pending_requests,
               greatest(p.capacity_hours - coalesce(agg.hours_used, 0)
                        - coalesce(reserved.hours_reserved, 0), 0) AS hours_left,
               coalesce(agg.in_skill, 0) AS coaching_records_in_skill,
               agg.outcome AS mean_outcome_in_skill,
               coalesce(agg.mentoring, 0) AS mentoring_records,
               p.coach_trained, p.mentor_trained,
               sc.name AS school_name, sc.latitude, sc.longitude
        FROM people p LEFT JOIN agg USING (staff_ref) LEFT JOIN reserved USING (staff_ref)
        LEFT JOIN schools sc ON sc.school_id = p.school_id
    """  # noqa: S608 - fragments are code; values are parameters
    return sql, list(vis_values)


def _leading(
    con: Connection,
    viewer: Viewer,
    skill_id: str,
    source: find_scores.PartsSource,
    top: int,
    as_of: date,
    params: MatchParams,
    scoring: ScoringParams,
) -> tuple[dict[str, tuple[Any, ...]], dict[str, np.ndarray] | None]:
    """The first `top` practitioners in rank order whose staff rows the viewer may see:
    their ranked rows by ref, and their `_people_sql` columns in rank order (None when the
    skill has no practitioners). Each staff ref read by key costs tens of microseconds, so
    candidates are read a batch at a time, no more than are likely to be needed."""
    term = term_of(as_of)
    rows = _ranked_rows(con, source, scoring, top)
    ranked: dict[str, tuple[Any, ...]] = {}
    found: list[dict[str, np.ndarray]] = []
    # The first batch allows for leavers (a few in a hundred) and, for a school's leaders,
    # partner staff without consent; later ones for the share of the last that was visible.
    have, share = 0, 0.98 if viewer.sees_everyone else 0.75
    while have < top:
        want = min(int((top - have) / max(share, 0.05) * 1.04) + 8, _MAX_BATCH)
        batch = [r for _, r in zip(range(want), rows, strict=False)]
        if not batch:
            break
        refs = [str(r[0]) for r in batch]
        ranked.update(zip(refs, batch, strict=True))
        sql, vis_values = _people_sql(viewer, len(refs))
        values = [*refs, *vis_values, *refs, term.end, term.start, term.start]
        values += [skill_id, skill_id, params.default_hours]
        got = con.execute(sql, values).fetchnumpy()
        at = {ref: i for i, ref in enumerate(got["staff_ref"].tolist())}
        visible = [at[r] for r in refs if r in at]
        take = np.array(visible[: top - have], dtype=np.int64)
        found.append({c: v[take] for c, v in got.items()})
        have += len(take)
        share = len(visible) / len(refs)
        if len(batch) < want:
            break
    if len(found) <= 1:
        return ranked, found[0] if found else None
    return ranked, {c: np.ma.concatenate([f[c] for f in found]) for c in found[0]}


def _pool(
    skill_id: str,
    skill_name: str,
    ranked: dict[str, tuple[Any, ...]],
    people: dict[str, np.ndarray],
    source: find_scores.PartsSource,
    params: MatchParams,
    scoring: ScoringParams,
) -> SkillPool:
    """The pool frame, through `pool.pool_frame` as the general route builds it: practice
    figures as the find reports them, coaching strength as the find computes it, and the
    rows as `pool.pool_index` lays them out (by staff_ref, no close skills)."""
    refs = people["staff_ref"].tolist()
    rows = [ranked[r] for r in refs]
    index = pd.Index(refs, dtype=object)
    coaching = [
        find_scores.coaching_value(r[3], r[4], bool(t), source.factor, scoring)
        for r, t in zip(rows, people["coach_trained"].tolist(), strict=True)
    ]
    columns = {
        "direct_score": np.array([r[6] for r in rows], dtype=float),
        "practice_confidence": np.array([r[5] for r in rows], dtype=float),
        "evidence_count": np.array([r[1] for r in rows], dtype=float),
        "latest_evidence": pd.to_datetime(pd.Series([r[2] for r in rows], dtype=object)).array,
        "close_skill_id": pd.Series(np.nan, index=index, dtype=NO_CLOSE["close_skill_id"].dtype),
        "close_score": np.full(len(rows), np.nan),
        "coaching_score": np.array([find_scores.percent(m) for m, _ in coaching], dtype=float),
        "coaching_confidence": np.array([c for _, c in coaching], dtype=float),
    }
    for c in _DETAIL_COLUMNS:
        values = people[c]
        if np.ma.isMA(values):  # a blank outcome, or batches joined: blanks as NaN
            flags = values.dtype == np.dtype(bool)
            values = (
                np.ma.filled(values, False) if flags else np.ma.filled(values.astype(float), np.nan)
            )
        columns[c] = values
    return pool_frame(skill_id, skill_name, (), index, columns, params, scoring)
