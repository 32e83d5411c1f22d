"""The reciprocity ledger on a hand-built case whose numbers are worked out by hand.

Tiny alliance: A (A2), B (B2, B3), C (C1). Pairings, all started 2026-09-01:
  P0001 C1 -> A2  active    coaching 2h (everyone); visit 3h recipient to donor (A2, C1)
  P0002 B2 -> A2  active    mutual observation 1h both ways; coaching 1.5h (B2, A2)
  P0003 C1 -> B3  proposed  a 4h session that must not count: a proposal gives nothing yet
  P0004 B2 -> B3  active    same school: coaching 1h
  P0005 C1 -> B3  agreed    coaching 2h
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from brokering.db import Connection
from brokering.pairings import entries, ledger, service
from brokering.pairings.model import EntryDraft, PairingDraft
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY

START = date(2026, 9, 1)


def _pairing(con: Connection, admin: Viewer, donor: str, recipient: str, status: str) -> str:
    d = PairingDraft((donor,), (recipient,), "questioning", "coaching", START, status=status)
    return service.log_pairing(con, admin, d, today=TINY_TODAY)


def _log(con: Connection, admin: Viewer, pid: str, hours: float, **kw: object) -> None:
    entry = EntryDraft(kw.pop("entry_type", "coaching session"), date(2026, 10, 1), hours, **kw)
    entries.add_entry(con, admin, pid, entry, today=TINY_TODAY)


@pytest.fixture
def case(tiny: Connection, admin: Viewer) -> Connection:
    p1 = _pairing(tiny, admin, "C1", "A2", "active")
    _log(tiny, admin, p1, 2.0)
    _log(tiny, admin, p1, 3.0, entry_type="visit", who=("A2", "C1"), flow="recipient to donor")
    p2 = _pairing(tiny, admin, "B2", "A2", "active")
    _log(tiny, admin, p2, 1.0, entry_type="observation", flow="both ways", observed_ref="B2",
         recorded_by="A2")  # fmt: skip
    _log(tiny, admin, p2, 1.5, who=("B2", "A2"))
    p3 = _pairing(tiny, admin, "C1", "B3", "proposed")
    _log(tiny, admin, p3, 4.0)
    p4 = _pairing(tiny, admin, "B2", "B3", "active")
    _log(tiny, admin, p4, 1.0)
    p5 = _pairing(tiny, admin, "C1", "B3", "agreed")
    _log(tiny, admin, p5, 2.0)
    return tiny


def _rows(frame: pd.DataFrame, key: str, cols: list[str]) -> dict[str, tuple]:
    return {r[key]: tuple(r[c] for c in cols) for _, r in frame.iterrows()}


COLS = ["pairings_given", "pairings_received", "hours_given", "hours_received", "balance"]


def test_person_ledger(case: Connection, admin: Viewer) -> None:
    got = _rows(ledger.person_ledger(case, admin), "staff_ref", COLS)
    assert got == {
        "A2": (0, 2, 4.0, 4.5, -0.5),
        "B2": (2, 0, 3.5, 1.0, 2.5),
        "B3": (0, 2, 0.0, 3.0, -3.0),
        "C1": (2, 0, 4.0, 3.0, 1.0),
    }


def test_school_ledger(case: Connection, admin: Viewer) -> None:
    got = _rows(ledger.school_ledger(case, admin), "school_id", COLS + ["people"])
    assert got == {
        "A": (0, 2, 4.0, 4.5, -0.5, 1),
        "B": (2, 2, 3.5, 4.0, -0.5, 2),
        "C": (2, 0, 4.0, 3.0, 1.0, 1),
    }


def test_school_relationships_reciprocal_and_one_way(case: Connection, admin: Viewer) -> None:
    frame = ledger.school_relationships(case, admin)
    cols = ["pairings_a_to_b", "pairings_b_to_a", "hours_a_to_b", "hours_b_to_a", "relationship"]
    got = {(r["school_a"], r["school_b"]): tuple(r[c] for c in cols) for _, r in frame.iterrows()}
    assert got == {
        ("A", "B"): (0, 1, 1.0, 2.5, "reciprocal"),  # A gives back through the mutual observation
        ("A", "C"): (0, 1, 3.0, 2.0, "reciprocal"),  # A's return visit
        ("B", "C"): (0, 1, 0.0, 2.0, "one-way: B gives"),  # C only gives to B
    }


def test_chart_frame_is_long_and_drops_suppressed_figures(case: Connection) -> None:
    frame = ledger.school_ledger(case, Viewer("viewer"))
    long = ledger.chart_frame(frame)
    assert set(long["direction"]) <= {"given", "received"}
    assert long["hours"].notna().all()
    # Every school rests on fewer than three people: an aggregate-only role sees nothing.
    assert long.empty and frame["hours_given"].isna().all()


def test_hidden_participants_are_suppressed_below_the_threshold(
    tiny: Connection, admin: Viewer
) -> None:
    head_a = Viewer("headteacher", "A", "head-a")
    pid = service.log_pairing(
        tiny, head_a, PairingDraft(("A3",), ("B3",), "questioning", "coaching", START,
                                   status="active"), today=TINY_TODAY,
    )  # fmt: skip
    entries.add_entry(tiny, head_a, pid, EntryDraft("visit", date(2026, 10, 1), 2.0), TINY_TODAY)
    coordinator = Viewer("sle_coordinator")
    school = ledger.school_ledger(tiny, coordinator).set_index("school_id")
    assert pd.isna(school.loc["A", "hours_given"])  # rests on A3 alone, who is not shared
    assert school.loc["B", "hours_received"] == 2.0  # B3 is visible
    assert "A3" not in set(ledger.person_ledger(tiny, coordinator)["staff_ref"])
    assert ledger.school_ledger(tiny, head_a).set_index("school_id").loc["A", "hours_given"] == 2
    rel = ledger.school_relationships(tiny, coordinator).iloc[0]
    assert pd.isna(rel["hours_a_to_b"]) and pd.isna(rel["relationship"])
    assert ledger.school_relationships(tiny, admin).iloc[0]["relationship"] == "one-way: A gives"
