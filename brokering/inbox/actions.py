"""Deciding from the inbox: several requests at once, with one reason.

Why one at a time underneath: each request is its own decision with its own checks (the
coach's hours, the need still open, another leader answering at the same moment), so each
is decided in its own transaction and the outcome of every one is reported — a request that
is refused leaves the others decided, and the leader is told exactly which and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from brokering.db import Connection
from brokering.errors import BrokeringError, ValidationError
from brokering.matching import requests
from brokering.viewer import Viewer


@dataclass(frozen=True)
class Outcome:
    request_id: int
    ok: bool
    message: str


def decide_many(
    con: Connection,
    viewer: Viewer,
    request_ids: list[int],
    *,
    accept: bool,
    reason: str = "",
    colleague_agreed_on: date | None = None,
    today: date | None = None,
) -> list[Outcome]:
    """Accept or decline each request with the same reason (and, to accept, the day the
    colleagues agreed). Refuses an empty choice or a decline without a reason before
    touching anything."""
    if not request_ids:
        raise ValidationError("Choose at least one request to answer.")
    if not accept and not (reason or "").strip():
        raise ValidationError("Say why the requests are declined: the other schools will read it.")
    out = []
    for rid in request_ids:
        try:
            done = requests.decide(
                con,
                viewer,
                int(rid),
                accept=accept,
                reason=reason,
                colleague_agreed_on=colleague_agreed_on,
                today=today,
            )
            out.append(Outcome(int(rid), True, f"Request {rid} {done.status}."))
        except BrokeringError as exc:
            out.append(Outcome(int(rid), False, f"Request {rid}: {exc}"))
    return out
