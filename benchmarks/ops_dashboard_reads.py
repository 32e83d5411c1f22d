"""The dashboard harness rows for reads beside the Transfer page's figures: one school's
ratings before and after (its School filter; the head of the largest school and the
governor), a governor's pairings counted by status (the pairings page), the hours chart for
the whole alliance and for one skill area (the same head and the governor), and the
reciprocity ledger for the SLE coordinator and the head — their product calls, numpy and
pandas mirrors (`baselines.dashboard_reads`, `baselines.dashboard_charts.hours_alliance`,
`baselines.dashboard_ledger.school_views_lists`), "same answer" checks and answering
floors. Kept apart from `ops_dashboard` so each module stays one a reader can hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from benchmarks.baselines import dashboard_area_flows as daf
from benchmarks.baselines import dashboard_charts as dc
from benchmarks.baselines import dashboard_ledger as dl
from benchmarks.baselines import dashboard_reads as dr
from benchmarks.measure import Figure, timeit
from benchmarks.ops_dashboard_hidden import frames_equal
from benchmarks.ops_dashboard_scoped import head_and_area, scope
from brokering.viewer import Viewer

#: Per row: what the mirror shares with the product, and what it does itself.
SHARES = {
    **{
        f"ratings_school_{who}": (
            "Mirror: the school's rated pairings' averages and counts by area, the distinct "
            "people the viewer cannot see (given, as a page is) behind each, each area's parts "
            "by set of schools and its work elsewhere, and the outcomes' work elsewhere where "
            "the count is theirs, in numpy over the facts in memory; suppression by the "
            "product's own hiding.primary and chart_hiding.hidden_beside, called; restated "
            "(the product has them only in SQL): ratings._school_sql's tie to outcomes and "
            "across_schools' counting, and how ratings_beside joins them."
        )
        for who in ("head", "governor")
    },
    "status_counts_governor": (
        "Mirror: the current pairings' members by status (read as codes outside the timing, "
        "from the views the product reads), pairings and distinct people per status in numpy; "
        "the outcomes' totals the headline hides in one term alone from every headline term's "
        "figures counted in numpy (baselines.dashboard.period_figures) and suppressed by the "
        "product's own hiding.guard_areas, hiding.guard_terms and chart_hiding.unshown_of, "
        'called; visibility.may_show called; "never exactly one hidden" restated (inline '
        "in status_counts)."
    ),
}
for _who in ("coordinator", "head"):
    SHARES[f"ledger_{_who}"] = (
        "Mirror: given the ledger's derived tables (as the product is: totals by school and "
        "by two schools, each counted pairing's participants and each two schools' people), "
        "held in memory as codes, and the people the viewer cannot see (given, as a page is, "
        "by the product's own visible_staff_sql) and the schools they see whole (placing."
        "ALL_SHARE_SQL): each school's and two schools' unseen people, the directions resting "
        "on someone unseen and the listed pairings' unnamed sides (restated: the product has "
        "that read only in SQL) in numpy and pandas; suppression by the product's own "
        "ledger_suppression.shown (ledger_cover.plan and apply inside), called."
    )
for _key, _who in ((k, w) for k in ("", "_area") for w in ("head", "governor")):
    SHARES[f"transfer_hours{_key}_{_who}"] = (
        "Mirror: the hours band x area table with its margins (pairings, distinct people, "
        "those the viewer cannot see — given, as a page is) in numpy, and the alliance's "
        "headline figures by area term by term (as dashboard_school.area_view counts and "
        "suppresses them); suppression by the product's own school_tables.table_hidden "
        "(hiding.grid_hidden inside), school_tables.cut, hours_cover.unshown_by_area"
        + (" and chart_hiding.unshown_of" if not _key else "")
        + ", called."
    )

#: One statement per row that gives the product's answer when nothing is hidden.
RATINGS_FLOOR = """
    SELECT area, count(*) AS pairings, avg(rating_before) AS before, avg(rating_after) AS after
    FROM {pairings} WHERE rating_before IS NOT NULL AND rating_after IS NOT NULL
      AND pairing_id IN (SELECT pairing_id FROM {people} WHERE school_id = ?)
    GROUP BY area ORDER BY area
