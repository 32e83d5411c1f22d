"""Finds answered from a skill's leading rows held in memory (brokering.find_leaders): the
same answer as the SQL route, row for row, and never from rows the store no longer holds."""

from __future__ import annotations

import random
from datetime import timedelta

import duckdb
import pytest

from brokering.consent import set_consent
from brokering.db import note_change
from brokering.find import find_expertise, maintenance, routes
from brokering.find import leaders as find_leaders
from brokering.find.scores import percent
from brokering.importing import import_paths
from brokering.scoring import DEFAULT_PARAMS
from brokering.viewer import Viewer, operator
from tests.conftest import TINY_TODAY
from tests.test_scoring import TODAY, build

ADMIN = operator("test")
VIEWERS = (
    ADMIN,
    Viewer("senior_leader", "B"),
    Viewer("sle_coordinator"),
    Viewer("headteacher", "A"),
)
TYPES = ["observation", "outcomes", "self-assessment", "peer-endorsement"]


@pytest.fixture
def crowd(con):
    """400 people in three schools, 70% consenting, some leavers, mixed evidence."""
    rng = random.Random(11)
    staff = [
        {
            "ref": f"P{i:03d}",
            "school": rng.choice("ABC"),
            "consent": rng.random() < 0.7,
            "trained": rng.random() < 0.2,
            "left_on": TODAY - timedelta(days=5) if rng.random() < 0.05 else None,
        }
        for i in range(400)
    ]
    evidence = [
        (s["ref"], "questioning", rng.choice(TYPES), rng.randint(1, 4), rng.randint(0, 1500))
        for s in staff
        for _ in range(rng.randint(1, 6))
    ]
    coaching = [
        (s["ref"], f"P{rng.randint(0, 399):03d}", "questioning", rng.randint(0, 600), 3, 3)
        for s in staff[:60]
    ]
    build(con, staff, evidence, coaching)
    return con


@pytest.fixture
def spy(monkeypatch):
    """For each try of the held rows, whether they answered (a find tries at most once, and
    not at all before its connection has seen a current build)."""
    answered: list[bool] = []
    real = routes.held_top

    def wrapped(*args, **kwargs):
        out = real(*args, **kwargs)
        answered.append(out is not None)
        return out

    monkeypatch.setattr(routes, "held_top", wrapped)
    return answered


def _ranks(con, as_of, tops=(1, 5, 20, 120), viewers=VIEWERS):
    return [
        find_expertise(con, v, "questioning", as_of=as_of, top=top, blend=0.3)
        .rows.drop(columns="latest_evidence")
        .round(9)
        for v in viewers
        for top in tops
    ]


@pytest.mark.parametrize("days_later", [0, 200, 2000])
@pytest.mark.parametrize("held", [512, 40, 8])
def test_held_rows_rank_exactly_as_the_sql_route(crowd, spy, monkeypatch, days_later, held):
    """Every viewer and several sizes of list; with few rows held (40, 8) most lists need more
    candidates than are certainly held, and must fall back rather than guess."""
    monkeypatch.setattr(find_leaders, "HELD", held)
    as_of = TODAY + timedelta(days=days_later)
    computed = _ranks(crowd, as_of)  # no parts yet: computed from the evidence
    maintenance.optimise(crowd)
    _ranks(crowd, as_of)  # the first find notes the build; the next ones may use held rows
    spy.clear()
    for want, got in zip(computed, _ranks(crowd, as_of), strict=True):
        assert want.equals(got)
    if held == 512:
        assert all(spy)  # the whole skill is held: every find answered from memory
    if held == 8 and days_later == 0:
        assert not all(spy)  # a top 120 cannot come from eight rows


def test_a_consent_change_is_seen_at_once(crowd, spy) -> None:
    maintenance.optimise(crowd)
    partner = Viewer("senior_leader", "B")
    _ranks(crowd, TODAY, tops=(20,), viewers=(partner,))
    for _ in range(3):  # the staff lookup remembered under the store's change mark
        first = find_expertise(crowd, partner, "questioning", as_of=TODAY, top=20).rows
    leader = first[first["school_id"] != "B"].iloc[0]["staff_ref"]
    set_consent(crowd, ADMIN, leader, False, on=TODAY)  # the write moves the mark
    spy.clear()
    again = find_expertise(crowd, partner, "questioning", as_of=TODAY, top=20).rows
    assert spy == [True]  # still from held rows: consent is read afresh, not held
    assert leader not in set(again["staff_ref"])
    assert leader in set(find_expertise(crowd, ADMIN, "questioning", as_of=TODAY).rows["staff_ref"])


