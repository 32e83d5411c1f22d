"""Plain-pandas mirrors of the dashboard's suppressed figures (a governor's), for the harness.

What a competent engineer would write, given the same precomputation as the product: the
facts held in memory (`dashboard.DashFrames`, plus each pairing's skill area, each person's
school and the schools' names) and who the viewer can see — a governor sees nobody one by
one, so every person counts as unseen. The counting (cells, distinct people, the inputs the
suppression decides on) is done here with numpy; the suppression itself is the product's own
pure functions, called, never restated — a second definition of "hidden" is what the team
guide forbids:

- `headline_governor`: `hiding.guard_areas` and `hiding.guard_terms` over the figures of
  every term the page can show (`dashboard.period_figures`);
- `outcomes_by_school_governor`: `hiding.grid_hidden` and `outcome_cover.falls_in` over the
  outcome x school x area cells, then `outcomes._every_outcome` (how hidden is drawn);
- `flow_matrix_governor` and `balance_governor`: `flow_hiding.flow_hidden` (with the
  ledger's `ledger_suppression.shown` inside it) over the schools' and school pairs' people.

One rule is restated because the product has it only in SQL (`outcomes._view`): a school's
total of an outcome is hidden when one of its cells is, or when it rests on 1 to 2 people.
`tests/test_baselines_dashboard_hidden.py` holds every mirror equal to the product.
Nothing here is used by the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from benchmarks.baselines import dashboard as bd
from brokering.dashboard import facts as dash_facts
from brokering.dashboard.flow_hiding import flow_hidden
from brokering.dashboard.hiding import grid_hidden, primary
from brokering.dashboard.outcome_cover import HEADLINE_OUTCOMES, OUTCOMES, falls_in
from brokering.dashboard.outcomes import _every_outcome
from brokering.db import Connection
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.terms import Term, previous_term, terms_between
from brokering.viewer import Viewer

#: The headline's figures, in the page's order.
HEADLINE_KEYS = ("active", "transferred", "rate", "median_days", "hours_per_transfer", "overdue")


@dataclass
class HiddenFrames:
    """`DashFrames` with schools coded over the whole schools table (in id order), and what
    the suppression's inputs need beside them."""

    base: bd.DashFrames
    area: np.ndarray  # per pairing code: its skill area
    pairing_people: np.ndarray  # per pairing code: its people on the staff list
    person_school: np.ndarray  # per person code: their school's code
    names: np.ndarray  # per school code: its name

    def memory_mb(self) -> float:
        extra = self.area.nbytes + self.pairing_people.nbytes + self.person_school.nbytes
        return self.base.memory_mb() + extra / 1e6


def load_hidden_frames(con: Connection) -> HiddenFrames:
    """The facts as frames of codes (outside any timing), schools coded over every school."""
    base = bd.load_dash_frames(con)
    f = dash_facts.facts(con)
    schools = con.execute("SELECT school_id, name FROM schools ORDER BY school_id").df()
    ids = schools["school_id"].to_numpy(object)
    remap = pd.Index(ids).get_indexer(base.schools)
    if (remap < 0).any():  # a staff member's school missing from the schools table
        extra = base.schools[remap < 0]
        ids = np.concatenate([ids, extra])
        schools = pd.concat([schools, pd.DataFrame({"school_id": extra, "name": extra})])
        order = np.argsort(ids.astype(str), kind="stable")
        ids, schools = ids[order], schools.iloc[order]
        remap = pd.Index(ids).get_indexer(base.schools)
    remap = remap.astype(np.int32)
    base.receivers["school"] = remap[base.receivers["school"].to_numpy()]
    for col in ("giver", "receiver"):
        base.links[col] = remap[base.links[col].to_numpy()]
        base.coaching[col] = remap[base.coaching[col].to_numpy()]
    base.schools = ids
    pairings = con.execute(
        f"SELECT area, people FROM {f.pairings} ORDER BY pairing_id"  # noqa: S608
    ).df()
    staff = con.execute(
        "SELECT s.school_id FROM (SELECT staff_ref, any_value(school_id) AS school_id "
        "FROM staff GROUP BY staff_ref) s ORDER BY s.staff_ref"
    ).df()
    return HiddenFrames(
        base,
        pairings["area"].to_numpy(object),
        pairings["people"].to_numpy(np.int64),
        pd.Index(ids).get_indexer(staff["school_id"]).astype(np.int64),
        schools["name"].fillna(schools["school_id"]).to_numpy(object),
    )


# -- the headline --------------------------------------------------------------------------


