"""What is loaded: per-school counts, recent imports and data-quality warnings.

Feeds the home and Data pages. Counts that include partner-school staff are passed through
the suppression rule, so a school with one or two people in a group is not singled out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from brokering.db import Connection
from brokering.viewer import Viewer
from brokering.visibility import suppress, visible_staff_sql


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
    #: Names the check, for `quality_warning_rows`.
    key: str = ""


@dataclass(frozen=True)
class _Check:
    severity: str
    message: str
    #: FROM … WHERE over `staff s` (and what it joins): the rows behind the warning.
    rows_from: str
    #: The columns listed for each row, in words.
    columns: str


#: The school by its name, not its code (a code such as "SCH03" is not a leader's word).
_SCHOOL_NAME = '(SELECT sc.name FROM schools sc WHERE sc.school_id = s.school_id) AS "School"'

_STAFF_COLUMNS = (
    f's.staff_ref AS "Reference", {_SCHOOL_NAME}, s.role AS "Role", '
    "array_to_string(s.phases, ', ') AS \"Phases\""
)
CHECKS: dict[str, _Check] = {
    "no_evidence": _Check(
        "warning",
        "staff (not leavers) with no evidence of any strength recorded",
        "FROM staff s WHERE s.left_on IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM evidence e WHERE e.staff_ref = s.staff_ref)",
        _STAFF_COLUMNS,
    ),
    "old_evidence": _Check(
        "info",
        "staff whose most recent evidence is more than two years old",
        "FROM (SELECT staff_ref, max(date) AS d FROM evidence GROUP BY ALL) x "
        "JOIN staff s USING (staff_ref) WHERE s.left_on IS NULL "
        "AND x.d < current_date - INTERVAL 2 YEAR",
        # dates as dates: the page's table sorts them by date and writes them "5 Dec 2026"
        _STAFF_COLUMNS + ', x.d AS "Latest evidence"',
    ),
    "needs_of_leavers": _Check(
        "warning",
        "open needs for people who have since left",
        "FROM needs n JOIN staff s USING (staff_ref) "
        "WHERE n.status = 'open' AND s.left_on IS NOT NULL",
        f's.staff_ref AS "Reference", {_SCHOOL_NAME}, s.left_on AS "Left on", '
        'n.need_id AS "Need reference"',
    ),
    "no_phases": _Check(
        "info",
        "staff with no phases recorded",
        "FROM staff s WHERE s.left_on IS NULL AND len(s.phases) = 0 "
        "AND s.role NOT IN ('support staff')",
        f's.staff_ref AS "Reference", {_SCHOOL_NAME}, s.role AS "Role"',
    ),
    "fuzzy_skills": _Check(
        "info",
        "evidence rows whose skill was read from a misspelling (fuzzy match)",
        "FROM evidence e JOIN staff s USING (staff_ref) WHERE e.skill_text IS NOT NULL AND "
        "regexp_replace(lower(e.skill_text), '[^a-z0-9]+', ' ', 'g') "
        "NOT IN (SELECT alias FROM skill_aliases)",
        f's.staff_ref AS "Reference", {_SCHOOL_NAME}, e.skill_text AS "As written", '  # noqa: S608
        '(SELECT k.name FROM skills k WHERE k.skill_id = e.skill_id) AS "Read as", '
        'e.date AS "Date"',
    ),
    "coach_no_capacity": _Check(
        "warning",
        "staff who can coach (trained) but have no capacity recorded",
        "FROM staff s WHERE s.left_on IS NULL AND s.coach_trained AND s.capacity_hours = 0",
        _STAFF_COLUMNS,
    ),
}


def quality_warnings(con: Connection, today: object | None = None) -> list[Warning]:
    """Things a data manager should look at; counts only, no people named."""
    out = []
    for key, check in CHECKS.items():
        n = int(con.execute(f"SELECT count(*) {check.rows_from}").fetchall()[0][0])  # noqa: S608
        if n:
            out.append(Warning(check.severity, check.message, n, key))
    return out


def quality_warning_rows(
    con: Connection, viewer: Viewer, key: str, limit: int = 50_000
) -> pd.DataFrame:
    """The rows behind one data-quality warning, as the viewer may see them (pseudonymous
    references, never names): the data manager sees every row, a school's leaders their
    own school's and consenting partners', a governor none (counts only)."""
    viewer.require_listing()
    check = CHECKS[key]
    where, params = visible_staff_sql(viewer, "s", include_leavers=True)
    return con.execute(
        f"SELECT {check.columns} {check.rows_from} AND {where} "  # noqa: S608
        'ORDER BY "School", "Reference" LIMIT ?',
        [*params, limit],
    ).df()
