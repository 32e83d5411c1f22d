# ruff: noqa: S608 - the SQL below is built from code constants.
"""The maturity indicators' summary of the staff list, kept as a derived table.

Why derived: the staff-information indicators count flags over every current member of staff
and their newest evidence (5 million rows at national scale), too slow to work out per page
view. One row per person, so a consent change or an accepted coaching relationship works out
that one person's row again (`brokering.derived.Upkeep`) rather than the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping

from brokering.derived import DerivedSet, Part, Table, source


def _staff_summary_sql(r: Mapping[str, str]) -> str:
    return f"""
            SELECT st.staff_ref, st.school_id,
                   st.role NOT IN ('support staff', 'teaching assistant') AS teaching,
                   coalesce(st.coach_trained OR st.mentor_trained, FALSE) AS trained,
                   coalesce(st.share_consent, FALSE) AS consent,
                   coalesce(st.coach_trained OR st.mentor_trained OR ch.coach_ref IS NOT NULL
                            OR ev.coaching_feedback, FALSE) AS coaching_known,
                   ev.latest_recorded
            FROM {source(r, "staff")} st
            LEFT JOIN (
                SELECT staff_ref,
                       max(date) FILTER (WHERE evidence_type <> 'self-assessment')
                           AS latest_recorded,
                       bool_or(evidence_type = 'coaching-feedback') AS coaching_feedback
                FROM {source(r, "evidence")} GROUP BY staff_ref
            ) ev USING (staff_ref)
            LEFT JOIN (SELECT DISTINCT coach_ref FROM {source(r, "coaching")}) ch
              ON ch.coach_ref = st.staff_ref
            WHERE st.left_on IS NULL
            """


#: One person's row, worked out again after a consent change in the app ("person") or a
#: coaching relationship accepted for them as coach ("coach").
_PERSON_SOURCES = (("staff", "staff_ref"), ("evidence", "staff_ref"), ("coaching", "coach_ref"))

#: Per current member of staff: school, the flags the staff-information indicators count,
#: and their newest evidence other than self-assessment. Evidence, coaching and staff change
#: through imports (staff consent also on the Data page, which logs a consent event; an
#: accepted request adds a coaching row), so these counts say when to rebuild.
STAFF_SUMMARY = DerivedSet(
    name="maturity",
    layout=1,
    signature_sql="SELECT (SELECT count(*) FROM evidence), (SELECT count(*) FROM coaching), "
    "(SELECT count(*) FROM staff), (SELECT count(*) FROM consent_events), "
    "(SELECT coalesce(max(import_id), 0) FROM imports)",
    tables=(Table("staff", _staff_summary_sql, "school_id, staff_ref"),),
    parts=(
        Part("person", (("staff", "staff_ref"),), _PERSON_SOURCES),
        Part("coach", (("staff", "staff_ref"),), _PERSON_SOURCES),
    ),
)
