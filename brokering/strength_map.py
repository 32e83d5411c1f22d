"""The alliance's map of strengths: how deep each school is in each area of the taxonomy, the
skills in each area where no one is strong, and open needs with no strong coach anywhere.

Why a separate room from the find's depth and gap map: those answer one skill, or list 177
skills; a leader deciding where the alliance is thin wants the whole picture at once — areas
by schools, coloured by depth. The counts follow the find's rules exactly ("strong, recent"
from `concepts`, the same stored parts) and its suppression: people the viewer can see one
by one are counted as they are; the rest (partner staff without consent; everyone, for a
governor) only at or above the suppression threshold, so a cell never points at a person.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering import concepts
from brokering.db import Connection
from brokering.find import scores as find_scores
from brokering.matching.needs import list_needs
from brokering.scoring import DEFAULT_PARAMS, ScoringParams, coaching_scores
from brokering.viewer import Viewer, operator
from brokering.visibility import suppress, visible_staff_sql

MAP_COLUMNS = ["area", "school_id", "school", "listed", "not_shared", "depth"]


@find_scores.plain_errors("draw the map of strengths")
def strength_map(
    con: Connection,
    viewer: Viewer,
    *,
    as_of: date | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """One row per (area, school): staff with strong, recent evidence in at least one skill of
    the area (each person once per area). `listed`: people the viewer may see; `not_shared`:
    the rest, NA below the threshold; `depth`: what may be shown in total."""
    as_of = as_of or date.today()
    source = find_scores.parts_source(con, None, as_of, params)
    grouped, g_values = find_scores.grouped_sql(source, ())
    strong, s_values = concepts.strong_recent_sql(source, params, as_of)
    vis, vis_values = visible_staff_sql(viewer, "st")
    sql = f"""
        WITH people AS (
            SELECT DISTINCT sk.area, st.school_id, st.staff_ref, ({vis}) AS visible
            FROM {grouped} g JOIN staff st USING (staff_ref) JOIN skills sk USING (skill_id)
            WHERE st.left_on IS NULL AND g.n > 0 AND {strong}
        ), counts AS (
            SELECT area, school_id, count(*) FILTER (WHERE visible) AS listed,
                   count(*) FILTER (WHERE NOT visible) AS hidden
            FROM people GROUP BY ALL
        ), areas AS (SELECT DISTINCT area FROM skills)
        SELECT a.area, sc.school_id, sc.name AS school,
               coalesce(c.listed, 0) AS listed, coalesce(c.hidden, 0) AS hidden
        FROM areas a CROSS JOIN schools sc
        LEFT JOIN counts c ON c.area = a.area AND c.school_id = sc.school_id
        ORDER BY a.area, sc.name
    """  # noqa: S608 - fragments are code; values are parameters
    frame = con.execute(sql, [*vis_values, *g_values, *s_values]).df()
    frame["listed"] = frame["listed"].astype(int)
    hidden = [0 if viewer.sees_everyone else suppress(int(n)) for n in frame["hidden"]]
    frame["not_shared"] = pd.array(hidden, dtype="Int64")
    frame["depth"] = (frame["listed"] + frame["not_shared"].fillna(0)).astype(int)
    return frame[MAP_COLUMNS].reset_index(drop=True)


def gaps_by_area(gaps: pd.DataFrame) -> dict[str, list[str]]:
    """The gap map's skills grouped by area (areas and skills in order), those with open
    needs first within an area, as the gap map orders them."""
    out: dict[str, list[str]] = {}
    for area, skill in gaps[["area", "skill"]].itertuples(index=False):
        out.setdefault(str(area), []).append(str(skill))
    return out


@find_scores.plain_errors("list needs with no strong coach")
def needs_without_strong_coach(
    con: Connection,
    viewer: Viewer,
    *,
    as_of: date | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Open needs (those the viewer may see) in skills where no one in the alliance — leavers
    aside — has a coaching score of at least `strong_score`: where the coordinator must look
    outside, or grow a coach.

    Whether a strong coach exists is a fact about the whole alliance, like the gap map: it is
    worked out over everyone (an internal all-seeing read), and only that yes/no per skill
    leaves this function — never who, where or how many."""
    as_of = as_of or date.today()
    needs = list_needs(con, viewer, statuses=("open",))
    if needs.empty:
        return needs
    everyone = operator("strength-map")
    strongest: dict[str, float] = {}
    for skill_id in sorted(set(needs["skill_id"])):
        scores = coaching_scores(con, everyone, skill_id, as_of=as_of, params=params)
        strongest[skill_id] = float(scores["coaching_score"].max()) if len(scores) else 0.0
    thin = needs[[strongest[s] < params.strong_score for s in needs["skill_id"]]]
    return thin.reset_index(drop=True)
