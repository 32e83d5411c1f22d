"""Who could coach or mentor in a skill, with every figure the match score is built from.

Reads through the find-expertise scoring (`scoring.practice_scores`, `scoring.coaching_scores`)
so a coach's expertise here is exactly the score the Find page shows. The pool for a skill is
everyone the viewer may see with practice evidence in it, or a coaching track record in it;
when fewer than `close_skill_min` people have expertise in the skill itself, people with
expertise in a close skill join at a discount (`close_skill_factor`).

Close skills: the same taxonomy area; in the broad Subjects area only subjects that name one
another (Mathematics and Further mathematics or Statistics; Science and Biology), because a
strong art teacher is no fallback for mathematics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from brokering import find
from brokering.db import Connection, query_df
from brokering.errors import NotFoundError
from brokering.find import maintenance
from brokering.matching.params import DEFAULT_MATCH_PARAMS, MatchParams
from brokering.phases import KEY_STAGES
from brokering.scoring import (
    DEFAULT_PARAMS,
    ScoringParams,
    coaching_scores,
    practice_scores,
    round_tenths,
)
from brokering.scoring import to_percent as _to_percent
from brokering.taxonomy import key
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

POOL_COLUMNS = [
    "staff_ref",
    "direct_score",
    "practice_confidence",
    "evidence_count",
    "latest_evidence",
    "close_skill_id",
    "close_score",
    "expertise_score",
    "expertise_source",
    "has_expertise",
    "coaching_score",
    "coaching_confidence",
    "coaching_records_in_skill",
    "mean_outcome_in_skill",
    "mentoring_records",
    "coach_trained",
    "mentor_trained",
    "mentoring_score",
]
_NUMERIC = (
    "direct_score",
    "practice_confidence",
    "evidence_count",
    "close_score",
    "coaching_score",
    "coaching_confidence",
    "coaching_records_in_skill",
    "mean_outcome_in_skill",
    "mentoring_records",
)
#: The coaching columns a pool is built from, by staff_ref (`finish_pool`).
COACH_COLUMNS = [
    "coaching_score",
    "coaching_confidence",
    "coaching_records_in_skill",
    "mean_outcome_in_skill",
    "mentoring_records",
    "coach_trained",
    "mentor_trained",
]
#: No close-skill expertise (the frame `skill_pool` joins when none is needed).
NO_CLOSE = pd.DataFrame(
    {"close_skill_id": pd.Series(dtype=object), "close_score": pd.Series(dtype=float)}
)


@dataclass(frozen=True)
class SkillPool:
    skill_id: str
    skill_name: str
    close_skills_used: tuple[str, ...]
    frame: pd.DataFrame  # POOL_COLUMNS, one row per person


def skill_row(con: Connection, skill_id: str) -> tuple[str, str, str]:
    rows = con.execute(
        "SELECT skill_id, name, area FROM skills WHERE skill_id = ?", [skill_id]
    ).fetchall()
    if not rows:
        raise NotFoundError(f"There is no skill '{skill_id}' in the taxonomy.")
    return rows[0]


def close_skills(con: Connection, skill_id: str) -> list[str]:
    """Skills close enough to stand in for `skill_id` at a discount (see the module note)."""
    _, name, area = skill_row(con, skill_id)
    rows = con.execute(
        "SELECT s.skill_id, s.name, coalesce(s.description, ''), "
        "coalesce(string_agg(a.alias, ' '), '') FROM skills s "
        "LEFT JOIN skill_aliases a USING (skill_id) "
        "WHERE s.area = ? AND s.skill_id <> ? GROUP BY ALL ORDER BY s.skill_id",
        [area, skill_id],
    ).fetchall()
    if area != "Subjects":
        return [r[0] for r in rows]
    mine = con.execute(
        "SELECT coalesce(description, '') FROM skills WHERE skill_id = ?", [skill_id]
    ).fetchall()[0][0]
    own_text = f" {key(name + ' ' + mine)} "
    out = []
    for sid, other, desc, aliases in rows:
        their_text = f" {key(other + ' ' + desc + ' ' + aliases)} "
        if re.search(rf" {re.escape(key(name))} ", their_text) or f" {key(other)} " in own_text:
            out.append(sid)
    return out


_STAGE_BITS = {ks: 1 << i for i, ks in enumerate(KEY_STAGES)}


def phase_mask(phases: list[str] | np.ndarray | None) -> int:
    """Key stages as bits (EYFS = 1 ... KS5 = 32), so phase fit is a bitwise test."""
    if phases is None:
        return 0
    return sum(_STAGE_BITS.get(ks, 0) for ks in set(phases))


def mentoring_scores(frame: pd.DataFrame, params: MatchParams, scoring: ScoringParams) -> pd.Series:
    """Mentoring strength 0-100 for the rows of `frame` (see `mentoring_strength`)."""
    trained = frame["mentor_trained"].fillna(False).astype(float).to_numpy()
    n = frame["mentoring_records"].fillna(0).astype(float).to_numpy()
    return pd.Series(mentoring_strength(trained, n, params, scoring), index=frame.index)


def mentoring_strength(
    trained: np.ndarray, records: np.ndarray, params: MatchParams, scoring: ScoringParams
) -> np.ndarray:
    """Mentoring strength 0-100, to 0.1: shrinkage like the coaching score, built from mentor
    training (1 or 0) and past mentoring relationships, which rarely carry outcomes."""
    num = (
        scoring.coaching_prior_weight * scoring.coaching_prior_mean
        + trained * scoring.training_weight * scoring.training_value
        + records * params.mentoring_record_weight * params.mentoring_record_value
    )
    den = (
        scoring.coaching_prior_weight
        + trained * scoring.training_weight
        + records * params.mentoring_record_weight
    )
    return round_tenths(_to_percent(num / den))


def track_records(con: Connection, viewer: Viewer, skill_ids: list[str]) -> dict[str, list[str]]:
    """Per skill, the people the viewer may see who have coached it (one query for all)."""
    vis, vis_params = visible_staff_sql(viewer, "st")
    sql = f"""
        SELECT DISTINCT c.skill_id, c.coach_ref FROM coaching c
        JOIN staff st ON st.staff_ref = c.coach_ref
        WHERE list_contains(?::VARCHAR[], c.skill_id) AND c.mode = 'coaching' AND {vis}
        ORDER BY 1, 2
    """  # noqa: S608 - fragments are code; values are parameters
    out: dict[str, list[str]] = {s: [] for s in skill_ids}
    for skill, ref in con.execute(sql, [list(skill_ids), *vis_params]).fetchall():
        out[skill].append(ref)
    return out


_DIRECT = ["direct_score", "practice_confidence", "evidence_count", "latest_evidence"]


def _parts_usable(con: Connection, as_of: date, scoring: ScoringParams) -> bool:
    """Whether the stored score parts are current. Their tables are looked up first: asking
    for a missing table would abort a surrounding transaction."""
    schema, _, table = maintenance.META.rpartition(".")
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
        "AND (? = '' OR table_schema = ?)",
        [table, schema, schema],
    ).fetchall()[0][0]
    return bool(found) and maintenance.parts_status(con, as_of, scoring).usable


def _direct_scores(
    con: Connection,
    viewer: Viewer,
    skill_id: str,
    as_of: date,
    params: MatchParams,
    scoring: ScoringParams,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The strongest `pool_limit` practitioners of the skill the viewer may see, indexed by
    staff_ref. When the store keeps current per-skill score parts (`maintenance`), they come
    from the Find page's ranking, which reads those parts in milliseconds at national scale
    and gives the same scores as `scoring` (its tests hold them equal); its rows (with the
    coaching scores) are returned too. Otherwise from `scoring.practice_scores`."""
    if _parts_usable(con, as_of, scoring):
        top = min(params.pool_limit, find.MAX_TOP)
        rows = find.find_expertise(
            con, viewer, skill_id, top=top, as_of=as_of, params=scoring, audited=False
        ).rows
        rows = rows.rename(columns={"practice_score": "direct_score"}).set_index("staff_ref")
        rows.index = rows.index.astype(object)
        return rows[_DIRECT], rows
    direct = practice_scores(con, viewer, skill_id, as_of=as_of, params=scoring)
    # The find's order, so both routes keep the same people at the limit (docs/SCORING.md).
    direct = direct.sort_values(
        ["practice_score", "practice_confidence", "latest_evidence", "staff_ref"],
        ascending=[False, False, False, True],
        na_position="last",
        kind="stable",
    ).head(params.pool_limit)
    direct = direct.rename(columns={"practice_score": "direct_score"}).set_index("staff_ref")
    return direct[_DIRECT], None


