"""What the areas' flow matrices decide about the Transfer page's pairings active, mirrored for
the harness: for one skill area's headline (`flows.area_totals`) and one school's
(`flows.school_totals`). The term's relationships and the people behind every school, school
pair and pair-in-an-area are counted here with numpy over the facts in memory; which cells are
hidden is the product's own `flow_hiding.flow_hidden`, called. `school_totals` then restates
the product's reading of those cells for one school (it has that inline, not as a function of
its own) — said on the harness's row.

Schools are handed to `flow_hidden` as the product's positions (the hub first, then by name),
so the rule breaks ties between equal cells as the product does. Nothing here is used by the
app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from benchmarks.baselines import dashboard as bd
from benchmarks.baselines.dashboard_hidden import HiddenFrames, load_hidden_frames
from brokering.dashboard import facts as dash_facts
from brokering.dashboard import flow_between, flow_counts
from brokering.dashboard.flow_hiding import flow_hidden
from brokering.dashboard.flows import _two_sure_cells
from brokering.db import Connection
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql


@dataclass
class AreaFrames:
    """`HiddenFrames` with what the areas' flows need: coaching read again in a known order
    with its area, the flows' areas (every skill area and "Other"), each pairing's and
    coaching record's area as a code among them, and the schools' positions."""

    hf: HiddenFrames
    areas: np.ndarray  # the flows' area names, in order
    pairing_area: np.ndarray  # per pairing code: its area's code
    coaching_area: np.ndarray  # per coaching row: its area's code
    position: np.ndarray  # per school code: its place in the product's order


def load_area_frames(con: Connection) -> AreaFrames:
    """`load_hidden_frames` and the areas' extras (outside any timing)."""
    hf = load_hidden_frames(con)
    f = dash_facts.facts(con)
    ids = pd.Index(hf.base.schools)
    staff = pd.Index(
        con.execute("SELECT DISTINCT staff_ref FROM staff ORDER BY 1").df()["staff_ref"]
    )
    c = con.execute(
        f"""SELECT giver, receiver, coach_ref, coachee_ref,
               (start_date - DATE '1970-01-01')::INTEGER AS start,
               (end_date - DATE '1970-01-01')::INTEGER AS "end", hours, area
        FROM {f.coaching} ORDER BY ALL"""  # noqa: S608 - relation names are code
    ).df()
    coaching = pd.DataFrame(
        {
            "giver": ids.get_indexer(c["giver"]).astype(np.int32),
            "receiver": ids.get_indexer(c["receiver"]).astype(np.int32),
            "coach": staff.get_indexer(c["coach_ref"]).astype(np.int32),
            "coachee": staff.get_indexer(c["coachee_ref"]).astype(np.int32),
            "start": c["start"].astype(np.int32),
            "end": c["end"].fillna(bd._NONE).astype(np.int32),
            "hours": c["hours"].astype(float),
        }
    )
    hf.base.coaching = coaching
    areas = con.execute(
        "SELECT DISTINCT coalesce(area, 'Other') AS area FROM skills "
        "UNION SELECT 'Other' ORDER BY 1"
    ).df()["area"]
    at = pd.Index(areas)
    order = con.execute("SELECT school_id FROM schools ORDER BY is_hub DESC, name, school_id").df()[
        "school_id"
    ]
    position = np.full(len(ids), -1, np.int64)
    position[ids.get_indexer(order)] = np.arange(len(order))
    return AreaFrames(
        hf,
        areas.to_numpy(object),
        at.get_indexer(hf.area).astype(np.int64),
        at.get_indexer(c["area"]).astype(np.int64),
        position,
    )


def unseen_people(con: Connection, hf: HiddenFrames, viewer: Viewer) -> np.ndarray:
    """Per person code: whether the viewer cannot see them one by one (the precomputation a
    page is given: everyone for an aggregate-only role, nobody for the administrator)."""
    n = len(hf.person_school)
    if viewer.aggregate_only:
        return np.ones(n, bool)
    if viewer.sees_everyone:
        return np.zeros(n, bool)
    vis, params = visible_staff_sql(viewer, "st")
    seen = con.execute(
        f"SELECT DISTINCT staff_ref FROM staff st WHERE {vis}",  # noqa: S608 - code fragment
        params,
    ).df()["staff_ref"]
    staff = pd.Index(con.execute("SELECT DISTINCT staff_ref FROM staff ORDER BY 1").df().iloc[:, 0])
    out = np.ones(n, bool)
    out[staff.get_indexer(seen)] = False
    return out


