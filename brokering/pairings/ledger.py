"""The reciprocity ledger: what each school and each person gives and receives.

Counted over pairings that were at least agreed (a proposal has given nothing yet):
- *pairings given / received*: pairings in which the school (person) is on the donor /
  recipient side;
- *hours given / received*: person-hours from the log. Each entry's hours count for every
  participant present (its `who`, or everyone in the pairing when `who` is blank). With the
  flow "donor to recipient" donors give and recipients receive; "recipient to donor" (what
  flows back) is the reverse; "both ways" counts as given and received for everyone present.

School-to-school relationships pair each two schools: a relationship is *reciprocal* when
each has given the other something (a pairing as donor, or hours), *one-way* otherwise.
A row resting on fewer people the viewer cannot see than the threshold is hidden, and so are
the rows it could be worked back from (`ledger_suppression`).
"""

from __future__ import annotations

import pandas as pd

from brokering.db import Connection, query_df
from brokering.pairings import ledger_suppression
from brokering.pairings.views import members_cte
from brokering.viewer import Viewer

#: What the ledger counts, for the page beside it (the Transfer evidence page's "given and
#: received" counts hours differently; docs/PAIRINGS.md, "Two views of giving and receiving").
COUNTS = (
    "Pairings given and received count every agreed or later pairing, over all time. Hours "
    "are person-hours from the pairing logs: an entry's hours count once for each colleague "
    "present, in the direction the time went. The Transfer evidence page's \"given and "
    "received\" counts each pairing's logged, cover and travel hours and coaching hours in one "
    "term instead, so its hours differ; pairings between two schools are counted the same way."
)

_FLOWS_CTE = """
counted AS (SELECT pairing_id FROM pairings WHERE status <> 'proposed'),
cm AS (SELECT mem.* FROM mem JOIN counted USING (pairing_id)),
hl AS (SELECT entry_id, pairing_id, hours, flow, who FROM pairing_log
    WHERE coalesce(hours, 0) > 0),
present AS (
    -- An entry with no one named counts for everyone in the pairing; one naming people, for
    -- them (two equi-joins: a join filtered on list_contains cost three times as much).
    SELECT l.entry_id, l.pairing_id, l.hours, l.flow, cm.staff_ref, cm.side, cm.school_id,
      cm.visible
    FROM hl l JOIN cm ON cm.pairing_id = l.pairing_id WHERE len(l.who) = 0
    UNION ALL
    SELECT l.entry_id, l.pairing_id, l.hours, l.flow, cm.staff_ref, cm.side, cm.school_id,
      cm.visible
    FROM (SELECT DISTINCT entry_id, pairing_id, hours, flow, unnest(who) AS staff_ref FROM hl
          WHERE len(who) > 0) l
    JOIN cm ON cm.pairing_id = l.pairing_id AND cm.staff_ref = l.staff_ref),
flows AS (
    SELECT *,
      flow = 'both ways' OR (flow = 'donor to recipient') = (side = 'donor') AS gives,
      flow = 'both ways' OR (flow = 'donor to recipient') = (side = 'recipient') AS receives
    FROM present)
"""


#: The same, each part worked out once however often the query reads it (the relationships
#: read `cm` and `flows` several times: at national scale, computing them again costs seconds).
_MATERIALIZED_FLOWS = (
    _FLOWS_CTE.replace("cm AS (", "cm AS MATERIALIZED (")
    .replace("present AS (", "present AS MATERIALIZED (")
    .replace("flows AS (", "flows AS MATERIALIZED (")
)


