# ruff: noqa: S608 - the SQL below is built from code constants; values are parameters.
"""The reciprocity ledger's per-pairing facts, kept as derived tables (brokering.derived).

Why: the ledger counts, for every school and every two schools, pairings and person-hours
given and received. Worked out from the pairings' append-only versions and log on every view
it took over a second at national scale (100,000 pairings), against 300 ms for a dashboard
figure. Everything it counts that does not depend on who is looking is kept here, one set of
rows per pairing, so that a write to one pairing works out that pairing's rows again
(`derived.Upkeep`) and a view only sums them:

- `members`: the participants of each counted pairing (at least agreed) with their school;
- `hours`: per pairing and participant, the person-hours they gave and received (an entry's
  hours count for each colleague present, in the direction the time went);
- `role_pairs`: per pairing, each (donor school, recipient school) of two different schools;
- `hour_pairs`: per pairing, the hours that went from one school to another (each entry
  once per two schools, however many people were present);
- `joint`: per pairing, each two of its schools with the people of the pairing from either;
- `school_totals` and `pair_totals`: the sums of those by school and by two schools (their
  people counted once however many pairings they share), worked out again after a write for
  the schools of the pairing written (`derived.Spread`).

Who the viewer can see is applied when the ledger is read (`ledger.py`), from the live staff
list, so a change of consent counts at once; nothing here decides what is shown.
"""

from __future__ import annotations

from collections.abc import Mapping

from brokering.derived import DerivedSet, Part, Spread, Table, last_import_sql, source


def _members_sql(r: Mapping[str, str]) -> str:
    versions = source(r, "pairing_versions")
    return f"""
    WITH cur AS (
        SELECT v.pairing_id, v.version, v.status FROM {versions} v
        QUALIFY v.version = max(v.version) OVER (PARTITION BY v.pairing_id))
    SELECT pp.pairing_id, pp.staff_ref, pp.side, s.school_id
    FROM {source(r, "pairing_participants")} pp
    JOIN cur ON cur.pairing_id = pp.pairing_id AND cur.version = pp.version
    JOIN staff s ON s.staff_ref = pp.staff_ref
    WHERE cur.status <> 'proposed'
    """


def _flows_sql(r: Mapping[str, str]) -> str:
    """Each participant present at each entry with hours, and whether they gave or received
    (the ledger's definition: docs/PAIRINGS.md)."""
    entries, cm = source(r, "pairing_entries"), r["members"]
    return f"""
    WITH hl AS (
        SELECT entry_id, pairing_id, hours, flow, who FROM (
            SELECT * FROM {entries}
            QUALIFY version = max(version) OVER (PARTITION BY entry_id))
        WHERE NOT withdrawn AND coalesce(hours, 0) > 0),
    present AS (
        SELECT l.entry_id, l.pairing_id, l.hours, l.flow, cm.staff_ref, cm.side, cm.school_id
        FROM hl l JOIN {cm} cm ON cm.pairing_id = l.pairing_id WHERE len(l.who) = 0
        UNION ALL
        SELECT l.entry_id, l.pairing_id, l.hours, l.flow, cm.staff_ref, cm.side, cm.school_id
        FROM (SELECT DISTINCT entry_id, pairing_id, hours, flow, unnest(who) AS staff_ref
              FROM hl WHERE len(who) > 0) l
        JOIN {cm} cm ON cm.pairing_id = l.pairing_id AND cm.staff_ref = l.staff_ref)
    SELECT *,
      flow = 'both ways' OR (flow = 'donor to recipient') = (side = 'donor') AS gives,
      flow = 'both ways' OR (flow = 'donor to recipient') = (side = 'recipient') AS receives
    FROM present
    """


def _hours_sql(r: Mapping[str, str]) -> str:
    return f"""
    SELECT pairing_id, staff_ref, school_id, sum(hours) FILTER (WHERE gives) AS given,
      sum(hours) FILTER (WHERE receives) AS received
    FROM ({_flows_sql(r)}) GROUP BY ALL
    """


def _hour_pairs_sql(r: Mapping[str, str]) -> str:
    return f"""
    WITH f AS ({_flows_sql(r)})
    SELECT pairing_id, giver, receiver, sum(hours) AS hours FROM (
        SELECT DISTINCT g.pairing_id, g.entry_id, g.hours, g.school_id AS giver,
          r.school_id AS receiver
        FROM f g JOIN f r ON r.pairing_id = g.pairing_id AND r.entry_id = g.entry_id
          AND r.receives
        WHERE g.gives AND g.school_id <> r.school_id)
    GROUP BY ALL
    """


def _role_pairs_sql(r: Mapping[str, str]) -> str:
    cm = r["members"]
    return f"""
    SELECT DISTINCT d.pairing_id, d.school_id AS giver, x.school_id AS receiver
    FROM {cm} d JOIN {cm} x ON x.pairing_id = d.pairing_id AND x.side = 'recipient'
    WHERE d.side = 'donor' AND d.school_id <> x.school_id
    """


