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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from brokering import derived
from brokering.dashboard import flow_facts
from brokering.db import Connection
from brokering.derived import DerivedSet, Part, Spread, Table, source
from brokering.pairings.transfer_rule import observations_sql
from brokering.settings import DEFAULT_RELATIONSHIP_HOURS, SUPPRESSION_THRESHOLD, TRANSFER_LEVEL
from brokering.viewer import Viewer
from brokering.visibility import may_show, visible_staff_sql

FINAL = ("transferred", "not transferred", "stopped")
#: The final statuses as a SQL list, and a pairing's outcome (its final status, else open):
#: one definition for the outcomes table, the ratings' tie to it and the overdue figure.
FINAL_SQL = ", ".join(f"'{s}'" for s in FINAL)
OUTCOME_SQL = f"CASE WHEN p.status IN ({FINAL_SQL}) THEN p.status ELSE 'open' END"


@dataclass(frozen=True)
class Scope:
    """What the dashboard is looking at: a school (None: the alliance) and a skill area."""

    school_id: str | None = None
    area: str | None = None


ALLIANCE = Scope()


# -- the facts, as SQL ------------------------------------------------------------------------
# Each builder reads its sources through `derived.source`, so that a write can work out one
# pairing's (or one coach's) rows again from just that pairing's (coach's) source rows.


def _current(r: Mapping[str, str]) -> str:
    versions = source(r, "pairing_versions")
    return f"(SELECT pairing_id, max(version) AS version FROM {versions} GROUP BY ALL)"


def _people_sql(r: Mapping[str, str]) -> str:
    return f"""
    SELECT pp.pairing_id, pp.side, pp.staff_ref, s.school_id
    FROM {source(r, "pairing_participants")} pp
    JOIN {_current(r)} cur ON cur.pairing_id = pp.pairing_id AND cur.version = pp.version
    JOIN staff s ON s.staff_ref = pp.staff_ref
    """


#: The whole-store SELECT of the participants (kept for readers of the SQL itself).
PEOPLE_SQL = _people_sql({})


#: Coaching and mentoring relationships with the giving and receiving school, the hours they
#: count for (the alliance default where none is recorded; it is part of the signature, so
#: changing the default rebuilds the table) and their skill's area (as a pairing's).
_DEFAULT_HOURS = float(DEFAULT_RELATIONSHIP_HOURS)


def _coaching_sql(r: Mapping[str, str]) -> str:
    return f"""
    SELECT c.coach_ref, c.coachee_ref, a.school_id AS giver, b.school_id AS receiver,
           c.start_date, c.end_date, coalesce(c.hours, {_DEFAULT_HOURS!r}) AS hours,
           coalesce(sk.area, 'Other') AS area
    FROM {source(r, "coaching")} c JOIN staff a ON a.staff_ref = c.coach_ref
    JOIN staff b ON b.staff_ref = c.coachee_ref
    LEFT JOIN skills sk ON sk.skill_id = c.skill_id
    """


COACHING_SQL = _coaching_sql({})


def _links_sql(people: str, pairings: str) -> str:
    """Each pairing's school-to-school links (every donor school to every recipient school),
    each carrying its even share of the pairing's hours, with the pairing's dates, area and
    number of people copied beside it so the flow matrix reads one table."""
    return f"""
    WITH d AS (SELECT DISTINCT pairing_id, school_id FROM {people} WHERE side = 'donor'),
    r AS (SELECT DISTINCT pairing_id, school_id FROM {people} WHERE side = 'recipient'),
    l AS (
        SELECT pairing_id, d.school_id AS giver, r.school_id AS receiver,
               1.0 / count(*) OVER (PARTITION BY pairing_id) AS share
        FROM d JOIN r USING (pairing_id)
    )
    SELECT l.pairing_id, l.giver, l.receiver, p.hours * l.share AS hours, p.area,
           p.start_date, p.concluded_on, p.people, p.status
    FROM l JOIN {pairings} p USING (pairing_id)
    """


def _receivers_sql(people: str, pairings: str) -> str:
    """Each pairing once per school that receives in it, with the pairing's facts beside it
    (outcomes by receiving school read this one table)."""
    return f"""
    SELECT DISTINCT r.pairing_id, r.school_id, p.status, p.area, p.start_date,
           p.concluded_on, p.people
    FROM {people} r JOIN {pairings} p USING (pairing_id) WHERE r.side = 'recipient'
    """


