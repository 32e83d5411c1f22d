"""Whole-alliance allocation: every open need at once, previewed, then committed as requests.

Why preview then commit: the coordinator compares the optimal allocation with the greedy
first-come one (total quality, needs covered, schools involved) and reads why each leftover
need could not be matched before anything is sent. Committing turns the chosen proposals into
requests to the candidates' schools in one transaction — all or none — after checking that
nothing they rest on has changed since the preview.

The score of every need x candidate pair is the same as on the candidates list (one
vectorised formula, `model`); each need keeps its best `top_k` feasible candidates and
`solver.solve` assigns them. Needs already awaiting a reply to a request are left out (they
are in hand); needs of leavers are listed as unmatchable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from brokering import alliance_settings
from brokering.db import Connection
from brokering.errors import ValidationError
from brokering.matching import availability, model, rules
from brokering.matching.arrays import Arrays, need_arrays, schools_frame, to_arrays
from brokering.matching.capacity import capacity_left, school_outflow
from brokering.matching.needs import list_needs
from brokering.matching.params import DEFAULT_MATCH_PARAMS, PRIORITY_ORDER, MatchParams
from brokering.matching.pool import skill_pool, track_records
from brokering.matching.requests import lapse_due
from brokering.matching.solver import Solution, check, greedy, solve  # noqa: F401 - re-exported
from brokering.scoring import DEFAULT_PARAMS, ScoringParams
from brokering.terms import term_of
from brokering.viewer import Viewer

METHODS = ("optimal", "coverage", "greedy")
#: What a coordinator calls each method (the page and the text output; never a solver's name,
#: nor "quality": a coordinator speaks of needs matched and how well).
METHOD_LABELS = {
    "optimal": "Best matches overall",
    "coverage": "Match as many needs as possible",
    "greedy": "First come, first served",
}
PROPOSAL_COLUMNS = [
    "need_id",
    "staff_ref",
    "school_id",
    "school_name",
    "skill_id",
    "skill_name",
    "priority",
    "raised_on",
    "coach_ref",
    "coach_school_id",
    "coach_school_name",
    "proposed_as",
    "hours",
    "match_score",
    "hours_left_after",
    "days_left_after",
]
UNMATCHED_COLUMNS = ["need_id", "staff_ref", "school_name", "skill_name", "priority", "reason"]


@dataclass(frozen=True)
class MethodResult:
    method: str
    solver: str
    status: str
    seconds: float
    total_quality: float
    needs_covered: int
    needs_considered: int
    schools_involved: int
    cross_school: int
    proposals: pd.DataFrame
    unmatched: pd.DataFrame

    @property
    def total(self) -> float:
        return self.total_quality

    @property
    def covered(self) -> int:
        return self.needs_covered

    @property
    def average_match(self) -> float:
        """Average match score of the needs matched (0 when none is)."""
        return round(self.total_quality / self.needs_covered, 1) if self.needs_covered else 0.0


@dataclass(frozen=True)
class AllocationPlan:
    as_of: date
    term_label: str
    school_cap: float | None
    results: dict[str, MethodResult]
    awaiting_reply: int  # open needs left out because a request is pending
    seconds: float
    notes: list[str] = field(default_factory=list)

    def comparison(self) -> pd.DataFrame:
        """The side-by-side figures (one row per method) for the page and the CLI."""
        return pd.DataFrame(
            [
                {
                    "method": r.method,
                    "total_quality": r.total_quality,
                    "needs_covered": r.needs_covered,
                    "needs_considered": r.needs_considered,
                    "schools_involved": r.schools_involved,
                    "cross_school": r.cross_school,
                    "average_match": r.average_match,
                    "solver": r.solver,
                    "seconds": round(r.seconds, 3),
                }
                for r in self.results.values()
            ]
        )

    def differences(self, first: str = "optimal", second: str = "greedy") -> pd.DataFrame:
        """Needs whose proposed coach differs between two methods (or that only one
        matches): need, person, skill, and each method's coach and score."""
        cols = ["need_id", "staff_ref", "school_name", "skill_name"]
        a = self.results[first].proposals[[*cols, "coach_ref", "match_score"]]
        b = self.results[second].proposals[[*cols, "coach_ref", "match_score"]]
        both = a.merge(b, on=cols, how="outer", suffixes=(f"_{first}", f"_{second}"))
        differ = both[f"coach_ref_{first}"].fillna("") != both[f"coach_ref_{second}"].fillna("")
        return both[differ].sort_values("need_id").reset_index(drop=True)

    def chart_data(self) -> pd.DataFrame:
        """Long form (method, measure, value) for a grouped bar chart, in a coordinator's
        words: how many needs each way matches, and how well on average."""
        frame = self.comparison()
        labels = {
            "needs_covered": "Needs matched",
            "average_match": "Average match",
        }
        long = frame.melt(id_vars="method", value_vars=list(labels), var_name="measure")
        long["measure"] = long["measure"].map(labels)
        long["method"] = long["method"].map(METHOD_LABELS)
        return long


