"""The benchmark harness: `python -m benchmarks [--scale national|alliance|smoke] [--smoke]
[--only OP[,OP…]] [--repeat N] [--seed N] [--browser] [--out PATH]`.

Generates (or reuses) the seeded data set, loads it through the real importer, measures every
core operation against its pandas baseline and DuckDB's raw scan, measures peak memory per
operation in child processes, and writes RESULTS.md (plus RESULTS.json beside it).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import ops_pages
from benchmarks.context import OPS, Context
from benchmarks.generate import DEFAULT_SEED, WORK_DIR, ensure_dataset
from benchmarks.measure import Row
from benchmarks.report import table_counts, write_results

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "RESULTS.md"


def parse(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=["national", "alliance", "smoke"], default="national")
    ap.add_argument("--smoke", action="store_true", help="same as --scale smoke (seconds)")
    ap.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(OPS)}")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per operation")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--browser", action="store_true", help="also time pages in Chromium")
    ap.add_argument("--out", type=Path, default=None, help=f"results file ({DEFAULT_OUT})")
    ap.add_argument("--work", type=Path, default=WORK_DIR, help="cache for data and stores")
    ap.add_argument(
        "--note",
        action="append",
        default=[],
        help="a note for RESULTS.md (e.g. other work sharing the machine); may repeat",
    )
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="first wait up to this long for the machine's load to fall below its core count",
    )
    args = ap.parse_args(argv)
    if args.smoke:
        args.scale = "smoke"
    only = {o.strip() for o in args.only.split(",") if o.strip()}
    unknown = only - set(OPS)
    if unknown:
        ap.error(f"unknown operation(s) {', '.join(sorted(unknown))}; choose from {', '.join(OPS)}")
    args.only_set = only or None
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "child":
        return child_main(argv[1:])
    args = parse(argv)
    out = args.out or DEFAULT_OUT
    data_dir, manifest = ensure_dataset(args.scale, args.seed, args.work)
    ctx = Context(
        scale=args.scale,
        seed=args.seed,
        out=out,
        work=args.work,
        data_dir=data_dir,
        manifest=manifest,
        repeat=args.repeat,
        only=args.only_set,
        browser=args.browser or (args.only_set is not None and "browser" in args.only_set),
        command="python -m benchmarks " + " ".join(shlex.quote(a) for a in argv),
    )
    ctx.log(
        f"data set {data_dir.name} ({'cached' if manifest.get('cached') else 'generated'} "
        f"in {manifest.get('generate_s')} s): {manifest.get('counts')}"
    )
    if args.wait_quiet:
        waited = wait_quiet(args.wait_quiet, ctx)
        ctx.notes.append(f"Waited {waited:.0f} s for the machine to be quiet before starting.")
    ctx.notes.extend(args.note)
    ctx.info["load_start"] = [round(x, 2) for x in os.getloadavg()]
    run_all(ctx)
    ctx.info["load_end"] = [round(x, 2) for x in os.getloadavg()]
    write_results(ctx)
    ctx.log(f"wrote {out}")
    return 0


def wait_quiet(limit_s: float, ctx: Context) -> float:
    """Wait (up to `limit_s`) until the 1-minute load average is below the core count."""
    t = time.perf_counter()
    cores = os.cpu_count() or 1
    while time.perf_counter() - t < limit_s and os.getloadavg()[0] >= cores:
        ctx.log(f"waiting for a quiet machine: load {os.getloadavg()[0]:.1f} on {cores} cores")
        time.sleep(15)  # polling the load average, a condition
    return time.perf_counter() - t


def run_all(ctx: Context) -> None:
    from benchmarks import (
        ops_after_write,
        ops_browser,
        ops_dashboard,
        ops_find,
        ops_fuzzy,
        ops_import,
        ops_matching,
        ops_memory,
    )
    from benchmarks.baselines import find as baselines
    from benchmarks.measure import drop_copy, working_copy
    from brokering.db import connect

    # Every operation reads the built store except these (they make their own or none).
    needs_store = any(ctx.wants(o) for o in OPS if o not in ("import", "fuzzy", "browser", "pages"))
    if ctx.wants("import"):
        _guard(ctx, "import", lambda: ops_import.run(ctx))
    if needs_store or ctx.wants("import"):
        if ctx.db is None:
            ops_import.ensure_store(ctx)
        ctx.counts = table_counts(ctx.db)
    if ctx.wants("allocation"):
        _guard(ctx, "allocation (alliance store)", lambda: ops_import.ensure_alliance_store(ctx))
    if needs_store:
        # A writable copy (the product audits its reads); each operation's own process
        # (ops_memory.probe) works on a copy of its own.
        work_db = working_copy(ctx.db, "harness")
        ctx.con = connect(work_db)
        if any(ctx.wants(o) for o in ("find", "all_skills", "depth", "after_write")):
            t = time.perf_counter()
            ctx.frames = baselines.load_frames(ctx.con)
            ctx.info["frames"] = {
                "load_s": round(time.perf_counter() - t, 2),
                "memory_mb": round(ctx.frames.memory_mb(), 1),
            }
        for op, fn in (
            ("find", ops_find.run_find),
            ("all_skills", ops_find.run_all_skills),
            ("depth", ops_find.run_depth),
            ("candidates", ops_matching.run_candidates),
            ("allocation", ops_matching.run_allocation),
        ):
            if ctx.wants(op):
                _guard(ctx, op, lambda fn=fn: fn(ctx))
        if ctx.wants("dashboard"):
            _guard(ctx, "dashboard", lambda: ops_dashboard.run(ctx))
        if ctx.wants("after_write") and ctx.frames is not None and "need" in ctx.info:
            # Last: it writes to the working copy (the rows above measure the store as built).
            _guard(ctx, "after_write", lambda: ops_after_write.run(ctx))
        if ctx.wants("small_import"):  # writes too: after the reads
            from benchmarks import ops_small_import

            _guard(ctx, "small_import", lambda: ops_small_import.run(ctx))
        ctx.con.close()
        ctx.con = None
        ctx.frames = None
        drop_copy(work_db)
    if ctx.wants("fuzzy"):
        _guard(ctx, "fuzzy", lambda: ops_fuzzy.run(ctx))
    if ctx.wants("memory") and ctx.db is not None:
        _guard(ctx, "memory", lambda: ops_memory.run(ctx))
    if ctx.browser:
        _guard(ctx, "browser", lambda: ops_browser.run(ctx))
    if ctx.browser or (ctx.only is not None and "pages" in ctx.only):
        _guard(ctx, "every page", lambda: ops_pages.run(ctx))


def _guard(ctx: Context, what: str, fn) -> None:
    """An operation that fails is reported as failed; the run goes on."""
    try:
        fn()
    except Exception as exc:
        import traceback

        traceback.print_exc()
        ctx.add(Row(what, what, status=f"failed: {type(exc).__name__}: {str(exc)[:300]}"))


# --------------------------------------------------------------------------------------------
# Child processes
# --------------------------------------------------------------------------------------------
def child_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks child")
    ap.add_argument("kind", choices=["import", "optimise", "mem"])
    ap.add_argument("--db", required=True)
    ap.add_argument("--files", default="")
    ap.add_argument("--op", default="idle")
    ap.add_argument("--pseudonymise", action="store_true", help="import with the alliance key")
    ap.add_argument("--scale", default="smoke")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--skill", default="")
    ap.add_argument("--name", default="")
    ap.add_argument("--need", default="")
    args = ap.parse_args(argv)
    result: dict[str, Any]
    try:
        if args.kind == "import":
            from benchmarks.ops_import import child_import

            files = [f for f in args.files.split(",") if f]
            key = None
            if args.pseudonymise:  # the alliance key, from this process's environment
                from brokering.pseudonymise import alliance_key

                key = alliance_key()
            result = child_import(args.db, files, relay=args.op == "relay", key=key)
        elif args.kind == "optimise":
            from benchmarks.ops_import import child_optimise

            result = child_optimise(args.db)
        else:
            from benchmarks.ops_memory import child

            result = child(args)
    except Exception as exc:
        result = {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:500]}"}
    print(json.dumps(result))
    return 0
