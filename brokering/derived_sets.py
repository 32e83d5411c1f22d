"""Every derived set the store keeps (brokering.derived), in one list: for the writers that
keep them current after a write, the re-lay after an import, and `stats`.

Why one list: a set left out of a writer's upkeep would go stale after that write and make
the next page view pay for a whole rebuild. The sets are imported when first asked for, so a
writer (the pairings, the matching, consent) does not load the dashboard to write a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from brokering import derived
from brokering.db import Connection
from brokering.derived import DerivedSet, Upkeep


def all_sets() -> tuple[DerivedSet, ...]:
    """The dashboard's facts, the maturity indicators' staff summary, the ledger's facts."""
    from brokering.dashboard.facts import DASHBOARD
    from brokering.dashboard.staff_summary import STAFF_SUMMARY
    from brokering.pairings.ledger_facts import LEDGER

    return (DASHBOARD, STAFF_SUMMARY, LEDGER)


def drop_all(con: Connection) -> None:
    """Remove every derived set (each next read rebuilds it): for a store rewritten behind
    the write paths' back, whose counts may happen to equal the old ones."""
    for spec in all_sets():
        derived.drop(con, spec)


@contextmanager
def upkeep(con: Connection) -> Iterator[Upkeep]:
    """Inside a write's transaction: note which sets are current now; the writer `touch`es
    the parts it changed; on leaving, those parts are worked out again (`derived.Upkeep`)."""
    kept = Upkeep(con, all_sets())
    yield kept
    kept.finish()


def status(con: Connection) -> dict[str, bool]:
    """Set name -> whether its stored tables match the data now (else the next read rebuilds)."""
    return {spec.name: derived.is_current(con, spec) for spec in all_sets()}


def rebuild_stale(con: Connection) -> list[str]:
    """After an import (its rows may have changed anywhere): rebuild every set that was built
    here and whose data moved, so the next page view finds it ready; returns the names. A set
    never built is left for its first read, as before."""
    done = []
    for spec in all_sets():
        built = derived.stored_signature(con, spec)
        if built is not None and built != derived.signature(con, spec):
            derived.build(con, spec)
            done.append(spec.name)
    return done
