"""The fast route to one need's candidates lists exactly what the general route lists.

`matching.stored` reads the pool for one need from the stored score parts (the national
route); the general route (`pool.skill_pool`, `arrays.to_arrays`) reads it from the find and
the live tables. Here, on the demo alliance with a small `pool_limit` so that the fast route
answers, both must give the same list — every column and dtype, the order, scores, reasons
and flags — for every kind of viewer; the fast route must stand aside when it cannot answer,
and never list anyone the viewer may not see. `get_need`, read a table at a time, must give
what the joined read gave.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from brokering import changes
from brokering.db import query_df
from brokering.demo import DEMO_AS_OF
from brokering.errors import NotFoundError, PermissionDenied
from brokering.find import maintenance
from brokering.matching import candidates as cand
from brokering.matching import stored
from brokering.matching.needs import _SELECT, Need, _need_visibility, get_need, list_needs
from brokering.matching.params import DEFAULT_MATCH_PARAMS
from brokering.viewer import Viewer, operator
from tests.conftest import TINY_TODAY

ADMIN = operator("test-admin")
SMALL = dataclasses.replace(DEFAULT_MATCH_PARAMS, pool_limit=8)
MEDIUM = dataclasses.replace(DEFAULT_MATCH_PARAMS, pool_limit=30)


@pytest.fixture(scope="module", autouse=True)
def _stored_parts(demo) -> None:
    """The demo build lays the store out (`maintenance.after_import`): the fast route's case."""
    assert maintenance.parts_status(demo, DEMO_AS_OF).usable


def _viewers(con) -> list[Viewer]:
    schools = [r[0] for r in con.execute("SELECT school_id FROM schools ORDER BY 1").fetchall()]
    return [
        ADMIN,
        Viewer("sle_coordinator", None, "coordinator"),
        Viewer("senior_leader", schools[0], "leader"),
        Viewer("headteacher", schools[-1], "head"),
    ]


def _both(monkeypatch, run) -> tuple[cand.CandidateList, cand.CandidateList, bool, list]:
    """`run()` through the fast route (and whether it answered) and through the general one,
    with the audit entries each wrote."""
    answered = []
    real = stored.pool_for_need

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        answered.append(out is not None)
        return out

    changes.forget()  # each route reads the store (a remembered list would answer both)
    with monkeypatch.context() as m:
        m.setattr(stored, "pool_for_need", spy)
        fast = run()
    changes.forget()
    with monkeypatch.context() as m:
        m.setattr(stored, "pool_for_need", lambda *args, **kwargs: None)
        general = run()
    return fast, general, bool(answered and answered[0]), answered


def _assert_same(fast: cand.CandidateList, general: cand.CandidateList) -> None:
    assert fast.need == general.need
    assert fast.close_skills == general.close_skills
    assert fast.term_label == general.term_label
    a, b = fast.frame, general.frame
    assert list(a.columns) == list(b.columns)
    assert [str(t) for t in a.dtypes] == [str(t) for t in b.dtypes]
    assert [list(p) for p in a["phases"]] == [list(p) for p in b["phases"]]
    pd.testing.assert_frame_equal(
        a.drop(columns="phases"), b.drop(columns="phases"), check_exact=True
    )


def _last_audit(con) -> tuple:
    return con.execute(
        "SELECT username, role, school_id, action, detail FROM audit_log "
        "ORDER BY audit_id DESC LIMIT 1"
    ).fetchall()[0]


@pytest.mark.parametrize("params", [SMALL, MEDIUM], ids=["limit-8", "limit-30"])
def test_the_fast_route_lists_what_the_general_route_lists(demo, monkeypatch, params) -> None:
    needs = list_needs(demo, ADMIN, statuses=("open",))
    needs = needs[needs["staff_left_on"].isna()]["need_id"].tolist()[::5]
    answered = 0
    for viewer in _viewers(demo):
        for need_id in needs:
            try:
                get_need(demo, viewer, need_id)
            except NotFoundError:
                continue

            def run(viewer=viewer, need_id=need_id):
                result = cand.candidates_for_need(
                    demo, viewer, need_id, as_of=DEMO_AS_OF, params=params
                )
                return result, _last_audit(demo)

            (fast, fast_audit), (general, general_audit), used, _ = _both(monkeypatch, run)
            _assert_same(fast, general)
            assert fast_audit == general_audit  # the same search recorded either way
            answered += used
    assert answered >= 10  # the fast route did answer, for every kind of viewer in turn


