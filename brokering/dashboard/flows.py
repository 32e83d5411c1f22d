# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Who gives to whom: the school-by-school flow of pairings and coaching hours, each
school's give/receive balance, and complementary strengths (one school strong where another
has open needs). JPD is two-way (DOMAIN.md idea 4): one-way relationships should show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from brokering import concepts
from brokering.dashboard import hiding
from brokering.dashboard.facts import ALLIANCE, Scope, facts, unseen_sql
from brokering.db import Connection, query_df
from brokering.settings import DEFAULT_RELATIONSHIP_HOURS
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


def _coaching_sql(area: str | None) -> tuple[str, list[object]]:
    """Coaching and mentoring relationships with their schools and hours (the derived facts'
    table), or — for one skill area — those whose skill is in it (read with its skill)."""
    if area is None:
        return "", []
    return (
        f"""
        SELECT a.school_id AS giver, b.school_id AS receiver, c.coach_ref, c.coachee_ref,
               c.start_date, c.end_date, coalesce(c.hours, {DEFAULT_RELATIONSHIP_HOURS!r}) AS hours
        FROM coaching c JOIN staff a ON a.staff_ref = c.coach_ref
        JOIN staff b ON b.staff_ref = c.coachee_ref
        JOIN skills sk ON sk.skill_id = c.skill_id AND coalesce(sk.area, 'Other') = ?
        """,
        [area],
    )


