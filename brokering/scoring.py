"""The scoring model: practice strength and coaching strength, kept apart.

Practice strength in a skill is a weighted mean of the person's evidence on the 1-4 scale,
where each record weighs `type weight x recency` (recency halves every `half_life_days`),
shrunk towards a neutral prior by `prior_weight` records' worth, so one glowing record does
not beat sustained excellence. Coaching strength is built the same way from the outcomes and
feedback of the person's past coaching, coaching-feedback evidence and coach training —
because the best performer is not necessarily the best coach (DOMAIN.md, idea 1).

Scores are shown 0-100 ((mean - 1) / 3 x 100); confidence is the share of the estimate that
rests on evidence rather than the prior. Every figure can be opened by `score_parts.explain_*`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import numpy as np
import pandas as pd

from brokering.coaching_records import (  # re-exported: scoring is where callers look
    COACHING_DATE_SQL as COACHING_DATE_SQL,
)
from brokering.coaching_records import coaching_records_sql
from brokering.coaching_records import judged_pairings as judged_pairings
from brokering.coaching_records import pairing_outcomes_sql as pairing_outcomes_sql
from brokering.db import Connection
from brokering.settings import RECENT_DAYS, STRONG_SCORE
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql


@dataclass(frozen=True)
class ScoringParams:
    """Every weight of the model, in one place; pass a changed copy to override."""

    type_weights: dict[str, float] = field(
        default_factory=lambda: {
            "observation": 1.0,
            "outcomes": 1.0,
            "accreditation": 0.8,
            "peer-endorsement": 0.6,
            "coaching-feedback": 0.5,
            "self-assessment": 0.25,
            "course": 0.5,
        }
    )
    half_life_days: float = 540.0
    # Evidence without a grade (course attendance, an ungraded observation) is a modest
    # pseudo-record: it counts as `ungraded_value` (as coach training does) with its weight
    # cut to `ungraded_weight` of a graded record's. The store keeps no invented grade.
    ungraded_value: float = 3.0
    ungraded_weight: float = 0.25
    # Everyone starts at 2 ("no demonstrated strength"), worth three records, so a single
    # outstanding record (50) ranks below six good ones (55.6) and far below six outstanding
    # ones (77.8): one glowing record does not beat sustained practice (docs/SCORING.md).
    prior_mean: float = 2.0
    prior_weight: float = 3.0
    # Coaching strength
    coaching_prior_mean: float = 2.0
    coaching_prior_weight: float = 1.5
    outcome_weight: float = 1.0
    feedback_weight: float = 0.5
    coaching_evidence_weight: float = 0.8
    other_skill_factor: float = 0.35
    training_weight: float = 0.5
    training_value: float = 3.0
    # Pairings judged at review count for their donors (docs/SCORING.md, "Pairings judged at
    # review"): a transferred one as a coaching outcome valued at its qualifying observation's
    # rating; a not-transferred one gently against, as a 1 at a quarter of an outcome's weight.
    not_transferred_value: float = 1.0
    not_transferred_weight: float = 0.25
    # "Strong, recent" for depth counts and the gap map
    strong_score: float = STRONG_SCORE
    recent_days: int = RECENT_DAYS


DEFAULT_PARAMS = ScoringParams()


_Mean = TypeVar("_Mean", float, pd.Series)


def to_percent(mean: _Mean) -> _Mean:
    """The 1-4 scale shown as 0-100, because leaders read percentages more easily."""
    return (mean - 1.0) / 3.0 * 100.0


def round_tenths(value: _Mean) -> _Mean:
    """`value` to one decimal place, halves away from zero, exactly as DuckDB's round(x, 1)
    does (x * 10, rounded, / 10). Why: scores worked out in SQL (the stored routes) and in
    pandas (the fallback routes) must agree to the last tenth, or two routes rank ties
    differently; numpy's and pandas' round() take halves to even (and 278 of 1,000 tenths
    that end in a half came out differently). The fraction is taken exactly, not by adding
    0.5, which can round up a value just below the half."""
    tenths = value * 10.0
    whole = np.floor(np.abs(tenths))
    whole = whole + (np.abs(tenths) - whole >= 0.5)
    out = np.copysign(whole, tenths) / 10.0 + 0.0  # + 0.0: no -0.0
    if isinstance(value, pd.Series):
        return pd.Series(out, index=value.index, name=value.name)
    return out


def score_of(mean: _Mean) -> _Mean:
    """A 1-4 strength as the 0-100 score shown, to one decimal place (`round_tenths`)."""
    return round_tenths(to_percent(mean))


def phase_list(phase: str | Sequence[str] | None) -> list[str]:
    """A phase filter as a list of key stages ("primary" finds may name several)."""
    if not phase:
        return []
    return [phase] if isinstance(phase, str) else list(phase)


#: Evidence about the filtered key stages, or about no stage in particular.
EVIDENCE_PHASE_SQL = "AND (e.phase IS NULL OR list_contains(?::VARCHAR[], e.phase))"


def evidence_value_sql(params: ScoringParams, column: str = "e.strength") -> str:
    """An evidence record's value in scoring: its strength, or `ungraded_value` for a
    record without a grade. The numbers come from code (params), never from user text."""
    return f"coalesce({column}::DOUBLE, {float(params.ungraded_value)!r})"


def evidence_factor_sql(params: ScoringParams, column: str = "e.strength") -> str:
    """A record's weight factor: 1 when graded, `ungraded_weight` when not."""
    return f"(CASE WHEN {column} IS NULL THEN {float(params.ungraded_weight)!r} ELSE 1.0 END)"


