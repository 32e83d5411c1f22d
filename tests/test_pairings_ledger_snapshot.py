"""The reciprocity ledger's school views read the store as of one moment.

Why: `ledger.school_views` reads the schools' totals, the relationships' totals and (for a
viewer who lists pairings) who the viewer cannot see in three statements, and matches their
rows by place; the unseen people it hides by must be those of the figures beside them. A
write committed between two of the reads — here a change of consent, which counts at once —
must show in all of them or in none."""

from __future__ import annotations

import pandas as pd
import pytest

from brokering.db import Connection
from brokering.pairings import ledger, ledger_cover
from brokering.viewer import Viewer
from tests.test_pairings_ledger import _log, _pairing


@pytest.fixture
def case(tiny: Connection, admin: Viewer) -> Connection:
    """Pairings across the tiny alliance's three schools, with hours each way."""
    p1 = _pairing(tiny, admin, "C1", "A2", "active")
    _log(tiny, admin, p1, 2.0)
    _log(tiny, admin, p1, 3.0, entry_type="visit", who=("A2", "C1"), flow="recipient to donor")
    _log(tiny, admin, _pairing(tiny, admin, "B2", "A2", "active"), 1.5)
    _log(tiny, admin, _pairing(tiny, admin, "C1", "B3", "agreed"), 2.0)
    _log(tiny, admin, _pairing(tiny, admin, "B2", "B3", "active"), 1.0)
    return tiny


@pytest.mark.parametrize("viewer", [Viewer("sle_coordinator"), Viewer("headteacher", "A", "h")])
def test_a_write_between_the_reads_shows_in_none_of_them(
    case: Connection, viewer: Viewer, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ledger.school_views(case, viewer)
    consent = dict(case.execute("SELECT staff_ref, share_consent FROM staff").fetchall())
    real = ledger_cover.read

    def read_after_a_write(con: Connection, *args: object) -> object:
        other = case.cursor()  # another session: every participant's consent turned over
        other.execute("UPDATE staff SET share_consent = NOT share_consent")
        other.close()
        return real(con, *args)

    monkeypatch.setattr(ledger_cover, "read", read_after_a_write)
    during = ledger.school_views(case, viewer)
    monkeypatch.setattr(ledger_cover, "read", real)
    for mine, theirs in zip(during, before, strict=True):
        pd.testing.assert_frame_equal(mine, theirs)
    # The write did land, and it changes what the viewer is shown: the check says something.
    after = dict(case.execute("SELECT staff_ref, share_consent FROM staff").fetchall())
    assert after == {ref: not c for ref, c in consent.items()}
    now = ledger.school_views(case, viewer)
    assert any(not m.equals(t) for m, t in zip(now, before, strict=True))
