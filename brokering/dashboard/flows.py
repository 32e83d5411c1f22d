# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Who gives to whom: the school-by-school flow of pairings and coaching hours, each
school's give/receive balance, and complementary strengths (one school strong where another
has open needs). JPD is two-way (DOMAIN.md idea 4): one-way relationships should show."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from brokering import concepts
from brokering.dashboard.facts import ALLIANCE, Scope, facts, guarded_column
from brokering.db import Connection, query_df
from brokering.viewer import Viewer

_COLUMNS = [
    "giver",
    "receiver",
    "giver_name",
    "receiver_name",
    "pairings",
    "coaching_records",
    "hours",
    "people",
]


def flow_matrix(
    con: Connection, viewer: Viewer, start: date, end: date, scope: Scope = ALLIANCE
) -> pd.DataFrame:
    """giver x receiver: pairings, coaching records and hours (pairing hours split evenly
    over the school pairs a pairing links). Cells resting on few people are suppressed."""
    f = facts(con)
    area = "" if scope.area is None else "AND l.area = ?"
    school = "" if scope.school_id is None else "WHERE c.giver = ? OR c.receiver = ?"
    frame = query_df(
        con,
        f"""
        WITH links AS (
            SELECT * FROM {f.links} l
            WHERE l.start_date <= ? AND (l.concluded_on IS NULL OR l.concluded_on >= ?) {area}
        ), coach AS (
            SELECT giver, receiver, coach_ref, coachee_ref, hours FROM {f.coaching}
            WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?)
        ), rel AS (
            SELECT giver, receiver, pairing_id, NULL::VARCHAR AS coach_ref,
                   NULL::VARCHAR AS coachee_ref, 1 AS pairings, hours AS pairing_hours,
                   0 AS coaching_records, 0.0 AS coaching_hours, people
            FROM links
            UNION ALL
            SELECT giver, receiver, NULL, coach_ref, coachee_ref, 0, 0.0, 1, hours,
                   CASE WHEN coach_ref = coachee_ref THEN 1 ELSE 2 END
            FROM coach
        ), cells AS (
            SELECT giver, receiver, sum(pairings) AS pairings,
                   sum(pairing_hours) AS pairing_hours,
                   sum(coaching_records) AS coaching_records,
                   sum(coaching_hours) AS coaching_hours, count(*) AS relationships,
                   any_value(people) AS people
            FROM rel GROUP BY ALL
        ), shared AS (
            -- Only a cell resting on two or more relationships needs its people counted
            -- afresh; a cell with one relationship rests on that relationship's people.
            SELECT r.* FROM rel r
            SEMI JOIN (SELECT giver, receiver FROM cells WHERE relationships > 1) c
              USING (giver, receiver)
        ), who AS (
            SELECT s.giver, s.receiver, m.staff_ref
            FROM shared s JOIN {f.people} m USING (pairing_id)
            UNION ALL SELECT giver, receiver, coach_ref FROM shared WHERE coach_ref IS NOT NULL
            UNION ALL
            SELECT giver, receiver, coachee_ref FROM shared WHERE coachee_ref IS NOT NULL
        ), counted AS (
            SELECT giver, receiver, count(DISTINCT staff_ref) AS people FROM who GROUP BY ALL
        )
        SELECT c.giver, c.receiver, c.pairings::BIGINT AS pairings,
               c.coaching_records::BIGINT AS coaching_records, c.pairing_hours, c.coaching_hours,
               CASE WHEN c.relationships = 1 THEN c.people ELSE counted.people END AS people
        FROM cells c LEFT JOIN counted USING (giver, receiver)
        {school}
        ORDER BY c.giver, c.receiver
        """,
        [
            end,
            start,
            *([scope.area] if scope.area is not None else []),
            end,
            start,
            *([scope.school_id] * 2 if scope.school_id is not None else []),
        ],
    )
    if frame.empty:
        return pd.DataFrame(columns=_COLUMNS)
    # Names are looked up after grouping: joining them in SQL and carrying the strings
    # through the result cost more than the grouping itself at national scale.
    names = query_df(con, "SELECT school_id, name FROM schools").set_index("school_id")["name"]
    frame["giver_name"] = frame["giver"].map(names)
    frame["receiver_name"] = frame["receiver"].map(names)
    frame["hours"] = (frame["pairing_hours"] + frame["coaching_hours"]).round(1)
    frame["pairings"] = frame["pairings"].astype(int)
    frame["coaching_records"] = frame["coaching_records"].astype(int)
    frame["people"] = frame["people"].astype(int)
    for col in ("pairings", "coaching_records", "hours"):
        frame[col] = guarded_column(frame[col], frame["people"], viewer)
    return frame[_COLUMNS].reset_index(drop=True)


