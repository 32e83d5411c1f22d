"""Who gives to whom: the school-by-school flow of pairings and coaching hours, each
school's give/receive balance, and complementary strengths (one school strong where another
has open needs). JPD is two-way (DOMAIN.md idea 4): one-way relationships should show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import numpy as np
import pandas as pd

from brokering import concepts
from brokering.dashboard import (
    flow_between,
    flow_counts,
    flow_covers,
    flow_hiding,
    flow_once,
    flow_sample,
    hiding,
    school_sample,
)
from brokering.dashboard.facts import ALLIANCE, Facts, Scope, facts
from brokering.db import Connection, alongside, query_df
from brokering.pairings.ledger_cover import Covers
from brokering.viewer import Viewer

T = TypeVar("T")

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

#: Said under the matrix: what it leaves out, and where that is counted.
WITHIN_SCHOOL = (
    "Work within one school (a school's own staff pairing with or coaching each other) is "
    "not drawn here: the matrix shows work between schools. The headline figures count it."
)


def _suppressed(
    work: flow_counts.Work,
    viewer: Viewer,
    with_cells: bool,
    covers: Callable[[pd.DataFrame, pd.DataFrame], Covers | None] | None = None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame, np.ndarray, tuple[set[str], set[str]]]:
    """(schools whose totals are hidden, hidden two-school keys lo*n+hi by position, the
    area cells, which of them are hidden, (the areas whose totals are hidden, those whose
    totals the matrices give away)) for the period's matrix of the whole alliance and of
    every skill area — one suppression for all of them (`flow_hiding.flow_hidden`), with
    the ledger's `covers` on top where the figures are shown (`flow_covers.of`)."""
    schools, pairs, cells = flow_counts.hiding_inputs(work, with_cells)
    kw = {"covers": c} if covers and (c := covers(schools, pairs)) else {}
    hid_s, hid_p, hid_c, areas, known = flow_hiding.flow_hidden(schools, pairs, cells, viewer, **kw)
    a, b = pairs["school_a"].to_numpy(np.int64), pairs["school_b"].to_numpy(np.int64)
    keys = np.minimum(a, b)[hid_p] * work.n + np.maximum(a, b)[hid_p]
    return schools["school_id"].to_numpy()[hid_s], keys, cells, hid_c, (areas, known)


def unweighed(periods: list) -> list[tuple[set, set]]:
    """Per period, no area hidden and none given away: the flows' answer where they are not
    weighed (a viewer who sees everyone, or a caller that weighs only figures concluded)."""
    return [(set(), set()) for _ in periods]


def area_totals(
    con: Connection, viewer: Viewer, periods: list[tuple[date, date]], f: Facts | None = None
) -> list[tuple[set[str], set[str]]]:
    """Per period, what the areas' flow matrices decide about each area's total (pairings
    active in the period, the Transfer page's headline for the area): (the areas whose total
    must be hidden with the matrix — one hidden cell and nothing beside it left to hide; the
    areas whose total the matrices give away — every part shown or known), by
    `flow_hiding.flow_hidden`. Read once for all the periods. An area holding two cells that stay
    hidden whatever else is decided (their relationship rests on too few people, and so does
    the cell) is neither, so the areas' own people are counted only where some area holds
    fewer."""
    if viewer.sees_everyone or not periods:
        return unweighed(periods)
    # The relationships alone settle most periods: for a role that sees no one, a
    # relationship of two people or fewer rests on too few; for one that sees some, a few
    # such relationships per area are read with their people (`flow_sample`).
    rel = flow_once.relationships(con, viewer, periods, f)
    if viewer.aggregate_only:
        between = flow_between.Between.of(rel)
        done = [_two_sure_cells(rel, between, s, e) for s, e in periods]
        if all(done):
            return [(set(), set()) for _ in periods]
    else:
        done = flow_sample.settled(con, viewer, rel, periods, f)
    # Then a look at only the people the viewer cannot see (all a pair's "hidden" count
    # rests on); everyone is read, once, only for a period that look does not settle.
    work = full = None
    out = []
    for (start, end), settled in zip(periods, done, strict=True):
        if settled:
            out.append((set(), set()))
            continue
        if work is None:
            work = flow_counts.read(con, viewer, periods, areas=True, only_unseen=True, f=f)
        if _sure_cells_everywhere(work.during(start, end), viewer):
            out.append((set(), set()))
            continue
        if full is None:
            full = flow_counts.read(con, viewer, periods, areas=True, f=f)
        out.append(_suppressed(full.during(start, end), viewer, True)[4])
    return out


def area_totals_beside(
    con: Connection,
    viewer: Viewer,
    periods: list[tuple[date, date]],
    f: Facts,
    work: Callable[[], T],
) -> tuple[T, list[tuple[set[str], set[str]]]]:
    """(`work`'s answer, `area_totals`), the second worked out beside the first
    (`db.alongside`): the Transfer page's figures for one area and its flow matrices' look
    take about as long each. Both read the same facts (`f`, current when they began)."""
    return alongside(con, lambda cursor: area_totals(cursor, viewer, periods, f), work)


