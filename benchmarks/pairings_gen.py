"""Pairings for the benchmark data set, in the `pairings.csv` / `pairing_evidence.csv` format
of `brokering.importing.spec` (generated only when that spec defines them).

Every state of the lifecycle is present; the data keeps the pairing rules: donors and
recipients differ (usually in different schools), the review date is not before the start,
no start date is after AS_OF, not transferred / stopped carry a
reason, a transferred pairing has an observation of a recipient by someone else (here the donor)
dated after the start, and no log entry is dated before its pairing's start or after AS_OF.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.gen_mix import AS_OF, WINDOW_DAYS, _cat

if TYPE_CHECKING:
    from benchmarks.gen_mix import _Roster
    from benchmarks.generate import Generator

STATUS_WEIGHTS = {
    "proposed": 8,
    "agreed": 8,
    "active": 30,
    "review due": 12,
    "transferred": 25,
    "not transferred": 9,
    "stopped": 8,
}
CONTRIBUTIONS = (
    "Modelling the routine in live lessons",
    "Planning templates and worked examples",
    "Observation and feedback cycles",
    "Resources from the department",
)
BACK = (
    "Fresh eyes on our own routines",
    "Their assessment tracker",
    "Joint moderation of books",
)
REASONS = (
    "Staff left the school",
    "Timetable could not release the time",
    "Recipient's focus moved to another priority",
    "Observation showed no change yet",
)
MEASURES = ("Reading age", "Book look score", "Attendance %", "Assessment average")


def pairing_frames(gen: Generator, schools: pd.DataFrame, ro: _Roster) -> dict[str, pd.DataFrame]:
    from brokering.importing.spec import TABLES

    rng = np.random.default_rng([gen.seed, 77])
    n = gen.scale.pairings
    m = int(n * 1.05) + 10
    active = np.flatnonzero(ro.leaver_gap == 0)
    donors_pool = np.flatnonzero((ro.leaver_gap == 0) & (ro.role <= 4) & (ro.coach | ro.mentor))
    donor = rng.choice(donors_pool, size=m)
    recipient = rng.choice(active, size=m)
    per = np.bincount(ro.school, minlength=len(schools))
    start = np.concatenate([[0], np.cumsum(per)[:-1]])
    same = rng.random(m) < 0.1  # a same-school pairing is allowed (and marked by the app)
    ds = ro.school[donor]
    recipient = np.where(
        same, start[ds] + np.floor(rng.random(m) * per[ds]).astype(np.int64), recipient
    )
    second = rng.choice(active, size=m)
    two = (rng.random(m) < 0.1) & (second != donor) & (second != recipient)
    ok = recipient != donor
    ok &= ro.leaver_gap[recipient] == 0
    keep = np.flatnonzero(ok)[:n]
    donor, recipient, second, two = donor[keep], recipient[keep], second[keep], two[keep]
    n = len(keep)

    statuses = list(STATUS_WEIGHTS)
    p = np.array(list(STATUS_WEIGHTS.values()), dtype=float)
    status = rng.choice(len(statuses), size=n, p=p / p.sum())
    early = status <= 1  # proposed / agreed: recent (the spec allows a future start for
    # these, but a start on or before AS_OF is valid under every version of the rules)
    start_off = np.where(
        early, rng.integers(0, 60, size=n), rng.integers(60, WINDOW_DAYS - 30, size=n)
    )
    review_off = start_off - rng.integers(60, 180, size=n)
    has_review = rng.random(n) < 0.9
    slot = np.minimum(rng.geometric(0.35, size=n) - 1, ro.profile.shape[1] - 1)
    skill = ro.profile[donor, slot]
    sessions = rng.integers(2, 13, size=n)
    refs = np.array([f"S{i:07d}" for i in range(ro.n)], dtype=object)
    recipient_refs = np.where(two, refs[recipient] + ";" + refs[second], refs[recipient])
    needs_reason = np.isin(status, [statuses.index("not transferred"), statuses.index("stopped")])
    # Day offsets run from 300 days ahead to WINDOW_DAYS back: category i is AS_OF - (i - 300).
    ahead = 300
    day_cats = [
        (pd.Timestamp(AS_OF) - pd.Timedelta(days=d - ahead)).date().isoformat()
        for d in range(WINDOW_DAYS + ahead + 1)
    ]
    names = [s.name for s in gen.skills]
    ids = np.array([f"P{i:07d}" for i in range(1, n + 1)], dtype=object)
    work_kinds = _choices(TABLES["pairings"], "work_kind")
    cols = {
        "pairing_id": ids,
        "donor_refs": refs[donor],
        "recipient_refs": recipient_refs,
        "skill": _cat(skill, names),
        "work_kind": _cat(rng.integers(0, len(work_kinds), n), work_kinds),
        "status": _cat(status, statuses),
        "start_date": _cat(start_off + ahead, day_cats),
        "review_date": _cat(np.where(has_review, review_off + ahead, -1), day_cats),
        "donor_contribution": _cat(
            np.where(rng.random(n) < 0.7, rng.integers(0, len(CONTRIBUTIONS), n), -1),
            CONTRIBUTIONS,
        ),
        "recipient_contribution": _cat(
            np.where(rng.random(n) < 0.5, rng.integers(0, len(BACK), n), -1), BACK
        ),
        "planned_sessions": sessions,
        "planned_hours": sessions * 1.5,
        "cover_hours": rng.integers(0, 7, size=n),
        "travel_hours": rng.integers(0, 5, size=n),
        "reason": _cat(np.where(needs_reason, rng.integers(0, len(REASONS), n), -1), REASONS),
    }
    spec_cols = TABLES["pairings"].names
    pairings = pd.DataFrame({c: v for c, v in cols.items() if c in spec_cols})

    # The log: 0-4 activities for pairings under way or finished, plus observations.
    begun = ~early
    k = np.where(begun, rng.integers(1, 5, size=n), 0)
    pi = np.repeat(np.arange(n), k)
    span = np.maximum(start_off[pi], 0)  # days from the start to AS_OF
    off = start_off[pi] - np.floor(rng.random(len(pi)) * (span + 1)).astype(np.int64)
    activities = [
        t
        for t in _choices(TABLES["pairing_evidence"], "entry_type")
        if t in _activity_types() and t != "observation"
    ]
    act_type = rng.integers(0, len(activities), size=len(pi))
    transferred = np.flatnonzero(status == statuses.index("transferred"))
    obs_off = start_off[transferred] - np.floor(
        rng.random(len(transferred)) * (start_off[transferred] + 1)
    ).astype(np.int64)
    obs_off = np.minimum(obs_off, start_off[transferred] - 1)
    obs_off = np.maximum(obs_off, 0)
    flows = _choices(TABLES["pairing_evidence"], "flow")
    entry_types = list(activities) + ["observation"]
    ev = pd.DataFrame(
        {
            "pairing_id": np.concatenate([ids[pi], ids[transferred]]),
            "entry_type": _cat(
                np.concatenate([act_type, np.full(len(transferred), len(activities))]),
                entry_types,
            ),
            "date": _cat(np.concatenate([off, obs_off]) + ahead, day_cats),
            "recorded_by": np.concatenate([refs[donor[pi]], refs[donor[transferred]]]),
            "observed_ref": np.concatenate(
                [np.full(len(pi), None, dtype=object), refs[recipient[transferred]]]
            ),
            "hours": np.concatenate(
                [rng.integers(1, 4, size=len(pi)), rng.integers(1, 3, size=len(transferred))]
            ),
            "flow": _cat(
                np.concatenate(
                    [rng.integers(0, len(flows), size=len(pi)), np.zeros(len(transferred), int)]
                ),
                flows,
            ),
            "rating_before": _ratings(len(pi), rng.integers(1, 3, len(transferred))),
            "rating_after": _ratings(len(pi), rng.integers(3, 5, len(transferred))),
        }
    )
    ev = ev.drop_duplicates(
        subset=["pairing_id", "entry_type", "date", "recorded_by", "observed_ref"]
    ).reset_index(drop=True)
    ev_cols = TABLES["pairing_evidence"].names
    ev = ev[[c for c in ev.columns if c in ev_cols]]
    return {"pairings": pairings, "pairing_evidence": ev}


def _activity_types() -> tuple[str, ...]:
    """Time spent together (no evidence item, which would need its own fields)."""
    try:
        from brokering.pairings.model import ACTIVITY_TYPES
    except ImportError:
        return ("visit", "coaching session", "co-planning", "lesson study", "training day")
    return tuple(ACTIVITY_TYPES)


def _ratings(blank: int, values: np.ndarray) -> pd.arrays.IntegerArray:
    """`blank` empty cells, then `values`."""
    return pd.array([None] * blank + values.tolist(), dtype="Int64")


def _choices(spec, column: str) -> list[str]:
    return list(spec.column(column).choices)
