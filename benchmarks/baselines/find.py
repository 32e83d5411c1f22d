"""Plain-pandas baselines for the benchmark harness (CONTRACT: Benchmarks).

Each function here mirrors one DuckDB function of the product and computes the same answer
over in-memory frames, vectorised (masks, groupby, array indexing; no Python loop over rows),
so the benchmark can say how the product compares with a competent pandas implementation of
the same computation. `tests/test_baselines.py` checks each against the function it mirrors.

| baseline            | mirrors                                                            |
|---------------------|--------------------------------------------------------------------|
| `practice_scores`   | `brokering.scoring.practice_scores`                                |
| `top_practitioners` | `brokering.find.find_expertise` ranked by practice (its order)     |
| `top_per_skill`     | `top_practitioners` for every skill with evidence                  |
| `depth_by_school`   | `brokering.find_depth.depth_by_school` (listed, not shared, depth) |

Frames come from `load_frames(con)`, laid out the way a pandas programmer would for this
workload: staff sorted by `staff_ref` (so a staff code is a row position), evidence as integer
codes (staff, skill, type, phase), the strength, and the date as a day number. Strings are
only materialised for the rows a function returns. Nothing here is used by the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from brokering.db import Connection
from brokering.scoring import DEFAULT_PARAMS, ScoringParams, to_percent
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer

EPOCH = np.datetime64("1970-01-01", "D")


@dataclass
class Frames:
    """The store's tables as pandas frames (see the module docstring for their layout)."""

    staff: pd.DataFrame  # staff_ref, school_id, role (categoricals), phases, n_phases,
    # share_consent, present (not a leaver)
    evidence: pd.DataFrame  # staff_code, skill_code, type_code, strength, day, phase_code
    skills: pd.Index  # skill_id by skill_code
    types: pd.Index  # evidence_type by type_code
    phases: pd.Index  # key stage by phase_code (-1: none)
    schools: pd.DataFrame  # school_id, name (every school in the store)

    def memory_mb(self) -> float:
        total = (
            self.staff.memory_usage(deep=True).sum() + self.evidence.memory_usage(deep=True).sum()
        )
        return float(total) / 1e6


