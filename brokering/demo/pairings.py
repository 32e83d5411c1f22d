"""The demo alliance's JPD pairings, written beside the demo's other CSVs.

Reads staff.csv, evidence.csv and coaching.csv that `demo.write_demo_csvs` wrote, and writes
pairings.csv and pairing_evidence.csv in the import templates' format. The story: sixteen
pairings in every lifecycle state; each donor is the alliance's strongest practitioner (or
coach) of the practice at a school that leads in it; three couples of schools that give to each
other (reciprocal) and pairings elsewhere that run only one way; one same-school pairing; one
with a partner-school recipient who has not consented to sharing; transfers evidenced by
observation and outcomes, two judged not transferred with reasons, and open pairings that are
overdue or have gone quiet. One seed and one date give byte-identical files.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from brokering.demo.pairings_log import demo_log
from brokering.demo.people import DemoAlliance, plan_people

PAIRING_HEADER = (
    "pairing_id,donor_refs,recipient_refs,skill,work_kind,status,start_date,review_date,"
    "donor_contribution,recipient_contribution,planned_sessions,planned_hours,cover_hours,"
    "travel_hours,disciplines,reason,note"
).split(",")
EVIDENCE_HEADER = (
    "pairing_id,entry_type,date,recorded_by,observed_ref,hours,who,flow,rating_before,"
    "rating_after,measure,value_before,value_after,note,link"
).split(",")
#: Practices the demo story draws on, in order of preference.
PLAN = [
    ("couple", "transferred", "mutual observation"),
    ("couple", "transferred", "coaching"),
    ("couple", "transferred", "lesson study"),
    ("couple", "not transferred", "coaching"),
    ("couple", "review due", "co-planning"),  # ready to be judged: evidence in
    ("couple", "active", "coaching"),  # healthy
    ("one-way", "not transferred", "school visit"),
    ("one-way", "stopped", "coaching"),
    ("one-way", "review due", "coaching"),  # overdue, no evidence
    ("one-way", "active", "co-planning"),  # overdue, no evidence
    ("one-way", "agreed", "joint training day"),  # two recipients, starts soon
    ("one-way", "agreed", "coaching"),  # started, nothing logged yet
    ("one-way", "proposed", "mutual observation"),
    ("one-way", "proposed", "coaching"),
    ("same-school", "active", "coaching"),  # quiet for weeks
    ("hidden", "active", "coaching"),  # recipient has not consented to sharing
]
NOT_TRANSFERRED = [
    "The recipient moved to a new year group mid-year and the routine was not embedded.",
    "The practice relied on whole-school routines the recipient school does not yet have; "
    "revisit after its policy review.",
]
STOPPED = "The donor's release time was withdrawn after staffing changes."


def write_demo_pairings(out_dir: Path, as_of: date, seed: int) -> dict[str, int]:
    """Write pairings.csv and pairing_evidence.csv into out_dir (beside the demo's other
    files); return their row counts by file stem."""
    out_dir = Path(out_dir)
    a = DemoAlliance(out_dir)
    rng = random.Random(seed * 7919 + 5)
    people = plan_people(a, rng, PLAN)
    # Days before as_of each pairing started and its review, per (status, nth of that status).
    timing = {
        ("transferred", 0): (300, 180),
        ("transferred", 1): (260, 140),
        ("transferred", 2): (220, 100),
        ("not transferred", 0): (240, 110),
        ("not transferred", 1): (210, 80),
        ("stopped", 0): (230, 90),
        ("review due", 0): (150, 7),
        ("review due", 1): (200, 45),
        ("active", 0): (70, -50),
        ("active", 1): (180, 21),
        ("active", 2): (150, -20),
        ("active", 3): (60, -60),
        ("agreed", 0): (-14, -120),
        ("agreed", 1): (5, -100),
        ("proposed", 0): (-21, -150),
        ("proposed", 1): (-35, -160),
    }
    seen: Counter[str] = Counter()
    pairings, log = [], []
    for i, ((_slot, status, kind), (sid, donor, recips)) in enumerate(
        zip(PLAN, people, strict=True)
    ):
        n = seen[status]
        seen[status] += 1
        if status == "active" and _slot in ("same-school", "hidden"):
            n = 2 if _slot == "same-school" else 3
        began, review = timing[(status, n)]
        start, review_on = as_of - timedelta(days=began), as_of - timedelta(days=review)
        pid = f"P{i + 1:04d}"
        name = a.names[sid]
        reason = NOT_TRANSFERRED[n % 2] if status == "not transferred" else ""
        reason = STOPPED if status == "stopped" else reason
        disciplines = (
            ""
            if status == "not transferred" and n == 1
            else ";".join(a.names[d] for d in a.depends.get(sid, ()) if d in a.names)
        )
        sessions = 2 if kind == "joint training day" else 6
        pairings.append(
            [
                pid,
                donor,
                ";".join(recips),
                name,
                kind,
                status,
                start.isoformat(),
                review_on.isoformat(),
                f"{name}: model lessons, resources and coaching",
                "Hosts return visits and shares pupil work" if _slot == "couple" else "",
                str(sessions),
                f"{sessions * 1.5:g}",
                str(sessions),
                "1" if _slot != "same-school" else "0",
                disciplines,
                reason,
                "",
            ]
        )
        if recips:
            log += demo_log(pid, status, n, start, donor, recips[0], as_of)
    for name, header, rows in (
        ("pairings", PAIRING_HEADER, pairings),
        ("pairing_evidence", EVIDENCE_HEADER, log),
    ):
        with open(out_dir / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(header)
            writer.writerows(rows)
    return {"pairings": len(pairings), "pairing_evidence": len(log)}
