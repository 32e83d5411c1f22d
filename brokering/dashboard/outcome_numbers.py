# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""The alliance's outcomes table (outcome x receiving school x area, with its margins) held as
numbers in the dashboard's facts, and counted from them as `school_tables.grid` counts it.

Why: a head's School filter weighs their school's outcomes against the alliance's whole
table (`school_tables.school_view`), and counting that table from the facts' rows of people
(`facts.receiver_people`: about 170,000 in a term at national scale) with outcomes, schools,
areas and people as strings was two thirds of the view's first read after a write — string
hashing in every grouping. Held as numbers (`fact_tables.numbers_sql`: schools, areas and people as
hashes of their ids, outcomes as codes, days as whole numbers, each pairing's first row in
its school and overall marked), the same counting groups whole numbers: about a third of
the time, and the same answer.

Why hashes, and exact all the same: a hash depends on its id alone, so a pairing's rows stay
what its write's upkeep works out for that pairing (`derived.Part`), as the flows' numbers
do (`flow_facts`). Two ids may in principle share a hash; the read checks, for the rows it
counts, that no two people (the facts' `keys`), no two schools, no two areas and — where the
viewer's figures place anyone — no two pairings do, and otherwise hands back None: the
caller then counts the table from the strings (`school_tables.grid`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering.dashboard.fact_tables import outcome_name
from brokering.dashboard.facts import Facts, unseen_sql
from brokering.dashboard.flow_facts import day_number
from brokering.dashboard.outcome_sql import COUNTED, PLACED
from brokering.dashboard.school_tables import GRID_COLUMNS
from brokering.db import Connection, query_df_arrow
from brokering.placing import placed_ctes, placed_sql, places, settled_sql, whole_sql
from brokering.viewer import Viewer

#: Pairings per cell, per row total (a pairing is once in a school's row and has one area:
#: its leads) and per column total over the schools (a pairing in several rows once: its
#: heads) — no distinct counts, so no pairing need be told apart by its hash.
_PAIRED = """
        paired AS (
            SELECT outcome, r, k, 0::BIGINT AS level, count(*) AS pairings
            FROM w WHERE lead GROUP BY ALL
            UNION ALL
            SELECT outcome, r, NULL, 1, count(*) FROM w WHERE lead GROUP BY ALL
            UNION ALL
            SELECT outcome, NULL, k, 2, count(*) FROM w WHERE head GROUP BY ALL)"""

#: The ids behind the hashes of the rows read, and whether each hash is one id's alone.
_NAMES = """
        sn AS (SELECT DISTINCT r, school_id FROM {numbers} {period}),
        kn AS (SELECT DISTINCT k, area FROM {numbers} {period}),
        ok AS (SELECT (SELECT count(DISTINCT r) = count(*) FROM sn)
                      AND (SELECT count(DISTINCT k) = count(*) FROM kn)
                      AND (SELECT distinct_keys FROM {keys}) {pairings_apart} AS ok)"""


def numbers_grid(
    con: Connection, f: Facts, viewer: Viewer, start: date | None, end: date | None
) -> pd.DataFrame | None:
    """The alliance's outcomes table for the pairings running in the period (all, without
    one) as `school_tables.grid(..., schools=True, ordered=False)` counts it from the
    outcomes' cells and their people: the same rows, in no set order. None where two ids
    share a hash among what it counts (see the module's docstring) — or where the facts are
    not stored (a read-only store: worked out inline, the numbers would be worked out from
    the strings three times over, for no gain)."""
    if not f.stored:
        return None
    period, values = "", []
    if start and end:
        period = "WHERE first <= ? AND last >= ?"
        values = [day_number(end), day_number(start)]
    unseen, params = unseen_sql(viewer, "m", listed=True, keyed=True)
    on = places(viewer, True)
    listed = "SELECT pairing_id FROM w WHERE NOT unseen"  # a pairing with someone they see
    pl = placed_ctes(placed_sql("w", listed, "x.rec") if on else None)
    whole, mine = whole_sql(viewer, "sn.school_id", on)
    apart = "AND (SELECT count(DISTINCT pairing_id) = count(*) FILTER (WHERE head) FROM w)"
    names = _NAMES.format(
        numbers=f.receiver_numbers, period=period, keys=f.keys, pairings_apart=apart if on else ""
    )
    sql = f"""
        WITH w AS MATERIALIZED (
            SELECT m.pid AS pairing_id, m.o AS outcome, m.r, m.k, m.person AS staff_ref,
                   m.rec, m.lead, m.head, {unseen} AS unseen
            FROM {f.receiver_numbers} m {period})
        {pl},
        d AS MATERIALIZED (SELECT DISTINCT outcome, r, k, staff_ref, unseen FROM w),
        {COUNTED}, {_PAIRED}, {names}
        SELECT {outcome_name("a.outcome")} AS outcome, sn.school_id AS "row", kn.area AS col,
               a.level, b.pairings, a.people,
               {settled_sql("a.unseen", PLACED, whole)} AS unseen, ok.ok
        FROM counted a JOIN paired b ON a.level = b.level AND a.outcome = b.outcome
             AND a.r IS NOT DISTINCT FROM b.r AND a.k IS NOT DISTINCT FROM b.k
        LEFT JOIN plk ON plk.outcome = a.outcome AND plk.k = a.k
        LEFT JOIN plo ON plo.outcome = a.outcome
        LEFT JOIN sn ON sn.r = a.r LEFT JOIN kn ON kn.k = a.k CROSS JOIN ok"""
    frame = query_df_arrow(con, sql, [*params, *values, *values, *values, *mine])
    if frame.empty:
        return pd.DataFrame(columns=GRID_COLUMNS)
    if not bool(frame["ok"].iloc[0]):
        return None
    return frame[GRID_COLUMNS]
