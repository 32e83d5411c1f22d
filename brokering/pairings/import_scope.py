"""Shared pieces of the pairing import rules: the batch's view of pairings and their
participants (prs_pairing_people, prs_pairing_scope, prs_pairing_scope_people), and a helper
that turns a problem query into report lines."""

from __future__ import annotations

from typing import Any

LIMIT = 200


def cols(v: Any, table: str) -> set[str]:
    return set(v._columns(table))


def col(present: set[str], name: str, alias: str = "p", cast: str = "VARCHAR") -> str:
    return f'{alias}."{name}"' if name in present else f"NULL::{cast}"


def build_scope(v: Any, batch: set[str]) -> None:
    """prs_pairing_people (the file's participants, one row each) and prs_pairing_scope
    (every pairing the batch can refer to, with its start date and participants)."""
    con = v.con
    if "pairings" in batch:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE prs_pairing_people AS "
            "SELECT line, pairing_id, trim(ref) AS staff_ref, side FROM ("
            "  SELECT line, pairing_id, unnest(string_split(donor_refs, ';')) AS ref, "
            "  'donor' AS side FROM prs_pairings UNION ALL "
            "  SELECT line, pairing_id, unnest(string_split(recipient_refs, ';')), 'recipient' "
            "  FROM prs_pairings) WHERE trim(ref) <> ''"
        )
        batch_sql = (
            "SELECT pairing_id, start_date FROM prs_pairings UNION ALL SELECT pairing_id, "
            "start_date FROM pairings WHERE pairing_id NOT IN (SELECT pairing_id FROM prs_pairings)"
        )
        people_sql = (
            "SELECT DISTINCT pairing_id, staff_ref, side FROM prs_pairing_people UNION ALL "
            "SELECT pairing_id, staff_ref, side FROM pairing_members "
            "WHERE pairing_id NOT IN (SELECT pairing_id FROM prs_pairings)"
        )
    else:
        batch_sql = "SELECT pairing_id, start_date FROM pairings"
        people_sql = "SELECT pairing_id, staff_ref, side FROM pairing_members"
    con.execute(f"CREATE OR REPLACE TEMP TABLE prs_pairing_scope AS {batch_sql}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE prs_pairing_scope_people AS {people_sql}")


def report(v: Any, staged: Any, sql: str, column: str, message: str, params=()) -> None:
    """Run `sql` (returning line, value[, extra]) and report each row; {x} in the message
    is replaced by the third column."""
    for row in v.con.execute(sql + f" ORDER BY 1 LIMIT {LIMIT}", list(params)).fetchall():
        text = message.replace("{x}", str(row[2])) if len(row) > 2 else message
        v.problem(staged, row[0], column, row[1], text)
