"""One row per pairing with the facts every dashboard figure is built from.

Kept private to the dashboard package: a pairing is two or three people, so it is never
handed to a page as such — only the aggregates built from it are, after suppression.

Dates: a transferred pairing concludes on its first qualifying observation; a pairing not
transferred or stopped concludes on the later of its review date and its last activity.
Hours invested are the hours logged plus the cover and travel hours (the transaction cost).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from brokering.db import Connection, query_df
from brokering.pairings.store import transfer_evidence_sql
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer
from brokering.visibility import suppress


@dataclass(frozen=True)
class Scope:
    """What the dashboard is looking at: a school (None: the alliance) and a skill area."""

    school_id: str | None = None
    area: str | None = None


ALLIANCE = Scope()


def pairing_facts(con: Connection, viewer: Viewer, scope: Scope = ALLIANCE) -> pd.DataFrame:
    """Per pairing: practice area, status, dates, hours, evidence, schools and people."""
    # The current-version views are window queries: evaluate each once (MATERIALIZED) and
    # reuse it, rather than letting every join recompute it.
    sql = f"""
    WITH p AS MATERIALIZED (
        SELECT * FROM pairings
    ), lg AS MATERIALIZED (
        SELECT pairing_id, entry_type, date, hours, observed_ref, recorded_by, rating_before,
               rating_after
        FROM pairing_log
    ), mem AS MATERIALIZED (
        SELECT pp.pairing_id, pp.side, pp.staff_ref, s.school_id
        FROM pairing_participants pp
        JOIN p ON p.pairing_id = pp.pairing_id AND p.version = pp.version
        JOIN staff s ON s.staff_ref = pp.staff_ref
    ), ev AS (
        SELECT l.pairing_id, min(l.date) AS first_evidence,
               avg(l.rating_before) AS rating_before, avg(l.rating_after) AS rating_after
        FROM lg l JOIN p USING (pairing_id)
        JOIN mem m ON m.pairing_id = l.pairing_id AND m.staff_ref = l.observed_ref
        WHERE {transfer_evidence_sql()}
        GROUP BY l.pairing_id
    ), act AS (
        SELECT pairing_id, coalesce(sum(hours), 0) AS logged, max(date) AS last_activity
        FROM lg GROUP BY pairing_id
    ), who AS (
        SELECT pairing_id,
               list(DISTINCT school_id ORDER BY school_id) FILTER (WHERE side = 'donor')
                   AS donor_schools,
               list(DISTINCT school_id ORDER BY school_id) FILTER (WHERE side = 'recipient')
                   AS recipient_schools,
               list(DISTINCT staff_ref ORDER BY staff_ref) AS people
        FROM mem GROUP BY pairing_id
    )
    SELECT p.pairing_id, p.skill_id, coalesce(sk.area, 'Other') AS area, p.status,
           p.start_date, p.review_date, ev.first_evidence, ev.rating_before, ev.rating_after,
           act.last_activity,
           CASE WHEN p.status = 'transferred' THEN coalesce(ev.first_evidence, p.review_date)
                WHEN p.status IN ('not transferred', 'stopped') THEN
                    greatest(coalesce(p.review_date, p.start_date),
                             coalesce(act.last_activity, p.start_date))
           END AS concluded_on,
           coalesce(act.logged, 0) AS hours_logged,
           coalesce(act.logged, 0) + coalesce(p.cover_hours, 0) + coalesce(p.travel_hours, 0)
               AS hours,
           coalesce(who.donor_schools, []) AS donor_schools,
           coalesce(who.recipient_schools, []) AS recipient_schools, who.people
    FROM p JOIN who USING (pairing_id)
    LEFT JOIN ev USING (pairing_id) LEFT JOIN act USING (pairing_id)
    LEFT JOIN skills sk USING (skill_id)
    WHERE (?::VARCHAR IS NULL OR sk.area = ?::VARCHAR)
      AND (?::VARCHAR IS NULL OR list_contains(who.donor_schools, ?::VARCHAR)
           OR list_contains(who.recipient_schools, ?::VARCHAR))
    """  # noqa: S608 - the fragment is code
    frame = query_df(
        con, sql, [scope.area, scope.area, scope.school_id, scope.school_id, scope.school_id]
    )
    # Dates stay datetime64 (NaT for none); comparisons go through `ts`, so an all-empty
    # column and a full one behave alike.
    for col in ("start_date", "review_date", "first_evidence", "concluded_on", "last_activity"):
        frame[col] = pd.to_datetime(frame[col])
    # List columns arrive as arrays (never None: every pairing has people, and the school
    # lists are coalesced to empty), so they are used as they are.
    return frame


def ts(day: date) -> pd.Timestamp:
    """A date as the Timestamp the facts' date columns compare with."""
    return pd.Timestamp(day)


def people_in(frame: pd.DataFrame) -> int:
    """Distinct people behind a set of pairings: what suppression counts."""
    return len({p for people in frame["people"] for p in people})


def guarded(
    value: float | int | None, people: int, viewer: Viewer, threshold: int = SUPPRESSION_THRESHOLD
) -> float | int | None:
    """A figure, or None when it rests on fewer people than the threshold (the alliance
    administrator sees it anyway)."""
    if value is None or viewer.sees_everyone:
        return value
    return value if suppress(people, threshold) is not None or people == 0 else None


def active_between(frame: pd.DataFrame, start: date, end: date) -> pd.Series:
    """Pairings running on any day of [start, end]: started by the end, not concluded
    before the start (proposed pairings are not yet running)."""
    started = frame["start_date"] <= ts(end)
    not_done = frame["concluded_on"].isna() | (frame["concluded_on"] >= ts(start))
    return started & not_done & (frame["status"] != "proposed")
