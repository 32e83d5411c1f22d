# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""A cover for each listed pairing's unnamed side in the reciprocity ledger's school views.

Why: the pairings page lists every pairing with someone the viewer sees and names the school
of each person they see; a side they do not see is "a partner school"
(`pairings.views.list_pairings`). A ledger figure resting only on people the viewer sees is
shown (`ledger_suppression`, rule 1: they could count it from their lists) — but shown, it
also says that no unnamed side is in it: a school's pairings received, shown and resting on
no unseen recipient, says no listed pairing's unnamed recipient is at that school; a
relationship's direction from the named school to it, likewise. Where every school such a
side could be at but one says so, the side is placed, and a hidden cell of the outcomes
(what it received there) follows (tests/test_outcomes_joint_properties.py,
PLACED_BY_THE_LEDGER and PLACED_BY_B_RECEIVED).

Weighing every unnamed side against every school row (the placing rule of `placing`)
hid 9 of the demo alliance's 10 school rows for the SLE coordinator. The rule here is
lighter: each unnamed side (of a listed pairing: its unseen person's school X, its side,
and the named school N of someone the viewer sees in it) keeps one *cover* — a second
school Y, not X, it could be at as far as the shown figures say:
- Y is not a school whose every member the viewer can tell they see (`placing.whole_sql`:
  a head's own, or one whose every member shares) — the side is not there, and they know it;
- Y's row does not rule it out: hidden, or resting on someone unseen on that side (its
  figure then holds pairings the viewer cannot list, so it places none of them);
- and, for Y other than N, the relationship of N and Y exists (a relationship not listed
  says there is no pairing between them) and its direction does not rule it out (hidden, or
  resting on someone unseen); for Y = N (the side within the named school) no relationship
  holds it — only N's row.
Where no school covers a side, one is made a cover: N's own row hidden where N could hold
it (one row), else the nearest other school's row and its relationship with N (smallest by
people, then by code — never by the order of the rows). A side with no cover possible (N's
only relationships are with X and N is whole) is placed by which relationships exist, not
by any figure: nothing hiding could do, so it is left.

