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
member the viewer can tell they see (a head's own, whose former staff too are theirs to
know; one whose staff all share, as the Data page says, and none has left: `whole_sql`): a
side they do not see is not there. At national scale every outcome and area has thousands
of such people, so the rule hides nothing there; in a small alliance it hides what would
place one or two people. (A figure resting on someone unseen keeps its own count: the rule
never shows what `primary` hid.)
Used by the outcomes by receiving school (`outcomes._view`, `school_tables.grid`). Not by
the ledger's schools: there a figure by school places any listed pairing's unnamed side,
and weighing them all hid nearly every row of the demo alliance's ledger for the SLE
coordinator and the heads — the ledger keeps a lighter rule: one cover per listed
pairing's unnamed side (`pairings.ledger_cover`)."""

from __future__ import annotations

import numpy as np

from brokering.viewer import Viewer

#: Schools whose every member of staff is in post and shares, as the Data page tells any role
#: that lists people: its "Staff" and "Sharing alliance-wide" counts are equal, and shown (not
#: 1 or 2: `overview.school_summary`). Not a school with a former member of staff: they are
#: never seen one by one (`visibility`) and the Data page does not count them, so a listed
#: pairing's unnamed side could be one of them there.
ALL_SHARE_SQL = """
    SELECT school_id FROM staff GROUP BY school_id
    HAVING bool_and(share_consent AND left_on IS NULL) AND count(*) NOT IN (1, 2)"""


def whole_sql(viewer: Viewer, column: str, on: bool = True) -> tuple[str, list[object]]:
    """SQL truth value (and its parameters): `column` is a school the viewer can tell they
    see every member of — a head's own, or one whose every member shares (`ALL_SHARE_SQL`): a
    side they do not see is not there, and they know it, so a figure of it settles nothing.
    Not `on` (the figures place no one: `places`): every school, and nothing is read."""
    if not on:
        return "TRUE", []
    return f"({column} IS NOT DISTINCT FROM ? OR {column} IN ({ALL_SHARE_SQL}))", [viewer.school_id]


def settled_sql(unseen: str, placed: str, own: str = "FALSE") -> str:
    """SQL: the people a figure's suppression weighs — its own unseen people, or, resting
    on none, the unseen people whose place it settles (`placed`; none where `own`, the
    viewer's own school). Every school `own` ("TRUE": none placed): `unseen` itself."""
    if own == "TRUE":
        return unseen
    return f"(CASE WHEN {unseen} > 0 OR {own} THEN {unseen} ELSE coalesce({placed}, 0) END)"


def settled(unseen: np.ndarray, placed: np.ndarray, own: np.ndarray | bool = False) -> np.ndarray:
    """`settled_sql` on arrays."""
    u = np.asarray(unseen, dtype=np.int64)
    p = np.asarray(placed, dtype=np.int64)
    return np.where((u > 0) | own, u, p)


def placed_ctes(people: str | None, lead: str = ",") -> str:
    """SQL CTEs `pl`, `plk` and `plo` (after `lead`, none at all where `people` is None and
    `lead` is empty): the people whose place a figure settles (`people`:
    an (outcome, k, staff_ref) SELECT, `placed_sql`; None: none — an aggregate-only role
    lists no pairing, and a table whose rows are not schools places no one, so nothing is
    read), and how many there are per outcome and area (`plk`) and per outcome (`plo`)."""
    if people is None and not lead:
        return ""
    if people is None:
        none = "NULL::VARCHAR AS outcome, NULL::VARCHAR AS k"
        return f"""{lead}
        pl AS (SELECT {none}, NULL::VARCHAR AS staff_ref WHERE FALSE),
        plk AS (SELECT {none}, 0::BIGINT AS placed WHERE FALSE),
        plo AS (SELECT NULL::VARCHAR AS outcome, 0::BIGINT AS placed WHERE FALSE)"""
    return f"""{lead}
        pl AS MATERIALIZED ({people}),
        plk AS (SELECT outcome, k, count(*) AS placed FROM pl GROUP BY ALL),
        plo AS (SELECT outcome, count(DISTINCT staff_ref) AS placed FROM pl GROUP BY ALL)"""


def placed_sql(rows: str, listed: str, recipient: str = "x.side = 'recipient'") -> str:
    """SQL: (outcome, k, staff_ref) — the unseen recipients of each listed pairing (one
    with a member the viewer sees): `rows`' (pairing_id, outcome, k, staff_ref, side,
    unseen) of people the viewer cannot see on the recipient side (`recipient`: the test of
    it on `x`), whose pairing is in `listed` (a SELECT of pairing ids)."""
    return f"""
        SELECT DISTINCT x.outcome, x.k, x.staff_ref FROM {rows} x
        WHERE x.unseen AND {recipient} AND x.pairing_id IN ({listed})"""


def places(viewer: Viewer, rows_are_schools: bool) -> bool:
    """Whether a table's figures can place anyone for `viewer`: its rows are schools, and
    the viewer lists pairings with people they do not see (not aggregate-only, not the
    administrator)."""
    return rows_are_schools and not viewer.aggregate_only and not viewer.sees_everyone


def view_placing(
    viewer: Viewer, rows_are_schools: bool, level: int, key: str
) -> tuple[str, str, str, str, list[object]]:
    """What `outcomes._view` weighs, over its CTEs `c` (pairing_id, outcome, k, pu: its
    unseen people, np: its people) and `um` (the unseen people, with their side): (the CTEs
    `pl`, `plk`, `plo`; a view's total's `placed` — `plo`'s for a row's total over the
    areas, none for a total over the receiving schools, the same wherever a side is; the
    `whole_sql` tests of a cell's row `cell.r` and of a total's `v.{key}`; their
    parameters, the same for each)."""
    on = places(viewer, rows_are_schools)
    rows = "(SELECT c.*, u.staff_ref, u.side, TRUE AS unseen FROM c JOIN um u USING (pairing_id))"
    people = placed_sql(rows, "SELECT pairing_id FROM c WHERE pu < np") if on else None
    whole_r, params = whole_sql(viewer, "cell.r", on)
    placed = "plo.placed" if level == 1 else "0"
    return (
        placed_ctes(people, "," if on else ""),
        placed,
        whole_r,
        whole_sql(viewer, f"v.{key}", on)[0],
        params,
    )