def _coaching_details(
    con: Connection, viewer: Viewer, skill_id: str, refs: list[str]
) -> pd.DataFrame:
    """Coaching records and mentoring for the given people (the figures the breakdown
    explains), read by key: the same counts `scoring.coaching_scores` reports."""
    vis, vis_params = visible_staff_sql(viewer, "st")
    sql = f"""
        WITH people AS (
            SELECT st.staff_ref, st.coach_trained, st.mentor_trained FROM staff st
            WHERE list_contains(?::VARCHAR[], st.staff_ref) AND {vis}
        ), rec AS (
            SELECT c.coach_ref AS staff_ref,
                   count(*) FILTER (WHERE c.mode = 'coaching' AND c.skill_id = ?) AS in_skill,
                   avg(c.outcome_strength)
                       FILTER (WHERE c.mode = 'coaching' AND c.skill_id = ?) AS outcome,
                   count(*) FILTER (WHERE c.mode = 'mentoring') AS mentoring
            FROM coaching c JOIN people p ON p.staff_ref = c.coach_ref GROUP BY 1
        )
        SELECT p.staff_ref, coalesce(rec.in_skill, 0) AS coaching_records_in_skill,
               rec.outcome AS mean_outcome_in_skill,
               coalesce(rec.mentoring, 0) AS mentoring_records,
               p.coach_trained, p.mentor_trained
        FROM people p LEFT JOIN rec USING (staff_ref)
    """  # noqa: S608 - fragments are code; values are parameters
    frame = query_df(con, sql, [list(refs), *vis_params, skill_id, skill_id])
    frame = frame.set_index("staff_ref")
    frame.index = frame.index.astype(object)
    return frame


