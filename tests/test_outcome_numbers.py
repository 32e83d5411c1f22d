"""The alliance's outcomes table counted from the facts held as numbers
(`outcome_numbers.numbers_grid`) is the table counted from the strings
(`school_tables.grid` over the outcomes' cells and their people): the same rows, figures
and types, for every head, the governor, the SLE coordinator and a senior leader, a term's
and all time's (kept current through a write, a change of consent and an import:
tests/test_receiver_people.py); and where two ids share a hash, the read says so (None)
rather than count them as one. And the same over random alliances (with leavers' and
consent's mix of people seen and unseen: tests/alliances), for every role. More trials:
BROKERING_PROPERTY_TRIALS=500."""

from __future__ import annotations

import os
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokering.dashboard import outcome_numbers, outcomes
from brokering.dashboard.facts import ALLIANCE, DASHBOARD, facts
from brokering.dashboard.school_tables import GRID_COLUMNS, grid
from brokering.db import Connection
from brokering.pairings import service
from brokering.pairings.model import PairingDraft
from brokering.viewer import Viewer, operator
from tests import alliances as made
from tests.conftest import TINY_TODAY
from tests.test_school_charts_properties import alliances, load

ADMIN = operator("test")
PERIODS = ((date(2026, 9, 1), date(2026, 12, 31)), (None, None))
TRIALS = int(os.environ.get("BROKERING_PROPERTY_TRIALS", "10"))
KEYS = ["level", "outcome", "row", "col"]


def _viewers(con: Connection) -> list[Viewer]:
    schools = [
        r[0] for r in con.execute("SELECT DISTINCT school_id FROM staff ORDER BY 1").fetchall()
    ]
    return [
        *(Viewer("headteacher", s, f"head-{s}") for s in schools),
        Viewer("viewer", None, "governor"),
        Viewer("sle_coordinator", None, "sle"),
        Viewer("senior_leader", schools[0], "senior"),
    ]


def _agree(con: Connection) -> int:
    """Every viewer's table from the numbers equals the one from the strings; how many rows
    were compared."""
    f = facts(con)
    compared = 0
    for start, end in PERIODS:
        cells = outcomes._outcome_cells(f, ALLIANCE, start, end)
        for v in _viewers(con):
            strings = grid(con, f, v, *cells, True)
            numbers = outcome_numbers.numbers_grid(con, f, v, start, end)
            assert numbers is not None, v
            a, b = (
                x[GRID_COLUMNS].sort_values(KEYS, na_position="first", ignore_index=True)
                for x in (strings, numbers)
            )
            pd.testing.assert_frame_equal(a, b)
            compared += len(a)
    return compared


def _log(con: Connection, donor: str, recipient: str, skill: str) -> None:
    draft = PairingDraft(
        donors=(donor,), recipients=(recipient,), skill_id=skill, work_kind="coaching",
        start_date=date(2026, 9, 10), review_date=date(2026, 11, 1), status="active",
    )  # fmt: skip
    service.log_pairing(con, ADMIN, draft, today=TINY_TODAY)


def test_the_numbers_count_the_demo_alliance_as_the_strings_do(demo: Connection) -> None:
    assert _agree(demo) > 500


@pytest.mark.parametrize("column", ["r", "k", "pid"])
def test_two_ids_sharing_a_hash_are_never_counted_as_one(tiny: Connection, column: str) -> None:
    """A shared hash (made here by overwriting one row's with another id's) is refused."""
    _log(tiny, "A1", "B3", "mathematics")
    _log(tiny, "B2", "A2", "questioning")
    f = facts(tiny)
    head = Viewer("headteacher", "A", "head-A")
    assert outcome_numbers.numbers_grid(tiny, f, head, None, None) is not None
    name = DASHBOARD.table_name("receiver_numbers")
    id_column = {"r": "school_id", "k": "area", "pid": "pairing_id"}[column]
    one = f"(SELECT max({id_column}) FROM {name})"
    tiny.execute(
        f"UPDATE {name} SET {column} = (SELECT any_value({column}) FROM {name} "  # noqa: S608
        f"WHERE {id_column} <> {one}) WHERE {id_column} = {one}"
    )
    assert outcome_numbers.numbers_grid(tiny, f, head, None, None) is None


def test_two_staff_sharing_a_person_key_are_never_counted_as_one(tiny: Connection) -> None:
    _log(tiny, "A1", "B3", "mathematics")
    f = facts(tiny)
    tiny.execute(f"UPDATE {f.keys} SET distinct_keys = FALSE")  # noqa: S608
    head = Viewer("headteacher", "A", "head-A")
    assert outcome_numbers.numbers_grid(tiny, f, head, None, None) is None


@settings(
    max_examples=TRIALS * 3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=alliances(), leaver=st.booleans())
def test_the_numbers_count_random_alliances_as_the_strings_do(
    store: Connection, a: dict, leaver: bool
) -> None:
    if not a["pairings"]:
        return
    load(store, a)
    if leaver:  # a former member of staff: never seen one by one, still in the figures
        store.execute(
            "UPDATE staff SET left_on = DATE '2026-08-31' WHERE staff_ref = ?", [a["staff"][0][0]]
        )
    f = facts(store)
    for start, end in PERIODS:
        cells = outcomes._outcome_cells(f, ALLIANCE, start, end)
        for v in made.roles(a["schools"]):
            strings = grid(store, f, v, *cells, True)
            numbers = outcome_numbers.numbers_grid(store, f, v, start, end)
            assert numbers is not None
            x, y = (
                t[GRID_COLUMNS].sort_values(KEYS, na_position="first", ignore_index=True)
                for t in (strings, numbers)
            )
            pd.testing.assert_frame_equal(x, y)