def load_frames(con: Connection) -> Frames:
    """Read staff and evidence from the store into frames laid out as described above."""
    staff = con.execute(
        "SELECT staff_ref, school_id, role, phases, share_consent, left_on IS NULL AS present "
        "FROM staff ORDER BY staff_ref"
    ).df()
    refs = pd.Index(staff["staff_ref"].astype(str))
    skills = pd.Index(
        [r[0] for r in con.execute("SELECT skill_id FROM skills ORDER BY skill_id").fetchall()]
    )
    types = pd.Index(
        [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT evidence_type FROM evidence ORDER BY 1"
            ).fetchall()
        ]
    )
    phases = pd.Index(
        [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT phase FROM evidence WHERE phase IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
    )
    # Codes are computed in SQL (joins on sorted positions), so millions of rows never become
    # Python strings; the frame keeps the table's own row order.
    ev = con.execute(
        """
        WITH s AS (SELECT staff_ref, (row_number() OVER (ORDER BY staff_ref) - 1)::INTEGER AS c
                   FROM staff),
             k AS (SELECT skill_id, (row_number() OVER (ORDER BY skill_id) - 1)::SMALLINT AS c
                   FROM skills),
             t AS (SELECT evidence_type, (row_number() OVER (ORDER BY evidence_type) - 1)::TINYINT
                          AS c FROM (SELECT DISTINCT evidence_type FROM evidence)),
             p AS (SELECT phase, (row_number() OVER (ORDER BY phase) - 1)::TINYINT AS c
                   FROM (SELECT DISTINCT phase FROM evidence WHERE phase IS NOT NULL))
        SELECT s.c AS staff_code, k.c AS skill_code, t.c AS type_code, e.strength,
               (e.date - DATE '1970-01-01')::INTEGER AS day,
               coalesce(p.c, -1)::TINYINT AS phase_code
        FROM evidence e JOIN s USING (staff_ref) JOIN k USING (skill_id)
        JOIN t USING (evidence_type) LEFT JOIN p USING (phase)
        ORDER BY e.rowid
        """
    ).df()
    evidence = pd.DataFrame(
        {
            "staff_code": ev["staff_code"].to_numpy(np.int32),
            "skill_code": ev["skill_code"].to_numpy(np.int16),
            "type_code": ev["type_code"].to_numpy(np.int8),
            "strength": ev["strength"].to_numpy(np.int8),
            "day": ev["day"].to_numpy(np.int32),
            "phase_code": ev["phase_code"].to_numpy(np.int8),
        }
    )
    staff["staff_ref"] = pd.Categorical.from_codes(np.arange(len(refs)), categories=refs)
    staff["school_id"] = staff["school_id"].astype("category")
    staff["role"] = staff["role"].astype("category")
    staff["share_consent"] = staff["share_consent"].astype(bool)
    staff["present"] = staff["present"].astype(bool)
    staff["n_phases"] = staff["phases"].map(len).astype(np.int16)
    schools = con.execute("SELECT school_id, name FROM schools ORDER BY school_id").df()
    return Frames(staff, evidence, skills, types, phases, schools)


def visible_staff(frames: Frames, viewer: Viewer) -> np.ndarray:
    """The rows of `frames.staff` the viewer may see (mirrors visibility.visible_staff_sql)."""
    st = frames.staff
    here = st["present"].to_numpy()
    if viewer.aggregate_only:
        return np.zeros(len(st), dtype=bool)
    if viewer.sees_everyone:
        return here
    consent = st["share_consent"].to_numpy()
    if viewer.school_id:
        own = (st["school_id"] == viewer.school_id).to_numpy(dtype=bool)
        return here & (own | consent)
    return here & consent


def round_half_up(x: pd.Series | np.ndarray) -> np.ndarray:
    """Scores as shown and ranked by the find: one decimal, rounded half up."""
    return np.floor(np.asarray(x, dtype=float) * 10.0 + 0.5) / 10.0


def _day(d: date) -> int:
    return int((np.datetime64(d, "D") - EPOCH).astype(np.int64))


def _sums(
    frames: Frames,
    rows: np.ndarray | slice,
    as_of: date,
    params: ScoringParams,
    by_skill: bool = False,
) -> pd.DataFrame:
    """Per person (and skill): weighted sums, count, latest day and mean strength of the
    evidence `rows`, each weighed type weight x recency. One grouped pass."""
    ev = frames.evidence
    staff = ev["staff_code"].to_numpy()[rows]
    strength = ev["strength"].to_numpy()[rows].astype(float)
    age = np.maximum(_day(as_of) - ev["day"].to_numpy()[rows], 0)
    lookup = np.array([params.type_weights.get(t, 0.0) for t in frames.types], dtype=float)
    w = lookup[ev["type_code"].to_numpy()[rows]] * np.power(0.5, age / params.half_life_days)
    key = staff.astype(np.int64)
    if by_skill:
        key = ev["skill_code"].to_numpy()[rows].astype(np.int64) * len(frames.staff) + key
    parts = pd.DataFrame(
        {
            "key": key,
            "sw": w * strength,
            "w": w,
            "n": 1,
            "s": strength,
            "day": ev["day"].to_numpy()[rows],
        }
    )
    g = parts.groupby("key", sort=False)
    out = g[["sw", "w", "n", "s"]].sum()
    out["day"] = g["day"].max()
    out = out.reset_index()
    out["staff_code"] = (out["key"] % len(frames.staff)).to_numpy()
    out["skill_code"] = (out["key"] // len(frames.staff)).to_numpy()
    out["mean"] = (out["sw"] + params.prior_mean * params.prior_weight) / (
        out["w"] + params.prior_weight
    )
    out["conf"] = out["w"] / (out["w"] + params.prior_weight)
    return out


def _rows_for(frames: Frames, skill_id: str, stages: list[str]) -> np.ndarray | None:
    if skill_id not in frames.skills:
        return None
    ev = frames.evidence
    mask = ev["skill_code"].to_numpy() == frames.skills.get_loc(skill_id)
    if stages:
        codes = [frames.phases.get_loc(s) for s in stages if s in frames.phases]
        ph = ev["phase_code"].to_numpy()
        mask &= (ph < 0) | np.isin(ph, codes)
    return np.flatnonzero(mask)


def _keep(
    frames: Frames,
    viewer: Viewer,
    stages: list[str],
    school_id: str | None,
    visible: np.ndarray | None,
) -> np.ndarray:
    keep = visible_staff(frames, viewer) if visible is None else visible
    st = frames.staff
    if stages:
        wanted = set(stages)
        # One call per staff row's list (the lists are ragged), not per evidence row.
        teaches = st["phases"].map(lambda ps: bool(wanted.intersection(ps))).to_numpy(dtype=bool)
        keep = keep & ((st["n_phases"].to_numpy() == 0) | teaches)
    if school_id:
        keep = keep & (st["school_id"] == school_id).to_numpy(dtype=bool)
    return keep


def _materialise(sums: pd.DataFrame, frames: Frames, skill: bool = False) -> pd.DataFrame:
    """The product's columns for the given per-person sums (strings only for these rows)."""
    codes = sums["staff_code"].to_numpy()
    st = frames.staff
    out = pd.DataFrame(
        {
            "staff_ref": st["staff_ref"].cat.categories.take(codes).astype(object),
            "school_id": st["school_id"].take(codes).astype(str).to_numpy(),
            "role": st["role"].take(codes).astype(str).to_numpy(),
            "phases": st["phases"].to_numpy()[codes],
            "practice_mean": sums["mean"].to_numpy(),
            "practice_confidence": sums["conf"].to_numpy(),
            "evidence_count": sums["n"].to_numpy(np.int64),
            "latest_evidence": (EPOCH + sums["day"].to_numpy().astype("timedelta64[D]")).astype(
                "datetime64[us]"
            ),
            "evidence_weight": sums["w"].to_numpy(),
            "mean_strength": sums["s"].to_numpy() / sums["n"].to_numpy(),
        }
    )
    out["practice_score"] = to_percent(out["practice_mean"]).round(1)
    if skill:
        out.insert(0, "skill_id", frames.skills.take(sums["skill_code"].to_numpy()))
    return out


def _practice(
    frames: Frames,
    viewer: Viewer,
    skill_id: str,
    as_of: date,
    phase: str | list[str] | tuple[str, ...] | None,
    school_id: str | None,
    params: ScoringParams,
    visible: np.ndarray | None = None,
) -> pd.DataFrame | None:
    viewer.require_listing()
    stages = [phase] if isinstance(phase, str) else list(phase or [])
    rows = _rows_for(frames, skill_id, stages)
    if rows is None:
        return None
    sums = _sums(frames, rows, as_of, params)
    keep = _keep(frames, viewer, stages, school_id, visible)
    return sums[keep[sums["staff_code"].to_numpy()]]


def practice_scores(
    frames: Frames,
    viewer: Viewer,
    skill_id: str,
    *,
    as_of: date,
    phase: str | list[str] | tuple[str, ...] | None = None,
    school_id: str | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Mirrors `scoring.practice_scores`: one row per visible person with evidence in the
    skill (a phase, or several, keeps evidence about those key stages or none, from staff who
    teach one of them or whose phases are not recorded)."""
    sums = _practice(frames, viewer, skill_id, as_of, phase, school_id, params)
    if sums is None:
        sums = _sums(frames, np.zeros(0, np.int64), as_of, params)
    return _materialise(sums, frames).reset_index(drop=True)


def _ranked(sums: pd.DataFrame, by_skill: bool = False) -> np.ndarray:
    """Row order of the find: shown score, confidence, latest evidence (best first), then
    staff_ref (= staff code order); grouped by skill first when `by_skill`."""
    score = round_half_up(to_percent(sums["mean"].to_numpy()))
    keys = [
        sums["staff_code"].to_numpy(),
        -sums["day"].to_numpy(),
        -sums["conf"].to_numpy(),
        -score,
    ]
    if by_skill:
        keys.append(sums["skill_code"].to_numpy())
    return np.lexsort(keys)


def top_practitioners(
    frames: Frames,
    viewer: Viewer,
    skill_id: str,
    *,
    as_of: date,
    top: int = 20,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Find one skill: the `top` strongest practitioners by practice strength, in the order
    `find_expertise` gives them."""
    sums = _practice(frames, viewer, skill_id, as_of, None, None, params)
    if sums is None:
        return practice_scores(frames, viewer, skill_id, as_of=as_of, params=params)
    best = sums.iloc[_ranked(sums)[:top]]
    return _materialise(best, frames).reset_index(drop=True)


def top_per_skill(
    frames: Frames,
    viewer: Viewer,
    *,
    as_of: date,
    top: int = 10,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Every skill's `top` practitioners, in one grouped pass over all evidence (the same
    answer as `top_practitioners` for each skill)."""
    viewer.require_listing()
    sums = _sums(frames, slice(None), as_of, params, by_skill=True)
    keep = visible_staff(frames, viewer)
    sums = sums[keep[sums["staff_code"].to_numpy()]]
    ordered = sums.iloc[_ranked(sums, by_skill=True)]
    best = ordered[ordered.groupby("skill_code", sort=False).cumcount().to_numpy() < top]
    return _materialise(best, frames, skill=True).reset_index(drop=True)


def depth_by_school(
    frames: Frames,
    viewer: Viewer,
    skill_id: str,
    *,
    as_of: date,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Mirrors `find_depth.depth_by_school` (no phase): per school, staff with strong
    (shown score >= `strong_score`), recent (evidence within `recent_days`) practice in the
    skill — `listed` those the viewer can see, `not_shared` the rest (0 for the alliance
    administrator, else suppressed below the threshold), `depth` the total that may be shown.
    Every school is listed; deepest first, then by school name."""
    viewer.require_listing()
    present = frames.staff["present"].to_numpy()
    sums = _practice(frames, viewer, skill_id, as_of, None, None, params, visible=present)
    school_cat = frames.staff["school_id"]
    n_schools = len(school_cat.cat.categories)
    listed = np.zeros(n_schools, np.int64)
    hidden = np.zeros(n_schools, np.int64)
    if sums is not None and len(sums):
        score = round_half_up(to_percent(sums["mean"].to_numpy()))
        recent = sums["day"].to_numpy() >= _day(as_of) - params.recent_days
        strong = (score >= params.strong_score) & recent
        codes = sums["staff_code"].to_numpy()
        seen = visible_staff(frames, viewer)[codes]
        school = school_cat.cat.codes.to_numpy()[codes]
        listed = np.bincount(school[strong & seen], minlength=n_schools)
        hidden = np.bincount(school[strong & ~seen], minlength=n_schools)
    counts = pd.DataFrame(
        {"school_id": school_cat.cat.categories.astype(str), "listed": listed, "hidden": hidden}
    )
    out = frames.schools.rename(columns={"name": "school"}).merge(
        counts, on="school_id", how="left"
    )
    out["listed"] = out["listed"].fillna(0).astype(np.int64)
    hide = out["hidden"].fillna(0).astype(np.int64)
    if viewer.sees_everyone:
        out["not_shared"] = pd.array(np.zeros(len(out), dtype=np.int64), dtype="Int64")
    else:
        shown = hide.where((hide == 0) | (hide >= SUPPRESSION_THRESHOLD))
        out["not_shared"] = pd.array(shown, dtype="Int64")
    out["depth"] = (out["listed"] + out["not_shared"].fillna(0)).astype(np.int64)
    out = out.sort_values(["depth", "school"], ascending=[False, True], kind="mergesort")
    return out[["school_id", "school", "listed", "not_shared", "depth"]].reset_index(drop=True)