def test_small_batches_and_windows_give_the_same_list(demo, monkeypatch) -> None:
    """Candidates read three at a time, the ranking a window of 16 at a time: the batches
    and windows are joined up in rank order, whoever the viewer."""
    monkeypatch.setattr(stored, "_MAX_BATCH", 3)
    monkeypatch.setattr(stored, "_WINDOW", 1)
    needs = list_needs(demo, ADMIN, statuses=("open",))
    need_id = needs[needs["staff_left_on"].isna()]["need_id"].iloc[0]
    for viewer in _viewers(demo):

        def run(viewer=viewer):
            return cand.candidates_for_need(demo, viewer, need_id, as_of=DEMO_AS_OF, params=SMALL)

        fast, general, used, answered = _both(monkeypatch, run)
        assert used
        _assert_same(fast, general)


def test_roles_and_hours_as_asked_in_the_match_command(demo, monkeypatch) -> None:
    needs = list_needs(demo, ADMIN, statuses=("open",))
    row = needs[needs["staff_left_on"].isna()].iloc[0]
    for role, hours in (("mentor", None), ("either", 3.0), ("coach", 40.0)):

        def run(role=role, hours=hours):
            return cand.candidates_for(
                demo,
                ADMIN,
                row["staff_ref"],
                row["skill_id"],
                wanted_role=role,
                hours=hours,
                as_of=DEMO_AS_OF,
                params=SMALL,
            )

        fast, general, used, _ = _both(monkeypatch, run)
        assert used
        _assert_same(fast, general)


def test_the_fast_route_stands_aside_when_it_cannot_answer(tiny, monkeypatch) -> None:
    need = get_need(tiny, ADMIN, "N1")
    one = dataclasses.replace(DEFAULT_MATCH_PARAMS, pool_limit=1, close_skill_min=0)

    def fast(params):
        return stored.pool_for_need(
            tiny, ADMIN, need, as_of=TINY_TODAY, params=params, scoring=cand.DEFAULT_PARAMS
        )

    assert fast(one) is None  # no stored parts yet
    maintenance.optimise(tiny)
    assert fast(DEFAULT_MATCH_PARAMS) is None  # far fewer practitioners than pool_limit
    assert fast(dataclasses.replace(one, close_skill_min=5)) is None  # close skills needed
    assert fast(dataclasses.replace(one, pool_limit=0)) is None
    pool, arrays = fast(one)
    assert pool.frame["staff_ref"].tolist() == ["A3"]  # the strongest teacher of mathematics
    assert list(arrays.refs) == ["A3"]

    def run():
        return cand.candidates_for_need(tiny, ADMIN, "N1", as_of=TINY_TODAY, params=one)

    result, general, used, _ = _both(monkeypatch, run)
    assert used
    _assert_same(result, general)


def test_standing_aside_leaves_a_surrounding_transaction_usable(tiny) -> None:
    """Without stored parts the fast route looks for their table without querying it, so a
    caller's open transaction is not aborted (a query naming a missing table would be)."""
    need = get_need(tiny, ADMIN, "N1")
    one = dataclasses.replace(DEFAULT_MATCH_PARAMS, pool_limit=1, close_skill_min=0)
    tiny.execute("BEGIN TRANSACTION")
    try:
        assert (
            stored.pool_for_need(
                tiny, ADMIN, need, as_of=TINY_TODAY, params=one, scoring=cand.DEFAULT_PARAMS
            )
            is None
        )
        assert tiny.execute("SELECT count(*) FROM staff").fetchall() == [(8,)]
    finally:
        tiny.execute("ROLLBACK")


@pytest.mark.parametrize("limit", [1, 2])
def test_the_fast_route_lists_only_people_the_viewer_may_see(tiny, monkeypatch, limit) -> None:
    maintenance.optimise(tiny)
    params = dataclasses.replace(DEFAULT_MATCH_PARAMS, pool_limit=limit, close_skill_min=0)
    for viewer in (Viewer("senior_leader", "B"), Viewer("headteacher", "C"), ADMIN):

        def run(viewer=viewer):
            return cand.candidates_for_need(tiny, viewer, "N1", as_of=TINY_TODAY, params=params)

        fast, general, used, _ = _both(monkeypatch, run)
        assert used
        _assert_same(fast, general)
        listed = set(fast.frame["staff_ref"])
        assert "C2" not in listed  # a leaver
        assert "B3" not in listed  # the person with the need
        if not viewer.sees_everyone:
            assert "A3" not in listed  # no sharing consent, and not their school


