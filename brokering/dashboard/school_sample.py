# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""A quick, exact first look at what the flow matrices decide about one school's pairings
active (`flows.school_totals`, the Transfer page's School filter), before deciding a period
in full.

Why: deciding it in full suppresses each term's flows for the whole alliance (every
relationship's people read, then the matrices' rule run once per term) — at national scale
over a second for a trend's seven terms, where a dashboard figure may take 300 ms. But the
full rule's answer for one school turns on few things once every skill area with work
holds two other cells hidden whatever else is decided (relationships between two other
schools, in one area, resting on 1 or 2 people the viewer cannot see: `flow_sample`'s
candidates), so no area's other cells are one unknown short: the school's own cells, read
with their people (a few hundred rows) — which are hidden for sure (their relationship
rests on too few people: the ledger's rule 1), which rest on no one unseen (never unknown)
and which could go either way (where the answer turns on one of those, the look gives up)
— and whether its ledger totals are hidden: never where they rest only on people the
viewer sees, always where they rest on too few or one of its relationships is hidden
(rules 1 and 2). A period this does not settle is decided in full by the caller; a period
it settles gets exactly the full rule's answer (tests/test_school_sample.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from brokering.dashboard import flow_sample
from brokering.dashboard.facts import Facts
from brokering.dashboard.flow_between import Between
from brokering.dashboard.flow_counts import _NEVER, Work, _person
from brokering.dashboard.flow_facts import day_number
from brokering.dashboard.flow_once import once
from brokering.db import Connection
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.viewer import Viewer

Decision = tuple[set[str | None], set[str | None]]


def settled(
    con: Connection,
    viewer: Viewer,
    rel: Work,
    periods: list[tuple[date, date]],
    at: int,
    f: Facts,
) -> list[Decision | None]:
    """Per period: `flows.school_totals`' answer for the school at position `at` where this
    look proves it, else None. `rel`: the periods' relationships with their areas (people
    not needed), read from `f`."""
    # The other cells of every area: the alliance's own look's candidates without the
    # school's (read once for both: `flow_sample.sure_cells`) — first, as the alliance's
    # look beside this one waits for them; the school's own rows meanwhile may be read by
    # the thread beside (`own_rows`).
    held = _others_held(con, viewer, rel, at, periods, f)
    own, own_unseen = _own_cells(con, viewer, rel, at, periods, f)
    out: list[Decision | None] = []
    for k, others_held in enumerate(held):
        # The other cells of every area hold two unknown to the viewer: none is one short.
        out.append(_decided(own[k], own_unseen[k], rel.areas) if others_held else None)
    return out


def _others_held(
    con: Connection,
    viewer: Viewer,
    rel: Work,
    at: int,
    periods: list[tuple[date, date]],
    f: Facts,
) -> list[bool]:
    """Per period: whether every area with work holds two cells of other schools than the
    one at position `at` hidden whatever else is decided — for a role that sees no one, from
    the relationships alone (`flows._two_sure_cells`); else from the alliance's sample read
    with its people (`flow_sample.sure_cells`)."""
    if viewer.aggregate_only:
        from brokering.dashboard.flows import _two_sure_cells  # it imports this module

        between = Between.of(rel)
        return [_two_sure_cells(rel, between, s, e, without=at) for s, e in periods]
    out = []
    for held, present in flow_sample.sure_cells(con, viewer, rel, periods, f):
        other = pd.Series([a for g, r, a in held if at not in (g, r)], dtype=object)
        counts = other.value_counts()
        out.append(all(counts.get(a, 0) >= 2 for a in present))
    return out


def _decided(
    cells: dict[int, tuple[int, int, int]], own_unseen: int, areas: np.ndarray
) -> Decision | None:
    """`flows.school_totals`' answer from the school's own cells, the other cells of every
    area holding two unknown ones: per area code (sure: cells hidden whatever else is
    decided, resting on someone unseen; maybe: cells resting on someone unseen whose
    relationship rests on enough people, hidden or not as the rest decides; its work
    within itself: the people the viewer cannot see, -1 for none). None where the answer
    turns on what the rest decides."""
    any_sure = any(sure for sure, _, _ in cells.values())
    # Its ledger totals: shown where they rest only on people the viewer sees; hidden on
    # their own (too few unseen), or with one of its relationships (rule 2 of the ledger).
    if own_unseen == 0:
        school_hidden = False
    elif own_unseen < SUPPRESSION_THRESHOLD or any_sure:
        school_hidden = True
    else:
        return None
    hide: set[str | None] = set()
    known: set[str | None] = set()
    low = high = 0
    for code, (sure, maybe, within) in cells.items():
        name = areas[code]
        # Its work within itself is unknown only while its totals are hidden.
        left = sure + int(school_hidden and within > 0)
        low, high = low + left, high + left + maybe
        if sure or within > 0:
            pass  # a part resting on someone unseen: not given away
        elif maybe:
            return None
        else:
            known.add(name)
            continue
        if school_hidden or left >= 2:
            continue  # hidden below with its totals, or never one short
        if maybe:
            return None
        if left == 1:
            hide.add(name)
    mine = {areas[code] for code in cells} - known
    if school_hidden and mine:
        hide |= mine | {None}
    elif low == 1 and high == 1:
        hide.add(None)
    elif low < 2 and high != low:
        return None
    return hide, known


def _own_cells(
    con: Connection,
    viewer: Viewer,
    rel: Work,
    at: int,
    periods: list[tuple[date, date]],
    f: Facts,
) -> tuple[list[dict[int, tuple[int, int, int]]], list[int]]:
    """(Per period and area code of the school's work: (its cells hidden whatever else is
    decided and resting on someone unseen — their relationship rests on 1 to threshold-1
    people the viewer cannot see, `ledger_suppression` rule 1; its cells resting on someone
    unseen whose relationship rests on more; the people unseen in its work within itself,
    -1 for none) — counted as `flow_counts.hiding_inputs` counts them: a cell's people are
    the two schools' people in the pair's work in its area, a relationship's in all of it;
    per period, the school's own people in all its work the viewer cannot see, what its
    ledger totals rest on)."""
    rows = own_rows(con, viewer, str(rel.ids[at]), periods, f)
    ids = pd.Index(rel.ids)
    codes = {str(a): k for k, a in enumerate(rel.areas)}
    cols = list(zip(*rows, strict=True)) if rows else [()] * 8
    g_at, r_at, ws_at = (ids.get_indexer(list(cols[k])).tolist() for k in (0, 1, 5))
    found = [
        (g_at[i], r_at[i], ws_at[i], codes.get(area, -1), first, last, who, hidden)
        for i, (_, _, area, first, last, _, who, hidden) in enumerate(rows)
    ]
    found = [row for row in found if min(row[:4]) >= 0]
    # Only the two schools' own people count for their relationship and its cells (the
    # school's own people are read from its other pairings' links too).
    ours = [row for row in found if row[7] and at in (row[0], row[1]) and row[2] in row[:2]]
    n_areas = max(len(rel.areas), 1)
    out, own = [], []
    for s, e in periods:
        s_day, e_day = day_number(s), day_number(e)
        own.append(
            len(
                {
                    row[6]
                    for row in found
                    if row[7] and row[2] == at and row[4] <= e_day and row[5] >= s_day
                }
            )
        )
        on = (rel.first <= e_day) & (rel.last >= s_day) & ((rel.g == at) | (rel.r == at))
        cells = pd.unique((rel.g[on] * rel.n + rel.r[on]) * n_areas + rel.area[on])
        pair_people: dict[int, set[int]] = {}
        cell_people: dict[tuple[int, int], set[int]] = {}
        for g, r, _, area, first, last, who, _ in ours:
            if first <= e_day and last >= s_day:
                o = r if g == at else g
                cell_people.setdefault((o, area), set()).add(who)
                if o != at:
                    pair_people.setdefault(o, set()).add(who)
        here: dict[int, list[int]] = {}
        for c in cells.tolist():
            cg, cr, ca = c // n_areas // rel.n, c // n_areas % rel.n, c % n_areas
            here.setdefault(ca, [0, 0, -1])
            o = cr if cg == at else cg
            u = len(cell_people.get((o, ca), ()))
            if o == at:
                here[ca][2] = u
            elif u > 0:
                small = 0 < len(pair_people.get(o, ())) < SUPPRESSION_THRESHOLD
                here[ca][0 if small else 1] += 1
        out.append({a: (v[0], v[1], v[2]) for a, v in here.items()})
    return out, own


def own_rows(
    con: Connection,
    viewer: Viewer,
    school: str,
    periods: list[tuple[date, date]],
    f: Facts,
    wait: bool = True,
) -> list[tuple] | None:
    """The school's own work in the periods with its people (`_own_cells` counts them), read
    once per store change by whichever thread asks first (`flow_once.once`). Without `wait`,
    a thread with time to spare reads them ahead (None) unless another already is: a
    school's view asks for them on its flows' thread, after the alliance's look, while the
    other thread may be done with its figures (`school_view`)."""
    key = ("school_sample.own_rows", viewer, school, tuple(periods), f.links, f.people, f.coaching)
    return once(con, key, lambda: _read_own_rows(con, viewer, school, periods, f), wait)


def _read_own_rows(
    con: Connection,
    viewer: Viewer,
    school: str,
    periods: list[tuple[date, date]],
    f: Facts,
) -> list[tuple]:
    """`own_rows`, read: as `flow_counts.read` reads them (its joins to the schools and the
    areas keep only rows with both), schools and areas by their ids."""
    person, join, unseen, params = _person(con, viewer, f)
    start, end = min(s for s, _ in periods), max(e for _, e in periods)
    return con.execute(
        f"""
        WITH lk AS (
            SELECT x.pairing_id, x.giver, x.receiver, x.area, x.start_date, x.concluded_on
            FROM {f.links} x
            WHERE x.start_date <= ? AND (x.concluded_on IS NULL OR x.concluded_on >= ?)
              AND x.status <> 'proposed'
              AND x.pairing_id IN (SELECT pairing_id FROM {f.people} WHERE school_id = ?)
        ), ck AS (
            SELECT x.giver, x.receiver, x.area, x.start_date, x.end_date, x.coach_ref,
                   x.coachee_ref
            FROM {f.coaching} x
            WHERE x.start_date <= ? AND (x.end_date IS NULL OR x.end_date >= ?)
              AND ? IN (x.giver, x.receiver)
        ), w AS (
            SELECT l.giver AS g, l.receiver AS r, l.area, l.start_date AS first,
                   l.concluded_on AS last, m.staff_ref, m.school_id AS ws
            FROM lk l JOIN {f.people} m USING (pairing_id)
            UNION ALL SELECT giver, receiver, area, start_date, end_date, coach_ref, giver FROM ck
            UNION ALL
            SELECT giver, receiver, area, start_date, end_date, coachee_ref, receiver FROM ck
        )
        SELECT w.g, w.r, coalesce(w.area, '') AS area,
               date_diff('day', DATE '1970-01-01', w.first) AS first,
               coalesce(date_diff('day', DATE '1970-01-01', w.last), {_NEVER}) AS last,
               w.ws, {person} AS who, {unseen} AS unseen
        FROM w {join}
        """,
        [end, start, school, end, start, school, *params],
    ).fetchall()
