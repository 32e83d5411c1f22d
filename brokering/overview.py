"""What is loaded: per-school counts, recent imports and data-quality warnings.

Feeds the home and Data pages. Counts that include partner-school staff are passed through
the suppression rule, so a school with one or two people in a group is not singled out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from brokering.db import Connection
from brokering.viewer import Viewer
from brokering.visibility import suppress


def list_schools(con: Connection) -> pd.DataFrame:
    """Schools are public bodies: every viewer may see the list."""
    return con.execute(
        "SELECT school_id, name, phase, is_hub, postcode, latitude, longitude FROM schools "
        "ORDER BY is_hub DESC, name"
    ).df()


def school_summary(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """Staff, consenting staff, evidence and open needs per school."""
    frame = con.execute(
        """
        SELECT sc.school_id, sc.name, sc.phase, sc.is_hub,
               count(DISTINCT st.staff_ref) FILTER (WHERE st.left_on IS NULL) AS staff,
               count(DISTINCT st.staff_ref) FILTER (WHERE st.left_on IS NULL AND st.share_consent)
                   AS sharing_consent,
               coalesce(max(ev.n), 0) AS evidence_rows,
               max(ev.latest) AS latest_evidence,
               coalesce(max(nd.n), 0) AS open_needs
        FROM schools sc
        LEFT JOIN staff st USING (school_id)
        LEFT JOIN (SELECT s.school_id, count(*) AS n, max(e.date) AS latest
                   FROM evidence e JOIN staff s USING (staff_ref) GROUP BY s.school_id) ev
               USING (school_id)
        LEFT JOIN (SELECT s.school_id, count(*) AS n FROM needs n JOIN staff s USING (staff_ref)
                   WHERE n.status = 'open' GROUP BY s.school_id) nd USING (school_id)
        GROUP BY ALL ORDER BY sc.is_hub DESC, sc.name
        """
    ).df()
    if not viewer.sees_everyone:
        for col in ("staff", "sharing_consent", "open_needs"):
            own = frame["school_id"] == viewer.school_id
            frame[col] = [
                int(v) if is_own else suppress(int(v))
                for v, is_own in zip(frame[col], own, strict=True)
            ]
            frame[col] = frame[col].astype("Int64")
    return frame


def recent_imports(con: Connection, limit: int = 10) -> pd.DataFrame:
    return con.execute(
        "SELECT import_id AS batch, imported_at, username, files, rows_added, rows_updated, "
        "outcome FROM imports "
        "ORDER BY import_id DESC LIMIT ?",
        [limit],
    ).df()


@dataclass(frozen=True)
class Warning:
    severity: str
    message: str
    count: int


def quality_warnings(con: Connection, today: object | None = None) -> list[Warning]:
    """Things a data manager should look at; counts only, no people named."""
    checks = [
        (
            "warning",
            "staff (not leavers) with no evidence of any strength recorded",
            "SELECT count(*) FROM staff s WHERE left_on IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM evidence e WHERE e.staff_ref = s.staff_ref)",
        ),
        (
            "info",
            "staff whose most recent evidence is more than two years old",
            "SELECT count(*) FROM (SELECT staff_ref, max(date) AS d FROM evidence GROUP BY ALL) x "
            "JOIN staff USING (staff_ref) WHERE left_on IS NULL "
            "AND d < current_date - INTERVAL 2 YEAR",
        ),
        (
            "warning",
            "open needs for people who have since left",
            "SELECT count(*) FROM needs n JOIN staff s USING (staff_ref) "
            "WHERE n.status = 'open' AND s.left_on IS NOT NULL",
        ),
        (
            "info",
            "staff with no phases recorded",
            "SELECT count(*) FROM staff WHERE left_on IS NULL AND len(phases) = 0 "
            "AND role NOT IN ('support staff')",
        ),
        (
            "info",
            "evidence rows whose skill was read from a misspelling (fuzzy match)",
            "SELECT count(*) FROM evidence WHERE skill_text IS NOT NULL AND "
            "regexp_replace(lower(skill_text), '[^a-z0-9]+', ' ', 'g') "
            "NOT IN (SELECT alias FROM skill_aliases)",
        ),
        (
            "warning",
            "staff who can coach (trained) but have no capacity recorded",
            "SELECT count(*) FROM staff WHERE left_on IS NULL AND coach_trained "
            "AND capacity_hours = 0",
        ),
    ]
    out = []
    for severity, message, sql in checks:
        n = int(con.execute(sql).fetchall()[0][0])
        if n:
            out.append(Warning(severity, message, n))
    return out