def person_ledger(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """One row per person the viewer can see who took part in a counted pairing."""
    viewer.require_listing()
    cte, params = members_cte(viewer)
    sql = f"""
    WITH {cte}, {_FLOWS_CTE},
    roles AS (
        SELECT staff_ref, count(DISTINCT pairing_id) FILTER (WHERE side = 'donor') AS pg,
          count(DISTINCT pairing_id) FILTER (WHERE side = 'recipient') AS pr
        FROM cm WHERE visible GROUP BY staff_ref),
    hours AS (
        SELECT staff_ref, sum(hours) FILTER (WHERE gives) AS hg,
          sum(hours) FILTER (WHERE receives) AS hr
        FROM flows WHERE visible GROUP BY staff_ref)
    SELECT r.staff_ref, sc.name AS school, r.pg AS pairings_given, r.pr AS pairings_received,
      coalesce(h.hg, 0) AS hours_given, coalesce(h.hr, 0) AS hours_received,
      coalesce(h.hg, 0) - coalesce(h.hr, 0) AS balance
    FROM roles r LEFT JOIN hours h USING (staff_ref) JOIN staff st USING (staff_ref)
    JOIN schools sc ON sc.school_id = st.school_id
    ORDER BY sc.name, r.staff_ref
    """  # noqa: S608
    return query_df(con, sql, params)


def _blank(frame: pd.DataFrame, keep: pd.Series, cols: list[str]) -> pd.DataFrame:
    """The frame with `cols` (and the people count) missing on rows not kept."""
    frame = frame.copy()
    for col in [*cols, "people"]:
        frame[col] = frame[col].astype(
            "Float64" if col.startswith(("hours", "balance")) else "Int64"
        )
        frame.loc[~keep.to_numpy(), col] = pd.NA
    return frame


_SCHOOL_COLS = ["pairings_given", "pairings_received", "hours_given", "hours_received", "balance"]
_PAIR_COLS = ["pairings_a_to_b", "pairings_b_to_a", "hours_a_to_b", "hours_b_to_a"]


def school_ledger(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """One row per school: pairings and person-hours given and received, and the balance —
    hidden where they could single someone out, in this view or by subtraction from the
    relationships view (see `ledger_suppression`)."""
    return school_views(con, viewer)[0]


def school_views(con: Connection, viewer: Viewer) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by school, by relationship), suppressed together: what `school_ledger` and
    `school_relationships` return, for one reading of the store."""
    schools, pairs = _school_raw(con, viewer), _relationships_raw(con, viewer)
    keep_s, keep_p = ledger_suppression.shown(schools, pairs, viewer)
    by_school = _blank(schools, keep_s, _SCHOOL_COLS).drop(columns=["hidden"])
    by_pair = _blank(pairs, keep_p, _PAIR_COLS)
    by_pair["relationship"] = by_pair["relationship"].where(keep_p.to_numpy(), pd.NA)
    return by_school, by_pair.drop(columns=["hidden", "a_open", "b_open"])


def school_relationships(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """One row per two schools that worked together across a pairing: what each gave the
    other, and whether the relationship is reciprocal or one-way — hidden consistently with
    the by-school view (see `ledger_suppression`)."""
    return school_views(con, viewer)[1]


def _school_raw(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """One row per school, unsuppressed, with its people and how many the viewer cannot see."""
    cte, params = members_cte(viewer)
    sql = f"""
    WITH {cte}, {_FLOWS_CTE},
    roles AS (
        SELECT school_id, count(DISTINCT pairing_id) FILTER (WHERE side = 'donor') AS pg,
          count(DISTINCT pairing_id) FILTER (WHERE side = 'recipient') AS pr,
          count(DISTINCT staff_ref) AS people,
          count(DISTINCT staff_ref) FILTER (WHERE NOT visible) AS hidden
        FROM cm GROUP BY school_id),
    hours AS (
        SELECT school_id, sum(hours) FILTER (WHERE gives) AS hg,
          sum(hours) FILTER (WHERE receives) AS hr
        FROM flows GROUP BY school_id)
    SELECT sc.school_id, sc.name AS school, coalesce(r.pg, 0) AS pairings_given,
      coalesce(r.pr, 0) AS pairings_received, coalesce(h.hg, 0) AS hours_given,
      coalesce(h.hr, 0) AS hours_received, coalesce(h.hg, 0) - coalesce(h.hr, 0) AS balance,
      coalesce(r.people, 0) AS people, coalesce(r.hidden, 0) AS hidden
    FROM schools sc LEFT JOIN roles r USING (school_id) LEFT JOIN hours h USING (school_id)
    ORDER BY sc.is_hub DESC, sc.name
    """  # noqa: S608
    return query_df(con, sql, params)


def _relationships_raw(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """One row per two schools linked by a counted pairing or hours, unsuppressed."""
    cte, params = members_cte(viewer)
    sql = f"""
    WITH {cte}, {_MATERIALIZED_FLOWS},
    role_pairs AS (
        SELECT d.school_id AS giver, r.school_id AS receiver,
          count(DISTINCT d.pairing_id) AS pairings,
          bool_or(NOT d.visible OR NOT r.visible) AS open
        FROM cm d JOIN cm r ON r.pairing_id = d.pairing_id AND r.side = 'recipient'
        WHERE d.side = 'donor' AND d.school_id <> r.school_id GROUP BY ALL),
    hour_pairs AS (
        SELECT giver, receiver, sum(hours) AS hours FROM (
          SELECT DISTINCT g.entry_id, g.hours, g.school_id AS giver, r.school_id AS receiver
          FROM flows g JOIN flows r ON r.entry_id = g.entry_id AND r.receives
          WHERE g.gives AND g.school_id <> r.school_id) GROUP BY ALL),
    directed AS (
        SELECT coalesce(rp.giver, hp.giver) AS giver, coalesce(rp.receiver, hp.receiver)
          AS receiver, coalesce(rp.pairings, 0) AS pairings, coalesce(hp.hours, 0) AS hours,
          coalesce(rp.open, FALSE) AS open
        FROM role_pairs rp FULL JOIN hour_pairs hp
          ON hp.giver = rp.giver AND hp.receiver = rp.receiver),
    pairs AS (
        SELECT least(giver, receiver) AS a, greatest(giver, receiver) AS b FROM directed
        GROUP BY ALL),
    -- The pairings that include both schools of a pair, and their people from either school
    -- (equi-joins only: a national ledger has 100,000 pairs).
    joint AS (
        SELECT DISTINCT x.pairing_id, x.school_id AS a, y.school_id AS b
        FROM (SELECT DISTINCT pairing_id, school_id FROM cm) x
        JOIN (SELECT DISTINCT pairing_id, school_id FROM cm) y
          ON y.pairing_id = x.pairing_id AND x.school_id < y.school_id
        SEMI JOIN pairs p ON p.a = x.school_id AND p.b = y.school_id),
    people AS (
        SELECT a, b, count(DISTINCT staff_ref) AS people,
          count(DISTINCT staff_ref) FILTER (WHERE NOT visible) AS hidden
        FROM (
          SELECT joint.a, joint.b, cm.staff_ref, cm.visible FROM joint
          JOIN cm ON cm.pairing_id = joint.pairing_id AND cm.school_id = joint.a
          UNION ALL
          SELECT joint.a, joint.b, cm.staff_ref, cm.visible FROM joint
          JOIN cm ON cm.pairing_id = joint.pairing_id AND cm.school_id = joint.b)
        GROUP BY ALL)
    SELECT p.a AS school_a, sa.name AS school_a_name, p.b AS school_b, sb.name AS school_b_name,
      coalesce(ab.pairings, 0) AS pairings_a_to_b, coalesce(ba.pairings, 0) AS pairings_b_to_a,
      coalesce(ab.hours, 0) AS hours_a_to_b, coalesce(ba.hours, 0) AS hours_b_to_a,
      pe.people, pe.hidden, coalesce(ab.open, FALSE) AS a_open,
      coalesce(ba.open, FALSE) AS b_open
    FROM pairs p
    JOIN schools sa ON sa.school_id = p.a JOIN schools sb ON sb.school_id = p.b
    LEFT JOIN directed ab ON ab.giver = p.a AND ab.receiver = p.b
    LEFT JOIN directed ba ON ba.giver = p.b AND ba.receiver = p.a
    JOIN people pe ON pe.a = p.a AND pe.b = p.b
    ORDER BY p.a, p.b
    """  # noqa: S608
    frame = query_df(con, sql, params)
    a_gives = (frame["pairings_a_to_b"] > 0) | (frame["hours_a_to_b"] > 0)
    b_gives = (frame["pairings_b_to_a"] > 0) | (frame["hours_b_to_a"] > 0)
    frame["relationship"] = [
        "reciprocal" if x and y else ("one-way: A gives" if x else "one-way: B gives")
        for x, y in zip(a_gives, b_gives, strict=True)
    ]
    return frame


def chart_frame(ledger: pd.DataFrame) -> pd.DataFrame:
    """Long form for a chart: one row per school and direction (given / received) of hours,
    suppressed figures left out."""
    long = ledger.melt(
        id_vars=["school"],
        value_vars=["hours_given", "hours_received"],
        var_name="direction",
        value_name="hours",
    )
    long["direction"] = long["direction"].map(
        {"hours_given": "given", "hours_received": "received"}
    )
    return long.dropna(subset=["hours"]).reset_index(drop=True)