def school_totals(
    con: Connection,
    viewer: Viewer,
    periods: list[tuple[date, date]],
    school_id: str,
    f: Facts | None = None,
    read_for: list[tuple[date, date]] | None = None,
) -> list[tuple[set[str | None], set[str | None]]]:
    """Per period, what the flow matrices decide about one school's pairings active (the
    Transfer page's School filter: all areas, key None, and each area), which add up from
    the school's cells of the matrices (both ways) and its work within itself: (those to
    hide — the school's cells there, or the other cells of the area (the alliance's total
    less the school's), hold exactly one the viewer cannot see or work out, which the total
    less the others would give away; those the matrices give away — every cell shown or
    known). Worked out over the term's full suppression (`flow_hiding`), where the quick look
    (`school_sample`) does not settle the period. `read_for`: periods covering `periods`
    whose relationships the alliance's look reads too (`flow_once.relationships`)."""
    none = [(set(), set()) for _ in periods]
    if viewer.sees_everyone or not periods:
        return none
    f = f or facts(con)
    # The relationships alone, and a few of them read with their people, settle most
    # periods (`school_sample`); everyone is read, once, only for a period they do not.
    rel = flow_once.relationships(con, viewer, read_for or periods, f)
    at = pd.Index(rel.ids).get_indexer([school_id])[0]
    if at < 0:
        return none
    done = school_sample.settled(con, viewer, rel, periods, int(at), f)
    full = None
    out = []
    for (start, end), settled in zip(periods, done, strict=True):
        if settled is not None:
            out.append(settled)
            continue
        if full is None:
            full = flow_counts.read(con, viewer, periods, areas=True, f=f)
        hid_s, _, cells, hid_c, _ = _suppressed(full.during(start, end), viewer, True)
        g, r = cells["giver"].to_numpy(np.int64), cells["receiver"].to_numpy(np.int64)
        mine = (g == at) | (r == at)
        # Work within a school whose totals are shown is taken as known (`flow_hidden`).
        within_known = (g == r) & ~_isin(g, hid_s.astype(np.int64))
        unseen = cells["unseen"].to_numpy(np.int64) > 0
        unknown = hid_c & unseen & ~within_known
        # Given away only where no part rests on someone unseen that no matrix shows (as
        # `flow_hidden` judges an area's total).
        open_part = (hid_c | (g == r)) & unseen
        area = cells["area"].to_numpy(object)
        hide, known = set(), set()
        # The alliance's total less the school's is the cells without it: the same rule.
        for a in pd.unique(area):
            here = area == a
            left = int(unknown[mine & here].sum())
            if not open_part[mine & here].any() and mine[here].any():
                known.add(a)
            elif left == 1 or int(unknown[~mine & here].sum()) == 1:
                hide.add(a)
        if 1 in (int(unknown[mine].sum()), int(unknown[~mine].sum())):
            hide.add(None)
        if _isin(np.array([at]), hid_s.astype(np.int64))[0]:
            # Its ledger totals hidden: its work (given and received, less within) would
            # be one of them where it gives (receives) nothing beyond itself.
            # (An area whose every cell is shown or known is the same figure shown; with
            # every area so, the whole is too.)
            mine_areas = set(pd.unique(area[mine]))
            hide |= mine_areas - known | ({None} if mine_areas - known else set())
        out.append((hide, known))
    return out


