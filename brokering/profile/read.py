"""The reads behind one person's profile, each through the visibility rule.

Why one module of small reads rather than one query: each part (strengths, evidence,
coaching, pairings, capacity, needs, similar people) already has its rule elsewhere — the
coaching score in `scoring`, hours left in `matching.capacity`, pairings in
`pairings.views`, needs in `matching.needs` — and the profile calls those rather than
copying them. Only the practice score per skill is worked out here, from the person's own
evidence rows in one read, with the same weights as `scoring.practice_scores` (a test holds
the two equal).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from brokering.db import Connection, query_df
from brokering.errors import NotFoundError
from brokering.importing.parsers import RECORDER_LABELS
from brokering.scoring import (
    DEFAULT_PARAMS,
    ScoringParams,
    coaching_scores,
    score_of,
    to_percent,
    type_weight_sql,
)
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

HIDDEN = "not shared"
#: What an observer who is a member of staff (recorded by reference) is shown as, when their
#: role is not known.
COLLEAGUE = "a colleague"


def not_found(staff_ref: str) -> NotFoundError:
    """The one message for a reference that does not exist and for one the viewer may not see,
    so the answer never tells which."""
    return NotFoundError(f"No one you can see has the reference “{staff_ref}”.")


def person(con: Connection, viewer: Viewer, staff_ref: str) -> dict:
    """The person's own row and school, if the viewer may see them; else not found."""
    viewer.require_listing()
    vis, values = visible_staff_sql(viewer, "st")
    frame = query_df(
        con,
        f"""SELECT st.staff_ref, st.school_id, sc.name AS school, st.role, st.phases,
                   st.subjects, st.share_consent, st.coach_trained, st.mentor_trained,
                   st.capacity_hours
            FROM staff st JOIN schools sc USING (school_id)
            WHERE st.staff_ref = ? AND {vis}""",  # noqa: S608 - fragments are code
        [str(staff_ref), *values],
    )
    if frame.empty:
        raise not_found(staff_ref)
    row = frame.iloc[0].to_dict()
    row["phases"] = list(row["phases"])
    row["subjects"] = list(row["subjects"])
    # Subjects are kept as the taxonomy's skill references ("early-reading-and-phonics");
    # a page shows the skill's name, and a subject outside the taxonomy as it was given.
    named = dict(
        con.execute(
            "SELECT skill_id, name FROM skills WHERE list_contains(?, skill_id)", [row["subjects"]]
        ).fetchall()
    )
    row["subject_names"] = [named.get(s, s) for s in row["subjects"]]
    row["own_school"] = viewer.school_id is not None and row["school_id"] == viewer.school_id
    return row


def observer_role(recorded_by: object, recorder_role: object) -> str:
    """Who saw it, as a role: a role label stays; a staff reference becomes that person's
    role; anything else is "a colleague" (never a name, never another person's reference)."""
    text = "" if recorded_by is None or pd.isna(recorded_by) else str(recorded_by)
    if text in RECORDER_LABELS:
        return text
    if isinstance(recorder_role, str) and recorder_role:
        return recorder_role
    return COLLEAGUE if text else ""


def observers(con: Connection, viewer: Viewer, recorded_by: list[object]) -> list[str]:
    """`observer_role` for each `recorded_by` value of an evidence table (one read of the
    roles of those recorded by reference; an observer the viewer may not see is "a
    colleague")."""
    refs = sorted({str(r) for r in recorded_by if isinstance(r, str) and r})
    vis, values = visible_staff_sql(viewer, "st")
    roles = dict(
        query_df(
            con,
            f"SELECT st.staff_ref, st.role FROM staff st "  # noqa: S608 - code fragments
            f"WHERE list_contains(?::VARCHAR[], st.staff_ref) AND {vis}",
            [refs, *values],
        ).itertuples(index=False, name=None)
    )
    return [observer_role(r, roles.get(r) if isinstance(r, str) else None) for r in recorded_by]


