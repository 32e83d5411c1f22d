"""Timing, figures and rows of the results table, the machine description, and the optional
product hooks (functions other modules may or may not provide yet)."""

from __future__ import annotations

import gc
import importlib
import inspect
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------------------------
# Figures and rows
# --------------------------------------------------------------------------------------------
@dataclass
class Figure:
    """One measured thing: wall-clock samples (seconds) of `count` items each."""

    label: str
    samples: list[float]
    count: int | None = None  # rows or queries per run, for a rate
    unit: str = "rows"

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def rate(self) -> float | None:
        return self.count / self.median if self.count and self.median > 0 else None

    def time_text(self) -> str:
        return fmt_seconds(self.median)

    def text(self) -> str:
        t = self.time_text()
        if self.rate is not None:
            return f"{t} ({fmt_rate(self.rate)} {self.unit}/s)"
        return t

    def spread(self) -> str:
        s = sorted(self.samples)
        return f"n={len(s)}, min {fmt_seconds(s[0])}, max {fmt_seconds(s[-1])}"


@dataclass
class Row:
    op: str
    title: str
    product: Figure | None = None
    baseline: Figure | None = None
    floor: Figure | None = None
    target: str = ""
    met: bool | None = None
    status: str = "ok"  # "ok", "not yet available: …", "failed: …"
    notes: list[str] = field(default_factory=list)
    extra: list[Figure] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)
    #: Answers compared in the run: {what was compared with the product: equal?}.
    answers: dict[str, bool] = field(default_factory=dict)
    #: Whether `floor` returns the product's answer (checked equal) or only reads the rows.
    floor_answers: bool = False
    #: Why no answering floor is given (when `floor_answers` is False).
    no_floor_reason: str = ""

    def ratio(self, other: Figure | None) -> float | None:
        if self.product is None or other is None or other.median <= 0:
            return None
        return self.product.median / other.median


@dataclass
class MemoryRow:
    op: str
    maxrss_mb: float | None
    seconds: float | None = None
    status: str = "ok"
    note: str = ""


def fmt_seconds(s: float) -> str:
    if s < 0.001:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms" if s < 0.1 else f"{s * 1e3:.0f} ms"
    return f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def fmt_rate(r: float) -> str:
    return f"{r:,.0f}"


#: Timed runs at most for an operation whose warm-up took over a second; never fewer than
#: `MIN_N` (issue 24: every figure n >= 5 with its min and max) unless fewer were asked for.
SLOW_REPEAT = 5
MIN_N = 5


