"""Plain-pandas baseline of the dashboard's headline figures, for the benchmark harness.

Mirrors `brokering.dashboard.transfer._period_figures` (behind `headline` and
`trend_by_term`): the same per-period counts, median days, hours and distinct people, from
the same per-pairing facts held in memory the way a pandas programmer would hold them —
dates as day numbers, pairings and people as integer codes — and computed with masks,
`np.unique` and `np.median` (no Python loop over rows). `tests/test_baselines_dashboard.py`
checks it against the product. Nothing here is used by the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from brokering.dashboard import facts as dash_facts
from brokering.db import Connection

_FINAL = np.array(dash_facts.FINAL)
_NONE = np.iinfo(np.int32).max  # "no date": later than any day


@dataclass
class DashFrames:
    pairings: pd.DataFrame  # code, status, start, review, first_evidence, concluded, hours
    people: pd.DataFrame  # pairing (code), person (code)

    def memory_mb(self) -> float:
        total = self.pairings.memory_usage(deep=True).sum()
        return float(total + self.people.memory_usage(deep=True).sum()) / 1e6


def load_dash_frames(con: Connection) -> DashFrames:
    """The dashboard's facts (alliance-wide) as frames of codes and day numbers."""
    f = dash_facts.facts(con)
    pairings = con.execute(
        f"""
        SELECT (row_number() OVER (ORDER BY pairing_id) - 1)::INTEGER AS code, status,
               (start_date - DATE '1970-01-01')::INTEGER AS start,
               (review_date - DATE '1970-01-01')::INTEGER AS review,
               (first_evidence - DATE '1970-01-01')::INTEGER AS first_evidence,
               (concluded_on - DATE '1970-01-01')::INTEGER AS concluded, hours
        FROM {f.pairings} ORDER BY pairing_id
        """  # noqa: S608 - relation names are code
    ).df()
    people = con.execute(
        f"""
        WITH c AS (SELECT pairing_id, (row_number() OVER (ORDER BY pairing_id) - 1)::INTEGER
                   AS pairing FROM {f.pairings}),
             s AS (SELECT staff_ref, (row_number() OVER (ORDER BY staff_ref) - 1)::INTEGER
                   AS person FROM (SELECT DISTINCT staff_ref FROM {f.people}))
        SELECT c.pairing, s.person FROM {f.people} m JOIN c USING (pairing_id)
        JOIN s USING (staff_ref) ORDER BY c.pairing
        """  # noqa: S608
    ).df()
    for col in ("review", "first_evidence", "concluded"):
        pairings[col] = pairings[col].fillna(_NONE).astype(np.int32)
    pairings["status"] = pairings["status"].astype("category")
    return DashFrames(pairings, people.astype(np.int32))


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def period_figures(
    frames: DashFrames, periods: list[tuple[date, date]], as_of: date
) -> list[dict[str, tuple[float | int | None, int]]]:
    """`_period_figures` for the whole alliance: per period, each figure with its people."""
    p = frames.pairings
    status = p["status"].to_numpy().astype(str)
    start, review = p["start"].to_numpy(), p["review"].to_numpy()
    first, concluded = p["first_evidence"].to_numpy(), p["concluded"].to_numpy()
    hours = p["hours"].to_numpy(float)
    has_concluded, has_first = concluded != _NONE, first != _NONE
    is_final = np.isin(status, _FINAL)
    transferred_status = status == "transferred"
    judged_status = np.isin(status, ["transferred", "not transferred"])
    pairing_of = frames.people["pairing"].to_numpy()
    person_of = frames.people["person"].to_numpy()

    def people(mask: np.ndarray) -> int:
        return int(len(np.unique(person_of[mask[pairing_of]])))

    out = []
    for s, e in periods:
        s_day, e_day, c_day = _day(s), _day(e), _day(min(e, as_of))
        active = (start <= e_day) & (status != "proposed") & (~has_concluded | (concluded >= s_day))
        done = has_concluded & (concluded >= s_day) & (concluded <= e_day)
        overdue = ~is_final & (review < c_day) & (review != _NONE) & ~has_first
        overdue &= start <= c_day
        transferred, judged = done & transferred_status, done & judged_status
        days = (first - start)[transferred & has_first]
        n_t, n_j = int(transferred.sum()), int(judged.sum())
        out.append(
            {
                "active": (int(active.sum()), people(active)),
                "transferred": (n_t, people(transferred)),
                "rate": ((n_t / n_j * 100) if n_j else None, people(judged)),
                "median_days": (float(np.median(days)) if len(days) else None, people(transferred)),
                "hours_per_transfer": (
                    float(hours[done].sum()) / n_t if n_t else None,
                    people(done),
                ),
                "overdue": (int(overdue.sum()), people(overdue)),
            }
        )
    return out
