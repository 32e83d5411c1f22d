# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""A school's headline figures (the Transfer page's School filter) as sums of parts: the
pairings grouped by the set of schools they have people from — `chart_hiding`'s rule on
parts, for the headline.

Why: the page shows the alliance's figures and every school's, and a school's counts every
pairing with someone from it. So each is a sum of the same parts (a pairing between A and C
is in A's figure, C's and the alliance's), and adding and subtracting the views isolates
sums of parts: A's and C's less the alliance's is the work between A and C less the work
with neither. Found (BETWEEN_TWO_OTHERS, tests/test_headline_school_cases.py): for the
governor, A's and C's overdue reviews less the alliance's were the one pairing between A0
and C0 — and B's hidden figure the alliance's less it. So a school's figure is hidden, before
anything is derived from it, where one of its parts (the pairings with exactly one set of
schools, the school among them) rests on 1 to threshold-1 people the viewer cannot see
(`hiding.primary`, as `unlisted._forced_of` weighs a rest) — unless the viewer can work the
figure out anyway (`school_view`: hiding it would protect nothing). Weighed for every role
that does not see everyone (`applies`): for a head or the SLE coordinator, a part's people
are those of its pairings off their pairings page (`rest`), as `unlisted` counts a rest —
what they list of a part they count themselves (found: HEAD_D_LISTS_THE_REST).

The parts are counted over the school's own pairings alone (a few hundred at national
scale, read with their people in one small statement and counted in Python), on the flows'
cursor beside the figures' pass (`school_view._decide`), not as more grouping sets of that
pass over every pairing."""

from __future__ import annotations

from datetime import date

from brokering.dashboard.facts import Facts
from brokering.dashboard.transfer_figures import FLAGS, MAX_PERIODS
from brokering.dashboard.unlisted import Forced, _forced_of, merged
from brokering.db import Connection
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

#: area -> the figures per period (None: all areas).
Figures = dict[str | None, list[dict]]


def by_part(
    con: Connection,
    f: Facts,
    school_id: str,
    periods: list[tuple[date, date]],
    as_of: date,
    viewer: Viewer,
    rest: bool = False,
) -> dict[str, Figures]:
    """The school's additive figures (`hiding.ADDITIVE` but pairings active) per part (its
    set of schools, written "A,C" in name order) and area, each a (value, people the viewer
    cannot see) pair as `transfer_figures.figures_by_area` counts them (the same flags,
    `FLAGS`). With `rest`, over the pairings off the viewer's pairings page alone (every
    participant one they cannot see: `unlisted.unlisted_where`): a head or the SLE
    coordinator counts the others themselves, so only these are what a part tells them
    (for an aggregate-only role, every pairing). Why counted here, not in SQL: the school's
    pairings counted in the periods are a few hundred at most, read with their people in one
    small statement; grouped by part in the figures' statement they cost as much as the
    whole alliance's pass."""
    if not 0 < len(periods) <= MAX_PERIODS:
        raise ValueError(f"between 1 and {MAX_PERIODS} periods")
    ks = range(len(periods))
    bounds = ", ".join(f"?::DATE AS s{k}, ?::DATE AS e{k}, ?::DATE AS c{k}" for k in ks)
    dates = [v for s, e in periods for v in (s, e, min(e, as_of))]
    masks = ", ".join(
        " | ".join(f"(CASE WHEN {cond.format(k=k)} THEN {1 << k} ELSE 0 END)" for k in ks)
        + f" AS {flag}"
        for flag, cond in FLAGS.items()
        if flag != "active"
    )
    rows = con.execute(
        f"""
        WITH per AS (SELECT {bounds}),
        x AS (
            SELECT p.pairing_id, p.area, p.hours, p.status, {masks}
            FROM {f.pairings} p, per
            WHERE p.pairing_id IN (SELECT pairing_id FROM {f.people} WHERE school_id = ?)
        )
        SELECT x.pairing_id, x.area, x.hours, x.status, x.concluded, x.overdue,
               m.staff_ref, m.school_id
        FROM x JOIN {f.people} m USING (pairing_id)
        WHERE x.concluded | x.overdue <> 0
        """,
        [*dates, school_id],
    ).fetchall()
    unseen = _unseen(con, viewer, sorted({row[6] for row in rows}))
    pairings: dict[object, list] = {}
    for pid, area, hours, status, concluded, overdue, ref, school in rows:
        entry = pairings.setdefault(
            pid, [area, hours, status, concluded, overdue, set(), set(), False]
        )
        entry[5].add(school)
        if ref in unseen:
            entry[6].add(ref)
        else:
            entry[7] = True  # someone they can see: on their pairings page
    # part -> area -> per period, per key: [value, people]
    cells: dict[str, dict[str | None, list[dict]]] = {}
    for area, hours, status, concluded, overdue, schools, people, listed in pairings.values():
        if rest and listed:
            continue
        done = {
            "transferred": concluded if status == "transferred" else 0,
            "judged": concluded if status in ("transferred", "not transferred") else 0,
            "not_transferred": concluded if status == "not transferred" else 0,
            "overdue": overdue,
            "hours": concluded,
        }
        part = ",".join(sorted(schools))
        for where in (area, None):
            per = cells.setdefault(part, {}).setdefault(where, [{} for _ in ks])
            for k in ks:
                for key, bits in done.items():
                    if not bits >> k & 1:
                        continue
                    value, who = per[k].setdefault(key, [None if key == "hours" else 0, set()])
                    if key == "hours":
                        value = (value or 0) + float(hours) if hours is not None else value
                    else:
                        value += 1
                    per[k][key] = [value, who | people]
    return {
        part: {
            area: [{key: (v, len(who)) for key, (v, who) in per.items()} for per in figs]
            for area, figs in areas.items()
        }
        for part, areas in cells.items()
    }


