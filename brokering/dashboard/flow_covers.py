# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""The reciprocity ledger's covers (its rule 5) for one period's flows between schools: each
listed pairing's unnamed side keeps a second school it could be at in the flow matrices and
the given-and-received balance, as it does in the ledger.

Why: the ledger and the flows show the same work between schools (in a term holding all of an
alliance's pairings, the same figures), suppressed by the one rule
(`pairings.ledger_suppression`). The ledger hides, for a viewer who lists pairings, a
school's row and a relationship that rest on no one unseen where they alone would say that a
listed pairing's unnamed side ("a partner school") is not there (`pairings.ledger_cover`).
The flows showed those same figures: the SLE coordinator read A to C in the matrix, counted it
from their own list (both schools named), and so placed A1's partner at B, whose hidden
outcome followed (tests/test_flow_suppression_properties.py, PLACED_BY_THE_FLOWS).

What is read here is what `ledger_cover.read` reads for the ledger, over the period's
pairings (agreed or beyond, running on some day of it: the flows' own): each unnamed side
(its school X, side, and the school N of someone the viewer sees in the pairing), each
school the viewer can tell they see whole (`placing.whole_sql`) and each school's sides that
rest on someone unseen. The relationships' directions resting on someone unseen are the
flows' own (`flow_counts.hiding_inputs`: a_open, b_open). The aggregate-only roles list no
pairing and the administrator sees everyone: nothing is read for them (`ledger_cover.lists`),
so a governor's flows are as they were."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from brokering import changes
from brokering.dashboard.facts import Facts, facts
from brokering.db import Connection
from brokering.pairings.ledger_cover import Covers, lists, plain_arrays
from brokering.placing import whole_sql
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

#: Rows (kind, x, side, z): 0 an unnamed side (X, its side: 0 donor, 1 recipient, N);
#: 2 a school whole to the viewer (x); 3 a school's side resting on someone unseen (x, side).
#: Schools by their place in the flows' order (`flow_counts`: the hub first, then by name).
_READ = """
    WITH sc AS (
        SELECT school_id,
               (row_number() OVER (ORDER BY is_hub DESC, name, school_id) - 1)::BIGINT AS k
        FROM schools),
    un AS MATERIALIZED (SELECT st.staff_ref FROM staff st WHERE NOT coalesce({vis}, FALSE)),
    p AS (
        SELECT DISTINCT pairing_id FROM {links}
        WHERE start_date <= ? AND (concluded_on IS NULL OR concluded_on >= ?)
          AND status <> 'proposed'),
    m AS MATERIALIZED (
        SELECT x.pairing_id, (x.side = 'recipient')::BIGINT AS side, s.k,
               x.staff_ref NOT IN (SELECT staff_ref FROM un) AS seen
        FROM {people} x JOIN p USING (pairing_id) JOIN sc s ON s.school_id = x.school_id)
    SELECT 0::BIGINT AS kind, u.k AS x, u.side, n.k AS z
    FROM (SELECT DISTINCT pairing_id, side, k FROM m WHERE NOT seen) u
    JOIN (SELECT DISTINCT pairing_id, k FROM m WHERE seen) n USING (pairing_id)
    GROUP BY ALL
    UNION ALL
    SELECT 2, s.k, 0, -1 FROM sc s WHERE {whole}
    UNION ALL
    SELECT DISTINCT 3, k, side, -1 FROM m WHERE NOT seen
"""


def read(
    con: Connection,
    viewer: Viewer,
    f: Facts,
    start: date,
    end: date,
    schools: pd.DataFrame,
    pairs: pd.DataFrame,
) -> Covers | None:
    """The covers' inputs for the period [start, end], aligned with the flows' frames
    (`flow_counts.hiding_inputs`: `schools` by its rows, school_id a position in the flows'
    order; `pairs` with a_open and b_open) — None for a viewer who lists no pairing with
    someone they cannot see, or where no listed pairing has an unnamed side."""
    if not lists(viewer) or schools.empty:
        return None
    vis, params = visible_staff_sql(viewer, "st")
    whole, own = whole_sql(viewer, "s.school_id")
    sql = _READ.format(vis=vis, links=f.links, people=f.people, whole=whole)
    values = [*params, end, start, *own]
    # Remembered under the store's change mark: a page asks it of one period for the
    # matrices and the balance alike (any write, a consent change too, moves the mark).
    got = changes.remembered(
        changes.mark(con),
        ("flow_covers.read", sql, tuple(values)),
        lambda: plain_arrays(con, sql, values),
    )
    kind = got["kind"].astype(np.int64)
    x, side, z = (got[c].astype(np.int64) for c in ("x", "side", "z"))
    if not (kind == 0).any():
        return None
    # Positions in the flows' order -> rows of `schools` (-1: no work in the period).
    row = np.full(int(max(schools["school_id"].max(), x.max(initial=0), z.max(initial=0))) + 1, -1)
    row[schools["school_id"].to_numpy(np.int64)] = np.arange(len(schools))
    needs = kind == 0
    at, named = row[x[needs]], row[z[needs]]
    keep = (at >= 0) & (named >= 0)
    n = len(schools)
    whole_s = np.zeros(n, bool)
    w = row[x[kind == 2]]
    whole_s[w[w >= 0]] = True
    open_s = np.zeros((n, 2), bool)
    o = kind == 3
    o_row, o_side = row[x[o]], side[o]
    open_s[o_row[o_row >= 0], o_side[o_row >= 0]] = True
    return Covers(
        at=at[keep],
        side=side[needs][keep],
        named=named[keep],
        whole=whole_s,
        open_s=open_s,
        a_open=pairs["a_open"].to_numpy(bool),
        b_open=pairs["b_open"].to_numpy(bool),
    )


def of(
    con: Connection, viewer: Viewer, start: date, end: date
) -> Callable[[pd.DataFrame, pd.DataFrame], Covers | None] | None:
    """`read` for the period, once the frames it aligns with are counted (`flows._suppressed`
    asks it where the figures are shown: the matrices, the balance); None, nothing to read,
    for a viewer who lists no pairing with someone they cannot see (a governor)."""
    if not lists(viewer):
        return None
    return lambda schools, pairs: read(con, viewer, facts(con), start, end, schools, pairs)
