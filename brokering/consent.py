"""Consent to alliance-wide sharing, changed in the app.

A withdrawal takes effect at once: every query applies `visibility.visible_staff_sql`, which
reads `staff.share_consent`, so partner schools stop seeing the person on their next page
load. The change is recorded as a dated consent event and audited.

A withdrawal recorded in the app stands against every import, whatever consent_date the file
carries (a typo'd 2099 included): only the app can give consent again. An import otherwise
changes consent for new staff, or with a newer consent_date; each change, and each row kept
back, is audited per person by pseudonymous reference and named in the import report.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering import audit
from brokering.db import Connection, query_df, transaction
from brokering.errors import NotFoundError, PermissionDenied, ValidationError
from brokering.importing.problems import ImportReport
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
    if on > date.today():
        raise ValidationError(
            f"{on:%d %B %Y} is in the future: record consent on the day it was given or withdrawn."
        )
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


#: A file's value is applied for new staff, or when newer and different — unless the person's
#: latest consent recorded in the app is a withdrawal and the file would give consent.
_APPLIED = (
    "(is_new OR (consent_date IS NOT NULL AND (was_date IS NULL OR consent_date > was_date) "
    "AND (share_consent IS DISTINCT FROM was OR consent_date IS DISTINCT FROM was_date))) "
    "AND NOT (share_consent AND coalesce(app_withdrawn, FALSE))"
)


def apply_from_import(
    con: Connection, report: ImportReport, viewer: Viewer, new_refs: str, columns: set[str]
) -> None:
    """Consent from an import's parsed staff rows (`prs_staff`), inside its transaction.

    `new_refs` names the temp table of staff new in this batch; `columns` are the file's."""
    if "share_consent" not in columns:
        return
    dated = "p.consent_date" if "consent_date" in columns else "NULL::DATE"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE consent_changes AS SELECT *, {_APPLIED} AS apply FROM (
            SELECT p.line, p.staff_ref, p.share_consent, {dated} AS consent_date,
                   s.share_consent AS was, s.consent_date AS was_date,
                   p.staff_ref IN (SELECT ref FROM {new_refs}) AS is_new,
                   (SELECT NOT arg_max(e.share_consent, e.recorded_at) FROM consent_events e
                    WHERE e.staff_ref = p.staff_ref AND e.source = 'app') AS app_withdrawn
            FROM prs_staff p JOIN staff s USING (staff_ref) WHERE p.share_consent IS NOT NULL)
        """  # noqa: S608 - fragments are code; values come from the staged rows
    )
    con.execute(
        "UPDATE staff s SET share_consent = c.share_consent, consent_date = c.consent_date "
        "FROM consent_changes c WHERE s.staff_ref = c.staff_ref AND c.apply"
    )
    con.execute(
        "INSERT INTO consent_events (staff_ref, share_consent, consent_date, source, recorded_by) "
        "SELECT staff_ref, share_consent, consent_date, 'import', ? FROM consent_changes "
        "WHERE apply",
        [viewer.username],
    )
    changed = con.execute(
        "SELECT staff_ref, share_consent, consent_date FROM consent_changes "
        "WHERE apply AND NOT is_new AND share_consent IS DISTINCT FROM was ORDER BY line"
    ).fetchall()
    for ref, given, on in changed:
        audit.record(
            con,
            viewer,
            "consent.give" if given else "consent.withdraw",
            {"staff_ref": ref, "source": "import", "date": on},
        )
    for line, ref, was_date, on, app_withdrawn in con.execute(
        "SELECT line, staff_ref, was_date, consent_date, app_withdrawn FROM consent_changes "
        "WHERE NOT apply AND share_consent IS DISTINCT FROM was ORDER BY line"
    ).fetchall():
        if app_withdrawn:
            report.notes.append(
                f"staff.csv, line {line}: consent for {ref} stays withdrawn: it was withdrawn "
                "in the app, and only the app can record it given again (the file's yes "
                f"{'dated ' + str(on) if on else 'undated'} was not applied)."
            )
            audit.record(
                con,
                viewer,
                "consent.kept",
                {"staff_ref": ref, "source": "import", "file_date": on},
            )
        elif len(report.notes) < 200:
            since = f" on {was_date}" if was_date else ""
            report.notes.append(
                f"staff.csv, line {line}: consent for {ref} left as recorded{since}; the "
                "file's value is undated or older. Give a newer consent_date to change it."
            )
