"""Assigning needs to coaches: an exact optimum and a greedy first-come baseline, on arrays.

Why two routes to the optimum: with every relationship costing the same hours and no outflow
cap the problem is a min-cost flow (OR-Tools `SimpleMinCostFlow`: source -> need -> coach ->
sink, coach arcs carrying its slots), solved exactly in well under a second at 5,000 x 10,000.
A per-school outflow cap constrains the cross-school pairs of many coaches together, and needs
of different hours make a coach's capacity a knapsack; neither is a flow. Those go to HiGHS
(scipy `milp`) over the same candidate edges: the linear relaxation first (an integral answer
is proved optimal), then exact branch-and-bound when the problem is small; a large fractional
one keeps the relaxation's whole edges, fills the rest best-first and reports its distance
from the relaxation's bound in `status`. Greedy serves needs in the given order (priority,
then first raised), each taking its best candidate that still fits, under exactly the same
constraints; the "optimal" answer is never below it (were a solver ever to return less, the
greedy assignment is kept and the status says so).

Units: `capacity` and `need_hours` share a unit (hours, or 1 per slot); a school's cap is in
that unit too and limits what its coaches give to needs of other schools.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

SCALE = 1000  # scores -> integer costs for the flow (scores carry 0.1 steps)
EPS = 1e-9
#: Above this many candidate edges a fractional relaxation is rounded, not branched on.
MILP_EDGE_LIMIT = 20_000


@dataclass(frozen=True)
class Solution:
    """`edge_of_need[i]` is the chosen edge for need i (-1 = unassigned)."""

    edge_of_need: np.ndarray
    coach_of_need: np.ndarray
    total: float
    covered: int
    method: str
    solver: str
    status: str
    seconds: float


def _finish(
    p: _Problem, chosen: np.ndarray, method: str, solver: str, status: str, t0: float
) -> Solution:
    edge_of_need = np.full(p.n_needs, -1, np.int64)
    edge_of_need[p.need[chosen]] = chosen
    coach_of_need = np.full(p.n_needs, -1, np.int64)
    coach_of_need[p.need[chosen]] = p.coach[chosen]
    return Solution(
        edge_of_need,
        coach_of_need,
        float(np.round(p.score[chosen].sum(), 6)),
        int(len(chosen)),
        method,
        solver,
        status,
        time.perf_counter() - t0,
    )


@dataclass(frozen=True)
class _Problem:
    need: np.ndarray
    coach: np.ndarray
    score: np.ndarray
    n_needs: int
    hours: np.ndarray  # per need
    capacity: np.ndarray  # per coach
    cross: np.ndarray  # per edge: coach and need in different schools
    coach_school: np.ndarray | None
    caps: np.ndarray | None  # per school, np.inf = no cap


def _problem(
    need: np.ndarray,
    coach: np.ndarray,
    score: np.ndarray,
    n_needs: int,
    capacity: np.ndarray,
    need_hours: np.ndarray | None,
    coach_school: np.ndarray | None,
    need_school: np.ndarray | None,
    school_cap: np.ndarray | None,
) -> _Problem:
    need = np.asarray(need, np.int64)
    coach = np.asarray(coach, np.int64)
    hours = np.ones(n_needs) if need_hours is None else np.asarray(need_hours, float)
    cross = np.zeros(len(need), bool)
    caps = cs = None
    if school_cap is not None:
        if coach_school is None or need_school is None:
            raise ValueError("A school cap needs the school of every coach and need.")
        cs = np.asarray(coach_school, np.int64)
        cross = cs[coach] != np.asarray(need_school, np.int64)[need]
        caps = np.asarray(school_cap, float)
    return _Problem(
        need,
        coach,
        np.asarray(score, float),
        n_needs,
        hours,
        np.asarray(capacity, float),
        cross,
        cs,
        caps,
    )


def _fill(p: _Problem, order: np.ndarray, chosen: np.ndarray | None = None) -> np.ndarray:
    """Accept edges in `order` whenever the need is still free and the coach's hours and the
    school's cap allow; start from `chosen` (already feasible). Returns the chosen edges."""
    left = p.capacity.copy()
    cap_left = None if p.caps is None else p.caps.copy()
    done = np.zeros(p.n_needs, bool)
    picked: list[int] = []
    for e in [] if chosen is None else chosen.tolist():
        picked.append(e)
        done[p.need[e]] = True
        left[p.coach[e]] -= p.hours[p.need[e]]
        if cap_left is not None and p.cross[e]:
            cap_left[p.coach_school[p.coach[e]]] -= p.hours[p.need[e]]  # type: ignore[index]
    need, coach, hours, cross = p.need, p.coach, p.hours, p.cross
    cs = p.coach_school
    for e in order.tolist():
        i, c = need[e], coach[e]
        if done[i]:
            continue
        h = hours[i]
        if left[c] + EPS < h:
            continue
        if cap_left is not None and cross[e] and cap_left[cs[c]] + EPS < h:  # type: ignore[index]
            continue
        left[c] -= h
        if cap_left is not None and cross[e]:
            cap_left[cs[c]] -= h  # type: ignore[index]
        done[i] = True
        picked.append(e)
    return np.asarray(picked, np.int64)


