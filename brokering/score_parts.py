"""A score opened to its parts: every record, training and the prior behind one person's
practice or coaching score in one skill, with each part's weight, share and contribution in
points, so the contributions add up to the score shown. Kept apart from `scoring`, which
computes the scores, because this is read one person at a time ("Why this rank") and shares
only the model's SQL pieces with it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from brokering.coaching_records import coaching_records_sql
from brokering.db import Connection
from brokering.redaction import withhold_refs
from brokering.scoring import (
    DEFAULT_PARAMS,
    EVIDENCE_PHASE_SQL,
    ScoringParams,
    evidence_factor_sql,
    evidence_value_sql,
    phase_list,
    to_percent,
    type_weight_sql,
)
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql


def _with_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Each part's share of the total weight and its contribution in points, so that the
    contributions add up to the score (the 0-100 scale is affine in the weighted mean)."""
    total = frame["weight"].sum()
    frame["share"] = frame["weight"] / total
    frame["contribution"] = to_percent(frame["strength"]) * frame["share"]
    return frame


def _append(frame: pd.DataFrame, row: dict[str, object]) -> pd.DataFrame:
    """One more part (training, prior) below the records, keeping each column's type."""
    records = [*frame.to_dict("records"), {c: row.get(c) for c in frame.columns}]
    out = pd.DataFrame.from_records(records, columns=list(frame.columns))
    for col in out.columns:
        if pd.api.types.is_integer_dtype(frame[col].dtype):
            out[col] = out[col].astype("Int64")
    return out


