# ruff: noqa: S608 - the SQL below is built from code constants; values are parameters.
"""What the coaching score counts as a record: coaching relationships and pairings judged at
review, as one relation that every route scoring coaching reads (`scoring.coaching_scores`,
`score_parts.explain_coaching`, the find's parts in `find.maintenance`), so they cannot disagree.

Why apart from `scoring`: the pairings' side needs the transfer rule (`pairings.transfer_rule`)
and has rules of its own (docs/SCORING.md, "Pairings judged at review").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from brokering.db import Connection

if TYPE_CHECKING:
    from brokering.scoring import ScoringParams

__all__ = [
    "COACHING_DATE_SQL",
    "coaching_records_sql",
    "donor_pairings",
    "judged_pairings",
    "pairing_outcomes_sql",
]

#: The date a coaching record's recency is measured from: its outcome is known at the end.
COACHING_DATE_SQL = "coalesce(c.end_date, c.start_date)"


#: The `pairings` view (migrations/002: each pairing's current version) for the pairings one
#: of a list of people (one bound value) was ever a donor in: the view's own definition with
#: those pairings picked out before each pairing's versions are compared, which gives the
#: same rows for them, read from a few pairings' versions instead of every pairing's.
_DONORS_PAIRINGS = """(
    SELECT * FROM pairing_versions
    WHERE pairing_id IN (SELECT pairing_id FROM pairing_participants
                         WHERE side = 'donor' AND list_contains(?::VARCHAR[], staff_ref))
    QUALIFY version = max(version) OVER (PARTITION BY pairing_id)
)"""


def donor_pairings(con: Connection, staff_refs: list[str]) -> list[str]:
    """The pairings any of `staff_refs` was ever a donor in (any version), sorted.

    Why a read of its own: bound one by one, the refs let DuckDB look them up in the
    `pairing_participants (staff_ref)` index (migrations/095) — it does so only when the
    scan's sole filter is the indexed column `IN (constants)`, hence the side is checked on
    the materialised rows — and the pairing ids it returns are then bound the same way by
    `pairing_outcomes_sql(..., pairings=n)` and the "possibly unavailable" flags. For a
    list's ~200 people it reads a few hundred rows where a join scanned 210,000."""
    refs = sorted(set(staff_refs))
    if not refs:
        return []
    marks = ", ".join("?" for _ in refs)
    rows = con.execute(
        "WITH theirs AS MATERIALIZED (SELECT pairing_id, side FROM pairing_participants"  # noqa: S608
        f" WHERE staff_ref IN ({marks}))"
        " SELECT DISTINCT pairing_id FROM theirs WHERE side = 'donor' ORDER BY 1",
        refs,
    ).fetchall()
    return [r[0] for r in rows]


def pairings_sql(count: int) -> dict[str, str]:
    """The pairing relations for `count` pairing ids bound one by one (three times: the
    `versions`, `participants` and `entries` fragments, in that order), each read through
    its `pairing_id` index: `versions` is the `pairings` view (migrations/002) for those
    pairings, `participants` their participant rows (every version; join on the version),
    `entries` the `pairing_log` view for them (an entry never changes pairing). The
    participants are materialised so that no join filter joins the index lookup."""
    marks = ", ".join("?" for _ in range(count)) or "NULL"
    return {
        "versions": f"""(
            SELECT * FROM pairing_versions WHERE pairing_id IN ({marks})
            QUALIFY version = max(version) OVER (PARTITION BY pairing_id))""",
        "participants": f"""their_participants AS MATERIALIZED (
            SELECT pairing_id, version, staff_ref, side FROM pairing_participants
            WHERE pairing_id IN ({marks}))""",
        "entries": f"""(
            SELECT * EXCLUDE (withdrawn) FROM (
                SELECT * FROM pairing_entries WHERE pairing_id IN ({marks})
                QUALIFY version = max(version) OVER (PARTITION BY entry_id)
            ) WHERE NOT withdrawn)""",
    }


