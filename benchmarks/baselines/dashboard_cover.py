"""The counts by status' cover in the mirrors (`brokering.dashboard.counts_cover`): the
counts counted in numpy over the facts in memory, weighed and applied by the product's own
rules (`could_fall_on_a_chart`, `cover_of`, `hidden_too`), over the headline as
`dashboard_hidden` suppresses it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from benchmarks.baselines import dashboard as bd
from benchmarks.baselines.dashboard_hidden import HiddenFrames, headline_terms
from brokering.dashboard.chart_hiding import unshown_of
from brokering.dashboard.counts_cover import could_fall_on_a_chart, cover_of, hidden_too
from brokering.dashboard.hiding import guard_areas, guard_terms
from brokering.pairings import lifecycle
from brokering.terms import Term, term_of
from brokering.viewer import Viewer


def headline_out(
    hf: HiddenFrames, terms: list[Term], as_of: date, viewer: Viewer, cover: frozenset[str]
) -> tuple[list[dict], list[dict]]:
    """The alliance's headline over `terms` for an aggregate-only viewer, suppressed by the
    product's `guard_areas` and `guard_terms`, with `cover` (the counts' cover,
    `charted_governor`) hidden in a term too by the product's `counts_cover.hidden_too`:
    (per term the suppressed figures by area, the figures)."""
    figures = bd.period_figures(hf.base, [(t.start, t.end) for t in terms], as_of)
    whole = [{None: figs} for figs in figures]
    out = guard_terms(whole, [guard_areas({None: figs}, viewer) for figs in figures], viewer)
    return (hidden_too(whole, out, viewer, cover) if cover else out), figures


def status_people(hf: HiddenFrames) -> pd.DataFrame:
    """Every pairing's status over all time counted in numpy (status, pairings, people), one
    row per lifecycle status: what `pairings.views.counts_by_status` reads."""
    b = hf.base
    status = pd.Index(lifecycle.STATUSES).get_indexer(b.pairings["status"].astype(str))
    n = len(lifecycle.STATUSES)
    pairing = b.people["pairing"].to_numpy(np.int64)
    person = b.people["person"].to_numpy(np.int64)
    code = status[pairing]
    keep = code >= 0
    width = int(person.max(initial=0)) + 1
    seen = np.unique(code[keep].astype(np.int64) * width + person[keep])
    have = np.unique(pairing[keep])  # pairings with members, as the product counts them
    return pd.DataFrame(
        {
            "status": list(lifecycle.STATUSES),
            "pairings": np.bincount(status[have][status[have] >= 0], minlength=n).astype(int),
            "people": np.bincount(seen // width, minlength=n).astype(int),
        }
    )


def charted_governor(hf: HiddenFrames, viewer: Viewer, as_of: date) -> frozenset[str]:
    """`counts_cover.charted_cover` for an aggregate-only viewer: the counts by status
    (`status_people`) weighed by the product's `could_fall_on_a_chart` and `cover_of`
    against the headline's totals left shown nowhere before it (the terms of `as_of`,
    `chart_hiding.unshown_of` called)."""
    if not viewer.aggregate_only:
        return frozenset()
    counts = status_people(hf)
    if not could_fall_on_a_chart(counts):
        return frozenset()
    terms = headline_terms(hf, term_of(as_of), as_of)
    out, _ = headline_out(hf, terms, as_of, viewer, frozenset())
    return cover_of(counts, unshown_of([o[None] for o in out]))
