"""A school's hours chart (its School filter's view of hours against outcome) weighed against
the school's own headline, term by term.

Why a rule of its own: the chart counts the school's concluded pairings over all time, so
an outcome's bands (over all areas, or one area's) add up to the school's figure of that
outcome summed over the terms — which the school's headline shows term by term. Where it
shows every term's, the chart's total is told: exactly one band hidden beside the others
shown is then that total less them, so hiding it protects nothing (found:
B_BAND_TOLD_BY_ITS_TERMS, tests/test_hours_by_area_found.py — school B's one band of transfers
hidden, its headline's 0, 0 and 2 shown). Such a band is shown: it adds nothing to what the
viewer can work out (`shown_where_told`). The alliance's form of the same weighing is
`chart_hiding.totals_unshown`.

The school's headline is weighed as the page suppresses it, without the flows (they decide
only pairings active: `school_view.decide`, the page's own answer where it is remembered),
and only where a view has an outcome with exactly one band hidden."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from brokering.dashboard.chart_hiding import TERM_HIDES
from brokering.dashboard.facts import Scope, facts
from brokering.db import Connection
from brokering.terms import previous_term, term_of
from brokering.viewer import Viewer

#: outcome -> the school's figure of it over all time, told by its headline's terms.
Told = dict[str, float]


def told_totals(
    con: Connection, viewer: Viewer, school_id: str, area: str | None, as_of: date
) -> Told:
    """The school's figures over all time (all areas, or `area`'s) that its headline tells:
    every term's shown (`told_of`), over the terms the page's headline suppresses together
    (as of `as_of`: its term and the one before, with the school's trend)."""
    from brokering.dashboard import transfer  # it reads the charts from here

    f = facts(con)
    term = term_of(as_of)
    terms = transfer._joint_periods(
        con, viewer, Scope(school_id), as_of, [term, previous_term(term)], f
    )
    bounds = [(t.start, t.end) for t in terms]
    scope = Scope(school_id, area)
    figures, out = transfer._guarded_views(con, viewer, scope, bounds, as_of, f, flows_too=False)
    return told_of(figures, [o[area] if area in o else o[None] for o in out])


def told_of(figures: list[dict], shown: list[dict]) -> Told:
    """`told_totals` from the school's figures per term (key -> (value, people)) and the same
    as suppressed (key -> (value, hidden)): an outcome's total where every term with any of
    it shows it — the evidenced transfers shown; the pairings not transferred as the
    pairings judged (the transfers beside their rate, shown) less the transfers. A term with
    none adds nothing, shown or not: a figure of no pairings rests on no one, and the
    attacker's best case (who knows the kinds of pairing: tests/test_hours_by_area.py)
    knows it is none; counting it as unknown hides the band where that protects nothing
    (tried on review: B_WHOLE_BESIDE_ITS_AREAS then failed)."""
    out: Told = {}
    transferred = [float(f["transferred"][0] or 0) for f in figures]
    if all(not t or not s["transferred"][1] for t, s in zip(transferred, shown, strict=True)):
        out["transferred"] = sum(transferred)
    nots = [float(f.get("not_transferred", (0, 0))[0] or 0) for f in figures]

    def known(k: int) -> bool:
        s = shown[k]
        told = not any(s[key][1] for key in TERM_HIDES["not transferred"] if key in s)
        return not nots[k] or (told and transferred[k] > 0 and s["rate"][0] is not None)

    if all(known(k) for k in range(len(figures))):
        out["not transferred"] = sum(nots)
    return out


def shown_where_told(view: pd.DataFrame, told: Callable[[], Told]) -> pd.DataFrame:
    """A school's view of the hours chart (`school_tables.school_view`'s rows: outcome, row,
    col, pairings, unseen, hidden) with an outcome's one hidden band shown where the rest
    are and their total is told (`told`, asked only then): it is that total less them."""
    if view.empty:
        return view
    hidden = view["hidden"].to_numpy(bool)
    lone = view.assign(h=hidden).groupby("outcome")["h"].sum()
    lone = set(lone.index[lone == 1])
    if not lone:
        return view
    known = told()
    totals = view.groupby("outcome")["pairings"].sum()
    show = [o in lone and o in known and float(totals[o]) == known[o] for o in view["outcome"]]
    return view.assign(hidden=hidden & ~pd.Series(show, index=view.index).to_numpy(bool))
