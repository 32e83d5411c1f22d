"""'Why this rank': any score opened to its parts, each part to the evidence behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from brokering import audit
from brokering.db import Connection
from brokering.errors import NotFoundError
from brokering.find import scores as find_scores
from brokering.find.query import parse_phase
from brokering.score_parts import explain_coaching, explain_practice
from brokering.scoring import DEFAULT_PARAMS, ScoringParams, to_percent
from brokering.viewer import Viewer


@dataclass(frozen=True)
class Explanation:
    """Why one person ranks where they do: both scores' parts, each adding up to its score."""

    staff_ref: str
    skill_id: str
    practice: pd.DataFrame
    coaching: pd.DataFrame

    @property
    def practice_score(self) -> float:
        return float(self.practice["contribution"].sum())

    @property
    def coaching_score(self) -> float:
        return float(self.coaching["contribution"].sum())


@find_scores.plain_errors("explain this rank")
def explain(
    con: Connection,
    viewer: Viewer,
    staff_ref: str,
    skill_id: str,
    *,
    phase: str | tuple[str, ...] | list[str] | None = None,
    as_of: date | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> Explanation:
    """ "Why this rank": the evidence behind the practice score (type, strength, date, weight,
    share) and the coaching records, training and prior behind the coaching score."""
    stages = parse_phase(phase)
    as_of = as_of or date.today()
    coaching = explain_coaching(con, viewer, staff_ref, skill_id, as_of=as_of, params=params)
    practice = explain_practice(
        con, viewer, staff_ref, skill_id, as_of=as_of, phase=stages or None, params=params
    )
    if coaching.empty:
        raise NotFoundError(f"No one you can see has the reference “{staff_ref}”.")
    if practice.empty:  # coached the skill but has no evidence in it: the prior alone
        practice = pd.DataFrame(
            [
                {
                    "evidence_type": "prior (shrinkage)",
                    "strength": params.prior_mean,
                    "note": "No evidence in this skill yet: the neutral starting point",
                    "weight": params.prior_weight,
                    "share": 1.0,
                    "contribution": float(to_percent(params.prior_mean)),
                }
            ]
        )
    # The skill each coaching part rests on, by name: a reader sees "Mathematics", not an id.
    ids = sorted({str(s) for s in coaching["skill_id"].dropna()})
    names: dict[str, str] = {}
    if ids:
        marks = ", ".join("?" for _ in ids)
        sql = f"SELECT skill_id, name FROM skills WHERE skill_id IN ({marks})"  # noqa: S608
        names = dict(con.execute(sql, ids).fetchall())
    coaching = coaching.assign(
        skill=[names.get(s, "") if isinstance(s, str) else "" for s in coaching["skill_id"]]
    )
    audit.record(con, viewer, "profile.view", {"staff_ref": staff_ref, "skill": skill_id})
    return Explanation(staff_ref, skill_id, practice, coaching)
