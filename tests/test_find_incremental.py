"""Maintenance that follows writes (issue 24): after any sequence of evidence and coaching
writes, each followed by `people_parts.refresh_people` for the person it touched, the stored
parts equal a full re-lay and every find keeps the stored route with the same answers."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokering.db import Connection
from brokering.find import find_expertise, maintenance, people_parts
from brokering.importing import import_paths
from brokering.scoring import DEFAULT_PARAMS
from brokering.store import open_store
from brokering.viewer import Viewer, operator
from tests.conftest import TINY, TINY_TODAY

ADMIN = operator("test")
STAFF = ("A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2")
SKILLS = ("mathematics", "chemistry", "autism-support")
TYPES = tuple(DEFAULT_PARAMS.type_weights)


@cache
def _store() -> Connection:
    """One tiny store for every example (each starts from a full re-lay of what it holds)."""
    con = open_store(":memory:")
    assert import_paths(con, [TINY], ADMIN, today=TINY_TODAY).ok
    return con


def _parts(con: Connection) -> tuple[list, list]:
    parts = con.execute(
        f"SELECT skill_id, staff_ref, phase, n, latest, round(s_sum, 9), round(p_sw, 9),"
        f" round(p_w, 9), round(c_sw, 9), round(c_w, 9), c_n, round(s1, 9)"
        f" FROM {maintenance.PARTS} ORDER BY ALL"
    ).fetchall()
    ranks = con.execute(
        f"SELECT skill_id, [round(x, 9) FOR x IN s1_at] FROM {maintenance.RANKS} ORDER BY ALL"
    ).fetchall()
    return parts, ranks


def _answers(con: Connection) -> dict:
    out = {}
    for viewer in (ADMIN, Viewer("senior_leader", "B", "t")):
        for skill in SKILLS:
            for rank_by in ("practice", "coaching"):
                found = find_expertise(
                    con, viewer, skill, as_of=TINY_TODAY, rank_by=rank_by, audited=False
                )
                assert found.stored_parts, (skill, rank_by)  # the fast path did not lapse
                out[viewer.role, skill, rank_by] = (
                    found.rows.drop(columns="latest_evidence").round(6).to_dict("list")
                )
    return out


day = st.integers(min_value=0, max_value=900).map(lambda d: TINY_TODAY - timedelta(days=d))
evidence = st.tuples(
    st.just("evidence"),
    st.sampled_from(STAFF),
    st.sampled_from(SKILLS),
    st.sampled_from(TYPES),
    st.integers(1, 4),
    day,
)
coaching = st.tuples(
    st.just("coaching"),
    st.sampled_from(STAFF),
    st.sampled_from(SKILLS),
    st.none() | st.integers(1, 4),
    st.none() | st.integers(1, 5),
    day,
)


def _write(con: Connection, write: tuple) -> str:
    kind, ref, skill, a, b, when = write
    if kind == "evidence":
        con.execute(
            "INSERT INTO evidence (staff_ref, skill_id, evidence_type, strength, date,"
            " recorded_by) VALUES (?, ?, ?, ?, ?, 'test')",
            [ref, skill, a, b, when],
        )
        return people_parts.refresh_people(con, [ref], evidence_added=1)
    con.execute(
        "INSERT INTO coaching (coach_ref, coachee_ref, skill_id, mode, start_date,"
        " outcome_strength, feedback_score) VALUES (?, 'A1', ?, 'coaching', ?, ?, ?)",
        [ref, skill, when, a, b],
    )
    return people_parts.refresh_people(con, [ref], coaching_added=1)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(evidence | coaching, min_size=1, max_size=4))
def test_incremental_refresh_equals_a_full_relay(writes: list[tuple]) -> None:
    con = _store()
    maintenance.build_find_parts(con)
    outcomes = [_write(con, w) for w in writes]
    assert set(outcomes) <= {"refreshed", "rebuilt"}
    assert maintenance.parts_status(con, TINY_TODAY).usable
    incremental, answers = _parts(con), _answers(con)
    if "rebuilt" not in outcomes:  # the stored sums equal a full build's to the same epoch
        assert incremental == _fresh(con)
    maintenance.build_find_parts(con)
    assert _answers(con) == answers


def _fresh(con: Connection) -> tuple[list, list]:
    """The parts and ranks a full build gives now, counted from the stored parts' epoch (and
    s1 from their `ranked_at`): a full build itself moves the epoch past a newer record."""
    status = maintenance.parts_status(con, TINY_TODAY)
    sql, values = maintenance.parts_query(DEFAULT_PARAMS, status.epoch, ranked_at=status.ranked_at)
    cols = "skill_id, staff_ref, phase, n, latest, s_sum, p_sw, p_w, c_sw, c_w, c_n, s1"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _fresh AS SELECT {cols} FROM ({sql})", values)  # noqa: S608
    parts = con.execute(
        "SELECT skill_id, staff_ref, phase, n, latest, round(s_sum, 9), round(p_sw, 9),"
        " round(p_w, 9), round(c_sw, 9), round(c_w, 9), c_n, round(s1, 9)"
        " FROM _fresh ORDER BY ALL"
    ).fetchall()
    ranks = con.execute(
        "SELECT skill_id, [round(x, 9) FOR x IN s1_at] FROM (SELECT skill_id, "
        "list(s1 ORDER BY rk) FILTER (WHERE list_contains(?, rk)) AS s1_at FROM ("
        "SELECT skill_id, s1, row_number() OVER (PARTITION BY skill_id ORDER BY s1 DESC) "
        "AS rk FROM _fresh WHERE n > 0) GROUP BY skill_id) ORDER BY ALL",
        [list(maintenance.S1_RANKS)],
    ).fetchall()
    con.execute("DROP TABLE _fresh")
    return parts, ranks


def test_a_write_after_other_changes_leaves_stale_parts_alone(tiny) -> None:
    maintenance.build_find_parts(tiny)
    tiny.execute(
        "INSERT INTO evidence (staff_ref, skill_id, evidence_type, strength, date, recorded_by)"
        " VALUES ('A2', 'chemistry', 'observation', 4, DATE '2026-01-01', 'test')"
    )  # written without a refresh: the parts are stale
    tiny.execute(
        "INSERT INTO coaching (coach_ref, coachee_ref, skill_id, mode, start_date)"
        " VALUES ('B2', 'A1', 'chemistry', 'coaching', DATE '2026-01-01')"
    )
    assert people_parts.refresh_people(tiny, ["B2"], coaching_added=1) == "already stale"
    assert not maintenance.parts_status(tiny, TINY_TODAY).usable


def test_before_any_build_there_is_nothing_to_refresh(tiny) -> None:
    assert people_parts.refresh_people(tiny, ["B2"], coaching_added=1) == "not built"


def test_tiny_newest_record_is_before_today_and_the_epoch_after() -> None:
    """The property above writes records before and after the newest one, all before the
    epoch (set ahead of the data), so every write is re-worked in place, not rebuilt."""
    con = _store()
    maintenance.build_find_parts(con)
    status = maintenance.parts_status(con, TINY_TODAY)
    assert status.newest is not None and date(2025, 1, 1) < status.newest <= TINY_TODAY
    assert status.epoch is not None and TINY_TODAY < status.epoch


def test_a_record_dated_today_is_reworked_in_place_not_rebuilt() -> None:
    """Issue 24: a write of today's record (after the newest one the parts hold) kept the
    parts current only by a full re-lay; now it re-works its person's rows alone, the other
    people's rows stand, and the finds at today equal the live route's."""
    con = open_store(":memory:")
    assert import_paths(con, [TINY], ADMIN, today=TINY_TODAY).ok
    maintenance.build_find_parts(con)
    before = maintenance.parts_status(con, TINY_TODAY)
    others = f"SELECT * FROM {maintenance.PARTS} WHERE staff_ref <> 'A2' ORDER BY ALL"  # noqa: S608
    kept = con.execute(others).fetchall()
    write = ("evidence", "A2", "chemistry", "observation", 4, TINY_TODAY)
    assert _write(con, write) == "refreshed"
    after = maintenance.parts_status(con, TINY_TODAY)
    assert after.usable and after.newest == TINY_TODAY and after.epoch == before.epoch
    assert not maintenance.parts_status(con, TINY_TODAY - timedelta(days=1)).usable
    assert con.execute(others).fetchall() == kept  # only A2's rows were re-worked
    assert _parts(con) == _fresh(con)

    def answers(stored: bool) -> dict:
        out = {}
        for skill in SKILLS:
            for rank_by in ("practice", "coaching"):
                found = find_expertise(
                    con, ADMIN, skill, as_of=TINY_TODAY, rank_by=rank_by, audited=False
                )
                assert found.stored_parts == stored, (skill, rank_by)
                out[skill, rank_by] = (
                    found.rows.drop(columns="latest_evidence").round(6).to_dict("list")
                )
        return out

    stored = answers(True)
    maintenance.drop_find_parts(con)
    assert answers(False) == stored


# --- every write path in the app leaves the fast path in place ------------------------------
def _fast(con: Connection) -> bool:
    return all(
        find_expertise(con, ADMIN, s, as_of=TINY_TODAY, rank_by=r, audited=False).stored_parts
        for s in SKILLS
        for r in ("practice", "coaching")
    )


def test_an_accepted_request_keeps_finds_on_the_stored_parts(tiny) -> None:
    from brokering.matching import needs, requests

    maintenance.build_find_parts(tiny)
    need = needs.add_need(
        tiny,
        Viewer("headteacher", "C", "head-c"),
        staff_ref="C1",
        skill="Mathematics",
        wanted_role="coach",
        today=TINY_TODAY,
    ).need_id
    req = requests.send_request(
        tiny, Viewer("headteacher", "C", "head-c"), need, "B2", note="x", as_of=TINY_TODAY
    )
    requests.decide(
        tiny,
        Viewer("headteacher", "B", "head-b"),
        req.request_id,
        accept=True,
        today=TINY_TODAY,
        colleague_agreed_on=TINY_TODAY,
    )
    assert maintenance.fast_path(tiny, TINY_TODAY)["current"] is True
    assert _fast(tiny)
    coaching = find_expertise(tiny, ADMIN, "mathematics", as_of=TINY_TODAY, rank_by="coaching")
    assert coaching.rows.set_index("staff_ref").loc["B2", "coaching_records"] == 2  # the new one
    fresh = _answers(tiny)
    maintenance.build_find_parts(tiny)
    assert _answers(tiny) == fresh


def test_consent_and_pairing_writes_leave_the_parts_current(tiny) -> None:
    from brokering.consent import set_consent
    from brokering.pairings import entries, service
    from brokering.pairings.model import EntryDraft, PairingDraft

    maintenance.build_find_parts(tiny)
    set_consent(tiny, ADMIN, "B3", False)
    pid = service.log_pairing(
        tiny,
        ADMIN,
        PairingDraft(
            donors=("C1",),
            recipients=("A2",),
            skill_id="questioning",
            work_kind="coaching",
            start_date=date(2026, 9, 1),
            review_date=date(2026, 12, 1),
            status="active",
        ),
        today=TINY_TODAY,
    )
    entry = EntryDraft(
        "observation", date(2026, 10, 1), hours=1.0, observed_ref="A2", recorded_by="C1"
    )
    entries.add_entry(tiny, ADMIN, pid, entry, today=TINY_TODAY)
    assert maintenance.parts_status(tiny, TINY_TODAY).usable
    assert _fast(tiny)
    seen = find_expertise(tiny, Viewer("senior_leader", "A", "t"), "mathematics", as_of=TINY_TODAY)
    assert "B3" not in seen.rows["staff_ref"].tolist()  # the withdrawal, on the fast path


def test_a_record_after_the_epoch_still_rebuilds_in_full() -> None:
    """Past the epoch the stored sums cannot take the record in (its weight would be clamped):
    the parts are rebuilt, with the epoch moved a margin past it."""
    con = open_store(":memory:")
    assert import_paths(con, [TINY], ADMIN, today=TINY_TODAY).ok
    maintenance.build_find_parts(con)
    epoch = maintenance.parts_status(con, TINY_TODAY).epoch
    assert epoch is not None
    late = epoch + timedelta(days=1)
    assert _write(con, ("evidence", "A2", "chemistry", "observation", 4, late)) == "rebuilt"
    status = maintenance.parts_status(con, late)
    assert status.usable and status.newest == late
    assert status.epoch == late + timedelta(days=maintenance.EPOCH_MARGIN_DAYS)
    assert not maintenance.parts_status(con, TINY_TODAY).usable  # before the newest record
