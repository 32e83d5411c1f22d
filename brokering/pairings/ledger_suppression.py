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
3. **A hidden total keeps a hidden part.** A hidden school row whose relationships are all
   shown would be their sum; its smallest relationship is hidden too.
4. **No total is one cell short.** When exactly one school row is hidden, the alliance's total
   would give it away; the next smallest school row is hidden as well.

Rules 2-4 repeat until nothing changes (each only hides, so this ends). Hidden rows show no
figure and no count of people; the administrator, who sees everyone, sees every row.
"""

from __future__ import annotations

import pandas as pd

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
) -> tuple[pd.Series, pd.Series]:
    """(school rows shown, relationship rows shown) as boolean Series aligned with the
    frames. `schools` needs school_id, people, hidden; `pairs` school_a, school_b, people,
    hidden (people the viewer cannot see)."""
    if viewer.sees_everyone:
        return (
            pd.Series(True, index=schools.index),
            pd.Series(True, index=pairs.index),
        )
    ids = schools["school_id"].tolist()
    keep_s = dict(zip(ids, primary(schools["hidden"], threshold), strict=True))
    # Rows resting only on people the viewer sees can always be shown (and never need to be
    # hidden to protect another: the viewer can add them up from the lists).
    free_s = dict(zip(ids, schools["hidden"] == 0, strict=True))
    size_s = dict(zip(ids, schools["people"], strict=True))
    keys = list(zip(pairs["school_a"], pairs["school_b"], strict=True))
    keep_p = dict(zip(keys, primary(pairs["hidden"], threshold), strict=True))
    free_p = dict(zip(keys, pairs["hidden"] == 0, strict=True))
    size_p = dict(zip(keys, pairs["people"], strict=True))
    touching: dict[str, list[tuple[str, str]]] = {s: [] for s in ids}
    for key in keys:
        for school in key:
            touching.setdefault(school, []).append(key)

    changed = True
    while changed:
        changed = False
        # A hidden relationship that is the only hidden one of a row the viewer can add up
        # themselves is as good as shown to them: it gives no cover.
        known: set[tuple[str, str]] = set()
        for school in ids:
            if free_s[school]:
                hidden_mine = [k for k in touching.get(school, []) if not keep_p[k]]
                if len(hidden_mine) == 1:
                    known.add(hidden_mine[0])
        for school in ids:
            mine = touching.get(school, [])
            open_ = [k for k in mine if keep_p[k] and not free_p[k]]
            if free_s[school]:
                # The viewer can add up this school's row from the lists: it must not be one
                # relationship short of its total (rule 2 for a row that cannot be hidden).
                hidden_mine = [k for k in mine if not keep_p[k]]
                if len(hidden_mine) == 1 and open_:
                    smallest = min(open_, key=lambda k: (size_p[k], k))
                    keep_p[smallest], changed = False, True
                continue
            if keep_s[school] and any(not keep_p[k] for k in mine):
                keep_s[school], changed = False, True  # rule 2
            cover = [k for k in mine if not keep_p[k] and k not in known]
            if not keep_s[school] and not cover and open_:
                smallest = min(open_, key=lambda k: (size_p[k], k))
                keep_p[smallest], changed = False, True  # rule 3
        hidden = [s for s in ids if not keep_s[s] and not free_s[s]]
        if len(hidden) == 1:
            others = [s for s in ids if keep_s[s] and not free_s[s] and size_s[s] > 0]
            if others:
                keep_s[min(others, key=lambda s: (size_s[s], s))] = False  # rule 4
                changed = True
    return (
        pd.Series([keep_s[s] for s in ids], index=schools.index, dtype=bool),
        pd.Series([keep_p[k] for k in keys], index=pairs.index, dtype=bool),
    )
