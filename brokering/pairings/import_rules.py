"""Import rules for pairings.csv, run by the importer's Validator after the file is parsed
(SQL over the whole file, so large files stay fast); pairing_evidence.csv's are in
import_evidence_rules.py.

The same rules the app applies: participants known, different and current; review not before
start; a reason for not transferred or stopped; transferred only with an observation of a
recipient by someone else after the start; status changes the lifecycle allows; log entries
within their pairing and about its participants.
"""

from __future__ import annotations

from typing import Any

from brokering.pairings import lifecycle, transfer_rule
from brokering.pairings.import_scope import LIMIT, build_scope, col, cols, report


def check_pairings(v: Any, staged: Any, batch: set[str]) -> None:
    build_scope(v, batch)
    present = cols(v, "prs_pairings")
    known, leavers = v.known_staff_sql(batch), v.leavers_sql(batch)
    for side, column in (("donor", "donor_refs"), ("recipient", "recipient_refs")):
        report(
            v,
            staged,
            f"SELECT p.line, p.{column} FROM prs_pairings p WHERE p.{column} IS NOT NULL AND "  # noqa: S608
            f"NOT EXISTS (SELECT 1 FROM prs_pairing_people x WHERE x.line = p.line "
            f"AND x.side = '{side}')",
            column,
            f"names nobody; give at least one {side}'s staff_ref.",
        )
        report(
            v,
            staged,
            f"SELECT x.line, x.staff_ref FROM prs_pairing_people x WHERE x.side = '{side}' "  # noqa: S608
            f"AND x.staff_ref NOT IN ({known})",
            column,
            "is not a member of staff in the alliance. Import staff.csv first, or check the "
            "reference.",
        )
        report(
            v,
            staged,
            f"SELECT x.line, x.staff_ref, l.left_on FROM prs_pairing_people x JOIN ({leavers}) l "  # noqa: S608
            f"USING (staff_ref) WHERE x.side = '{side}' AND x.pairing_id NOT IN "
            "(SELECT pairing_id FROM pairings)",
            column,
            "left on {x}; a leaver cannot join a new pairing.",
        )
    report(
        v,
        staged,
        "SELECT line, staff_ref FROM prs_pairing_people GROUP BY line, staff_ref "
        "HAVING count(*) > 1",
        "recipient_refs",
        "is named twice (or as both donor and recipient); a pairing needs different people, "
        "each named once.",
    )
    if "review_date" in present:
        report(
            v,
            staged,
            "SELECT line, review_date, start_date FROM prs_pairings WHERE review_date < start_date",
            "review_date",
            "is before start_date ({x}); a review comes after the work starts.",
        )
    report(
        v,
        staged,
        "SELECT line, start_date FROM prs_pairings WHERE start_date > ? "
        "AND status NOT IN ('proposed', 'agreed')",
        "start_date",
        "is in the future; only a proposed or agreed pairing can start ahead.",
        [v.today],
    )
    reason = col(present, "reason", "p")
    report(
        v,
        staged,
        f"SELECT p.line, p.status FROM prs_pairings p WHERE p.status IN ('not transferred', "  # noqa: S608
        f"'stopped') AND {reason} IS NULL",
        "reason",
        "needs a reason: a pairing not transferred or stopped keeps its reason on record.",
    )
    if "planned_sessions" in present:
        report(
            v,
            staged,
            "SELECT line, planned_sessions FROM prs_pairings "
            "WHERE planned_sessions <> floor(planned_sessions)",
            "planned_sessions",
            "is not a whole number of sessions.",
        )
    if "disciplines" in present:
        report(
            v,
            staged,
            "SELECT p.line, s.name FROM (SELECT line, unnest(disciplines) AS sid "
            "FROM prs_pairings) p JOIN skills s ON s.skill_id = p.sid "
            "WHERE s.kind <> 'encompassing discipline'",
            "disciplines",
            "is a core competence; list only encompassing disciplines (school-wide systems).",
        )
    _check_status_changes(v, staged)
    _check_transferred(v, staged, batch)
    report(
        v,
        staged,
        "SELECT p.line, p.start_date, min(l.date) FROM prs_pairings p JOIN pairing_log l "
        "USING (pairing_id) GROUP BY p.line, p.start_date HAVING min(l.date) < p.start_date",
        "start_date",
        "is after the pairing's first log entry ({x}); the start cannot move past it.",
    )


def _check_status_changes(v: Any, staged: Any) -> None:
    rows = v.con.execute(
        "SELECT p.line, p.status, c.status FROM prs_pairings p JOIN pairings c "
        "USING (pairing_id) WHERE p.status IS NOT NULL AND p.status <> c.status ORDER BY p.line"
    ).fetchall()
    for line, new, old in rows[:LIMIT]:
        if not lifecycle.reachable(old, new):
            v.problem(
                staged,
                line,
                "status",
                new,
                f"cannot follow '{old}' (recorded in the store): the lifecycle does not go "
                "back. Leave the status as recorded, or log a new pairing.",
            )


def _check_transferred(v: Any, staged: Any, batch: set[str]) -> None:
    fields = "pairing_id, entry_type, date, observed_ref, recorded_by, rating_before, rating_after"
    sources = [f"SELECT {fields} FROM pairing_log"]  # noqa: S608
    if "pairing_evidence" in batch:
        ev = cols(v, "prs_pairing_evidence")
        sources.append(
            f"SELECT pairing_id, entry_type, date, {col(ev, 'observed_ref', 'e')}, "  # noqa: S608
            f"{col(ev, 'recorded_by', 'e')}, {col(ev, 'rating_before', 'e', 'TINYINT')}, "
            f"{col(ev, 'rating_after', 'e', 'TINYINT')} FROM prs_pairing_evidence e"
        )
    qualifying = transfer_rule.observations_sql(
        f"({' UNION ALL '.join(sources)})", "prs_pairing_scope", "prs_pairing_scope_people"
    )
    report(
        v,
        staged,
        "SELECT p.line, p.status FROM prs_pairings p WHERE p.status = 'transferred' "  # noqa: S608
        f"AND p.pairing_id NOT IN (SELECT pairing_id FROM ({qualifying}) WHERE why_not IS NULL)",
        "status",
        f"needs evidence: {transfer_rule.rule_text()}. Add that observation to "
        "pairing_evidence.csv, or import the pairing at the status its evidence supports.",
    )