def with_coaching_record(
    con: Connection, viewer: Viewer, staff_refs: list[str], skill_id: str
) -> set[str]:
    """Those of `staff_refs` whose coaching score in `skill_id` rests on some coaching record —
    an outcome or a coachee's rating of their coaching (in any skill: the craft partly
    travels) or coaching-feedback evidence in the skill — rather than on the prior and their
    training alone. The rest are shown "no record yet"."""
    vis, values = visible_staff_sql(viewer, "st")
    frame = query_df(
        con,
        f"""SELECT st.staff_ref FROM staff st
            WHERE list_contains(?::VARCHAR[], st.staff_ref) AND {vis}
              AND (EXISTS (SELECT 1 FROM coaching c
                           WHERE c.coach_ref = st.staff_ref AND c.mode = 'coaching'
                             AND (c.outcome_strength IS NOT NULL
                                  OR c.feedback_score IS NOT NULL))
                   OR EXISTS (SELECT 1 FROM evidence e
                              WHERE e.staff_ref = st.staff_ref AND e.skill_id = ?
                                AND e.evidence_type = 'coaching-feedback'))""",  # noqa: S608
        [list(staff_refs), *values, skill_id],
    )
    return set(frame["staff_ref"])


def evidence(
    con: Connection,
    viewer: Viewer,
    staff_ref: str,
    as_of: date,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Every evidence record of the person (if the viewer may see them), newest first, with
    its weight (type weight x recency) as the practice score uses it, and who saw it as a
    role (`observer_role`; an observer the viewer may not see is "a colleague")."""
    tw, tw_values = type_weight_sql(params, "e.evidence_type")
    vis, values = visible_staff_sql(viewer, "st")
    rvis, r_values = visible_staff_sql(viewer, "r")
    frame = query_df(
        con,
        f"""SELECT e.skill_id, coalesce(sk.name, e.skill_id) AS skill, sk.area, e.date,
                   e.evidence_type, e.strength::DOUBLE AS strength, e.recorded_by,
                   r.role AS recorder_role, e.note, e.phase,
                   {tw}::DOUBLE AS type_weight,
                   pow(0.5, greatest(date_diff('day', e.date, ?::DATE), 0) / ?) AS recency_weight
            FROM evidence e JOIN staff st USING (staff_ref)
            LEFT JOIN skills sk USING (skill_id)
            LEFT JOIN staff r ON r.staff_ref = e.recorded_by AND {rvis}
            WHERE e.staff_ref = ? AND {vis}
            ORDER BY e.date DESC, skill, e.evidence_type""",  # noqa: S608 - code fragments
        [*tw_values, as_of, params.half_life_days, *r_values, staff_ref, *values],
    )
    frame["weight"] = frame["type_weight"] * frame["recency_weight"]
    frame["observer"] = [
        observer_role(b, r)
        for b, r in zip(frame["recorded_by"], frame["recorder_role"], strict=True)
    ]
    return frame.drop(columns=["recorded_by", "recorder_role"])


def practice_by_skill(evidence_rows: pd.DataFrame, params: ScoringParams) -> pd.DataFrame:
    """Practice score and confidence per skill from the person's evidence rows: the weighted
    mean shrunk towards the prior (docs/SCORING.md), as `scoring.practice_scores` does."""
    if evidence_rows.empty:
        return pd.DataFrame(
            columns=["skill_id", "practice_score", "practice_confidence", "evidence_count"]
        )
    rows = evidence_rows.assign(ws=evidence_rows["weight"] * evidence_rows["strength"])
    g = rows.groupby("skill_id", sort=False).agg(
        sw=("ws", "sum"),
        w=("weight", "sum"),
        evidence_count=("weight", "size"),
        latest_evidence=("date", "max"),
    )
    mean = (g["sw"] + params.prior_mean * params.prior_weight) / (g["w"] + params.prior_weight)
    out = pd.DataFrame(
        {
            "practice_score": score_of(mean),
            "practice_confidence": g["w"] / (g["w"] + params.prior_weight),
            "evidence_count": g["evidence_count"].astype(int),
            "latest_evidence": g["latest_evidence"],
        }
    )
    return out.reset_index()


def coaching_by_skill(
    con: Connection,
    viewer: Viewer,
    staff_ref: str,
    skill_ids: list[str],
    as_of: date,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """The coaching score in each skill, from `scoring.coaching_scores` itself. `has_record`
    says whether it rests on any coaching record (an outcome, a coachee's rating or
    coaching-feedback evidence) rather than on the prior and training alone."""
    rows = []
    for skill_id in skill_ids:
        one = coaching_scores(con, viewer, skill_id, as_of=as_of, staff_refs=[staff_ref])
        if one.empty:
            continue
        r = one.iloc[0]
        rows.append(
            {
                "skill_id": skill_id,
                "coaching_score": float(r["coaching_score"]),
                "coaching_confidence": float(r["coaching_confidence"]),
                "coaching_records": int(r["coaching_records_in_skill"]),
                "has_coaching_record": staff_ref
                in with_coaching_record(con, viewer, [staff_ref], skill_id),
            }
        )
    columns = [
        "skill_id",
        "coaching_score",
        "coaching_confidence",
        "coaching_records",
        "has_coaching_record",
    ]
    return pd.DataFrame(rows, columns=columns)


def coaching_relationships(con: Connection, viewer: Viewer, staff_ref: str) -> pd.DataFrame:
    """Coaching and mentoring the person gave and received, newest first, with outcomes. The
    other person is named by reference only when the viewer may see them, else "not shared"
    (and no school); the coachee's own words are not shown here — they are theirs."""
    vis, values = visible_staff_sql(viewer, "st")
    frame = query_df(
        con,
        f"""WITH vs AS (SELECT st.staff_ref, st.school_id FROM staff st WHERE {vis}),
            rel AS (
              SELECT CASE WHEN c.coach_ref = ? THEN 'given' ELSE 'received' END AS direction,
                     CASE WHEN c.coach_ref = ? THEN c.coachee_ref ELSE c.coach_ref END
                       AS other_ref, c.*
              FROM coaching c WHERE c.coach_ref = ? OR c.coachee_ref = ?)
            SELECT rel.direction, coalesce(sk.name, rel.skill_id) AS skill, rel.mode,
                   rel.start_date, rel.end_date, rel.outcome_strength, rel.feedback_score,
                   rel.hours,
                   CASE WHEN vs.staff_ref IS NULL THEN ? ELSE rel.other_ref END AS other_ref,
                   sc.name AS other_school
            FROM rel LEFT JOIN vs ON vs.staff_ref = rel.other_ref
            LEFT JOIN schools sc ON sc.school_id = vs.school_id
            LEFT JOIN skills sk ON sk.skill_id = rel.skill_id
            ORDER BY rel.direction, rel.start_date DESC, skill""",  # noqa: S608
        [*values, staff_ref, staff_ref, staff_ref, staff_ref, HIDDEN],
    )
    frame["state"] = np.where(frame["end_date"].isna(), "running", "ended")
    return frame


def vectors(
    con: Connection,
    viewer: Viewer,
    staff_ref: str,
    as_of: date,
    params: ScoringParams = DEFAULT_PARAMS,
) -> tuple[dict[str, float], dict[str, dict[str, float]], dict[str, str]]:
    """Skill vectors (practice score per skill) of the person and of every other person the
    viewer may see who has evidence in at least one of the same skills; and each one's school."""
    vis, values = visible_staff_sql(viewer, "st")
    tw, tw_values = type_weight_sql(params, "e.evidence_type")
    frame = query_df(
        con,
        f"""WITH mine AS (SELECT DISTINCT skill_id FROM evidence WHERE staff_ref = ?),
            people AS (
              SELECT DISTINCT e.staff_ref FROM evidence e JOIN mine USING (skill_id)),
            ev AS (
              SELECT e.staff_ref, e.skill_id, e.strength,
                     {tw} * pow(0.5, greatest(date_diff('day', e.date, ?::DATE), 0) / ?) AS w
              FROM evidence e JOIN people USING (staff_ref))
            SELECT ev.staff_ref, st.school_id, ev.skill_id,
                   (sum(ev.w * ev.strength) + ? * ?) / (sum(ev.w) + ?) AS mean
            FROM ev JOIN staff st USING (staff_ref)
            WHERE ev.staff_ref = ? OR ({vis})
            GROUP BY ALL""",  # noqa: S608 - fragments are code; values are parameters
        [
            staff_ref,
            *tw_values,
            as_of,
            params.half_life_days,
            params.prior_mean,
            params.prior_weight,
            params.prior_weight,
            staff_ref,
            *values,
        ],
    )
    frame["score"] = to_percent(frame["mean"])
    target: dict[str, float] = {}
    others: dict[str, dict[str, float]] = {}
    schools: dict[str, str] = {}
    for ref, school, skill, score in frame[
        ["staff_ref", "school_id", "skill_id", "score"]
    ].itertuples(index=False):
        if ref == staff_ref:
            target[skill] = float(score)
        else:
            others.setdefault(ref, {})[skill] = float(score)
            schools[ref] = school
    return target, others, schools
