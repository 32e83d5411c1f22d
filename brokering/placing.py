# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""A figure the viewer cannot count from their own pages, though it rests only on people
they see: one that would place a listed pairing's unnamed side.

Why: the pairings page lists every pairing with someone the viewer sees, its practice and
status, and names the school of each person they see; a side they do not see is "a partner
school" (`pairings.views.list_pairings`). A figure that counts pairings by a school of theirs
(outcomes by receiving school, a school's pairings received or given) and rests only on
people the viewer sees is shown exactly — `hiding.primary` takes it as one they could count
from their own lists. But shown, it also says that no listed pairing whose unnamed side
could be at that school is in it, and so where that side is not: where it is, in the end.
Such a figure is not theirs: its count is settled by the unseen people whose school it
rules out. So its sensitivity is those people (`placed`): it is hidden where they are 1 to
threshold-1, and may be hidden as cover like any figure resting on someone unseen.

The rule, once: a figure of pairings by a side's school, resting on no one the viewer
cannot see, counts as resting on the unseen people of that side of the listed pairings
that match it otherwise (its outcome and area) — `settled`. Not for a school whose every
member the viewer can tell they see (a head's own; one whose staff all share, as the Data
page says: `whole_sql`): a side they do not see is not there, and they know it. At
national scale every outcome and area has thousands of such people, so the rule hides
nothing there; in a small alliance it hides what would place one or two people. (A figure
resting on someone unseen keeps its own count: the rule never shows what `primary` hid.)
Used by the outcomes by receiving school (`outcomes._view`, `school_tables.grid`) and the
ledger's schools (`pairings.ledger`)."""

from __future__ import annotations

import numpy as np

from brokering.viewer import Viewer

#: Schools whose every current member of staff shares, as the Data page tells any role that
#: lists people: its "Staff" and "Sharing alliance-wide" counts are equal, and shown (not 1
#: or 2: `overview.school_summary`).
_ALL_SHARE = """
    SELECT school_id FROM staff WHERE left_on IS NULL GROUP BY school_id
    HAVING bool_and(share_consent) AND count(*) NOT IN (1, 2)"""


def whole_sql(viewer: Viewer, column: str) -> tuple[str, list[object]]:
    """SQL truth value (and its parameters): `column` is a school the viewer can tell they
    see every member of — a head's own, or one whose every member shares (`_ALL_SHARE`): a
    side they do not see is not there, and they know it, so a figure of it settles nothing."""
    return f"({column} IS NOT DISTINCT FROM ? OR {column} IN ({_ALL_SHARE}))", [viewer.school_id]


def settled_sql(unseen: str, placed: str, own: str = "FALSE") -> str:
    """SQL: the people a figure's suppression weighs — its own unseen people, or, resting
    on none, the unseen people whose place it settles (`placed`; none where `own`, the
    viewer's own school)."""
    return f"(CASE WHEN {unseen} > 0 OR {own} THEN {unseen} ELSE coalesce({placed}, 0) END)"


def settled(unseen: np.ndarray, placed: np.ndarray, own: np.ndarray | bool = False) -> np.ndarray:
    """`settled_sql` on arrays."""
    u = np.asarray(unseen, dtype=np.int64)
    p = np.asarray(placed, dtype=np.int64)
    return np.where((u > 0) | own, u, p)


def placed_ctes(cells: str, unseen_people: str, rows_are_schools: bool = True) -> str:
    """SQL CTEs `pl`, `plk` and `plo`: the people `placed_sql` names, and how many there
    are per outcome and area (`plk`) and per outcome (`plo`), as `placed`."""
    return f"""
        pl AS MATERIALIZED ({placed_sql(cells, unseen_people, rows_are_schools)}),
        plk AS (SELECT outcome, k, count(*) AS placed FROM pl GROUP BY ALL),
        plo AS (SELECT outcome, count(DISTINCT staff_ref) AS placed FROM pl GROUP BY ALL)"""


def placed_sql(cells: str, unseen_people: str, rows_are_schools: bool = True) -> str:
    """SQL: (outcome, k, staff_ref) — the unseen recipients of each listed pairing
    (one with a member the viewer sees: `pu`, its unseen people, below `np`, its people) of
    `cells` (pairing_id, outcome, k, pu, np rows), from `unseen_people` (pairing_id,
    staff_ref, side rows: the pairings' people the viewer cannot see). None unless
    `rows_are_schools` (the rows are receiving schools, not hours bands)."""
    return f"""
        SELECT DISTINCT c.outcome, c.k, u.staff_ref FROM {cells} c
        JOIN {unseen_people} u USING (pairing_id)
        WHERE u.side = 'recipient' AND c.pu < c.np AND {bool(rows_are_schools)}"""


def placed_people_sql(members: str, seen: str) -> str:
    """SQL: one row, `n` — how many unseen people there are on the listed pairings of
    `members` (pairing_id, staff_ref rows; `seen`: whether `x`.staff_ref is someone the
    viewer sees): whichever school a figure by school names, any of them could be there
    (the ledger's schools: a school's pairings given and received)."""
    return f"""
        SELECT count(DISTINCT x.staff_ref) AS n FROM {members} x
        WHERE NOT {seen} AND x.pairing_id IN (
            SELECT y.pairing_id FROM {members} y WHERE {seen.replace("x.", "y.")})"""
