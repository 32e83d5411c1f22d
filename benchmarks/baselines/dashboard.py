"""Plain-pandas baseline of the dashboard's aggregates, for the benchmark harness.

Mirrors, before suppression (what the alliance administrator sees):

- `brokering.dashboard.transfer_figures.period_figures` (behind `headline` and `trend_by_term`):
  the same per-period counts, median days, hours and distinct people (`period_figures`);
- `brokering.dashboard.transfer.outcomes_by(by="school")`: pairings per outcome per
  recipient school and the distinct people behind each cell (`outcomes_by_school`);
- `brokering.dashboard.flows.flow_matrix`: giver x receiver pairings, coaching records,
  hours and distinct people (`flow_matrix`).

All from the same facts held in memory the way a pandas programmer would hold them — dates
as day numbers, pairings, people and schools as integer codes — and computed with masks,
`np.unique`, `np.bincount` and `np.median` (no Python loop over rows).
`tests/test_baselines_dashboard.py` checks each against the product. Nothing here is used
by the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from brokering.dashboard import facts as dash_facts
from brokering.db import Connection

_FINAL = np.array(dash_facts.FINAL)
_NONE = np.iinfo(np.int32).max  # "no date": later than any day


@dataclass
class DashFrames:
    pairings: pd.DataFrame  # code, status, start, review, first_evidence, concluded, hours
    people: pd.DataFrame  # pairing (code), person (code), recipient (0/1), sorted by pairing
    receivers: pd.DataFrame  # pairing (code), school (code): once per receiving school
    links: pd.DataFrame  # pairing (code), giver, receiver (school codes), hours (its share)
    coaching: pd.DataFrame  # giver, receiver (school codes), coach, coachee (person), start,
    #                         end (day numbers, _NONE when open), hours
    schools: np.ndarray  # school_id by school code (codes follow school_id order)

    def memory_mb(self) -> float:
        frames = (self.pairings, self.people, self.receivers, self.links, self.coaching)
        total = sum(int(x.memory_usage(deep=True).sum()) for x in frames)
        return float(total + self.schools.nbytes) / 1e6


def load_dash_frames(con: Connection) -> DashFrames:
    """The dashboard's facts (alliance-wide) as frames of codes and day numbers."""
    f = dash_facts.facts(con)
    pairings = con.execute(
        f"""
        SELECT (row_number() OVER (ORDER BY pairing_id) - 1)::INTEGER AS code, status,
               (start_date - DATE '1970-01-01')::INTEGER AS start,
               (review_date - DATE '1970-01-01')::INTEGER AS review,
               (first_evidence - DATE '1970-01-01')::INTEGER AS first_evidence,
               (concluded_on - DATE '1970-01-01')::INTEGER AS concluded, hours
        FROM {f.pairings} ORDER BY pairing_id
        """  # noqa: S608 - relation names are code
    ).df()
    # Codes: pairings in pairing_id order, people over the whole staff list (coaching can
    # involve staff in no pairing), schools over the staff's schools in school_id order.
    codes = f"""
        c AS (SELECT pairing_id, (row_number() OVER (ORDER BY pairing_id) - 1)::INTEGER
              AS pairing FROM {f.pairings}),
        s AS (SELECT staff_ref, (row_number() OVER (ORDER BY staff_ref) - 1)::INTEGER
              AS person FROM (SELECT DISTINCT staff_ref FROM staff)),
        sc AS (SELECT school_id, (row_number() OVER (ORDER BY school_id) - 1)::INTEGER
               AS school FROM (SELECT DISTINCT school_id FROM staff))
    """  # noqa: S608

    def coded(sql: str) -> pd.DataFrame:
        return con.execute(f"WITH {codes} {sql}").df()  # noqa: S608 - code fragments

    people = coded(
        f"""
        SELECT c.pairing, s.person, m.side = 'recipient' AS recipient
        FROM {f.people} m JOIN c USING (pairing_id)
        JOIN s USING (staff_ref) ORDER BY c.pairing, s.person
        """  # noqa: S608
    )
    receivers = coded(
        f"""
        SELECT c.pairing, sc.school FROM {f.receivers} r JOIN c USING (pairing_id)
        JOIN sc USING (school_id) ORDER BY c.pairing, sc.school
        """  # noqa: S608
    )
    links = coded(
        f"""
        SELECT c.pairing, g.school AS giver, r.school AS receiver, l.hours
        FROM {f.links} l JOIN c USING (pairing_id)
        JOIN sc g ON g.school_id = l.giver JOIN sc r ON r.school_id = l.receiver
        ORDER BY c.pairing, giver, receiver
        """  # noqa: S608
    )
    coaching = coded(
        f"""
        SELECT g.school AS giver, r.school AS receiver, a.person AS coach, b.person AS coachee,
               (k.start_date - DATE '1970-01-01')::INTEGER AS start,
               coalesce((k.end_date - DATE '1970-01-01')::INTEGER, {_NONE}) AS "end", k.hours
        FROM {f.coaching} k
        JOIN sc g ON g.school_id = k.giver JOIN sc r ON r.school_id = k.receiver
        JOIN s a ON a.staff_ref = k.coach_ref JOIN s b ON b.staff_ref = k.coachee_ref
        """  # noqa: S608
    )
    schools = coded("SELECT school_id FROM sc ORDER BY school")["school_id"].to_numpy(object)
    for col in ("review", "first_evidence", "concluded"):
        pairings[col] = pairings[col].fillna(_NONE).astype(np.int32)
    pairings["status"] = pairings["status"].astype("category")
    codes_of = ["giver", "receiver", "coach", "coachee", "start", "end"]
    coaching[codes_of] = coaching[codes_of].astype(np.int32)
    links[["pairing", "giver", "receiver"]] = links[["pairing", "giver", "receiver"]].astype(
        np.int32
    )
    return DashFrames(
        pairings,
        people.astype(np.int32),
        receivers.astype(np.int32),
        links,
        coaching,
        schools,
    )


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def period_figures(
    frames: DashFrames, periods: list[tuple[date, date]], as_of: date
) -> list[dict[str, tuple[float | int | None, int]]]:
    """`period_figures` for the whole alliance: per period, each figure with its people."""
    p = frames.pairings
    status = p["status"].to_numpy().astype(str)
    start, review = p["start"].to_numpy(), p["review"].to_numpy()
    first, concluded = p["first_evidence"].to_numpy(), p["concluded"].to_numpy()
    hours = p["hours"].to_numpy(float)
    has_concluded, has_first = concluded != _NONE, first != _NONE
    is_final = np.isin(status, _FINAL)
    transferred_status = status == "transferred"
    judged_status = np.isin(status, ["transferred", "not transferred"])
    pairing_of = frames.people["pairing"].to_numpy()
    person_of = frames.people["person"].to_numpy()

    def people(mask: np.ndarray) -> int:
        return int(len(np.unique(person_of[mask[pairing_of]])))

    out = []
    for s, e in periods:
        s_day, e_day, c_day = _day(s), _day(e), _day(min(e, as_of))
        active = (start <= e_day) & (status != "proposed") & (~has_concluded | (concluded >= s_day))
        done = has_concluded & (concluded >= s_day) & (concluded <= e_day)
        overdue = ~is_final & (review < c_day) & (review != _NONE) & ~has_first
        overdue &= start <= c_day
        transferred, judged = done & transferred_status, done & judged_status
        days = (first - start)[transferred & has_first]
        n_t, n_j = int(transferred.sum()), int(judged.sum())
        out.append(
            {
                "active": (int(active.sum()), people(active)),
                "transferred": (n_t, people(transferred)),
                "rate": ((n_t / n_j * 100) if n_j else None, people(judged)),
                "median_days": (float(np.median(days)) if len(days) else None, people(transferred)),
                "hours_per_transfer": (
                    float(hours[done].sum()) / n_t if n_t else None,
                    people(done),
                ),
                "overdue": (int(overdue.sum()), people(overdue)),
                "judged": (n_j, people(judged)),
                "not_transferred": (n_j - n_t, people(judged & ~transferred_status)),
                "hours": (float(hours[done].sum()) if done.any() else None, people(done)),
            }
        )
    return out


