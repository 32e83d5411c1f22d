"""Depth by school and the gap map: the find's aggregate answers.

Why separate from the ranked list: these count people rather than list them, so they may
include staff the viewer cannot see one by one — but only through the suppression rule
(CONTRACT: Suppression), so a small number never points at a person. "Strong" and "recent" are
`brokering.concepts`' words, the same on every page.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering import concepts
from brokering.db import Connection
from brokering.find import scores as find_scores
from brokering.find.query import parse_phase
from brokering.scoring import DEFAULT_PARAMS, ScoringParams
from brokering.viewer import Viewer
from brokering.visibility import suppress, visible_staff_sql


@find_scores.plain_errors("count staff by school")
def depth_by_school(
    con: Connection,
    viewer: Viewer,
    skill_id: str,
    *,
    phase: tuple[str, ...] | list[str] | str | None = None,
    as_of: date | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Per school, how many staff have strong, recent evidence in the skill.

    `listed` counts people the viewer can see one by one (own school, or consenting); it is
    never suppressed. `not_shared` counts the rest (partner staff without consent; everyone,
    for aggregate-only roles) and is shown only at or above the suppression threshold — NA
    otherwise. `depth` is what may be shown in total. Leavers are never counted.
    """
    stages = parse_phase(phase)
    as_of = as_of or date.today()
    source = find_scores.parts_source(con, skill_id, as_of, params, stages)
    grouped, g_values = find_scores.grouped_sql(source, stages)
    strong, s_values = concepts.strong_recent_sql(source, params, as_of)
    vis, vis_values = visible_staff_sql(viewer, "st")
    phase_sql, p_values = "", []
    if stages:
        phase_sql = "AND (len(st.phases) = 0 OR list_has_any(st.phases, ?::VARCHAR[]))"
        p_values = [list(stages)]
    sql = f"""
        WITH people AS (
            SELECT st.school_id, ({vis}) AS visible
            FROM {grouped} g JOIN staff st USING (staff_ref)
            WHERE st.left_on IS NULL AND g.n > 0 AND {strong} {phase_sql}
        )
        SELECT sc.school_id, sc.name AS school,
               count(p.school_id) FILTER (WHERE p.visible) AS listed,
               count(p.school_id) FILTER (WHERE NOT p.visible) AS hidden
        FROM schools sc LEFT JOIN people p USING (school_id)
        GROUP BY ALL
    """  # noqa: S608 - fragments are code; values are parameters
    counts = con.execute(sql, [*vis_values, *g_values, *s_values, *p_values]).df()
    counts["listed"] = counts["listed"].astype(int)
    not_shared: list[int | None]
    if viewer.sees_everyone:
        not_shared = [0] * len(counts)
    else:
        not_shared = [suppress(int(n)) for n in counts["hidden"]]
    counts["not_shared"] = pd.array(not_shared, dtype="Int64")
    counts["depth"] = (counts["listed"] + counts["not_shared"].fillna(0)).astype(int)
    counts["note"] = [_note(viewer, n) for n in counts["not_shared"]]
    counts = counts.sort_values(["depth", "school"], ascending=[False, True], kind="mergesort")
    return counts[["school_id", "school", "listed", "not_shared", "depth", "note"]].reset_index(
        drop=True
    )


def _note(viewer: Viewer, n: object) -> str:
    if pd.isna(n) or n == 0:
        return ""
    if viewer.aggregate_only:
        return f"{n} staff"
    return f"and {n} more who have not consented to sharing"


@find_scores.plain_errors("draw the gap map")
def gap_map(
    con: Connection,
    viewer: Viewer,
    *,
    as_of: date | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Skills in which no one in the alliance (leavers aside) has strong, recent evidence —
    where leaders must look outside — grouped by area, those with open needs first.

    Only skills taught in the alliance's key stages are listed. `people_with_evidence` and
    `open_needs` count across schools, so they pass through suppression unless the viewer is
    the alliance administrator; the gap itself is a fact about the whole alliance."""
    as_of = as_of or date.today()
    source = find_scores.parts_source(con, None, as_of, params)
    grouped, g_values = find_scores.grouped_sql(source, ())
    strong, s_values = concepts.strong_recent_sql(source, params, as_of)
    sql = f"""
        WITH people AS (
            SELECT g.skill_id, count(*) AS with_evidence,
                   count(*) FILTER (WHERE {strong}) AS strong_recent
            FROM {grouped} g JOIN staff st USING (staff_ref)
            WHERE st.left_on IS NULL AND g.n > 0
            GROUP BY ALL
        ), taught AS (
            SELECT DISTINCT unnest(phases) AS ks FROM staff WHERE left_on IS NULL
        ), open_needs AS (
            SELECT n.skill_id, count(*) AS open_needs FROM needs n
            JOIN staff st USING (staff_ref)
            WHERE n.status = 'open' AND st.left_on IS NULL GROUP BY ALL
        )
        SELECT sk.area, sk.skill_id, sk.name AS skill, sk.kind,
               coalesce(p.with_evidence, 0) AS people_with_evidence,
               coalesce(o.open_needs, 0) AS open_needs
        FROM skills sk
        LEFT JOIN people p USING (skill_id)
        LEFT JOIN open_needs o USING (skill_id)
        WHERE coalesce(p.strong_recent, 0) = 0
          AND (NOT EXISTS (SELECT 1 FROM taught)
               OR list_has_any(sk.phases, (SELECT list(ks) FROM taught)))
        ORDER BY sk.area, open_needs DESC, sk.name
    """  # noqa: S608 - fragments are code; values are parameters
    frame = con.execute(sql, [*s_values, *g_values]).df()
    frame["status"] = [
        "no evidence recorded" if n == 0 else "evidence, but none strong and recent"
        for n in frame["people_with_evidence"]
    ]
    if not viewer.sees_everyone:
        for col in ("people_with_evidence", "open_needs"):
            frame[col] = pd.array([suppress(int(v)) for v in frame[col]], dtype="Int64")
    return frame.reset_index(drop=True)
