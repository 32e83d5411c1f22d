"""Hiding figures consistently: a figure worked out from a hidden one is hidden with it,
and no total is left exactly one hidden cell short of the figures shown beside it.

Used by `transfer` (headline figures, the trend, outcomes and hours charts); the ledger's
two views have their own joint rule (`brokering.pairings.ledger_suppression`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brokering.dashboard.facts import guarded
from brokering.viewer import Viewer

#: Figures worked out from another: hidden whenever that one is (a rate beside a hidden count
#: gives the count away).
DERIVED_FROM = {
    "rate": ("transferred",),
    "median_days": ("transferred",),
    "hours_per_transfer": ("transferred",),
}


def guard_all(figs: dict, viewer: Viewer) -> dict[str, tuple[float | None, bool]]:
    """key -> (value or None, hidden) for one period's figures: each guarded on its own
    people, then hidden too when a figure it is derived from is hidden."""
    out = {}
    for key, (value, people) in figs.items():
        shown = guarded(value, people, viewer)
        out[key] = (shown, value is not None and shown is None)
    for key, sources in DERIVED_FROM.items():
        if any(out[src][1] for src in sources):
            out[key] = (None, out[key][1] or figs[key][0] is not None)
    return out


def complementary(out: pd.DataFrame, counts: pd.Series, people: pd.Series) -> None:
    """Secondary suppression across groups: the groups of one outcome add up to a total the
    other view (by school, by area) also shows, so no outcome may have exactly one hidden
    cell — the next smallest is hidden with it. Vectorised: one pass over the cells."""
    if out.empty:
        return
    hidden = out["pairings"].isna().to_numpy()
    outcome = out["outcome"].to_numpy(dtype=object)
    n_hidden = pd.Series(hidden).groupby(outcome).transform("sum").to_numpy()
    candidates = ~hidden & (n_hidden == 1) & (np.asarray(counts) > 0)
    if not candidates.any():
        return
    pick = pd.DataFrame(
        {
            "outcome": outcome[candidates],
            "people": np.asarray(people)[candidates],
            "count": np.asarray(counts)[candidates],
            "row": np.flatnonzero(candidates),
        }
    ).sort_values(["outcome", "people", "count", "row"], kind="stable")
    rows = pick.drop_duplicates("outcome")["row"].to_numpy()
    out.loc[out.index[rows], "pairings"] = pd.NA


def hidden_groups(frame: pd.DataFrame) -> int:
    """How many groups (schools or areas) of an `outcomes_by` frame have every cell hidden:
    a chart leaves them out, so it must say how many."""
    if frame.empty:
        return 0
    return int(frame.groupby("group")["pairings"].apply(lambda s: s.isna().all()).sum())