def greedy(
    need: np.ndarray,
    coach: np.ndarray,
    score: np.ndarray,
    *,
    n_needs: int,
    capacity: np.ndarray,
    need_hours: np.ndarray | None = None,
    coach_school: np.ndarray | None = None,
    need_school: np.ndarray | None = None,
    school_cap: np.ndarray | None = None,
    need_order: np.ndarray | None = None,
) -> Solution:
    """First come, first served: each need in `need_order` takes its best candidate with
    room (ties: lower coach index), within capacity and the outflow cap."""
    t0 = time.perf_counter()
    p = _problem(
        need, coach, score, n_needs, capacity, need_hours, coach_school, need_school, school_cap
    )
    rank = np.empty(n_needs, np.int64)
    rank[np.arange(n_needs) if need_order is None else np.asarray(need_order)] = np.arange(n_needs)
    order = np.lexsort((p.coach, -p.score, rank[p.need]))
    return _finish(p, _fill(p, order), "greedy", "greedy", "done", t0)


def _flow(p: _Problem, slots: np.ndarray) -> np.ndarray:
    m, n = len(slots), p.n_needs
    used = np.unique(p.need)
    source, sink = n + m, n + m + 1
    tails = np.concatenate([np.full(len(used), source), p.need, n + np.arange(m), [source]])
    heads = np.concatenate([used, n + p.coach, np.full(m, sink), [sink]])
    caps = np.concatenate([np.ones(len(used)), np.ones(len(p.need)), slots, [len(used)]])
    costs = np.concatenate([np.zeros(len(used)), -np.round(p.score * SCALE), np.zeros(m), [0]])
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int64),
        heads.astype(np.int64),
        caps.astype(np.int64),
        costs.astype(np.int64),
    )
    smcf.set_node_supply(source, len(used))
    smcf.set_node_supply(sink, -len(used))
    if smcf.solve() != smcf.OPTIMAL:  # pragma: no cover - the bypass arc keeps it feasible
        raise RuntimeError("The min-cost flow found no optimal solution.")
    flows = smcf.flows(arcs[len(used) : len(used) + len(p.need)])
    return np.nonzero(flows > 0)[0]


