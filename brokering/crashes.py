"""Crash trials: an import killed at a random moment leaves the store whole.

Each trial copies a store, starts `python -m brokering import` on a batch in a separate
process, waits until that process has claimed the store, lets it run for a random time
within what a whole import takes, and kills it outright (SIGKILL: no clean-up runs). The
store is then reopened — DuckDB replays or discards its write-ahead log — and must hold all
of the batch or none of it: never some staff without their evidence, never half the
evidence. Used by the tests (a few trials; 50 with BROKERING_SLOW_TESTS=1) and by
`python -m brokering robustness`.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from brokering.sharing import marker_path

ROOT = Path(__file__).resolve().parent.parent
#: The batch: new staff at one school and evidence for each.
BATCH_STAFF = 300
BATCH_EVIDENCE_EACH = 20


def write_batch(folder: Path, staff: int = BATCH_STAFF, each: int = BATCH_EVIDENCE_EACH) -> int:
    """A batch of `staff` new people (refs K0000…) with `each` pieces of evidence apiece, at
    school A; returns the number of evidence rows."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "staff.csv").open("w", encoding="utf-8") as f:
        f.write("staff_ref,school_id,role,phases,share_consent,consent_date\n")
        for i in range(staff):
            f.write(f"K{i:04d},A,teacher,KS2,yes,2025-09-01\n")
    with (folder / "evidence.csv").open("w", encoding="utf-8") as f:
        f.write("staff_ref,skill,evidence_type,strength,date,recorded_by\n")
        for i in range(staff):
            for d in range(each):
                f.write(f"K{i:04d},Mathematics,observation,{1 + d % 4},2026-{1 + d % 9:02d}-")
                f.write(f"{1 + d // 9:02d},SLT\n")
    return staff * each


@dataclass
class TrialReport:
    """What the trials found: how each ended, and any store left part-written."""

    trials: int = 0
    none: int = 0
    whole: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def survived(self) -> int:
        return self.none + self.whole

    def to_dict(self) -> dict:
        return {
            "trials": self.trials,
            "survived": self.survived,
            "held_none": self.none,
            "held_all": self.whole,
            "failures": self.failures,
        }


def _batch_counts(path: Path) -> tuple[int, int]:
    con = duckdb.connect(str(path))
    try:
        staff = con.execute("SELECT count(*) FROM staff WHERE staff_ref LIKE 'K%'").fetchall()
        evidence = con.execute("SELECT count(*) FROM evidence WHERE staff_ref LIKE 'K%'").fetchall()
        return int(staff[0][0]), int(evidence[0][0])
    finally:
        con.close()


def _start(db: Path, batch: Path) -> subprocess.Popen:
    env = {**os.environ, "BROKERING_LOCK_WAIT": "30"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "brokering",
            "--db",
            str(db),
            "import",
            str(batch),
            "--refs-are-pseudonyms",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for_claim(db: Path, proc: subprocess.Popen) -> None:
    marker = marker_path(db)
    while not marker.exists() and proc.poll() is None:
        time.sleep(0.002)


def import_duration(base: Path, batch: Path, work: Path) -> float:
    """Seconds an import takes from claiming the store to exit (the span kills fall in)."""
    db = work / "timing.duckdb"
    shutil.copyfile(base, db)
    proc = _start(db, batch)
    _wait_for_claim(db, proc)
    started = time.monotonic()
    if proc.wait() != 0:
        raise RuntimeError(
            "The trial batch does not import cleanly; the trials would mean nothing."
        )
    return time.monotonic() - started


def run_trials(base: Path, work: Path, trials: int, seed: int = 2026) -> TrialReport:
    """`trials` imports into copies of `base` (a store holding schools A, B, C), each killed
    at a random moment; `work` is a scratch folder."""
    work.mkdir(parents=True, exist_ok=True)
    batch = work / "batch"
    evidence = write_batch(batch)
    span = import_duration(base, batch, work)
    rng = random.Random(seed)
    out = TrialReport()
    for n in range(trials):
        db = work / f"trial{n}.duckdb"
        shutil.copyfile(base, db)
        proc = _start(db, batch)
        _wait_for_claim(db, proc)
        time.sleep(rng.uniform(0.0, span))  # the random moment is the point of the trial
        proc.kill()
        proc.wait()
        out.trials += 1
        try:
            staff, ev = _batch_counts(db)
        except duckdb.Error as exc:
            out.failures.append(f"trial {n}: the store did not reopen ({exc})")
            continue
        finally:
            for leftover in (db, Path(f"{db}.wal"), marker_path(db)):
                leftover.unlink(missing_ok=True)
        if (staff, ev) == (0, 0):
            out.none += 1
        elif (staff, ev) == (BATCH_STAFF, evidence):
            out.whole += 1
        else:
            out.failures.append(f"trial {n}: {staff} staff and {ev} evidence rows of the batch")
    return out


def make_base(path: Path) -> None:
    """A small store for trials: three schools, the taxonomy, nothing else."""
    from brokering.importing import import_paths
    from brokering.store import open_store
    from brokering.viewer import operator

    folder = path.parent / "base-files"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schools.csv").write_text(
        "school_id,name,phase\nA,Alder Primary,primary\nB,Birch Academy,secondary\n"
        "C,Cedar Special School,special\n",
        encoding="utf-8",
    )
    con = open_store(path)
    try:
        report = import_paths(con, [folder], operator("robustness"))
        if not report.ok:
            raise RuntimeError("; ".join(str(p) for p in report.problems))
        con.execute("CHECKPOINT")
    finally:
        con.close()
