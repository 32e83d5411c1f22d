"""Pandas mirrors of the Transfer page's charts under its School filter — outcomes by receiving
school and hours against outcome for one school — suppressed beside the alliance's and every
other school's view, for the harness, for any viewer (their unseen people given).

Counted here with numpy over the facts in memory: the school's and the alliance's tables with
their margins (pairings, distinct people, distinct people unseen: `school_tables.grid`'s
counts), and what the other schools' views weigh (`chart_hiding.levels_ctes`: each cell's
parts by the set of schools a pairing has people from, the work elsewhere). Suppressed by the
product's own functions, called: `school_tables.table_hidden` (`hiding.grid_hidden` inside),
`chart_hiding.grid_beside`, `school_tables.cut` and `outcomes._every_outcome`. Nothing here
is used by the app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from benchmarks.baselines import dashboard as bd
from benchmarks.baselines import dashboard_school as ds
from benchmarks.baselines.dashboard_area_flows import AreaFrames
from benchmarks.baselines.dashboard_cover import charted_governor
from brokering.dashboard.chart_hiding import grid_beside, unshown_of
from brokering.dashboard.hours import hours_laid_out
from brokering.dashboard.hours_cover import Columns, unshown_by_area
from brokering.dashboard.outcomes import HOUR_BANDS, _every_outcome
from brokering.dashboard.school_hours import Told, shown_where_told, told_of
from brokering.dashboard.school_tables import VIEW_COLUMNS, Unshown, cut, table_hidden
from brokering.placing import ALL_SHARE_SQL, places, settled
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.terms import previous_term, term_of
from brokering.viewer import Viewer

#: A table's rows: per pairing in a cell, its pairing code and the cell's outcome, row, col.
Rows = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def outcome_rows(af: AreaFrames, start: date | None, end: date | None) -> Rows:
    """The outcomes table of the whole alliance: each pairing once per receiving school."""
    b = af.hf.base
    status = b.pairings["status"].to_numpy().astype(str)
    outcome = np.where(np.isin(status, bd._FINAL), status, "open").astype(object)
    p = b.receivers["pairing"].to_numpy()
    keep = np.ones(len(p), bool)
    if start and end:
        keep = (b.pairings["start"].to_numpy()[p] <= bd._day(end)) & (
            b.pairings["concluded"].to_numpy()[p] >= bd._day(start)
        )
    p = p[keep]
    school = b.schools[b.receivers["school"].to_numpy()[keep]].astype(object)
    return p, outcome[p], school, af.hf.area[p]


def hours_rows(af: AreaFrames) -> Rows:
    """Hours against outcome's table: judged pairings by hours band and area."""
    b = af.hf.base
    status = b.pairings["status"].to_numpy().astype(str)
    hours = b.pairings["hours"].to_numpy(float)
    band = np.full(len(status), None, dtype=object)
    for lo, hi, label in HOUR_BANDS:
        band[(hours >= lo) & (hours < hi)] = label
    p = np.flatnonzero(np.isin(status, ["transferred", "not transferred"]) & (band != None))  # noqa: E711
    return p, status[p].astype(object), band[p], af.hf.area[p]


def _touching(af: AreaFrames, school: int) -> np.ndarray:
    """Per pairing code: whether someone in it is from the school."""
    b = af.hf.base
    out = np.zeros(len(b.pairings), bool)
    person = b.people["person"].to_numpy()
    out[b.people["pairing"].to_numpy()[af.hf.person_school[person] == school]] = True
    return out


def whole_schools(con, viewer: Viewer) -> frozenset[str]:  # noqa: ANN001
    """`placing.whole_sql`'s schools: the viewer's own and those whose every member of staff
    is in post and shares, three or more (the Data page's counts equal and shown) — read by
    the product's own statement (`placing.ALL_SHARE_SQL`), outside the timing."""
    rows = con.execute(ALL_SHARE_SQL).fetchall()
    return frozenset({r[0] for r in rows} | ({viewer.school_id} if viewer.school_id else set()))