"""
STATUS_FLOOR = """
    WITH cur AS (SELECT pairing_id, max(version) AS version, arg_max(status, version) AS status
                 FROM pairing_versions GROUP BY pairing_id)
    SELECT status, count(DISTINCT pairing_id) AS pairings
    FROM cur JOIN pairing_participants USING (pairing_id, version) GROUP BY status
"""


def specs(con: Any, as_of: date, governor: Viewer) -> list[tuple[tuple, Viewer]]:
    """((key, title, module, attr, pool), viewer) for the ratings and status-count rows."""
    head, area = head_and_area(con)
    ratings = [
        (
            (
                f"ratings_school_{who_key}",
                "Ratings before and after by skill area for one school (the largest; the "
                "page's School filter), suppressed with the alliance's and the other schools' "
                f"views and its outcomes' figures, first read ({who_label})",
                "brokering.dashboard.transfer",
                "ratings_before_after",
                dict(scope=scope(None, head.school_id)),
            ),
            who,
        )
        for who_key, who_label, who in (
            ("head", "head of school", head),
            ("governor", "governor", governor),
        )
        if head.school_id is not None
    ]
    counts = (
        (
            "status_counts_governor",
            "Pairings by status on the pairings page, hidden with the outcomes' totals the "
            "Transfer page's headline hides in one term alone, first read (governor)",
            "brokering.pairings.views",
            "status_counts",
            dict(as_of=as_of),
        ),
        governor,
    )
    hours = [
        (
            (
                f"transfer_hours{key}_{who_key}",
                f"Hours against outcome for {what}, suppressed with the headline's figures "
                f"by area and term, first read ({who_label})",
                "brokering.dashboard.transfer",
                "hours_against_outcome",
                dict(as_of=as_of, scope=scope(a)),
            ),
            who,
        )
        for key, what, a in (
            ("", "the alliance", None),
            ("_area", f"one skill area ({area})", area),
        )
        if a is not None or not key
        for who_key, who_label, who in (
            ("head", "head of school", head),
            ("governor", "governor", governor),
        )
    ]
    # The reciprocity ledger for those who list pairings (each unnamed side keeps a cover:
    # `pairings.ledger_cover`); the governor's row is `ops_dashboard`'s.
    ledgers = [
        (
            (
                f"ledger_{who_key}",
                "Reciprocity ledger by school and by relationship, secondary suppression "
                f"across both and a cover for each unnamed side ({who_label})",
                "brokering.pairings.ledger",
                "school_views",
                {},
            ),
            who,
        )
        for who_key, who_label, who in ledger_viewers(head)
    ]
    return [*ratings, counts, *hours, *ledgers]


def ledger_viewers(head: Viewer) -> list[tuple[str, str, Viewer]]:
    """(row key's tail, label, viewer) of the ledger rows for those who list pairings."""
    coordinator = Viewer("sle_coordinator", None, "benchmark-sle")
    return [("coordinator", "SLE coordinator", coordinator), ("head", "head of school", head)]


def baselines(
    con: Any, af: daf.AreaFrames, as_of: date, governor: Viewer
) -> dict[str, tuple[str, Callable[[], Any]]]:
    """{row key: (mirror's name, call)} with the rows' arguments; each viewer's unseen
    people, the ratings and the statuses read here, outside the timing."""
    head, _ = head_and_area(con)
    out: dict[str, tuple[str, Callable[[], Any]]] = {}
    if head.school_id is not None:
        rt = dr.load_ratings(con)
        for who_key, who in (("head", head), ("governor", governor)):
            unseen = daf.unseen_people(con, af.hf, who)
            out[f"ratings_school_{who_key}"] = (
                "baselines.dashboard_reads.ratings_school (numpy; the product's primary, "
                "hidden_beside)",
                lambda u=unseen, w=who: dr.ratings_school(af, rt, head.school_id, u, w),
            )
    _, area = head_and_area(con)
    for who_key, who in (("head", head), ("governor", governor)):
        unseen = daf.unseen_people(con, af.hf, who)
        for key, a in (("", None), ("_area", area)):
            if a is None and key:
                continue
            out[f"transfer_hours{key}_{who_key}"] = (
                "baselines.dashboard_charts.hours_alliance (numpy; the product's "
                "table_hidden, cut, unshown_by_area)",
                lambda a=a, u=unseen, w=who: dc.hours_alliance(af, u, w, as_of, a),
            )
    lf = dl.load_ledger_frames(con)
    for who_key, _, who in ledger_viewers(head):
        unseen, whole = dl.unseen_staff(con, lf, who), dl.whole_places(con, lf, who)
        out[f"ledger_{who_key}"] = (
            "baselines.dashboard_ledger.school_views_lists (pandas; the product's shown)",
            lambda w=who, u=unseen, h=whole: dl.school_views_lists(lf, w, u, h),
        )
    sf = dr.load_statuses(con)
    out["status_counts_governor"] = (
        "baselines.dashboard_reads.status_counts_governor (numpy; the product's guard_areas, "
        "guard_terms, unshown_of, may_show)",
        lambda: dr.status_counts_governor(sf, af, governor, as_of),
    )
    return out


def checks() -> dict[str, Callable[[Any, Any], bool]]:
    """{row key: (product's answer, mirror's answer) -> the same, figures and hidden flags}."""

    def both(out: Any, base: Any) -> bool:
        return all(frames_equal(o, b) for o, b in zip(out, base, strict=True))

    return {
        "ledger_coordinator": both,
        "ledger_head": both,
        "ratings_school_head": frames_equal,
        "ratings_school_governor": frames_equal,
        "status_counts_governor": frames_equal,
        **{
            f"transfer_hours{k}_{w}": frames_equal
            for k in ("", "_area")
            for w in ("head", "governor")
        },
    }


def floors(con: Any) -> dict[str, tuple[str, Callable[[], Any], Callable[[Any, Any], bool]]]:
    """{row key: (statement's name, call, (product's answer, its answer) -> the same)}: the
    cheapest statement giving the figures unsuppressed — an answering floor only where the
    product hides nothing in the run (checked there)."""
    from brokering.dashboard.facts import facts

    head, _ = head_and_area(con)
    out: dict[str, tuple[str, Callable[[], Any], Callable[[Any, Any], bool]]] = {}

    def ratings_same(product: Any, floor: Any) -> bool:
        if product["hidden"].any() or len(product) != 2 * len(floor):
            return False
        got = product.set_index(["area", "when"])
        for r in floor.itertuples(index=False):
            for when, value in (("before", r.before), ("after", r.after)):
                row = got.loc[(r.area, when)]
                if row["pairings"] != r.pairings or row["rating"] != round(float(value), 2):
                    return False
        return True

    if head.school_id is not None:
        f = facts(con)
        sql = RATINGS_FLOOR.format(pairings=f.pairings, people=f.people)
        for who_key in ("head", "governor"):
            out[f"ratings_school_{who_key}"] = (
                "one DuckDB statement over the facts: the school's rated pairings' averages "
                "by area, unsuppressed, fetched",
                lambda sql=sql: con.execute(sql, [head.school_id]).df(),
                ratings_same,
            )

    def counts_same(product: Any, floor: Any) -> bool:
        if product["pairings"].isna().any():
            return False
        got = dict(zip(floor["status"], floor["pairings"], strict=True))
        return all(int(got.get(s, 0)) == int(n) for s, n in product.itertuples(index=False))

    out["status_counts_governor"] = (
        "one DuckDB statement over the pairings' versions and participants: pairings by "
        "current status, unsuppressed, fetched",
        lambda: con.execute(STATUS_FLOOR).df(),
        counts_same,
    )
    return out


def answering_floor(row: Any, spec: tuple, out: Any, reps: int) -> None:
    """Time `spec`'s statement (`floors`) and make it the row's floor where it gave the
    product's answer `out` in this run; else say why there is none."""
    name, fn, same = spec
    s, got = timeit(fn, reps, warmup=1, budget_s=30.0)
    try:
        answers = out is not None and bool(same(out, got))
    except Exception:  # a comparison that cannot be made is a difference
        answers = False
    floor = Figure(name, s)
    if answers:
        row.floor, row.floor_answers, row.no_floor_reason = floor, True, ""
        row.answers["the answering floor"] = True
    else:
        row.notes.append(
            f"No answering floor in this run: the product hid figures (or answered "
            f"otherwise), so {name} ({floor.text()}) does not give its answer."
        )
