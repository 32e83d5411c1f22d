"""Suppressing one school's view of the Transfer page (its School filter) with the
alliance's: the page shows both, so the alliance's figure less the school's — the pairings
with no one from the school — is shown too.

Why a rule of its own: a school's figures rest on its pairings' people, the alliance's on
everyone's, and each can be shown on its own while their difference (the work elsewhere)
rests on one or two people. So a school's figure is hidden, before anything is derived from
it, where that difference rests on 1 to threshold-1 people the viewer cannot see; and where
the alliance's figure is hidden and the difference rests on nobody the viewer cannot see
(there is none, or they can add it up themselves), since the school's would then be the
alliance's less what they know (`hiding.outside`). A whole hidden so has one of the school's
own areas hidden beside it, or is shown where they all are (`_cover_whole`: the areas add
up to it). Everything else — areas, terms — is then
suppressed as for any view (`transfer._guarded_views`), these figures hidden first."""

from __future__ import annotations

from datetime import date

from brokering import changes
from brokering.dashboard import flows, hiding, school_parts, school_sample, transfer, unlisted
from brokering.dashboard.facts import Scope, facts
from brokering.db import Connection, alongside
from brokering.terms import term_of
from brokering.viewer import Viewer
from brokering.visibility import may_show

Decided = list[tuple[dict[str | None, tuple[str, ...]], set[str | None]]]
#: The school's own figures before suppression, per area (None: all areas), period by period.
Figures = school_parts.Figures


def decide(
    con: Connection,
    viewer: Viewer,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
    flows_too: bool = True,
) -> tuple[Decided, Figures] | None:
    """Per period, for one school's view: (figures to hide, area -> keys, None for all
    areas; the areas whose pairings active are shown as the same figure shown elsewhere) —
    for the alliance's view beside it (`hiding.outside`) and the flows' (`flows.
    school_totals`); and the school's own figures (`transfer_figures.figures_by_area` over
    its pairings, read in the same pass as the alliance's). None for the alliance's own view
    or the administrator. The same for the school's whole and every area (the alliance's
    areas are suppressed together, whichever is asked), so worked out once for them all.
    Not `flows_too`: without the flows, which decide only pairings active (for a caller that
    weighs only figures concluded: `school_hours`) — the whole answer where it is
    remembered already."""
    if scope.school_id is None or viewer.sees_everyone:
        return None
    # The headline and the trend ask for the same terms: worked out once per store change.
    mark, school = changes.mark(con), Scope(scope.school_id)
    key = ("school_view.decide", viewer, school, tuple(periods), as_of)
    if not flows_too:
        whole = changes.recalled(mark, key)
        if whole is not None:
            return whole
        key = (*key, "without the flows")
    return changes.remembered(
        mark, key, lambda: _decide(con, viewer, school, periods, as_of, flows_too)
    )


