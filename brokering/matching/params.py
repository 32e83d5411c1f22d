"""Every number the matching uses, in one place; pass a changed copy to override.

The match score is a sum of parts in points, so a leader can read why one candidate ranks
above another: expertise and coaching strength (each a 0-100 score times its weight), phase
fit, a preference for a partner school, and a deduction for travel between the schools.
"""

from __future__ import annotations

from dataclasses import dataclass

from brokering.settings import DEFAULT_RELATIONSHIP_HOURS, PROPOSE_SCORE


@dataclass(frozen=True)
class MatchParams:
    # Points each part can give (weights of 0-100 components; the maximum score is 100).
    expertise_weight: float = 0.45
    coaching_weight: float = 0.30
    phase_weight: float = 0.10
    partner_weight: float = 0.15
    #: Points lost for travel: all of them at `travel_scale_km` or further.
    travel_weight: float = 0.10
    travel_scale_km: float = 25.0
    #: Phase fit: same key stage 1, neighbouring key stage this, otherwise 0; unknown this.
    adjacent_phase_fit: float = 0.5
    unknown_phase_fit: float = 0.5
    #: A practice score at least this high counts as expertise (50 = the neutral prior).
    min_expertise: float = PROPOSE_SCORE
    #: Expertise in a close skill counts at this fraction of its score.
    close_skill_factor: float = 0.6
    #: Close skills are searched when fewer people than this have expertise in the skill.
    close_skill_min: int = 3
    #: Mentoring strength: each past mentoring relationship is a pseudo-record of this value.
    mentoring_record_value: float = 3.0
    mentoring_record_weight: float = 0.5
    #: Hours a relationship costs when the need does not say (CONTRACT: Capacity and hours).
    default_hours: float = DEFAULT_RELATIONSHIP_HOURS
    #: Per skill, the strongest this many practitioners are scored in full (national scale).
    pool_limit: int = 200
    #: Allocation keeps each need's best this many feasible candidates.
    top_k: int = 40
    #: Points an allocation takes off a coach flagged as possibly unavailable (see
    #: `availability`); on a need's list they are placed after the other proposable people.
    unavailable_penalty: float = 20.0
    #: Seconds the exact solver may take before the best solution found is kept.
    solver_time_limit: float = 20.0


DEFAULT_MATCH_PARAMS = MatchParams()

#: Order in which the greedy method serves needs (first come within a priority).
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}