Hidden covers are weighed by rule 4 (no total one row short) like any hidden row. The
aggregate-only roles list no pairing, and the administrator sees everyone: no cover is read
for them (the benchmarked governor's path is unchanged).

The read here (`read`) is also where the ledger learns, for a viewer who lists pairings, every
figure that depends on who they cannot see: each school's and each two schools' unseen
people, and each direction resting on someone unseen. One statement looks the participants
up once for all of them: at national scale that lookup was most of the cost of each of the
three reads that used to make it on their own (ledger.py's history: 361 / 366 ms)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from brokering.db import Connection, query_arrays
from brokering.derived import Relations
from brokering.placing import whole_sql
from brokering.viewer import Viewer

SIDES = ("donor", "recipient")


@dataclass(frozen=True)
class Covers:
    """What the cover rule weighs, by position in the ledger's frames (schools, relationships):
    the unnamed sides (`at`: X, `side`: 0 donor / 1 recipient, `named`: N), whether each
    school is whole to the viewer, whether it has someone unseen on each side (`open_s`,
    schools x 2), and per relationship whether each direction rests on someone unseen
    (`a_open`: a gives to b, `b_open`)."""

    at: np.ndarray
    side: np.ndarray
    named: np.ndarray
    whole: np.ndarray
    open_s: np.ndarray
    a_open: np.ndarray
    b_open: np.ndarray


def lists(viewer: Viewer) -> bool:
    """Whether the viewer lists pairings with people they do not see (so a side can be
    unnamed): not an aggregate-only role, not the administrator."""
    return not viewer.aggregate_only and not viewer.sees_everyone


#: What `read` answers, one row each, as (kind, x, side, z, k) with schools by place:
#: 0 an unnamed side (X, its side, N); 2 a whole school; 3 a school's unseen people (k) and
#: the sides they are on (side: 1 donor, 2 recipient, 3 both; one row, not one a side);
#: 4 a direction giver (x) -> receiver (z) resting on someone unseen; 5 two schools' unseen
#: people (x, z: a, b; k).
_READ = """
    WITH {un}, {order},
    m AS MATERIALIZED (
        SELECT pairing_id, staff_ref, (side = 'recipient')::TINYINT AS side, school_id,
          {seen} AS seen
        FROM {members} x),
    opened AS (
        SELECT DISTINCT d.school_id AS giver, r.school_id AS receiver
        FROM m d JOIN m r ON r.pairing_id = d.pairing_id AND r.side = 1
        WHERE d.side = 0 AND d.school_id <> r.school_id AND (NOT d.seen OR NOT r.seen)),
    rows AS (
        SELECT 0 AS kind, u.school_id AS x, u.side, n.school_id AS z, NULL::BIGINT AS k
        FROM (SELECT DISTINCT pairing_id, side, school_id FROM m WHERE NOT seen) u
        JOIN (SELECT pairing_id, school_id FROM m WHERE seen) n USING (pairing_id)
        GROUP BY ALL
        UNION ALL
        SELECT 2, sc.school_id, NULL, NULL, NULL FROM schools sc WHERE {whole}
        UNION ALL
        SELECT 3, school_id, (bool_or(side = 0)::TINYINT + 2 * bool_or(side = 1)::TINYINT),
          NULL, count(DISTINCT staff_ref) FROM m WHERE NOT seen GROUP BY school_id
        UNION ALL
        SELECT 4, giver, NULL, receiver, NULL FROM opened
        UNION ALL
        SELECT 5, a, NULL, b, count(DISTINCT staff_ref) FROM {joint} x WHERE NOT {seen}
        GROUP BY a, b)
    SELECT r.kind, ox.pos AS x, coalesce(r.side, 0) AS side, coalesce(oz.pos, -1) AS z,
      coalesce(r.k, 0) AS k
    FROM rows r JOIN ord ox ON ox.school_id = r.x LEFT JOIN ord oz ON oz.school_id = r.z
"""


def read(
    con: Connection,
    viewer: Viewer,
    rel: Relations,
    seen: tuple[tuple[str, list[object]], str, str],
    n: int,
    pairs: pd.DataFrame,
) -> tuple[Covers, np.ndarray, np.ndarray]:
    """(the unnamed sides of the viewer's listed pairings, each school's whole and open
    sides and each relationship's open directions; per school and per relationship, how many
    people the viewer cannot see one by one), aligned with the ledger's frames: schools in
    its order (`n` of them), `pairs` by its schools' places (a_at, b_at).

    `seen`: the CTE `un` (staff the viewer cannot see) with its parameters, whether
    `x`.staff_ref is seen, and the CTE `ord` (each school's place `pos`) — looked up once, in
    one statement, for every figure that depends on the viewer: a lookup of the national
    alliance's 200,000 participants is most of the cost of each of the reads it serves."""
    (un, params), seen_x, order = seen
    whole, own = whole_sql(viewer, "sc.school_id")
    sql = _READ.format(
        un=un,
        order=order,
        seen=seen_x,
        members=rel["members"],
        joint=rel["joint"],
        whole=whole,
    )
    got = plain_arrays(con, sql, [*params, *own])  # (arrays, not a frame: 130,000 rows)
    kind = got["kind"]
    x, side = got["x"].astype(np.int64), got["side"].astype(np.int64)
    z, k = got["z"].astype(np.int64), got["k"].astype(np.int64)
    a_at, b_at = pairs["a_at"].to_numpy(np.int64), pairs["b_at"].to_numpy(np.int64)
    needs, unseen = kind == 0, kind == 3
    open_s = np.zeros((n, 2), bool)
    open_s[x[unseen], 0] = (side[unseen] & 1) > 0  # (a school's unseen sides, as bits)
    open_s[x[unseen], 1] = (side[unseen] & 2) > 0
    whole_s = np.zeros(n, bool)
    whole_s[x[kind == 2]] = True
    hidden_s = np.zeros(n, np.int64)
    hidden_s[x[unseen]] = k[unseen]

    def found(rows: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Per relationship (its schools `first`, `second` by place): its row among `rows`
        (-1: none)."""
        return pd.Index(x[rows] * n + z[rows]).get_indexer(first * n + second)

    directed = kind == 4
    joint = found(kind == 5, a_at, b_at)
    covers = Covers(
        at=x[needs],
        side=side[needs],
        named=z[needs],
        whole=whole_s,
        open_s=open_s,
        a_open=found(directed, a_at, b_at) >= 0,
        b_open=found(directed, b_at, a_at) >= 0,
    )
    hidden_p = np.append(k[kind == 5], 0)[joint]  # (-1, no row: the 0 appended)
    return covers, hidden_s, hidden_p


def plain_arrays(con: Connection, sql: str, params: list[object]) -> dict[str, np.ndarray]:
    """A read's columns as plain numpy arrays (none NULL here; `db.query_arrays`): no
    DataFrame built for rows that are only taken apart again. Also the flows' covers' read
    (`dashboard.flow_covers`)."""
    return {k: np.asarray(v) for k, v in query_arrays(con, sql, params).items()}


@dataclass(frozen=True)
class Plan:
    """`Covers` laid out once over the relationships for `apply`'s passes: each end (N, Y)
    of a relationship (`n_`, `y`, `p`: its relationship), whether its direction that would
    hold a side of Y's named at N rests on someone unseen (`dir_`: ends x sides), each
    side's end (N, X) (-1: none), and each school's eligible ends in cover order (`order`,
    `heads`, `start`, `second`)."""

    c: Covers
    n_: np.ndarray
    y: np.ndarray
    p: np.ndarray
    dir_: np.ndarray
    at_x: np.ndarray
    order: np.ndarray
    heads: np.ndarray
    start: np.ndarray
    second: np.ndarray


def plan(c: Covers, a: np.ndarray, b: np.ndarray, rank: np.ndarray, n: int) -> Plan:
    """`c` laid out over the relationships (`a`, `b`: their schools by position; `rank`:
    their place in cover order, smallest first, ties by the schools' codes)."""
    half = len(a)
    ends_n, ends_y = np.concatenate([a, b]), np.concatenate([b, a])
    ends_p = np.concatenate([np.arange(half), np.arange(half)])
    # A side's donor at Y gives to N: for the end (N=a, Y=b) the direction b -> a
    # (`b_open`), for (N=b, Y=a) a -> b; a recipient at Y, the other way.
    dir_ = np.empty((2 * half, 2), bool)
    dir_[:half, 0], dir_[:half, 1] = c.b_open, c.a_open
    dir_[half:, 0], dir_[half:, 1] = c.a_open, c.b_open
    key = pd.Index(ends_n.astype(np.int64) * n + ends_y)
    at_x = key.get_indexer(c.named.astype(np.int64) * n + c.at) if half else np.full(len(c.at), -1)
    # By school, then rank: one key (each end's school and rank are one pair), one sort.
    order = np.argsort(ends_n.astype(np.int64) * max(half, 1) + rank[ends_p])
    order = order[~c.whole[ends_y[order]]]
    heads, start = first_of_runs(ends_n[order])
    nxt = np.minimum(start + 1, max(len(order) - 1, 0))
    second = np.where(ends_n[order[nxt]] == heads, order[nxt], -1) if len(order) else heads.copy()
    return Plan(c, ends_n, ends_y, ends_p, dir_, at_x, order, heads, start, second)


def first_of_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each value, where its run starts) in the sorted `values`: what np.unique's
    return_index gives for sorted input, without sorting it again."""
    if not len(values):
        return values[:0].copy(), np.empty(0, np.intp)
    start = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
    return values[start], start


def apply(pl: Plan, keep_s: np.ndarray, keep_p: np.ndarray) -> None:
    """Hide (in `keep_s`, `keep_p`, in place) what gives each unnamed side a cover."""
    c = pl.c
    if not len(c.at):
        return
    n = len(keep_s)
    # Per school and side: its row leaves a side there possible (hidden, or resting on
    # someone unseen on that side) and it is no whole school.
    row_ok = (~keep_s[:, None] | c.open_s) & ~c.whole[:, None]
    # Per end (N, Y) and side: the relationship leaves it possible too (hidden, or that
    # direction resting on someone unseen).
    ends_ok = (~keep_p[pl.p][:, None] | pl.dir_) & row_ok[pl.y]
    # Covered within N (Y = N, not X: only N's row holds it), or by an end (N, Y), Y not X.
    covered = (c.named != c.at) & row_ok[c.named, c.side]
    x_ok = np.zeros(len(c.at), bool)
    if len(pl.n_):  # the end (N, X) of a side, where there is one, counted only once
        x_ok = np.where(pl.at_x >= 0, ends_ok[np.maximum(pl.at_x, 0), c.side], False)
    for s in (0, 1) if len(pl.n_) else ():
        count = np.bincount(pl.n_[ends_ok[:, s]], minlength=n)
        mine = c.side == s
        covered[mine] |= (count[c.named[mine]] - x_ok[mine]) > 0
    if covered.all():
        return
    # Uncovered: N's own row where N could hold the side; else N's nearest other school
    # (its first eligible end, or its second where the first's school is X).
    need = np.flatnonzero(~covered)
    by_own = (c.named[need] != c.at[need]) & ~c.whole[c.named[need]]
    keep_s[c.named[need[by_own]]] = False
    rest = need[~by_own]
    if not len(rest) or not len(pl.order):
        return
    at = np.searchsorted(pl.heads, c.named[rest])
    found = (at < len(pl.heads)) & (pl.heads[np.minimum(at, len(pl.heads) - 1)] == c.named[rest])
    rest, at = rest[found], at[found]
    pick = pl.order[pl.start[at]]
    pick = np.where(pl.y[pick] == c.at[rest], pl.second[at], pick)
    pick = pick[pick >= 0]
    keep_s[pl.y[pick]] = False
    keep_p[pl.p[pick]] = False