def _constraints(p: _Problem) -> LinearConstraint:
    """Rows: one coach per need; hours per coach; cross-school hours per capped school."""
    e = len(p.need)
    eh = p.hours[p.need]
    _, need_row = np.unique(p.need, return_inverse=True)
    coaches, coach_row = np.unique(p.coach, return_inverse=True)
    n_rows = int(need_row.max()) + 1
    rows, cols, vals = [need_row, n_rows + coach_row], [np.arange(e)] * 2, [np.ones(e), eh]
    ub = [np.ones(n_rows), p.capacity[coaches]]
    n_rows += len(coaches)
    if p.caps is not None and p.coach_school is not None and p.cross.any():
        idx = np.nonzero(p.cross)[0]
        schools, school_row = np.unique(p.coach_school[p.coach[idx]], return_inverse=True)
        finite = np.isfinite(p.caps[schools])
        keep = finite[school_row]
        rows.append(n_rows + np.cumsum(finite)[school_row[keep]] - 1)
        cols.append(idx[keep])
        vals.append(eh[idx[keep]])
        ub.append(p.caps[schools[finite]])
        n_rows += int(finite.sum())
    matrix = csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, e)
    )
    return LinearConstraint(matrix, -np.inf, np.concatenate(ub) + EPS)


def _programme(p: _Problem, time_limit: float) -> tuple[np.ndarray, str]:
    """The linear relaxation first (HiGHS): an integral answer is already optimal. Otherwise
    the exact mixed-integer programme when it is small, else the relaxation's whole edges
    kept and the rest filled best-first, reported against the relaxation's bound."""
    cost = -np.round(p.score * SCALE)
    cons = _constraints(p)
    bounds = Bounds(0, 1)
    lp = milp(
        cost,
        constraints=cons,
        integrality=np.zeros(len(cost)),
        bounds=bounds,
        options={"time_limit": time_limit, "disp": False},
    )
    if lp.x is None:  # pragma: no cover - a zero assignment is always feasible
        return np.zeros(0, np.int64), "no solution within the time limit"
    whole = lp.x > 1 - 1e-6
    if np.all(whole | (lp.x < 1e-6)):
        return np.nonzero(whole)[0], "optimal"
    if len(cost) <= MILP_EDGE_LIMIT:
        exact = milp(
            cost,
            constraints=cons,
            integrality=np.ones(len(cost)),
            bounds=bounds,
            options={"time_limit": time_limit, "mip_rel_gap": 0.0, "disp": False},
        )
        if exact.x is not None and exact.status == 0:
            return np.nonzero(exact.x > 0.5)[0], "optimal"
    order = np.lexsort((p.coach, p.need, -p.score, -np.round(lp.x, 6)))
    chosen = _fill(p, order, np.nonzero(whole)[0])
    bound = -float(lp.fun) / SCALE
    gap = (bound - float(p.score[chosen].sum())) / bound if bound > 0 else 0.0
    return chosen, f"within {gap:.2%} of optimal (bound of the linear relaxation)"


def solve(
    need: np.ndarray,
    coach: np.ndarray,
    score: np.ndarray,
    *,
    n_needs: int,
    capacity: np.ndarray,
    need_hours: np.ndarray | None = None,
    coach_school: np.ndarray | None = None,
    need_school: np.ndarray | None = None,
    school_cap: np.ndarray | None = None,
    method: str = "optimal",
    need_order: np.ndarray | None = None,
    time_limit: float = 20.0,
) -> Solution:
    """Assign each need at most one coach (edge), maximising the total score.

    need, coach, score: the candidate edges (one per feasible pair; scores > 0).
    capacity: per coach, in the unit of `need_hours` (default: 1 per need, i.e. slots).
    coach_school, need_school, school_cap: optional outflow cap per school (np.inf = none).
    need_order: the greedy's serving order (default: need index).
    method: `optimal` (highest total), `coverage` (most needs, then highest total) or
    `greedy` (first come, first served).
    """
    args = (need, coach, score)
    kwargs = dict(
        n_needs=n_needs,
        capacity=capacity,
        need_hours=need_hours,
        coach_school=coach_school,
        need_school=need_school,
        school_cap=school_cap,
    )
    if method == "coverage":
        return _coverage_first(need, coach, score, need_order, time_limit, kwargs)
    base = greedy(*args, need_order=need_order, **kwargs)  # type: ignore[arg-type]
    if method == "greedy":
        return base
    if method != "optimal":
        raise ValueError(f"Unknown method '{method}': use optimal, coverage or greedy.")
    t0 = time.perf_counter()
    p = _problem(
        need, coach, score, n_needs, capacity, need_hours, coach_school, need_school, school_cap
    )
    if len(p.need) == 0:
        return _finish(p, np.zeros(0, np.int64), "optimal", "none", "optimal", t0)
    used_hours = p.hours[np.unique(p.need)]
    uniform = bool(np.all(np.abs(used_hours - used_hours[0]) < EPS))
    cap_binds = p.caps is not None and bool(np.isfinite(p.caps).any()) and bool(p.cross.any())
    if uniform and not cap_binds:
        slots = np.floor(p.capacity / used_hours[0] + EPS).astype(np.int64)
        chosen, solver, status = _flow(p, slots), "min-cost flow", "optimal"
    else:
        chosen, status = _programme(p, time_limit)
        solver = "integer programme (HiGHS)"
    best = _finish(p, chosen, "optimal", solver, status, t0)
    if best.total + EPS < base.total:  # never below greedy, whatever a solver managed
        kept = base.edge_of_need[base.edge_of_need >= 0]
        return _finish(p, kept, "optimal", solver, f"{status}; greedy assignment kept", t0)
    return best