def _joint_sql(r: Mapping[str, str]) -> str:
    cm = r["members"]
    return f"""
    WITH s AS (SELECT DISTINCT pairing_id, school_id FROM {cm}),
    j AS (
        SELECT x.pairing_id, x.school_id AS a, y.school_id AS b
        FROM s x JOIN s y ON y.pairing_id = x.pairing_id AND x.school_id < y.school_id)
    SELECT DISTINCT * FROM (
        SELECT j.pairing_id, j.a, j.b, m.staff_ref FROM j
        JOIN {cm} m ON m.pairing_id = j.pairing_id AND m.school_id = j.a
        UNION ALL
        SELECT j.pairing_id, j.a, j.b, m.staff_ref FROM j
        JOIN {cm} m ON m.pairing_id = j.pairing_id AND m.school_id = j.b)
    """


def _school_totals_sql(r: Mapping[str, str]) -> str:
    """Per school: pairings given and received, its people, person-hours given and received
    (NULL where none: the reader writes 0)."""
    return f"""
    WITH roles AS (
        SELECT school_id, count(DISTINCT pairing_id) FILTER (WHERE side = 'donor') AS pg,
          count(DISTINCT pairing_id) FILTER (WHERE side = 'recipient') AS pr,
          count(DISTINCT staff_ref) AS people
        FROM {r["members"]} GROUP BY school_id),
    hours AS (
        SELECT school_id, sum(given) AS hg, sum(received) AS hr
        FROM {r["hours"]} GROUP BY school_id)
    SELECT roles.*, hours.hg, hours.hr FROM roles LEFT JOIN hours USING (school_id)
    """


def _pair_totals_sql(r: Mapping[str, str]) -> str:
    """Per two schools (a < b) linked by a counted pairing or by hours: pairings and hours
    each way, and the people of the pairings that include both, from either school."""
    return f"""
    WITH role_pairs AS (
        SELECT giver, receiver, count(*) AS pairings FROM {r["role_pairs"]} GROUP BY ALL),
    hour_pairs AS (
        SELECT giver, receiver, sum(hours) AS hours FROM {r["hour_pairs"]} GROUP BY ALL),
    directed AS (
        SELECT coalesce(rp.giver, hp.giver) AS giver, coalesce(rp.receiver, hp.receiver)
          AS receiver, coalesce(rp.pairings, 0) AS pairings, coalesce(hp.hours, 0) AS hours
        FROM role_pairs rp FULL JOIN hour_pairs hp
          ON hp.giver = rp.giver AND hp.receiver = rp.receiver),
    pairs AS (
        SELECT least(giver, receiver) AS a, greatest(giver, receiver) AS b FROM directed
        GROUP BY ALL),
    people AS (
        SELECT a, b, count(*) AS people
        FROM (SELECT DISTINCT j.a, j.b, j.staff_ref FROM {r["joint"]} j
              SEMI JOIN pairs p ON p.a = j.a AND p.b = j.b)
        GROUP BY ALL)
    SELECT p.a, p.b, coalesce(ab.pairings, 0) AS pairings_a_to_b,
      coalesce(ba.pairings, 0) AS pairings_b_to_a, coalesce(ab.hours, 0) AS hours_a_to_b,
      coalesce(ba.hours, 0) AS hours_b_to_a, pe.people
    FROM pairs p
    LEFT JOIN directed ab ON ab.giver = p.a AND ab.receiver = p.b
    LEFT JOIN directed ba ON ba.giver = p.b AND ba.receiver = p.a
    JOIN people pe ON pe.a = p.a AND pe.b = p.b
    """


#: The ledger reads the pairings' versions, participants and log, and each participant's
#: school from the staff list (changed only by imports).
_SIGNATURE_SQL = f"""
    SELECT (SELECT count(*) FROM pairing_versions), (SELECT count(*) FROM pairing_participants),
           (SELECT count(*) FROM pairing_entries), (SELECT count(*) FROM staff),
           {last_import_sql(("evidence", "coaching", "needs"))}
"""

_TABLES = ("members", "hours", "role_pairs", "hour_pairs", "joint")

LEDGER = DerivedSet(
    name="ledger",
    layout=2,
    signature_sql=_SIGNATURE_SQL,
    tables=(
        Table("members", _members_sql, "pairing_id"),
        Table("hours", _hours_sql, "school_id, staff_ref"),
        Table("role_pairs", _role_pairs_sql, "giver, receiver"),
        Table("hour_pairs", _hour_pairs_sql, "giver, receiver"),
        Table("joint", _joint_sql, "a, b"),
        Table("school_totals", _school_totals_sql, "school_id"),
        Table("pair_totals", _pair_totals_sql, "a, b"),
    ),
    parts=(
        Part(
            "pairing",
            tables=tuple((t, "pairing_id") for t in _TABLES),
            sources=(
                ("pairing_versions", "pairing_id"),
                ("pairing_participants", "pairing_id"),
                ("pairing_entries", "pairing_id"),
            ),
            spread=(
                Spread(
                    "school_totals",
                    keys_from=("members", "school_id"),
                    where="school_id IN {keys}",
                    reads=(("members", "school_id IN {keys}"), ("hours", "school_id IN {keys}")),
                ),
                Spread(
                    "pair_totals",
                    keys_from=("members", "school_id"),
                    where="a IN {keys} OR b IN {keys}",
                    reads=(
                        ("role_pairs", "giver IN {keys} OR receiver IN {keys}"),
                        ("hour_pairs", "giver IN {keys} OR receiver IN {keys}"),
                        ("joint", "a IN {keys} OR b IN {keys}"),
                    ),
                ),
            ),
        ),
    ),
)