def headline_terms(hf: HiddenFrames, term: Term, as_of: date) -> list[Term]:
    """Every term the page's headline can show, suppressed together (the trend's six from the
    first pairing's, at most three years back, the term before them, and `term` and the one
    before it), in order."""
    start = hf.base.pairings["start"]
    first = date(1970, 1, 1) + timedelta(days=int(start.min())) if len(start) else as_of
    span = terms_between(max(first, date(as_of.year - 3, 1, 1)), as_of)[-6:]
    terms = [*([previous_term(span[0])] if span else []), *span, term, previous_term(term)]
    return sorted({t.start: t for t in terms}.values(), key=lambda t: t.start)


def headline_governor(
    hf: HiddenFrames, term: Term, as_of: date, viewer: Viewer
) -> list[tuple[str, float | None, float | None, int, bool, bool]]:
    """`transfer.headline` for an aggregate-only viewer over the alliance: per figure (key,
    value shown, previous term's shown, people behind it, hidden, previous hidden)."""
    from benchmarks.baselines.dashboard_cover import charted_governor, headline_out

    terms = headline_terms(hf, term, as_of)
    out, figures = headline_out(hf, terms, as_of, viewer, charted_governor(hf, viewer, as_of))
    at = {t.start: k for k, t in enumerate(terms)}
    now, before = at[term.start], at[previous_term(term).start]
    return [
        (
            key,
            out[now][None][key][0],
            out[before][None][key][0],
            figures[now][key][1],
            out[now][None][key][1],
            out[before][None][key][1],
        )
        for key in HEADLINE_KEYS
    ]


def headline_product(figures: list) -> list[tuple]:
    """The product's `headline` answer in the mirror's shape."""
    return [(x.key, x.value, x.previous, x.people, x.hidden, x.previous_hidden) for x in figures]


# -- outcomes by receiving school ----------------------------------------------------------