def work(af: AreaFrames, start: date, end: date) -> dict[str, np.ndarray]:
    """The period's relationships and their people (`dashboard_hidden._work`'s columns) with
    each one's area code (`area`, `warea`)."""
    b = af.hf.base
    s_day, e_day = bd._day(start), bd._day(end)
    agreed = (b.pairings["status"] != "proposed").to_numpy()
    p_start, p_end = b.pairings["start"].to_numpy(), b.pairings["concluded"].to_numpy()
    lp = b.links["pairing"].to_numpy()
    on = agreed[lp] & (p_start[lp] <= e_day) & (p_end[lp] >= s_day)
    c = b.coaching
    con = (c["start"].to_numpy() <= e_day) & (c["end"].to_numpy() >= s_day)
    lg, lr = b.links["giver"].to_numpy()[on], b.links["receiver"].to_numpy()[on]
    cg, cr = c["giver"].to_numpy()[con], c["receiver"].to_numpy()[con]
    la, ca = af.pairing_area[lp[on]], af.coaching_area[con]
    rows, person = bd._members(b, lp[on])
    coach, coachee = c["coach"].to_numpy()[con], c["coachee"].to_numpy()[con]
    return {
        "g": np.concatenate([lg, cg]).astype(np.int64),
        "r": np.concatenate([lr, cr]).astype(np.int64),
        "area": np.concatenate([la, ca]),
        "wg": np.concatenate([lg[rows], cg, cg]).astype(np.int64),
        "wr": np.concatenate([lr[rows], cr, cr]).astype(np.int64),
        "warea": np.concatenate([la[rows], ca, ca]),
        "who": np.concatenate([person, coach, coachee]).astype(np.int64),
        "ws": np.concatenate([af.hf.person_school[person], cg, cr]).astype(np.int64),
    }


def _people(group: np.ndarray, who: np.ndarray, unseen: np.ndarray, n: int) -> tuple:
    """(distinct people, distinct people unseen) per group 0..n-1."""
    width = max(len(unseen), 1)
    keys = np.unique(group.astype(np.int64) * width + who)
    at = keys // width
    return (
        np.bincount(at, minlength=n),
        np.bincount(at, weights=unseen[keys % width], minlength=n).astype(np.int64),
    )