def test_new_evidence_is_never_answered_from_held_rows(tiny, tiny_dir, spy) -> None:
    maintenance.optimise(tiny)
    for _ in range(2):
        find_expertise(tiny, ADMIN, "mathematics", as_of=TINY_TODAY)
    assert spy[-1] is True
    (tiny_dir / "evidence.csv").write_text(
        "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
        "B3,Mathematics,observation,4,2026-11-01,B1\n"
    )
    assert import_paths(tiny, [tiny_dir / "evidence.csv"], ADMIN, today=TINY_TODAY).ok
    spy.clear()
    result = find_expertise(tiny, ADMIN, "mathematics", as_of=TINY_TODAY)
    # The import kept the parts current (a new build), so the old build's held rows are not
    # used: the find reads the new build's rows.
    assert spy == [False] and result.stored_parts
    assert result.rows.set_index("staff_ref").loc["B3", "evidence_count"] == 2


def test_a_record_added_outside_an_import_is_seen_at_once(crowd, spy) -> None:
    """The build check counts rows, so a coaching record written by accepting a request (or
    any insert) makes the held rows stale even with no import."""
    maintenance.optimise(crowd)
    for _ in range(3):
        find_expertise(crowd, ADMIN, "questioning", as_of=TODAY)
    crowd.execute(
        "INSERT INTO evidence (staff_ref, skill_id, evidence_type, strength, date, recorded_by)"
        " VALUES ('P001', 'questioning', 'observation', 4, ?, 'SLT')",
        [TODAY],
    )
    note_change(crowd)  # as every write path does (db.transaction)
    spy.clear()
    result = find_expertise(crowd, ADMIN, "questioning", as_of=TODAY, top=400)
    assert spy == [False] and not result.stored_parts


def test_a_renamed_skill_is_not_shown_under_its_old_name(crowd, spy) -> None:
    maintenance.optimise(crowd)
    for _ in range(3):
        find_expertise(crowd, ADMIN, "questioning", as_of=TODAY)
    crowd.execute(
        "UPDATE skills SET name = 'Questioning for thinking' WHERE skill_id = ?", ["questioning"]
    )
    # Written behind the write paths: such a writer moves the change mark itself, as each
    # of the product's writes does (without it, a remembered lookup would still answer).
    note_change(crowd)
    spy.clear()
    result = find_expertise(crowd, ADMIN, "questioning", as_of=TODAY)
    assert spy == [False]
    assert result.skill_name == "Questioning for thinking"


def test_a_rebuild_or_dropped_parts_never_reuse_old_rows(crowd, spy) -> None:
    maintenance.optimise(crowd)
    want = find_expertise(crowd, ADMIN, "questioning", as_of=TODAY).rows
    first = find_leaders.build_for(TODAY, DEFAULT_PARAMS)
    maintenance.build_find_parts(crowd)  # same data, a new build
    spy.clear()
    assert find_expertise(crowd, ADMIN, "questioning", as_of=TODAY).rows.equals(want)
    assert spy == [False]  # the old build's rows were refused
    assert find_leaders.build_for(TODAY, DEFAULT_PARAMS).build_id != first.build_id
    find_expertise(crowd, ADMIN, "questioning", as_of=TODAY)
    maintenance.drop_find_parts(crowd)
    spy.clear()
    result = find_expertise(crowd, ADMIN, "questioning", as_of=TODAY)
    # Computed now rather than rescaled from the epoch: equal but for the last bits of the
    # confidences, so compared to 9 places (ranks, people and scores exactly).
    assert spy == [False] and not result.stored_parts
    assert result.rows.round(9).equals(want.round(9))


def test_other_parameters_or_an_earlier_date_take_the_sql_route(crowd, spy) -> None:
    import dataclasses

    maintenance.optimise(crowd)
    find_expertise(crowd, ADMIN, "questioning", as_of=TODAY)
    spy.clear()
    priors = dataclasses.replace(DEFAULT_PARAMS, prior_weight=5.0)
    find_expertise(crowd, ADMIN, "questioning", as_of=TODAY, params=priors)
    find_expertise(crowd, ADMIN, "questioning", as_of=TODAY - timedelta(days=30))
    find_expertise(crowd, ADMIN, "questioning", as_of=TODAY, rank_by="coaching")
    find_expertise(crowd, ADMIN, "questioning", as_of=TODAY, school_id="A")
    find_expertise(crowd, ADMIN, "questioning", as_of=TODAY, phase="KS2")
    assert not any(spy)


def test_several_stores_in_one_process_never_mix(tmp_path, spy) -> None:
    """The held rows are kept by build, not by connection (the app opens a cursor per page
    run): a find on one store never answers from another store's rows, and only a few
    builds are kept."""
    from brokering.store import open_store

    stores = []
    for i in range(find_leaders.KEPT + 2):
        c = open_store(tmp_path / f"s{i}.duckdb")
        build(c, [{"ref": f"P{i}"}], [(f"P{i}", "questioning", "observation", 4, 3)])
        maintenance.optimise(c)
        stores.append(c)
    for _ in range(2):
        for i, c in enumerate(stores):
            rows = find_expertise(c, ADMIN, "questioning", as_of=TODAY).rows
            assert list(rows["staff_ref"]) == [f"P{i}"]
            cursor = c.cursor()  # what the app does on every page run
            assert list(
                find_expertise(cursor, ADMIN, "questioning", as_of=TODAY).rows["staff_ref"]
            ) == [f"P{i}"]
    assert True in spy  # each cursor after the first find of a store used held rows
    assert len(find_leaders._BUILDS) <= find_leaders.KEPT


