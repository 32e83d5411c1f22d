"""Numpy mirrors of two dashboard reads the harness had no row for: one school's ratings
before and after (the Transfer page's School filter, `ratings.ratings_before_after` with a
school's scope) and a governor's pairings counted by status (`pairings.views.status_counts`).
For the harness, for any viewer (their unseen people given, as a page is).

Given the same precomputation as the product: the dashboard's facts held in memory
(`AreaFrames`), each pairing's ratings (`load_ratings`), and for the counts by status the
pairings' current statuses and members as codes (`load_statuses`: the product reads the
`pairings` and `pairing_members` views, not the facts). Counted here with numpy. Suppressed
by the product's own functions, called: `hiding.primary`, `chart_hiding.hidden_beside`,
`visibility.may_show`, and for the outcomes' totals a governor's headline hides in one term
alone (`chart_hiding.totals_unshown`) `hiding.guard_areas`, `hiding.guard_terms` and
`chart_hiding.unshown_of` over the headline's terms' figures (as
`dashboard_hidden.headline_governor` does). Restated, because the product has them only in
SQL or inline: which of a school's ratings counts are its outcomes' figures under another
name (`ratings._school_sql`'s `tied`), the other schools' views' parts and work elsewhere
(`chart_hiding.across_schools`' SQL, for the ratings' one key), how `ratings_beside` joins
them; the counts' "never exactly one hidden" is called (`views.never_one_hidden`).
Nothing here is used by the app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from benchmarks.baselines import dashboard as bd
from benchmarks.baselines import dashboard_cover as dc
from benchmarks.baselines import dashboard_hidden as dh
from benchmarks.baselines.dashboard_area_flows import AreaFrames
from brokering.dashboard import facts as dash_facts
from brokering.dashboard.chart_hiding import hidden_beside, unshown_of
from brokering.dashboard.hiding import primary
from brokering.db import Connection
from brokering.pairings import lifecycle
from brokering.pairings.views import never_one_hidden
from brokering.settings import SUPPRESSION_THRESHOLD
from brokering.terms import term_of
from brokering.viewer import Viewer
from brokering.visibility import may_show


@dataclass
class Ratings:
    """Per pairing code (the facts' pairings in pairing_id order): its ratings (NaN: none)."""

    before: np.ndarray
    after: np.ndarray


def load_ratings(con: Connection) -> Ratings:
    """The pairings' ratings before and after, as the facts hold them (outside any timing)."""
    f = dash_facts.facts(con)
    r = con.execute(
        f"SELECT rating_before, rating_after FROM {f.pairings} ORDER BY pairing_id"  # noqa: S608
    ).df()
    return Ratings(r["rating_before"].to_numpy(float), r["rating_after"].to_numpy(float))


@dataclass
class Statuses:
    """The pairings view's current pairings that have members: per member row its status's
    code (a position in `lifecycle.STATUSES`) and its pairing and person as codes."""

    status: np.ndarray
    pairing: np.ndarray
    person: np.ndarray


def load_statuses(con: Connection) -> Statuses:
    """The current statuses and members as codes (outside any timing)."""
    m = con.execute(
        "SELECT p.status, m.pairing_id, m.staff_ref FROM pairings p "
        "JOIN pairing_members m USING (pairing_id)"
    ).df()
    status = pd.Index(lifecycle.STATUSES).get_indexer(m["status"])
    keep = status >= 0  # a status the lifecycle does not name is not counted (as the product)
    return Statuses(
        status[keep].astype(np.int64),
        pd.factorize(m["pairing_id"][keep])[0].astype(np.int64),
        pd.factorize(m["staff_ref"][keep])[0].astype(np.int64),
    )


# -- one school's ratings before and after ---------------------------------------------------


def _distinct(group: np.ndarray, person: np.ndarray, n: int, width: int) -> np.ndarray:
    """Distinct people per group (0..n-1)."""
    key = np.unique(group.astype(np.int64) * width + person)
    return np.bincount(key // width, minlength=n)


def _touching(af: AreaFrames, school_id: str) -> np.ndarray:
    """Per pairing code: whether someone in it is from the school."""
    b = af.hf.base
    school = int(pd.Index(b.schools).get_indexer([school_id])[0])
    out = np.zeros(len(b.pairings), bool)
    if school >= 0:
        person = b.people["person"].to_numpy()
        out[b.people["pairing"].to_numpy()[af.hf.person_school[person] == school]] = True
    return out


def _tied(
    af: AreaFrames, rated: np.ndarray, here: np.ndarray, unseen: np.ndarray, area: str | None
) -> set[str]:
    """`ratings._school_sql`'s `tied`, restated: the areas whose ratings count is the school's
    outcomes' figures, hidden where those outcomes' work elsewhere, or the school's own
    pairings of one of them, rests on 1 to threshold-1 people the viewer cannot see."""
    b = af.hf.base
    status = b.pairings["status"].to_numpy().astype(str)
    outcome = np.where(np.isin(status, bd._FINAL), status, "open")
    on, oc = np.unique(outcome, return_inverse=True)
    an, ac = np.unique(af.hf.area.astype(str), return_inverse=True)
    in_area = np.ones(len(ac), bool) if area is None else af.hf.area == area
    cell = ac.astype(np.int64) * len(on) + oc
    scope = here & in_area
    n = np.bincount(cell[scope], minlength=len(an) * len(on))
    r = np.bincount(cell[scope & rated], minlength=len(an) * len(on))
    mixed = ((r > 0) & (r < n)).reshape(len(an), len(on)).any(axis=1)
    some = r.reshape(len(an), len(on)).sum(axis=1) > 0
    tied = (r > 0) & np.repeat(some & ~mixed, len(on))
    width = max(len(unseen), 1)
    out: set[str] = set()
    for side in (~here, here):  # the work elsewhere, and the school's own
        away = np.flatnonzero(side & in_area & tied[cell])
        member, person = bd._members(b, away)
        keep = unseen[person]
        people = _distinct(cell[away][member[keep]], person[keep], len(tied), width)
        few = (people > 0) & (people < SUPPRESSION_THRESHOLD)
        out |= {str(a) for a in an[np.flatnonzero(few) // len(on)]}
    return out


def _across(
    af: AreaFrames, cells: np.ndarray, here: np.ndarray, unseen: np.ndarray, areas: np.ndarray
) -> pd.DataFrame:
    """`chart_hiding.across_schools` for the ratings (one key, the area), restated: per area
    of the school's (`areas`), `part` (a part of the school's cell — its pairings with one
    set of schools — rests on 1 to threshold-1 people unseen), `elsewhere` and `unseen` (the
    people unseen behind the work elsewhere and behind the alliance's cell)."""
    b = af.hf.base
    at = pd.Index(areas).get_indexer(af.hf.area)
    p = np.flatnonzero(cells & (at >= 0))
    # Each of the school's pairings' set of schools (its part), as a number.
    pairing_of, person_of = b.people["pairing"].to_numpy(), b.people["person"].to_numpy()
    sel = here[pairing_of] & cells[pairing_of]
    width_s = len(b.schools) + 1
    pairs = np.unique(
        pairing_of[sel].astype(np.int64) * width_s + af.hf.person_school[person_of[sel]]
    )
    sets: dict[int, list[int]] = {}
    for x in pairs.tolist():
        sets.setdefault(x // width_s, []).append(x % width_s)
    codes: dict[tuple, int] = {}
    part_of = np.full(len(b.pairings), -1, np.int64)
    for pairing, schools in sets.items():
        part_of[pairing] = codes.setdefault(tuple(schools), len(codes))
    member, person = bd._members(b, p)
    keep = unseen[person]
    pm, who = p[member[keep]], person[keep]
    n, n_parts, width = len(areas), len(codes) + 1, max(len(unseen), 1)
    group = at[pm].astype(np.int64) * n_parts + np.where(here[pm], part_of[pm], -1) + 1
    counted = _distinct(group, who, n * n_parts, width).reshape(n, n_parts)
    return pd.DataFrame(
        {
            "part": ((counted[:, 1:] >= 1) & (counted[:, 1:] < SUPPRESSION_THRESHOLD)).any(1),
            "elsewhere": counted[:, 0].astype(np.int64),
            "unseen": _distinct(at[pm], who, n, width).astype(np.int64),
        },
        index=pd.Index(areas, name="area"),
    )


def ratings_school(
    af: AreaFrames,
    rt: Ratings,
    school_id: str,
    unseen: np.ndarray,
    viewer: Viewer,
    area: str | None = None,
) -> pd.DataFrame:
    """`ratings.ratings_before_after(con, viewer, Scope(school_id, area))` for a viewer who
    does not see everyone."""
    b = af.hf.base
    here = _touching(af, school_id)
    rated = ~np.isnan(rt.before) & ~np.isnan(rt.after)
    cells = rated & (True if area is None else af.hf.area == area)
    p = np.flatnonzero(cells & here)
    names, code = np.unique(af.hf.area[p].astype(str), return_inverse=True)
    n = len(names)
    pairings = np.bincount(code, minlength=n)
    before = np.bincount(code, weights=rt.before[p], minlength=n)
    after = np.bincount(code, weights=rt.after[p], minlength=n)
    member, person = bd._members(b, p)
    keep = unseen[person]
    counted = _distinct(code[member[keep]], person[keep], n, max(len(unseen), 1))
    hide = primary(counted)
    if n:
        tied = np.isin(names, list(_tied(af, rated, here, unseen, area)))
        got = _across(af, cells, here, unseen, names.astype(object))
        alliance = pd.Series(primary(got["unseen"]), index=got.index)
        beside = hidden_beside(got, alliance).to_numpy(bool)
        known = (got["elsewhere"] == 0).to_numpy(bool)
        hide = beside | ((hide | tied) & ~known)
    rows = []
    for k in range(n):
        for when, total in (("before", before[k]), ("after", after[k])):
            rows.append(
                {
                    "area": str(names[k]),
                    "when": when,
                    "rating": None if hide[k] else round(float(total / pairings[k]), 2),
                    "pairings": None if hide[k] else int(pairings[k]),
                    "hidden": bool(hide[k]),
                }
            )
    out = pd.DataFrame(rows, columns=["area", "when", "rating", "pairings", "hidden"])
    out["pairings"] = out["pairings"].astype("Int64")
    return out


# -- a governor's pairings by status ---------------------------------------------------------


def unshown_governor(af: AreaFrames, viewer: Viewer, as_of: date) -> frozenset[str]:
    """`chart_hiding.totals_unshown` for an aggregate-only viewer: the headline's terms'
    figures counted in numpy (`dashboard.period_figures`), suppressed by the product's
    `guard_areas` and `guard_terms` with the counts' cover hidden in a term too
    (`dashboard_hidden.charted_governor`, the product's `counts_cover.hidden_too`), read by
    its `unshown_of`, with that cover."""
    terms = dh.headline_terms(af.hf, term_of(as_of), as_of)
    cover = dc.charted_governor(af.hf, viewer, as_of)
    out, _ = dc.headline_out(af.hf, terms, as_of, viewer, cover)
    return unshown_of([o[None] for o in out]) | cover


def status_counts_governor(
    sf: Statuses, af: AreaFrames, viewer: Viewer, as_of: date
) -> pd.DataFrame:
    """`pairings.views.status_counts` for an aggregate-only viewer."""
    k = len(lifecycle.STATUSES)
    pairs = np.unique(sf.pairing * k + sf.status)
    people = _distinct(sf.status, sf.person, k, max(int(sf.person.max(initial=0)) + 1, 1))
    out = pd.DataFrame(
        {
            "status": list(lifecycle.STATUSES),
            "pairings": np.bincount(pairs % k, minlength=k).astype(np.int64),
            "people": people.astype(np.int64),
        }
    )
    hidden = ~may_show(out["people"])
    unshown = unshown_governor(af, viewer, as_of)
    hidden |= out["status"].isin(unshown) & (out["pairings"] > 0)
    hidden = never_one_hidden(out, hidden)  # the product's rule, called
    out["pairings"] = out["pairings"].astype("Int64").where(~hidden, pd.NA)
    return out.drop(columns=["people"])
