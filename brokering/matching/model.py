"""The match score for needs x candidates, vectorised: one formula for one need and for all.

Why vectorised and shared: the candidates list for one need, the whole-alliance allocation
and the benchmark's 5,000 x 10,000 synthetic run must score a pair identically, and a Python
loop over pairs would take minutes at that scale. Inputs are plain numpy arrays (`Pool`,
`Needs`, and a school distance matrix or the schools' `Places`), so the benchmark can build
them without a database.

Parts (points; they add up to the match score, each rounded to 0.1):
  expertise  = expertise_weight x expertise score (0-100; a close skill at a discount)
  coaching   = coaching_weight x coaching strength, or mentoring strength for a mentor
  phase      = phase_weight x 100 x phase fit (same key stage 1, neighbouring 0.5, none 0)
  partner    = partner_weight x 100 when the candidate works in another school
  travel     = -travel_weight x 100 x min(distance / travel_scale_km, 1), when both
               schools' locations are known
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from brokering.matching import rules
from brokering.matching.params import DEFAULT_MATCH_PARAMS, MatchParams

COACH, MENTOR, EITHER = 0, 1, 2
ROLE_CODES = {"coach": COACH, "mentor": MENTOR, "either": EITHER}
PART_NAMES = ("expertise", "coaching", "phase", "partner", "travel")
#: Stages a pair passes, in order; the first one failed is the reason it is not proposed.
STAGES = ("expertise", "consent", "line_manager", "room")
EARTH_KM = 6371.0088
ALL_STAGES = 0x3F  # six key stages


@dataclass(frozen=True)
class Pool:
    """Candidates, index-aligned. Per-skill rows of `expertise`, `has_expertise` and
    `coaching` are the needs' skills (row k = skill k)."""

    school: np.ndarray  # int, index into the distance matrix
    consent: np.ndarray  # bool
    phase_mask: np.ndarray  # int bits, 0 = unknown
    hours_left: np.ndarray  # float
    expertise: np.ndarray  # (skills, m) float, 0-100
    has_expertise: np.ndarray  # (skills, m) bool
    coaching: np.ndarray  # (skills, m) float, 0-100
    mentoring: np.ndarray  # (m,) float, 0-100

    @property
    def size(self) -> int:
        return int(self.school.shape[0])