def _placed(af: AreaFrames, rows: Rows, unseen: np.ndarray, oc, kc, n_k: int) -> tuple:  # noqa: ANN001
    """`placing.placed_ctes` over the table's rows: per (outcome, area) code and per outcome
    code, the distinct unseen recipients of listed pairings (one with someone seen)."""
    b = af.hf.base
    pairing_of = b.people["pairing"].to_numpy()
    counts = np.bincount(pairing_of, minlength=len(b.pairings))
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    lens = counts[rows[0]]
    within = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
    at = np.repeat(first[rows[0]], lens) + within
    row, person = np.repeat(np.arange(len(rows[0])), lens), b.people["person"].to_numpy()[at]
    hid = unseen[person].astype(bool)
    listed = np.bincount(row, weights=~hid, minlength=len(rows[0])) > 0
    keep = hid & b.people["recipient"].to_numpy(bool)[at] & listed[row]
    width = max(len(unseen), 1)
    out = []
    for key, n in ((oc * n_k + kc, (oc.max() + 1) * n_k), (oc, oc.max() + 1)):
        who = np.unique(key[row[keep]].astype(np.int64) * width + person[keep])
        out.append(np.bincount(who // width, minlength=n))
    return out[0], out[1]


def grid(
    af: AreaFrames, rows: Rows, unseen: np.ndarray, whole: frozenset[str] | None = None
) -> pd.DataFrame:
    """`school_tables.grid`: per cell (level 0), row total (1) and column total (2) its
    pairings, distinct people and distinct people unseen — where the rows are schools
    (`whole` given: the schools the viewer can tell they see all of), a figure resting on
    no one unseen weighing the unseen recipients whose school it settles (`placing.settled`,
    the product's, called)."""
    p, o, r, k = rows
    cols = ["outcome", "row", "col", "level", "pairings", "people", "unseen"]
    if not len(p):
        return pd.DataFrame(columns=cols)
    on, oc = np.unique(o.astype(str), return_inverse=True)
    rn, rc = np.unique(r.astype(str), return_inverse=True)
    kn, kc = np.unique(k.astype(str), return_inverse=True)
    member, person = bd._members(af.hf.base, p)
    width = max(len(unseen), 1)
    plk, plo = (
        _placed(af, rows, unseen, oc, kc, len(kn))
        if whole is not None
        else (np.zeros(len(on) * len(kn), np.int64), np.zeros(len(on), np.int64))
    )
    frames = []
    for level, key in (
        (0, (oc * len(rn) + rc) * len(kn) + kc),
        (1, oc * len(rn) + rc),
        (2, oc * len(kn) + kc),
    ):
        cells, at = np.unique(key, return_inverse=True)
        n = len(cells)
        pairs = np.unique(at.astype(np.int64) * (len(af.hf.base.pairings) + 1) + p)
        who = np.unique(at[member].astype(np.int64) * width + person)
        c = who // width
        frame = {
            "pairings": np.bincount(pairs // (len(af.hf.base.pairings) + 1), minlength=n),
            "people": np.bincount(c, minlength=n),
            "unseen": np.bincount(c, weights=unseen[who % width], minlength=n).astype(np.int64),
        }
        if level == 0:
            ko, kr, kk = cells // len(kn) // len(rn), cells // len(kn) % len(rn), cells % len(kn)
            row, col = rn[kr].astype(object), kn[kk].astype(object)
            placed = plk[ko * len(kn) + kk]
        elif level == 1:
            ko, row, col = cells // len(rn), rn[cells % len(rn)].astype(object), None
            placed = plo[ko]
        else:
            ko, row, col = cells // len(kn), None, kn[cells % len(kn)].astype(object)
            placed = np.zeros(n, np.int64)
        if whole is not None and row is not None:
            known = pd.Index(sorted(whole)).get_indexer(row) >= 0  # hashed: strings
            frame["unseen"] = settled(frame["unseen"], placed, known)
        frames.append(
            pd.DataFrame(
                {"outcome": on[ko].astype(object), "row": row, "col": col, "level": level}
                | {x: v.astype(np.int64) for x, v in frame.items()}
            )
        )
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["level", "outcome", "row", "col"], ignore_index=True)


def levels(af: AreaFrames, rows: Rows, school: int, unseen: np.ndarray) -> dict[int, pd.DataFrame]:
    """`chart_hiding.levels_ctes` over the whole table's rows for the school (code): per
    cell of the school's, whether a part of it (its pairings with one set of schools) rests
    on too few unseen people, the unseen people behind the work elsewhere and behind the
    alliance's cell; per row (column) total of the school's, whether the work elsewhere
    rests on anyone unseen."""
    p, o, r, k = rows
    t = SUPPRESSION_THRESHOLD
    b = af.hf.base
    here = _touching(af, school)[p]
    on, oc = np.unique(o.astype(str), return_inverse=True)
    rn, rc = np.unique(r.astype(str), return_inverse=True)
    kn, kc = np.unique(k.astype(str), return_inverse=True)
    nr, nk = max(len(rn), 1), max(len(kn), 1)
    cell = (oc.astype(np.int64) * nr + rc) * nk + kc
    ours = np.unique(cell[here])
    n = len(ours)
    # Each of the school's pairings' set of schools (its part), as a number.
    pairing_of, person_of = b.people["pairing"].to_numpy(), b.people["person"].to_numpy()
    mine_p = np.unique(p[here])
    sel = np.isin(pairing_of, mine_p)
    pairs = np.unique(
        pairing_of[sel].astype(np.int64) * (len(b.schools) + 1)
        + af.hf.person_school[person_of[sel]]
    )
    sets: dict[int, list[int]] = {}
    for x in pairs.tolist():
        sets.setdefault(x // (len(b.schools) + 1), []).append(x % (len(b.schools) + 1))
    codes: dict[tuple, int] = {}
    part_of = np.full(len(b.pairings), -1, np.int64)
    for pairing, schools in sets.items():
        part_of[pairing] = codes.setdefault(tuple(schools), len(codes))
    member, person = bd._members(b, p)
    at = np.searchsorted(ours, cell[member])
    keep = (at < n) & (ours[np.minimum(at, max(n - 1, 0))] == cell[member]) if n else at < 0
    keep &= unseen[person]
    at, who = at[keep], person[keep]
    part = np.where(here[member[keep]], part_of[p[member[keep]]], -1)
    width, n_parts = max(len(unseen), 1), len(codes) + 1
    group = at.astype(np.int64) * n_parts + part + 1
    key = np.unique(group * width + who)
    g_of = key // width
    groups, counts = np.unique(g_of, return_counts=True)
    g_cell, g_part = groups // n_parts, groups % n_parts - 1
    small = (g_part >= 0) & (counts >= 1) & (counts < t)
    away = g_part < 0
    elsewhere = np.zeros(n, np.int64)
    np.maximum.at(elsewhere, g_cell[away], counts[away])
    whole = np.bincount(np.unique(at.astype(np.int64) * width + who) // width, minlength=n)
    cells = pd.DataFrame(
        {
            "outcome": on[ours // nk // nr].astype(object),
            "r": rn[ours // nk % nr].astype(object),
            "k": kn[ours % nk].astype(object),
            "part": np.bincount(g_cell[small], minlength=n) > 0,
            "elsewhere": elsewhere,
            "unseen": whole.astype(np.int64),
        }
    )
    # The totals: whether the work elsewhere in each rests on anyone unseen.
    has_unseen = np.zeros(len(b.pairings), bool)
    has_unseen[p[member][unseen[person]]] = True
    out = {0: cells}
    for level, key2, names, width2 in ((1, rc, rn, nr), (2, kc, kn, nk)):
        total = oc.astype(np.int64) * width2 + key2
        ours_t = np.unique(total[here])
        sel_t = ~here & np.isin(total, ours_t)
        got, inv = np.unique(total[sel_t], return_inverse=True)
        e = np.bincount(inv, weights=has_unseen[p[sel_t]], minlength=len(got)) > 0
        name = names[got % width2].astype(object)
        out[level] = pd.DataFrame(
            {
                "outcome": on[got // width2].astype(object),
                "r": name if level == 1 else None,
                "k": name if level == 2 else None,
                "level": level,
                "elsewhere": e.astype(np.int64),
            }
        )
    return out


def school_chart(
    af: AreaFrames,
    rows: Rows,
    school_id: str,
    unseen: np.ndarray,
    viewer: Viewer,
    level: int,
    across: bool,
    unshown: Unshown = frozenset(),
    force: Columns = frozenset(),
    whole: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """`school_tables.school_view`: the school's table suppressed beside the alliance's
    (`force`: the alliance's table's, as `table_hidden` takes it; `whole`: as `grid`'s, for
    a table whose rows are schools — the outcomes, `across`)."""
    school = int(pd.Index(af.hf.base.schools).get_indexer([school_id])[0])
    mine_rows = tuple(x[_touching(af, school)[rows[0]]] for x in rows)
    placing = whole if places(viewer, across) else None  # (the product's test, called)
    mine = grid(af, mine_rows, unseen, placing)
    full = grid(af, rows, unseen, placing)
    theirs = table_hidden(full, viewer, across, unshown, force, whole=True)
    got = levels(af, rows, school, unseen)
    hidden = grid_beside(
        mine, full, theirs, got, lambda t: table_hidden(t, viewer, across, unshown)
    )
    return cut(mine, hidden, level, None)[VIEW_COLUMNS].reset_index(drop=True)


def outcomes_school(
    af: AreaFrames,
    school_id: str,
    unseen: np.ndarray,
    viewer: Viewer,
    start: date | None = None,
    end: date | None = None,
    whole: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """`transfer.outcomes_by(by="school")` for one school's view (not the administrator;
    `whole`: `whole_schools`, worked out beforehand)."""
    rows = outcome_rows(af, start, end)
    view = school_chart(af, rows, school_id, unseen, viewer, 1, True, whole=whole)
    code = pd.Index(af.hf.base.schools).get_indexer(view["row"].astype(object))
    view = view.assign(label=af.hf.names[code].astype(object))
    shared = view.groupby("label")["row"].transform("nunique") > 1
    view.loc[shared, "label"] += " (" + view.loc[shared, "row"] + ")"
    view = view.sort_values(["label", "outcome"], kind="stable").reset_index(drop=True)
    pairings = view["pairings"].astype("Int64").where(~view["hidden"].to_numpy(bool), pd.NA)
    out = pd.DataFrame(
        {
            "group": view["label"].to_numpy(object),
            "outcome": view["outcome"].to_numpy(object),
            "pairings": pairings.to_numpy(),
        },
        columns=["group", "outcome", "pairings"],
    )
    out["pairings"] = out["pairings"].astype("Int64")
    return _every_outcome(out)


def _headline_areas(af: AreaFrames, unseen: np.ndarray, viewer: Viewer, as_of: date) -> list:
    """The alliance's headline figures by area, term by term, as `dashboard_school.area_view`
    suppresses them (the same in every area's view): what `hours_cover` weighs."""
    if not len(af.hf.area):
        return []
    term = term_of(as_of)
    terms = ds.joint(af, as_of, [term, previous_term(term)], None)
    bounds = [(t.start, t.end) for t in terms]
    given = ds.figures(af, bounds, as_of, unseen)[0][0]
    first = min(af.hf.area.tolist())
    return ds.area_view(af, bounds, unseen, viewer, first, given, as_of)[1]


def _unshown(
    af: AreaFrames, viewer: Viewer, as_of: date, shown: list[dict]
) -> Callable[[], frozenset[str]]:
    """What works out the outcomes whose total over all time is shown nowhere else, from the
    alliance's headline areas as suppressed (`chart_hiding.unshown_of`, called), with the
    counts' cover (`counts_cover`): asked only where the product's `table_hidden` asks."""

    def unshown() -> frozenset[str]:
        cover = charted_governor(af.hf, viewer, as_of)
        return (unshown_of([s[None] for s in shown]) if shown else frozenset()) | cover

    return unshown


def hours_alliance(
    af: AreaFrames, unseen: np.ndarray, viewer: Viewer, as_of: date, area: str | None = None
) -> pd.DataFrame:
    """`transfer.hours_against_outcome` for the alliance or one area (not the
    administrator), as of `as_of`: the table counted in numpy (`grid`), suppressed by the
    product's `school_tables.table_hidden` and `cut`, the areas' totals the headline hides
    in one term alone by `hours_cover.unshown_by_area`, called (always, as the product asks
    it), and the outcomes' by `chart_hiding.unshown_of`, called (where `table_hidden` asks:
    the alliance's own table, `whole`)."""
    shown = _headline_areas(af, unseen, viewer, as_of)
    force = unshown_by_area(shown)
    full = grid(af, hours_rows(af), unseen)

    hidden = table_hidden(
        full, viewer, False, _unshown(af, viewer, as_of, shown), force, whole=True
    )
    got = cut(full, hidden, 1, area)
    return hours_laid_out(got[VIEW_COLUMNS].reset_index(drop=True))


def hours_school(
    af: AreaFrames, school_id: str, unseen: np.ndarray, viewer: Viewer, as_of: date
) -> pd.DataFrame:
    """`transfer.hours_against_outcome` for one school's view (not the administrator), as
    of `as_of`: the outcomes' totals the alliance's headline leaves shown nowhere from its
    figures as `dashboard_school.area_view` suppresses them (its whole's, the same in every
    area's view), by the product's `chart_hiding.unshown_of`, called; each area's, by
    `hours_cover.unshown_by_area`, called (always: the product asks it on every read); and
    an outcome's one band hidden shown where the school's headline (`dashboard_school.
    school_terms`) tells its total, by `school_hours.shown_where_told`, called."""

    shown = _headline_areas(af, unseen, viewer, as_of)

    unshown = _unshown(af, viewer, as_of, shown)  # asked only where the product asks
    force = unshown_by_area(shown)
    got = school_chart(af, hours_rows(af), school_id, unseen, viewer, 1, False, unshown, force)

    def told() -> Told:  # the school's headline, term by term, as the mirror suppresses it
        term = term_of(as_of)
        _, figs, mine = ds.school_terms(af, term, as_of, unseen, viewer, school_id)
        return told_of(figs, mine)

    # The product's rule against the school's own headline, called.
    return hours_laid_out(shown_where_told(got, told))  # the product's layout, called