def _receiver_people_sql(people: str, receivers: str) -> str:
    """Each receiving school's row of a pairing (`receivers`) once per person of the pairing,
    laid out once: the outcomes by receiving school count people per cell, and joining every
    pairing to its people on each first read was a sixth of the alliance's table's time."""
    return f"""
    SELECT r.pairing_id, r.school_id, r.status, r.area, r.start_date, r.concluded_on,
           m.staff_ref, m.side
    FROM {receivers} r JOIN {people} m USING (pairing_id)
    """


def _facts_sql(r: Mapping[str, str]) -> str:
    """One row per pairing that has at least one participant on the staff list."""
    people, entries = r["people"], source(r, "pairing_entries")
    return f"""
    WITH p AS (
        SELECT v.* FROM {source(r, "pairing_versions")} v
        JOIN {_current(r)} cur ON cur.pairing_id = v.pairing_id AND cur.version = v.version
        WHERE v.pairing_id IN (SELECT pairing_id FROM {people})
    ), lg AS (
        SELECT e.pairing_id, e.entry_type, e.date, e.hours, e.observed_ref, e.recorded_by,
               e.rating_before, e.rating_after
        FROM {entries} e
        JOIN (SELECT entry_id, max(version) AS version FROM {entries} GROUP BY ALL) ce
          ON ce.entry_id = e.entry_id AND ce.version = e.version
        WHERE NOT e.withdrawn
    ), ev AS (
        SELECT l.pairing_id, min(l.date) AS first_evidence,
               avg(l.baseline) AS rating_before, avg(l.rating_after) AS rating_after
        FROM ({observations_sql("lg", "p", people)}) l
        WHERE l.why_not IS NULL
        GROUP BY l.pairing_id
    ), act AS (
        SELECT pairing_id, coalesce(sum(hours), 0) AS logged, max(date) AS last_activity
        FROM lg GROUP BY pairing_id
    ), np AS (
        SELECT pairing_id, count(*) AS people FROM {people} GROUP BY ALL
    )
    SELECT p.pairing_id, p.skill_id, coalesce(sk.area, 'Other') AS area, p.status,
           p.start_date, p.review_date, ev.first_evidence, ev.rating_before, ev.rating_after,
           act.last_activity,
           CASE WHEN p.status = 'transferred' THEN coalesce(ev.first_evidence, p.review_date)
                WHEN p.status IN ('not transferred', 'stopped') THEN
                    greatest(coalesce(p.review_date, p.start_date),
                             coalesce(act.last_activity, p.start_date))
           END AS concluded_on,
           coalesce(act.logged, 0) AS hours_logged,
           coalesce(act.logged, 0) + coalesce(p.cover_hours, 0) + coalesce(p.travel_hours, 0)
               AS hours,
           np.people
    FROM p JOIN np USING (pairing_id) LEFT JOIN ev USING (pairing_id)
    LEFT JOIN act USING (pairing_id)
    LEFT JOIN skills sk USING (skill_id)
    """


def _statuses_sql(r: Mapping[str, str]) -> str:
    """Each participant of each pairing's current version with the pairing's status — every
    participant, on the staff list or not (unlike `people`): what the counts by status
    count (`pairings.views.counts_by_status`)."""
    versions = source(r, "pairing_versions")
    return f"""
    SELECT pp.pairing_id, pp.staff_ref, v.status
    FROM {source(r, "pairing_participants")} pp
    JOIN {versions} v ON v.pairing_id = pp.pairing_id AND v.version = pp.version
    JOIN {_current(r)} cur ON cur.pairing_id = v.pairing_id AND cur.version = v.version
    """


def _by_status_sql(r: Mapping[str, str]) -> str:
    """Per current status: its pairings (those with a participant) and distinct people.
    Kept as totals by status (`Spread`): a write to one pairing recounts only the statuses
    it left and took, so the governor's counts are one small read, not a scan of every
    pairing's participants on each first read after a write."""
    return f"""
    SELECT status, count(DISTINCT pairing_id) AS pairings, count(DISTINCT staff_ref) AS people
    FROM {r["statuses"]} GROUP BY status
    """