def type_weight_sql(params: ScoringParams, column: str) -> tuple[str, list[object]]:
    cases = " ".join("WHEN ? THEN ?" for _ in params.type_weights)
    values: list[object] = []
    for t, w in params.type_weights.items():
        values += [t, w]
    return f"(CASE {column} {cases} ELSE 0 END)", values


def practice_scores(
    con: Connection,
    viewer: Viewer,
    skill_id: str,
    *,
    as_of: date | None = None,
    phase: str | Sequence[str] | None = None,
    school_id: str | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Practice strength of every visible person with evidence in `skill_id`.

    A phase (or several) keeps evidence about that key stage (or about none) from staff who
    teach it (or whose phases are not recorded).
    """
    viewer.require_listing()
    as_of = as_of or date.today()
    vis, vis_params = visible_staff_sql(viewer, "st")
    tw, tw_params = type_weight_sql(params, "e.evidence_type")
    filters: list[str] = []
    fparams: list[object] = []
    stages = phase_list(phase)
    if stages:
        filters.append("(len(st.phases) = 0 OR list_has_any(st.phases, ?::VARCHAR[]))")
        fparams.append(stages)
    if school_id:
        filters.append("st.school_id = ?")
        fparams.append(school_id)
    where = " AND ".join([vis, *filters])
    evidence_phase = EVIDENCE_PHASE_SQL if stages else ""
    sql = f"""
        WITH ev AS (
            SELECT e.staff_ref, {evidence_value_sql(params)} AS strength, e.date,
                   e.strength AS graded,
                   {tw} * {evidence_factor_sql(params)}
                     * pow(0.5, greatest(date_diff('day', e.date, ?::DATE), 0) / ?) AS w
            FROM evidence e WHERE e.skill_id = ? {evidence_phase}
        ), agg AS (
            SELECT staff_ref, sum(w * strength) AS sw, sum(w) AS w, count(*) AS evidence_count,
                   max(date) AS latest_evidence, avg(graded) AS mean_strength
            FROM ev GROUP BY staff_ref
        )
        SELECT st.staff_ref, st.school_id, st.role, st.phases,
               (agg.sw + ? * ?) / (agg.w + ?) AS practice_mean,
               agg.w / (agg.w + ?) AS practice_confidence,
               agg.evidence_count, agg.latest_evidence, agg.w AS evidence_weight,
               agg.mean_strength
        FROM agg JOIN staff st USING (staff_ref)
        WHERE {where}
    """  # noqa: S608 - fragments are code; values are parameters
    frame = con.execute(
        sql,
        [
            *tw_params,
            as_of,
            params.half_life_days,
            skill_id,
            *([stages] if stages else []),
            params.prior_mean,
            params.prior_weight,
            params.prior_weight,
            params.prior_weight,
            *vis_params,
            *fparams,
        ],
    ).df()
    frame["practice_score"] = score_of(frame["practice_mean"])
    return frame


def coaching_scores(
    con: Connection,
    viewer: Viewer,
    skill_id: str,
    *,
    as_of: date | None = None,
    staff_refs: list[str] | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Coaching strength in `skill_id` for every visible person (or those in `staff_refs`).

    Parts: outcomes of their past coaching (full weight in this skill, `other_skill_factor`
    in others — coaching craft partly travels), coachees' numeric feedback, coaching-feedback
    evidence in the skill, and coach training as one modest pseudo-record.
    """
    viewer.require_listing()
    as_of = as_of or date.today()
    vis, vis_params = visible_staff_sql(viewer, "st")
    extra, extra_params = "", []
    if staff_refs is not None:
        extra = " AND list_contains(?, st.staff_ref)"
        extra_params = [staff_refs]
    p = params
    sql = f"""
        WITH parts AS (
            SELECT c.coach_ref AS staff_ref,
                   CASE WHEN c.skill_id = ? THEN 1.0 ELSE ? END * c.factor
                     * pow(0.5, greatest(date_diff('day', c.date, ?::DATE), 0) / ?)
                     AS r,
                   c.o AS outcome_strength, c.fb AS feedback_score, c.skill_id = ? AS same_skill,
                   c.source = 'coaching' AS is_record
            FROM {coaching_records_sql(p, donors=staff_refs is not None)} c
        ), rec AS (
            SELECT staff_ref,
                   coalesce(sum(r * ? * outcome_strength)
                            FILTER (WHERE outcome_strength IS NOT NULL), 0)
                     + coalesce(sum(r * ? * feedback_score)
                                FILTER (WHERE feedback_score IS NOT NULL), 0) AS sw,
                   coalesce(sum(r * ?) FILTER (WHERE outcome_strength IS NOT NULL), 0)
                     + coalesce(sum(r * ?) FILTER (WHERE feedback_score IS NOT NULL), 0) AS w,
                   count(*) FILTER (WHERE same_skill AND is_record) AS records_in_skill,
                   count(*) FILTER (WHERE is_record) AS records_all_skills,
                   avg(outcome_strength) FILTER (WHERE same_skill AND is_record)
                     AS mean_outcome_in_skill,
                   count(*) FILTER (WHERE same_skill AND NOT is_record) AS judged_in_skill
            FROM parts GROUP BY staff_ref
        ), cev AS (
            SELECT staff_ref,
                   sum(? * pow(0.5, greatest(date_diff('day', date, ?::DATE), 0) / ?)
                       * {evidence_factor_sql(p, "strength")}
                       * {evidence_value_sql(p, "strength")}) AS sw,
                   sum(? * pow(0.5, greatest(date_diff('day', date, ?::DATE), 0) / ?)
                       * {evidence_factor_sql(p, "strength")}) AS w,
                   count(*) AS n
            FROM evidence WHERE skill_id = ? AND evidence_type = 'coaching-feedback'
            GROUP BY staff_ref
        ), mentoring AS (
            SELECT coach_ref AS staff_ref, count(*) AS mentoring_records
            FROM coaching WHERE mode = 'mentoring' GROUP BY coach_ref
        )
        SELECT st.staff_ref, st.school_id, st.coach_trained, st.mentor_trained,
               st.capacity_hours,
               coalesce(rec.records_in_skill, 0) AS coaching_records_in_skill,
               coalesce(rec.records_all_skills, 0) AS coaching_records_all_skills,
               rec.mean_outcome_in_skill,
               coalesce(mentoring.mentoring_records, 0) AS mentoring_records,
               coalesce(cev.n, 0) AS coaching_feedback_evidence,
               coalesce(rec.judged_in_skill, 0) AS judged_pairings_in_skill,
               (coalesce(rec.sw, 0) + coalesce(cev.sw, 0)
                  + CASE WHEN st.coach_trained THEN ? * ? ELSE 0 END + ? * ?)
               / (coalesce(rec.w, 0) + coalesce(cev.w, 0)
                  + CASE WHEN st.coach_trained THEN ? ELSE 0 END + ?) AS coaching_mean,
               (coalesce(rec.w, 0) + coalesce(cev.w, 0)
                  + CASE WHEN st.coach_trained THEN ? ELSE 0 END)
               / (coalesce(rec.w, 0) + coalesce(cev.w, 0)
                  + CASE WHEN st.coach_trained THEN ? ELSE 0 END + ?) AS coaching_confidence
        FROM staff st
        LEFT JOIN rec USING (staff_ref)
        LEFT JOIN cev USING (staff_ref)
        LEFT JOIN mentoring USING (staff_ref)
        WHERE {vis}{extra}
          AND (rec.staff_ref IS NOT NULL OR cev.staff_ref IS NOT NULL OR st.coach_trained
               OR {"TRUE" if staff_refs is not None else "FALSE"})
    """  # noqa: S608 - fragments are code; values are parameters
    values = [
        skill_id,
        p.other_skill_factor,
        as_of,
        p.half_life_days,
        skill_id,
        *extra_params,  # the pairings read: only those people's (`coaching_records_sql`)
        p.outcome_weight,
        p.feedback_weight,
        p.outcome_weight,
        p.feedback_weight,
        p.coaching_evidence_weight,
        as_of,
        p.half_life_days,
        p.coaching_evidence_weight,
        as_of,
        p.half_life_days,
        skill_id,
        p.training_weight,
        p.training_value,
        p.coaching_prior_weight,
        p.coaching_prior_mean,
        p.training_weight,
        p.coaching_prior_weight,
        p.training_weight,
        p.training_weight,
        p.coaching_prior_weight,
        *vis_params,
        *extra_params,
    ]
    frame = con.execute(sql, values).df()
    frame["coaching_score"] = score_of(frame["coaching_mean"])
    return frame
