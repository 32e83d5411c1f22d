# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""The dashboard's facts as SQL: what each derived table holds and how it is built, the
signature that says when they are stale, and the parts a write works out again
(`derived.Part`). Apart from `facts`, which reads them (and says why they are kept): a
reader of a figure needs the relations, not how they are laid out."""

from __future__ import annotations

from collections.abc import Mapping

from brokering import derived
from brokering.dashboard import flow_facts
from brokering.derived import DerivedSet, Part, Spread, Table, source
from brokering.pairings.transfer_rule import observations_sql
from brokering.settings import DEFAULT_RELATIONSHIP_HOURS, TRANSFER_LEVEL

FINAL = ("transferred", "not transferred", "stopped")
#: The final statuses as a SQL list, and a pairing's outcome (its final status, else open):
#: one definition for the outcomes table, the ratings' tie to it and the overdue figure.
FINAL_SQL = ", ".join(f"'{s}'" for s in FINAL)
OUTCOME_SQL = f"CASE WHEN p.status IN ({FINAL_SQL}) THEN p.status ELSE 'open' END"

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


#: A person's number where the flows count people (`flow_counts`): their reference hashed,
#: which is whole-number work where the reference is a string; exact only while no two staff
#: share one, so the set says whether they do (the staff change only through imports).
PERSON_KEY = "(hash({}) // 2)::BIGINT"
KEYS_SQL = (
    f"SELECT count(DISTINCT {PERSON_KEY.format('staff_ref')}) = count(*) AS distinct_keys "
    "FROM staff"
)


#: An outcome's code in the numbers (0: open) and back (`OUTCOME_NAME`).
_CODES = {s: i + 1 for i, s in enumerate(FINAL)}


def _outcome_code(status: str) -> str:
    """SQL: a status's outcome as a code (0: open; a final status, its place in `FINAL`)."""
    whens = " ".join(f"WHEN '{s}' THEN {c}" for s, c in _CODES.items())
    return f"(CASE {status} {whens} ELSE 0 END)::UTINYINT"


def outcome_name(code: str) -> str:
    """SQL: the outcome (`OUTCOME_SQL`'s words) of an outcome code of `numbers_sql`."""
    whens = " ".join(f"WHEN {c} THEN '{s}'" for s, c in _CODES.items())
    return f"(CASE {code} {whens} ELSE 'open' END)"


def numbers_sql(r: Mapping[str, str]) -> str:
    """The facts' `receiver_numbers` (read by `outcome_numbers`, which says why): per row of
    `r["receiver_people"]` (a receiving school's row of a pairing, once per
    person of the pairing): its pairing, school, area and person as hashes, its outcome as a
    code and its days as whole numbers; `lead`: the pairing's first row in this school (a
    cell's pairings are its leads), `head`: its first row of all (an area's pairings over
    the schools are its heads). The ids are kept beside, for the upkeep (`pairing_id`) and
    for naming the counted table's rows (`school_id`, `area`)."""
    people = r["receiver_people"]
    return f"""
    SELECT pairing_id, school_id, area, hash(pairing_id) AS pid, hash(school_id) AS r,
           hash(area) AS k, {_outcome_code("status")} AS o,
           {flow_facts.DAY.format("start_date")} AS first,
           coalesce({flow_facts.DAY.format("concluded_on")}, {flow_facts.NEVER}) AS last,
           {PERSON_KEY.format("staff_ref")} AS person, side = 'recipient' AS rec,
           row_number() OVER (PARTITION BY pairing_id, school_id ORDER BY staff_ref, side) = 1
               AS lead,
           row_number() OVER (PARTITION BY pairing_id ORDER BY school_id, staff_ref, side) = 1
               AS head
    FROM {people}
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
        ("receiver_numbers", "pairing_id"),
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
    layout=10,
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
        # The same rows as numbers (`outcome_numbers`): what the alliance's table counts.
        Table("receiver_numbers", numbers_sql, "r"),
        Table("keys", lambda r: KEYS_SQL, "distinct_keys"),
        Table("statuses", _statuses_sql, "pairing_id"),
        Table("by_status", _by_status_sql, "status"),
        # The flows' relationships as numbers (`flow_facts`), by the key a write refreshes.
        Table("flow_links", flow_facts.links_sql, "pairing_id"),
        Table("flow_coaching", flow_facts.coaching_sql, "coach_ref"),
    ),
    parts=(_PAIRING, _COACH),
)
