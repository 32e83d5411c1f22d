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
from brokering.dashboard.flow_counts import Work, _day, _person, _work_ctes
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
    # school's (read once for both: `flow_sample.sure_cells`).
    own, own_unseen = _own_cells(con, viewer, rel, at, periods, f)
    sample = flow_sample.sure_cells(con, viewer, rel, periods, f)
    out: list[Decision | None] = []
    for k, (held, present) in enumerate(sample):
        other = pd.Series([a for g, r, a in held if at not in (g, r)], dtype=object)
        counts = other.value_counts()
        # The other cells of every area hold two unknown to the viewer: none is one short.
        if not all(counts.get(a, 0) >= 2 for a in present):
            out.append(None)
            continue
        out.append(_decided(own[k], own_unseen[k], rel.areas))
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
    person, join, unseen, params = _person(con, viewer, f)
    start, end = min(s for s, _ in periods), max(e for _, e in periods)
    school = str(rel.ids[at])
    rows = con.execute(
        f"""
        WITH {
            _work_ctes(
                f,
                "a.k",
                "JOIN ar a ON a.area = x.area",
                "x.k",
                "JOIN sc x ON x.school_id = m.school_id",
                one_school=True,
            )
        }
        SELECT w.g, w.r, w.area, w.first, w.last, w.ws, {person} AS who, {unseen} AS unseen
        FROM w {join}
        """,
        [end, start, school, end, start, school, *params],
    ).fetchnumpy()
    g, r, area = (np.asarray(rows[c], np.int64) for c in ("g", "r", "area"))
    first, last, ws = (np.asarray(rows[c], np.int64) for c in ("first", "last", "ws"))
    who, hidden = np.asarray(rows["who"], np.int64), np.asarray(rows["unseen"], bool)
    # Only the two schools' own people count for their relationship and its cells (the
    # school's own people are read from its other pairings' links too).
    keep = ((ws == g) | (ws == r)) & hidden & ((g == at) | (r == at))
    n_areas = max(len(rel.areas), 1)
    out, own = [], []
    for s, e in periods:
        running = (first <= _day(e)) & (last >= _day(s)) & hidden & (ws == at)
        own.append(len(pd.unique(who[running])))
        on = (rel.first <= _day(e)) & (rel.last >= _day(s)) & ((rel.g == at) | (rel.r == at))
        cells = pd.unique((rel.g[on] * rel.n + rel.r[on]) * n_areas + rel.area[on])
        won = keep & (first <= _day(e)) & (last >= _day(s))
        other = np.where(g == at, r, g)[won]
        pair_people = pd.DataFrame({"o": other, "a": area[won], "who": who[won]}).drop_duplicates()
        per_pair = pair_people[pair_people["o"] != at].drop_duplicates(["o", "who"])
        pair_unseen = per_pair["o"].value_counts()
        cell_unseen = pair_people.groupby(["o", "a"]).size()
        here: dict[int, list[int]] = {}
        for c in cells:
            cg, cr, ca = int(c // n_areas // rel.n), int(c // n_areas % rel.n), int(c % n_areas)
            here.setdefault(ca, [0, 0, -1])
            o = cr if cg == at else cg
            u = int(cell_unseen.get((o, ca), 0))
            if o == at:
                here[ca][2] = u
            elif u > 0:
                small = 0 < int(pair_unseen.get(o, 0)) < SUPPRESSION_THRESHOLD
                here[ca][0 if small else 1] += 1
        out.append({a: (v[0], v[1], v[2]) for a, v in here.items()})
    return out, own
