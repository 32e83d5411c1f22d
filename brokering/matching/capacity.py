"""Coaching hours a person has left this term (CONTRACT: Capacity and hours; Terms).

`capacity_hours` is what someone can give a term. Every relationship active on any day of
this term costs its hours (the coaching row's `hours`, else the alliance default), and every
request still awaiting an answer holds its hours too — otherwise one coach could be promised
to two schools while both wait for a reply. Relationships whose coachee has left before the
term began no longer count.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering.db import Connection, query_df
from brokering.matching.rules import require_allocator
from brokering.settings import DEFAULT_RELATIONSHIP_HOURS
from brokering.terms import Term, term_of
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

ATTRIBUTES = "st.school_id, st.role, st.phases, st.share_consent, st.line_manager_ref,"


def capacity_left(
    con: Connection,
    viewer: Viewer,
    *,
    as_of: date | None = None,
    staff_refs: list[str] | None = None,
    default_hours: float = DEFAULT_RELATIONSHIP_HOURS,
    attributes: bool = False,
) -> pd.DataFrame:
    """Per visible person (or those in `staff_refs`): capacity, hours used by relationships
    active this term, hours held by pending requests, and hours left (never below 0).
    `attributes` adds what matching needs about each person (school, role, phases, consent,
    line manager) in the same read of `staff`."""
    term = term_of(as_of or date.today())
    vis, vis_params = visible_staff_sql(viewer, "st")
    if staff_refs is None:
        only, only_params = "TRUE", []
    else:  # only these people, found first (national scale: a few hundred of 470,000)
        only, only_params = "list_contains(?::VARCHAR[], st.staff_ref)", [list(staff_refs)]
    sql = f"""
        WITH people AS (
            SELECT st.staff_ref, {ATTRIBUTES if attributes else ""} st.capacity_hours
            FROM staff st WHERE {only} AND {vis}
        ), used AS (
            SELECT c.coach_ref AS staff_ref, sum(coalesce(c.hours, ?)) AS hours_used,
                   count(*) AS active_relationships
            FROM coaching c JOIN people p ON p.staff_ref = c.coach_ref
            WHERE c.start_date <= ? AND (c.end_date IS NULL OR c.end_date >= ?)
              AND c.coachee_ref NOT IN (SELECT staff_ref FROM staff WHERE left_on < ?)
            GROUP BY 1
        ), reserved AS (
            SELECT r.coach_ref AS staff_ref, sum(r.hours) AS hours_reserved,
                   count(*) AS pending_requests
            FROM match_requests r JOIN people p ON p.staff_ref = r.coach_ref
            WHERE r.status = 'pending' GROUP BY 1
        )
        SELECT p.*,
               coalesce(used.hours_used, 0) AS hours_used,
               coalesce(used.active_relationships, 0) AS active_relationships,
               coalesce(reserved.hours_reserved, 0) AS hours_reserved,
               coalesce(reserved.pending_requests, 0) AS pending_requests,
               greatest(p.capacity_hours - coalesce(used.hours_used, 0)
                        - coalesce(reserved.hours_reserved, 0), 0) AS hours_left
        FROM people p LEFT JOIN used USING (staff_ref) LEFT JOIN reserved USING (staff_ref)
        ORDER BY p.staff_ref
    """  # noqa: S608 - fragments are code; values are parameters
    return query_df(
        con,
        sql,
        [*only_params, *vis_params, default_hours, term.end, term.start, term.start],
    )


def school_outflow(
    con: Connection, viewer: Viewer, term: Term, default_hours: float
) -> pd.DataFrame:
    """Per school: total coaching capacity of its current staff, and hours already going to
    other schools this term (active relationships plus pending requests).

    School-level figures for the allocation's outflow cap, so they count everyone, seen or
    not (a cap that ignored unseen staff would let a school give away more than it has);
    nobody is listed, and only those who may run the allocation may read them."""
    require_allocator(viewer)
    return query_df(
        con,
        """
        WITH cap AS (
            SELECT school_id, sum(capacity_hours) AS capacity_hours FROM staff
            WHERE left_on IS NULL GROUP BY 1
        ), active AS (
            SELECT co.school_id, sum(coalesce(c.hours, ?)) AS hours
            FROM coaching c JOIN staff co ON co.staff_ref = c.coach_ref
            JOIN staff ce ON ce.staff_ref = c.coachee_ref
            WHERE c.start_date <= ? AND (c.end_date IS NULL OR c.end_date >= ?)
              AND (ce.left_on IS NULL OR ce.left_on >= ?) AND ce.school_id <> co.school_id
            GROUP BY 1
        ), pending AS (
            SELECT r.coach_school_id AS school_id, sum(r.hours) AS hours
            FROM match_requests r JOIN staff ce ON ce.staff_ref = r.coachee_ref
            WHERE r.status = 'pending' AND ce.school_id <> r.coach_school_id GROUP BY 1
        )
        SELECT sc.school_id, coalesce(cap.capacity_hours, 0) AS capacity_hours,
               coalesce(active.hours, 0) + coalesce(pending.hours, 0) AS outflow_hours
        FROM schools sc LEFT JOIN cap USING (school_id) LEFT JOIN active USING (school_id)
        LEFT JOIN pending USING (school_id)
        ORDER BY sc.school_id
        """,
        [default_hours, term.end, term.start, term.start],
    )