def skill_pool(
    con: Connection,
    viewer: Viewer,
    skill_id: str,
    *,
    as_of: date,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
    scoring: ScoringParams = DEFAULT_PARAMS,
    track: list[str] | None = None,
) -> SkillPool:
    """Everyone who could take a need in `skill_id`, with expertise and coaching figures.
    `track`: who has coached the skill, when the caller has read it for many skills."""
    _, skill_name, _ = skill_row(con, skill_id)
    direct, from_find = _direct_scores(con, viewer, skill_id, as_of, params, scoring)
    close_used: list[str] = []
    close = NO_CLOSE
    if int((direct["direct_score"] >= params.min_expertise).sum()) < params.close_skill_min:
        parts = []
        for other in close_skills(con, skill_id):
            frame = practice_scores(con, viewer, other, as_of=as_of, params=scoring)
            if not frame.empty:
                close_used.append(other)
                parts.append(
                    frame.assign(close_skill_id=other)[
                        ["staff_ref", "close_skill_id", "practice_score"]
                    ]
                )
        if parts:
            close = (
                pd.concat(parts, ignore_index=True)
                .rename(columns={"practice_score": "close_score"})
                .sort_values(
                    ["staff_ref", "close_score", "close_skill_id"], ascending=[True, False, True]
                )
                .drop_duplicates("staff_ref")
                .set_index("staff_ref")
            )
    if len(direct) >= params.pool_limit:  # already full of practitioners: nobody else fits
        track = []
    elif track is None:
        track = track_records(con, viewer, [skill_id])[skill_id]
    pool = pool_index(direct, close, track, params)
    refs = sorted(pool.index)
    if refs and from_find is not None and set(refs) <= set(from_find.index):
        coach = from_find.loc[refs, ["coaching_score", "coaching_confidence"]].join(
            _coaching_details(con, viewer, skill_id, refs)
        )[COACH_COLUMNS]
    elif refs:
        coach = coaching_scores(
            con, viewer, skill_id, as_of=as_of, staff_refs=refs, params=scoring
        ).set_index("staff_ref")[COACH_COLUMNS]
    else:
        coach = pd.DataFrame(columns=COACH_COLUMNS)
    return finish_pool(skill_id, skill_name, tuple(close_used), pool, coach, params, scoring)