def _decide(
    con: Connection,
    viewer: Viewer,
    scope: Scope,
    periods: list[tuple[date, date]],
    as_of: date,
    flows_too: bool = True,
) -> tuple[Decided, Figures]:
    """`decide`, worked out."""
    f = facts(con)
    # The alliance's view as its own page suppresses it (its own set of terms), for every
    # area (the whole's figures are the same in every area's view): read as its first area's
    # (`scope` is the school's alone: `decide` answers for its whole and every area at once).
    first = con.execute(f"SELECT min(area) FROM {f.pairings}").fetchone()[0]  # noqa: S608
    alliance = Scope(area=first)
    terms = [term_of(s) for s, _ in periods]
    terms = transfer._joint_periods(con, viewer, alliance, as_of, terms, f)
    bounds = [(t.start, t.end) for t in terms]

    at = {t.start: k for k, t in enumerate(terms)}
    at_ours = [at[start] for start, _ in periods]

    # Two reads that need nothing from each other, side by side (`db.alongside`; each is
    # mostly one thread's work at national scale): the flows' decisions; and the figures
    # of the alliance, the school, the work elsewhere and what the viewer does not list
    # (one pass: `unlisted.split_and_forced`), then the alliance's view suppressed.
    def figures_and_alliance() -> tuple:
        split, *rest, ours = unlisted.split_and_forced(
            con, f, scope.school_id, bounds, as_of, viewer
        )
        # The flows' thread reads the school's own rows last (`school_sample`): read here
        # first if it is not at them yet, so the two threads' shares come out even.
        if flows_too:
            school_sample.own_rows(con, viewer, scope.school_id, periods, f, wait=False)
        _, shown = transfer._guarded_views(
            con, viewer, alliance, bounds, as_of, f, split[None][0], tuple(rest), flows_too
        )
        mine, without = _periods(split[True], at_ours), _periods(split[False], at_ours)
        return shown, mine, without, ours, rest[1]

    def flows_and_parts(cursor: Connection) -> tuple:
        # Its relationships are read first (`flow_once.relationships`, with `bounds`):
        # the alliance's look finds them read, after its figures. Then the school's parts
        # (`school_parts`: its own pairings alone, a small read).
        matrices = (
            flows.school_totals(cursor, viewer, periods, scope.school_id, f, bounds)
            if flows_too
            else flows.unweighed(periods)
        )
        return matrices, school_parts.read_forced(
            cursor, f, scope.school_id, periods, as_of, viewer
        )

    (shown, mine, without, unlisted_ours, listed), (matrices, parts) = alongside(
        con, flows_and_parts, figures_and_alliance
    )
    out = []
    for k, (start, _) in enumerate(periods):
        forced, known = hiding.outside(
            {area: figs[k] for area, figs in without.items()},
            shown[at[start]],
            listed[at[start]],
        )
        hide, given_away = matrices[k]
        known |= given_away
        # A part of the school's figure (its work with one set of schools) resting on few.
        school_parts.add(forced, known, parts[k])
        # What the viewer does not list, in the school's pairings or elsewhere (`unlisted`).
        forced = unlisted.merged(forced, unlisted_ours[at[start]])
        for area in hide - known:
            forced[area] = (*forced.get(area, ()), "active")
        elsewhere = {area: figs[k] for area, figs in without.items()}
        _one_unknown_elsewhere(forced, known, shown[at[start]], elsewhere)
        # Pairings active the viewer can work out anyway are shown (hiding protects nothing).
        for area in known & set(forced):
            forced[area] = tuple(key for key in forced[area] if key != "active")
        _cover_whole(forced, known, {area: figs[k] for area, figs in mine.items()}, viewer)
        out.append((forced, known))
    return out, mine


def _periods(split: tuple[Figures, dict[str | None, int]], ours: list[int]) -> Figures:
    """Figures read for more periods, as read for the periods at positions `ours`: an area
    is listed only where a pairing of it counts in one of them (`figures_split`)."""
    figures, seen = split
    mask = sum(1 << k for k in set(ours))
    return {
        area: [figs[k] for k in ours]
        for area, figs in figures.items()
        if area is None or seen[area] & mask
    }


def whole(
    decided: Decided | None, k: int
) -> tuple[dict[str | None, tuple[str, ...]], set[str | None]]:
    """Period k's decisions for the school's figures over all areas (`guard_areas`' forced
    and known, for the whole alone)."""
    if decided is None:
        return {}, set()
    forced, known = decided[k]
    return {None: forced.get(None, ())}, known & {None}


def _one_unknown_elsewhere(
    forced: dict[str | None, tuple[str, ...]],
    known: set[str | None],
    alliance: dict,
    elsewhere: dict,
) -> None:
    """The work elsewhere (the alliance's figure less the school's) adds up over the areas
    too: where its whole is shown (the alliance's and the school's both) and exactly one
    area's is not (the alliance's or the school's hidden there), that one would be the whole
    less the others — so the school's whole is hidden, and a second of its areas (else the
    whole would be its areas' sum), one the viewer cannot work out (`known`: hidden, it
    would cover nothing; found: KNOWN_SPARE_BESIDE_B, tests/test_headline_school_cases.py).
    An area with no work elsewhere counts as known (0).
    `elsewhere`: the figures over the pairings with no one from the school, per area."""
    areas = sorted(a for a in alliance if a is not None)
    for key in hiding.ADDITIVE:
        if key not in alliance.get(None, {}) or alliance[None][key][1]:
            continue
        if key in forced.get(None, ()):
            continue
        unknown = [
            a
            for a in areas
            if (alliance[a][key][1] or key in forced.get(a, ()))
            and elsewhere.get(a, {}).get(key, (0, 0))[0]
        ]
        if len(unknown) != 1:
            continue
        forced[None] = (*forced.get(None, ()), key)
        spare = [
            a
            for a in areas
            if a not in unknown and (a if key == "active" else (a, key)) not in known
        ]
        if spare:
            forced[spare[0]] = (*forced.get(spare[0], ()), key)