# -- cells of pairings (and coaching) with the distinct people behind each -----------------


def _members(frames: DashFrames, pairing_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row naming a pairing: (row index, person) once per participant of it."""
    pairing_of = frames.people["pairing"].to_numpy()
    person_of = frames.people["person"].to_numpy()
    counts = np.bincount(pairing_of, minlength=len(frames.pairings))
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))  # people are sorted by pairing
    lens = counts[pairing_rows]
    rows = np.repeat(np.arange(len(pairing_rows)), lens)
    within = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
    return rows, person_of[np.repeat(first[pairing_rows], lens) + within]


def _distinct(cell: np.ndarray, person: np.ndarray, n_cells: int, n_persons: int) -> np.ndarray:
    """Distinct people per cell (0..n_cells-1)."""
    key = np.unique(cell.astype(np.int64) * max(n_persons, 1) + person)
    return np.bincount(key // max(n_persons, 1), minlength=n_cells)


def _n_persons(frames: DashFrames) -> int:
    c = frames.coaching
    parts = [frames.people["person"].to_numpy(), c["coach"].to_numpy(), c["coachee"].to_numpy()]
    return int(max((int(x.max()) for x in parts if len(x)), default=-1)) + 1


def outcomes_by_school(frames: DashFrames) -> pd.DataFrame:
    """`outcomes_by(con, viewer, by="school")` for the whole alliance, before suppression:
    per (outcome, recipient_school) the pairings and the distinct people in them. Outcome:
    the status when final, else 'open'; a pairing counted once per school receiving in it."""
    status = frames.pairings["status"].to_numpy().astype(str)
    outcome = np.where(np.isin(status, _FINAL), status, "open")
    names, outcome_code = np.unique(outcome, return_inverse=True)
    r_pairing = frames.receivers["pairing"].to_numpy()
    r_school = frames.receivers["school"].to_numpy()
    n_schools = len(frames.schools)
    key = outcome_code[r_pairing].astype(np.int64) * n_schools + r_school
    cells, cell_of, pairings = np.unique(key, return_inverse=True, return_counts=True)
    rows, person = _members(frames, r_pairing)
    people = _distinct(cell_of[rows], person, len(cells), _n_persons(frames))
    out = pd.DataFrame(
        {
            "outcome": names[cells // n_schools],
            "recipient_school": frames.schools[cells % n_schools],
            "pairings": pairings.astype(np.int64),
            "people": people.astype(np.int64),
        }
    )
    return out.sort_values(["outcome", "recipient_school"], kind="stable").reset_index(drop=True)


def flow_matrix(frames: DashFrames, start: date, end: date) -> pd.DataFrame:
    """`flows.flow_matrix` for the whole alliance, before suppression: per giver x receiver
    school (two different schools), the pairing links running in the period (agreed or
    beyond, started by its end, not concluded before its start), the coaching records
    running in it, their hours (each link's share of its pairing's hours plus the coaching
    hours), and the distinct people over both (a pairing's participants, a coaching record's
    coach and coachee)."""
    s_day, e_day = _day(start), _day(end)
    p_start = frames.pairings["start"].to_numpy()
    p_concluded = frames.pairings["concluded"].to_numpy()  # _NONE (never) is >= any day
    links, coach = frames.links, frames.coaching
    l_pairing = links["pairing"].to_numpy()
    agreed = (frames.pairings["status"] != "proposed").to_numpy()  # a proposal gives nothing
    in_links = (p_start[l_pairing] <= e_day) & (p_concluded[l_pairing] >= s_day)
    in_links &= agreed[l_pairing]
    in_coach = (coach["start"].to_numpy() <= e_day) & (coach["end"].to_numpy() >= s_day)
    # Work between two schools only (work within one school is no cell of the matrix).
    in_links &= links["giver"].to_numpy() != links["receiver"].to_numpy()
    in_coach &= coach["giver"].to_numpy() != coach["receiver"].to_numpy()
    l_pairing = l_pairing[in_links]
    n_schools = len(frames.schools)
    l_key = links["giver"].to_numpy()[in_links].astype(np.int64) * n_schools
    l_key += links["receiver"].to_numpy()[in_links]
    c_key = coach["giver"].to_numpy()[in_coach].astype(np.int64) * n_schools
    c_key += coach["receiver"].to_numpy()[in_coach]
    cells, cell_of = np.unique(np.concatenate((l_key, c_key)), return_inverse=True)
    l_cell, c_cell = cell_of[: len(l_key)], cell_of[len(l_key) :]
    n = len(cells)
    pairing_hours = np.bincount(
        l_cell, weights=links["hours"].to_numpy(float)[in_links], minlength=n
    )
    coaching_hours = np.bincount(
        c_cell, weights=coach["hours"].to_numpy(float)[in_coach], minlength=n
    )
    rows, person = _members(frames, l_pairing)
    who_cell = np.concatenate((l_cell[rows], c_cell, c_cell))
    who = np.concatenate(
        (person, coach["coach"].to_numpy()[in_coach], coach["coachee"].to_numpy()[in_coach])
    )
    return pd.DataFrame(
        {
            "giver": frames.schools[cells // n_schools],
            "receiver": frames.schools[cells % n_schools],
            "pairings": np.bincount(l_cell, minlength=n).astype(np.int64),
            "coaching_records": np.bincount(c_cell, minlength=n).astype(np.int64),
            "hours": (pairing_hours + coaching_hours).astype(float).round(1),
            "people": _distinct(who_cell, who, n, _n_persons(frames)).astype(np.int64),
        }
    )