def explain_practice(
    con: Connection,
    viewer: Viewer,
    staff_ref: str,
    skill_id: str,
    *,
    as_of: date | None = None,
    phase: str | Sequence[str] | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """The evidence behind one practice score, record by record, with each weight and its
    share of the total; the last row is the prior, so the parts add up to the score.

    Empty when the person is not visible or has no evidence in the skill (and phase)."""
    viewer.require_listing()
    as_of = as_of or date.today()
    vis, vis_params = visible_staff_sql(viewer, "st")
    tw, tw_params = type_weight_sql(params, "e.evidence_type")
    stages = phase_list(phase)
    phase_sql = EVIDENCE_PHASE_SQL if stages else ""
    frame = con.execute(
        f"""
        SELECT e.date, e.evidence_type, {evidence_value_sql(params)} AS strength,
               e.recorded_by, e.phase,
               CASE WHEN e.strength IS NULL THEN concat_ws(' ', e.note, '(no grade: a modest '
                    || 'pseudo-record)') ELSE e.note END AS note,
               date_diff('day', e.date, ?::DATE) AS age_days,
               ({tw} * {evidence_factor_sql(params)})::DOUBLE AS type_weight,
               pow(0.5, greatest(date_diff('day', e.date, ?::DATE), 0) / ?) AS recency_weight
        FROM evidence e JOIN staff st USING (staff_ref)
        WHERE e.staff_ref = ? AND e.skill_id = ? {phase_sql} AND {vis}
        ORDER BY e.date DESC, e.evidence_type, e.recorded_by
        """,  # noqa: S608 - fragments are code; values are parameters
        [
            as_of,
            *tw_params,
            as_of,
            params.half_life_days,
            staff_ref,
            skill_id,
            *([stages] if stages else []),
            *vis_params,
        ],
    ).df()
    if frame.empty:
        return frame
    # Who recorded it may be a partner's member of staff the viewer may not see.
    frame["recorded_by"] = withhold_refs(con, viewer, frame["recorded_by"])
    frame["weight"] = frame["type_weight"] * frame["recency_weight"]
    frame = _append(
        frame,
        {
            "evidence_type": "prior (shrinkage)",
            "strength": params.prior_mean,
            "recorded_by": "",
            "note": f"Neutral starting point, worth {params.prior_weight:g} records",
            "weight": params.prior_weight,
        },
    )
    return _with_shares(frame)


def explain_coaching(
    con: Connection,
    viewer: Viewer,
    staff_ref: str,
    skill_id: str,
    *,
    as_of: date | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """The parts of one coaching score, so a leader can see why someone is a strong coach.

    One row per coaching outcome and per numeric coachee feedback (records in other skills
    weigh `other_skill_factor`), per coaching-feedback evidence record in the skill, the coach
    training pseudo-record, and the prior; `contribution` adds up to the coaching score. The
    coachee is not named: the relationship is theirs too. Empty when the person is not visible.
    """
    viewer.require_listing()
    as_of = as_of or date.today()
    vis, vis_params = visible_staff_sql(viewer, "st")
    p = params
    visible = con.execute(
        f"SELECT st.coach_trained FROM staff st WHERE st.staff_ref = ? AND {vis}",  # noqa: S608
        [staff_ref, *vis_params],
    ).fetchall()
    if not visible:
        return pd.DataFrame(columns=_COACHING_PARTS)
    frame = con.execute(
        f"""
        WITH rec AS (
            SELECT c.skill_id, c.date, c.o AS outcome_strength, c.fb AS feedback_score,
                   c.factor, c.source, c.pairing_id,
                   CASE WHEN c.skill_id = ? THEN 1.0 ELSE ? END AS skill_factor,
                   pow(0.5, greatest(date_diff('day', c.date, ?::DATE), 0) / ?)
                     AS recency_weight
            FROM {coaching_records_sql(p, donors=True)} c WHERE c.coach_ref = ?
        )
        SELECT CASE source WHEN 'coaching' THEN 'coaching outcome'
                    ELSE concat('pairing ', source, ' (', pairing_id, ')') END AS part,
               skill_id, date, outcome_strength::DOUBLE AS strength,
               skill_factor, ? * factor AS base_weight, recency_weight
        FROM rec WHERE outcome_strength IS NOT NULL
        UNION ALL
        SELECT 'coachee feedback', skill_id, date, feedback_score::DOUBLE, skill_factor, ?,
               recency_weight
        FROM rec WHERE feedback_score IS NOT NULL
        UNION ALL
        SELECT 'coaching-feedback evidence', e.skill_id, e.date, {evidence_value_sql(p)},
               1.0, ? * {evidence_factor_sql(p)},
               pow(0.5, greatest(date_diff('day', e.date, ?::DATE), 0) / ?)
        FROM evidence e
        WHERE e.staff_ref = ? AND e.skill_id = ? AND e.evidence_type = 'coaching-feedback'
        ORDER BY date DESC, part, skill_id
        """,  # noqa: S608 - fragments are code; values are parameters
        [
            skill_id,
            p.other_skill_factor,
            as_of,
            p.half_life_days,
            [staff_ref],
            staff_ref,
            p.outcome_weight,
            p.feedback_weight,
            p.coaching_evidence_weight,
            as_of,
            p.half_life_days,
            staff_ref,
            skill_id,
        ],
    ).df()
    frame["weight"] = frame["skill_factor"] * frame["base_weight"] * frame["recency_weight"]
    frame = frame.astype({"part": "object", "skill_id": "object"})
    if visible[0][0]:
        frame = _append(
            frame,
            {
                "part": "coach training",
                "strength": p.training_value,
                "base_weight": p.training_weight,
                "weight": p.training_weight,
            },
        )
    frame = _append(
        frame,
        {
            "part": "prior (shrinkage)",
            "strength": p.coaching_prior_mean,
            "base_weight": p.coaching_prior_weight,
            "weight": p.coaching_prior_weight,
        },
    )
    return _with_shares(frame)[_COACHING_PARTS]


_COACHING_PARTS = [
    "part",
    "skill_id",
    "date",
    "strength",
    "skill_factor",
    "base_weight",
    "recency_weight",
    "weight",
    "share",
    "contribution",
]
