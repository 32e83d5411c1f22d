# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""The period's work between schools, read once and counted as whole numbers: what the flow
matrices, the given-and-received balance and their suppression (`flows`, `hiding`) rest on.

Why whole numbers: at national scale a term holds about 100,000 relationships (pairings'
links between two schools, coaching records) and 220,000 rows of the people in them. The
suppression needs the distinct people behind every cell, every two schools, every school
and every cell of each skill area, each with how many the viewer cannot see: counted as
SQL group-bys over strings that took three times the 300 ms a dashboard figure may take.
Here each school is its position in the ledger's order and each person a number, the rows
are read in one plain query and every count is one pass of numpy over them.

Work within one school is read (a school's people count all of its work, as the ledger's
do) but is no cell of the matrices: they show work between schools.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from brokering.dashboard import flow_facts
from brokering.dashboard.facts import PERSON_KEY, Facts, facts
from brokering.db import Connection, query_df
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

#: Schools as positions in the ledger's order (the hub first, then by name), with their rank
#: by id (the ledger names two schools as a and b by id).
_SCHOOLS_SQL = """
    SELECT school_id, name, (row_number() OVER (ORDER BY school_id) - 1)::BIGINT AS by_id
    FROM schools ORDER BY is_hub DESC, name, school_id
"""
_CODES = """
    sc AS (
        SELECT school_id, (row_number() OVER (ORDER BY is_hub DESC, name, school_id) - 1)::INTEGER
               AS k
        FROM schools
    ), ar AS (
        SELECT area, (row_number() OVER (ORDER BY area) - 1)::INTEGER AS k
        FROM (SELECT coalesce(area, 'Other') AS area FROM skills UNION SELECT 'Other')
    )"""
_AREAS_SQL = (
    "SELECT DISTINCT coalesce(area, 'Other') AS area FROM skills UNION SELECT 'Other' ORDER BY 1"
)
_NEVER = 2**31 - 1
#: The relationships' rows: with people's rows after them (a column `rel` tells them apart)
#: or, without people, only the columns relationships have (less to carry back).
_WITH_PEOPLE = """
        SELECT TRUE AS rel, g, r, area, first, last, -1 AS ws, -1 AS staff, FALSE AS unseen,
               hours, TRUE AS pairing, people AS size FROM lk
        UNION ALL SELECT TRUE, g, r, area, first, last, -1, -1, FALSE, hours, FALSE, people
        FROM ck"""
_REL_ONLY = """
        SELECT g, r, area, first, last, hours, TRUE AS pairing, people AS size FROM lk
        UNION ALL SELECT g, r, area, first, last, hours, FALSE, people FROM ck"""


