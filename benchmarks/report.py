"""RESULTS.md and RESULTS.json from one run: the machine, the data set's counts, every row
beside its baseline and floor with its verdict, the pages and the peak memory. Apart from
`run` (which orchestrates) so how a figure is judged and written reads in one place."""

from __future__ import annotations

import json
import time
from pathlib import Path

from benchmarks import ops_pages
from benchmarks.context import Context
from benchmarks.measure import MemoryRow, Row, fmt_seconds, machine, to_jsonable


def table_counts(db: Path | None) -> dict[str, int]:
    """Each table's rows in the loaded store (what the run measured over)."""
    import duckdb

    if db is None:
        return {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        counts = {}
        for t in (
            "schools",
            "staff",
            "evidence",
            "coaching",
            "needs",
            "pairings",
            "pairing_entries",
        ):
            if t in names:
                counts[t] = int(con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0])  # noqa: S608
        if "needs" in names:
            counts["open needs"] = int(
                con.execute("SELECT count(*) FROM needs WHERE status = 'open'").fetchall()[0][0]
            )
        return counts
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# RESULTS.md
# --------------------------------------------------------------------------------------------
def _met(row: Row | MemoryRow, met: bool | None) -> str:
    if met is None:
        return "—"
    return "**met**" if met else "**not met**"


