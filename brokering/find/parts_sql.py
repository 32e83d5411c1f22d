"""The SQL of the per-skill score parts, and the keys of what the stored parts bake in.

Why a module of its own: the same statement builds the stored parts (`maintenance`),
re-works one write's people (`people_parts`) and computes one skill's parts on the fly when
none are stored (`scores`), so all three sum exactly alike. See `maintenance` for the layout
and the epoch the sums are measured to.
"""

from __future__ import annotations

import json
from datetime import date

from brokering.scoring import (
    ScoringParams,
    coaching_records_sql,
    evidence_factor_sql,
    evidence_value_sql,
)

#: Phase key of the row that totals a person's evidence over every phase.
ALL_PHASES = "*"
#: Phase key of evidence that names no key stage.
NO_PHASE = "-"


def params_key(params: ScoringParams) -> str:
    """The parameters baked into the stored sums (priors and training apply at query time)."""
    p = params
    return json.dumps(
        {
            "half_life_days": p.half_life_days,
            "type_weights": p.type_weights,
            "outcome_weight": p.outcome_weight,
            "feedback_weight": p.feedback_weight,
            "coaching_evidence_weight": p.coaching_evidence_weight,
            "other_skill_factor": p.other_skill_factor,
            "ungraded_value": p.ungraded_value,
            "ungraded_weight": p.ungraded_weight,
            "not_transferred_value": p.not_transferred_value,
            "not_transferred_weight": p.not_transferred_weight,
        },
        sort_keys=True,
    )


def priors_key(params: ScoringParams) -> str:
    return json.dumps([params.prior_mean, params.prior_weight])


#: Columns of a parts row after (skill_id, staff_ref, phase).
PART_COLUMNS = ("n", "latest", "s_sum", "p_sw", "p_w", "c_sw", "c_w", "c_n", "s1")