def _open(figures: dict[str | None, dict], known: set, key: str) -> list[str]:
    """The school's areas with a figure `key` resting on someone the viewer cannot see (a
    figure resting on no one, they can count; hours of 0 behind such people still cover: the
    viewer cannot know them) that they cannot work out (`known`): the areas that can cover
    another, hidden or not."""
    return sorted(
        a
        for a in figures
        if a is not None
        and figures[a].get(key, (0, 0))[1] > 0
        and (a if key == "active" else (a, key)) not in known
    )


def _cover_area(
    forced: dict[str | None, tuple[str, ...]], known: set, figures: dict[str | None, dict]
) -> None:
    """The reverse of `_cover_whole`: the school's whole shown beside exactly one of its
    areas hidden (for the alliance's sake, or on its own people) with no other area that
    could be hidden beside it (each of the rest resting on no one the viewer cannot see, or
    known to them) would give that area away as the whole less the rest — `hiding.
    guard_areas` has no second area to hide. So the whole is hidden too: the two are then
    one unknown, which the views shown do not tell (the whole less the work elsewhere is
    the alliance's less a figure hidden or resting on enough people). Not pairings active:
    the flows tell a school's whole (given, received and within), so `guard_areas` shows
    such an area instead, as the whole less the rest.
    `figures`: the school's own figures per area (None: the whole), key -> (value, people)."""
    whole = figures.get(None, {})
    for key in hiding.ADDITIVE:
        if (
            key == "active"
            or key not in whole
            or whole[key][0] is None
            or key in forced.get(None, ())
        ):
            continue
        if not may_show(whole[key][1]) or (None, key) in known:
            continue  # hidden already; or known, where hiding it protects nothing
        open_ = _open(figures, known, key)
        hidden = [a for a in open_ if key in forced.get(a, ()) or not may_show(figures[a][key][1])]
        if len(hidden) == 1 and len(open_) == 1:
            forced[None] = (*forced.get(None, ()), key)


def _cover_whole(
    forced: dict[str | None, tuple[str, ...]],
    known: set,
    figures: dict[str | None, dict],
    viewer: Viewer,
) -> None:
    """The school's own areas add up to its whole too: a whole hidden for the alliance's
    sake (`outside`, `_one_unknown_elsewhere`) beside its areas all shown would be their
    sum. So where no area resting on someone the viewer cannot see is hidden beside it, the
    smallest such area the viewer cannot work out is hidden too (the two then move against
    each other); with none, every area is shown or known, the whole with them — hiding it
    protects nothing, so it is shown and counted as known (as `outside` does). First the
    reverse (`_cover_area`): a whole shown beside one area hidden alone is hidden too.
    `figures`: the school's own figures per area (None: the whole), key -> (value, people)."""
    _cover_area(forced, known, figures)
    for key in forced.get(None, ()):
        if key not in hiding.ADDITIVE:
            continue
        # An area the viewer can work out (`known`) is no cover, hidden or not.
        open_ = _open(figures, known, key)
        if any(key in forced.get(a, ()) or not may_show(figures[a][key][1]) for a in open_):
            continue
        if open_:
            pick = min(open_, key=lambda a, key=key: (figures[a][key][1], a))
            forced[pick] = (*forced.get(pick, ()), key)
        else:
            forced[None] = tuple(k for k in forced[None] if k != key)
            known.add(None if key == "active" else (None, key))