def _school_caps(
    con: Connection,
    viewer: Viewer,
    fraction: float,
    school_index: dict[str, int],
    as_of: date,
    hours: float,
) -> np.ndarray:
    """Hours each school may still give other schools this term: the fraction of its staff's
    total capacity, less what already goes out (active relationships, pending requests)."""
    frame = school_outflow(con, viewer, term_of(as_of), hours)
    caps = np.full(len(school_index), np.inf)
    for sid, cap, out in frame[["school_id", "capacity_hours", "outflow_hours"]].itertuples(
        index=False
    ):
        if sid in school_index:
            caps[school_index[sid]] = max(0.0, fraction * float(cap) - float(out))
    return caps


def plan_allocation(
    con: Connection,
    viewer: Viewer,
    *,
    as_of: date | None = None,
    school_cap: float | None = None,
    methods: tuple[str, ...] = METHODS,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
    scoring: ScoringParams = DEFAULT_PARAMS,
) -> AllocationPlan:
    """Both methods' proposals for every open need the viewer may see, and the leftovers."""
    t0 = time.perf_counter()
    rules.require_allocator(viewer)
    as_of = as_of or date.today()
    lapse_due(con, as_of)
    if school_cap is not None and not 0.0 <= school_cap <= 1.0:
        raise ValidationError("The school cap is a fraction between 0 and 1 (for example 0.5).")
    needs = list_needs(con, viewer, statuses=("open",))
    awaiting = int((needs["pending_requests"] > 0).sum())
    needs = needs[needs["pending_requests"] == 0].reset_index(drop=True)
    left = needs["staff_left_on"].notna()
    leavers, needs = needs[left], needs[~left].reset_index(drop=True)
    term = term_of(as_of)
    if not needs.empty:
        hours = capacity_left(con, viewer, as_of=as_of, default_hours=params.default_hours)
        if float(hours["hours_left"].sum()) <= 0:
            raise ValidationError(
                f"Nobody you can see has coaching hours left in {term.label}: record "
                "capacity_hours in staff.csv (hours a term each person can give) and try again."
            )
    skills = sorted(needs["skill_id"].unique())
    coached = track_records(con, viewer, skills)
    pools = [
        skill_pool(con, viewer, s, as_of=as_of, params=params, scoring=scoring, track=coached[s])
        for s in skills
    ]
    arrays = to_arrays(
        con, viewer, pools, as_of=as_of, params=params, extra_schools=list(needs["school_id"])
    )
    need_arr = need_arrays(needs, arrays, params)
    edges = model.top_edges(need_arr, arrays.pool, arrays.distance, params)
    edges = replace(
        edges,
        score=availability.lower_scores(
            edges.score,
            edges.coach,
            np.asarray(arrays.refs),
            availability.flagged_refs(con, as_of),
            params.unavailable_penalty,
        ),
    )
    caps = (
        _school_caps(con, viewer, school_cap, arrays.school_index, as_of, params.default_hours)
        if school_cap is not None
        else None
    )
    order = (
        needs.assign(_p=needs["priority"].map(PRIORITY_ORDER))
        .sort_values(["_p", "raised_on", "need_id"])
        .index.to_numpy()
    )
    names = dict(schools_frame(con)[["school_id", "name"]].itertuples(index=False))
    results = {}
    per_day = alliance_settings.get_float(con, "hours_per_day")
    for method in methods:
        solution = solve(
            edges.need,
            edges.coach,
            edges.score,
            n_needs=need_arr.size,
            capacity=arrays.pool.hours_left,
            need_hours=need_arr.hours,
            coach_school=arrays.pool.school,
            need_school=need_arr.school,
            school_cap=caps,
            method=method,
            need_order=order,
            time_limit=params.solver_time_limit,
        )
        result = _result(solution, needs, leavers, edges, arrays, need_arr, caps, names)
        before = arrays.pool.hours_left[
            edges.coach[solution.edge_of_need[solution.edge_of_need >= 0]]
        ]
        results[method] = replace(result, proposals=_left_after(result.proposals, before, per_day))
    return AllocationPlan(
        as_of, term.label, school_cap, results, awaiting, time.perf_counter() - t0
    )


