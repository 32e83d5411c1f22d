"""Small alliances written straight into a store, for the property tests of suppression:
schools, staff (consenting to share or not), pairings with one donor and one recipient and,
where given, one coaching session's hours flowing donor to recipient and one observation of
the recipient rated before and after; and the roles that look
at them. Written behind the write paths' back, so every derived set is dropped after: two
examples can have the same counts, and a set must never be read stale (nor a remembered
read: the store's change mark does not move)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st

from brokering import changes, derived_sets
from brokering.db import Connection
from brokering.viewer import Viewer


class Pairing(NamedTuple):
    donor: str
    recipient: str
    skill: str = "questioning"
    status: str = "active"
    hours: float | None = None
    review: str | None = "2026-12-01"
    #: An observation of the recipient's practice (by someone else, after the work began)
    #: rated `before` and `after`, where `after` is given: the ratings before and after.
    before: int | None = None
    after: int | None = None


def people(
    draw: st.DrawFn, most_schools: int
) -> tuple[list[str], list[tuple[str, str, bool]], list[str]]:
    """Schools A, B, … (two to `most_schools`), one to four staff in each, each consenting to
    share or not: (schools, staff as (ref, school, consent), refs)."""
    schools = [chr(ord("A") + i) for i in range(draw(st.integers(2, most_schools)))]
    staff = [
        (f"{s}{k}", s, draw(st.booleans())) for s in schools for k in range(draw(st.integers(1, 4)))
    ]
    return schools, staff, [r for r, _, _ in staff]


def drawn(
    draw: st.DrawFn, most_schools: int, *fields: st.SearchStrategy, most_pairings: int
) -> dict:
    """An alliance as the property tests write it: `people`, then one to `most_pairings`
    pairings (donor, recipient, *one value of each of `fields*), a person never paired with
    themselves. The same draws in the same order as each test made them before it was
    shared, so derandomised tests see the same alliances."""
    schools, staff, refs = people(draw, most_schools)
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(refs), st.sampled_from(refs), *fields),
            min_size=1,
            max_size=most_pairings,
        )
    )
    return {"schools": schools, "staff": staff, "pairings": [p for p in pairs if p[0] != p[1]]}


def load(
    con: Connection,
    schools: Iterable[str],
    staff: Iterable[tuple[str, str, bool]],
    pairings: Iterable[Pairing],
) -> None:
    """Replace the store's schools, staff and pairings with these."""
    for table in ("pairing_entries", "pairing_participants", "pairing_versions", "staff"):
        con.execute(f"DELETE FROM {table}")  # noqa: S608 - table names from code
    con.execute("DELETE FROM schools")
    for s in schools:
        con.execute("INSERT INTO schools (school_id, name, phase) VALUES (?, ?, 'primary')", [s, s])
    for ref, school, consent in staff:
        con.execute(
            "INSERT INTO staff (staff_ref, school_id, role, phases, subjects, share_consent) "
            "VALUES (?, ?, 'teacher', [], [], ?)",
            [ref, school, consent],
        )
    for i, p in enumerate(pairings):
        pid = f"P{i:04d}"
        con.execute(
            "INSERT INTO pairing_versions (pairing_id, version, skill_id, work_kind, status, "
            "start_date, review_date, disciplines, change, changed_by) VALUES (?, 1, ?, "
            "'coaching', ?, DATE '2026-09-01', ?::DATE, [], 'logged', 't')",
            [pid, p.skill, p.status, p.review],
        )
        con.execute("INSERT INTO pairing_participants VALUES (?, 1, ?, 'donor')", [pid, p.donor])
        con.execute(
            "INSERT INTO pairing_participants VALUES (?, 1, ?, 'recipient')", [pid, p.recipient]
        )
        if p.hours is not None:
            con.execute(
                "INSERT INTO pairing_entries (entry_id, version, pairing_id, entry_type, date, "
                "hours, who, flow, change, changed_by) VALUES (?, 1, ?, 'coaching session', "
                "DATE '2026-10-01', ?, [], 'donor to recipient', 'added', 't')",
                [i + 1, pid, float(p.hours)],
            )
        if p.after is not None:
            con.execute(
                "INSERT INTO pairing_entries (entry_id, version, pairing_id, entry_type, date, "
                "who, flow, observed_ref, recorded_by, rating_before, rating_after, change, "
                "changed_by) VALUES (?, 1, ?, 'observation', DATE '2026-10-15', [], "
                "'donor to recipient', ?, 'an observer', ?, ?, 'added', 't')",
                [100_000 + i, pid, p.recipient, p.before, p.after],
            )
    derived_sets.drop_all(con)
    changes.forget()  # nor a read remembered under the store's unmoved change mark


def roles(schools: Iterable[str]) -> list[Viewer]:
    """The governor, the SLE coordinator and each school's head."""
    out = [Viewer("viewer"), Viewer("sle_coordinator")]
    return out + [Viewer("headteacher", s, f"head-{s}") for s in schools]


def _seer(a: dict, viewer: Viewer) -> Callable[[str], bool]:
    """Whether the viewer sees a member of staff: their own school's, or one who consents."""
    who = {r: (s, c) for r, s, c in a["staff"]}
    return lambda ref: who[ref][1] or who[ref][0] == viewer.school_id


def all_listed(a: dict, viewer: Viewer, target: Iterable[float]) -> bool:
    """Every pairing a figure counts is on the viewer's pairings page (someone in it they
    can see: `pairings.views.list_pairings`, with its area, status and dates) — for a head
    or the SLE coordinator. Such a figure of the whole alliance (no school in it, so no
    unnamed "partner school" either) they can count from their page: worked out, it tells
    them only that no pairing off their page is in it, nobody's figure. So the models treat
    it as known (found: KNOWN_COVER in tests/test_school_unlisted.py, where it is no cover
    for another area: `unlisted.listed_of`, `hiding.guard_areas`)."""
    if viewer.aggregate_only:
        return False
    seen = _seer(a, viewer)
    counted = [p for p, x in zip(a["pairings"], target, strict=True) if x]
    return bool(counted) and all(seen(p[0]) or seen(p[1]) for p in counted)


def listed_units(a: dict, viewer: Viewer) -> list[np.ndarray]:
    """Each pairing on the viewer's pairings page (someone in it they can see) as a figure of
    one pairing: what they count off the page, for a head or the SLE coordinator — with
    what they are shown, whether they can work the alliance's total out (the School
    filter's check with the flows takes the flows model's premise only then; found:
    C_COUNTS_BEHAVIOUR_OFF_THE_PAGE in tests/test_headline_school_cases.py). Not for a
    school's figure: the page names no school for a side the viewer cannot see."""
    if viewer.aggregate_only:
        return []
    seen = _seer(a, viewer)
    n = len(a["pairings"])
    return [np.eye(n)[i] for i, p in enumerate(a["pairings"]) if seen(p[0]) or seen(p[1])]
