"""Candidates for one need: a ranked list with every part of the match score shown.

Why everyone is listed, not only those proposed: a leader who cannot see why the strongest
teacher of the skill is missing will not trust the list. So a coach who is full this term,
a line manager asked to mentor, or a partner-school colleague without sharing consent is
shown with the reason they are not proposed; proposable candidates come first. Only the
person with the need is left out, and only people the viewer may see appear at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from brokering import audit, changes
from brokering.db import Connection
from brokering.errors import NotFoundError, ValidationError
from brokering.matching import inputs as list_inputs
from brokering.matching import listing, model
from brokering.matching.need_checks import staff_of
from brokering.matching.needs import Need, get_need, list_needs, resolve_skill
from brokering.matching.params import DEFAULT_MATCH_PARAMS, MatchParams
from brokering.matching.pool import skill_row
from brokering.scoring import DEFAULT_PARAMS, ScoringParams
from brokering.terms import term_of
from brokering.viewer import Viewer

PART_LABELS = {
    "expertise": "Expertise in the skill",
    "coaching": "Coaching strength",
    "phase": "Phase fit",
    "partner": "Partner school",
    "travel": "Travel",
}


@dataclass(frozen=True)
class CandidateList:
    need: Need
    frame: pd.DataFrame  # ranked; see `rank_candidates`
    close_skills: tuple[str, ...]  # names of close skills whose expertise was used
    term_label: str
    params: MatchParams

    @property
    def proposable(self) -> pd.DataFrame:
        return self.frame[self.frame["proposable"]]

    def row(self, staff_ref: str) -> pd.Series:
        hit = self.frame[self.frame["staff_ref"] == staff_ref]
        if hit.empty:
            raise NotFoundError(f"{staff_ref} is not among the candidates for this need.")
        return hit.iloc[0]


def _check_need(need: Need) -> None:
    if need.staff_left_on is not None:
        raise ValidationError(
            f"{need.staff_ref} left on {need.staff_left_on:%d %B %Y}: no coach is proposed for "
            "a leaver. Close the need instead."
        )


def rank_candidates(
    con: Connection,
    viewer: Viewer,
    need: Need,
    *,
    as_of: date | None = None,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
    scoring: ScoringParams = DEFAULT_PARAMS,
    audited: bool = True,
) -> CandidateList:
    """Score every candidate the viewer may see for `need`, proposable first. The list goes
    to the audit trail; `audited=False` is for a caller that records its own action (sending
    a request checks the candidate against this list)."""
    return _rank(con, viewer, need, as_of, params, scoring, audited, changes.mark(con))


def _rank(
    con: Connection,
    viewer: Viewer,
    need: Need,
    as_of: date | None,
    params: MatchParams,
    scoring: ScoringParams,
    audited: bool,
    at: changes.Mark | None,
) -> CandidateList:
    """`rank_candidates` with the store's change mark read once by the caller."""
    viewer.require_listing()
    _check_need(need)
    as_of = as_of or date.today()
    inputs = list_inputs.remembered(con, viewer, need, as_of, params, scoring, at)
    _pool, arrays, names, flags, laid = inputs
    frame = listing.ranked_frame(need, arrays, laid, params, flags)
    if audited:  # staff across schools were listed: once, whichever route built the list
        audit.record(
            con,
            viewer,
            "candidates",
            {"need_id": need.need_id, "skill": need.skill_id, "listed": len(frame)},
        )
    return CandidateList(need, frame, tuple(names.values()), term_of(as_of).label, params)


def candidates_for_need(
    con: Connection,
    viewer: Viewer,
    need_id: str,
    *,
    as_of: date | None = None,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
    scoring: ScoringParams = DEFAULT_PARAMS,
) -> CandidateList:
    """Candidates for a recorded need. The need is read as `get_need` reads it for this
    viewer, remembered under the store's change mark with the list's other reads."""
    at = changes.mark(con)
    need = changes.remembered(
        at, ("candidates.need", viewer, need_id), lambda: get_need(con, viewer, need_id)
    )
    return _rank(con, viewer, need, as_of, params, scoring, True, at)


def candidates_for(
    con: Connection,
    viewer: Viewer,
    staff_ref: str,
    skill: str,
    *,
    wanted_role: str | None = None,
    hours: float | None = None,
    as_of: date | None = None,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
    scoring: ScoringParams = DEFAULT_PARAMS,
) -> CandidateList:
    """Candidates for a person and a skill (the `match` command): their open need in it if
    there is one, else a need not yet recorded (role and hours as given)."""
    viewer.require_listing()
    skill_id = resolve_skill(con, skill)
    school_id, school_name, left_on = staff_of(con, viewer, staff_ref)
    ref = staff_ref.strip()
    if left_on is not None:
        raise ValidationError(
            f"{ref} left on {left_on:%d %B %Y}: no coach is proposed for someone who has left."
        )
    existing = list_needs(con, viewer, statuses=("open",), staff_ref=ref, skill_id=skill_id)
    if not existing.empty:
        need = get_need(con, viewer, str(existing.iloc[0]["need_id"]))
        if wanted_role or hours is not None:
            need = _with(need, wanted_role, hours)
    else:
        staff = con.execute(
            "SELECT line_manager_ref, phases FROM staff WHERE staff_ref = ?", [ref]
        ).fetchall()[0]
        need = Need(
            need_id="",
            staff_ref=ref,
            school_id=school_id,
            school_name=school_name,
            skill_id=skill_id,
            skill_name=skill_row(con, skill_id)[1],
            priority="medium",
            wanted_role="coach",
            raised_on=as_of or date.today(),
            status="not recorded",
            hours=None,
            note=None,
            line_manager_ref=staff[0],
            phases=tuple(staff[1] or ()),
            staff_left_on=None,
        )
        need = _with(need, wanted_role, hours)
    return rank_candidates(con, viewer, need, as_of=as_of, params=params, scoring=scoring)


