"""The headline's figures weighed by what the viewer cannot list: a figure is the pairings
on the viewer's pairings page plus those that are not, so shown it gives away the second.

Why: a head or the SLE coordinator sees on the pairings page every pairing with someone
they can see — its practice (so its skill area), its status, its dates and hours
(`pairings.views.list_pairings`) — so they can count each headline figure's share of those
pairings themselves. What a shown figure tells them beyond their lists is the rest: the
pairings of people they cannot see, none of them on the page. Found: of the evidenced
transfers in one area (2: resting on three people head B cannot see, so shown), head B lists
one (their own school's); the other was a pairing of two people of school A who do not share,
and so the outcomes' hidden "transferred at A" (and that two colleagues at A had worked
together) was the shown 2 less the 1 they list. So where that rest rests on 1 to threshold-1
people, the figure is hidden too (`forced`, for `hiding.guard_areas`), as `hiding.outside`
does for a school's view. An aggregate-only role lists nothing (the figures' own people
already say it all), and the administrator sees everyone. The rest is counted in the same
pass as the figures themselves (`figures_and_forced`; for a school's view beside the
alliance's, `split_and_forced`), not in a second one."""

from __future__ import annotations

from datetime import date

from brokering.dashboard.facts import ALLIANCE, Facts, Scope, unseen_sql
from brokering.dashboard.hiding import ADDITIVE, primary
from brokering.dashboard.transfer_figures import figures_by_area, figures_parted, figures_split
from brokering.db import Connection
from brokering.viewer import Viewer

#: Per period: per area (None: all areas), the figures to hide.
Forced = list[dict[str | None, tuple[str, ...]]]
#: Per period: the (area, figure) the viewer can count from their pairings page alone (none
#: of its pairings off it): no cover for another, as hiding it would protect nothing.
Listed = list[set[tuple[str | None, str]]]


def unlisted_where(f: Facts, viewer: Viewer, alias: str = "p") -> tuple[str, list[object]]:
    """A WHERE fragment keeping the pairings not on the viewer's pairings page: every
    participant one they cannot see (`pairings.views.members_cte`'s `seen`, on the facts;
    grouped rather than an anti-join: a fifth quicker at national scale)."""
    unseen, params = unseen_sql(viewer, "m", listed=True)
    return (
        f"{alias}.pairing_id IN (SELECT m.pairing_id FROM {f.people} m "  # noqa: S608
        f"GROUP BY m.pairing_id HAVING bool_and({unseen}))",
        params,
    )


def forced(
    con: Connection,
    f: Facts,
    viewer: Viewer,
    periods: list[tuple[date, date]],
    as_of: date,
    by_area: bool,
) -> Forced:
    """Per period, the alliance's headline figures (over all areas, and with `by_area` each
    area's) whose pairings not on the viewer's page rest on 1 to threshold-1 people (all of
    them people the viewer cannot see): hidden whatever the rest rests on. Nothing for an
    aggregate-only role or the administrator. Read in a pass of its own: the pages read it
    in the figures' pass (`figures_and_forced`, `split_and_forced`), held equal to this."""
    if viewer.aggregate_only or viewer.sees_everyone:
        return [{} for _ in periods]
    where = unlisted_where(f, viewer)
    rest = figures_by_area(con, f, ALLIANCE, periods, as_of, viewer, by_area, where)
    return _forced_of(rest, len(periods), by_area)


def figures_and_forced(
    con: Connection,
    f: Facts,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
    viewer: Viewer,
    by_area: bool,
) -> tuple[dict[str | None, list[dict]], Forced, Listed]:
    """`figures_by_area` for the alliance's `scope`, `forced` and `listed_of`, in one pass
    over the pairings (`figures_parted`: the rest is the pairings every participant of which the
    viewer cannot see, those `unlisted_where` keeps, told in the pass by counting their people
    the viewer cannot see) — a second pass cost the head's headline for one area two fifths."""
    if viewer.aggregate_only or viewer.sees_everyone:
        figures = figures_by_area(con, f, scope, periods, as_of, viewer, by_area)
        return figures, [{} for _ in periods], [set() for _ in periods]
    parts = figures_parted(con, f, scope, periods, as_of, viewer, by_area)
    n = len(periods)
    return parts[None], _forced_of(parts[True], n, by_area), listed_of(parts[None], parts[True], n)


