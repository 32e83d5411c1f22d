"""One person's profile, put together from the reads in `read` (see its docstring for why).

Every visibility rule applies: an aggregate-only role (a governor) is refused; a reference
the viewer may not see gets the very message of one that does not exist; people named inside
the profile (coachees, pairing partners, similar colleagues) are named only when the viewer
may see them. Opening a profile is written to the audit trail (the reference, never a name).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from brokering import audit
from brokering.db import Connection
from brokering.errors import NotFoundError
from brokering.find.scores import plain_errors
from brokering.matching.capacity import capacity_left
from brokering.matching.needs import list_needs
from brokering.pairings.views import list_pairings
from brokering.profile import read
from brokering.profile.similar import Similar, most_similar
from brokering.profile.words import coaching_text, confidence_word
from brokering.scoring import DEFAULT_PARAMS, ScoringParams
from brokering.terms import term_of
from brokering.viewer import Viewer

STRENGTH_COLUMNS = [
    "skill_id",
    "skill",
    "area",
    "practice_score",
    "practice_confidence",
    "evidence_count",
    "latest_evidence",
    "coaching_score",
    "coaching_confidence",
    "coaching_records",
    "has_coaching_record",
]


@dataclass(frozen=True)
class Capacity:
    term: str
    capacity_hours: float
    hours_committed: float
    hours_reserved: float
    hours_left: float
    active_relationships: int


@dataclass(frozen=True)
class Profile:
    """Everything the viewer may see about one reference, as plain frames."""

    person: dict[str, Any]
    strengths: pd.DataFrame
    evidence: pd.DataFrame
    coaching: pd.DataFrame
    pairings: pd.DataFrame
    capacity: Capacity
    needs: pd.DataFrame
    similar: list[Similar] = field(default_factory=list)
    similar_schools: dict[str, str] = field(default_factory=dict)

    @property
    def staff_ref(self) -> str:
        return str(self.person["staff_ref"])

    def to_dict(self, names: Callable[[object], str | None] | None = None) -> dict[str, Any]:
        """The `profile --json` shape (docs/CLI.md; keys pinned by a test). Names come only
        from `names` — the user's own key file (`--names`), never from the store."""

        def name(ref: object) -> str | None:
            return names(ref) if names is not None else None

        return {
            "ok": True,
            "staff_ref": self.staff_ref,
            "name": name(self.staff_ref),
            "school_id": self.person["school_id"],
            "school": self.person["school"],
            "role": self.person["role"],
            "phases": self.person["phases"],
            "subjects": self.person["subjects"],
            "coach_trained": bool(self.person["coach_trained"]),
            "mentor_trained": bool(self.person["mentor_trained"]),
            "strengths": [
                {
                    "skill_id": r["skill_id"],
                    "skill": r["skill"],
                    "area": _plain(r["area"]),
                    "practice_score": _plain(r["practice_score"]),
                    "practice_confidence": _round(r["practice_confidence"]),
                    "practice_confidence_word": confidence_word(_plain(r["practice_confidence"])),
                    "evidence_count": int(r["evidence_count"]),
                    "latest_evidence": _plain(r["latest_evidence"]),
                    "coaching_score": (
                        _plain(r["coaching_score"]) if r["has_coaching_record"] else None
                    ),
                    "coaching_shown_as": coaching_text(
                        _plain(r["coaching_score"]), bool(r["has_coaching_record"])
                    ),
                    "coaching_confidence_word": confidence_word(
                        _plain(r["coaching_confidence"]) if r["has_coaching_record"] else 0.0
                    ),
                    "coaching_records": int(r["coaching_records"]),
                }
                for r in self.strengths.to_dict("records")
            ],
            "evidence": [
                {
                    k: _plain(r[k])
                    for k in (
                        "skill",
                        "date",
                        "evidence_type",
                        "strength",
                        "observer",
                        "note",
                        "phase",
                        "weight",
                    )
                }
                | {"weight": _round(r["weight"])}
                for r in self.evidence.to_dict("records")
            ],
            "coaching": [
                {
                    k: _plain(r[k])
                    for k in (
                        "direction",
                        "skill",
                        "mode",
                        "start_date",
                        "end_date",
                        "state",
                        "outcome_strength",
                        "feedback_score",
                        "hours",
                        "other_ref",
                        "other_school",
                    )
                }
                | {"other_name": name(r["other_ref"])}
                for r in self.coaching.to_dict("records")
            ],
            "pairings": [
                {k: _plain(r[k]) for k in ("pairing_id", "practice", "side", "status")}
                | {"start_date": _plain(r["start_date"]), "review_date": _plain(r["review_date"])}
                for r in self.pairings.to_dict("records")
            ],
            "capacity": self.capacity.__dict__,
            "open_needs": [
                {k: _plain(r[k]) for k in ("need_id", "skill", "priority", "wanted_role")}
                | {"raised_on": _plain(r["raised_on"])}
                for r in self.needs.to_dict("records")
            ],
            "similar": [
                {
                    "staff_ref": s.staff_ref,
                    "name": name(s.staff_ref),
                    "school": self.similar_schools.get(s.staff_ref),
                    "similarity": s.similarity,
                    "shared_skills": list(s.shared_skills),
                }
                for s in self.similar
            ],
        }