def parts_query(
    params: ScoringParams,
    epoch: date,
    *,
    skill_id: str | None = None,
    by_phase: bool = False,
    staff_refs: list[str] | None = None,
    ranked_at: date | None = None,
) -> tuple[str, list[object]]:
    """SELECT of score parts and its bound values, recency measured to `epoch`.

    One row per (skill, person) with phase `*` (all evidence); with `by_phase`, also one
    per key stage the evidence names (`-` for none), which carry practice sums only.
    `skill_id` limits it to one skill (a single find computing its parts on the fly);
    `staff_refs` to those people in every skill (a write refreshing what it touched: every
    sum is per person, so their rows alone are exact).
    n, latest, s_sum: evidence count, newest date, sum of strengths. p_sw, p_w: practice
    sums, weight = type weight x recency. c_sw, c_w: coaching sums — outcomes and numeric
    coachee feedback of the person's coaching (records in other skills weigh
    `other_skill_factor`) and coaching-feedback evidence in the skill; c_n: coaching records
    in the skill. s1: the practice strength with recency measured to `ranked_at` (default
    `epoch`; stored parts measure it to the newest record at their full build, a date no
    find before it asks about, so `find_scores.score_floor` ages it by a factor <= 1; stored
    rows are kept in its order within a skill, so a find can skip most of a large skill). People
    who coached the skill without evidence in it get a `*` row with zero practice, so a
    coaching rank can find them.
    """
    p = params
    weights = " ".join("WHEN ? THEN ?" for _ in p.type_weights)
    tw = [v for pair in p.type_weights.items() for v in pair]
    skill_ev = "WHERE e.skill_id = ?" if skill_id else ""
    if staff_refs is not None:
        skill_ev += " AND" if skill_ev else "WHERE"
        skill_ev += " list_contains(?, e.staff_ref)"
    people_cr = "AND list_contains(?, c.coach_ref)" if staff_refs is not None else ""
    records = coaching_records_sql(p, donors=staff_refs is not None)
    skill_cs = "WHERE skill_id = ?" if skill_id else ""
    # For one skill, only the coaching of people who could rank in it: those with evidence
    # in the skill and those who coached it.
    coaches = (
        "AND c.coach_ref IN (SELECT staff_ref FROM ev UNION ALL "
        "SELECT coach_ref FROM recs WHERE skill_id = ?)"
        if skill_id
        else ""
    )
    phase = f"coalesce(e.phase, '{NO_PHASE}')" if by_phase else f"'{ALL_PHASES}'"
    phase_rows = (
        f"""UNION ALL
            SELECT skill_id, staff_ref, '{ALL_PHASES}', sum(n), max(latest), sum(s_sum),
                   sum(p_sw), sum(p_w), sum(cf_sw), sum(cf_w)
            FROM ph GROUP BY ALL"""  # noqa: S608 - code fragments
        if by_phase
        else ""
    )
    sql = f"""
        WITH epoch AS (SELECT ?::DATE AS d),
        recs AS (SELECT * FROM {records}),
        ev AS (
            SELECT e.skill_id, e.staff_ref, {phase} AS phase,
                   {evidence_value_sql(p)} AS strength, e.date, e.evidence_type,
                   {evidence_factor_sql(p)}
                     * pow(0.5, greatest(date_diff('day', e.date, epoch.d), 0) / ?) AS x
            FROM evidence e, epoch {skill_ev}
        ), ph AS (
            SELECT skill_id, staff_ref, phase, count(*) AS n, max(date) AS latest,
                   sum(strength)::DOUBLE AS s_sum,
                   sum((CASE evidence_type {weights} ELSE 0 END) * x * strength) AS p_sw,
                   sum((CASE evidence_type {weights} ELSE 0 END) * x) AS p_w,
                   coalesce(sum(x * strength)
                            FILTER (WHERE evidence_type = 'coaching-feedback'), 0) AS cf_sw,
                   coalesce(sum(x) FILTER (WHERE evidence_type = 'coaching-feedback'), 0)
                     AS cf_w
            FROM ev GROUP BY ALL
        ), keyed AS (
            SELECT * FROM ph {phase_rows}
        ), cr AS (
            SELECT c.coach_ref AS staff_ref, c.skill_id,
                   c.factor * pow(0.5, greatest(date_diff('day', c.date, epoch.d), 0) / ?)
                     AS x,
                   c.o, c.fb
            FROM recs c, epoch WHERE TRUE {coaches} {people_cr}
        ), per_record AS (
            SELECT staff_ref, skill_id,
                   ? * coalesce(x * o, 0) + ? * coalesce(x * fb, 0) AS sw,
                   ? * (CASE WHEN o IS NULL THEN 0 ELSE x END)
                     + ? * (CASE WHEN fb IS NULL THEN 0 ELSE x END) AS w
            FROM cr
        ), every_skill AS (
            SELECT staff_ref, sum(sw) AS sw, sum(w) AS w FROM per_record GROUP BY ALL
        ), this_skill AS (
            SELECT skill_id, staff_ref, sum(sw) AS sw, sum(w) AS w, count(*) AS c_n
            FROM per_record {skill_cs} GROUP BY ALL
        ), rows AS (
            SELECT skill_id, staff_ref, phase, n, latest, s_sum, p_sw, p_w, cf_sw, cf_w
            FROM keyed
            UNION ALL
            SELECT t.skill_id, t.staff_ref, '{ALL_PHASES}', 0, NULL::DATE, 0.0, 0.0, 0.0,
                   0.0, 0.0
            FROM this_skill t
            WHERE NOT EXISTS (SELECT 1 FROM ph WHERE ph.skill_id = t.skill_id
                              AND ph.staff_ref = t.staff_ref)
        )
        SELECT r.skill_id, r.staff_ref, r.phase, r.n, r.latest, r.s_sum, r.p_sw, r.p_w,
               CASE WHEN r.phase = '{ALL_PHASES}' THEN
                   ? * coalesce(a.sw, 0) + (1 - ?) * coalesce(t.sw, 0) + ? * r.cf_sw
               ELSE 0 END AS c_sw,
               CASE WHEN r.phase = '{ALL_PHASES}' THEN
                   ? * coalesce(a.w, 0) + (1 - ?) * coalesce(t.w, 0) + ? * r.cf_w
               ELSE 0 END AS c_w,
               CASE WHEN r.phase = '{ALL_PHASES}' THEN coalesce(t.c_n, 0) ELSE 0 END AS c_n,
               (? * r.p_sw + ?) / (? * r.p_w + ?) AS s1
        FROM rows r
        LEFT JOIN every_skill a USING (staff_ref)
        LEFT JOIN this_skill t USING (skill_id, staff_ref)
    """  # noqa: S608 - fragments are code; values are parameters
    skill = [skill_id] if skill_id else []
    people: list[object] = [list(staff_refs)] if staff_refs is not None else []
    fo, cew = p.other_skill_factor, p.coaching_evidence_weight
    r = 1.0 if ranked_at is None else 0.5 ** ((ranked_at - epoch).days / p.half_life_days)
    values: list[object] = [
        epoch,
        *people,  # the pairings read: only those people's (`coaching_records_sql`)
        p.half_life_days,
        *skill,
        *people,
        *tw,
        *tw,
        p.half_life_days,
        *skill,
        *people,
        p.outcome_weight,
        p.feedback_weight,
        p.outcome_weight,
        p.feedback_weight,
        *skill,
        fo,
        fo,
        cew,
        fo,
        fo,
        cew,
        r,
        p.prior_mean * p.prior_weight,
        r,
        p.prior_weight,
    ]
    return sql, values
