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
from typing import TYPE_CHECKING

import pandas as pd

from brokering import audit, derived_sets
from brokering.db import Connection, query_df, transaction
from brokering.errors import NotFoundError, PermissionDenied, ValidationError
from brokering.viewer import Viewer

if TYPE_CHECKING:  # the importer calls in here; importing it back would be circular
    from brokering.importing.problems import ImportReport


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
    with transaction(con), derived_sets.upkeep(con) as kept:
        kept.touch("person", [staff_ref])
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


def hold_back_app_withdrawals(
    con: Connection,
    report: ImportReport,
    viewer: Viewer,
    source: str = "prs_staff",
    label: str = "staff.csv",
) -> None:
    """Before an import applies consent (`source`, inside its transaction): a file's yes
    for someone whose latest consent recorded in the app is a withdrawal is held back — the
    cell is cleared, so the import's own rule leaves their consent alone — and the row is
    named in the report and audited ("consent.kept"), whatever date the file gives."""
    present = _staged_columns(con, source)
    if "share_consent" not in present:
        return
    dated = "p.consent_date" if "consent_date" in present else "NULL::DATE"
    held = con.execute(
        f"""
        SELECT p.line, p.staff_ref, {dated} FROM {source} p
        WHERE p.share_consent AND (
            SELECT NOT arg_max(e.share_consent, e.recorded_at) FROM consent_events e
            WHERE e.staff_ref = p.staff_ref AND e.source = 'app')
        ORDER BY p.line
        """  # noqa: S608 - the fragment is code
    ).fetchall()
    if not held:
        return
    con.execute(
        f"UPDATE {source} SET share_consent = NULL WHERE list_contains(?, line)",  # noqa: S608
        [[line for line, _, _ in held]],
    )
    for line, ref, on in held:
        report.notes.append(
            f"{label}, line {line}: consent for {ref} stays withdrawn: it was withdrawn in "
            "the app, and only the app can record it given again (the file's yes "
            f"{'dated ' + str(on) if on else 'undated'} was not applied)."
        )
        audit.record(
            con, viewer, "consent.kept", {"staff_ref": ref, "source": "import", "file_date": on}
        )


def audit_consent_changes(con: Connection, viewer: Viewer) -> None:
    """After an import applied consent: one audit entry per person whose consent it changed
    (by staff_ref, the store's pseudonymous reference), from its `consent_changes` table."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'consent_changes'"
    ).fetchall()[0][0]
    if not exists:
        return
    for ref, given, on in con.execute(
        "SELECT staff_ref, share_consent, consent_date FROM consent_changes "
        "WHERE apply AND NOT is_new AND share_consent IS DISTINCT FROM was ORDER BY line"
    ).fetchall():
        audit.record(
            con,
            viewer,
            "consent.give" if given else "consent.withdraw",
            {"staff_ref": ref, "source": "import", "date": on},
        )


def _staged_columns(con: Connection, source: str = "prs_staff") -> set[str]:
    return set(con.execute(f"SELECT * FROM {source} LIMIT 0").df().columns)  # noqa: S608