def _plain(value: Any) -> Any:
    """A JSON-ready value: NaN/NA become None, dates ISO text, numpy scalars Python ones."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return list(value)
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _round(value: Any, digits: int = 3) -> float | None:
    v = _plain(value)
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(v, digits)


@plain_errors("open this profile")
def staff_profile(
    con: Connection,
    viewer: Viewer,
    staff_ref: str,
    *,
    as_of: date | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
) -> Profile:
    """The profile of `staff_ref` as `viewer` may see it (module docstring: the rules)."""
    as_of = as_of or date.today()
    who = read.person(con, viewer, staff_ref.strip())
    ref = str(who["staff_ref"])
    evidence = read.evidence(con, viewer, ref, as_of, params)
    practice = read.practice_by_skill(evidence, params)
    coached = sorted(
        set(practice["skill_id"])
        | set(
            con.execute(
                "SELECT DISTINCT skill_id FROM coaching WHERE coach_ref = ? AND mode = 'coaching'",
                [ref],
            )
            .df()["skill_id"]
            .tolist()
        )
    )
    coaching = read.coaching_by_skill(con, viewer, ref, coached, as_of, params)
    names = con.execute(
        "SELECT skill_id, name AS skill, area FROM skills WHERE list_contains(?, skill_id)",
        [coached],
    ).df()
    strengths = (
        pd.DataFrame({"skill_id": coached})
        .merge(names, on="skill_id", how="left")
        .merge(practice, on="skill_id", how="left")
        .merge(coaching, on="skill_id", how="left")
    )
    strengths["skill"] = strengths["skill"].fillna(strengths["skill_id"])
    strengths["evidence_count"] = strengths["evidence_count"].fillna(0).astype(int)
    strengths["coaching_records"] = strengths["coaching_records"].fillna(0).astype(int)
    strengths["has_coaching_record"] = (
        strengths["has_coaching_record"].astype("boolean").fillna(False).astype(bool)
    )
    strengths = strengths.sort_values(
        ["practice_score", "skill"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)[STRENGTH_COLUMNS]

    pairings = list_pairings(con, viewer, today=as_of)

    def members(value: Any) -> list[str]:
        return [] if value is None else [str(v) for v in value]

    mine = pd.Series(
        [
            ref in members(d) or ref in members(r)
            for d, r in zip(pairings["donors"], pairings["recipients"], strict=True)
        ],
        index=pairings.index,
        dtype=bool,
    )
    pairings = pairings[mine].copy()
    pairings["side"] = ["donor" if ref in members(d) else "recipient" for d in pairings["donors"]]
    cap = capacity_left(con, viewer, as_of=as_of, staff_refs=[ref])
    c = cap.iloc[0] if len(cap) else None
    capacity = Capacity(
        term=term_of(as_of).label,
        capacity_hours=float(c["capacity_hours"]) if c is not None else 0.0,
        hours_committed=float(c["hours_used"]) if c is not None else 0.0,
        hours_reserved=float(c["hours_reserved"]) if c is not None else 0.0,
        hours_left=float(c["hours_left"]) if c is not None else 0.0,
        active_relationships=int(c["active_relationships"]) if c is not None else 0,
    )
    needs = list_needs(con, viewer, statuses=("open",), staff_ref=ref)
    needs = needs.rename(columns={"skill_name": "skill"})
    target, others, schools = read.vectors(con, viewer, ref, as_of, params)
    similar = most_similar(target, others)
    school_names = dict(con.execute("SELECT school_id, name FROM schools").fetchall())
    audit.record(con, viewer, "profile.view", {"staff_ref": ref})
    return Profile(
        person=who,
        strengths=strengths,
        evidence=evidence,
        coaching=read.coaching_relationships(con, viewer, ref),
        pairings=pairings.reset_index(drop=True),
        capacity=capacity,
        needs=needs,
        similar=similar,
        similar_schools={s.staff_ref: school_names.get(schools[s.staff_ref], "") for s in similar},
    )


__all__ = ["Capacity", "NotFoundError", "Profile", "staff_profile"]