def _unseen(con: Connection, viewer: Viewer, refs: list[str]) -> set[str]:
    """Of `refs`, the people the viewer cannot see one by one (as `facts.unseen_sql` with
    `listed` says: on the staff list, and not visible to them). Looked up by the refs
    themselves (a few hundred at most): in the read, each person looked up in the staff
    list of those they cannot see cost a head's read of the parts two fifths more (at
    national scale, 470,000 staff)."""
    if viewer.aggregate_only:
        return set(refs)
    if viewer.sees_everyone or not refs:
        return set()
    vis, params = visible_staff_sql(viewer, "st")
    marks = ", ".join("?" for _ in refs)
    found = con.execute(
        f"SELECT st.staff_ref FROM staff st WHERE st.staff_ref IN ({marks}) AND {vis} IS NOT TRUE",
        [*refs, *params],
    ).fetchall()
    return {ref for (ref,) in found}


def forced(parts: dict[str, Figures], n_periods: int) -> Forced:
    """Per period, per area (None: all areas), the school's figures to hide: one of its
    parts counts some and rests on 1 to threshold-1 people the viewer cannot see. Not
    pairings active: their parts are the flow matrices' cells and the work within schools,
    which the flows' rule weighs (`flows.school_totals`) — hidden here, a school's whole
    the flows give away (found: its other schools' work, between them and within each,
    told by the matrix and the reciprocity ledger) protected nothing."""
    out: Forced = [{} for _ in range(n_periods)]
    for figures in parts.values():
        out = [merged(a, b) for a, b in zip(out, _forced_of(figures, n_periods, True), strict=True)]
    return [
        {
            area: keep
            for area, keys in per.items()
            if (keep := tuple(k for k in keys if k != "active"))
        }
        for per in out
    ]


def read_forced(
    con: Connection,
    f: Facts,
    school_id: str,
    periods: list[tuple[date, date]],
    as_of: date,
    viewer: Viewer,
) -> Forced:
    """`forced` for the school's view read from the store, each part over the pairings off
    the viewer's page (`by_part`'s `rest`); nothing where the rule does not apply
    (`applies`)."""
    if not applies(viewer):
        return [{} for _ in periods]
    return forced(by_part(con, f, school_id, periods, as_of, viewer, rest=True), len(periods))


def applies(viewer: Viewer) -> bool:
    """Whether the rule is weighed for this viewer: every role that does not see everyone
    (the administrator does). First found for the governor (BETWEEN_TWO_OTHERS); then for
    the SLE coordinator and a head of another school where the part's people do not share
    (NOBODY_SHARES: they see no one there, as the governor sees no one), and for a head who
    lists the work with neither school (HEAD_D_LISTS_THE_REST). A head's own school too:
    its leavers are off their page (`visibility.visible_staff_sql`), so a part of it can
    rest on a leaver and someone elsewhere."""
    return not viewer.sees_everyone


def add(
    forced_: dict[str | None, tuple[str, ...]],
    known: set,
    parts: dict[str | None, tuple[str, ...]],
) -> None:
    """One period's parts' figures to hide (`forced`) added to the school's, but not those
    the viewer can work out (`known`, as `hiding.outside` says: for pairings active the
    area, else (area, key)) — hiding them would protect nothing."""
    for area, keys in parts.items():
        keep = tuple(k for k in keys if (area if k == "active" else (area, k)) not in known)
        if keep:
            forced_[area] = tuple(dict.fromkeys((*forced_.get(area, ()), *keep)))
