"""The pandas mirrors of the governor's suppressed dashboard rows (`baselines.dashboard_hidden`),
wired for `ops_dashboard`: each row's mirror call, what it shares with the product and what it
does itself (said on the row), and the check that it gave the product's answer in the run.
Kept apart from `ops_dashboard` so each module stays one a reader can hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from benchmarks.baselines import dashboard_area_flows as daf
from benchmarks.baselines import dashboard_charts as dc
from benchmarks.baselines import dashboard_hidden as dh
from benchmarks.baselines import dashboard_ledger as dl
from benchmarks.baselines import dashboard_school as ds
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
    "ledger_governor": (
        "Mirror: given the ledger's derived totals by school and by two schools (as the "
        "product is), held in memory: no counting of its own — it lays the two views out and "
        "suppresses them by the product's own ledger_suppression.shown, called; so the ratio "
        "is what reading the derived tables costs the product, not a second way of counting."
    ),
}
_SCOPED = (
    "Mirror: each period's figures per skill area (and, for one school, over the pairings "
    "with and without someone from it), people counted once and only those the viewer "
    "cannot see (the viewer's unseen people given, as a page is), and each term's flows "
    "with every area's cells, in numpy; suppression by the product's own "
    "flow_hiding.flow_hidden, hiding.guard_areas, hiding.guard_terms{extra}, called. "
    "Composed here as the product composes them: which terms go together{compose}. "
    "Each term's flows are decided in full (for a governor, after the product's own quick "
    "look, flows._two_sure_cells, called); the product's other quick looks (flow_sample for "
    "a head, school_sample for one school) read the store and are not used, so there the "
    "mirror does more work than the product."
)
for _who in ("head", "governor"):
    SHARES[f"transfer_headline_area_{_who}"] = _SCOPED.format(extra="", compose="")
    SHARES[f"transfer_by_term_area_{_who}"] = _SCOPED.format(extra="", compose="")
for _key in ("head", "head_area", "governor"):
    SHARES[f"transfer_headline_school_{_key}"] = _SCOPED.format(
        extra=", hiding.outside, school_view's rules and school_parts' (the parts counted here)",
        compose=(
            ", and the school's reading of the flows' cells (restated from "
            "flows.school_totals, which has it inline)"
        ),
    )

for _who in ("head", "governor"):
    for _chart in ("outcomes", "hours"):
        SHARES[f"transfer_{_chart}_school_{_who}"] = (
            "Mirror: the school's and the alliance's tables with their margins (pairings, "
            "distinct people, those the viewer cannot see — given, as a page is) and each "
            "cell's parts by set of schools and work elsewhere, in numpy; suppression by the "
            "product's own school_tables.table_hidden (hiding.grid_hidden inside), "
            "chart_hiding.grid_beside and school_tables.cut"
            + (", and outcomes._every_outcome" if _chart == "outcomes" else "")
            + ", called."
        )


def scoped(
    con: Any, af: daf.AreaFrames, term: Term, as_of: date
) -> dict[str, tuple[str, Callable[[], Any]]]:
    """The mirrors of the area and School-filter headline rows (`ops_dashboard_scoped`): the
    same viewers (the head of the largest school, the governor) and area; each viewer's
    unseen people worked out here, outside the timing."""
    from benchmarks.ops_dashboard_scoped import head_and_area

    head, area = head_and_area(con)
    out: dict[str, tuple[str, Callable[[], Any]]] = {}
    for who_key, who in (("head", head), ("governor", GOVERNOR)):
        unseen = daf.unseen_people(con, af.hf, who)
        whole = dc.whole_schools(con, who)  # (`placing.whole_sql`'s, outside the timing)
        if area is not None:
            out[f"transfer_headline_area_{who_key}"] = (
                "baselines.dashboard_school.headline_area (pandas; the product's flow_hidden, "
                "guard_areas, guard_terms)",
                lambda u=unseen, w=who: ds.headline_area(af, term, as_of, u, w, area),
            )
            out[f"transfer_by_term_area_{who_key}"] = (
                "baselines.dashboard_school.trend_area (pandas; the product's flow_hidden, "
                "guard_areas, guard_terms)",
                lambda u=unseen, w=who: ds.trend_area(af, as_of, u, w, area),
            )
        if head.school_id is None:
            continue
        for key, a in ((who_key, None), *((("head_area", area),) if who is head else ())):
            if a is None and key == "head_area":
                continue
            out[f"transfer_headline_school_{key}"] = (
                "baselines.dashboard_school.headline_school (pandas; the product's "
                "flow_hidden, guard_areas, guard_terms, outside)",
                lambda u=unseen, w=who, a=a: ds.headline_school(
                    af, term, as_of, u, w, head.school_id, a
                ),
            )
        out[f"transfer_outcomes_school_{who_key}"] = (
            "baselines.dashboard_charts.outcomes_school (pandas; the product's table_hidden, "
            "grid_beside)",
            lambda u=unseen, w=who, h=whole: dc.outcomes_school(
                af, head.school_id, u, w, term.start, term.end, h
            ),
        )
        out[f"transfer_hours_school_{who_key}"] = (
            "baselines.dashboard_charts.hours_school (pandas; the product's table_hidden, "
            "grid_beside)",
            lambda u=unseen, w=who: dc.hours_school(af, head.school_id, u, w, as_of),
        )
    return out


def baselines(
    con: Any, af: daf.AreaFrames, term: Term, start: date, end: date, as_of: date
) -> dict[str, tuple[str, Callable[[], Any]]]:
    """{row key: (mirror's name, call)} with the same arguments as the product's rows
    (`ops_dashboard.operations`: the flows over `start`..`end`)."""
    hf = af.hf
    lf = dl.load_ledger_frames(con)
    return {
        "ledger_governor": (
            "baselines.dashboard_ledger.school_views_governor (pandas; the product's shown)",
            lambda: dl.school_views_governor(lf, GOVERNOR),
        ),
        **scoped(con, af, term, as_of),
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


def frames_equal(out: Any, base: Any) -> bool:
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

    def headline(out: Any, base: Any) -> bool:
        return dh.headline_product(out) == base

    scoped_checks = {
        **{f"transfer_headline_area_{w}": headline for w in ("head", "governor")},
        **{f"transfer_by_term_area_{w}": frames_equal for w in ("head", "governor")},
        **{f"transfer_headline_school_{k}": headline for k in ("head", "head_area", "governor")},
        **{
            f"transfer_{c}_school_{w}": frames_equal
            for c in ("outcomes", "hours")
            for w in ("head", "governor")
        },
    }

    def both(out: Any, base: Any) -> bool:
        return all(frames_equal(o, b) for o, b in zip(out, base, strict=True))

    return {
        **scoped_checks,
        "ledger_governor": both,
        "transfer_headline_governor": headline,
        "transfer_by_school_governor": frames_equal,
        "flow_matrix_governor": frames_equal,
        "balance_governor": frames_equal,
    }