def _joined_need(con, viewer: Viewer, need_id: str) -> Need:
    """The need as the joined read (one statement over needs, staff, schools, skills) gave it."""
    vis, params = _need_visibility(viewer)
    frame = query_df(con, f"{_SELECT} WHERE n.need_id = ? AND {vis}", [need_id, *params])  # noqa: S608
    if frame.empty:
        raise NotFoundError(f"There is no need '{need_id}' that you can see.")
    row = frame.iloc[0]

    def opt(value):
        return None if value is None or pd.isna(value) else value

    hours, left = opt(row["hours"]), opt(row["staff_left_on"])
    return Need(
        need_id=str(row["need_id"]),
        staff_ref=str(row["staff_ref"]),
        school_id=str(row["school_id"]),
        school_name=str(row["school_name"]),
        skill_id=str(row["skill_id"]),
        skill_name=str(opt(row["skill_name"]) or row["skill_id"]),
        priority=str(row["priority"]),
        wanted_role=str(row["wanted_role"]),
        raised_on=pd.Timestamp(row["raised_on"]).date(),
        status=str(row["status"]),
        hours=float(hours) if hours is not None else None,
        note=opt(row["note"]),
        line_manager_ref=opt(row["line_manager_ref"]),
        phases=tuple(row["phases"] if row["phases"] is not None else ()),
        staff_left_on=pd.Timestamp(left).date() if left is not None else None,
    )


def _assert_get_need_as_joined(con, viewers: list[Viewer], ids: list[str]) -> list[Need]:
    seen = []
    for viewer in viewers:
        for need_id in ids:
            try:
                expected = _joined_need(con, viewer, need_id)
            except NotFoundError:
                with pytest.raises(NotFoundError):
                    get_need(con, viewer, need_id)
                continue
            got = get_need(con, viewer, need_id)
            assert got == expected
            assert {k: type(v) for k, v in vars(got).items()} == {
                k: type(v) for k, v in vars(expected).items()
            }
            seen.append(got)
    return seen


def test_get_need_reads_by_key_what_the_joined_read_gave(demo) -> None:
    ids = [r[0] for r in demo.execute("SELECT need_id FROM needs ORDER BY 1").fetchall()]
    seen = _assert_get_need_as_joined(demo, _viewers(demo), [*ids, "N-none"])
    assert len({n.need_id for n in seen}) == len(ids)


def test_get_need_of_a_leaver_is_for_the_data_manager(tiny) -> None:
    tiny.execute(
        "INSERT INTO needs (need_id, staff_ref, skill_id, priority, wanted_role, raised_on, "
        "status, hours, note) VALUES ('N9', 'C2', 'mathematics', 'low', 'coach', "
        "DATE '2026-06-01', 'open', 4.5, 'before leaving')"
    )
    with pytest.raises(PermissionDenied):
        get_need(tiny, Viewer("viewer"), "N9")  # aggregates only: no person-level reads
    viewers = [ADMIN, Viewer("headteacher", "C"), Viewer("sle_coordinator")]
    seen = _assert_get_need_as_joined(tiny, viewers, ["N1", "N2", "N3", "N9"])
    leaver = [n for n in seen if n.need_id == "N9"]
    assert [n.staff_left_on is not None for n in leaver] == [True]  # the administrator only
    assert leaver[0].hours == 4.5 and leaver[0].note == "before leaving"


def _audit_rows(con) -> list[tuple]:
    return con.execute("SELECT action, detail FROM audit_log ORDER BY audit_id").fetchall()


@pytest.mark.parametrize("route", ["fast", "general", "no stored parts"])
def test_a_candidates_list_is_audited_once_whichever_route_builds_it(
    demo, monkeypatch, route
) -> None:
    """Listing candidates shows staff across schools, so it is recorded — one "candidates"
    entry naming the need, never a stray "search" from the route that happened to answer."""
    needs = list_needs(demo, ADMIN, statuses=("open",))
    need_id = needs[needs["staff_left_on"].isna()]["need_id"].iloc[0]
    with monkeypatch.context() as m:
        if route != "fast":
            m.setattr(stored, "pool_for_need", lambda *args, **kwargs: None)
        if route == "no stored parts":
            unusable = maintenance.PartsStatus(False, None, "not built")
            m.setattr(maintenance, "parts_status", lambda *args, **kwargs: unusable)
        before = len(_audit_rows(demo))
        listed = cand.candidates_for_need(demo, ADMIN, need_id, as_of=DEMO_AS_OF, params=SMALL)
        new = _audit_rows(demo)[before:]
    assert [action for action, _ in new] == ["candidates"]
    assert f'"need_id": "{need_id}"' in new[0][1]
    assert f'"listed": {len(listed.frame)}' in new[0][1]