def decide(
    af: AreaFrames, w: dict[str, np.ndarray], unseen: np.ndarray, viewer: Viewer
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, set[str], set[str]]:
    """`flow_hidden` over the term's flows with every area's cells: (hidden schools by
    school code, the cells (giver, receiver as school codes; area; unseen), which are
    hidden, the areas whose totals are hidden, the areas the matrices give away)."""
    pos, n = af.position, max(len(af.position), 1)
    g, r, ws = pos[w["wg"]], pos[w["wr"]], pos[w["ws"]]
    by_id = np.argsort(pos)  # per position: its school code, which follows the ids
    school = np.zeros(len(unseen), np.int64)
    school[w["who"]] = ws
    present = np.zeros(len(unseen), bool)
    present[w["who"]] = True
    people = np.bincount(school[present], minlength=n)
    hidden = np.bincount(school[present & unseen], minlength=n)
    at = np.flatnonzero(people)
    schools = pd.DataFrame(
        {
            "school_id": at,
            "people": people[at],
            "hidden": hidden[at],
            "gives": np.bincount(pos[w["g"]], minlength=n)[at] > 0,
            "gets": np.bincount(pos[w["r"]], minlength=n)[at] > 0,
        }
    )
    lo = np.where(by_id[g] < by_id[r], g, r)
    hi = np.where(lo == g, r, g)
    inside = (ws == lo) | (ws == hi)
    m = (g != r) & inside
    pair, pair_of = np.unique(lo[m] * n + hi[m], return_inverse=True)
    k = len(pair)
    pp, ph = _people(pair_of, w["who"][m], unseen, k)
    opened = unseen[w["who"][m]]
    gm = g[m]
    pairs = pd.DataFrame(
        {
            "school_a": pair // n,
            "school_b": pair % n,
            "people": pp,
            "hidden": ph,
            "a_open": np.bincount(pair_of[opened & (gm == lo[m])], minlength=k) > 0,
            "b_open": np.bincount(pair_of[opened & (gm == hi[m])], minlength=k) > 0,
        }
    )
    pairs = pairs.iloc[np.lexsort((by_id[pair % n], by_id[pair // n]))].reset_index(drop=True)
    na = max(len(af.areas), 1)
    cg0, cr0 = pos[w["g"]], pos[w["r"]]
    cell = np.unique((cg0 * n + cr0) * na + w["area"])
    cg, cr, ca = cell // na // n, cell // na % n, cell % na
    clo = np.where(by_id[cg] < by_id[cr], cg, cr)
    chi = np.where(clo == cg, cr, cg)
    wanted = (clo * n + chi) * na + ca
    got = ((lo * n + hi) * na + w["warea"])[inside]
    keys, codes = np.unique(np.concatenate([wanted, got]), return_inverse=True)
    kp, kh = _people(codes[len(wanted) :], w["who"][inside], unseen, len(keys))
    cells = pd.DataFrame(
        {
            "giver": cg,
            "receiver": cr,
            "area": af.areas[ca] if len(af.areas) else np.full(len(ca), None),
            "people": kp[codes[: len(wanted)]],
            "unseen": kh[codes[: len(wanted)]],
        }
    )
    hid_s, _, hid_c, areas, known = flow_hidden(schools, pairs, cells, viewer)
    out = cells.assign(giver=by_id[cg], receiver=by_id[cr])
    return by_id[at[hid_s]], out, hid_c, areas, known


def decided(
    af: AreaFrames, s: date, e: date, unseen: np.ndarray, viewer: Viewer, cache: dict | None
) -> tuple:
    """`decide` for the term [s, e], once per `cache` (a page's views share their terms)."""
    if cache is None:
        return decide(af, work(af, s, e), unseen, viewer)
    if (s, e) not in cache:
        cache[(s, e)] = decide(af, work(af, s, e), unseen, viewer)
    return cache[(s, e)]


def area_totals(
    af: AreaFrames,
    periods: list[tuple[date, date]],
    unseen: np.ndarray,
    viewer: Viewer,
    cache: dict | None = None,
) -> list[tuple[set[str], set[str]]]:
    """`flows.area_totals`: per period, (the areas whose totals are hidden with the matrix,
    the areas whose totals the matrices give away), each period decided in full."""
    if viewer.sees_everyone:
        return [(set(), set()) for _ in periods]
    # For a role that sees no one, the product's own quick look (`flows._two_sure_cells`,
    # called): a term whose every area holds two cells hidden whatever else is decided
    # hides no area's total and gives none away — the full rule's answer, without it.
    done = [False] * len(periods)
    if viewer.aggregate_only:
        rel = relationships(af)
        between = flow_between.Between.of(rel)
        done = [_two_sure_cells(rel, between, s, e) for s, e in periods]
    return [
        (set(), set()) if settled else decided(af, s, e, unseen, viewer, cache)[3:]
        for (s, e), settled in zip(periods, done, strict=True)
    ]


def relationships(af: AreaFrames) -> flow_counts.Work:
    """Every relationship over all time (pairings' links agreed or beyond, coaching) as the
    product's `flow_counts.Work` without people: what its quick looks take."""
    b = af.hf.base
    lp = b.links["pairing"].to_numpy()
    keep = (b.pairings["status"] != "proposed").to_numpy()[lp]
    lp = lp[keep]
    c = b.coaching
    pos = af.position
    none = np.zeros(0, np.int64)
    by_id = np.argsort(pos)  # per position: its school code (codes follow the ids)
    return flow_counts.Work(
        ids=b.schools[by_id],
        names=af.hf.names[by_id],
        by_id=by_id,
        areas=af.areas,
        g=pos[np.concatenate([b.links["giver"].to_numpy()[keep], c["giver"].to_numpy()])],
        r=pos[np.concatenate([b.links["receiver"].to_numpy()[keep], c["receiver"].to_numpy()])],
        area=np.concatenate([af.pairing_area[lp], af.coaching_area]),
        pairing=np.r_[np.ones(len(lp), bool), np.zeros(len(c), bool)],
        hours=np.zeros(len(lp) + len(c)),
        first=np.concatenate([b.pairings["start"].to_numpy()[lp], c["start"].to_numpy()]).astype(
            np.int64
        ),
        last=np.concatenate([b.pairings["concluded"].to_numpy()[lp], c["end"].to_numpy()]).astype(
            np.int64
        ),
        size=np.concatenate(
            [
                af.hf.pairing_people[lp],
                np.where(c["coach"].to_numpy() == c["coachee"].to_numpy(), 1, 2),
            ]
        ),
        wg=none,
        wr=none,
        warea=none,
        wfirst=none,
        wlast=none,
        staff=none,
        ws=none,
        unseen=np.zeros(0, bool),
    )


def school_totals(
    af: AreaFrames,
    periods: list[tuple[date, date]],
    school: int,
    unseen: np.ndarray,
    viewer: Viewer,
    cache: dict | None = None,
) -> list[tuple[set, set]]:
    """`flows.school_totals` for the school with code `school`: per period, (the areas —
    None: all — whose pairings active the school's view hides, those the matrices give
    away), from the term's full suppression, read as the product reads it (restated)."""
    if viewer.sees_everyone:
        return [(set(), set()) for _ in periods]
    out = []
    for s, e in periods:
        hid_s, cells, hid_c, _, _ = decided(af, s, e, unseen, viewer, cache)
        g, r = cells["giver"].to_numpy(np.int64), cells["receiver"].to_numpy(np.int64)
        mine = (g == school) | (r == school)
        within_known = (g == r) & ~np.isin(g, hid_s)
        unseen_c = cells["unseen"].to_numpy(np.int64) > 0
        unknown = hid_c & unseen_c & ~within_known
        open_part = (hid_c | (g == r)) & unseen_c
        area = cells["area"].to_numpy(object)
        hide: set = set()
        known: set = set()
        for a in pd.unique(area):
            here = area == a
            if not open_part[mine & here].any() and mine[here].any():
                known.add(a)
            elif int(unknown[mine & here].sum()) == 1 or int(unknown[~mine & here].sum()) == 1:
                hide.add(a)
        if 1 in (int(unknown[mine].sum()), int(unknown[~mine].sum())):
            hide.add(None)
        if school in set(hid_s.tolist()):
            mine_areas = set(pd.unique(area[mine]))
            hide |= mine_areas - known | ({None} if mine_areas - known else set())
        out.append((hide, known))
    return out
