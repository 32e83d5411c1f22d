"""Consent to alliance-wide sharing, changed in the app.

A withdrawal takes effect at once: every query applies `visibility.visible_staff_sql`, which
reads `staff.share_consent`, so partner schools stop seeing the person on their next page
load. The change is recorded as a dated consent event and audited, and because it carries
today's date, an older export re-imported later cannot undo it (CONTRACT: Consent).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering import audit
from brokering.db import Connection, query_df, transaction
from brokering.errors import NotFoundError, PermissionDenied
from brokering.viewer import Viewer


def _school_of(con: Connection, staff_ref: str) -> str:
    rows = con.execute("SELECT school_id FROM staff WHERE staff_ref = ?", [staff_ref]).fetchall()
    if not rows:
        raise NotFoundError(f"There is no member of staff '{staff_ref}'.")
    return str(rows[0][0])


def set_consent(
    con: Connection, viewer: Viewer, staff_ref: str, consent: bool, on: date | None = None
) -> None:
    """Record a person's consent (or its withdrawal). Their own school's head or senior
    leaders record it, or the alliance administrator."""
    school = _school_of(con, staff_ref)
    allowed = viewer.sees_everyone or (
        viewer.school_id == school and viewer.role in ("headteacher", "senior_leader")
    )
    if not allowed:
        raise PermissionDenied(
            "Consent is recorded by the person's own school (its head or "
            "senior leaders) or the alliance administrator."
        )
    on = on or date.today()
    with transaction(con):
        con.execute(
            "UPDATE staff SET share_consent = ?, consent_date = ? WHERE staff_ref = ?",
            [consent, on, staff_ref],
        )
        con.execute(
            "INSERT INTO consent_events (staff_ref, share_consent, consent_date, source, "
            "recorded_by) VALUES (?, ?, ?, 'app', ?)",
            [staff_ref, consent, on, viewer.username],
        )
        audit.record(
            con,
            viewer,
            "consent.give" if consent else "consent.withdraw",
            {"staff_ref": staff_ref, "date": on.isoformat()},
        )


def own_school_consent(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """The consent list of the viewer's own school (the administrator sees every school)."""
    if not (viewer.sees_everyone or viewer.role in ("headteacher", "senior_leader")):
        raise PermissionDenied("Consent is managed by each school's head and senior leaders.")
    return query_df(
        con,
        "SELECT staff_ref, school_id, role, share_consent, consent_date FROM staff "
        "WHERE left_on IS NULL AND (?::VARCHAR IS NULL OR school_id = ?::VARCHAR) "
        "ORDER BY school_id, staff_ref",
        [
            None if viewer.sees_everyone else viewer.school_id,
            None if viewer.sees_everyone else viewer.school_id,
        ],
    )


def consent_history(con: Connection, viewer: Viewer, staff_ref: str) -> pd.DataFrame:
    school = _school_of(con, staff_ref)
    if not (viewer.sees_everyone or viewer.school_id == school):
        raise PermissionDenied("Only the person's own school sees their consent history.")
    return query_df(
        con,
        "SELECT recorded_at, share_consent, consent_date, source, recorded_by "
        "FROM consent_events WHERE staff_ref = ? ORDER BY recorded_at DESC",
        [staff_ref],
    )
