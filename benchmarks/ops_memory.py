"""Peak memory of each product operation, each in its own process (baselines excluded), and
the store's size on disk. The import figures come from the import runs (each already a child
process); here every query operation runs once in a fresh process that opens the store, does
that one thing, and reports its peak resident set size (`getrusage` maxrss)."""

from __future__ import annotations

import os
import time
from typing import Any

from benchmarks.context import Context
from benchmarks.measure import MemoryRow, maxrss_mb, run_child

TARGET_MB = 2048.0
#: A child is stopped past this (the machine has 24 GB and is shared) or this long.
RSS_LIMIT_MB = 6000.0
CHILD_TIMEOUT_S = 300.0
#: (op, what it runs) for the children; "idle" opens the store and does nothing else.
CHILD_OPS = (
    ("idle", "open the store only (reference: Python, imports, DuckDB)"),
    ("find", "find one skill, top 20"),
    ("all_skills", "every skill's top 10"),
    ("gap_map", "gap map"),
    ("depth", "depth by school, one skill"),
    ("candidates", "candidates for one need"),
    ("allocation_big", "allocation 5,000 × 10,000 (synthetic, no store)"),
    ("transfer_headline", "dashboard: transfer headline"),
    ("transfer_by_school", "dashboard: outcomes by school"),
    ("transfer_by_term", "dashboard: transfer rate by term"),
    ("flow_matrix", "dashboard: flow matrix"),
    ("maturity", "dashboard: maturity indicators"),
    ("fuzzy", "normalise 10,000 queries (no store)"),
)
LABELS = dict(CHILD_OPS)
#: Smoke mode keeps the child-process path tested without paying for every child.
SMOKE_OPS = ("idle", "find")


def probe(ctx: Context, op: str) -> dict[str, Any]:
    """Run one product operation once in its own process, before it is timed in this one:
    its peak memory is recorded, and an operation that fails, runs away with memory or time
    is reported from here instead of being run in the harness's own process."""
    probed = ctx.info.setdefault("probed", {})
    if op in probed:
        return probed[op]
    if ctx.scale == "smoke" and op not in SMOKE_OPS:
        probed[op] = {"ok": True, "skipped": True}
        return probed[op]
    skills = ctx.info.get("skills") or {}
    sid, name, _ = skills.get("common", ("", "", 0))
    need = (ctx.info.get("need") or {}).get("need_id", "")
    args = ["mem", "--op", op, "--db", str(ctx.db), "--scale", ctx.scale, "--seed", str(ctx.seed)]
    args += ["--skill", sid, "--name", name, "--need", need]
    label = LABELS.get(op, op)
    ctx.log(f"memory: {label} (own process)")
    try:
        res = run_child(args, timeout=CHILD_TIMEOUT_S, rss_limit_mb=RSS_LIMIT_MB)
    except Exception as exc:  # a crash is reported, not fatal
        res = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    probed[op] = res
    if res.get("ok"):
        ctx.memory.append(
            MemoryRow(label, res["maxrss_mb"], res.get("seconds"), "ok", res.get("label", ""))
        )
    else:
        err = str(res.get("error", ""))
        status = "not yet available" if "not yet available" in err else f"failed: {err[:200]}"
        ctx.memory.append(MemoryRow(label, res.get("maxrss_mb"), None, status))
    return res


def failure(res: dict[str, Any]) -> str | None:
    """The row status for a probe that did not succeed (None when it did)."""
    if res.get("ok"):
        return None
    err = str(res.get("error", ""))
    if "not yet available" in err:
        return "not yet available"
    return f"failed in its own process ({err[:200]})"


def run(ctx: Context) -> None:
    """The operations not already run in their own process by their timing step."""
    for op, _label in CHILD_OPS:
        if op in (ctx.info.get("probed") or {}):
            continue
        if ctx.scale == "smoke" and op not in SMOKE_OPS:
            continue
        probe(ctx, op)


def child(args: Any) -> dict[str, Any]:
    """Runs in the child process: open the store, run one operation once."""
    from benchmarks import ops_dashboard, ops_find, ops_fuzzy, ops_matching
    from benchmarks.generate import AS_OF
    from brokering.db import connect
    from brokering.viewer import operator

    viewer = operator("benchmark")
    if args.op in ("fuzzy", "allocation_big"):
        t = time.perf_counter()
        if args.op == "fuzzy":
            label = ops_fuzzy.child(args.seed)
        else:
            label = ops_matching.child("allocation_big", None, viewer, AS_OF, args.seed, None)
        return {
            "ok": True,
            "seconds": time.perf_counter() - t,
            "maxrss_mb": maxrss_mb(),
            "label": label,
        }
    from pathlib import Path

    from benchmarks.measure import drop_copy, working_copy

    # Its own writable copy: the product audits its reads, and the harness holds its own.
    db = working_copy(Path(args.db), f"child-{os.getpid()}")
    con = connect(db)
    t = time.perf_counter()
    if args.op == "idle":
        label = "brokering.db.connect"
    elif args.op in ("find", "all_skills", "depth", "gap_map"):
        label = ops_find.child(args.op, con, viewer, AS_OF, args.skill, args.name)
    elif args.op == "candidates":
        label = ops_matching.child("candidates", con, viewer, AS_OF, args.seed, args.need)
    else:
        from benchmarks.context import Context

        ctx = Context(args.scale, args.seed, None, None, None, {})  # type: ignore[arg-type]
        label = ops_dashboard.child(args.op, ctx, con)
    seconds = time.perf_counter() - t
    con.close()
    drop_copy(db)
    return {"ok": True, "seconds": seconds, "maxrss_mb": maxrss_mb(), "label": label}
