"""Who may change a pairing, and who may be named in one.

The alliance administrator and the SLE coordinator log and change any pairing they can see;
a headteacher or senior leader those that include their own school's staff. Nobody may name
a person they cannot see (a partner school's colleague without sharing consent, or a leaver).
"""

from __future__ import annotations

from collections.abc import Iterable

from brokering import permissions
from brokering.db import Connection
from brokering.errors import NotFoundError, PermissionDenied, ValidationError
from brokering.pairings import store
from brokering.viewer import Viewer

#: Roles that may log and change any pairing they can see; school leaders change their own.
COORDINATING_ROLES = frozenset({"alliance_admin", "sle_coordinator"})


def require_writer(viewer: Viewer) -> None:
    if not permissions.can(viewer, "log_pairing"):
        raise PermissionDenied(
            "Your role sees alliance figures only; it cannot log or change pairings."
        )


def check_people(con: Connection, viewer: Viewer, refs: Iterable[str]) -> dict[str, str]:
    """Each new participant must be a current member of staff the viewer can see; returns
    staff_ref -> school_id."""
    wanted = list(dict.fromkeys(refs))
    facts = store.staff_facts(con, viewer, wanted)
    visible = store.visible_refs(con, viewer, wanted)
    problems = []
    for ref in wanted:
        fact = facts.get(ref)
        if fact is not None and fact[1] is not None:
            problems.append(f"{ref} left on {fact[1]}; a leaver cannot join a pairing")
        elif ref not in visible:
            problems.append(
                f"{ref} is not a member of staff you can see in the alliance (check the "
                "reference; partner-school staff appear only with their consent)"
            )
    if problems:
        raise ValidationError("; ".join(problems) + ".")
    return {ref: facts[ref][0] for ref in wanted}


def require_school_link(viewer: Viewer, schools: Iterable[str]) -> None:
    if viewer.role not in COORDINATING_ROLES and viewer.school_id not in set(schools):
        raise PermissionDenied(
            "A school leader can log and change only pairings that include their own "
            "school's staff; the SLE coordinator handles the rest."
        )


def pairing_access(con: Connection, viewer: Viewer, pairing_id: str) -> tuple[dict, dict[str, str]]:
    """The pairing's current row and members, if this viewer may change it."""
    require_writer(viewer)
    row = store.current_version(con, pairing_id)
    sides = store.members(con, pairing_id) if row else {}
    if row is None or not store.visible_refs(con, viewer, sides):
        raise NotFoundError(f"There is no pairing {pairing_id} that you can see.")
    schools = [fact[0] for fact in store.staff_facts(con, viewer, sides).values()]
    require_school_link(viewer, schools)
    return row, sides
