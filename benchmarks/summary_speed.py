"""How long the governors' half-term summary takes to prepare on the demo alliance (the
issue's target: ready within 2 s of the click).

Times `report.half_term_summary` for a governor and a headteacher: the first call in a
fresh process (the chart engine's start included, as on a server's first summary; the
page warms the engine when it opens, so a user rarely pays it), then the median of five
warm calls. Run: `python -m benchmarks.summary_speed [DB]` (builds the demo store in a
temporary directory if none is given)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from brokering.dashboard import report
from brokering.store import build_demo, open_store
from brokering.terms import term_of
from brokering.viewer import Viewer

VIEWERS = {
    "governor": Viewer("viewer", None, "bench-governor"),
    "headteacher": Viewer("headteacher", "SCH01", "bench-head"),
}


def main(db: Path) -> None:
    if not db.exists():
        con = open_store(db)
        assert build_demo(con).ok
        con.close()
    con = open_store(db)
    today = date.today()
    term = term_of(today)
    for who, viewer in VIEWERS.items():
        start = time.perf_counter()
        report.half_term_summary(con, viewer, term, as_of=today)
        first = time.perf_counter() - start
        warm = []
        for _ in range(5):
            start = time.perf_counter()
            report.half_term_summary(con, viewer, term, as_of=today)
            warm.append(time.perf_counter() - start)
        print(f"{who}: first {first:.2f} s, then median {statistics.median(warm):.2f} s")
    con.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp) / "alliance.duckdb")
