"""Review 29: the alliance's outcomes table from the facts held as numbers
(`outcome_numbers.numbers_grid`) against the strings (`school_tables.grid`, with and without
the laid-out people) over alliances richer than tests/alliances draws: several donors and
recipients from several schools in one pairing, start dates over two years, review dates
missing or not, every status (proposed too), a skill outside the taxonomy ("Other"), a
pairing's earlier version with other people, leavers with a leaving date, schools whose
staff all share (`placing.ALL_SHARE_SQL`), and periods whose ends fall on pairings' own
first and last days. Every role that reads the School filter (each head and senior
leader, the governor, the SLE coordinator). Compared: rows, values, dtypes and the type of
each row and column name (NaN for a margin's missing key on both paths). And the School
filter's chart itself (`outcomes_by`, a school's scope) read from the numbers equals the
chart read from the strings (the caller's fallback), and the alliance's hidden flags do
not depend on the order of the table's rows (the numbers come in another order)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from unittest import mock

import pandas as pd
import pytest

from brokering import changes, derived_sets
from brokering.dashboard import outcome_numbers, outcomes, transfer
from brokering.dashboard.facts import ALLIANCE, Scope, facts
from brokering.dashboard.school_tables import GRID_COLUMNS, grid, table_hidden
from brokering.db import Connection
from brokering.viewer import Viewer

SKILLS = ("questioning", "de-escalation", "moderation", "retrieval-practice", "not-a-skill")
STATUSES = ("proposed", "agreed", "active", "review due", "transferred", "not transferred")
STATUSES += ("stopped",)
KEYS = ["level", "outcome", "row", "col"]
D0 = date(2025, 6, 1)


def _load(con: Connection, rng: random.Random) -> list[str]:
    """A random alliance written straight into the store (derived sets dropped after)."""
    for table in ("pairing_entries", "pairing_participants", "pairing_versions", "staff"):
        con.execute(f"DELETE FROM {table}")  # noqa: S608 - table names from code
    con.execute("DELETE FROM schools")
    schools = [chr(65 + i) for i in range(rng.randint(1, 5))]
    staff = []
    for s in schools:
        con.execute("INSERT INTO schools (school_id, name, phase) VALUES (?, ?, 'primary')", [s, s])
        all_share = rng.random() < 0.3
        for k in range(rng.randint(1, 6)):
            left = None
            if not all_share and rng.random() < 0.2:
                left = D0 + timedelta(days=rng.randint(0, 500))
            con.execute(
                "INSERT INTO staff (staff_ref, school_id, role, phases, subjects, share_consent,"
                " left_on) VALUES (?, ?, 'teacher', [], [], ?, ?)",
                [f"{s}{k}", s, all_share or rng.random() < 0.5, left],
            )
            staff.append(f"{s}{k}")
    for i in range(rng.randint(0, 25)):
        pid, people = f"P{i:04d}", rng.sample(staff, min(len(staff), rng.randint(2, 5)))
        if len(people) < 2:
            continue
        donors = rng.randint(1, len(people) - 1)
        start = D0 + timedelta(days=rng.randint(0, 600))
        review = None if rng.random() < 0.2 else start + timedelta(days=rng.randint(0, 200))
        versions = rng.randint(1, 2)
        for v in range(1, versions + 1):
            last = v == versions
            con.execute(
                "INSERT INTO pairing_versions (pairing_id, version, skill_id, work_kind, status,"
                " start_date, review_date, disciplines, change, changed_by) VALUES (?, ?, ?,"
                " 'coaching', ?, ?, ?, [], 'logged', 't')",
                [pid, v, rng.choice(SKILLS), rng.choice(STATUSES), start, review],
            )
            members = people if last else rng.sample(staff, min(2, len(staff)))
            for j, ref in enumerate(members):
                side = "donor" if j < (donors if last else 1) else "recipient"
                con.execute(
                    "INSERT INTO pairing_participants VALUES (?, ?, ?, ?)", [pid, v, ref, side]
                )
        if rng.random() < 0.5:
            con.execute(
                "INSERT INTO pairing_entries (entry_id, version, pairing_id, entry_type, date,"
                " hours, who, flow, change, changed_by) VALUES (?, 1, ?, 'coaching session', ?,"
                " 1.0, [], 'donor to recipient', 'added', 't')",
                [i + 1, pid, start + timedelta(days=rng.randint(0, 300))],
            )
    derived_sets.drop_all(con)
    changes.forget()
    return schools


def _viewers(schools: list[str]) -> list[Viewer]:
    out = [Viewer("viewer", None, "governor"), Viewer("sle_coordinator", None, "sle")]
    for s in schools:
        out += [Viewer("headteacher", s, f"head-{s}"), Viewer("senior_leader", s, f"sl-{s}")]
    return out


def _periods(con: Connection, rng: random.Random) -> list[tuple[date | None, date | None]]:
    """All time, a term, and periods ending on pairings' own first and last days."""
    f = facts(con)
    days = [
        r[0]
        for r in con.execute(
            f"SELECT start_date FROM {f.pairings} UNION "  # noqa: S608 - code constants
            f"SELECT concluded_on FROM {f.pairings} WHERE concluded_on IS NOT NULL"
        ).fetchall()
    ]
    out: list[tuple[date | None, date | None]] = [
        (None, None),
        (date(2026, 9, 1), date(2026, 12, 31)),
    ]
    for _ in range(3 if days else 0):
        a, b = rng.choice(days), rng.choice(days)
        out.append((min(a, b), max(a, b)))
    return out


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[GRID_COLUMNS].sort_values(KEYS, na_position="first", ignore_index=True)


@pytest.mark.parametrize("seed", range(8))
def test_the_numbers_count_rich_alliances_as_the_strings_do(store: Connection, seed: int) -> None:
    rng = random.Random(seed)
    schools = _load(store, rng)
    f = facts(store)
    for start, end in _periods(store, rng):
        cells = outcomes._outcome_cells(f, ALLIANCE, start, end)
        people = outcomes._outcome_people(f, start, end)
        for v in _viewers(schools):
            strings = _sorted(grid(store, f, v, *cells, True))
            laid = _sorted(grid(store, f, v, *cells, True, people, False))
            numbers = outcome_numbers.numbers_grid(store, f, v, start, end)
            assert numbers is not None, v
            numbers = _sorted(numbers)
            for other in (laid, numbers):
                pd.testing.assert_frame_equal(strings, other)
                for c in ("row", "col"):
                    assert [type(x) for x in strings[c]] == [type(x) for x in other[c]], c


@pytest.mark.parametrize("seed", range(1))
def test_the_school_filter_reads_the_same_from_numbers_and_strings(
    store: Connection, seed: int
) -> None:
    rng = random.Random(1000 + seed)
    schools = _load(store, rng)
    f = facts(store)
    for start, end in _periods(store, rng)[:2]:
        for v in _viewers(schools):
            full = outcome_numbers.numbers_grid(store, f, v, start, end)
            assert full is not None
            if len(full):
                hidden = table_hidden(full, v, True, whole=True)
                order = rng.sample(range(len(full)), len(full))
                shuffled = full.iloc[order].reset_index(drop=True)
                assert (table_hidden(shuffled, v, True, whole=True) == hidden[order]).all()
            for s in schools:
                for by in ("school", "area"):
                    changes.forget()
                    got = transfer.outcomes_by(store, v, by, Scope(s), start, end)
                    changes.forget()
                    with mock.patch.object(outcomes, "numbers_grid", lambda *_: None):
                        want = transfer.outcomes_by(store, v, by, Scope(s), start, end)
                    pd.testing.assert_frame_equal(got, want)
