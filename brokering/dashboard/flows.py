"""Who gives to whom: the school-by-school flow of pairings and coaching hours, each
school's give/receive balance, and complementary strengths (one school strong where another
has open needs). JPD is two-way (DOMAIN.md idea 4): one-way relationships should show."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pandas as pd

from brokering.dashboard.facts import ALLIANCE, Scope, guarded, pairing_facts, ts
from brokering.db import Connection, query_df
from brokering.settings import DEFAULT_RELATIONSHIP_HOURS
from brokering.viewer import Viewer


def _coaching_flows(con: Connection, start: date, end: date) -> pd.DataFrame:
    return query_df(
        con,
        """
        SELECT a.school_id AS giver, b.school_id AS receiver,
               count(*) AS coaching_records,
               sum(coalesce(c.hours, ?)) AS coaching_hours,
               list(DISTINCT c.coach_ref) || list(DISTINCT c.coachee_ref) AS people
        FROM coaching c JOIN staff a ON a.staff_ref = c.coach_ref
        JOIN staff b ON b.staff_ref = c.coachee_ref
        WHERE c.start_date <= ? AND (c.end_date IS NULL OR c.end_date >= ?)
        GROUP BY ALL
        """,
        [DEFAULT_RELATIONSHIP_HOURS, end, start],
    )


def flow_matrix(
    con: Connection, viewer: Viewer, start: date, end: date, scope: Scope = ALLIANCE
) -> pd.DataFrame:
    """giver x receiver: pairings, coaching records and hours (pairing hours split evenly
    over the school pairs a pairing links). Cells resting on few people are suppressed."""
    facts = pairing_facts(con, viewer, Scope(area=scope.area))
    facts = facts[
        (facts["start_date"] <= ts(end))
        & (facts["concluded_on"].isna() | (facts["concluded_on"] >= ts(start)))
    ]
    rows = []
    for r in facts.itertuples():
        links = [(g, t) for g, t in product(r.donor_schools, r.recipient_schools)]
        for g, t in links:
            rows.append(
                {
                    "giver": g,
                    "receiver": t,
                    "pairings": 1,
                    "pairing_hours": r.hours / len(links),
                    "people": list(r.people),
                }
            )
    pairs = pd.DataFrame(rows, columns=["giver", "receiver", "pairings", "pairing_hours", "people"])
    coach = _coaching_flows(con, start, end)
    merged = pd.concat(
        [
            pairs.assign(coaching_records=0, coaching_hours=0.0),
            coach.assign(pairings=0, pairing_hours=0.0),
        ],
        ignore_index=True,
    )
    if merged.empty:
        return pd.DataFrame(
            columns=[
                "giver",
                "receiver",
                "giver_name",
                "receiver_name",
                "pairings",
                "coaching_records",
                "hours",
                "people",
            ]
        )
    grouped = (
        merged.groupby(["giver", "receiver"])
        .agg(
            pairings=("pairings", "sum"),
            coaching_records=("coaching_records", "sum"),
            pairing_hours=("pairing_hours", "sum"),
            coaching_hours=("coaching_hours", "sum"),
            people=("people", lambda s: len({p for ps in s for p in ps})),
        )
        .reset_index()
    )
    grouped["hours"] = (grouped["pairing_hours"] + grouped["coaching_hours"]).round(1)
    if scope.school_id:
        grouped = grouped[
            (grouped["giver"] == scope.school_id) | (grouped["receiver"] == scope.school_id)
        ]
    names = dict(con.execute("SELECT school_id, name FROM schools").fetchall())
    grouped["giver_name"] = grouped["giver"].map(names)
    grouped["receiver_name"] = grouped["receiver"].map(names)
    for col in ("pairings", "coaching_records", "hours"):
        grouped[col] = [
            guarded(v, p, viewer) for v, p in zip(grouped[col], grouped["people"], strict=True)
        ]
    cols = [
        "giver",
        "receiver",
        "giver_name",
        "receiver_name",
        "pairings",
        "coaching_records",
        "hours",
        "people",
    ]
    return grouped[cols].reset_index(drop=True)


def balance(con: Connection, viewer: Viewer, start: date, end: date) -> pd.DataFrame:
    """Per school: hours and pairings given to and received from OTHER schools."""
    matrix = flow_matrix(con, viewer, start, end)
    cross = matrix[matrix["giver"] != matrix["receiver"]]
    schools = query_df(con, "SELECT school_id, name FROM schools ORDER BY name")
    rows = []
    for sid, name in schools.itertuples(index=False):
        gave = cross[cross["giver"] == sid]
        got = cross[cross["receiver"] == sid]
        given = float(pd.to_numeric(gave["hours"], errors="coerce").fillna(0).sum())
        received = float(pd.to_numeric(got["hours"], errors="coerce").fillna(0).sum())
        rows.append(
            {
                "school_id": sid,
                "school": name,
                "hours given": round(given, 1),
                "hours received": round(received, 1),
                "balance": round(given - received, 1),
                "partners given to": int(gave["receiver"].nunique()),
                "partners received from": int(got["giver"].nunique()),
            }
        )
    out = pd.DataFrame(rows)
    if not out.empty:
        total = out["hours given"] + out["hours received"]
        share = (out["hours given"] / total.where(total > 0)).fillna(0.5)
        out["relationship"] = [
            "mostly gives" if s >= 0.8 else "mostly receives" if s <= 0.2 else "two-way"
            for s in share
        ]
        out.loc[total == 0, "relationship"] = "no cross-school work"
    return out


def complementary_strengths(
    con: Connection,
    viewer: Viewer,
    as_of: date | None = None,
    recent_days: int = 730,
    min_strong: int = 3,
) -> pd.DataFrame:
    """For each pair of schools: skills where one has several strong practitioners and the
    other has open needs. A school's strong count shows only when it is at least
    `min_strong` (or it is the viewer's own school), so nobody is singled out.

    Strong: mean strength of observation, outcomes and accreditation evidence in the last
    `recent_days` at least 3.5, over at least two such records.
    """
    as_of = as_of or date.today()
    strong = query_df(
        con,
        """
        WITH per_person AS (
            SELECT e.staff_ref, e.skill_id, avg(e.strength) AS mean, count(*) AS n
            FROM evidence e
            WHERE e.evidence_type IN ('observation', 'outcomes', 'accreditation')
              AND e.date >= ?
            GROUP BY ALL
        )
        SELECT st.school_id, p.skill_id, count(*) AS strong_staff
        FROM per_person p JOIN staff st USING (staff_ref)
        WHERE p.mean >= 3.5 AND p.n >= 2 AND st.left_on IS NULL
        GROUP BY ALL
        """,
        [as_of - timedelta(days=recent_days)],
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
