"""The pairings' counts by status (a governor's pairings page) beside the Transfer page: a
cover the counts take from an outcome the page adds up is hidden there too.

Why: the counts are never shown with exactly one hidden (`pairings.views.never_one_hidden`:
the total of pairings, shown elsewhere, less the shown ones would give it away), and take
first a status no chart adds up. Where none is left (every other status with pairings
hidden, or none has any), the cover is an outcome over all time that the headline adds up
term by term and the hours chart band by band — shown there, hiding it in the counts
protected nothing (found: JUDGED_BY_AREA_TOLD, tests/test_hours_by_area_found.py: "not
transferred" hidden on two people, "transferred" hidden beside it though the headline's one
term with any and the hours chart's one band showed it). So that outcome is hidden in one
term of the alliance's headline too, where no term hides it yet (`hiding.guard_terms` then
covers that term as any), and its total over all time is shown nowhere
(`chart_hiding.totals_unshown`: the hours chart hides one of its bands,
`hours_cover.pick_total_cover`). Only an aggregate-only role sees the counts; where a
status no chart adds up is shown with pairings (at national scale every one has hundreds
of people) the counts alone settle it: read once per store change, the headline not read
for this."""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering import changes
from brokering.dashboard.chart_hiding import TERM_FIGURE, TERM_HIDES, hides
from brokering.dashboard.hiding import _derive, guard_terms
from brokering.db import Connection
from brokering.viewer import Viewer
from brokering.visibility import may_show

#: The headline's keys hidden to hide an outcome's figure of a term (the pairings not
#: transferred are the judged, the rate's denominator, less the transferred).
_KEYS = {"transferred": ("transferred",), "not transferred": ("judged", "not_transferred")}


def charted_cover(con: Connection, viewer: Viewer, as_of: date) -> frozenset[str]:
    """The outcomes ("transferred", "not transferred") the counts by status hide only as
    cover (`cover_of`), for an aggregate-only viewer as of `as_of`. One answer per store
    change, viewer and day."""
    if not viewer.aggregate_only:
        return frozenset()
    key = ("counts_cover.charted_cover", viewer, as_of)
    return changes.remembered(changes.mark(con), key, lambda: _cover(con, viewer, as_of))


def _cover(con: Connection, viewer: Viewer, as_of: date) -> frozenset[str]:
    """`charted_cover`, reading the headline only where the counts alone leave it open."""
    from brokering.dashboard.chart_hiding import headline_unshown
    from brokering.pairings.views import counts_by_status

    counts = counts_by_status(con)
    if not could_fall_on_a_chart(counts):
        return frozenset()
    return cover_of(counts, headline_unshown(con, viewer, as_of))


def could_fall_on_a_chart(counts: pd.DataFrame) -> bool:
    """Whether the counts' cover could be a charted outcome: no status no chart adds up is
    shown with pairings (`pairings.views.never_one_hidden` takes such a one first)."""
    from brokering.pairings.views import CHARTED

    other = ~counts["status"].isin(CHARTED) & (counts["pairings"] > 0)
    return not bool(may_show(counts.loc[other, "people"]).any())


def cover_of(counts: pd.DataFrame, unshown: frozenset[str]) -> frozenset[str]:
    """From the counts by status (status, pairings, people) and the outcomes the headline
    leaves shown nowhere (`chart_hiding.totals_unshown` before this rule): the charted
    outcomes `never_one_hidden` hides as cover."""
    from brokering.pairings.views import CHARTED, never_one_hidden

    some = counts["pairings"] > 0
    hidden = ~may_show(counts["people"]) | (counts["status"].isin(unshown) & some)
    more = never_one_hidden(counts, hidden) & ~hidden
    return frozenset(counts.loc[more, "status"]) & frozenset(CHARTED)


def hidden_too(
    figs: list[dict],
    out: list[dict],
    viewer: Viewer,
    outcomes: frozenset[str],
    known: list[set] | None = None,
) -> list[dict]:
    """The alliance's headline (`out`: per term the whole's and areas' figures as
    suppressed, `figs` the figures, as `hiding.guard_terms` takes them) with each of
    `outcomes` (`charted_cover`) hidden in one term where no term hides it yet: the term
    whose figure of it rests on fewest people (but some); then guarded across the terms
    and areas again (`guard_terms`)."""
    changed = False
    for outcome in sorted(outcomes):
        if any(hides(o[None], outcome, TERM_HIDES[outcome]) for o in out if None in o):
            continue
        own = TERM_FIGURE[outcome]
        terms = [k for k, f in enumerate(figs) if None in f and f[None][own][1] > 0]
        if not terms:
            continue
        k = min(terms, key=lambda k: (figs[k][None][own][1], k))
        for key in _KEYS[outcome]:
            if key in out[k][None]:
                out[k][None][key] = (None, True)
        out[k][None] = _derive(out[k][None], figs[k][None])
        changed = True
    return guard_terms(figs, out, viewer, known) if changed else out