#: What the facts are built from: the append-only pairing tables grow with every change,
#: coaching rows are added by imports and accepted requests, staff change only through
#: imports, and the taxonomy's areas are few.
_SIGNATURE_SQL = f"""
    SELECT (SELECT count(*) FROM pairing_versions), (SELECT count(*) FROM pairing_participants),
           (SELECT count(*) FROM pairing_entries), (SELECT count(*) FROM coaching),
           (SELECT count(*) FROM staff), {derived.last_import_sql(("evidence", "needs"))},
           (SELECT coalesce(sum(hash(skill_id, area)) % 1000000007, 0)::BIGINT FROM skills),
           {int(_DEFAULT_HOURS * 100)}, {int(TRANSFER_LEVEL)}, {flow_facts.HASH_SIGNATURE}
"""

#: A write to one pairing (its versions, participants or log) changes only that pairing's
#: rows; an accepted request adds a coaching row, which changes only its coach's rows.
_PAIRING = Part(
    "pairing",
    tables=(
        ("people", "pairing_id"),
        ("pairings", "pairing_id"),
        ("links", "pairing_id"),
        ("receivers", "pairing_id"),
        ("receiver_people", "pairing_id"),
        ("statuses", "pairing_id"),
        ("flow_links", "pairing_id"),
    ),
    sources=(
        ("pairing_versions", "pairing_id"),
        ("pairing_participants", "pairing_id"),
        ("pairing_entries", "pairing_id"),
    ),
    spread=(
        Spread(
            "by_status",
            keys_from=("statuses", "status"),
            where="status IN {keys}",
            reads=(("statuses", "status IN {keys}"),),
        ),
    ),
)
_COACH = Part(
    "coach",
    tables=(("coaching", "coach_ref"), ("flow_coaching", "coach_ref")),
    sources=(("coaching", "coach_ref"),),
)

DASHBOARD = DerivedSet(
    name="dash",
    layout=9,
    signature_sql=_SIGNATURE_SQL,
    tables=(
        Table("people", _people_sql, "pairing_id"),
        Table("pairings", _facts_sql, "pairing_id"),
        Table("links", lambda r: _links_sql(r["people"], r["pairings"]), "giver, receiver"),
        Table("coaching", _coaching_sql, "giver, receiver"),
        Table("receivers", lambda r: _receivers_sql(r["people"], r["pairings"]), "school_id"),
        Table(
            "receiver_people",
            lambda r: _receiver_people_sql(r["people"], r["receivers"]),
            "school_id",
        ),
        Table("keys", lambda r: KEYS_SQL, "distinct_keys"),
        Table("statuses", _statuses_sql, "pairing_id"),
        Table("by_status", _by_status_sql, "status"),
        # The flows' relationships as numbers (`flow_facts`), by the key a write refreshes.
        Table("flow_links", flow_facts.links_sql, "pairing_id"),
        Table("flow_coaching", flow_facts.coaching_sql, "coach_ref"),
    ),
    parts=(_PAIRING, _COACH),
)


#: A person's number where the flows count people (`flow_counts`): their reference hashed,
#: which is whole-number work where the reference is a string; exact only while no two staff
#: share one, so the set says whether they do (the staff change only through imports).
PERSON_KEY = "(hash({}) // 2)::BIGINT"
KEYS_SQL = (
    f"SELECT count(DISTINCT {PERSON_KEY.format('staff_ref')}) = count(*) AS distinct_keys "
    "FROM staff"
)


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


def unseen_sql(viewer: Viewer, alias: str = "m", listed: bool = False) -> tuple[str, list[object]]:
    """A SQL truth value (and its parameters): the person `alias`.staff_ref is one the viewer
    cannot see one by one — everyone, for an aggregate-only role; nobody, for the
    administrator. Read live from the staff list, so a change of consent counts at once.
    `listed`: every such person is on the staff list (the facts' participants are: they are
    joined to it), so the same people are those of the list the viewer cannot see — for a
    head of school a quarter of the list to look them up in, not three quarters."""
    if viewer.aggregate_only:
        return "TRUE", []
    if viewer.sees_everyone:
        return "FALSE", []
    vis, params = visible_staff_sql(viewer, "st")
    if listed:
        return (
            f"({alias}.staff_ref IN (SELECT st.staff_ref FROM staff st WHERE {vis} IS NOT TRUE))",
            params,
        )
    return (
        f"({alias}.staff_ref NOT IN (SELECT st.staff_ref FROM staff st WHERE {vis}))",
        params,
    )


def ts(day: date) -> pd.Timestamp:
    """A date as the Timestamp the facts frame's date columns compare with."""
    return pd.Timestamp(day)