def split_and_forced(
    con: Connection,
    f: Facts,
    school_id: str,
    periods: list[tuple[date, date]],
    as_of: date,
    viewer: Viewer,
) -> tuple[dict, Forced, Listed, Forced]:
    """`figures_split` for a school's view, `forced` and `listed_of` (by area) for the
    alliance's view beside it, and `school_forced` for the school's own, in one pass over
    the pairings: the rest (the pairings `unlisted_where` keeps) is split off in the same
    pass as the school's and the alliance's figures (`figures_split`'s "rest", "rest_in"
    and "rest_out"), not read in a second."""
    if viewer.aggregate_only or viewer.sees_everyone:
        split = figures_split(con, f, school_id, periods, as_of, viewer)
        none: Forced = [{} for _ in periods]
        return split, none, [set() for _ in periods], none
    split = figures_split(con, f, school_id, periods, as_of, viewer, rest=True)
    rest, n = split.pop("rest")[0], len(periods)
    ours = school_forced(split.pop("rest_in")[0], split.pop("rest_out")[0], n)
    return split, _forced_of(rest, n, True), listed_of(split[None][0], rest, n), ours


def school_forced(
    rest_in: dict[str | None, list[dict]], rest_out: dict[str | None, list[dict]], n: int
) -> Forced:
    """Per period, a school's figures (its School filter's view) to hide for what the
    viewer does not list: where the school's own rest (its pairings off the viewer's page)
    rests on 1 to threshold-1 people, as the alliance's (`forced`); and where the rest with
    no one from the school does — the alliance's figure less the school's, both shown,
    less what the viewer lists, would be it. Found: UNLISTED_AT_A (tests/test_school_unlisted
    .py), school A's evidenced transfers less the two head B lists were a transfer between
    two colleagues at A who do not share; and, with A's hidden, the alliance's less C's."""
    return [
        merged(a, b)
        for a, b in zip(_forced_of(rest_in, n, True), _forced_of(rest_out, n, True), strict=True)
    ]


def _forced_of(rest: dict[str | None, list[dict]], n_periods: int, by_area: bool) -> Forced:
    """`forced` from the rest's figures (area -> figures per period)."""
    out: Forced = [{} for _ in range(n_periods)]
    for area, figures in rest.items():
        if area is not None and not by_area:
            continue
        for k, figs in enumerate(figures):
            keys = tuple(
                key
                for key in ADDITIVE
                if key in figs and figs[key][0] and primary([figs[key][1]])[0]
            )
            if keys:
                out[k][area] = keys
    return out


def listed_of(
    figures: dict[str | None, list[dict]], rest: dict[str | None, list[dict]], n_periods: int
) -> Listed:
    """Per period, the alliance's (area, figure) that count something and none of it off the
    viewer's page: they can count it from their pairings page, so as a cover beside a hidden
    figure it covers nothing (found: KNOWN_COVER in tests/test_school_unlisted.py, a head's
    one area hidden beside an area whose one pairing they list)."""
    out: Listed = [set() for _ in range(n_periods)]
    for area, per in figures.items():
        theirs = rest.get(area)
        for k, figs in enumerate(per):
            for key in ADDITIVE:
                if key in figs and figs[key][0] and not (theirs and theirs[k][key][0]):
                    out[k].add((area, key))
    return out


def merged(
    a: dict[str | None, tuple[str, ...]], b: dict[str | None, tuple[str, ...]]
) -> dict[str | None, tuple[str, ...]]:
    """Two `forced` maps as one (each area's keys, both sides')."""
    out = dict(a)
    for area, keys in b.items():
        out[area] = tuple(dict.fromkeys((*out.get(area, ()), *keys)))
    return out
