"""The product's words, each computed once: *strong*, *recent*, *proposable*, *hidden* and
*evidenced transfer*. Every page, command and figure that uses one of these words calls
this module, so no two views can disagree about who counts (docs/GLOSSARY.md says each in
one plain sentence; the thresholds live in `settings.py`).

Why a module of its own: the ranked list, the by-school chart, the gap map and the
dashboard's complementary strengths once each decided "strong" their own way, and the same
school showed 1, 6 or 7 strong practitioners depending on the page.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from brokering.db import Connection
from brokering.find import scores as find_scores
from brokering.scoring import DEFAULT_PARAMS, ScoringParams
from brokering.settings import PROPOSE_SCORE, RECENT_DAYS, STRONG_SCORE, SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer
from brokering.visibility import suppress, visible_staff_sql

__all__ = [
    "HIDDEN_BELOW",
    "PROPOSE_SCORE",
    "RECENT_DAYS",
    "STRONG_SCORE",
    "hidden_words",
    "is_proposable",
    "is_recent",
    "is_strong",
    "recent_since",
    "strong_counts",
    "strong_meaning",
    "strong_recent_sql",
]

#: A figure resting on fewer people than this is *hidden* (drawn as "fewer than N").
HIDDEN_BELOW = SUPPRESSION_THRESHOLD


def recent_since(as_of: date, params: ScoringParams = DEFAULT_PARAMS) -> date:
    """The first day that still counts as *recent* on `as_of`."""
    return as_of - timedelta(days=params.recent_days)


def is_recent(latest: object, as_of: date, params: ScoringParams = DEFAULT_PARAMS) -> bool:
    """*Recent*: the latest evidence falls within the recent window before `as_of`."""
    if latest is None or pd.isna(latest):
        return False
    return pd.Timestamp(latest).date() >= recent_since(as_of, params)


def is_strong(
    score: float, latest: object, as_of: date, params: ScoringParams = DEFAULT_PARAMS
) -> bool:
    """*Strong*: a practice score of at least the strong threshold, on recent evidence."""
    return float(score) >= params.strong_score and is_recent(latest, as_of, params)


def is_proposable(score: float, min_score: float = PROPOSE_SCORE) -> bool:
    """*Proposable*: a practice score high enough to be proposed as a coach or mentor."""
    return float(score) >= min_score


def strong_meaning(params: ScoringParams = DEFAULT_PARAMS) -> str:
    """The definition as a leader reads it, with the thresholds in force."""
    years = params.recent_days / 365
    window = (
        f"{years:.0f} years" if abs(years - round(years)) < 0.05 else f"{params.recent_days} days"
    )
    return (
        f"Strong means a practice score of at least {params.strong_score:.0f} out of 100, "
        f"with evidence in the last {window}."
    )


def hidden_words(threshold: int = HIDDEN_BELOW) -> str:
    """How a hidden figure is drawn, everywhere."""
    return f"fewer than {threshold}"


def strong_recent_sql(
    source: find_scores.PartsSource, params: ScoringParams, as_of: date
) -> tuple[str, list[object]]:
    """*Strong* and *recent* as a SQL predicate over a find's grouped parts (alias `g`)."""
    mean, _, s_values = find_scores.practice_sql(source, params)
    score = find_scores.PCT_SQL.format(mean)
    return (
        f"({score} >= ? AND g.latest >= ?)",
        [*s_values[:4], params.strong_score, recent_since(as_of, params)],
    )


def strong_counts(
    con: Connection,
    as_of: date,
    params: ScoringParams = DEFAULT_PARAMS,
    viewer: Viewer | None = None,
) -> pd.DataFrame:
    """Strong people (leavers aside) per school and skill: `school_id`, `skill_id`, `strong`.

    Without a viewer, the raw count across the whole alliance (for the administrator's
    views and tests). With one, `strong` is what that viewer may be shown — the people they
    can see one by one, plus the others only where those number at least the hiding
    threshold — exactly as the by-school chart counts them, so no figure on one page can be
    subtracted from another to reveal a hidden one."""
    source = find_scores.parts_source(con, None, as_of, params)
    grouped, g_values = find_scores.grouped_sql(source, ())
    strong, s_values = strong_recent_sql(source, params, as_of)
    vis, vis_values = visible_staff_sql(viewer, "st") if viewer else ("TRUE", [])
    sql = f"""
        SELECT st.school_id, g.skill_id,
               count(*) FILTER (WHERE {vis}) AS listed,
               count(*) FILTER (WHERE NOT ({vis})) AS hidden
        FROM {grouped} g JOIN staff st USING (staff_ref)
        WHERE st.left_on IS NULL AND g.n > 0 AND {strong}
        GROUP BY ALL
    """  # noqa: S608 - fragments are code; values are parameters
    frame = con.execute(sql, [*vis_values, *vis_values, *g_values, *s_values]).df()
    shown_hidden = [
        int(h) if viewer is None or viewer.sees_everyone else int(suppress(int(h)) or 0)
        for h in frame["hidden"]
    ]
    frame["strong"] = (frame["listed"].astype(int) + shown_hidden).astype(int)
    return frame[["school_id", "skill_id", "strong"]]
