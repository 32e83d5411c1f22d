"""The pandas mirror's count of the Transfer page's headline figures (`transfer_figures.
figures_by_area`, and `figures_split`'s parts): per pairing and period, the flags as bits;
each period's figures per area, with people counted once per figure and only those the viewer
cannot see. Apart from `dashboard_school` (which composes the suppression over it) so each
module stays one a reader can hold; `dashboard_charts` counts with it too. Nothing here is
used by the app."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from benchmarks.baselines import dashboard as bd
from benchmarks.baselines.dashboard_area_flows import AreaFrames

_FLAGS = ("active", "transferred", "judged", "nt", "concluded", "overdue")


def _bits(af: AreaFrames, periods: list[tuple[date, date]], as_of: date) -> dict[str, np.ndarray]:
    """Per pairing, per flag: bit k set where the pairing has it in period k."""
    p = af.hf.base.pairings
    status = p["status"].to_numpy().astype(str)
    start, review = p["start"].to_numpy(), p["review"].to_numpy()
    first, concluded = p["first_evidence"].to_numpy(), p["concluded"].to_numpy()
    final = np.isin(status, bd._FINAL)
    out = {k: np.zeros(len(p), np.int64) for k in ("active", "concluded", "overdue")}
    for k, (s, e) in enumerate(periods):
        s_day, e_day, c_day = bd._day(s), bd._day(e), bd._day(min(e, as_of))
        bit = np.int64(1) << k
        act = (start <= e_day) & (status != "proposed") & (concluded >= s_day)  # _NONE: open
        out["active"] |= np.where(act, bit, 0)
        con = (concluded != bd._NONE) & (concluded >= s_day) & (concluded <= e_day)
        out["concluded"] |= np.where(con, bit, 0)
        due = ~final & (review < c_day) & (review != bd._NONE) & (first == bd._NONE)
        out["overdue"] |= np.where(due & (start <= c_day), bit, 0)
    t = status == "transferred"
    j = t | (status == "not transferred")
    out["transferred"] = np.where(t, out["concluded"], 0)
    out["judged"] = np.where(j, out["concluded"], 0)
    out["nt"] = np.where(j & ~t, out["concluded"], 0)
    return out


def _or_by(key: np.ndarray, bits: dict[str, np.ndarray]) -> tuple[np.ndarray, dict]:
    """(distinct keys, per flag the OR of the bits over each key's rows)."""
    order = np.argsort(key, kind="stable")
    sk = key[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]]) if len(sk) else np.zeros(0, int)
    return sk[starts], {f: np.bitwise_or.reduceat(b[order], starts) for f, b in bits.items()}


def figures(
    af: AreaFrames,
    periods: list[tuple[date, date]],
    as_of: date,
    unseen: np.ndarray,
    group: np.ndarray | None = None,
    n_groups: int = 1,
) -> dict[int, tuple[dict, dict]]:
    """`transfer_figures.figures_by_area` (and, with `group`: a code per pairing, -1 left
    out, `figures_split`'s parts): per group, (area -> figures per period, the whole under
    None; area -> the periods with a pairing counted, bit k). An area is listed where a
    pairing of it counts in a period; the whole always."""
    b, n_periods = af.hf.base, len(periods)
    bits = _bits(af, periods, as_of)
    n = len(b.pairings)
    group = np.zeros(n, np.int64) if group is None else group
    counted = (bits["active"] | bits["concluded"] | bits["overdue"]) != 0
    keep = np.flatnonzero(counted & (group >= 0))
    names = np.array(sorted(set(af.hf.area.tolist())), dtype=object)
    n_a = len(names) + 1  # the whole last
    area = np.searchsorted(names, af.hf.area[keep]) if len(names) else np.zeros(0, int)
    cells = np.concatenate([group[keep] * n_a + area, group[keep] * n_a + n_a - 1])
    rows = np.concatenate([keep, keep])
    n_cells = n_groups * n_a
    kb = {f: v[rows] for f, v in bits.items()}
    hours = b.pairings["hours"].to_numpy(float)[rows]
    days = (b.pairings["first_evidence"].to_numpy() - b.pairings["start"].to_numpy())[rows]
    has_first = b.pairings["first_evidence"].to_numpy()[rows] != bd._NONE
    # People: each (cell, person) once, with the OR of their pairings' flags.
    member_rows, person = bd._members(b, rows)
    see = unseen[person]
    width = max(len(unseen), 1)
    pkey, pbits = _or_by(
        cells[member_rows[see]].astype(np.int64) * width + person[see],
        {f: v[member_rows[see]] for f, v in kb.items()},
    )
    pcell = pkey // width
    seen_bits = np.zeros(n_cells, np.int64)
    np.bitwise_or.at(seen_bits, cells, kb["active"] | kb["concluded"] | kb["overdue"])
    present = np.bincount(cells, minlength=n_cells) > 0

    def count(flag: str, k: int, at: np.ndarray, values: dict) -> np.ndarray:
        return np.bincount(at, weights=(values[flag] >> k) & 1, minlength=n_cells).astype(int)

    per_k = []
    for k in range(n_periods):
        c = {f: count(f, k, cells, kb) for f in ("active", "transferred", "judged", "overdue")}
        q = {f: count(f, k, pcell, pbits) for f in _FLAGS}
        done = ((kb["concluded"] >> k) & 1).astype(bool)
        h = np.bincount(cells, weights=np.where(done, hours, 0), minlength=n_cells)
        any_done = np.bincount(cells[done], minlength=n_cells) > 0
        tr = ((kb["transferred"] >> k) & 1).astype(bool) & has_first
        med = pd.Series(days[tr]).groupby(cells[tr]).median()
        per_k.append((c, q, h, any_done, med))

    def fig(cell: int, k: int) -> dict:
        c, q, h, any_done, med = per_k[k]
        t, j = int(c["transferred"][cell]), int(c["judged"][cell])
        return {
            "active": (int(c["active"][cell]), int(q["active"][cell])),
            "transferred": (t, int(q["transferred"][cell])),
            "rate": ((t / j * 100) if j else None, int(q["judged"][cell])),
            "median_days": (
                float(med[cell]) if cell in med.index else None,
                int(q["transferred"][cell]),
            ),
            "hours_per_transfer": (float(h[cell]) / t if t else None, int(q["concluded"][cell])),
            "overdue": (int(c["overdue"][cell]), int(q["overdue"][cell])),
            "judged": (j, int(q["judged"][cell])),
            "not_transferred": (j - t, int(q["nt"][cell])),
            "hours": (float(h[cell]) if any_done[cell] else None, int(q["concluded"][cell])),
        }

    out = {}
    for g in range(n_cells // n_a):
        figs, seen = {}, {}
        for a in range(n_a):
            cell = g * n_a + a
            if present[cell] or a == n_a - 1:
                name = None if a == n_a - 1 else names[a]
                figs[name] = [fig(cell, k) for k in range(n_periods)]
                seen[name] = int(seen_bits[cell])
        out[g] = (figs, seen)
    return out