def timeit(
    fn: Callable[[], Any], repeat: int, warmup: int = 1, budget_s: float | None = None
) -> tuple[list[float], Any]:
    """Wall-clock samples of `fn()` after `warmup` untimed calls; returns (samples, last).

    With `budget_s`, a slow operation is repeated only as often as fits the budget (and a
    first call slower than the budget is the only sample)."""
    out = None
    first = None
    for _ in range(warmup):
        t = time.perf_counter()
        out = fn()
        first = first if first is not None else time.perf_counter() - t
    if budget_s is not None and first is not None:
        if first > budget_s:
            return [first], out
        repeat = max(min(repeat, MIN_N), min(repeat, int(budget_s // max(first, 1e-9))))
    if first is not None and first > 1.0:  # slow operations: a few runs tell enough
        repeat = min(repeat, SLOW_REPEAT)
    samples = []
    for _ in range(max(1, repeat)):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        samples.append(time.perf_counter() - t)
    return samples, out


def maxrss_mb() -> float:
    """Peak resident set size of this process image, in MB.

    Linux's `VmHWM` (the high-water mark of this process's own memory map) where available:
    `getrusage(RUSAGE_SELF).ru_maxrss` carries the *parent's* high-water mark across
    fork + exec, so a child started by a large harness process would report the harness's
    size. Elsewhere, `ru_maxrss` (kilobytes on Linux, bytes on macOS)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024.0 * 1024.0) if sys.platform == "darwin" else rss / 1024.0


# --------------------------------------------------------------------------------------------
# The machine
# --------------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {"python": platform.python_version()}
    for mod in ("duckdb", "pandas", "numpy", "pyarrow", "rapidfuzz", "scipy", "ortools"):
        try:
            versions[mod] = importlib.import_module(mod).__version__
        except Exception:  # a missing optional package is just not listed
            continue
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "os": f"{platform.system()} {platform.release()}",
        "versions": versions,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


# --------------------------------------------------------------------------------------------
# Optional product hooks
# --------------------------------------------------------------------------------------------
def optional(module: str, attr: str) -> Callable | None:
    """`module.attr` if it exists now, else None (other engineers' work lands over time)."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, attr, None)
    return fn if callable(fn) else None


def call(fn: Callable, *args: Any, **pool: Any) -> Any:
    """Call `fn` with the positional `args` and those keyword values from `pool` that its
    signature accepts (the benchmark adapts to each function's parameter names)."""
    sig = inspect.signature(fn)
    params = sig.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(*args, **pool)
    names = list(params)
    taken = set(names[: len(args)])
    kwargs = {k: v for k, v in pool.items() if k in params and k not in taken}
    missing = [
        n
        for n, p in params.items()
        if n not in taken
        and n not in kwargs
        and p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]
    if missing:
        raise TypeError(
            f"{fn.__module__}.{fn.__qualname__} needs {', '.join(missing)}, which the "
            "benchmark does not know how to supply"
        )
    return fn(*args, **kwargs)


def describe(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


# --------------------------------------------------------------------------------------------
# Child processes (peak memory of one operation)
# --------------------------------------------------------------------------------------------
def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def run_child(
    args: list[str],
    timeout: float = 900,
    rss_limit_mb: float | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run `python -m benchmarks child …` (it prints one JSON line last). The child is
    stopped if it runs past `timeout` or its resident memory passes `rss_limit_mb`, so an
    operation that would exhaust the machine is reported instead of taking the run down.
    `env` is added to the child's environment (the alliance key of a pseudonymised import
    reaches it only that way, as a real alliance's does)."""
    env = {
        **os.environ,
        **(env or {}),
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    out_f = tempfile.TemporaryFile(mode="w+")
    err_f = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks", "child", *args],
        cwd=ROOT,
        env=env,
        stdout=out_f,
        stderr=err_f,
        text=True,
    )
    start = time.monotonic()
    peak = 0.0
    stopped = None
    while proc.poll() is None:
        peak = max(peak, _rss_mb(proc.pid))
        if rss_limit_mb is not None and peak > rss_limit_mb:
            stopped = f"stopped: its memory passed {rss_limit_mb:,.0f} MB"
        elif time.monotonic() - start > timeout:
            stopped = f"stopped: still running after {timeout:.0f} s"
        if stopped:
            proc.kill()
            proc.wait()
            return {"ok": False, "error": stopped, "maxrss_mb": peak}
        time.sleep(0.05)  # polling the child's memory and clock
    out_f.seek(0)
    err_f.seek(0)
    out, err = out_f.read(), err_f.read()
    out_f.close()
    err_f.close()
    lines = [ln for ln in out.strip().splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (err or out).strip().splitlines()[-3:]
        return {"ok": False, "error": " | ".join(tail) or f"exit {proc.returncode}"}
    return json.loads(lines[-1])


def to_jsonable(obj: Any) -> Any:
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_jsonable(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, float | int | str | bool) or obj is None:
        return obj
    return str(obj)


def working_copy(db: Path, tag: str) -> Path:
    """A writable copy of a built store, beside it.

    Why: the product writes as it reads (every search and profile view goes to the audit
    trail), so it cannot run on a read-only store; and DuckDB lets one process hold a file
    for writing, so the harness and each operation's own process work on copies of their
    own. The cached store itself stays as it was built, so runs do not pile up audit rows.
    """
    import shutil

    target = db.with_name(f"{db.stem}-{tag}{db.suffix}")
    shutil.copyfile(db, target)
    wal = db.with_name(db.name + ".wal")
    stale = target.with_name(target.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, stale)
    elif stale.exists():
        stale.unlink()
    return target


def drop_copy(path: Path) -> None:
    """Remove a working copy made by `working_copy`."""
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