def test_percent_rounds_as_duckdb_does() -> None:
    con = duckdb.connect()
    rng = random.Random(3)
    means = [1 + 3 * rng.random() for _ in range(3000)]
    means += [1 + k * 3 / 2000 for k in range(2001)]  # values on and near the half tenths
    sql = "SELECT list_transform(?::DOUBLE[], lambda m: round((m - 1) / 3 * 100, 1))"
    want = con.execute(sql, [means]).fetchall()[0][0]
    assert [percent(m) for m in means] == want


def test_finds_on_different_dates_rank_each_date_afresh(crowd, spy) -> None:
    """The held ranking is kept per ageing factor: a find for a later date (the app's
    today moves on while it runs) must not reuse an earlier date's order."""
    dates = [TODAY, TODAY + timedelta(days=400), TODAY + timedelta(days=1200)]
    computed = {d: _ranks(crowd, d, tops=(20,)) for d in dates}
    maintenance.optimise(crowd)
    _ranks(crowd, TODAY, tops=(20,))
    spy.clear()
    for d in dates + dates[::-1]:
        for want, got in zip(computed[d], _ranks(crowd, d, tops=(20,)), strict=True):
            assert want.equals(got), d
    assert all(spy)


def _pair_then_held(con, params=DEFAULT_PARAMS):
    maintenance.optimise(con, params)
    find_leaders.forget()
    by_sql = find_expertise(con, ADMIN, "questioning", as_of=TODAY, params=params).rows
    for _ in range(2):  # the second find reads the held rows, the third ranks them
        by_held = find_expertise(con, ADMIN, "questioning", as_of=TODAY, params=params).rows
    return list(by_sql["staff_ref"]), list(by_held["staff_ref"])


def test_ties_are_broken_by_staff_ref_not_by_stored_order(con, spy) -> None:
    """A1 and Z1 show the same score and confidence with the same latest date; Z1's stored
    strength is a hair higher (an ancient record), so the stored order puts Z1 first, but
    the ranking's last tie-break is the reference: A1 first."""
    build(
        con,
        [{"ref": r} for r in ("A1", "Z1", "M1")],
        [
            ("A1", "questioning", "observation", 4, 10),
            ("A1", "questioning", "self-assessment", 1, 5000),
            ("Z1", "questioning", "observation", 4, 10),
            ("Z1", "questioning", "self-assessment", 2, 5000),
            ("M1", "questioning", "observation", 3, 10),
        ],
    )
    by_sql, by_held = _pair_then_held(con)
    assert by_sql == by_held == ["A1", "Z1", "M1"]
    assert spy[-1] is True


def test_ties_are_broken_by_the_latest_evidence_before_the_reference(con, spy) -> None:
    """Same score and confidence; Z9's newest record (of a type given no weight) is more
    recent, so Z9 ranks first although A0 comes first by reference and stored order."""
    import dataclasses

    params = dataclasses.replace(
        DEFAULT_PARAMS,
        type_weights={**DEFAULT_PARAMS.type_weights, "accreditation": 0.0},
    )
    build(
        con,
        [{"ref": "A0"}, {"ref": "Z9"}],
        [
            ("A0", "questioning", "observation", 4, 10),
            ("Z9", "questioning", "observation", 4, 10),
            ("Z9", "questioning", "accreditation", 1, 1),
        ],
    )
    by_sql, by_held = _pair_then_held(con, params)
    assert by_sql == by_held == ["Z9", "A0"]
    assert spy[-1] is True


def test_a_list_longer_than_the_held_rows_keeps_them_for_the_next_find(
    crowd, spy, monkeypatch
) -> None:
    monkeypatch.setattr(find_leaders, "HELD", 40)
    maintenance.optimise(crowd)
    for _ in range(2):
        find_expertise(crowd, ADMIN, "questioning", as_of=TODAY, top=10)
    build_now = find_leaders.build_for(TODAY, DEFAULT_PARAMS)
    held = build_now.skills["questioning"]
    spy.clear()
    find_expertise(crowd, ADMIN, "questioning", as_of=TODAY, top=200)
    find_expertise(crowd, ADMIN, "questioning", as_of=TODAY, top=10)
    assert spy == [False, True]
    assert find_leaders.build_for(TODAY, DEFAULT_PARAMS) is build_now
    assert build_now.skills["questioning"] is held  # not read again
