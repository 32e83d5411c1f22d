"""The matching rules, once: who may be proposed to whom, and who may act on needs and requests.

Why here and nowhere else: candidates for one need, the whole-alliance allocation and the
request checks must refuse the same pairs for the same reasons, or a leader would see a
candidate on one page that the allocation silently never proposes. Each rule is a function
on plain values that works equally on numpy arrays, so the vectorised scoring uses exactly
the functions the unit tests check.

- Nobody coaches or mentors themselves.
- A mentor is never the mentee's line manager (DOMAIN idea 2): a hard rule. A coach who is the
  line manager is allowed but flagged, so the leader sees it.
- Someone without sharing consent is proposed only within their own school.
- Leavers are never proposed (the visibility rule already hides them) and a need for a leaver
  is refused.
- A coach with too few hours left this term is shown but not proposed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from brokering import permissions
from brokering.errors import PermissionDenied
from brokering.viewer import ROLE_LABELS, Viewer

#: Why a candidate is not proposed, in the order they are checked.
NOT_PROPOSED = {
    "no_expertise": "no evidence of expertise in this skill or a close one",
    "no_consent": "has not agreed to alliance-wide sharing, so is proposed only in their school",
    "line_manager_mentor": "is their line manager, and a line manager is never their mentor",
    "no_capacity": "has too few coaching hours left this term",
}
#: The stage each reason belongs to (model.STAGES), in the order they are checked.
STAGE_REASONS = (
    ("expertise", "no_expertise"),
    ("consent", "no_consent"),
    ("line_manager", "line_manager_mentor"),
    ("room", "no_capacity"),
)


def not_proposed_reasons(
    stage_ok: dict[str, np.ndarray],
    expertise: np.ndarray,
    source: np.ndarray,
    evidence: np.ndarray,
    coaching_records: np.ndarray,
    hours_left: np.ndarray,
    need_hours: float,
    min_expertise: float,
) -> np.ndarray:
    """Per candidate, the rule that actually excluded them ("" when proposable), in words
    that name the figure: "expertise 47.9 is below the 50 needed to propose" — never "no
    evidence" for someone whose evidence scored under the threshold."""
    n = len(expertise)
    out = np.full(n, "", dtype=object)
    # Blanks as 0 once for the whole column (per candidate, it was a list's largest cost).
    expertise, evidence, coaching_records, hours_left = (
        np.nan_to_num(np.asarray(a, dtype=float))
        for a in (expertise, evidence, coaching_records, hours_left)
    )
    for stage, code in STAGE_REASONS:
        failed = np.flatnonzero(~np.asarray(stage_ok[stage], bool) & (out == ""))
        for i in failed:
            out[i] = _reason(code, i, expertise, source, evidence, coaching_records, hours_left,
                             need_hours, min_expertise)  # fmt: skip
    return out


def _reason(
    code: str,
    i: int,
    expertise: np.ndarray,
    source: np.ndarray,
    evidence: np.ndarray,
    coaching_records: np.ndarray,
    hours_left: np.ndarray,
    need_hours: float,
    min_expertise: float,
) -> str:
    if code == "no_expertise":
        seen = source[i] in ("direct", "close") or evidence[i] > 0
        if not seen and coaching_records[i] <= 0:
            return NOT_PROPOSED["no_expertise"]
        where = " (from a close skill)" if source[i] == "close" else ""
        return (
            f"expertise {float(expertise[i]):.1f}{where} is below the "
            f"{min_expertise:g} needed to propose"
        )
    if code == "no_capacity":
        left = float(hours_left[i])
        if left <= 1e-9:
            return "no hours left this term"
        return f"{left:g} hours left this term, {need_hours:g} needed"
    return NOT_PROPOSED[code]


#: Shown beside a proposable candidate.
FLAGS = {
    "line_manager_coach": "is their line manager: a coach from outside the line may speak more "
    "freely",
    "close_skill": "expertise is in a close skill, not this one",
}
#: Why a need could not be allocated, in the order they are checked.
UNMATCHABLE = {
    "left": "the member of staff has left; close the need",
    "no_expertise": "nobody you can see in the alliance has expertise in this skill",
    "no_consent": "the only people with this expertise work in other schools and have not "
    "agreed to alliance-wide sharing",
    "only_line_managers": "the only candidate is their line manager, who cannot be their mentor",
    "no_capacity": "every suitable candidate is full this term",
    "school_cap": "the suitable candidates with room are in schools whose outflow cap is reached",
    "taken": "the suitable candidates' hours went to needs where they matched better",
}

#: Roles that act for the whole alliance rather than one school.
ALLIANCE_ROLES = frozenset({"alliance_admin", "sle_coordinator"})


def not_self(candidate: ArrayLike, coachee: ArrayLike) -> np.ndarray:
    return np.asarray(np.not_equal(candidate, coachee))


def consent_allows(consent: ArrayLike, same_school: ArrayLike) -> np.ndarray:
    """Without consent a person is proposed only to colleagues in their own school."""
    return np.asarray(np.logical_or(consent, same_school))


def mentor_allowed(is_line_manager: ArrayLike, as_mentor: ArrayLike) -> np.ndarray:
    """A line manager is never proposed as a mentor."""
    return np.asarray(np.logical_not(np.logical_and(is_line_manager, as_mentor)))


def has_room(hours_left: ArrayLike, need_hours: ArrayLike) -> np.ndarray:
    """Enough hours left this term for the relationship (a tiny tolerance for rounding)."""
    return np.asarray(np.greater_equal(hours_left, np.subtract(need_hours, 1e-9)))


def _label(viewer: Viewer) -> str:
    return ROLE_LABELS[viewer.role].lower()


def can_manage_need(viewer: Viewer, school_id: str) -> bool:
    """Roles allowed to request coaches (permissions matrix) manage needs: the data manager
    and the SLE coordinator alliance-wide, a headteacher or senior leader for their own
    school's staff."""
    if not permissions.can(viewer, "request_coach"):
        return False
    return viewer.role in ALLIANCE_ROLES or viewer.school_id == school_id


def require_need_manager(viewer: Viewer, school_id: str, school_name: str) -> None:
    if not can_manage_need(viewer, school_id):
        raise PermissionDenied(
            f"Only leaders of {school_name}, the SLE coordinator or the alliance administrator "
            f"can change or request for this need; you are acting as a {_label(viewer)}."
        )


def can_decide(viewer: Viewer, school_id: str) -> bool:
    """A request is answered by the candidate's own school — its headteacher or a senior
    leader, who know the candidate's timetable: a role allowed to decide requests
    (permissions matrix) acting for that school."""
    return permissions.can(viewer, "decide_request") and viewer.school_id == school_id


def require_decider(viewer: Viewer, school_id: str, school_name: str) -> None:
    if not can_decide(viewer, school_id):
        raise PermissionDenied(
            f"This request goes to {school_name}: only its headteacher or a senior leader can "
            f"accept or decline it (you are acting as a {_label(viewer)}"
            f"{' of another school' if viewer.school_id else ''})."
        )


def require_allocator(viewer: Viewer) -> None:
    viewer.require_listing()
    if not permissions.can(viewer, "allocate"):
        raise PermissionDenied(
            "Whole-alliance allocation is run by the SLE coordinator or the alliance "
            f"administrator; you are acting as a {_label(viewer)}."
        )