def pool_index(
    direct: pd.DataFrame, close: pd.DataFrame, track: list[str], params: MatchParams
) -> pd.DataFrame:
    """Practitioners, close-skill experts and past coaches of the skill, one row each by
    staff_ref; past `pool_limit`, the strongest first in the find's order (score, confidence,
    latest evidence, reference; close-skill experts by their discounted score), then the
    rest by reference."""
    track_index = pd.Index(track, dtype=object)
    index = direct.index.astype(object).union(close.index.astype(object)).union(track_index)
    pool = pd.DataFrame(index=index).join(direct).join(close)
    if len(pool) > params.pool_limit:  # the strongest practitioners, then the rest of the list
        best = pool["direct_score"].fillna(pool["close_score"] * params.close_skill_factor)
        keep = (
            pool.assign(_best=best.fillna(-1))
            .sort_index()
            .sort_values(
                ["_best", "practice_confidence", "latest_evidence"],
                ascending=False,
                na_position="last",
                kind="stable",
            )
        )
        pool = pool.loc[sorted(keep.index[: params.pool_limit])]
    return pool


def finish_pool(
    skill_id: str,
    skill_name: str,
    close_used: tuple[str, ...],
    pool: pd.DataFrame,
    coach: pd.DataFrame,
    params: MatchParams,
    scoring: ScoringParams,
) -> SkillPool:
    """The pool's figures from its expertise rows (`pool_index`) and coaching rows
    (`COACH_COLUMNS`, by staff_ref): one place for both routes that build a pool, so the
    stored-parts route (`stored`) cannot drift from this one. Worked in numpy and framed
    once: column by column, pandas took longer than the rest of a candidates list."""
    index = pool.index
    same = len(index) > 0 and index.equals(coach.index) and index.is_unique
    if same and index.is_monotonic_increasing:  # the join would change nothing
        joined = dict(pool.items()) | dict(coach.items())
    else:
        frame = pool.join(coach, how="inner").sort_index()
        index, joined = frame.index, dict(frame.items())
    return pool_frame(skill_id, skill_name, close_used, index, joined, params, scoring)


def pool_frame(
    skill_id: str,
    skill_name: str,
    close_used: tuple[str, ...],
    index: pd.Index,
    columns: dict[str, Any],
    params: MatchParams,
    scoring: ScoringParams,
) -> SkillPool:
    """`finish_pool` once its rows are joined: `columns` holds, aligned with `index` (the
    staff refs, sorted), every expertise and coaching column (pandas columns or arrays)."""
    numbers = {c: _floats(columns[c]) for c in _NUMERIC}
    trained = {c: _flags(columns[c]) for c in ("coach_trained", "mentor_trained")}
    direct, close = numbers["direct_score"], numbers["close_score"]
    has_direct = ~np.isnan(direct)
    has_close = ~np.isnan(close)
    records = numbers["coaching_records_in_skill"]
    computed = {
        "expertise_score": round_tenths(
            np.where(has_direct, direct, _zero_nan(close * params.close_skill_factor))
        ),
        "expertise_source": np.where(has_direct, "direct", np.where(has_close, "close", "none")),
        "has_expertise": (_zero_nan(direct) >= params.min_expertise)
        | (~has_direct & (_zero_nan(close) >= params.min_expertise))
        | (_zero_nan(records) > 0),
        "mentoring_score": mentoring_strength(
            trained["mentor_trained"].astype(float),
            _zero_nan(numbers["mentoring_records"]),
            params,
            scoring,
        ),
    }
    out = {}
    for c in POOL_COLUMNS[1:]:  # after staff_ref, which the index becomes
        for found in (numbers, trained, computed, columns):  # as worked out, else as it came
            if c in found:
                out[c] = found[c]
                break
    frame = pd.DataFrame(out, index=index).rename_axis("staff_ref").reset_index()
    return SkillPool(skill_id, skill_name, close_used, frame)


def _floats(column: pd.Series | np.ndarray) -> np.ndarray:
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "fiu":
        return np.asarray(column, dtype=float)
    return pd.to_numeric(column, errors="coerce").astype(float).to_numpy()


def _flags(column: pd.Series | np.ndarray) -> np.ndarray:
    if column.dtype == np.dtype(bool):
        return np.asarray(column)
    return pd.Series(column).astype("boolean").fillna(False).astype(bool).to_numpy()


def _zero_nan(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), 0.0, values)
