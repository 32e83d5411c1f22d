# ruff: noqa: S608 - SQL fragments here are code constants; values are bound.
"""Answering floors for "find one skill" (issue 24): the cheapest single DuckDB statement that
returns the same top 20 as the product, checked equal in the run.

Why: a raw filtered scan fetches every row of the skill and ranks nobody, so it is a floor
for reading, not for answering. These statements answer: one from the evidence (what any
DuckDB user could write), one from the stored per-skill parts the product's `optimise`
builds (the same precomputation, without the product's layers).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from brokering.find import maintenance, parts_sql
from brokering.scoring import DEFAULT_PARAMS, ScoringParams, type_weight_sql
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

_SCORE = "round(((sw + ? * ?) / (w + ?) - 1) / 3 * 100, 1)"
_ORDER = "ORDER BY score DESC, conf DESC, latest DESC NULLS LAST, staff_ref LIMIT ?"


def top_from_evidence(
    viewer: Viewer, skill_id: str, as_of: date, top: int, params: ScoringParams = DEFAULT_PARAMS
) -> tuple[str, list[Any]]:
    tw, tw_values = type_weight_sql(params, "e.evidence_type")
    vis, vis_values = visible_staff_sql(viewer, "st")
    p = params
    sql = f"""
        SELECT staff_ref, {_SCORE} AS score, w / (w + ?) AS conf, latest
        FROM (SELECT e.staff_ref,
                     sum({tw} * pow(0.5, greatest(date_diff('day', e.date, ?::DATE), 0) / ?)
                         * e.strength) AS sw,
                     sum({tw} * pow(0.5, greatest(date_diff('day', e.date, ?::DATE), 0) / ?))
                         AS w,
                     max(e.date) AS latest
              FROM evidence e WHERE e.skill_id = ? GROUP BY e.staff_ref) a
        JOIN staff st USING (staff_ref) WHERE {vis}
        {_ORDER}
    """
    values = [
        p.prior_mean,
        p.prior_weight,
        p.prior_weight,
        p.prior_weight,
        *tw_values,
        as_of,
        p.half_life_days,
        *tw_values,
        as_of,
        p.half_life_days,
        skill_id,
        *vis_values,
        top,
    ]
    return sql, values


def top_from_parts(
    viewer: Viewer,
    skill_id: str,
    as_of: date,
    epoch: date,
    top: int,
    params: ScoringParams = DEFAULT_PARAMS,
) -> tuple[str, list[Any]]:
    vis, vis_values = visible_staff_sql(viewer, "st")
    p = params
    factor = 0.5 ** ((as_of - epoch).days / p.half_life_days)
    sql = f"""
        SELECT staff_ref, {_SCORE} AS score, w / (w + ?) AS conf, latest
        FROM (SELECT staff_ref, p_sw * ? AS sw, p_w * ? AS w, latest FROM {maintenance.PARTS}
              WHERE skill_id = ? AND phase = '{parts_sql.ALL_PHASES}' AND n > 0) a
        JOIN staff st USING (staff_ref) WHERE {vis}
        {_ORDER}
    """
    values = [
        p.prior_mean,
        p.prior_weight,
        p.prior_weight,
        p.prior_weight,
        factor,
        factor,
        skill_id,
        *vis_values,
        top,
    ]
    return sql, values
