# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""The per-pairing facts every dashboard figure is built from, kept as derived tables.

Why derived tables: the current state of a pairing is a window over its append-only
versions and log, and working that out for 100,000 pairings takes over a second — too slow
to repeat for every figure on every page view. So the facts are built once (brokering.derived)
into one row per pairing, one per participant with their school, one per school-to-school
link of a pairing, and one per coaching relationship with both schools — and rebuilt, before
the next read, whenever the pairings, their log, coaching, the staff or the taxonomy have
changed. The aggregates then run as plain SQL group-bys, distinct-people counts for
suppression included.

Kept private to the dashboard package: a pairing is two or three people, so it is never
handed to a page as such — only the aggregates built from it are, after suppression.

Dates: a transferred pairing concludes on its first qualifying observation; a pairing not
transferred or stopped concludes on the later of its review date and its last activity.
Hours invested are the hours logged plus the cover and travel hours (the transaction cost).

How each table is built, and which rows a write works out again: `fact_tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from brokering import derived
from brokering.dashboard.fact_tables import (  # noqa: F401 - the facts' words, read from here
    DASHBOARD,
    FINAL,
    FINAL_SQL,
    OUTCOME_SQL,
    PERSON_KEY,
)
from brokering.db import Connection
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer
from brokering.visibility import may_show, visible_staff_sql


@dataclass(frozen=True)
class Scope:
    """What the dashboard is looking at: a school (None: the alliance) and a skill area."""

    school_id: str | None = None
    area: str | None = None


ALLIANCE = Scope()


@dataclass(frozen=True)
class Facts:
    """Where the facts are read from: the derived tables, or inline subqueries."""

    pairings: str
    people: str
    coaching: str
    links: str
    receivers: str
    keys: str
    stored: bool
    #: Per current status: pairings and distinct people (`pairings.views.counts_by_status`).
    by_status: str
    #: The links and coaching records as numbers (`flow_facts`): what the flows read.
    flow_links: str
    flow_coaching: str
    #: `receivers` once per person of the pairing (staff_ref, side).
    receiver_people: str
    #: `receiver_people` as numbers (`outcome_numbers`).
    receiver_numbers: str


def facts(con: Connection) -> Facts:
    """The facts relations, current with the data (see `brokering.derived.relations`)."""
    r = derived.relations(con, DASHBOARD)
    return Facts(
        r["pairings"],
        r["people"],
        r["coaching"],
        r["links"],
        r["receivers"],
        r["keys"],
        r.stored,
        r["by_status"],
        r["flow_links"],
        r["flow_coaching"],
        r["receiver_people"],
        r["receiver_numbers"],
    )


def build(con: Connection) -> None:
    """(Re)build the dashboard's facts now (the next read would do it anyway)."""
    derived.build(con, DASHBOARD)


def drop(con: Connection) -> None:
    """Remove the derived facts (the next dashboard read rebuilds them)."""
    derived.drop(con, DASHBOARD)


def scoped(f: Facts, scope: Scope, alias: str = "p") -> tuple[str, list[object]]:
    """A WHERE fragment keeping the pairings in `scope`: the skill area, and for a school
    the pairings with a participant (on either side) from it. Only the filters in use are
    written, so the alliance-wide view does not pay for a school's subquery."""
    parts, values = ["TRUE"], []
    if scope.area is not None:
        parts.append(f"{alias}.area = ?")
        values.append(scope.area)
    if scope.school_id is not None:
        parts.append(
            f"{alias}.pairing_id IN (SELECT pairing_id FROM {f.people} WHERE school_id = ?)"
        )
        values.append(scope.school_id)
    return " AND ".join(parts), values


def outside(f: Facts, school_id: str, alias: str = "p") -> tuple[str, list[object]]:
    """A WHERE fragment keeping the pairings with no participant from `school_id`: the
    alliance's figures less the school's (what suppression of a school's view weighs)."""
    return (
        f"{alias}.pairing_id NOT IN (SELECT pairing_id FROM {f.people} WHERE school_id = ?)",
        [school_id],
    )


def pairing_facts(con: Connection, viewer: Viewer, scope: Scope = ALLIANCE) -> pd.DataFrame:
    """Per pairing in scope: the facts as a frame, with its schools and people as lists.
    For checks and exports of the dashboard's own workings; figures use the SQL aggregates."""
    f = facts(con)
    where, values = scoped(f, scope)
    frame = con.execute(
        f"""
        SELECT p.*,
               coalesce(list(DISTINCT m.school_id ORDER BY m.school_id)
                        FILTER (WHERE m.side = 'donor'), []) AS donor_schools,
               coalesce(list(DISTINCT m.school_id ORDER BY m.school_id)
                        FILTER (WHERE m.side = 'recipient'), []) AS recipient_schools,
               list(DISTINCT m.staff_ref ORDER BY m.staff_ref) AS people
        FROM {f.pairings} p JOIN {f.people} m USING (pairing_id)
        WHERE {where}
        GROUP BY ALL ORDER BY p.pairing_id
        """,
        values,
    ).df()
    for col in ("start_date", "review_date", "first_evidence", "concluded_on", "last_activity"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def guarded(
    value: float | int | None, people: int, viewer: Viewer, threshold: int = SUPPRESSION_THRESHOLD
) -> float | int | None:
    """A figure, or None when it rests on fewer people than the threshold (the alliance
    administrator sees it anyway)."""
    if value is None or viewer.sees_everyone:
        return value
    return value if may_show(people, threshold) else None


def unseen_sql(
    viewer: Viewer, alias: str = "m", listed: bool = False, keyed: bool = False
) -> tuple[str, list[object]]:
    """A SQL truth value (and its parameters): the person `alias`.staff_ref is one the viewer
    cannot see one by one — everyone, for an aggregate-only role; nobody, for the
    administrator. Read live from the staff list, so a change of consent counts at once.
    `listed`: every such person is on the staff list (the facts' participants are: they are
    joined to it), so the same people are those of the list the viewer cannot see — for a
    head of school a quarter of the list to look them up in, not three quarters. `keyed`:
    (with `listed`) the person is `alias`.person, their `PERSON_KEY` (exact while the facts'
    `keys` say no two staff share one)."""
    if viewer.aggregate_only:
        return "TRUE", []
    if viewer.sees_everyone:
        return "FALSE", []
    vis, params = visible_staff_sql(viewer, "st")
    if listed:
        person, key = f"{alias}.staff_ref", "st.staff_ref"
        if keyed:
            person, key = f"{alias}.person", PERSON_KEY.format("st.staff_ref")
        return f"({person} IN (SELECT {key} FROM staff st WHERE {vis} IS NOT TRUE))", params
    return (
        f"({alias}.staff_ref NOT IN (SELECT st.staff_ref FROM staff st WHERE {vis}))",
        params,
    )


def ts(day: date) -> pd.Timestamp:
    """A date as the Timestamp the facts frame's date columns compare with."""
    return pd.Timestamp(day)