def pairing_outcomes_sql(
    params: ScoringParams, donors: bool = False, pairings: int | None = None
) -> str:
    """A SELECT of the pairings judged at review, one row per donor, in the shape of a
    coaching record: coach_ref, skill_id, date, outcome (1-4), factor (its weight as a share
    of a coaching outcome's), pairing_id and status.

    Why here: a donor's coaching strength should rest on whether the people they worked with
    changed their practice. A *transferred* pairing counts only on qualifying evidence (an
    observation meeting the transfer rule, `pairings.transfer_rule`): its outcome is the best
    rating of those observations, dated on the latest of them. A *not transferred* pairing
    counts as `not_transferred_value` at `not_transferred_weight`, dated on its latest log
    entry (its start date if nothing is logged). Numbers come from code, never user text.

    With `donors`, the SQL takes one bound value, a list of staff refs, and reads only pairings
    one of them was ever a donor in (a superset of their outcomes: callers still filter by
    `coach_ref`). At national scale the transfer rule over every judged pairing's log costs
    about a second; for a few people, milliseconds.

    With `pairings`, it takes that many pairing ids bound one by one, three times over
    (`pairings_sql`; from `donor_pairings`), and reads only those pairings, by index."""
    from brokering.pairings.transfer_rule import observations_sql

    observed = observations_sql("jl", "jp", "jm")
    value, weight = float(params.not_transferred_value), float(params.not_transferred_weight)
    # Only judged pairings are read past the first step: the transfer rule's work (baselines,
    # who observed whom) is done for them alone, not for every pairing's log.
    if pairings is not None:
        some = pairings_sql(pairings)
        head = f"""WITH jp AS (
            SELECT pairing_id, version, skill_id, status, start_date FROM {some["versions"]}
            WHERE status IN ('transferred', 'not transferred')
        ), {some["participants"]}, jm AS (
            SELECT pp.pairing_id, pp.staff_ref, pp.side FROM their_participants pp
            JOIN jp ON jp.pairing_id = pp.pairing_id AND jp.version = pp.version
        ), jl AS (
            SELECT l.* FROM {some["entries"]} l WHERE l.pairing_id IN (SELECT pairing_id FROM jp)
        )"""
    else:
        head = f"""WITH jp AS (
            SELECT pairing_id, version, skill_id, status, start_date
            FROM {_DONORS_PAIRINGS if donors else "pairings"}
            WHERE status IN ('transferred', 'not transferred')
        ), jm AS (
            SELECT pp.pairing_id, pp.staff_ref, pp.side FROM pairing_participants pp
            JOIN jp ON jp.pairing_id = pp.pairing_id AND jp.version = pp.version
        ), jl AS (
            -- pairing_log for judged pairings (an entry never changes pairing)
            SELECT * EXCLUDE (withdrawn) FROM (
                SELECT * FROM pairing_entries WHERE pairing_id IN (SELECT pairing_id FROM jp)
                QUALIFY version = max(version) OVER (PARTITION BY entry_id)
            ) WHERE NOT withdrawn
        )"""
    return f"""
        {head}, q AS (
            SELECT pairing_id, max(date) AS latest,
                   max(TRY_CAST(rating_after AS INTEGER)) AS rating
            FROM ({observed}) WHERE why_not IS NULL GROUP BY pairing_id
        ), lg AS (
            SELECT pairing_id, max(date) AS latest FROM jl GROUP BY pairing_id
        )
        SELECT m.staff_ref AS coach_ref, p.skill_id, p.pairing_id, p.status,
               CASE WHEN p.status = 'transferred' THEN q.latest
                    ELSE coalesce(lg.latest, p.start_date) END AS date,
               CASE WHEN p.status = 'transferred' THEN q.rating::DOUBLE
                    ELSE {value!r} END AS outcome,
               CASE WHEN p.status = 'transferred' THEN 1.0 ELSE {weight!r} END AS factor
        FROM jp p
        JOIN jm m ON m.pairing_id = p.pairing_id AND m.side = 'donor'
        LEFT JOIN q ON q.pairing_id = p.pairing_id
        LEFT JOIN lg ON lg.pairing_id = p.pairing_id
        WHERE p.status = 'not transferred' OR (p.status = 'transferred' AND q.rating IS NOT NULL)
    """


def coaching_records_sql(params: ScoringParams, donors: bool = False) -> str:
    """Everything the coaching score counts as a record, as one parenthesised relation:
    coaching relationships (mode 'coaching') and pairings judged at review. Columns:
    coach_ref, skill_id, date (recency runs from it), o (outcome), fb (coachee feedback),
    factor (weight multiplier), source ('coaching', 'transferred' or 'not transferred'),
    pairing_id. Every route that scores coaching reads it, so they cannot disagree. With
    `donors`, it takes one bound value (see `pairing_outcomes_sql`)."""
    return f"""(
        SELECT c.coach_ref, c.skill_id, {COACHING_DATE_SQL} AS date,
               c.outcome_strength::DOUBLE AS o, c.feedback_score::DOUBLE AS fb,
               1.0 AS factor, 'coaching' AS source, NULL::VARCHAR AS pairing_id
        FROM coaching c WHERE c.mode = 'coaching'
        UNION ALL
        SELECT po.coach_ref, po.skill_id, po.date, po.outcome, NULL::DOUBLE, po.factor,
               po.status, po.pairing_id
        FROM ({pairing_outcomes_sql(params, donors)}) po
    )"""


def judged_pairings(
    con: Connection,
    skill_id: str,
    staff_refs: list[str],
    params: ScoringParams,
    pairing_ids: list[str] | None = None,
) -> dict[str, tuple[int, int]]:
    """staff_ref -> (pairings transferred, pairings not transferred) in `skill_id` that count
    in their coaching strength, for people the caller has already found visible: the
    candidate explanation lists them beside the coaching score. `pairing_ids`, when given,
    is `donor_pairings(con, staff_refs)` read once by a caller that needs it for more."""
    refs = sorted(set(staff_refs))
    if not refs:
        return {}
    ids = donor_pairings(con, refs) if pairing_ids is None else pairing_ids
    if not ids:
        return {}
    rows = con.execute(
        "SELECT coach_ref, count(*) FILTER (WHERE status = 'transferred'),"  # noqa: S608
        " count(*) FILTER (WHERE status = 'not transferred')"
        f" FROM ({pairing_outcomes_sql(params, pairings=len(ids))})"
        " WHERE skill_id = ? AND list_contains(?, coach_ref) GROUP BY coach_ref",
        [*ids, *ids, *ids, skill_id, refs],
    ).fetchall()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}
