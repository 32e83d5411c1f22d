"""References to people inside other rows, withheld from those who may not see them.

A row the viewer may see can still name someone they may not: the line manager on a staff
row, who recorded a piece of evidence, the coachee of a visible coach. Those references are
staff refs too, and a partner school's person who has not consented to sharing must not be
named by them (ACCESS.md). `ref_sql` wraps such a column so it reads "not shared" instead;
values that are not staff refs (a role label such as "SLT") are left as they are.
`withhold_refs` does the same to values already read.
"""

from __future__ import annotations

from collections.abc import Iterable

from brokering.db import Connection
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

#: What a withheld reference reads as, in exports and on screen.
WITHHELD = "not shared"


def ref_sql(viewer: Viewer, column: str) -> tuple[str, list[object]]:
    """An SQL expression (and its parameters) for `column` as `viewer` may read it.

    `column` comes from code, never from user text. The staff the viewer may not see are
    found once (an uncorrelated subquery DuckDB runs as a semi-join), so wrapping a column
    costs one pass over the staff table whatever the number of rows.
    """
    if viewer.sees_everyone:
        return column, []
    vis, params = visible_staff_sql(viewer, "rx")
    hidden = f"SELECT rx.staff_ref FROM staff rx WHERE NOT ({vis})"  # noqa: S608 - code only
    sql = f"(CASE WHEN {column} IN ({hidden}) THEN '{WITHHELD}' ELSE {column} END)"
    return sql, params


def withhold_refs(con: Connection, viewer: Viewer, values: Iterable[object]) -> list[object]:
    """`values` (staff refs or role labels) with every ref the viewer may not see replaced."""
    values = list(values)
    if viewer.sees_everyone:
        return values
    refs = sorted({v for v in values if isinstance(v, str) and v})
    if not refs:
        return values
    vis, params = visible_staff_sql(viewer, "rx")
    hidden = {
        r[0]
        for r in con.execute(
            f"SELECT rx.staff_ref FROM staff rx WHERE list_contains(?, rx.staff_ref) "  # noqa: S608
            f"AND NOT ({vis})",
            [refs, *params],
        ).fetchall()
    }
    return [WITHHELD if v in hidden else v for v in values]
