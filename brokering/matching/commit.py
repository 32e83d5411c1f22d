"""Committing an allocation: the chosen method's proposals sent as requests, all or none.

Why apart from the plan: planning only reads, and may be re-run as often as the coordinator
likes; committing writes requests to other schools, so it re-checks everything the preview
rested on (each need still open and unanswered, each coach's hours) inside one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from brokering import audit
from brokering.db import Connection, transaction
from brokering.errors import ValidationError
from brokering.matching import rules
from brokering.matching.allocation import METHODS, AllocationPlan
from brokering.matching.capacity import capacity_left
from brokering.matching.needs import list_needs
from brokering.matching.params import DEFAULT_MATCH_PARAMS, MatchParams
from brokering.matching.requests import INSERT_SQL, reply_by_for
from brokering.viewer import Viewer


@dataclass(frozen=True)
class Commit:
    batch_id: str
    method: str
    request_ids: list[int]


def commit_allocation(
    con: Connection,
    viewer: Viewer,
    plan: AllocationPlan,
    method: str = "optimal",
    *,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
) -> Commit:
    """Send the chosen method's proposals as requests, all in one transaction, after checking
    that every need is still open and unanswered and every coach still has the hours."""
    rules.require_allocator(viewer)
    if method not in plan.results:
        raise ValidationError(f"Unknown method '{method}': use {', '.join(METHODS)}.")
    proposals = plan.results[method].proposals
    if proposals.empty:
        raise ValidationError("There are no proposals to commit.")
    needs = list_needs(con, viewer, statuses=("open",))
    ready = needs[(needs["pending_requests"] == 0) & needs["staff_left_on"].isna()]
    stale = sorted(set(proposals["need_id"]) - set(ready["need_id"]))
    hours = capacity_left(
        con,
        viewer,
        as_of=plan.as_of,
        staff_refs=sorted(set(proposals["coach_ref"])),
        default_hours=params.default_hours,
    ).set_index("staff_ref")["hours_left"]
    load = proposals.groupby("coach_ref")["hours"].sum()
    short = sorted(c for c, h in load.items() if hours.get(c, 0.0) + 1e-9 < h)
    if stale or short:
        raise ValidationError(
            "The alliance's data changed since this preview ("
            + "; ".join(
                (
                    [f"needs no longer open or already asked: {', '.join(stale[:5])}"]
                    if stale
                    else []
                )
                + ([f"coaches without the hours now: {', '.join(short[:5])}"] if short else [])
            )
            + "). Nothing was sent: preview again."
        )
    batch = f"A{date.today():%Y%m%d}-{uuid.uuid4().hex[:8]}"
    reply_by = reply_by_for(con, plan.as_of)
    rows = [
        [
            r.need_id,
            r.coach_ref,
            r.coach_school_id,
            r.staff_ref,
            r.skill_id,
            "mentoring" if r.proposed_as == "mentor" else "coaching",
            float(r.hours),
            float(r.match_score),
            "allocation",
            batch,
            None,
            viewer.username,
            viewer.role,
            viewer.school_id,
            reply_by,
            None,
        ]
        for r in proposals.itertuples(index=False)
    ]
    with transaction(con):
        con.executemany(
            INSERT_SQL,
            rows,
        )
        ids = [
            int(r[0])
            for r in con.execute(
                "SELECT request_id FROM match_requests WHERE batch_id = ? ORDER BY request_id",
                [batch],
            ).fetchall()
        ]
    audit.record(
        con,
        viewer,
        "allocation.commit",
        {"batch_id": batch, "method": method, "requests": len(ids), "school_cap": plan.school_cap},
    )
    return Commit(batch, method, ids)