def balance(con: Connection, viewer: Viewer, start: date, end: date) -> pd.DataFrame:
    """Per school: hours and pairings given to and received from OTHER schools."""
    matrix = flow_matrix(con, viewer, start, end)
    cross = matrix[matrix["giver"] != matrix["receiver"]].assign(
        hours=lambda m: pd.to_numeric(m["hours"], errors="coerce").fillna(0.0)
    )
    schools = query_df(con, "SELECT school_id, name AS school FROM schools ORDER BY name")
    gave = cross.groupby("giver").agg(
        given=("hours", "sum"), partners_given=("receiver", "nunique")
    )
    got = cross.groupby("receiver").agg(
        received=("hours", "sum"), partners_received=("giver", "nunique")
    )
    out = schools.join(gave, on="school_id").join(got, on="school_id")
    out[["given", "received"]] = out[["given", "received"]].fillna(0.0).astype(float)
    out[["partners_given", "partners_received"]] = (
        out[["partners_given", "partners_received"]].fillna(0).astype(int)
    )
    out = pd.DataFrame(
        {
            "school_id": out["school_id"],
            "school": out["school"],
            "hours given": out["given"].round(1),
            "hours received": out["received"].round(1),
            "balance": (out["given"] - out["received"]).round(1),
            "partners given to": out["partners_given"],
            "partners received from": out["partners_received"],
        }
    ).reset_index(drop=True)
    if not out.empty:
        total = out["hours given"] + out["hours received"]
        share = (out["hours given"] / total.where(total > 0)).fillna(0.5)
        out["relationship"] = np.select(
            [share >= 0.8, share <= 0.2], ["mostly gives", "mostly receives"], "two-way"
        )
        out.loc[total == 0, "relationship"] = "no cross-school work"
    return out


def complementary_strengths(
    con: Connection,
    viewer: Viewer,
    as_of: date | None = None,
    min_strong: int = concepts.HIDDEN_BELOW,
) -> pd.DataFrame:
    """For each pair of schools: skills where one has several strong practitioners and the
    other has open needs. A school's strong count shows only when it is at least
    `min_strong` (or it is the viewer's own school), so nobody is singled out.

    Strong: `brokering.concepts.is_strong`, the same word as the find's ranked list, its
    by-school chart and the gap map.
    """
    as_of = as_of or date.today()
    strong = concepts.strong_counts(con, as_of, viewer=viewer).rename(
        columns={"strong": "strong_staff"}
    )
    needs = query_df(
        con,
        "SELECT st.school_id, n.skill_id, count(*) AS open_needs FROM needs n "
        "JOIN staff st USING (staff_ref) WHERE n.status = 'open' GROUP BY ALL",
    )
    pairs = strong.merge(needs, on="skill_id", suffixes=("_strong", "_need"))
    pairs = pairs[pairs["school_id_strong"] != pairs["school_id_need"]]
    own = pairs["school_id_strong"] == viewer.school_id
    keep = viewer.sees_everyone | own | (pairs["strong_staff"] >= min_strong)
    pairs = pairs[keep]
    names = dict(con.execute("SELECT school_id, name FROM schools").fetchall())
    skills = dict(con.execute("SELECT skill_id, name FROM skills").fetchall())
    out = pd.DataFrame(
        {
            "strong school": pairs["school_id_strong"].map(names),
            "skill": pairs["skill_id"].map(skills),
            "school with needs": pairs["school_id_need"].map(names),
            "strong practitioners": pairs["strong_staff"].astype(int),
            "open needs": [
                int(n)
                if (viewer.sees_everyone or n >= min_strong or sid == viewer.school_id)
                else None
                for n, sid in zip(pairs["open_needs"], pairs["school_id_need"], strict=True)
            ],
        }
    )
    out["open needs"] = out["open needs"].astype("Int64")
    return out.sort_values(["skill", "strong school", "school with needs"]).reset_index(drop=True)
