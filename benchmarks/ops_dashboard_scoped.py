"""The dashboard harness rows for one skill area and for one school (the Transfer page's
School filter): who looks (the head of the largest school, the governor) and at what. Kept
apart from `ops_dashboard` so each module stays one a reader can hold."""

from __future__ import annotations

from datetime import date
from typing import Any

from brokering.viewer import Viewer


def scoped_specs(con: Any, term: Any, as_of: date, governor: Viewer) -> list[tuple[tuple, Viewer]]:
    """((key, title, module, attr, pool), viewer) for the area and School-filter rows."""
    head, area = head_and_area(con)
    # One skill area's headline and trend, suppressed with every other area's, the whole's
    # and the areas' flow matrices: for a head of school (the largest) and the governor.
    by_area = [
        (
            (
                f"transfer_headline_area_{who_key}",
                f"Transfer headline figures for one skill area ({area}), suppressed with the "
                f"other areas, the whole and the areas' flow matrices ({who_label})",
                "brokering.dashboard.transfer",
                "headline",
                dict(term=term, as_of=as_of, scope=scope(area)),
            ),
            who,
        )
        for who_key, who_label, who in (
            ("head", "head of school", head),
            ("governor", "governor", governor),
        )
    ] + [
        (
            (
                f"transfer_by_term_area_{who_key}",
                f"Transfer rate by term for one skill area ({area}), suppressed with the other "
                f"areas, the whole and the areas' flow matrices ({who_label})",
                "brokering.dashboard.transfer",
                "trend_by_term",
                dict(as_of=as_of, scope=scope(area)),
            ),
            who,
        )
        for who_key, who_label, who in (
            ("head", "head of school", head),
            ("governor", "governor", governor),
        )
    ]
    # The page's School filter: the head's own school (all areas, then one area) and the
    # same school for the governor, suppressed with the alliance's view and the flows. Its
    # decisions are remembered under the store's change mark, so each is timed as a first
    # read (nothing remembered), the figure a page run after any write pays.
    by_school = [
        (
            (
                f"transfer_headline_school_{key}",
                f"Transfer headline figures for one school ({what}; the page's School "
                f"filter), suppressed with the alliance's view and the flows, first read "
                f"({who_label})",
                "brokering.dashboard.transfer",
                "headline",
                dict(term=term, as_of=as_of, scope=scope(a, head.school_id)),
            ),
            who,
        )
        for key, what, a, who_label, who in (
            ("head", "the head's own, all areas", None, "head of school", head),
            ("head_area", f"the head's own, {area}", area, "head of school", head),
            ("governor", "the largest, all areas", None, "governor", governor),
        )
        if head.school_id is not None and (a is not None or key != "head_area")
    ]
    # The charts under the School filter, suppressed beside the alliance's and every other
    # school's view of the same chart (`chart_hiding`), as the page asks for them.
    window = dict(start=term.start, end=term.end) if term is not None else {}
    charts = [
        (
            (
                f"transfer_{key}_school_{who_key}",
                f"{title} for one school (the largest; the page's School filter), "
                f"suppressed with the alliance's and the other schools' views, first read "
                f"({who_label})",
                "brokering.dashboard.transfer",
                attr,
                dict(pool, scope=scope(None, head.school_id)),
            ),
            who,
        )
        for key, title, attr, pool in (
            ("outcomes", "Transfer outcomes by receiving school", "outcomes_by",
             dict(by="school", **window)),
            ("hours", "Hours against outcome", "hours_against_outcome", dict(as_of=as_of)),
        )
        for who_key, who_label, who in (
            ("head", "head of school", head),
            ("governor", "governor", governor),
        )
        if head.school_id is not None
    ]  # fmt: skip
    # The flows for the roles that list pairings (a head, the SLE coordinator): suppressed
    # with the ledger's covers of each listed pairing's unnamed side (`flow_covers`) — no
    # pandas mirror of the covers yet. Their covers are remembered under the store's change
    # mark, so each is timed as a first read.
    coordinator = Viewer("sle_coordinator", None, "benchmark-coordinator")
    listing = [
        (
            (
                f"{key}_{who_key}",
                f"{title}, suppressed with the ledger's covers of each listed pairing's "
                f"unnamed side, first read ({who_label})",
                "brokering.dashboard.flows",
                key,
                dict(start=term.start, end=term.end),
            ),
            who,
        )
        for key, title in (
            ("flow_matrix", "Flow matrix, this term"),
            ("balance", "Given and received by school, this term"),
        )
        for who_key, who_label, who in (
            ("head", "head of school", head),
            ("coordinator", "SLE coordinator", coordinator),
        )
        if term is not None
    ]
    return [*(by_area if area is not None else []), *by_school, *charts, *listing]


def first_read(first: bool) -> None:
    """Drop remembered answers before a call timed as a first read (None: the call runs)."""
    if first:
        from brokering.changes import forget

        forget()


def head_and_area(con) -> tuple[Viewer, str | None]:
    """The head of the school with the most staff, and the skill area with the fewest
    pairings (None when there are none or no area facts)."""
    try:
        school = con.execute(
            "SELECT school_id FROM staff GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        ).fetchall()
        from brokering.dashboard.facts import facts

        area = con.execute(
            f"SELECT area FROM {facts(con).pairings} WHERE area IS NOT NULL "  # noqa: S608
            "GROUP BY 1 ORDER BY count(*), 1 LIMIT 1"
        ).fetchall()
    except Exception:  # an older store: no such rows to measure
        return Viewer("headteacher", None, "benchmark-head"), None
    head = Viewer("headteacher", school[0][0] if school else None, "benchmark-head")
    return head, (area[0][0] if area else None)


def scope(area: str | None, school_id: str | None = None):  # noqa: ANN202 - a Scope
    from brokering.dashboard.facts import Scope

    return Scope(school_id, area)
