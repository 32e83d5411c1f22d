"""Fairer pandas/numpy baselines for "find one skill" (issue 24): what a good numpy engineer
would write given what the product is given.

Why: `baselines.find.top_practitioners` masks the whole evidence column on every call, while
the product reads one skill's rows from a store laid out in skill order and, after
`optimise`, from per-skill score parts built once. Two variants close that gap:

- `top_by_offsets`: the evidence frame in skill order (as the optimised store is), each
  skill's rows located by offsets, so a find reads only its own rows;
- `top_from_parts`: the same precomputation the product keeps — per (skill, person) weighted
  sums with recency measured to a fixed epoch, so a find at a later date only rescales them
  (every weight halves with age, so ageing all records alike multiplies every sum alike).

Both return exactly `top_practitioners`' answer (benchmarks/tests hold them equal).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from benchmarks.baselines.find import Frames, _day, _materialise, _ranked, _sums, visible_staff
from brokering.scoring import DEFAULT_PARAMS, ScoringParams
from brokering.viewer import Viewer


@dataclass(frozen=True)
class SkillIndex:
    """The frames with evidence in skill order, and where each skill's rows start."""

    frames: Frames
    #: offsets[code] .. offsets[code + 1]: the rows of skill `code`.
    offsets: np.ndarray


def index_by_skill(frames: Frames) -> SkillIndex:
    """Sort the evidence by skill once (stable: a store already in skill order stays as is)."""
    ev = frames.evidence
    codes = ev["skill_code"].to_numpy()
    if len(codes) and np.any(codes[1:] < codes[:-1]):
        ev = ev.iloc[np.argsort(codes, kind="stable")].reset_index(drop=True)
        codes = ev["skill_code"].to_numpy()
    offsets = np.searchsorted(codes, np.arange(len(frames.skills) + 1), side="left")
    return SkillIndex(replace(frames, evidence=ev), offsets)


def _rows(idx: SkillIndex, skill_id: str) -> slice | None:
    if skill_id not in idx.frames.skills:
        return None
    code = idx.frames.skills.get_loc(skill_id)
    return slice(int(idx.offsets[code]), int(idx.offsets[code + 1]))


def top_by_offsets(
    idx: SkillIndex,
    viewer: Viewer,
    skill_id: str,
    *,
    as_of: date,
    top: int = 20,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """`top_practitioners`, reading only the skill's rows (a slice, no mask)."""
    viewer.require_listing()
    rows = _rows(idx, skill_id) or slice(0, 0)
    sums = _sums(idx.frames, rows, as_of, params)
    sums = sums[visible_staff(idx.frames, viewer)[sums["staff_code"].to_numpy()]]
    return _materialise(sums.iloc[_ranked(sums)[:top]], idx.frames).reset_index(drop=True)


@dataclass(frozen=True)
class Parts:
    """Per (skill, person) sums at `epoch`, grouped by skill (offsets as in `SkillIndex`)."""

    frames: Frames
    epoch: date
    offsets: np.ndarray
    sums: pd.DataFrame  # staff_code, sw, w, n, s, day — at the epoch, prior not applied


def build_parts(idx: SkillIndex, params: ScoringParams = DEFAULT_PARAMS) -> Parts:
    """One grouped pass over all evidence, recency measured to the newest record."""
    ev = idx.frames.evidence
    newest = int(ev["day"].max()) if len(ev) else 0
    epoch = date.fromordinal(date(1970, 1, 1).toordinal() + newest)
    sums = _sums(idx.frames, slice(None), epoch, params, by_skill=True)
    sums = sums.sort_values(["skill_code", "staff_code"], kind="stable").reset_index(drop=True)
    offsets = np.searchsorted(
        sums["skill_code"].to_numpy(), np.arange(len(idx.frames.skills) + 1), side="left"
    )
    keep = ["staff_code", "sw", "w", "n", "s", "day"]
    return Parts(idx.frames, epoch, offsets, sums[keep].copy())


def top_from_parts(
    parts: Parts,
    viewer: Viewer,
    skill_id: str,
    *,
    as_of: date,
    top: int = 20,
    params: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """`top_practitioners` from the precomputed sums: rescale to `as_of`, rank, cut."""
    viewer.require_listing()
    if as_of < parts.epoch or skill_id not in parts.frames.skills:
        raise ValueError("the parts cannot answer for this date or skill")
    code = parts.frames.skills.get_loc(skill_id)
    s = parts.sums.iloc[int(parts.offsets[code]) : int(parts.offsets[code + 1])]
    s = s[visible_staff(parts.frames, viewer)[s["staff_code"].to_numpy()]].copy()
    factor = 0.5 ** ((_day(as_of) - _day(parts.epoch)) / params.half_life_days)
    s["sw"] *= factor
    s["w"] *= factor
    s["mean"] = (s["sw"] + params.prior_mean * params.prior_weight) / (s["w"] + params.prior_weight)
    s["conf"] = s["w"] / (s["w"] + params.prior_weight)
    return _materialise(s.iloc[_ranked(s)[:top]], parts.frames).reset_index(drop=True)