def _result(
    solution: Solution,
    needs: pd.DataFrame,
    leavers: pd.DataFrame,
    edges: model.EdgeSet,
    arrays: Arrays,
    need_arr: model.Needs,
    caps: np.ndarray | None,
    school_names: dict[str, str],
) -> MethodResult:
    chosen = solution.edge_of_need
    assigned = np.nonzero(chosen >= 0)[0]
    e = chosen[assigned]
    people = arrays.people.set_index("staff_ref")
    coach_refs = arrays.refs[edges.coach[e]]
    need_columns = PROPOSAL_COLUMNS[: PROPOSAL_COLUMNS.index("raised_on") + 1]
    proposals = needs.iloc[assigned][need_columns].copy()
    proposals["coach_ref"] = coach_refs
    proposals["coach_school_id"] = people.loc[coach_refs, "school_id"].to_numpy()
    proposals["coach_school_name"] = proposals["coach_school_id"].map(school_names)
    proposals["proposed_as"] = np.where(edges.as_mentor[e], "mentor", "coach")
    proposals["hours"] = need_arr.hours[assigned]
    proposals["match_score"] = edges.score[e]
    proposals["hours_left_after"] = np.nan  # filled by _left_after
    proposals["days_left_after"] = np.nan
    proposals = proposals[PROPOSAL_COLUMNS].reset_index(drop=True)
    unmatched = _unmatched(solution, needs, leavers, edges, arrays, need_arr, caps)
    cross = proposals["school_id"] != proposals["coach_school_id"]
    schools = set(proposals["school_id"]) | set(proposals["coach_school_id"])
    return MethodResult(
        solution.method,
        solution.solver,
        solution.status,
        solution.seconds,
        round(solution.total, 1),
        solution.covered,
        len(needs) + len(leavers),
        len(schools),
        int(cross.sum()),
        proposals,
        unmatched,
    )


def _left_after(proposals: pd.DataFrame, before: np.ndarray, per_day: float) -> pd.DataFrame:
    """What each proposed coach has left this term once all of this method's proposals are
    accepted, in hours and in release days (SLE deployment is counted in days). `before` is
    each proposal's coach's hours left, in the proposals' order."""
    if proposals.empty:
        return proposals
    load = proposals.groupby("coach_ref")["hours"].transform("sum").to_numpy(dtype=float)
    after = np.maximum(np.asarray(before, dtype=float) - load, 0.0)
    return proposals.assign(
        hours_left_after=np.round(after, 1), days_left_after=np.round(after / per_day, 1)
    )


def _unmatched(
    solution: Solution,
    needs: pd.DataFrame,
    leavers: pd.DataFrame,
    edges: model.EdgeSet,
    arrays: Arrays,
    need_arr: model.Needs,
    caps: np.ndarray | None,
) -> pd.DataFrame:
    """Each need left without a coach, with the first reason that explains it."""
    missing = np.nonzero(solution.edge_of_need < 0)[0]
    counts = edges.stage_counts
    cap_left = None
    if caps is not None:
        cap_left = caps.copy()
        chosen = solution.edge_of_need[solution.edge_of_need >= 0]
        out = arrays.pool.school[edges.coach[chosen]] != need_arr.school[edges.need[chosen]]
        np.subtract.at(
            cap_left,
            arrays.pool.school[edges.coach[chosen[out]]],
            need_arr.hours[edges.need[chosen[out]]],
        )
    reasons = []
    for i in missing:
        if counts["expertise"][i] == 0:
            code = "no_expertise"
        elif counts["consent"][i] == 0:
            code = "no_consent"
        elif counts["line_manager"][i] == 0:
            code = "only_line_managers"
        elif counts["room"][i] == 0:
            code = "no_capacity"
        else:
            mine = edges.coach[edges.need == i]
            schools = arrays.pool.school[mine]
            cross = schools != need_arr.school[i]
            blocked = (
                cap_left is not None
                and bool(cross.all())
                and bool(np.all(cap_left[schools] + 1e-9 < need_arr.hours[i]))
            )
            code = "school_cap" if blocked else "taken"
        reasons.append(rules.UNMATCHABLE[code])
    frame = needs.iloc[missing][
        ["need_id", "staff_ref", "school_name", "skill_name", "priority"]
    ].copy()
    frame["reason"] = reasons
    gone = leavers[["need_id", "staff_ref", "school_name", "skill_name", "priority"]].copy()
    gone["reason"] = rules.UNMATCHABLE["left"]
    return pd.concat([frame, gone], ignore_index=True)[UNMATCHED_COLUMNS]


def allocate(
    con: Connection,
    viewer: Viewer,
    *,
    as_of: date | None = None,
    method: str = "optimal",
    school_cap: float | None = None,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
) -> MethodResult:
    """One method's preview over the store (the benchmark's entry point); nothing is sent."""
    if method not in METHODS:
        raise ValidationError(f"Unknown method '{method}': use {', '.join(METHODS)}.")
    plan = plan_allocation(
        con, viewer, as_of=as_of, school_cap=school_cap, methods=(method,), params=params
    )
    return plan.results[method]
