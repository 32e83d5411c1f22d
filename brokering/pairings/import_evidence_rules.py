"""Import rules for pairing_evidence.csv: each entry belongs to a pairing held or arriving,
is dated within it, names only its participants, and carries what its type needs."""

from __future__ import annotations

from typing import Any

from brokering.pairings.import_scope import build_scope, col, cols, report
from brokering.pairings.model import BASELINE


def check_pairing_evidence(v: Any, staged: Any, batch: set[str]) -> None:
    build_scope(v, batch)
    present = cols(v, "prs_pairing_evidence")
    report(
        v,
        staged,
        "SELECT line, pairing_id FROM prs_pairing_evidence "
        "WHERE pairing_id NOT IN (SELECT pairing_id FROM prs_pairing_scope)",
        "pairing_id",
        "is not a pairing in the alliance. Import pairings.csv first, or check the reference.",
    )
    report(
        v,
        staged,
        "SELECT e.line, e.date, s.start_date FROM prs_pairing_evidence e "
        "JOIN prs_pairing_scope s USING (pairing_id) WHERE e.date < s.start_date",
        "date",
        "is before the pairing started ({x}); log only what happened during the pairing.",
    )
    if "observed_ref" in present:
        report(
            v,
            staged,
            "SELECT e.line, e.observed_ref, e.pairing_id FROM prs_pairing_evidence e "
            "WHERE e.observed_ref IS NOT NULL AND e.pairing_id IN "
            "(SELECT pairing_id FROM prs_pairing_scope) AND NOT EXISTS (SELECT 1 FROM "
            "prs_pairing_scope_people m WHERE m.pairing_id = e.pairing_id "
            "AND m.staff_ref = e.observed_ref)",
            "observed_ref",
            "is not a participant in pairing {x}.",
        )
    report(
        v,
        staged,
        "SELECT line, entry_type FROM prs_pairing_evidence p WHERE entry_type IN "  # noqa: S608
        f"('observation', '{BASELINE}') "
        f"AND {col(present, 'observed_ref')} IS NULL",
        "observed_ref",
        "is needed for an observation: whose practice was seen?",
    )
    if "who" in present:
        report(
            v,
            staged,
            "SELECT e.line, e.ref, e.pairing_id FROM (SELECT line, pairing_id, "
            "trim(unnest(string_split(who, ';'))) AS ref FROM prs_pairing_evidence) e "
            "WHERE e.ref <> '' AND e.pairing_id IN (SELECT pairing_id FROM prs_pairing_scope) "
            "AND NOT EXISTS (SELECT 1 FROM prs_pairing_scope_people m "
            "WHERE m.pairing_id = e.pairing_id AND m.staff_ref = e.ref)",
            "who",
            "is not a participant in pairing {x}.",
        )
    for column in ("value_before", "value_after"):
        if column in present:
            report(
                v,
                staged,
                f'SELECT line, "{column}" FROM prs_pairing_evidence WHERE "{column}" IS NOT NULL '  # noqa: S608
                f'AND TRY_CAST("{column}" AS DOUBLE) IS NULL',
                column,
                "is not a number.",
            )
            report(
                v,
                staged,
                f'SELECT line, "{column}" FROM prs_pairing_evidence p WHERE "{column}" IS NOT NULL '  # noqa: S608
                f"AND {col(present, 'measure')} IS NULL",
                "measure",
                "is needed with before and after values: say what was measured.",
            )
    link = col(present, "link")
    report(
        v,
        staged,
        f"SELECT line, {link} FROM prs_pairing_evidence p WHERE {link} IS NOT NULL "  # noqa: S608
        f"AND NOT regexp_matches({link}, '^https?://\\S+$', 'i')",
        "link",
        "is not a link; it must start with https:// or http://.",
    )
    report(
        v,
        staged,
        f"SELECT line, entry_type FROM prs_pairing_evidence p WHERE entry_type = 'link' "  # noqa: S608
        f"AND {link} IS NULL",
        "link",
        "is needed for a link entry.",
    )
    report(
        v,
        staged,
        f"SELECT line, entry_type FROM prs_pairing_evidence p WHERE entry_type = 'reflection' "  # noqa: S608
        f"AND {col(present, 'note')} IS NULL",
        "note",
        "is needed for a reflection: write it here.",
    )
    observed = col(present, "observed_ref")
    report(
        v,
        staged,
        f"SELECT line, pairing_id, first FROM (SELECT line, pairing_id, min(line) OVER ("  # noqa: S608
        f"PARTITION BY pairing_id, entry_type, date, recorded_by) AS first "
        f"FROM prs_pairing_evidence p WHERE {observed} IS NULL) WHERE line > first",
        "pairing_id",
        "repeats line {x} (pairing_id + entry_type + date + recorded_by are the same); "
        "keep one of them.",
    )
