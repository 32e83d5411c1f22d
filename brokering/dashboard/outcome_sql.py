# ruff: noqa: S608 - fragments of code constants; every value is a parameter.
"""SQL fragments of the outcomes' views (`outcomes._view`): a view's totals, its schools'
labels, and the names read beside its cells; and the people counted per cell and margin of
the tables a School filter weighs (`school_tables.grid`, `outcome_numbers`). Apart from the
SQL they are formatted into, so those modules stay readable."""

#: A table's people per cell and margin, and those the viewer cannot see, from `d`: each
#: person once per cell (outcome, r, k, staff_ref, unseen) — then once per margin.
COUNTED = """
        counted AS (
            SELECT outcome, r, k, 0::BIGINT AS level, count(*) AS people,
                   count(*) FILTER (WHERE unseen) AS unseen FROM d GROUP BY ALL
            UNION ALL
            SELECT outcome, r, NULL, 1, count(*), count(*) FILTER (WHERE unseen)
            FROM (SELECT DISTINCT outcome, r, staff_ref, unseen FROM d) GROUP BY ALL
            UNION ALL
            SELECT outcome, NULL, k, 2, count(*), count(*) FILTER (WHERE unseen)
            FROM (SELECT DISTINCT outcome, k, staff_ref, unseen FROM d) GROUP BY ALL)"""

#: What a figure of such a table places (`placing`): a cell its outcome and area's people
#: (`plk`), a row's total its outcome's (`plo`), a column's total over the schools none.
PLACED = "CASE a.level WHEN 0 THEN plk.placed WHEN 1 THEN plo.placed ELSE 0 END"

#: A view's totals over the areas: its cells' sums (a pairing has one area, and is once in
#: a row: `cell` counts rows) — two-thirds the time of counting the pairings afresh.
ROW_TOTALS = """
                SELECT ci.outcome, ci.r, sum(ci.pairings)::BIGINT AS pairings, sum(ci.s) AS s,
                       bool_or(ci.hid) AND ({across} OR any_value(st.n) > 1) AS part
                FROM ci JOIN (SELECT outcome, count(DISTINCT r) AS n FROM ci GROUP BY ALL) st
                  USING (outcome)
                GROUP BY ALL"""
#: A view's totals over the rows (`area`: one area's filter): a pairing received by several
#: schools is in several rows, counted once.
AREA_TOTALS = """
                SELECT c.outcome, c.k, count(DISTINCT c.pairing_id) AS pairings,
                       sum(c.pu) AS s,
                       bool_or(p.part) AND ({across} OR any_value(st.n) > 1) AS part
                FROM c JOIN (SELECT outcome, k, bool_or(hid) AS part FROM ci GROUP BY ALL) p
                  USING (outcome, k)
                JOIN (SELECT outcome, count(DISTINCT k) AS n FROM ci GROUP BY ALL) st
                  USING (outcome)
                {area} GROUP BY ALL"""


#: A named view's rows (`select`: schools in "row") with a `label`, as `named_sql` gives it,
#: and the label's place in name order (`seq`): the rows are put in order (by it, then by
#: outcome) in Python, as ordering the whole read in SQL sorted the view's cells too (three
#: times the rows), and numbering the rows in SQL sorted each school's outcomes as well.
LABELLED = """
        vw0 AS ({select}),
        nm AS (SELECT DISTINCT vw0."row", coalesce(s.name, vw0."row") AS name
               FROM vw0 LEFT JOIN schools s ON s.school_id = vw0."row"),
        dup AS (SELECT name FROM nm GROUP BY name HAVING count(*) > 1),
        lab0 AS (SELECT "row", CASE WHEN name IN (SELECT name FROM dup)
                                    THEN name || ' (' || "row" || ')' ELSE name END AS label
                 FROM nm),
        lab AS (SELECT *, dense_rank() OVER (ORDER BY label) AS seq FROM lab0),
        vw AS MATERIALIZED (
            SELECT vw0.*, lab.label, lab.seq FROM vw0 LEFT JOIN lab ON lab."row" = vw0."row")"""


#: The areas' names by number, beside a view's cells (`force` names its columns by them).
AREA_NAMES = """
        UNION ALL
        SELECT NULL, NULL, k, NULL, NULL, NULL, NULL, NULL, kn, {pad} TRUE FROM ko
        WHERE EXISTS (SELECT 1 FROM vw WHERE NOT hidden)"""


def named_sql(sql: str) -> str:
    """`sql`'s rows (schools in "row"; the view's, not `cell`) with a `label`: the school's
    name, and where two schools in the answer share a name (a national register has dozens
    of St Mary's) the name with the school's reference, so they are counted apart; ordered
    by label."""
    return f"""
        WITH x AS ({sql}),
        nm AS (SELECT DISTINCT x."row", coalesce(s.name, x."row") AS name
               FROM x LEFT JOIN schools s ON s.school_id = x."row" WHERE NOT x.cell),
        dup AS (SELECT name FROM nm GROUP BY name HAVING count(*) > 1),
        lab AS (SELECT "row", CASE WHEN name IN (SELECT name FROM dup)
                                   THEN name || ' (' || "row" || ')' ELSE name END AS label
                FROM nm)
        SELECT x.*, lab.label FROM x LEFT JOIN lab ON lab."row" = x."row" AND NOT x.cell
        ORDER BY x.cell, lab.label, x.outcome
    """
