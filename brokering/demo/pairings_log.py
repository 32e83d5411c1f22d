"""The activity and evidence log of each demo pairing, by its place in the story (see
brokering/demo_pairings.py): transfers observed before and after with outcomes; judgements of
no transfer; sessions without any observation; pairings gone quiet; nothing yet for those
not started."""

from __future__ import annotations

from datetime import date, timedelta


def demo_log(
    pid: str, status: str, n: int, start: date, donor: str, recip: str, as_of: date
) -> list[list[str]]:
    """The log for one pairing, by its place in the story."""
    both = f"{donor};{recip}"

    def row(kind: str, day: int, by: str, **kw: str) -> list[str]:
        cells = {"hours": "", "who": "", "flow": "", "observed_ref": "", "note": ""} | kw
        when = min(start + timedelta(days=day), as_of)
        return [
            pid,
            kind,
            when.isoformat(),
            by,
            cells["observed_ref"],
            cells["hours"],
            cells["who"],
            cells["flow"],
            cells.get("rating_before", ""),
            cells.get("rating_after", ""),
            cells.get("measure", ""),
            cells.get("value_before", ""),
            cells.get("value_after", ""),
            cells["note"],
            cells.get("link", ""),
        ]

    def baseline() -> list[str]:
        return row(
            "observation",
            0,
            donor,
            observed_ref=recip,
            hours="1",
            rating_before="2",
            note="Baseline observation before the work began",
        )

    def session(day: int, note: str = "Coaching conversation after a lesson") -> list[str]:
        return row("coaching session", day, donor, hours="1.5", who=both, note=note)

    if status == "transferred":
        after = "4" if n % 2 else "3"
        rows = [
            baseline(),
            session(14),
            row(
                "visit",
                35,
                recip,
                hours="3",
                who=both,
                note="Saw the practice in the donor's classes",
            ),
            session(56),
            row(
                "observation",
                95,
                "SLT" if n % 2 else donor,
                observed_ref=recip,
                hours="1",
                rating_before="2",
                rating_after=after,
                note="The practice now part of every lesson",
            ),
            row(
                "outcome measure",
                110,
                recip,
                observed_ref=recip,
                measure="Pupils secure in the end-of-unit check (%)",
                value_before="48",
                value_after=str(60 + 3 * n),
            ),
            row("reflection", 115, recip, note="Planning the routine first made it stick."),
        ]
        if n == 0:
            rows.insert(
                3,
                row(
                    "observation",
                    42,
                    recip,
                    observed_ref=donor,
                    hours="2",
                    who=both,
                    flow="both ways",
                    note="Mutual observation: each watched the other teach",
                ),
            )
        if n == 1:
            rows.append(
                row(
                    "visit",
                    120,
                    recip,
                    hours="2",
                    who=both,
                    flow="recipient to donor",
                    note="Hosted the donor to share our reading routines in return",
                )
            )
        return rows
    if status == "not transferred":
        return [
            baseline(),
            session(14),
            session(42),
            row(
                "observation",
                100,
                "SLT",
                observed_ref=recip,
                hours="1",
                rating_before="2",
                rating_after="2",
                note="Not yet seen in day-to-day teaching",
            ),
        ]
    if status == "stopped":
        return [session(14)]
    if status == "review due" and n == 0:
        return [
            baseline(),
            session(14),
            session(42),
            row(
                "observation",
                120,
                donor,
                observed_ref=recip,
                hours="1",
                rating_before="2",
                rating_after="3",
                note="Used with confidence in a lesson",
            ),
        ]
    if status == "review due":
        return [
            session(14),
            session(35),
            session(70),
            row("reflection", 75, recip, note="Sessions useful; no observation arranged yet."),
        ]
    if status == "active" and n == 0:
        return [baseline(), session(14), session(35), session(56)]
    if status == "active" and n in (1, 3):
        return [session(20), session(60)] + ([session(130)] if n == 1 else [])
    if status == "active":
        return [session(10), session(40)]
    return []
