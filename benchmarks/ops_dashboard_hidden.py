"""The pandas mirrors of the governor's suppressed dashboard rows (`baselines.dashboard_hidden`),
wired for `ops_dashboard`: each row's mirror call, what it shares with the product and what it
does itself (said on the row), and the check that it gave the product's answer in the run.
Kept apart from `ops_dashboard` so each module stays one a reader can hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from benchmarks.baselines import dashboard_hidden as dh
from brokering.terms import Term
from brokering.viewer import Viewer

#: The role the mirrors look as: aggregate only, like the harness's governor.
GOVERNOR = Viewer("viewer", None, "benchmark-governor")

#: Per row: what the mirror shares with the product, and what it does itself.
SHARES = {
    "transfer_headline_governor": (
        "Mirror: per-term counts and distinct people in numpy over the facts in memory "
        "(every term the page can show); suppression by the product's own "
        "hiding.guard_areas and hiding.guard_terms, called."
    ),
    "transfer_by_school_governor": (
        "Mirror: outcome x school x area cells, their pairings and distinct people in numpy; "
        "each school's total hidden where a cell of it is or on its own people (restated: "
        "the product has that rule only in SQL); the cover by the product's own "
        "hiding.grid_hidden and outcome_cover.falls_in, and hidden drawn by "
        "outcomes._every_outcome, called."
    ),
    "flow_matrix_governor": (
        "Mirror: the term's links and coaching, each cell's figures and each school's and "
        "school pair's distinct people in numpy; suppression by the product's own "
        "flow_hiding.flow_hidden (the ledger's rule inside it), called."
    ),
    "balance_governor": (
        "Mirror: the term's hours given and received per school in numpy, the schools' and "
        "pairs' people as for the flow matrix; suppression by the product's own "
        "flow_hiding.flow_hidden, called."
    ),
}


def baselines(
    hf: dh.HiddenFrames, term: Term, start: date, end: date, as_of: date
) -> dict[str, tuple[str, Callable[[], Any]]]:
    """{row key: (mirror's name, call)} with the same arguments as the product's rows
    (`ops_dashboard.operations`: the flows over `start`..`end`)."""
    return {
        "transfer_headline_governor": (
            "baselines.dashboard_hidden.headline_governor (pandas; the product's guard_terms)",
            lambda: dh.headline_governor(hf, term, as_of, GOVERNOR),
        ),
        "transfer_by_school_governor": (
            "baselines.dashboard_hidden.outcomes_by_school_governor (pandas; the product's "
            "grid_hidden)",
            lambda: dh.outcomes_by_school_governor(hf),
        ),
        "flow_matrix_governor": (
            "baselines.dashboard_hidden.flow_matrix_governor (pandas; the product's flow_hidden)",
            lambda: dh.flow_matrix_governor(hf, start, end, GOVERNOR),
        ),
        "balance_governor": (
            "baselines.dashboard_hidden.balance_governor (pandas; the product's flow_hidden)",
            lambda: dh.balance_governor(hf, start, end, GOVERNOR),
        ),
    }


def _frames_equal(out: Any, base: Any) -> bool:
    """The product's frame and the mirror's: the same rows, values, hidden cells and types."""
    if out.empty or base.empty:
        return bool(out.empty and base.empty)
    try:
        pd.testing.assert_frame_equal(base, out.reset_index(drop=True))
    except AssertionError:
        return False
    return True


def checks() -> dict[str, Callable[[Any, Any], bool]]:
    """{row key: (product's answer, mirror's answer) -> the same, figures and hidden flags}."""
    return {
        "transfer_headline_governor": lambda out, base: dh.headline_product(out) == base,
        "transfer_by_school_governor": _frames_equal,
        "flow_matrix_governor": _frames_equal,
        "balance_governor": _frames_equal,
    }
