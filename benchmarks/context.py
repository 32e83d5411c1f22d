"""What every operation of a run shares: the data set, the databases, repetitions, results."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.generate import AS_OF
from benchmarks.measure import MemoryRow, Row
from brokering.viewer import Viewer, operator

#: Default repetitions (timed, after one warm-up) by scale and kind of operation.
REPEATS: dict[str, dict[str, int]] = {
    "national": {
        "import": 5,
        "read_csv": 5,
        "query": 20,
        "heavy": 5,
        "allocation": 5,
        "big_allocation": 5,
        "fuzzy": 6,
        "browser": 20,
    },
    "alliance": {
        "import": 5,
        "read_csv": 5,
        "query": 20,
        "heavy": 5,
        "allocation": 5,
        "big_allocation": 5,
        "fuzzy": 6,
        "browser": 20,
    },
    "smoke": {
        "import": 1,
        "read_csv": 1,
        "query": 2,
        "heavy": 1,
        "allocation": 1,
        "big_allocation": 1,
        "fuzzy": 1,
        "browser": 1,
    },
}
OPS = (
    "import",
    "find",
    "all_skills",
    "depth",
    "candidates",
    "after_write",
    "small_import",
    "allocation",
    "dashboard",
    "fuzzy",
    "memory",
    "browser",
    "pages",
)


@dataclass
class Context:
    scale: str
    seed: int
    out: Path
    work: Path
    data_dir: Path
    manifest: dict[str, Any]
    repeat: int | None = None
    only: set[str] | None = None
    browser: bool = False
    command: str = ""
    as_of: date = AS_OF
    viewer: Viewer = field(default_factory=lambda: operator("benchmark"))
    rows: list[Row] = field(default_factory=list)
    memory: list[MemoryRow] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    db: Path | None = None  # the full store at this scale
    alliance_db: Path | None = None
    alliance_dir: Path | None = None
    con: Any = None
    frames: Any = None
    started: float = field(default_factory=time.perf_counter)

    def reps(self, kind: str) -> int:
        if self.repeat is not None:
            return max(1, self.repeat)
        return REPEATS.get(self.scale, REPEATS["smoke"])[kind]

    def wants(self, op: str) -> bool:
        return self.only is None or op in self.only

    def log(self, msg: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:7.1f}s] {msg}", file=sys.stderr, flush=True)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        shown = row.product.text() if row.product else row.status
        self.log(f"{row.title}: {shown}")
        return row
