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
for them (the benchmarked governor's path is unchanged)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from brokering.db import Connection, query_df
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


def read(
    con: Connection,
    viewer: Viewer,
    rel: Relations,
    vs: tuple[str, list[object]],
    schools: pd.DataFrame,
    pairs: pd.DataFrame,
) -> Covers:
    """The unnamed sides of the viewer's listed pairings and each school's whole and open
    sides, aligned with `schools` (school_id) and `pairs` (school_a, school_b, a_open,
    b_open). `vs`: the CTE `vs` (staff the viewer sees) and its parameters."""
    cte, params = vs
    whole, own = whole_sql(viewer, "sc.school_id")
    cm = rel["members"]
    seen = "staff_ref IN (SELECT staff_ref FROM vs)"
    frame = query_df(
        con,
        f"""
        WITH {cte},
        m AS (SELECT pairing_id, staff_ref, side, school_id, {seen} AS seen FROM {cm}),
        named AS (SELECT DISTINCT pairing_id, school_id FROM m WHERE seen)
        SELECT 0 AS kind, u.school_id AS at, u.side, n.school_id AS named
        FROM (SELECT DISTINCT pairing_id, side, school_id FROM m WHERE NOT seen) u
        JOIN named n USING (pairing_id)
        GROUP BY ALL
        UNION ALL
        SELECT 1, school_id, side, NULL FROM m WHERE NOT seen GROUP BY ALL
        UNION ALL
        SELECT 2, sc.school_id, NULL, NULL FROM schools sc WHERE {whole}
        """,
        [*params, *own],
    )
    index = pd.Index(schools["school_id"])
    n = len(index)

    def part(kind: int) -> pd.DataFrame:
        return frame[frame["kind"] == kind]

    needs = part(0)
    side = needs["side"].map({s: k for k, s in enumerate(SIDES)}).to_numpy(np.int64)
    open_s = np.zeros((n, 2), bool)
    opened = part(1)
    open_s[
        index.get_indexer(opened["at"]),
        opened["side"].map({s: k for k, s in enumerate(SIDES)}).to_numpy(np.int64),
    ] = True
    whole_s = np.zeros(n, bool)
    whole_s[index.get_indexer(part(2)["at"])] = True
    return Covers(
        at=index.get_indexer(needs["at"]).astype(np.int64),
        side=side,
        named=index.get_indexer(needs["named"]).astype(np.int64),
        whole=whole_s,
        open_s=open_s,
        a_open=pairs["a_open"].to_numpy(bool),
        b_open=pairs["b_open"].to_numpy(bool),
    )


def apply(
    c: Covers,
    a: np.ndarray,
    b: np.ndarray,
    rank: np.ndarray,
    keep_s: np.ndarray,
    keep_p: np.ndarray,
) -> None:
    """Hide (in `keep_s`, `keep_p`, in place) what gives each unnamed side in `c` a cover.
    `a`, `b`: each relationship's schools (positions); `rank`: each relationship's place in
    the order covers are taken in (smallest first, ties by the schools' codes)."""
    if not len(c.at):
        return
    n = len(keep_s)
    # Per school and side: its row leaves a side there possible (hidden, or resting on
    # someone unseen on that side) and it is no whole school.
    row_ok = (~keep_s[:, None] | c.open_s) & ~c.whole[:, None]
    # Per relationship end (N, Y) and side: the direction that would hold a side of Y's,
    # named at N, leaves it possible. A side's donor at Y gives to N: Y -> N.
    dir_open = np.stack([c.a_open, c.b_open])  # [0]: a -> b, [1]: b -> a
    ends_n = np.concatenate([a, b])
    ends_y = np.concatenate([b, a])
    ends_p = np.concatenate([np.arange(len(a)), np.arange(len(a))])
    # For the end (N=a, Y=b): donor at Y gives b -> a (dir_open[1]); recipient at Y, a -> b.
    # For the end (N=b, Y=a): donor at Y gives a -> b (dir_open[0]); recipient, b -> a.
    half = len(a)
    ends_dir = np.empty((2 * half, 2), bool)
    ends_dir[:half, 0], ends_dir[:half, 1] = dir_open[1], dir_open[0]
    ends_dir[half:, 0], ends_dir[half:, 1] = dir_open[0], dir_open[1]
    ends_ok = (~keep_p[ends_p][:, None] | ends_dir) & row_ok[ends_y]
    covered = np.zeros(len(c.at), bool)
    own = (c.named != c.at) & row_ok[c.named, c.side]
    covered |= own
    # Other schools: a valid end (N, Y) with Y not X. Count the valid ends of each (N, side),
    # less the one whose Y is X where that is valid.
    for s in (0, 1) if len(ends_n) else ():
        count = np.bincount(ends_n[ends_ok[:, s]], minlength=n)
        mine = c.side == s
        pair_key = ends_n.astype(np.int64) * n + ends_y
        at_x = pd.Index(pair_key).get_indexer(c.named[mine].astype(np.int64) * n + c.at[mine])
        x_ok = np.where(at_x >= 0, ends_ok[np.maximum(at_x, 0), s], False)
        covered[mine] |= (count[c.named[mine]] - x_ok) > 0
    if covered.all():
        return
    # Uncovered: N's own row where N could hold the side; else the nearest other school.
    need = np.flatnonzero(~covered)
    by_own = (c.named[need] != c.at[need]) & ~c.whole[c.named[need]]
    keep_s[c.named[need[by_own]]] = False
    rest = need[~by_own]
    if not len(rest):
        return
    # Each school's two nearest eligible ends (the other school not whole), in cover order:
    # the first, unless its other school is the side's own X.
    order = np.lexsort((rank[ends_p], ends_n))
    order = order[~c.whole[ends_y[order]]]
    if not len(order):
        return
    heads, start = np.unique(ends_n[order], return_index=True)
    nxt = np.minimum(start + 1, len(order) - 1)
    second = np.where(ends_n[order[nxt]] == heads, order[nxt], -1)
    at = np.searchsorted(heads, c.named[rest])
    found = (at < len(heads)) & (heads[np.minimum(at, len(heads) - 1)] == c.named[rest])
    rest, at = rest[found], at[found]
    pick = order[start[at]]
    pick = np.where(ends_y[pick] == c.at[rest], second[at], pick)
    pick = pick[pick >= 0]
    keep_s[ends_y[pick]] = False
    keep_p[ends_p[pick]] = False