def _coverage_first(
    need: np.ndarray,
    coach: np.ndarray,
    score: np.ndarray,
    need_order: np.ndarray | None,
    time_limit: float,
    kwargs: dict,
) -> Solution:
    """As many needs as possible, then the highest total among those assignments: the optimum
    of scores each raised by more than any assignment's whole total, so one more need always
    outweighs any gain in quality. The total reported is of the true scores."""
    t0 = time.perf_counter()
    score = np.asarray(score, float)
    bonus = float(np.clip(score, 0, None).sum()) + 1.0
    best = solve(
        need,
        coach,
        score + bonus,
        method="optimal",
        need_order=need_order,
        time_limit=time_limit,
        **kwargs,
    )
    p = _problem(
        need,
        coach,
        score,
        kwargs["n_needs"],
        kwargs["capacity"],
        kwargs["need_hours"],
        kwargs["coach_school"],
        kwargs["need_school"],
        kwargs["school_cap"],
    )
    chosen = best.edge_of_need[best.edge_of_need >= 0]
    return _finish(p, chosen, "coverage", best.solver, best.status, t0)


def check(
    solution: Solution,
    need: np.ndarray,
    coach: np.ndarray,
    *,
    capacity: np.ndarray,
    need_hours: np.ndarray | None = None,
    coach_school: np.ndarray | None = None,
    need_school: np.ndarray | None = None,
    school_cap: np.ndarray | None = None,
) -> list[str]:
    """Every constraint a solution breaks (empty when it is valid): for tests and commits."""
    n_needs = len(solution.edge_of_need)
    p = _problem(
        need,
        coach,
        np.zeros(len(need)),
        n_needs,
        capacity,
        need_hours,
        coach_school,
        need_school,
        school_cap,
    )
    chosen = solution.edge_of_need[solution.edge_of_need >= 0]
    if len(chosen) and not np.array_equal(
        p.need[chosen], np.nonzero(solution.edge_of_need >= 0)[0]
    ):
        return ["an edge was recorded against the wrong need"]
    problems = []
    load = np.bincount(p.coach[chosen], weights=p.hours[p.need[chosen]], minlength=len(p.capacity))
    if np.any(load > p.capacity + 1e-6):
        problems.append("a coach was given more hours than they have")
    if p.caps is not None and p.coach_school is not None:
        out = chosen[p.cross[chosen]]
        flow = np.bincount(
            p.coach_school[p.coach[out]], weights=p.hours[p.need[out]], minlength=len(p.caps)
        )
        if np.any(flow > p.caps + 1e-6):
            problems.append("a school gave more than its outflow cap")
    return problems
