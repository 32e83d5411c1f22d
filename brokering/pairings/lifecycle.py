"""The pairing lifecycle as a transition table.

    proposed -> agreed -> active -> review due -> transferred (evidenced)
                                               -> not transferred (reason required)
    any open state -> stopped (reason required)
    review due -> active (the review extends the work: a later review date is required)

transferred, not transferred and stopped are final: nothing moves out of them. A pairing is
*transferred* only on an observation that shows change (the transfer rule, `transfer_rule`).
"""

from __future__ import annotations

from datetime import date

from brokering.dates import day
from brokering.errors import ValidationError
from brokering.pairings import transfer_rule

STATUSES = (
    "proposed",
    "agreed",
    "active",
    "review due",
    "transferred",
    "not transferred",
    "stopped",
)
FINAL = frozenset({"transferred", "not transferred", "stopped"})
OPEN = tuple(s for s in STATUSES if s not in FINAL)
#: States a pairing may be logged (or imported as new) in directly.
STARTING = ("proposed", "agreed", "active")

#: (from, to) -> what the move needs. Any pair not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("proposed", "agreed"): "both schools have agreed the work",
    ("proposed", "stopped"): "a reason",
    ("agreed", "active"): "the work has begun",
    ("agreed", "stopped"): "a reason",
    ("active", "review due"): "the review is due",
    ("active", "stopped"): "a reason",
    ("review due", "transferred"): "an observation of the recipient showing change, as the "
    "transfer rule says",
    ("review due", "not transferred"): "a reason",
    ("review due", "active"): "a later review date",
    ("review due", "stopped"): "a reason",
}
NEEDS_REASON = frozenset({"not transferred", "stopped"})


def next_statuses(current: str) -> tuple[str, ...]:
    """The states a pairing in `current` may move to, in lifecycle order."""
    return tuple(s for s in STATUSES if (current, s) in TRANSITIONS)


def _needs(what: str) -> str:
    """What a move needs, as the end of a sentence: "with a reason", "once the work has begun"."""
    return f"with {what}" if what.startswith(("a ", "an ")) else f"once {what}"


def next_steps_text(current: str) -> str:
    """The moves open from `current`, in words, each with what it needs. Read from
    `TRANSITIONS`, so what the page says beside the status control is the rule itself."""
    check_status(current)
    if current in FINAL:
        return (
            f"{current.capitalize()} is a final state: nothing moves out of it. "
            "Log a new pairing to continue the work."
        )
    steps = [f"{target} ({_needs(TRANSITIONS[(current, target)])})" for target in
             next_statuses(current)]  # fmt: skip
    listed = ", ".join(steps[:-1]) + f" or {steps[-1]}" if len(steps) > 1 else steps[0]
    return f"From {current} the pairing can move to {listed}."


def diagram(current: str) -> str:
    """The lifecycle as a Graphviz graph (DOT), the pairing's state filled in: every arrow is
    a pair in `TRANSITIONS`, so the picture cannot drift from the rules."""
    check_status(current)
    nodes = [
        f'"{s}" [style="rounded,filled", fillcolor="{"#1f77b4" if s == current else "white"}", '
        f'fontcolor="{"white" if s == current else "black"}"]'
        for s in STATUSES
    ]
    edges = [f'"{a}" -> "{b}"' for a, b in TRANSITIONS if b != "stopped" or a == current]
    return (
        'digraph { rankdir=LR; node [shape=box, fontname="sans-serif", fontsize=10]; '
        + "; ".join(nodes + edges)
        + " }"
    )


def reachable(current: str, target: str) -> bool:
    """True when `target` can be reached from `current` by allowed moves (or is the same).
    An import may jump several steps at once, but never backwards out of a final state."""
    seen, frontier = {current}, [current]
    while frontier:
        state = frontier.pop()
        for nxt in next_statuses(state):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return target in seen


def check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValidationError(
            f"'{status}' is not a pairing status; use one of: {', '.join(STATUSES)}."
        )


def check_move(
    current: str,
    target: str,
    *,
    reason: str | None = None,
    transfer_evidence: int = 0,
    transfer_detail: str = "",
    review_date: date | None = None,
    current_review_date: date | None = None,
) -> None:
    """Refuse a move the lifecycle does not allow, or one missing what it needs."""
    check_status(target)
    if current == target:
        raise ValidationError(f"The pairing is already {current}.")
    if (current, target) not in TRANSITIONS:
        if current in FINAL:
            raise ValidationError(
                f"The pairing is {current}, a final state: it cannot move to {target}. "
                "Log a new pairing to continue the work."
            )
        allowed = next_statuses(current)
        raise ValidationError(
            f"A pairing cannot move from {current} to {target}. From {current} it can move "
            f"to: {', '.join(allowed)}."
        )
    if target in NEEDS_REASON and not (reason or "").strip():
        raise ValidationError(f"Give the reason the pairing is {target}: it stays on record.")
    if target == "transferred" and transfer_evidence < 1:
        raise ValidationError(
            f"Not moved to transferred: {transfer_rule.rule_text()}."
            + (f" {transfer_detail}" if transfer_detail else " No observation is logged yet.")
            + " Nothing was changed."
        )
    if (current, target) == ("review due", "active"):
        if review_date is None or (
            current_review_date is not None and review_date <= current_review_date
        ):
            raise ValidationError(
                "To continue the work after its review, set a new review date later than "
                f"the last one ({day(current_review_date, 'none set')})."
            )