def _values(con: Connection, start: date, end: date, scope: Scope) -> pd.DataFrame:
    """giver x receiver in `scope`, unsuppressed: pairings, coaching records, hours and the
    distinct people behind each cell."""
    f = facts(con)
    area = "" if scope.area is None else "AND l.area = ?"
    school = "" if scope.school_id is None else "WHERE c.giver = ? OR c.receiver = ?"
    coaching, coaching_params = _coaching_sql(scope.area)
    return query_df(
        con,
        f"""
        WITH links AS (
            SELECT * FROM {f.links} l
            WHERE l.start_date <= ? AND (l.concluded_on IS NULL OR l.concluded_on >= ?)
              AND l.status <> 'proposed' {area}
        ), coach AS (
            SELECT giver, receiver, coach_ref, coachee_ref, hours
            FROM {f"({coaching})" if coaching else f.coaching}
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
            *coaching_params,
            end,
            start,
            *([scope.school_id] * 2 if scope.school_id is not None else []),
        ],
    )


def _hiding_inputs(
    con: Connection, viewer: Viewer, start: date, end: date, cells: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What `hiding.flow_hidden` decides on, for the term's pairings and coaching (all
    areas): per school its own people in them; per two schools the people of either school in
    the work between them; per directed cell and area the people of the pair (the school,
    for a same-school cell) in that area — each with how many the viewer cannot see.
    Without `cells` the areas are not counted (the whole alliance's matrix and the balance
    do not depend on them: only each area's matrix does)."""
    f = facts(con)
    unseen, params = unseen_sql(viewer, "m")
    # Areas only when counted: the coaching facts carry no skill, so then it is read afresh.
    area = "l.area" if cells else "NULL"
    coach = (
        "SELECT a.school_id AS giver, b.school_id AS receiver, c.coach_ref, c.coachee_ref, "
        "coalesce(sk.area, 'Other') AS area FROM coaching c "
        "JOIN staff a ON a.staff_ref = c.coach_ref JOIN staff b ON b.staff_ref = c.coachee_ref "
        "LEFT JOIN skills sk ON sk.skill_id = c.skill_id"
        if cells
        else f"SELECT giver, receiver, coach_ref, coachee_ref, NULL AS area FROM {f.coaching} c"
    )
    frame = query_df(
        con,
        f"""
        WITH links AS (
            SELECT l.pairing_id, l.giver, l.receiver, {area} AS area FROM {f.links} l
            WHERE l.start_date <= ? AND (l.concluded_on IS NULL OR l.concluded_on >= ?)
              AND l.status <> 'proposed'
        ), coach AS (
            {coach}
            WHERE c.start_date <= ? AND (c.end_date IS NULL OR c.end_date >= ?)
        ), who AS (
            SELECT l.giver, l.receiver, l.area, m.staff_ref, m.school_id
            FROM links l JOIN {f.people} m USING (pairing_id)
            UNION ALL SELECT giver, receiver, area, coach_ref, giver FROM coach
            UNION ALL SELECT giver, receiver, area, coachee_ref, receiver FROM coach
        ), u AS (
            SELECT m.staff_ref, {unseen} AS unseen FROM (SELECT DISTINCT staff_ref FROM who) m
        ), w AS MATERIALIZED (
            -- Each person once per directed cell and area (distinct first: counting distinct
            -- people three ways over the raw rows cost three times as much).
            SELECT DISTINCT least(giver, receiver) AS a, greatest(giver, receiver) AS b,
                   giver, receiver, area, staff_ref, school_id, u.unseen,
                   school_id IN (least(giver, receiver), greatest(giver, receiver)) AS inside
            FROM who JOIN u USING (staff_ref)
        ), pa AS (
            SELECT a, b, area, count(*) AS people, count(*) FILTER (WHERE unseen) AS unseen
            FROM (SELECT DISTINCT a, b, area, staff_ref, unseen FROM w WHERE inside)
            GROUP BY ALL
        ), pp AS (
            SELECT a, b, count(*) AS people, count(*) FILTER (WHERE unseen) AS unseen
            FROM (SELECT DISTINCT a, b, staff_ref, unseen FROM w WHERE inside AND a <> b)
            GROUP BY ALL
        ), po AS (
            SELECT a, b, bool_or(giver = a AND inside AND unseen) AS a_open,
                   bool_or(giver = b AND inside AND unseen) AS b_open
            FROM w WHERE a <> b GROUP BY ALL
        ), ss AS (
            SELECT school_id, count(*) AS people, count(*) FILTER (WHERE unseen) AS unseen
            FROM (SELECT DISTINCT school_id, staff_ref, unseen FROM w) GROUP BY ALL
        )
        SELECT 'cell' AS kind, c.giver, c.receiver, c.area, pa.people, pa.unseen,
               NULL::BOOLEAN AS a_open, NULL::BOOLEAN AS b_open
        FROM (SELECT DISTINCT giver, receiver, area, a, b FROM w) c JOIN pa USING (a, b, area)
        WHERE {"TRUE" if cells else "FALSE"}
        UNION ALL
        SELECT 'pair', a, b, NULL, pp.people, pp.unseen, po.a_open, po.b_open
        FROM pp JOIN po USING (a, b)
        UNION ALL
        SELECT 'school', school_id, NULL, NULL, people, unseen, NULL, NULL FROM ss
        """,
        [end, start, end, start, *params],
    )
    kind = frame["kind"]
    cells = frame[kind == "cell"].drop(columns=["kind", "a_open", "b_open"])
    pairs = frame.loc[
        kind == "pair", ["giver", "receiver", "people", "unseen", "a_open", "b_open"]
    ].set_axis(["school_a", "school_b", "people", "hidden", "a_open", "b_open"], axis=1)
    schools = frame.loc[kind == "school", ["giver", "people", "unseen"]].set_axis(
        ["school_id", "people", "hidden"], axis=1
    )
    # In the ledger's order (its rule breaks ties by position): schools hub first then by
    # name, relationships by their two schools.
    order = query_df(con, "SELECT school_id FROM schools ORDER BY is_hub DESC, name")
    schools = order.merge(schools, on="school_id", how="inner")
    pairs = pairs.sort_values(["school_a", "school_b"], kind="stable")
    return (
        schools.reset_index(drop=True),
        pairs.reset_index(drop=True),
        cells.reset_index(drop=True),
    )


def _hidden_cells(
    con: Connection, viewer: Viewer, start: date, end: date, area: str | None
) -> tuple[set[str], Callable[[pd.Series, pd.Series], np.ndarray]]:
    """(schools whose totals are hidden, a test of which (giver, receiver) cells are hidden)
    for the term's matrix of the whole alliance (`area` None) or of one skill area — one
    suppression for all of them (`hiding.flow_hidden`)."""
    if viewer.sees_everyone:
        return set(), lambda g, r: np.zeros(len(g), bool)
    schools, pairs, cells = _hiding_inputs(con, viewer, start, end, cells=area is not None)
    hid_s, hid_p, hid_c = hiding.flow_hidden(schools, pairs, cells, viewer)
    ids = pd.Index(schools["school_id"])
    n = max(len(ids), 1)

    def key(g: pd.Series, r: pd.Series, both_ways: bool) -> np.ndarray:
        a, b = ids.get_indexer(g).astype(np.int64), ids.get_indexer(r).astype(np.int64)
        return np.minimum(a, b) * n + np.maximum(a, b) if both_ways else a * n + b

    if area is None:
        hidden = np.concatenate(
            [
                key(pairs.loc[hid_p, "school_a"], pairs.loc[hid_p, "school_b"], True),
                key(schools.loc[hid_s, "school_id"], schools.loc[hid_s, "school_id"], True),
            ]
        )
        both_ways = True
    else:
        mine = cells[hid_c & (cells["area"] == area).to_numpy()]
        hidden, both_ways = key(mine["giver"], mine["receiver"], False), False
    return set(schools.loc[hid_s, "school_id"]), lambda g, r: np.isin(key(g, r, both_ways), hidden)


def flow_matrix(
    con: Connection, viewer: Viewer, start: date, end: date, scope: Scope = ALLIANCE
) -> pd.DataFrame:
    """giver x receiver: pairings, coaching records and hours (pairing hours split evenly
    over the school pairs a pairing links). Suppressed with the balance, the matrices of
    each skill area and the reciprocity ledger (`hiding.flow_hidden`): a hidden cell shows
    no figure and no count of people."""
    frame = _values(con, start, end, scope)
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
    if not viewer.sees_everyone:
        _, hidden = _hidden_cells(con, viewer, start, end, scope.area)
        shown = ~hidden(frame["giver"], frame["receiver"])
        for col in ("pairings", "coaching_records", "hours"):
            frame[col] = frame[col].astype("Float64" if col == "hours" else "Int64")
            frame.loc[~shown, col] = pd.NA
        frame["people"] = frame["people"].astype("Int64").where(shown, pd.NA)
    return frame[_COLUMNS].reset_index(drop=True)


def hidden_cells(matrix: pd.DataFrame) -> int:
    """How many cells of a flow matrix are hidden (a heat map leaves them blank, so the page
    says how many)."""
    return int(matrix["hours"].isna().sum()) if not matrix.empty else 0


#: What the Transfer page's "given and received" counts (the JPD pairings page's reciprocity
#: ledger counts differently: see docs/PAIRINGS.md, "Two views of giving and receiving").
BALANCE_COUNTS = (
    "Hours given and received between schools in the chosen term: each agreed or running "
    "pairing's logged hours plus its cover and travel hours, shared evenly between the schools "
    "it links, and each coaching or mentoring relationship's hours. Work within one school is "
    "left out. The reciprocity ledger on the JPD pairings page counts person-hours from the "
    "pairing logs over all time instead, so its figures differ; pairings between two schools "
    "are counted the same way in both."
)


def balance(con: Connection, viewer: Viewer, start: date, end: date) -> pd.DataFrame:
    """Per school: hours and pairings given to and received from OTHER schools (what
    `BALANCE_COUNTS` says) — the flow matrix's row and column totals, hidden with it
    (`hiding.flow_hidden`): a school whose totals are hidden shows none of them. Worked out
    from the figures before suppression, so a total shown is the true total (a hidden cell
    is never counted as 0)."""
    values = _values(con, start, end, ALLIANCE)
    values["hours"] = values["pairing_hours"] + values["coaching_hours"]
    cross = values[values["giver"] != values["receiver"]]
    hidden_schools, _ = _hidden_cells(con, viewer, start, end, None)
    schools = query_df(con, "SELECT school_id, name AS school FROM schools ORDER BY name")
    gave = cross.groupby("giver").agg(
        given=("hours", "sum"), partners_given=("receiver", "nunique")
    )
    got = cross.groupby("receiver").agg(
        received=("hours", "sum"), partners_received=("giver", "nunique")
    )
    out = schools.join(gave, on="school_id").join(got, on="school_id")
    hide = out["school_id"].isin(hidden_schools).to_numpy()
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
        for col in ("hours given", "hours received", "balance"):
            out[col] = out[col].astype("Float64").where(~hide, pd.NA)
        out["relationship"] = out["relationship"].where(~hide, "fewer than 3 people: hidden")
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
