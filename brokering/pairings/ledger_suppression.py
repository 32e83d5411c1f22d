"""One suppression rule for the reciprocity ledger's two school views, applied to both at once.

The by-school view and the by-relationship view describe the same pairings: a school's
pairings and hours given are (for pairings with one school on each side) the sum of what it
gave in each of its relationships, and the schools' rows add up to the alliance's totals. So
hiding a small cell in one view is not enough — anyone who sees both can subtract. The rule:

1. **Primary.** A row is hidden when it rests on fewer than the threshold of people the viewer
   cannot see one by one (for an aggregate-only role: any people at all). A row resting only
   on people the viewer can see is shown: they could add it up from the lists themselves.
2. **A total with a hidden part is hidden.** A school row is hidden when one of its
   relationships is hidden. A row the viewer could add up from their own lists (every person
   in it visible to them) stays shown, so it must never be exactly one hidden relationship
   short: a second relationship of it is hidden too.
3. **A hidden total keeps a hidden part, on each side.** A hidden school row is a total
   given and a total received: one whose relationships in which it gives (receives) are all
   shown would be their sum; its smallest such relationship is hidden too.
4. **No total is one cell short.** When exactly one school row is hidden, the alliance's total
   would give it away; the next smallest school row is hidden as well. So too when exactly one
   given (received) total is hidden among the schools that give (receive) anything.

5. **Every unnamed side keeps a cover** (for a role that lists pairings): a row resting on
   no one unseen still says no listed pairing's unnamed "partner school" side is in it; each
   such side keeps a second school it could be at, as far as the shown rows say
   (`ledger_cover`) — and such a cover counts as hidden for rule 4.

Rules 2-5 repeat until nothing changes (each only hides, so this ends). Hidden rows show no
figure and no count of people; the administrator, who sees everyone, sees every row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from brokering.pairings import ledger_cover
from brokering.pairings.ledger_cover import Covers
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer


def primary(hidden: pd.Series, threshold: int = SUPPRESSION_THRESHOLD) -> pd.Series:
    """Rows that may be shown on their own: resting on no unseen people, or on enough."""
    return (hidden == 0) | (hidden >= threshold)


def shown(
    schools: pd.DataFrame,
    pairs: pd.DataFrame,
    viewer: Viewer,
    threshold: int = SUPPRESSION_THRESHOLD,
    covers: Covers | None = None,
) -> tuple[pd.Series, pd.Series]:
    """(school rows shown, relationship rows shown) as boolean Series aligned with the
    frames. `schools` needs school_id, people, hidden (and, where known, gives and gets:
    whether it gives, receives anything; `by_id`, its place in code order, where school_id
    is not the code — the flows' positions); `pairs` school_a, school_b, people, hidden
    (people the viewer cannot see) and, where the read worked them out, a_at and b_at (each
    school's place in `schools`, so no code is looked up). `covers`: the unnamed sides of the
    viewer's listed pairings, each kept a cover (`ledger_cover`; rule 5), by position in the
    frames.

    Worked out on arrays, every school at once per pass, so a national ledger (20,000
    schools, 100,000 relationships) takes a few passes of milliseconds; passes repeat until
    nothing changes, so the result meets every rule at once."""
    if viewer.sees_everyone:
        return pd.Series(True, index=schools.index), pd.Series(True, index=pairs.index)
    n = len(schools)
    if {"a_at", "b_at"} <= set(pairs.columns):  # the schools' places, worked out in the read
        a, b = pairs["a_at"].to_numpy(np.int64), pairs["b_at"].to_numpy(np.int64)
    else:
        index = pd.Index(schools["school_id"])
        a = index.get_indexer(pairs["school_a"]).astype(np.int64)
        b = index.get_indexer(pairs["school_b"]).astype(np.int64)
    keep_s = primary(schools["hidden"], threshold).to_numpy(bool, copy=True)
    # Rows resting only on people the viewer sees can always be shown (and never need to be
    # hidden to protect another: the viewer can add them up from the lists).
    free_s = (schools["hidden"] == 0).to_numpy(bool)
    size_s = schools["people"].to_numpy(np.int64)
    keep_p = primary(pairs["hidden"], threshold).to_numpy(bool, copy=True)
    free_p = (pairs["hidden"] == 0).to_numpy(bool)
    # Pairs smallest first, ties by the two schools' codes — never by the rows' order, which
    # a store's reads need not keep: a cover that moved between two reads would give away
    # the cell it covered. (`by_code`: each school's place in code order.)
    by_code = np.empty(n, np.int64)
    codes = schools["by_id"].to_numpy() if "by_id" in schools else schools["school_id"].to_numpy()
    by_code[np.argsort(codes, kind="stable")] = np.arange(n)
    ca, cb = by_code[a], by_code[b]
    pair = np.minimum(ca, cb) * n + np.maximum(ca, cb)  # one per relationship: no ties left
    by_size = np.argsort(pairs["people"].to_numpy(np.int64) * (n * n) + pair)
    rank = np.empty(len(a), np.int64)
    rank[by_size] = np.arange(len(a))
    # Rows a cover may hide though they rest on no one unseen (rule 5): not whole schools.
    coverable = ~covers.whole if covers is not None else np.zeros(n, bool)
    cover_plan = ledger_cover.plan(covers, a, b, rank, n) if covers is not None else None
    ends = np.concatenate([a[by_size], b[by_size]])
    ends_pair = np.concatenate([by_size, by_size])
    ends_rank = np.concatenate([np.arange(len(a)), np.arange(len(a))])
    # Per relationship: does school_a (school_b) give in it, resting on someone the viewer
    # cannot see (a direction they could add up themselves gives no cover)?
    a_gives, b_gives = _directions(pairs, free_p)
    # Per end of a relationship: does that school give (receive) in it?
    ends_gives = np.concatenate([a_gives[by_size], b_gives[by_size]])
    ends_gets = np.concatenate([b_gives[by_size], a_gives[by_size]])
    gives_any = (np.bincount(a[a_gives], minlength=n) + np.bincount(b[b_gives], minlength=n)) > 0
    gets_any = (np.bincount(a[b_gives], minlength=n) + np.bincount(b[a_gives], minlength=n)) > 0
    # Whether each school gives (receives) anything at all, within itself too.
    gives_all = schools["gives"].to_numpy(bool) if "gives" in schools else np.ones(n, bool)
    gets_all = schools["gets"].to_numpy(bool) if "gets" in schools else np.ones(n, bool)

    def smallest_open(wanted: np.ndarray, side: np.ndarray | None = None) -> np.ndarray:
        """For each school flagged in `wanted`, its smallest shown, not-free relationship
        (with `side`: among those in which it gives, or receives)."""
        open_ = keep_p & ~free_p
        ok = wanted[ends] & open_[ends_pair] & (True if side is None else side)
        if not ok.any():
            return np.empty(0, np.int64)
        school, pair, rank = ends[ok], ends_pair[ok], ends_rank[ok]
        # (by school, then rank: each school holds a rank once, so one key sorts it)
        order = np.argsort(school * max(len(a), 1) + rank)
        first = ledger_cover.first_of_runs(school[order])[1]
        return pair[order][first]

    while True:
        hidden_p = ~keep_p
        count = np.bincount(a[hidden_p], minlength=n) + np.bincount(b[hidden_p], minlength=n)
        # A row the viewer can add up themselves is two totals, given and received: a hidden
        # direction that is the only hidden one on its side of such a row is as good as
        # shown to them, so it gives no cover.
        ab, ba = hidden_p & a_gives, hidden_p & b_gives
        gives_h = np.bincount(a[ab], minlength=n) + np.bincount(b[ba], minlength=n)
        gets_h = np.bincount(b[ab], minlength=n) + np.bincount(a[ba], minlength=n)
        single_g, single_r = free_s & (gives_h == 1), free_s & (gets_h == 1)
        ab_part = ab & ~(single_g[a] | single_r[b])
        ba_part = ba & ~(single_g[b] | single_r[a])
        cover_g = np.bincount(a[ab_part], minlength=n) + np.bincount(b[ba_part], minlength=n)
        cover_r = np.bincount(b[ab_part], minlength=n) + np.bincount(a[ba_part], minlength=n)
        before = (keep_s.copy(), keep_p.copy())
        # A row the viewer can add up must not be one hidden direction short on either side
        # (rule 2 for a row that cannot be hidden): a second one of that side is hidden too.
        keep_p[smallest_open(single_g, ends_gives)] = False
        keep_p[smallest_open(single_r, ends_gets)] = False
        # A row with one hidden relationship in which it neither gives nor receives from
        # someone unseen still counts it: a second relationship of it is hidden too.
        keep_p[smallest_open(free_s & (count == 1) & (gives_h + gets_h == 0))] = False
        # Rule 2: a total with a hidden part is hidden.
        keep_s[~free_s & keep_s & (count > 0)] = False
        # Rule 3: a hidden total keeps a hidden part, on the giving and the receiving side.
        row_hidden = ~free_s & ~keep_s
        keep_p[smallest_open(row_hidden & gives_any & (cover_g == 0), ends_gives)] = False
        keep_p[smallest_open(row_hidden & gets_any & (cover_r == 0), ends_gets)] = False
        # Rule 5: each listed pairing's unnamed side keeps a cover (`ledger_cover`).
        if cover_plan is not None:
            ledger_cover.apply(cover_plan, keep_s, keep_p)
        # Rule 4: never exactly one school row hidden — nor one given (received) total among
        # the schools that give (receive): the alliance's totals would give it away. (A row
        # resting on no one unseen is hidden only as a cover: rule 5.)
        for side in (True, gives_all, gets_all):
            hidden_s = ~keep_s & side
            if hidden_s.sum() == 1:
                others = np.flatnonzero((~free_s | coverable) & keep_s & (size_s > 0) & side)
                if len(others):
                    keep_s[others[np.lexsort((by_code[others], size_s[others]))[0]]] = False
        if (keep_s == before[0]).all() and (keep_p == before[1]).all():
            break
    return (
        pd.Series(keep_s, index=schools.index, dtype=bool),
        pd.Series(keep_p, index=pairs.index, dtype=bool),
    )


def _directions(pairs: pd.DataFrame, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(school_a gives in it, school_b gives in it) per relationship, counting a direction
    only where it rests on someone the viewer cannot see (`a_open`, `b_open`; without them,
    any direction of a relationship that is not free)."""
    if {"a_open", "b_open"} <= set(pairs.columns):
        return pairs["a_open"].to_numpy(bool), pairs["b_open"].to_numpy(bool)
    every = ~free
    return every, every
