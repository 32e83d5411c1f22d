"""Does sharing the store with the command line slow the app's page runs?

Each "page run" is a thread that takes a cursor and runs one find (as a page would), on the
demo alliance. Three ways: a connection held for the process's life (the old app), the
SharedStore with page runs following each other (it stays open between them), and the
SharedStore reopening the file for every run (the cost after a pause). Interleaved rounds,
medians. Run: `python -m benchmarks.sharing_speed [DB]` (builds the demo store if absent).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from brokering.db import Connection, connect
from brokering.find import find_expertise
from brokering.sharing import SharedStore
from brokering.store import build_demo, open_store
from brokering.viewer import Viewer

VIEWER = Viewer("headteacher", "SCH01", "bench")


def page_runs(get: Callable[[], Connection], n: int) -> float:
    """Median milliseconds of `n` page runs, each on a thread of its own."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        t = threading.Thread(target=lambda: find_expertise(get(), VIEWER, "Mathematics"))
        t.start()
        t.join()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(path: Path) -> None:
    if not path.exists():
        con = open_store(path)
        assert build_demo(con).ok
        con.close()
    held, shared, reopened = [], [], []
    fresh = SharedStore(path, idle_close=60)

    def reopen() -> Connection:
        fresh.release_if_idle()
        return fresh.cursor()

    for _ in range(5):  # one kind at a time: in one process they would share the database
        base = connect(path)
        held.append(page_runs(base.cursor, 20))
        base.close()
        store = SharedStore(path, idle_close=60)
        shared.append(page_runs(store.cursor, 20))
        store.close()
        reopened.append(page_runs(reopen, 10))
        fresh.close()
    print(f"connection held for ever:          {statistics.median(held):6.1f} ms a page run")
    print(f"shared store, runs back to back:   {statistics.median(shared):6.1f} ms")
    print(f"shared store, reopened every run:  {statistics.median(reopened):6.1f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/brokering-sharing-demo.duckdb"))
