"""Records named in words, not references (issue 23): a pairing is its practice, schools and
start ("Mathematics: Oakfield → Riverside, started 5 Dec 2026"), a need its skill, person,
school and date, an import batch when it ran, who ran it and its files. A side whose people
the viewer may not see is never named."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from brokering.importing.batches import describe as describe_batch
from brokering.matching.needs import describe_need
from brokering.pairings import views


def test_a_pairing_in_words() -> None:
    row = {
        "pairing_id": "P0007",
        "practice": "Mathematics",
        "donor_schools": ["Oakfield"],
        "recipient_schools": ["Riverside", "Ash Grove"],
        "same_school": False,
        "start_date": date(2026, 12, 5),
    }
    assert (
        views.describe(row) == "Mathematics: Oakfield → Riverside & Ash Grove, started 5 Dec 2026"
    )
    within = {**row, "recipient_schools": ["Oakfield"], "same_school": True}
    assert views.describe(within) == "Mathematics within Oakfield, started 5 Dec 2026"


def test_a_side_the_viewer_may_not_see_is_not_named() -> None:
    # list_pairings leaves out the schools of people the viewer may not see
    row = {
        "pairing_id": "P0008",
        "practice": "Phonics",
        "donor_schools": [],
        "recipient_schools": ["Riverside"],
        "same_school": False,
        "start_date": None,
    }
    assert views.describe(row) == "Phonics: a partner school → Riverside"
    frame = pd.DataFrame([row])
    assert views.descriptions(frame) == {"P0008": "Phonics: a partner school → Riverside"}


def test_a_need_in_words() -> None:
    assert (
        describe_need("Phonics", "S0144", "Oakfield", date(2025, 2, 12), "either", "high")
        == "Phonics for S0144 at Oakfield, raised 12 Feb 2025 — a coach or a mentor wanted, "
        "high priority"
    )
    assert describe_need("Oracy", "A2", "Alder", None) == "Oracy for A2 at Alder"


def test_an_import_batch_in_words() -> None:
    text = describe_batch(
        datetime(2026, 12, 5, 14, 3, 9), "alex", "a.csv, b.csv, c.csv, d.csv, e.csv", 1200, 4
    )
    assert text == (
        "Import of 5 Dec 2026, 14:03 by alex — a.csv, b.csv, c.csv and 2 more "
        "(1,200 rows added, 4 updated)"
    )