@dataclass(frozen=True)
class Needs:
    skill: np.ndarray  # int, row of the pool's per-skill arrays
    school: np.ndarray  # int
    phase_mask: np.ndarray  # int
    self_idx: np.ndarray  # int, the coachee's own index in the pool, -1 if absent
    manager_idx: np.ndarray  # int, their line manager's index in the pool, -1 if absent
    role: np.ndarray  # int: COACH, MENTOR, EITHER
    hours: np.ndarray  # float

    @property
    def size(self) -> int:
        return int(self.skill.shape[0])

    def take(self, rows: np.ndarray | slice) -> Needs:
        return Needs(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


def _haversine(la1: np.ndarray, lo1: np.ndarray, la2: np.ndarray, lo2: np.ndarray) -> np.ndarray:
    """Great-circle km between points given in degrees (broadcasting); NaN in, NaN out."""
    la1, lo1, la2, lo2 = (np.radians(np.asarray(x, float)) for x in (la1, lo1, la2, lo2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def haversine_matrix(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle km between every pair of schools; NaN where a location is unknown."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    return _haversine(lat[:, None], lon[:, None], lat[None, :], lon[None, :])


@dataclass(frozen=True)
class Places:
    """School locations (degrees, NaN when unknown). Distances are worked out for each block
    of pairs as needed: a matrix over England's ~23,000 schools would take 4 GB."""

    lat: np.ndarray
    lon: np.ndarray

    def between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(len(a), len(b)) km between schools a[i] and b[j]."""
        return _haversine(
            self.lat[a][:, None], self.lon[a][:, None], self.lat[b][None, :], self.lon[b][None, :]
        )


#: Either a precomputed school x school distance matrix (km) or school locations.
Distance = np.ndarray | Places


def phase_fit(need_mask: np.ndarray, cand_mask: np.ndarray, params: MatchParams) -> np.ndarray:
    """1 for a shared key stage, `adjacent_phase_fit` for a neighbouring one, else 0;
    `unknown_phase_fit` when either side has no phases recorded. Broadcasts."""
    a = np.asarray(need_mask, np.int64)
    b = np.asarray(cand_mask, np.int64)
    near = ((b << 1) | (b >> 1)) & ALL_STAGES
    fit = np.where((a & b) != 0, 1.0, np.where((a & near) != 0, params.adjacent_phase_fit, 0.0))
    return np.where((a == 0) | (b == 0), params.unknown_phase_fit, fit)


@dataclass(frozen=True)
class Block:
    """Scores and rule stages for a block of needs (rows) x the whole pool (columns)."""

    parts: dict[str, np.ndarray]
    score: np.ndarray
    as_mentor: np.ndarray
    is_line_manager: np.ndarray
    same_school: np.ndarray
    distance_km: np.ndarray
    phase: np.ndarray
    stage_ok: dict[str, np.ndarray]  # each stage on its own; "self" excluded from everything

    @property
    def proposable(self) -> np.ndarray:
        ok = self.stage_ok["self"].copy()
        for name in STAGES:
            ok &= self.stage_ok[name]
        return ok & (self.score > 0)


def score_block(
    needs: Needs, pool: Pool, distance: Distance, params: MatchParams = DEFAULT_MATCH_PARAMS
) -> Block:
    """Every part, the score and each rule stage for `needs` x `pool`, as (n, m) arrays."""
    m = pool.size
    cols = np.arange(m)
    skill = needs.skill[:, None]
    expertise = pool.expertise[needs.skill]
    coaching = pool.coaching[needs.skill]
    mentoring = np.broadcast_to(pool.mentoring[None, :], expertise.shape)
    is_lm = needs.manager_idx[:, None] == cols[None, :]
    role = needs.role[:, None]
    as_mentor = (role == MENTOR) | ((role == EITHER) & ~is_lm & (mentoring > coaching))
    craft = np.where(as_mentor, mentoring, coaching)
    same = needs.school[:, None] == pool.school[None, :]
    if isinstance(distance, Places):
        dist = distance.between(needs.school, pool.school)
    else:
        dist = distance[np.ix_(needs.school, pool.school)]
    travel = np.where(same | np.isnan(dist), 0.0, np.minimum(dist / params.travel_scale_km, 1.0))
    fit = phase_fit(needs.phase_mask[:, None], pool.phase_mask[None, :], params)
    raw = {
        "expertise": params.expertise_weight * expertise,
        "coaching": params.coaching_weight * craft,
        "phase": params.phase_weight * 100.0 * fit,
        "partner": params.partner_weight * 100.0 * ~same,
        "travel": -params.travel_weight * 100.0 * travel,
    }
    parts = {name: np.round(value, 1) + 0.0 for name, value in raw.items()}  # + 0.0: no -0.0
    score = np.round(sum(parts.values()), 1) + 0.0
    stage_ok = {
        "self": rules.not_self(cols[None, :], needs.self_idx[:, None]),
        "expertise": pool.has_expertise[skill, cols[None, :]],
        "consent": rules.consent_allows(pool.consent[None, :], same),
        "line_manager": rules.mentor_allowed(is_lm, as_mentor),
        "room": rules.has_room(pool.hours_left[None, :], needs.hours[:, None]),
    }
    return Block(parts, score, as_mentor, is_lm, same, dist, fit, stage_ok)


@dataclass(frozen=True)
class EdgeSet:
    """Each need's best feasible candidates (at most top_k), and per need how many
    candidates passed each cumulative rule stage (for 'why unmatched')."""

    need: np.ndarray
    coach: np.ndarray
    score: np.ndarray
    as_mentor: np.ndarray
    stage_counts: dict[str, np.ndarray]  # stage -> (n,) count passing it and all before


def top_edges(
    needs: Needs,
    pool: Pool,
    distance: Distance,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
    *,
    block_cells: int = 2_000_000,
) -> EdgeSet:
    """Score needs x pool in blocks of rows (bounded memory) and keep each need's top_k."""
    n, m = needs.size, pool.size
    counts = {s: np.zeros(n, np.int64) for s in STAGES}
    out_need, out_coach, out_score, out_mentor = [], [], [], []
    if m == 0 or n == 0:
        empty = np.zeros(0, np.int64)
        return EdgeSet(empty, empty, np.zeros(0), np.zeros(0, bool), counts)
    rows = max(1, block_cells // m)
    k = min(params.top_k, m)
    for start in range(0, n, rows):
        sl = slice(start, min(n, start + rows))
        block = score_block(needs.take(sl), pool, distance, params)
        passed = block.stage_ok["self"].copy()
        for stage in STAGES:
            passed &= block.stage_ok[stage]
            counts[stage][sl] = passed.sum(axis=1)
        masked = np.where(passed & (block.score > 0), block.score, -np.inf)
        if k < m:
            # Deterministic top-k: sort by (-score, column) within each row.
            part = np.argpartition(-masked, k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(m), masked.shape)
        vals = np.take_along_axis(masked, part, axis=1)
        r, c = np.nonzero(np.isfinite(vals))
        cols = part[r, c]
        out_need.append(r + start)
        out_coach.append(cols)
        out_score.append(vals[r, c])
        out_mentor.append(block.as_mentor[r, cols])
    need = np.concatenate(out_need).astype(np.int64)
    coach = np.concatenate(out_coach).astype(np.int64)
    score = np.concatenate(out_score).astype(float)
    mentor = np.concatenate(out_mentor).astype(bool)
    order = np.lexsort((coach, -score, need))
    return EdgeSet(need[order], coach[order], score[order], mentor[order], counts)