@dataclass(frozen=True)
class Work:
    """The period's relationships and the people in them, schools as positions."""

    ids: np.ndarray  # school id by position
    names: np.ndarray  # school name by position
    by_id: np.ndarray  # rank of each position's id
    areas: np.ndarray  # skill area by code
    # One row per relationship: giver, receiver, area code (-1 unread), pairing or coaching,
    # hours (a link's share of its pairing's hours; a coaching record's), first and last day.
    g: np.ndarray
    r: np.ndarray
    area: np.ndarray
    pairing: np.ndarray
    hours: np.ndarray
    first: np.ndarray
    last: np.ndarray
    size: np.ndarray  # its people (however many of them are in its other relationships)
    # One row per person in a relationship: its giver, receiver, area and days, the person
    # (a code), their school and whether the viewer cannot see them one by one.
    wg: np.ndarray
    wr: np.ndarray
    warea: np.ndarray
    wfirst: np.ndarray
    wlast: np.ndarray
    staff: np.ndarray
    ws: np.ndarray
    unseen: np.ndarray
    #: What has been worked out from these rows (`remember`), kept with them.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n(self) -> int:
        return max(len(self.ids), 1)

    def remember(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()`, worked out once for these rows, by one thread at a time. Why: the
        relationships are read once per store change and shared (`flow_once`), and a
        school's view asks the same of them from two threads (its flows' look and the
        alliance's: `Between.of`, each period's small cells); an answer rests on the rows
        alone, so it lives and dies with them."""
        with _MEMO_LOCK:
            if key not in self.memo:
                self.memo[key] = compute()
            return self.memo[key]

    def during(self, start: date, end: date) -> Work:
        """Only the relationships running on some day of [start, end]."""
        s, e = flow_facts.day_number(start), flow_facts.day_number(end)
        keep = (self.first <= e) & (self.last >= s)
        wkeep = (self.wfirst <= e) & (self.wlast >= s)
        rows = {k: v[keep] for k, v in vars(self).items() if k in _REL}
        people = {k: v[wkeep] for k, v in vars(self).items() if k in _WHO}
        return Work(self.ids, self.names, self.by_id, self.areas, **rows, **people)


_MEMO_LOCK = threading.RLock()
_REL = ("g", "r", "area", "pairing", "hours", "first", "last", "size")
_WHO = ("wg", "wr", "warea", "wfirst", "wlast", "staff", "ws", "unseen")


def read(
    con: Connection,
    viewer: Viewer,
    periods: list[tuple[date, date]],
    areas: bool,
    people: bool = True,
    only_unseen: bool = False,
    f: Facts | None = None,
) -> Work:
    """The relationships running in any of `periods` (pairings agreed or beyond; coaching
    records) and their people, with each one's skill area when `areas` (`Work.during` keeps
    one period's); without `people`, only the relationships; with `only_unseen`, only the
    people the viewer cannot see (all that counts of a figure's "hidden" people, a fifth of
    the rows for a head of school: what a quick first look at the suppression needs). Every
    column comes back a
    number, schools as positions and people as a number each (`PERSON_KEY`), in one query:
    nothing is a string by the time it is counted."""
    f = f or facts(con)
    if areas and not people:
        # The relationships alone: held as numbers in the facts (`flow_facts`).
        held = flow_facts.read(con, f.flow_links, f.flow_coaching, periods)
        if held is not None:
            none = {k: np.zeros(0, bool if k == "unseen" else np.int64) for k in _WHO}
            return Work(**held, **none)
    schools = query_df(con, _SCHOOLS_SQL)
    start, end = min(s for s, _ in periods), max(e for _, e in periods)
    area = "a.k" if areas else "-1"
    join_area = "JOIN ar a ON a.area = x.area" if areas else ""
    person, join, unseen, params = _person(con, viewer, f)
    # A participant's school counts only for suppression (the administrator has none).
    ws, join_school = (
        ("-1", "") if viewer.sees_everyone else ("x.k", "JOIN sc x ON x.school_id = m.school_id")
    )
    people_rows = (
        f"""UNION ALL
        SELECT FALSE, w.g, w.r, w.area, w.first, w.last, w.ws, {person}, {unseen}, 0.0, FALSE, 0
        FROM w {join} {f"WHERE {unseen}" if only_unseen else ""}"""
        if people
        else ""
    )
    rows = con.execute(
        f"""
        WITH {_work_ctes(f, area, join_area, ws, join_school)}
        {_WITH_PEOPLE if people else _REL_ONLY}
        {people_rows}
        """,
        [end, start] * 2 + (params * (2 if only_unseen else 1) if people else []),
    ).fetchnumpy()
    rel = np.asarray(rows["rel"], dtype=bool) if people else np.ones(len(rows["g"]), bool)

    def col(name: str, keep: np.ndarray, dtype: type = np.int64) -> np.ndarray:
        if name not in rows:  # a person's column, not read without `people`
            return np.zeros(0, dtype)
        return np.asarray(rows[name], dtype=dtype)[keep]

    return Work(
        ids=schools["school_id"].to_numpy(object),
        names=schools["name"].to_numpy(object),
        by_id=schools["by_id"].to_numpy(np.int64),
        areas=(
            query_df(con, _AREAS_SQL)["area"].to_numpy(object) if areas else np.array([], object)
        ),
        g=col("g", rel),
        r=col("r", rel),
        area=col("area", rel),
        pairing=col("pairing", rel, bool),
        hours=col("hours", rel, float),
        first=col("first", rel),
        last=col("last", rel),
        size=col("size", rel),
        wg=col("g", ~rel),
        wr=col("r", ~rel),
        warea=col("area", ~rel),
        wfirst=col("first", ~rel),
        wlast=col("last", ~rel),
        staff=pd.factorize(col("staff", ~rel))[0].astype(np.int64),
        ws=col("ws", ~rel),
        unseen=col("unseen", ~rel, bool),
    )


def _work_ctes(f: Facts, area: str, join_area: str, ws: str, join_school: str) -> str:
    """The CTEs `read` rests on: `lk` the pairings' links and `ck` the coaching records
    running from the second parameter's day to the first's, `w` their people (each with
    their school's position, `ws`)."""
    days = "date_diff('day', DATE '1970-01-01', {})"
    return f"""{_CODES}, lk AS (
            SELECT x.pairing_id, g.k AS g, r.k AS r, {area} AS area, x.hours, x.people,
                   {days.format("x.start_date")} AS first,
                   coalesce({days.format("x.concluded_on")}, {_NEVER}) AS last
            FROM {f.links} x JOIN sc g ON g.school_id = x.giver
            JOIN sc r ON r.school_id = x.receiver {join_area}
            WHERE x.start_date <= ? AND (x.concluded_on IS NULL OR x.concluded_on >= ?)
              AND x.status <> 'proposed'
        ), ck AS (
            SELECT g.k AS g, r.k AS r, {area} AS area, x.hours, x.coach_ref, x.coachee_ref,
                   CASE WHEN x.coach_ref = x.coachee_ref THEN 1 ELSE 2 END AS people,
                   {days.format("x.start_date")} AS first,
                   coalesce({days.format("x.end_date")}, {_NEVER}) AS last
            FROM {f.coaching} x JOIN sc g ON g.school_id = x.giver
            JOIN sc r ON r.school_id = x.receiver {join_area}
            WHERE x.start_date <= ? AND (x.end_date IS NULL OR x.end_date >= ?)
        ), w AS (
            SELECT l.g, l.r, l.area, l.first, l.last, m.staff_ref, {ws} AS ws
            FROM lk l JOIN {f.people} m USING (pairing_id) {join_school}
            UNION ALL SELECT g, r, area, first, last, coach_ref, g FROM ck
            UNION ALL SELECT g, r, area, first, last, coachee_ref, r FROM ck
        )"""


def _person(con: Connection, viewer: Viewer, f: Facts) -> tuple[str, str, str, list[object]]:
    """(the person's number, the join it needs, whether the viewer cannot see them, its
    parameters), for a row of `w` — as `read` counts people."""
    # The person's number: their reference hashed where no two staff share one and nothing
    # else about them is needed; else their row in the staff list, read with what the
    # viewer may see of them.
    joined = (
        not (viewer.aggregate_only or viewer.sees_everyone)
        or not con.execute(f"SELECT distinct_keys FROM {f.keys}").fetchall()[0][0]
    )
    if viewer.aggregate_only or viewer.sees_everyone:
        unseen, params = ("TRUE" if viewer.aggregate_only else "FALSE"), []
    else:
        vis, params = visible_staff_sql(viewer, "st")
        unseen = f"NOT {vis}"
    person = "st.rowid" if joined else PERSON_KEY.format("w.staff_ref")
    join = "JOIN staff st ON st.staff_ref = w.staff_ref" if joined else ""
    return person, join, unseen, params


def _people(
    group: np.ndarray, staff: np.ndarray, unseen: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """(distinct people, distinct people the viewer cannot see) in each group 0..n_groups-1;
    `unseen` is per person code."""
    if not len(group):
        return np.zeros(n_groups, np.int64), np.zeros(n_groups, np.int64)
    width = len(unseen)
    keys = pd.unique(group * width + staff)
    at = keys // width
    people = np.bincount(at, minlength=n_groups)
    return people, np.bincount(at, weights=unseen[keys % width], minlength=n_groups).astype(
        np.int64
    )


def _unseen_by_person(work: Work) -> np.ndarray:
    """Whether the viewer cannot see each person code (a property of the person)."""
    out = np.zeros(int(work.staff.max(initial=-1)) + 1, bool)
    out[work.staff] = work.unseen
    return out


def cells(work: Work, area: str | None = None) -> pd.DataFrame:
    """giver x receiver (positions) between two schools, in one area or all: pairings,
    coaching records, pairing and coaching hours, and the distinct people behind each."""
    keep = work.g != work.r
    wkeep = work.wg != work.wr
    if area is not None:
        code = int(pd.Index(work.areas).get_indexer([area])[0])
        keep &= work.area == code
        wkeep &= work.warea == code
    key = work.g[keep] * work.n + work.r[keep]
    codes, cell = pd.factorize(np.concatenate([key, work.wg[wkeep] * work.n + work.wr[wkeep]]))
    at, wcell = codes[: len(key)], codes[len(key) :]
    k = len(cell)
    pairing, hours = work.pairing[keep], work.hours[keep]
    people, _ = _people(wcell, work.staff[wkeep], _unseen_by_person(work), k)
    return pd.DataFrame(
        {
            "giver": cell // work.n,
            "receiver": cell % work.n,
            "pairings": np.bincount(at, weights=pairing, minlength=k).astype(np.int64),
            "coaching_records": np.bincount(at, weights=~pairing, minlength=k).astype(np.int64),
            "pairing_hours": np.bincount(at, weights=np.where(pairing, hours, 0), minlength=k),
            "coaching_hours": np.bincount(at, weights=np.where(pairing, 0, hours), minlength=k),
            "people": people,
        }
    )


def hiding_inputs(work: Work, with_cells: bool) -> tuple[pd.DataFrame, ...]:
    """What `flow_hiding.flow_hidden` decides on, schools as positions: per school its own
    people in the period's work (all of it); per two schools the people of either school in
    the work between them, and whether each gives in it resting on someone unseen; with
    `with_cells`, per directed cell and area the people of the two schools in the pair's work
    in that area — each with how many the viewer cannot see."""
    n, staff = work.n, work.staff
    unseen = _unseen_by_person(work)
    # Schools: each person once (a person is in one school).
    school = np.zeros(len(unseen), np.int64)
    school[staff] = work.ws
    present_staff = np.zeros(len(unseen), bool)
    present_staff[staff] = True
    school_people = np.bincount(school[present_staff], minlength=n)
    school_hidden = np.bincount(school[present_staff & unseen], minlength=n)
    present = np.flatnonzero(school_people)
    schools = pd.DataFrame(
        {
            "school_id": present,
            "by_id": work.by_id[present],  # ties broken by code, as the ledger's are
            "people": school_people[present],
            "hidden": school_hidden[present],
            "gives": np.bincount(work.g, minlength=n)[present] > 0,
            "gets": np.bincount(work.r, minlength=n)[present] > 0,
        }
    )
    # Two schools, named a and b by id as the ledger names them; only their own people.
    g, r = work.wg, work.wr
    lo = np.where(work.by_id[g] < work.by_id[r], g, r)
    hi = np.where(lo == g, r, g)
    inside = (work.ws == lo) | (work.ws == hi)
    m = (g != r) & inside
    at, pair = pd.factorize(lo[m] * n + hi[m])
    gm, wstaff = g[m], staff[m]
    k = len(pair)
    people, hidden = _people(at, wstaff, unseen, k)
    opened = work.unseen[m]
    pairs = pd.DataFrame(
        {
            "school_a": pair // n,
            "school_b": pair % n,
            "people": people,
            "hidden": hidden,
            "a_open": np.bincount(at[opened & (gm == lo[m])], minlength=k) > 0,
            "b_open": np.bincount(at[opened & (gm == hi[m])], minlength=k) > 0,
        }
    )
    order = np.lexsort((work.by_id[pair % n], work.by_id[pair // n]))
    pairs = pairs.iloc[order].reset_index(drop=True)
    if not with_cells:
        none = np.zeros(0, np.int64)
        return (
            schools,
            pairs,
            pd.DataFrame(
                {"giver": none, "receiver": none, "area": none, "people": none, "unseen": none}
            ),
        )
    # Per pair and area: the people of the two schools in it; then each directed cell and
    # area present carries its pair's counts in that area. Work within one school is no cell
    # of a matrix, but it is part of its area's total: it comes as a cell of the school with
    # itself (its people in that work), for `flow_hidden` to weigh as such.
    n_areas = max(len(work.areas), 1)
    cell_key = pd.unique((work.g * n + work.r) * n_areas + work.area)
    cg, cr, ca = cell_key // n_areas // n, cell_key // n_areas % n, cell_key % n_areas
    clo = np.where(work.by_id[cg] < work.by_id[cr], cg, cr)
    chi = np.where(clo == cg, cr, cg)
    wanted = (clo * n + chi) * n_areas + ca
    codes, pa = pd.factorize(
        np.concatenate([wanted, ((lo * n + hi) * n_areas + work.warea)[inside]])
    )
    pa_people, pa_hidden = _people(codes[len(wanted) :], staff[inside], unseen, len(pa))
    cells_ = pd.DataFrame(
        {
            "giver": cg,
            "receiver": cr,
            "area": work.areas[ca] if len(work.areas) else np.full(len(ca), None),
            "people": pa_people[codes[: len(wanted)]],
            "unseen": pa_hidden[codes[: len(wanted)]],
        }
    )
    return schools, pairs, cells_
