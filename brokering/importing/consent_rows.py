"""Consent-only files: the answers to a consent form (a Microsoft Forms sheet, say), which
change the consent of staff already held and nothing else.

A form names people by the e-mail address they signed in with. Staff files leave only a keyed
hash of each address in the identity index, so the answer is matched through that hash (never
by storing the address): `prepare` puts the address where the resolver reads it and drops the
column. After resolution, `leave_out_unmatched` takes out every answer from someone not held —
listed by row in the report, nothing written for it, never a new person. `apply` writes each
person's latest answer through the import's own consent rule (only a newer answer changes
consent; a withdrawal made in the app stands), recorded for undo and audited per person.
"""

from __future__ import annotations

from brokering.db import Connection
from brokering.importing.apply import apply_consent
from brokering.importing.identity import Resolution, located
from brokering.importing.problems import ImportReport, Problem, TableOutcome
from brokering.importing.reader import Staged
from brokering.settings import MAX_REPORTED_PROBLEMS
from brokering.viewer import Viewer

TABLE = "consent"


def prepare(con: Connection, staged: dict[str, Staged], report: ImportReport, key: bytes | None):
    """Whose answer each row is: the e-mail address (else the staff code) becomes the row's
    staff_ref for the resolver, and the address column is dropped from staging."""
    s = staged.get(TABLE)
    if s is None or "email" not in s.columns:
        return
    if key is None:
        report.add(
            Problem(
                s.label,
                0,
                "email",
                "",
                "names people by e-mail address, which can only be matched to the staff held "
                "with pseudonymising on (the alliance key); import it with pseudonymising on. "
                "Nothing was written.",
            ),
            MAX_REPORTED_PROBLEMS,
        )
    elif "staff_ref" not in s.columns:
        con.execute(f'ALTER TABLE stg_{TABLE} ADD COLUMN "staff_ref" VARCHAR')
        s.columns.append("staff_ref")
    if key is not None:
        con.execute(f"UPDATE stg_{TABLE} SET staff_ref = coalesce(lower(email), staff_ref)")
    con.execute(f'ALTER TABLE stg_{TABLE} DROP COLUMN "email"')
    s.columns.remove("email")


def leave_out_unmatched(
    con: Connection, staged: dict[str, Staged], report: ImportReport, res: Resolution
) -> None:
    """Answers from nobody held (in the store or this batch's staff files): one line each in
    `report.unmatched`, as the file names them, and the row taken out before validation."""
    s = staged.get(TABLE)
    if s is None or "staff_ref" not in s.columns:
        return
    known = "SELECT staff_ref FROM staff"
    if "staff" in staged:
        known += " UNION SELECT staff_ref FROM stg_staff WHERE staff_ref IS NOT NULL"
    rows = con.execute(
        f"SELECT line, staff_ref FROM stg_{TABLE} WHERE staff_ref IS NULL "  # noqa: S608
        f"OR staff_ref NOT IN ({known}) ORDER BY line"
    ).fetchall()
    for line, ref in rows:
        file, own = located(s, line)
        if ref is None:
            who, why = "nobody named", "gives no e-mail address or staff code"
        else:
            who = res.labels.get(ref, f"staff code {ref}")
            what = "e-mail address" if who.startswith("e-mail") else "staff code"
            why = f"is an answer from someone not held: no member of staff has this {what}"
        report.unmatched.append(
            {
                "file": file,
                "line": own,
                "who": who,
                "message": f"{why}. Nothing was written for this row; import their staff "
                "file first (with their e-mail address), then this file again.",
            }
        )
    if rows:
        con.execute(
            f"DELETE FROM stg_{TABLE} WHERE list_contains(?, line)",  # noqa: S608
            [[line for line, _ in rows]],
        )


def apply(
    con: Connection, report: ImportReport, viewer: Viewer, import_id: int, label: str
) -> TableOutcome:
    """Each person's latest answer, through the import's consent rule (inside the import's
    transaction); earlier answers by the same person are noted, not applied."""
    from brokering.consent import audit_consent_changes, hold_back_app_withdrawals

    outcome = TableOutcome(table=TABLE, file=label)
    outcome.rows = int(con.execute(f"SELECT count(*) FROM prs_{TABLE}").fetchall()[0][0])  # noqa: S608
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE prs_{TABLE}_latest AS SELECT * FROM prs_{TABLE} "  # noqa: S608
        "WHERE staff_ref IS NOT NULL AND share_consent IS NOT NULL QUALIFY row_number() OVER "
        "(PARTITION BY staff_ref ORDER BY consent_date DESC, line DESC) = 1"
    )
    earlier = outcome.rows - int(
        con.execute(f"SELECT count(*) FROM prs_{TABLE}_latest").fetchall()[0][0]  # noqa: S608
    )
    if earlier:
        report.notes.append(
            f"{label}: {earlier} earlier answer(s) by someone who answered again were "
            "superseded by their latest answer."
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE new_staff_none AS SELECT NULL::VARCHAR AS ref LIMIT 0"
    )
    hold_back_app_withdrawals(con, report, viewer, f"prs_{TABLE}_latest", label)
    apply_consent(
        con, report, viewer.username, "new_staff_none", import_id, f"{TABLE}_latest", label
    )
    audit_consent_changes(con, viewer)
    changed = con.execute(
        "SELECT to_json([staff_ref])::VARCHAR, was::VARCHAR, share_consent::VARCHAR, "
        "was_date::VARCHAR, consent_date::VARCHAR FROM consent_changes WHERE apply ORDER BY line"
    ).fetchall()
    for key, was, now, was_on, on in changed:
        # The preview of the batch (before "Apply", and --dry-run --json), as for any table.
        if was != now:
            report.changes.append(
                {
                    "table": "staff",
                    "key": key,
                    "column": "share_consent",
                    "before": was,
                    "after": now,
                }
            )
        report.changes.append(
            {"table": "staff", "key": key, "column": "consent_date", "before": was_on, "after": on}
        )
    outcome.updated = len(changed)
    outcome.unchanged = outcome.rows - outcome.updated
    return outcome