def _with(need: Need, wanted_role: str | None, hours: float | None) -> Need:
    from dataclasses import replace

    from brokering.importing.spec import WANTED_ROLES

    if wanted_role and wanted_role not in WANTED_ROLES:
        raise ValidationError(f"The role wanted must be one of: {', '.join(WANTED_ROLES)}.")
    if hours is not None and not 0 < hours <= 1000:
        raise ValidationError("Hours a term must be more than 0 and at most 1,000.")
    return replace(
        need,
        wanted_role=wanted_role or need.wanted_role,
        hours=hours if hours is not None else need.hours,
    )


def _judged_text(r: pd.Series) -> str:
    """The pairings judged at review that count in the coaching strength (docs/SCORING.md)."""
    done = int(r.get("pairings_transferred", 0))
    not_done = int(r.get("pairings_not_transferred", 0))
    words = []
    if done:
        words.append(f"{done} pairing(s) transferred")
    if not_done:
        words.append(f"{not_done} pairing(s) not transferred")
    return (", " + " and ".join(words) + " in this skill") if words else ""


def explain(candidates: CandidateList, staff_ref: str) -> tuple[pd.DataFrame, list[str]]:
    """Why this match: the parts with their points (they add up to the match score) and
    plain notes on capacity and the rules."""
    r = candidates.row(staff_ref)
    p = candidates.params
    need = candidates.need
    if r["expertise_source"] == "direct":
        how_exp = (
            f"{p.expertise_weight:.0%} of a practice score of {r['expertise_score']:.1f} in "
            f"{need.skill_name}, from {int(r['evidence_count'])} evidence record(s) "
            f"(confidence {r['practice_confidence']:.0%})"
        )
    elif r["expertise_source"] == "close":
        how_exp = (
            f"{p.expertise_weight:.0%} of {r['close_score']:.1f} in the close skill "
            f"{r['expertise_skill']}, counted at {p.close_skill_factor:.0%}"
        )
    else:
        how_exp = (
            f"no practice evidence in {need.skill_name}: listed for their coaching record in it"
        )
    if r["proposed_as"] == "mentor":
        how_craft = (
            f"{p.coaching_weight:.0%} of a mentoring strength of {r['mentoring_score']:.1f} "
            f"({'mentor-trained' if r['mentor_trained'] else 'not mentor-trained'}, "
            f"{int(r['mentoring_records'])} past mentoring relationship(s))"
        )
    else:
        outcome = r["mean_outcome_in_skill"]
        how_craft = (
            f"{p.coaching_weight:.0%} of a coaching strength of {r['coaching_score']:.1f} "
            f"({int(r['coaching_records_in_skill'])} coaching record(s) in this skill"
            + (f", mean outcome {outcome:.1f} of 4" if pd.notna(outcome) else "")
            + _judged_text(r)
            + (", coach-trained" if r["coach_trained"] else "")
            + ")"
        )
    fit = float(r["phase_fit"])
    fit_word = {1.0: "a shared key stage", p.adjacent_phase_fit: "a neighbouring key stage"}
    phases = ", ".join(r["phases"]) if len(r["phases"]) else "none recorded"
    known = bool(need.phases) and len(r["phases"]) > 0
    how_phase = (
        f"they teach {phases}; the need is in {', '.join(need.phases) or 'no recorded phase'}"
        f" ({fit_word.get(fit, 'no shared key stage') if known else 'phase fit unknown'})"
    )
    if r["same_school"]:
        how_partner = "same school as the person with the need"
        how_travel = "no travel"
    else:
        how_partner = f"works at {r['school_name']}: moving practice between schools is the point"
        how_travel = (
            "school locations unknown: no deduction"
            if pd.isna(r["distance_km"])
            else f"{r['distance_km']:.1f} km between the schools "
            f"(the full {p.travel_weight * 100:.0f} points at {p.travel_scale_km:.0f} km)"
        )
    hows = [how_exp, how_craft, how_phase, how_partner, how_travel]
    labels = dict(PART_LABELS)
    if r["proposed_as"] == "mentor":
        labels["coaching"] = "Mentoring strength"
    parts = pd.DataFrame(
        {
            "part": [labels[n] for n in model.PART_NAMES],
            "points": [float(r[f"part_{n}"]) for n in model.PART_NAMES],
            "how": hows,
        }
    )
    notes = [
        f"Hours left in {candidates.term_label}: {r['hours_left']:g} of {r['capacity_hours']:g}, "
        f"or {r['days_left']:g} release day(s) of {r['hours_per_day']:g} hours "
        f"({r['hours_used']:g} in current relationships, {r['hours_reserved']:g} held by "
        f"requests awaiting an answer); this need takes {r['need_hours']:g}."
    ]
    if r["not_proposed_reason"]:
        notes.append(f"Not proposed: {r['not_proposed_reason']}.")
    if r["flags"]:
        notes.append(f"Flagged: {r['flags']}.")
    if not r["share_consent"]:
        notes.append("Has not agreed to alliance-wide sharing: visible to their own school only.")
    return parts, notes
