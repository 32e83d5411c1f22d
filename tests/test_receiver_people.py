"""The outcomes' rows laid out once (`facts.receiver_people`: each receiving school's row of a
pairing once per person of it) stay what their SQL gives now through a pairing write, a
change of consent and an import that moves a recipient to another school — and the School
filter's alliance table read from them — and from the same rows held as numbers
(`receiver_numbers`, `outcome_numbers`) — is the table counted from the cells' own people
(`school_tables.grid`'s `people`), for a head, a governor and the SLE coordinator, after each."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from brokering import derived, derived_sets
from brokering.consent import set_consent
from brokering.dashboard import outcome_numbers, outcomes
from brokering.dashboard.facts import ALLIANCE, DASHBOARD, facts
from brokering.dashboard.school_tables import GRID_COLUMNS, grid
from brokering.db import Connection
from brokering.find.maintenance import after_import
from brokering.importing import import_paths
from brokering.pairings import service
from brokering.pairings.model import PairingDraft
from brokering.viewer import Viewer, operator
from tests.conftest import TINY_TODAY

ADMIN = operator("test")
START, END = date(2026, 9, 1), date(2026, 12, 31)
VIEWERS = (
    Viewer("headteacher", "A", "head-A"),
    Viewer("viewer", None, "governor"),
    Viewer("sle_coordinator", None, "sle"),
)


#: The laid-out rows, and the same as numbers (`outcome_numbers`), with their columns.
TABLES = {
    "receiver_people": ["pairing_id", "school_id", "status", "area", "start_date", "concluded_on"]
    + ["staff_ref", "side"],
    "receiver_numbers": ["pairing_id", "school_id", "area", "pid", "r", "k", "o", "first", "last"]
    + ["person", "rec", "lead", "head"],
}


def _stored_is_fresh(con: Connection) -> bool:
    """The stored rows of each table equal what its SQL gives now, and the set says it is
    current."""
    for key, cols in TABLES.items():
        a, b = (
            con.execute(f"SELECT {', '.join(cols)} FROM {rel}")
            .df()  # noqa: S608 - code constants
            .sort_values(cols, ignore_index=True, na_position="first")
            for rel in (DASHBOARD.table_name(key), DASHBOARD.inline()[key])
        )
        try:
            pd.testing.assert_frame_equal(a, b, check_dtype=False)
        except AssertionError:
            return False
    return derived.is_current(con, DASHBOARD)


def _tables_agree(con: Connection) -> None:
    """The alliance's outcome table read from the laid-out rows is the one counted live."""
    f = facts(con)
    cells = outcomes._outcome_cells(f, ALLIANCE, START, END)
    people = outcomes._outcome_people(f, START, END)
    keys = ["level", "outcome", "row", "col"]
    for v in VIEWERS:
        live = grid(con, f, v, *cells, True)
        laid = grid(con, f, v, *cells, True, people, ordered=False)
        laid = laid.sort_values(keys, na_position="first", ignore_index=True)
        live = live.sort_values(keys, na_position="first", ignore_index=True)
        pd.testing.assert_frame_equal(live[GRID_COLUMNS], laid[GRID_COLUMNS], check_dtype=False)
        numbers = outcome_numbers.numbers_grid(con, f, v, START, END)
        assert numbers is not None
        numbers = numbers.sort_values(keys, na_position="first", ignore_index=True)
        pd.testing.assert_frame_equal(live[GRID_COLUMNS], numbers[GRID_COLUMNS])


def test_receiver_people_stay_current_through_a_write_consent_and_an_import(
    tiny, tmp_path: Path
) -> None:
    for spec in derived_sets.all_sets():
        derived.build(tiny, spec)
    assert _stored_is_fresh(tiny)
    draft = PairingDraft(
        donors=("A1",), recipients=("B3",), skill_id="mathematics", work_kind="coaching",
        start_date=date(2026, 9, 10), review_date=date(2026, 11, 1), status="active",
    )  # fmt: skip
    service.log_pairing(tiny, ADMIN, draft, today=TINY_TODAY)
    rows = tiny.execute(
        f"SELECT count(*) FROM {DASHBOARD.table_name('receiver_people')} WHERE school_id = 'B'"
    ).fetchone()[0]
    assert rows >= 2  # the new pairing's donor and recipient, under the receiving school
    assert _stored_is_fresh(tiny)
    _tables_agree(tiny)

    set_consent(tiny, ADMIN, "B3", False, on=TINY_TODAY)  # who is unseen moves; rows do not
    assert _stored_is_fresh(tiny)
    _tables_agree(tiny)

    staff = tmp_path / "staff.csv"
    staff.write_text("staff_ref,school_id,role\nB3,C,teacher\n")  # the recipient moves school
    report = import_paths(tiny, [staff], ADMIN, today=TINY_TODAY, accept_moves=True)
    assert report.applied, [str(p) for p in report.problems]
    after_import(tiny, True)
    assert _stored_is_fresh(tiny)
    moved = tiny.execute(
        f"SELECT DISTINCT school_id FROM {DASHBOARD.table_name('receiver_people')} "
        "WHERE staff_ref = 'B3'"
    ).fetchall()
    assert moved == [("C",)]
    _tables_agree(tiny)
