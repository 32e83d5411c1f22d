"""Dashboard aggregates at this scale: transfer headline figures, transfer rate by school and
by term, the school-to-school flow matrix, and the maturity indicators — whichever of
`brokering.dashboard`'s functions exist at run time."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd

from benchmarks import ops_dashboard_reads
from benchmarks.context import Context
from benchmarks.measure import Figure, Row, call, describe, optional, timeit
from benchmarks.ops_dashboard_hidden import SHARES as HIDDEN_SHARES
from benchmarks.ops_dashboard_scoped import first_read, scoped_specs
from benchmarks.ops_memory import failure, probe
from brokering.viewer import Viewer

TARGET_S = 0.300
#: Rows timed for one role's view (not probed in a process of their own first).
SCOPED_ENDS = ("_governor", "_head", "_coordinator")
SHARES = {**HIDDEN_SHARES, **ops_dashboard_reads.SHARES}
FLOOR_SQL = (
    "SELECT status, count(*), min(start_date), max(review_date) FROM pairings GROUP BY status"
)


def _term(as_of: date):
    fn = optional("brokering.terms", "term_of")
    return fn(as_of) if fn else None


def operations(ctx: Context, con) -> list[tuple[str, str, str, Callable | None]]:
    """(key, title, looked-for name, call or None) for each dashboard aggregate."""
    viewer, as_of = ctx.viewer, ctx.as_of
    term = _term(as_of)
    start, end = (term.start, term.end) if term else (as_of - timedelta(days=120), as_of)
    specs = [
        (
            "transfer_headline",
            "Transfer headline figures (this term vs previous)",
            "brokering.dashboard.transfer",
            "headline",
            dict(term=term, as_of=as_of),
        ),
        (
            "transfer_by_school",
            "Transfer outcomes by school",
            "brokering.dashboard.transfer",
            "outcomes_by",
            dict(by="school"),
        ),
        (
            "transfer_by_term",
            "Transfer rate by term",
            "brokering.dashboard.transfer",
            "trend_by_term",
            dict(as_of=as_of),
        ),
        (
            "flow_matrix",
            "Flow matrix (school x school, this term)",
            "brokering.dashboard.flows",
            "flow_matrix",
            dict(start=start, end=end),
        ),
        (
            "maturity",
            "Maturity indicators (whole alliance)",
            "brokering.dashboard.maturity",
            "indicators",
            dict(school_id=None, as_of=as_of),
        ),
    ]
    # The same figures for a governor (aggregate only), where every hidden cell and every
    # figure it could be worked back from is suppressed: the administrator sees all.
    governor = Viewer("viewer", None, "benchmark-governor")
    suppressed = [
        (
            "transfer_headline_governor",
            "Transfer headline figures, hidden and derived figures suppressed (governor)",
            "brokering.dashboard.transfer",
            "headline",
            dict(term=term, as_of=as_of),
        ),
        (
            "transfer_by_school_governor",
            "Transfer outcomes by school, suppressed with the by-area and within-area views "
            "(governor)",
            "brokering.dashboard.transfer",
            "outcomes_by",
            dict(by="school"),
        ),
        (
            "flow_matrix_governor",
            "Flow matrix, this term, small cells suppressed (governor)",
            "brokering.dashboard.flows",
            "flow_matrix",
            dict(start=start, end=end),
        ),
        (
            "balance_governor",
            "Given and received by school, this term, totals with a hidden cell hidden (governor)",
            "brokering.dashboard.flows",
            "balance",
            dict(start=start, end=end),
        ),
        (
            "ledger_governor",
            "Reciprocity ledger by school and by relationship, secondary suppression across "
            "both (governor)",
            "brokering.pairings.ledger",
            "school_views",
            {},
        ),
    ]
    scoped = scoped_specs(con, term, as_of, governor)
    reads = ops_dashboard_reads.specs(con, as_of, governor)
    out = []
    for (key, title, module, attr, pool), who in [
        *((spec, viewer) for spec in specs),
        *((spec, governor) for spec in suppressed),
        *scoped,
        *reads,
    ]:
        fn = optional(module, attr)
        if fn is None:
            out.append((key, title, f"{module}.{attr}", None))
            continue
        # Every figure is timed as a first read (nothing remembered under the change
        # mark): the flows' relationships and a school's decisions are remembered, and a
        # page run after any write pays for them, so a repeat that reused them would flatter.
        out.append(
            (
                key,
                title,
                describe(fn),
                lambda fn=fn, pool=pool, who=who: first_read(True) or call(fn, con, who, **pool),
            )
        )
    return out


def _baselines(ctx: Context, con) -> tuple[dict[str, tuple[str, Callable]], str]:
    """Plain-pandas mirrors (name, call) of the headline figures, the trend (each term's
    figures), outcomes by school and the flow matrix, over the facts held in memory; and a
    note on loading them. The mirrors compute the administrator's figures (the benchmark's
    viewer), with the same arguments as the product calls in `operations`."""
    import time

    from benchmarks import ops_dashboard_hidden
    from benchmarks.baselines import dashboard as bd
    from benchmarks.baselines import dashboard_area_flows as daf
    from brokering.terms import previous_term, terms_between

    term = _term(ctx.as_of)
    if term is None:
        return {}, ""
    t = time.perf_counter()
    areas = daf.load_area_frames(con)  # its frames serve every other mirror too
    hidden = areas.hf
    frames = hidden.base
    note = (
        f"Baselines: benchmarks.baselines.dashboard (and dashboard_hidden, for a governor's "
        f"rows) over the facts held in memory ({hidden.memory_mb():.1f} MB, loaded once in "
        f"{time.perf_counter() - t:.2f} s, outside the timing)."
    )
    before = previous_term(term)
    first = con.execute("SELECT min(start_date) FROM pairings").fetchall()[0][0] or ctx.as_of
    span = terms_between(max(first, date(ctx.as_of.year - 3, 1, 1)), ctx.as_of)[-6:]
    figures = "baselines_dashboard.period_figures (pandas)"
    governor = ops_dashboard_hidden.GOVERNOR
    return {
        **ops_dashboard_hidden.baselines(con, areas, term, term.start, term.end, ctx.as_of),
        **ops_dashboard_reads.baselines(con, areas, ctx.as_of, governor),
        "transfer_headline": (
            figures,
            lambda: bd.period_figures(
                frames, [(term.start, term.end), (before.start, before.end)], ctx.as_of
            ),
        ),
        "transfer_by_school": (
            "baselines_dashboard.outcomes_by_school (pandas)",
            lambda: bd.outcomes_by_school(frames),
        ),
        "transfer_by_term": (
            figures,
            lambda: bd.period_figures(frames, [(x.start, x.end) for x in span], ctx.as_of),
        ),
        # The product op's period: the current term (see `operations`).
        "flow_matrix": (
            "baselines_dashboard.flow_matrix (pandas)",
            lambda: bd.flow_matrix(frames, term.start, term.end),
        ),
    }, note


def _checks(ctx: Context, con) -> dict[str, Callable[[Any, Any], bool]]:
    """{key: (product's answer, baseline's answer) -> equal?}: the comparisons
    benchmarks/tests hold on small stores, made in the run on the measured store."""
    from brokering.dashboard import facts, transfer
    from brokering.terms import previous_term, terms_between

    term = _term(ctx.as_of)
    before = previous_term(term)
    first = con.execute("SELECT min(start_date) FROM pairings").fetchall()[0][0] or ctx.as_of
    span = terms_between(max(first, date(ctx.as_of.year - 3, 1, 1)), ctx.as_of)[-6:]

    def figures(periods: list) -> Callable[[Any, Any], bool]:
        return lambda _out, base: (
            transfer.period_figures(con, facts.facts(con), facts.ALLIANCE, periods, ctx.as_of)
            == base
        )

    def by_school(out: Any, base: Any) -> bool:
        out = out[out["pairings"] > 0]  # each school's outcomes with none are listed as 0
        shown = sorted(zip(out["outcome"], out["pairings"].astype(int), strict=True))
        return shown == sorted(zip(base["outcome"], base["pairings"], strict=True))

    def flow(out: Any, base: Any) -> bool:
        cols = list(base.columns)
        if out.empty or base.empty:
            return bool(out.empty and base.empty)
        mine = (
            out[cols]
            .reset_index(drop=True)
            .astype({c: "int64" for c in ("pairings", "coaching_records", "people")})
            .astype({"hours": float})
        )
        try:
            pd.testing.assert_frame_equal(base.reset_index(drop=True), mine)
        except AssertionError:
            return False
        return True

    from benchmarks import ops_dashboard_hidden

    return {
        **ops_dashboard_hidden.checks(),
        **ops_dashboard_reads.checks(),
        "transfer_headline": figures([(term.start, term.end), (before.start, before.end)]),
        "transfer_by_term": figures([(x.start, x.end) for x in span]),
        "transfer_by_school": by_school,
        "flow_matrix": flow,
    }


NO_DASH_FLOOR = (
    "the figures are per-term, per-school counts of distinct people under suppression; a "
    "single statement would restate the product's own SQL over its derived facts, so the "
    "floor shown is an aggregate that only reads the pairings"
)


def run(ctx: Context) -> None:
    con = ctx.con
    reps = ctx.reps("query")
    try:
        baselines, baseline_note = _baselines(ctx, con)
    except Exception as exc:  # reported, not fatal
        baselines, baseline_note = {}, f"Baselines failed: {type(exc).__name__}: {exc}"
    try:
        s_floor, _ = timeit(lambda: con.execute(FLOOR_SQL).fetchall(), reps)
        floor = Figure("DuckDB aggregate of the pairings view by status, fetched", s_floor)
    except Exception:  # no pairings view yet
        floor = None
    try:
        checks = _checks(ctx, con) if baselines else {}
    except Exception:  # no terms or pairings: nothing to compare
        checks = {}
    try:
        answering = ops_dashboard_reads.floors(con)
    except Exception:  # no facts or pairings: no statement to time
        answering = {}
    n_pairings = _count(con, "pairings")
    # BENCH_DASHBOARD_ROWS=key[,key…] times only the rows whose key starts with one of them
    # (the rebuild row too only when it is named): the whole group takes minutes.
    picked = tuple(k for k in os.environ.get("BENCH_DASHBOARD_ROWS", "").split(",") if k)
    if not picked or "dashboard_rebuild".startswith(picked):
        _time_rebuild(ctx, con, n_pairings)
    for key, title, name, fn in operations(ctx, con):
        if picked and not key.startswith(picked):
            continue
        out = None
        row = Row(
            key,
            f"{title} — {n_pairings:,} pairings" if n_pairings is not None else title,
            floor=floor,
            target=f"≤ {TARGET_S * 1000:.0f} ms",
            no_floor_reason=NO_DASH_FLOOR,
        )
        if fn is None:
            row.status = f"not yet available: {name} does not exist"
        elif not key.endswith(SCOPED_ENDS) and (bad := failure(probe(ctx, key))):
            row.status = bad
        else:
            try:
                s, out = timeit(fn, reps, warmup=1, budget_s=60.0)
            except Exception as exc:
                row.status = f"failed: {type(exc).__name__}: {str(exc)[:200]}"
            else:
                row.product = Figure(name, s)
                row.met = row.product.median <= TARGET_S
        if key in baselines:
            base_name, base_fn = baselines[key]
            s_base, base_out = timeit(base_fn, reps, warmup=1, budget_s=60.0)
            row.baseline = Figure(base_name, s_base)
            row.notes.append(baseline_note)
            if key in SHARES:
                row.notes.append(SHARES[key])
            if row.product is not None and key in checks:
                try:
                    same = bool(checks[key](out, base_out))
                except Exception as exc:  # a comparison that cannot be made is a difference
                    same = False
                    row.notes.append(f"Comparison failed: {type(exc).__name__}: {exc}")
                row.answers["pandas"] = same
                row.notes.append(
                    f"Same figures from product and baseline: {'yes' if same else 'NO'}."
                )
        else:
            row.notes.append("No pandas mirror of this aggregate yet (baseline: none).")
        if key in answering:
            ops_dashboard_reads.answering_floor(row, answering[key], out, reps)
        ctx.add(row)


def _time_rebuild(ctx: Context, con, n_pairings: int | None) -> None:
    """The price of keeping the aggregates fast: the first dashboard read after any change to
    pairings, coaching or staff rebuilds the derived facts."""
    build = optional("brokering.dashboard.facts", "build")
    if build is None:
        return
    row = Row(
        "dashboard_rebuild",
        "Rebuild the dashboard's derived facts in full (after an import; a write in the app "
        "keeps them current instead)"
        + (f" — {n_pairings:,} pairings" if n_pairings is not None else ""),
        target="no target set; reported",
    )
    try:
        s, _ = timeit(lambda: build(con), max(1, min(5, ctx.reps("query"))), warmup=0)
    except Exception as exc:
        row.status = f"failed: {type(exc).__name__}: {str(exc)[:200]}"
    else:
        row.product = Figure(describe(build), s)
        try:
            from brokering import derived
            from brokering.pairings.ledger_facts import LEDGER as ledger
        except ImportError:  # no ledger facts in this version
            ledger = None
        if ledger is not None:
            s_l, _ = timeit(
                lambda: derived.build(con, ledger), max(1, min(5, ctx.reps("query"))), warmup=0
            )
            row.extra.append(Figure("derived.build(LEDGER): the reciprocity ledger's facts", s_l))
        row.notes.append(
            "Every aggregate below reads these tables. A write in the app (pairing, log entry, "
            "accepted request, consent) works out only the rows it touched, in its own "
            "transaction; an import rebuilds them in its re-lay; any other change is caught by "
            "their signature and rebuilt on the next read."
        )
    ctx.add(row)


def _count(con, table: str) -> int | None:
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # noqa: S608
    except Exception:
        return None


def child(key: str, ctx: Context, con) -> str:
    for k, _title, name, fn in operations(ctx, con):
        if k == key:
            if fn is None:
                raise LookupError("not yet available")
            fn()
            return name
    raise LookupError(key)