def _sure_cells_everywhere(term: flow_counts.Work, viewer: Viewer) -> bool:
    """Whether every area with work between schools holds two cells hidden whatever else is
    decided: their relationship rests on too few people the viewer cannot see (`term` needs
    only those people), and so does the cell (for a role that sees some people: its pair
    works in that one area)."""
    _, pairs, _ = flow_counts.hiding_inputs(term, with_cells=False)
    sure = hiding.primary(pairs["hidden"])
    a, b = pairs["school_a"].to_numpy(np.int64), pairs["school_b"].to_numpy(np.int64)
    sure_keys = (np.minimum(a, b) * term.n + np.maximum(a, b))[sure]
    n_areas = max(len(term.areas), 1)
    cross = term.g != term.r
    pair = (np.minimum(term.g, term.r) * term.n + np.maximum(term.g, term.r))[cross]
    cell = pd.unique(((term.g * term.n + term.r) * n_areas + term.area)[cross])
    cell_pair = np.minimum(cell // n_areas // term.n, cell // n_areas % term.n) * term.n
    cell_pair += np.maximum(cell // n_areas // term.n, cell // n_areas % term.n)
    held = _isin(cell_pair, sure_keys)
    if not viewer.aggregate_only:
        # The cell rests on someone unseen for sure only where its pair works in one area.
        at, pair_of = pd.factorize(pd.unique(pair * n_areas + term.area[cross]) // n_areas)
        held &= _isin(cell_pair, pair_of[np.bincount(at, minlength=len(pair_of)) == 1])
    present = np.bincount(cell % n_areas, minlength=n_areas) > 0
    return bool((np.bincount(cell[held] % n_areas, minlength=n_areas)[present] >= 2).all())


def _two_sure_cells(
    rel: flow_counts.Work,
    between: flow_between.Between,
    start: date,
    end: date,
    without: int | None = None,
) -> bool:
    """Whether every area with work in [start, end] holds two cells whose
    relationship rests on at most two people (at most: each relationship's people added
    up) — for a role that sees no one, cells hidden whatever else is decided. `between`:
    `rel`'s rows between two schools, coded once for every period; `without`: a school
    (position) whose cells do not count."""
    # The same for the alliance's look and a school's (`school_sample`), side by side:
    # worked out once per period for the rows.
    held, present = rel.remember(
        ("flow_between.small_cells", start, end),
        lambda: flow_between.small_cells(rel, between, start, end),
    )
    n_areas = max(len(rel.areas), 1)
    if without is not None:  # not the cells of this school (position): `school_sample`
        n = rel.n
        held = held[(held // n_areas // n != without) & (held // n_areas % n != without)]
    return bool(flow_between.two_cells(held, n_areas)[present].all())


def _isin(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Which of `values` are in `among` (hashed: both run to 100,000 keys)."""
    if not len(among):
        return np.zeros(len(values), bool)
    return np.asarray(pd.Index(pd.unique(among)).get_indexer(values) >= 0)


def flow_matrix(
    con: Connection, viewer: Viewer, start: date, end: date, scope: Scope = ALLIANCE
) -> pd.DataFrame:
    """giver x receiver, two different schools: pairings, coaching records and hours
    (pairing hours split evenly over the school pairs a pairing links). Work within one
    school is left out (`WITHIN_SCHOOL`). Suppressed with the balance, the matrices of each
    skill area and the reciprocity ledger (`flow_hiding.flow_hidden`): a hidden cell shows no
    figure and no count of people."""
    work = flow_counts.read(con, viewer, [(start, end)], areas=scope.area is not None)
    frame = flow_counts.cells(work, scope.area)
    if scope.school_id is not None:
        at = int(pd.Index(work.ids).get_indexer([scope.school_id])[0])
        frame = frame[(frame["giver"] == at) | (frame["receiver"] == at)]
    if frame.empty:
        return pd.DataFrame(columns=_COLUMNS)
    g, r = frame["giver"].to_numpy(np.int64), frame["receiver"].to_numpy(np.int64)
    order = np.lexsort((work.by_id[r], work.by_id[g]))
    frame = frame.iloc[order].reset_index(drop=True)
    g, r = g[order], r[order]
    # Ids and names made text once, then taken per cell (80,000: a tenth of the time).
    ids, names = pd.array(work.ids, dtype="str"), pd.array(work.names, dtype="str")
    out = pd.DataFrame(
        {
            "giver": ids.take(g),
            "receiver": ids.take(r),
            "giver_name": names.take(g),
            "receiver_name": names.take(r),
            "pairings": frame["pairings"].astype(int),
            "coaching_records": frame["coaching_records"].astype(int),
            "hours": (frame["pairing_hours"] + frame["coaching_hours"]).round(1),
            "people": frame["people"].astype(int),
        }
    )
    if not viewer.sees_everyone:
        _, pairs, cells, hid_c, _ = _suppressed(
            work, viewer, scope.area is not None, flow_covers.of(con, viewer, start, end)
        )
        if scope.area is None:
            hidden = _isin(np.minimum(g, r) * work.n + np.maximum(g, r), pairs)
        else:
            mine = cells[hid_c & (cells["area"] == scope.area).to_numpy()]
            keys = mine["giver"].to_numpy(np.int64) * work.n + mine["receiver"].to_numpy(np.int64)
            hidden = _isin(g * work.n + r, keys)
        for col in ("pairings", "coaching_records", "hours", "people"):
            out[col] = out[col].astype("Float64" if col == "hours" else "Int64")
            out.loc[hidden, col] = pd.NA
    return out[_COLUMNS]


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
    (`flow_hiding.flow_hidden`): a school whose totals are hidden shows none of them. Worked out
    from the figures before suppression, so a total shown is the true total (a hidden cell
    is never counted as 0)."""
    work = flow_counts.read(con, viewer, [(start, end)], areas=False)
    cross = flow_counts.cells(work)
    hours = (cross["pairing_hours"] + cross["coaching_hours"]).to_numpy(float)
    g, r, n = cross["giver"].to_numpy(np.int64), cross["receiver"].to_numpy(np.int64), work.n
    hide = np.zeros(n, bool)
    if not viewer.sees_everyone:
        hide[_suppressed(work, viewer, False, flow_covers.of(con, viewer, start, end))[0]] = True
    # Each cell is one (giver, receiver): a school's partners are its cells.
    given, received = np.bincount(g, hours, n), np.bincount(r, hours, n)
    order = np.lexsort((work.ids.astype(str), work.names.astype(str)))
    out = pd.DataFrame(
        {
            "school_id": work.ids[order],
            "school": work.names[order],
            "hours given": given[order].round(1),
            "hours received": received[order].round(1),
            "balance": (given - received)[order].round(1),
            "partners given to": np.bincount(g, minlength=n)[order],
            "partners received from": np.bincount(r, minlength=n)[order],
        }
    )
    hide = hide[order]
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