def _cell(text: str) -> str:
    """One table cell: a single line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


#: Rows whose targets are about the demo alliance, judged at every scale; the rest are
#: national-scale targets, judged only in a national run.
ALLIANCE_TARGETS = ("allocation_alliance", "search", "page:")


def _judged(ctx: Context, r: Row) -> bool | None:
    if ctx.scale == "national" or r.op.startswith(ALLIANCE_TARGETS):
        return r.met
    return None


#: Rows that belong in the browser table.
BROWSER_OPS = ("page:", "search", "journey:", "browser")

#: What the product keeps ready, so the figures can be read knowing what is precomputed.
PRECOMPUTES = (
    "**Evidence in skill order, coaching in coach order** (`brokering.find.maintenance."
    "optimise`): a skill's rows sit in a few row groups, so a find reads those and skips the "
    "rest.",
    "**Per-skill score parts** (`derived.find_parts`): for each skill, person and phase the "
    "weighted sums the score needs, with recency measured to a fixed epoch a year past the "
    "newest record (a find on or after the newest record only rescales them), and each "
    "skill's strengths at a few ranks (`derived.find_parts_ranks`) to skip rows that cannot "
    "reach the top. Built by the re-lay after a large import; kept current, today's records "
    "included, after a small import, an accepted request, a pairing entry or a consent "
    "change for exactly the people written (`people_parts`).",
    "**Each skill's leading rows held in memory** for the current build of the parts "
    "(`brokering.find.leaders`): a repeat find of a skill ranks them without a query.",
    "**The dashboard's derived facts** (`brokering.dashboard.facts`), the maturity "
    "indicators' staff summary and **the reciprocity ledger's facts** "
    "(`brokering.pairings.ledger_facts`: per pairing, then totals by school and by two "
    "schools): laid out once, rebuilt in full by the re-lay after an import, and kept current "
    "by every write in the app (pairing, log entry, accepted request, consent) for exactly "
    "the pairing, coach or person written, in the write's own transaction "
    "(`brokering.derived.Upkeep`); a read rebuilds only what some other change left stale.",
    "**Page caches** keyed on the store's change signature (`brokering.changes."
    "store_version`), so no cached read outlives a write.",
    "**Reads remembered under the store's change mark** (`brokering.changes.remembered`; "
    "one row moved by every write's commit): the held find's staff lookup (with the viewer's "
    "visibility) and a candidates list's reads (pool, people, flags, judged pairings). A "
    "repeat before any write reads the mark, ranks from memory and writes its audit entry; "
    "the first find or list after a write reads the store afresh (its own figure, 'nothing "
    "remembered').",
    "The fair numpy baseline is given the same per-skill parts (built once, outside the "
    "timing, like the product's re-lay); the SQL floor over parts reads the product's table.",
)


def _p95(sorted_samples: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    import math

    k = max(1, math.ceil(0.95 * len(sorted_samples)))
    return sorted_samples[k - 1]


def _answers(r: Row) -> str:
    if not r.answers:
        return "—"
    bad = [k for k, v in r.answers.items() if not v]
    if bad:
        return "**differ:** " + _cell(", ".join(bad))
    return f"same ({len(r.answers)})"


def _ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def write_results(ctx: Context) -> None:
    m = machine()
    counts = getattr(ctx, "counts", {}) or {}
    lines: list[str] = []
    add = lines.append
    add("# Benchmark results")
    add("")
    add("Regenerated by the harness; do not edit by hand. Produced by:")
    add("")
    add("```")
    add(ctx.command)
    add("```")
    add("")
    add(f"- **Date:** {m['date']}")
    add(f"- **Machine:** {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}")
    add("- **Versions:** " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()))
    add(
        f"- **Data set:** scale `{ctx.scale}`, seed {ctx.seed}, as of {ctx.as_of} "
        f"(`{ctx.data_dir.name}`, generated in {ctx.manifest.get('generate_s')} s"
        + (", reused from the cache" if ctx.manifest.get("cached") else "")
        + ")"
    )
    if counts:
        add("- **Rows in the store:** " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    gen = ctx.manifest.get("counts", {})
    if gen.get("pairings_error"):
        add(f"- **Pairings:** not generated ({gen['pairings_error']})")
    if "db_size_mb" in ctx.info:
        add(f"- **Store on disk:** {ctx.info['db_size_mb']:,} MB")
    if "frames" in ctx.info:
        f = ctx.info["frames"]
        add(
            f"- **pandas frames for the baselines:** loaded in {f['load_s']} s, "
            f"{f['memory_mb']:,} MB in memory"
        )
    add(
        "- **Viewer:** the alliance administrator (sees every current member of staff); "
        "repetitions: medians of the timed runs after a warm-up (`n` in the details)."
    )
    add(f"- **Total harness time:** {fmt_seconds(time.perf_counter() - ctx.started)}")
    if "load_start" in ctx.info:
        busy = max(ctx.info["load_start"][0], ctx.info.get("load_end", [0])[0]) > (m["cores"] or 1)
        add(
            f"- **Load average (1, 5, 15 min):** {ctx.info['load_start']} at the start, "
            f"{ctx.info.get('load_end')} at the end"
            + (
                " — other processes were using this machine during the run, so the figures "
                "are pessimistic."
                if busy
                else "."
            )
        )
    add("")
    add("## What the product precomputes")
    add("")
    for line in PRECOMPUTES:
        add(f"- {line}")
    add("")
    add("## Operations")
    add("")
    add(
        "| operation | product | baseline | answering floor | product ÷ baseline | "
        "product ÷ floor | answers compared in the run | target | met? |"
    )
    add("|---|---|---|---|---|---|---|---|---|")
    browser_rows = [r for r in ctx.rows if r.op.startswith(BROWSER_OPS)]
    page_rows = [r for r in ctx.rows if r.op.startswith(ops_pages.OP)]
    for r in ctx.rows:
        if r in browser_rows or r in page_rows:
            continue
        base = r.baseline.text() if r.baseline else "—"
        if r.floor is None:
            floor, floor_ratio = "—", "—"
        elif r.floor_answers:
            floor, floor_ratio = r.floor.text(), _ratio(r.ratio(r.floor))
        else:
            floor = f"none that answers (reads only: {r.floor.text()})"
            floor_ratio = f"({_ratio(r.ratio(r.floor))} of the read)"
        answers = _answers(r)
        if r.status != "ok" and r.product is None:
            add(
                f"| {_cell(r.title)} | {_cell(r.status)} | {base} | {_cell(floor)} | — | — | "
                f"{answers} | {_cell(r.target or '—')} | — |"
            )
            continue
        judged = _judged(ctx, r)
        met = _met(r, judged) if judged is not None or r.met is None else "(national target)"
        add(
            f"| {_cell(r.title)} | {r.product.text() if r.product else '—'} | {base} | "
            f"{_cell(floor)} | {_ratio(r.ratio(r.baseline))} | {floor_ratio} | {answers} | "
            f"{_cell(r.target or '—')} | {met} |"
        )
    add("")
    add(
        "Ratios are of median times (below 1× the product is faster). For rates, the figure in "
        "brackets is items per second at the median. The baseline of a find is the better "
        "numpy variant given the same precomputed per-skill parts; the other variants (skill "
        "rows by offsets on the sorted frame, and the whole-column mask) are in the details. "
        "An answering floor is the cheapest single DuckDB statement that returned the "
        "product's answer in this run (checked equal); where none is given, the reason is "
        "below and the figure beside it only reads the rows."
    )
    add("")
    reasons = [(r.title, r.no_floor_reason) for r in ctx.rows if r.no_floor_reason]
    if reasons:
        add("### Operations without an answering floor, and why")
        add("")
        for title, why in reasons:
            add(f"- {title}: {why}.")
        add("")
    if browser_rows:
        add("## In the browser")
        add("")
        add("| data set | journey | p50 | p95 | n | min | max | target (p95) | met? |")
        add("|---|---|---|---|---|---|---|---|---|")
        for r in browser_rows:
            data = r.quality.get("data_set", "the demo alliance")
            if r.product is None:
                add(f"| {_cell(data)} | {_cell(r.title.removeprefix('Browser: '))} | "
                    f"{_cell(r.status)} | — | — | — | — | "
                    f"{_cell(r.target or '—')} | — |")  # fmt: skip
                continue
            f = r.product
            q = sorted(f.samples)
            add(
                f"| {_cell(data)} | {_cell(r.title.removeprefix('Browser: '))} | "
                f"{fmt_seconds(f.median)} | "
                f"{fmt_seconds(_p95(q))} | {len(q)} | {fmt_seconds(q[0])} | "
                f"{fmt_seconds(q[-1])} | {_cell(r.target or '—')} | {_met(r, r.met)} |"
            )
        add("")
        add(
            "Each journey is timed from the action (a click, or Enter) to the last change to "
            "the page once the script has finished. p95 is the nearest-rank 95th percentile "
            "of the timed runs."
        )
        add("")
    lines.extend(ops_pages.section(page_rows))
    add("## Peak memory (each product operation in its own process) and size on disk")
    add("")
    add("| operation | peak RSS | time in the child | target | met? |")
    add("|---|---|---|---|---|")
    for mrow in ctx.memory:
        if mrow.maxrss_mb is None:
            add(f"| {_cell(mrow.op)} | {_cell(mrow.status)} | — | ≤ 2,048 MB | — |")
            continue
        met = mrow.maxrss_mb <= 2048 if ctx.scale == "national" else None
        add(
            f"| {mrow.op} | {mrow.maxrss_mb:,.0f} MB | "
            f"{fmt_seconds(mrow.seconds) if mrow.seconds is not None else '—'} | ≤ 2,048 MB "
            f"(national) | {_met(mrow, met)} |"
        )
    if "db_size_mb" in ctx.info:
        add(f"| store file on disk | {ctx.info['db_size_mb']:,} MB | — | — | — |")
    add("")
    add(
        "Peak RSS is the high-water mark (`VmHWM`) of a fresh Python process that opens the "
        "store read-only and runs that one operation once (each import: its own process too); "
        "it includes the interpreter, the imports and DuckDB (the `open the store only` row is "
        "that floor). `getrusage(RUSAGE_SELF).ru_maxrss` is not used: Linux carries the "
        "parent's high-water mark into a child across fork + exec, so it would report the "
        "harness's own size. A child is stopped past 6,000 MB or 300 s and reported as failed."
    )
    add("")
    add("## Details")
    add("")
    for r in ctx.rows:
        if r in page_rows:  # their table says it all
            continue
        figs = [("product", r.product), ("baseline", r.baseline), ("floor", r.floor)]
        figs += [("also", f) for f in r.extra]
        shown = [(k, f) for k, f in figs if f is not None]
        if not shown and not r.notes:
            continue
        add(f"### {r.title}")
        add("")
        for k, f in shown:
            add(f"- {k}: {f.label} — {f.text()} ({f.spread()})")
        for note in r.notes:
            add(f"- {note}")
        add("")
    if ctx.info.get("imports"):
        add("### Other imports (each in its own process, one run)")
        add("")
        for label, res in ctx.info["imports"].items():
            if res.get("ok"):
                rate = res["rows"] / res["seconds"] if res["seconds"] else 0
                add(
                    f"- {label}: {res['rows']:,} rows in {res['seconds']:.2f} s "
                    f"({rate:,.0f} rows/s), peak {res['maxrss_mb']:,.0f} MB"
                )
            else:
                err = res.get("error") or "; ".join(res.get("problems") or [])
                add(f"- {label}: **failed** — {err[:300]}")
        add("")
    if ctx.notes:
        add("## Notes")
        add("")
        for n in ctx.notes:
            add(f"- {n}")
        add("")
    add("## Generated data")
    add("")
    add("```json")
    add(json.dumps({k: v for k, v in ctx.manifest.items() if k != "cached"}, indent=2))
    add("```")
    add("")
    ctx.out.parent.mkdir(parents=True, exist_ok=True)
    ctx.out.write_text("\n".join(lines), encoding="utf-8")
    payload = {
        "command": ctx.command,
        "machine": m,
        "scale": ctx.scale,
        "seed": ctx.seed,
        "counts": counts,
        "rows": to_jsonable(ctx.rows),
        "memory": to_jsonable(ctx.memory),
        "info": to_jsonable(ctx.info),
        "notes": ctx.notes,
    }
    ctx.out.with_suffix(".json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