def _dense(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(names in order, each value's code): whole numbers in name order, as the product's."""
    names, codes = np.unique(values.astype(str), return_inverse=True)
    return names, codes.astype(np.int64)


def outcomes_by_school_governor(hf: HiddenFrames) -> pd.DataFrame:
    """`transfer.outcomes_by(by="school")` for an aggregate-only viewer over the alliance, all
    time: group (the school's label), outcome, pairings (hidden: <NA>)."""
    b, t = hf.base, SUPPRESSION_THRESHOLD
    status = b.pairings["status"].to_numpy().astype(str)
    outcome = np.where(np.isin(status, bd._FINAL), status, "open")
    r_pairing = b.receivers["pairing"].to_numpy()
    r_school = b.receivers["school"].to_numpy().astype(np.int64)
    onames, o_all = _dense(outcome[r_pairing])
    schools_in, r_all = np.unique(r_school, return_inverse=True)
    knames, k_all = _dense(hf.area[r_pairing])
    n_r, n_k = len(schools_in), len(knames)
    # Cells (outcome, school, area): pairings, and the people behind each (a governor sees
    # nobody: all of them), summed per pairing where that already decides (as the product's).
    key = (o_all * n_r + r_all) * n_k + k_all
    cells, cell_of, pairings = np.unique(key, return_inverse=True, return_counts=True)
    rows, person = bd._members(b, r_pairing)
    n_persons = bd._n_persons(b)
    exact = bd._distinct(cell_of[rows], person, len(cells), n_persons)
    summed = np.bincount(cell_of, weights=hf.pairing_people[r_pairing], minlength=len(cells))
    summed = summed.astype(np.int64)
    unseen = np.where((pairings == 1) | (summed < t), summed, exact)
    o, r, k = cells // (n_r * n_k), cells // n_k % n_r, cells % n_k
    hid = primary(unseen)
    # The view: per (outcome, school), hidden when a cell of it is or on its own people.
    vkey = o * n_r + r
    views, view_of = np.unique(vkey, return_inverse=True)
    part = np.bincount(view_of, weights=hid, minlength=len(views)) > 0
    v_pairings = np.bincount(view_of, weights=pairings, minlength=len(views)).astype(np.int64)
    v_sum = np.bincount(view_of, weights=summed, minlength=len(views)).astype(np.int64)
    v_exact = bd._distinct(view_of[cell_of[rows]], person, len(views), n_persons)
    v_unseen = np.where((v_pairings == 1) | (v_sum < t) | part, v_sum, v_exact)
    v_hidden = part | primary(v_unseen)
    if hid.any() and not v_hidden.all():
        empty: list[tuple[int, int, int]] = []
        pinned = np.isin(onames, HEADLINE_OUTCOMES)
        spare = bool(set(OUTCOMES) - set(HEADLINE_OUTCOMES) - set(onames))
        known = np.zeros(len(cells), bool)
        more = grid_hidden(o, r, k, unseen, pairings, True, empty, pinned, spare, known) & ~hid
        if more.any() or empty:
            if empty:
                o, r, k = (np.r_[x, [e[j] for e in empty]] for j, x in enumerate((o, r, k)))
                more = np.r_[more, np.ones(len(empty), bool)]
            frame = pd.DataFrame({"onum": views // n_r, "rn": views % n_r, "kn": np.nan})
            v_hidden = v_hidden | falls_in(o, r, k, more, frame, 1, True)
    label = _labels(hf, schools_in)[views % n_r]
    order = np.lexsort((onames[views // n_r], label))
    shown = pd.array(np.where(v_hidden, 0, v_pairings), dtype="Int64")
    shown[v_hidden] = pd.NA
    out = pd.DataFrame(
        {
            "group": label[order].astype(object),
            "outcome": onames[views // n_r][order].astype(object),
            "pairings": shown[order],
        }
    )
    return _every_outcome(out.reset_index(drop=True))


def _labels(hf: HiddenFrames, schools: np.ndarray) -> np.ndarray:
    """Each school's name, with its reference where two schools listed share a name."""
    names = hf.names[schools].astype(str)
    _, at, counts = np.unique(names, return_inverse=True, return_counts=True)
    twice = counts[at] > 1
    ids = hf.base.schools[schools].astype(str)
    return np.where(twice, np.char.add(np.char.add(names, " ("), np.char.add(ids, ")")), names)


# -- the flows between schools -------------------------------------------------------------


def _work(hf: HiddenFrames, start: date, end: date) -> dict[str, np.ndarray]:
    """The period's relationships (pairings' links, agreed or beyond; coaching records) and
    one row per person in each, as `flows` counts them: giver, receiver, pairing or not,
    hours; per person row its relationship's giver and receiver, the person and their
    school."""
    b = hf.base
    s_day, e_day = bd._day(start), bd._day(end)
    p_start, p_end = b.pairings["start"].to_numpy(), b.pairings["concluded"].to_numpy()
    agreed = (b.pairings["status"] != "proposed").to_numpy()
    lp = b.links["pairing"].to_numpy()
    on = agreed[lp] & (p_start[lp] <= e_day) & (p_end[lp] >= s_day)
    c = b.coaching
    con = (c["start"].to_numpy() <= e_day) & (c["end"].to_numpy() >= s_day)
    lg, lr = b.links["giver"].to_numpy()[on], b.links["receiver"].to_numpy()[on]
    cg, cr = c["giver"].to_numpy()[con], c["receiver"].to_numpy()[con]
    rows, person = bd._members(b, lp[on])
    coach, coachee = c["coach"].to_numpy()[con], c["coachee"].to_numpy()[con]
    who = np.concatenate([person, coach, coachee]).astype(np.int64)
    return {
        "g": np.concatenate([lg, cg]).astype(np.int64),
        "r": np.concatenate([lr, cr]).astype(np.int64),
        "pairing": np.r_[np.ones(len(lg), bool), np.zeros(len(cg), bool)],
        "hours": np.concatenate([b.links["hours"].to_numpy(float)[on], c["hours"].to_numpy()[con]]),
        "wg": np.concatenate([lg[rows], cg, cg]).astype(np.int64),
        "wr": np.concatenate([lr[rows], cr, cr]).astype(np.int64),
        "who": who,
        # A coach's school is the giving school, a coachee's the receiving (as `flows`).
        "ws": np.concatenate([hf.person_school[person], cg, cr]).astype(np.int64),
    }


def _distinct_people(group: np.ndarray, who: np.ndarray, n_groups: int) -> np.ndarray:
    return bd._distinct(group, who, n_groups, int(who.max(initial=-1)) + 1)


def _hidden_flows(
    w: dict[str, np.ndarray], n: int, viewer: Viewer
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(schools whose totals are hidden, by code; hidden school pairs lo*n+hi) — the
    inputs `flow_hidden` decides on, counted here: each school's people in the period's
    work, each two schools' own people in the work between them (a governor: all unseen)."""
    school = np.zeros(int(w["who"].max(initial=-1)) + 1, np.int64)
    school[w["who"]] = w["ws"]
    present = np.zeros(len(school), bool)
    present[w["who"]] = True
    people = np.bincount(school[present], minlength=n)
    at = np.flatnonzero(people)
    schools = pd.DataFrame(
        {
            "school_id": at,
            "people": people[at],
            "hidden": people[at],
            "gives": np.bincount(w["g"], minlength=n)[at] > 0,
            "gets": np.bincount(w["r"], minlength=n)[at] > 0,
        }
    )
    g, r, ws = w["wg"], w["wr"], w["ws"]
    lo, hi = np.minimum(g, r), np.maximum(g, r)  # codes follow the schools' ids
    m = (g != r) & ((ws == lo) | (ws == hi))
    pair, pair_of = np.unique(lo[m] * n + hi[m], return_inverse=True)
    k = len(pair)
    pp = _distinct_people(pair_of, w["who"][m], k)
    pairs = pd.DataFrame(
        {
            "school_a": pair // n,
            "school_b": pair % n,
            "people": pp,
            "hidden": pp,
            "a_open": np.bincount(pair_of[g[m] == lo[m]], minlength=k) > 0,
            "b_open": np.bincount(pair_of[g[m] == hi[m]], minlength=k) > 0,
        }
    )
    empty = np.zeros(0, np.int64)
    no_cells = pd.DataFrame(
        {"giver": empty, "receiver": empty, "area": empty, "people": empty, "unseen": empty}
    )
    hid_s, hid_p, *_ = flow_hidden(schools, pairs, no_cells, viewer)
    return at[hid_s], pair[hid_p]


def flow_matrix_governor(hf: HiddenFrames, start: date, end: date, viewer: Viewer) -> pd.DataFrame:
    """`flows.flow_matrix` for an aggregate-only viewer over the alliance: giver x receiver
    (two different schools), their names, pairings, coaching records, hours and people —
    hidden cells <NA>."""
    w, n = _work(hf, start, end), len(hf.base.schools)
    between = w["g"] != w["r"]
    key = w["g"][between] * n + w["r"][between]
    cells, cell_of = np.unique(key, return_inverse=True)  # in giver, receiver id order
    c = len(cells)
    pairing, hours = w["pairing"][between], w["hours"][between]
    wb = w["wg"] != w["wr"]
    w_cell = np.searchsorted(cells, w["wg"][wb] * n + w["wr"][wb])
    _, hid_p = _hidden_flows(w, n, viewer)
    g, r = cells // n, cells % n
    hidden = np.isin(np.minimum(g, r) * n + np.maximum(g, r), hid_p)
    out = pd.DataFrame(
        {
            "giver": hf.base.schools[g],
            "receiver": hf.base.schools[r],
            "giver_name": hf.names[g],
            "receiver_name": hf.names[r],
            "pairings": pd.array(np.bincount(cell_of, pairing, c).astype(np.int64), "Int64"),
            "coaching_records": pd.array(
                np.bincount(cell_of, ~pairing, c).astype(np.int64), "Int64"
            ),
            "hours": pd.array(
                np.bincount(cell_of, np.where(pairing, hours, 0), c)
                + np.bincount(cell_of, np.where(pairing, 0, hours), c),
                "Float64",
            ).round(1),
            "people": pd.array(_distinct_people(w_cell, w["who"][wb], c), "Int64"),
        }
    )
    for col in ("pairings", "coaching_records", "hours", "people"):
        out.loc[hidden, col] = pd.NA
    return out


def balance_governor(hf: HiddenFrames, start: date, end: date, viewer: Viewer) -> pd.DataFrame:
    """`flows.balance` for an aggregate-only viewer: per school (every school), hours and
    partners given to and received from other schools; a school with hidden totals shows
    none of its hours."""
    w, n = _work(hf, start, end), len(hf.base.schools)
    between = w["g"] != w["r"]
    g, r, hours = w["g"][between], w["r"][between], w["hours"][between]
    cells, first = np.unique(g * n + r, return_index=True)
    hid_s, _ = _hidden_flows(w, n, viewer)
    hide = np.zeros(n, bool)
    hide[hid_s] = True
    # Each cell's hours summed first, as the product sums each (giver, receiver) cell.
    cell_of = np.searchsorted(cells, g * n + r)
    cell_hours = np.bincount(cell_of, np.where(w["pairing"][between], hours, 0), len(cells))
    cell_hours += np.bincount(cell_of, np.where(w["pairing"][between], 0, hours), len(cells))
    cg, cr = cells // n, cells % n
    given, received = np.bincount(cg, cell_hours, n), np.bincount(cr, cell_hours, n)
    ids, names = hf.base.schools.astype(str), hf.names.astype(str)
    order = np.lexsort((ids, names))
    out = pd.DataFrame(
        {
            "school_id": hf.base.schools[order],
            "school": hf.names[order],
            "hours given": given[order].round(1),
            "hours received": received[order].round(1),
            "balance": (given - received)[order].round(1),
            "partners given to": np.bincount(cg, minlength=n)[order],
            "partners received from": np.bincount(cr, minlength=n)[order],
        }
    )
    hide = hide[order]
    # The relationship from the rounded hours, as the page's.
    shown_given = out["hours given"].to_numpy(float)
    total = shown_given + out["hours received"].to_numpy(float)
    share = np.divide(shown_given, total, out=np.full(n, 0.5), where=total > 0)
    rel = np.select([share >= 0.8, share <= 0.2], ["mostly gives", "mostly receives"], "two-way")
    rel = np.where(total == 0, "no cross-school work", rel)
    for col in ("hours given", "hours received", "balance"):
        out[col] = out[col].astype("Float64").where(~hide, pd.NA)
    out["relationship"] = np.where(hide, "fewer than 3 people: hidden", rel).astype(object)
    return out
