"""Pandas mirrors of the Transfer page's headline for one skill area and for one school (its
School filter), suppressed, for the harness — for any viewer (the seen and unseen people are
the precomputation a page is given: `dashboard_area_flows.unseen_people`).

Counted here with numpy over the facts in memory: each period's figures per area (and for
the pairings with or without someone from the school), people counted once per figure, only
those the viewer cannot see. Suppressed by the product's own functions, called:
`hiding.guard_areas`, `hiding.guard_terms`, `hiding.outside`, `school_view.whole`,
`school_view._one_unknown_elsewhere`, `school_view._cover_whole`,
`unlisted.school_forced` and `school_parts.forced` and `.add` (the school's parts, by set of
schools, counted here), and
(`dashboard_area_flows`) `flow_hiding.flow_hidden`. What is composed here as the product
composes it (`transfer._guarded_views`, `school_view._decide`): which terms are suppressed
together, and how the flows' decisions and the alliance's view feed the school's. Nothing
here is used by the app."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from benchmarks.baselines import dashboard as bd
from benchmarks.baselines.dashboard_area_flows import AreaFrames, area_totals, school_totals
from benchmarks.baselines.dashboard_counts import figures
from benchmarks.baselines.dashboard_cover import charted_governor
from benchmarks.baselines.dashboard_hidden import HEADLINE_KEYS
from brokering.dashboard import school_parts, school_view, unlisted
from brokering.dashboard.counts_cover import hidden_too
from brokering.dashboard.hiding import guard_areas, guard_terms, outside
from brokering.dashboard.transfer import _whole, trend_row
from brokering.terms import Term, previous_term, term_of, terms_between
from brokering.viewer import Viewer


def span(af: AreaFrames, as_of: date, keep: np.ndarray | None = None, terms: int = 6) -> list:
    """`transfer._span`: the trend's terms from the first pairing's (of `keep`)."""
    start = af.hf.base.pairings["start"].to_numpy()
    start = start if keep is None else start[keep]
    first = date(1970, 1, 1) + timedelta(days=int(start.min())) if len(start) else as_of
    return terms_between(max(first, date(as_of.year - 3, 1, 1)), as_of)[-terms:]


def joint(af: AreaFrames, as_of: date, extra: list[Term], keep: np.ndarray | None) -> list[Term]:
    """`transfer._joint_periods` for a viewer who does not see everyone."""
    sp = span(af, as_of, keep)
    terms = [*([previous_term(sp[0])] if sp else []), *sp, *extra]
    return sorted({t.start: t for t in terms}.values(), key=lambda t: t.start)


def _bounds(terms: list[Term]) -> list[tuple[date, date]]:
    return [(t.start, t.end) for t in terms]


def area_view(
    af: AreaFrames,
    bounds: list[tuple[date, date]],
    unseen: np.ndarray,
    viewer: Viewer,
    area: str,
    by_area: dict,
    as_of: date,
    cache: dict | None = None,
) -> tuple[list[dict], list[dict]]:
    """`transfer._guarded_views` for one area of the alliance: (the area's figures, per
    period every area's and the whole's suppressed with the areas' flow matrices). With
    `cache`, what the viewer can count from their page (`listed_of`) is kept there too, for
    a school's view beside it (`hiding.outside`)."""
    by_area = dict(by_area)
    with_flows = area_totals(af, bounds, unseen, viewer, cache)
    rest, listed = _unlisted(af, bounds, as_of, unseen, viewer, by_area)
    if cache is not None:
        cache["listed"] = listed
    if area not in by_area:
        by_area[area] = [bd_zero() for _ in bounds]
    per_period, guarded = [], []
    for k in range(len(bounds)):
        this = {a: figs[k] for a, figs in by_area.items()}
        per_period.append(this)
        hidden, known = with_flows[k]
        forced = unlisted.merged({a: ("active",) for a in hidden}, rest[k])
        guarded.append(guard_areas(this, viewer, forced, known | listed[k]))
    shown = guard_terms(per_period, guarded, viewer, listed)
    cover = charted_governor(af.hf, viewer, as_of)  # the counts' cover (`counts_cover`)
    return by_area[area], hidden_too(per_period, shown, viewer, cover, listed) if cover else shown


def _unlisted(
    af: AreaFrames,
    bounds: list[tuple[date, date]],
    as_of: date,
    unseen: np.ndarray,
    viewer: Viewer,
    by_area: dict,
) -> tuple[list[dict], list[set]]:
    """`unlisted.forced` and `listed_of` for every area: the figures of the pairings every
    participant of which the viewer cannot see (off their pairings page), counted here in
    numpy; which of them rest on few, and which figures have none of them, by the
    product's own `unlisted._forced_of` and `listed_of`, called."""
    if viewer.aggregate_only or viewer.sees_everyone:
        return [{} for _ in bounds], [set() for _ in bounds]
    rest = figures(af, bounds, as_of, unseen, (~_seen_any(af, unseen)).astype(np.int64), 2)[1][0]
    n_periods = len(bounds)
    return unlisted._forced_of(rest, n_periods, True), unlisted.listed_of(by_area, rest, n_periods)


def _seen_any(af: AreaFrames, unseen: np.ndarray) -> np.ndarray:
    """Per pairing: someone in it the viewer can see (on their pairings page)."""
    b = af.hf.base
    n = len(b.pairings)
    member_rows, person = bd._members(b, np.arange(n))
    seen_any = np.zeros(n, bool)
    np.logical_or.at(seen_any, member_rows, ~unseen[person])
    return seen_any


def _school_rests(
    af: AreaFrames,
    bounds: list[tuple[date, date]],
    as_of: date,
    unseen: np.ndarray,
    viewer: Viewer,
    touch: np.ndarray,
) -> list[dict]:
    """`unlisted.school_forced`: the pairings off the viewer's page, with (group 1) and
    without (group 0) someone from the school, counted here; the rule, called."""
    if viewer.aggregate_only or viewer.sees_everyone:
        return [{} for _ in bounds]
    group = np.where(_seen_any(af, unseen), -1, touch.astype(np.int64))
    parts = figures(af, bounds, as_of, unseen, group, 2)
    return unlisted.school_forced(parts[1][0], parts[0][0], len(bounds))


def _parts_forced(
    af: AreaFrames,
    periods: list[tuple[date, date]],
    as_of: date,
    unseen: np.ndarray,
    viewer: Viewer,
    touch: np.ndarray,
) -> list[dict]:
    """`school_parts.read_forced`: the school's pairings off the viewer's page (every
    participant one they cannot see: all of them, for an aggregate-only role) grouped by
    their set of schools, counted here; the rule, called."""
    if not school_parts.applies(viewer):
        return [{} for _ in periods]
    b = af.hf.base
    pairing = b.people["pairing"].to_numpy()
    rest = touch if viewer.aggregate_only else touch & ~_seen_any(af, unseen)
    rows = np.flatnonzero(rest[pairing])
    school = af.hf.person_school[b.people["person"].to_numpy()[rows]]
    sets: dict[int, set] = {}
    for p, s in zip(pairing[rows].tolist(), school.tolist(), strict=True):
        sets.setdefault(p, set()).add(s)
    group = np.full(len(b.pairings), -1, np.int64)
    codes, keys = pd.factorize(pd.Series([tuple(sorted(v)) for v in sets.values()], dtype=object))
    group[list(sets)] = codes
    parts = figures(af, periods, as_of, unseen, group, max(len(keys), 1))
    return school_parts.forced({str(g): figs for g, (figs, _) in parts.items()}, len(periods))


def bd_zero() -> dict:
    """A period's figures with no pairing counted."""
    return {
        "active": (0, 0),
        "transferred": (0, 0),
        "rate": (None, 0),
        "median_days": (None, 0),
        "hours_per_transfer": (None, 0),
        "overdue": (0, 0),
        "judged": (0, 0),
        "not_transferred": (0, 0),
        "hours": (None, 0),
    }


def _pick(terms, figs, shown, key_of, term: Term) -> list[tuple]:  # noqa: ANN001
    """The headline's answer: per figure (key, value, previous, people, hidden, previous
    hidden), as `dashboard_hidden.headline_product` puts the product's."""
    at = {t.start: k for k, t in enumerate(terms)}
    now, before = at[term.start], at[previous_term(term).start]
    return [
        (
            key,
            shown[now][key_of][key][0],
            shown[before][key_of][key][0],
            figs[now][key][1],
            shown[now][key_of][key][1],
            shown[before][key_of][key][1],
        )
        for key in HEADLINE_KEYS
    ]


def headline_area(
    af: AreaFrames, term: Term, as_of: date, unseen: np.ndarray, viewer: Viewer, area: str
) -> list[tuple]:
    """`transfer.headline` for one skill area of the alliance."""
    terms = joint(af, as_of, [term, previous_term(term)], None)
    bounds = _bounds(terms)
    given = figures(af, bounds, as_of, unseen)[0][0]
    figs, shown = area_view(af, bounds, unseen, viewer, area, given, as_of)
    return _pick(terms, figs, shown, area, term)


def trend_area(
    af: AreaFrames, as_of: date, unseen: np.ndarray, viewer: Viewer, area: str
) -> pd.DataFrame:
    """`transfer.trend_by_term` for one skill area of the alliance."""
    sp = span(af, as_of, af.hf.area == area)
    if not sp:
        return pd.DataFrame()
    terms = joint(af, as_of, sp, None)
    bounds = _bounds(terms)
    given = figures(af, bounds, as_of, unseen)[0][0]
    _, shown = area_view(af, bounds, unseen, viewer, area, given, as_of)
    at = {t.start: k for k, t in enumerate(terms)}
    return pd.DataFrame([trend_row(t, shown[at[t.start]][area]) for t in sp])  # layout only


def headline_school(
    af: AreaFrames,
    term: Term,
    as_of: date,
    unseen: np.ndarray,
    viewer: Viewer,
    school_id: str,
    area: str | None = None,
) -> list[tuple]:
    """`transfer.headline` for one school (the page's School filter), all areas or one:
    suppressed beside the alliance's view and the flows (`school_view.decide`)."""
    terms, figs, shown = school_terms(af, term, as_of, unseen, viewer, school_id, area)
    return _pick(terms, figs, [{area: s} for s in shown], area, term)


def school_terms(
    af: AreaFrames,
    term: Term,
    as_of: date,
    unseen: np.ndarray,
    viewer: Viewer,
    school_id: str,
    area: str | None = None,
) -> tuple[list[Term], list[dict], list[dict]]:
    """The school's headline terms (all areas or one) with its figures and the same as
    suppressed, term by term (`headline_school`'s, before one term is picked)."""
    b = af.hf.base
    school = int(pd.Index(b.schools).get_indexer([school_id])[0])
    touch = np.zeros(len(b.pairings), bool)
    touch[b.people["pairing"].to_numpy()[af.hf.person_school[b.people["person"]] == school]] = 1
    terms = joint(af, as_of, [term, previous_term(term)], touch)
    periods = _bounds(terms)
    # The alliance's view as its own page suppresses it, over its own terms: read as its
    # first area's, whichever is asked (as `school_view.decide`, once for every area).
    alliance_area = min(af.hf.area.tolist())
    a_terms = joint(af, as_of, [term_of(s) for s, _ in periods], None)
    a_bounds = _bounds(a_terms)
    whole = figures(af, a_bounds, as_of, unseen)[0]
    split = figures(af, a_bounds, as_of, unseen, touch.astype(np.int64), 2)
    cache: dict = {}  # each term's flows decided once for the alliance's view and the school's
    _, shown = area_view(af, a_bounds, unseen, viewer, alliance_area, whole[0], as_of, cache)
    at = {t.start: k for k, t in enumerate(a_terms)}
    ours = [at[s] for s, _ in periods]
    mask = sum(1 << k for k in set(ours))

    def of(part: tuple[dict, dict]) -> dict:
        figs, seen = part
        return {a: [f[k] for k in ours] for a, f in figs.items() if a is None or seen[a] & mask}

    mine, without = of(split[1]), of(split[0])
    matrices = school_totals(af, periods, school, unseen, viewer, cache)
    rests = _school_rests(af, a_bounds, as_of, unseen, viewer, touch)
    parts = _parts_forced(af, periods, as_of, unseen, viewer, touch)
    decided = []
    for k, (start, _) in enumerate(periods):
        without_k = {a: f[k] for a, f in without.items()}
        forced, known = outside(without_k, shown[at[start]], cache["listed"][at[start]])
        hide, given_away = matrices[k]
        known |= given_away
        school_parts.add(forced, known, parts[k])
        forced = unlisted.merged(forced, rests[at[start]])
        for a in hide - known:
            forced[a] = (*forced.get(a, ()), "active")
        elsewhere = {a: f[k] for a, f in without.items()}
        school_view._one_unknown_elsewhere(forced, known, shown[at[start]], elsewhere)
        for a in known & set(forced):
            forced[a] = tuple(x for x in forced[a] if x != "active")
        school_view._cover_whole(forced, known, {a: f[k] for a, f in mine.items()}, viewer)
        decided.append((forced, known))
    if area is None:
        figs = mine[None]
        out = [
            guard_areas({None: f}, viewer, *school_view.whole(decided, k))
            for k, f in enumerate(figs)
        ]
        sure = [{x for x in kn if _whole(x)} for _, kn in decided]  # the product's, called
        shown_s = guard_terms([{None: f} for f in figs], out, viewer, sure)
        return terms, figs, [s[None] for s in shown_s]
    by_area = dict(mine)
    if area not in by_area:
        by_area[area] = [bd_zero() for _ in periods]
    per_period, guarded = [], []
    for k in range(len(periods)):
        this = {a: f[k] for a, f in by_area.items()}
        per_period.append(this)
        forced, known = decided[k]
        guarded.append(guard_areas(this, viewer, forced, known))
    shown_s = guard_terms(per_period, guarded, viewer, [kn for _, kn in decided])
    return terms, by_area[area], [s[area] for s in shown_s]
