"""The inbox, reply-by dates and lapse, the colleague's agreement, concurrent decisions and the
"possibly unavailable" flag — all on a fixed clock (every call takes its day; no sleeps).

Scenario on the tiny alliance: C1 (school C) needs a mathematics coach; B2 (school B) is
asked on Friday 20 November 2026, so school B has until Friday 4 December (10 school days)."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest

from brokering import alliance_settings
from brokering.cli import main
from brokering.errors import BrokeringError, PermissionDenied, ValidationError
from brokering.inbox import acknowledge, build_inbox, decide_many
from brokering.matching import allocation, availability, candidates, lapse, needs, requests
from brokering.matching.capacity import capacity_left
from brokering.matching.commit import commit_allocation
from brokering.terms import Calendar, add_school_days, school_days_between
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY, data_tables

HEAD_B = Viewer("headteacher", "B", "head-b")
LEADER_B = Viewer("senior_leader", "B", "leader-b")
HEAD_C = Viewer("headteacher", "C", "head-c")
HEAD_A = Viewer("headteacher", "A", "head-a")
COORD = Viewer("sle_coordinator", None, "coord")
REPLY_BY = date(2026, 12, 4)


@pytest.fixture
def need_c1(tiny) -> str:
    return needs.add_need(
        tiny, HEAD_C, staff_ref="C1", skill="Mathematics", wanted_role="coach", today=TINY_TODAY
    ).need_id


def _send(con, need_id: str, coach: str = "B2", **kw) -> requests.Request:
    return requests.send_request(con, HEAD_C, need_id, coach, as_of=TINY_TODAY, **kw)


def _second_coach(con) -> None:
    """A2 (school A) becomes a proposable mathematics coach: hours, and a past coaching record."""
    con.execute("UPDATE staff SET capacity_hours = 30 WHERE staff_ref = 'A2'")
    con.execute(
        "INSERT INTO coaching (coach_ref, coachee_ref, skill_id, mode, start_date, end_date) "
        "VALUES ('A2', 'B3', 'mathematics', 'coaching', '2025-01-01', '2025-06-01')"
    )


def _left(con, ref: str, day: date) -> float:
    frame = capacity_left(con, Viewer("alliance_admin"), as_of=day, staff_refs=[ref])
    return float(frame["hours_left"].iloc[0])


def _kinds(con, viewer: Viewer, day: date, needs: bool = False) -> list[tuple[str, str]]:
    """(kind, id) of the viewer's items; needs without a request only when asked for (the
    tiny alliance has open needs of its own)."""
    items = build_inbox(con, viewer, as_of=day).items
    return [(i.kind, i.id) for i in items if needs or i.kind != "need_unproposed"]


def test_school_days_skip_weekends_and_closures() -> None:
    assert add_school_days(TINY_TODAY, 10) == REPLY_BY
    assert add_school_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # Saturday -> Monday
    shut = Calendar(closures=((date(2026, 11, 23), date(2026, 11, 27)),))
    assert add_school_days(TINY_TODAY, 10, shut) == date(2026, 12, 11)
    assert school_days_between(TINY_TODAY, REPLY_BY) == 10
    assert school_days_between(REPLY_BY, TINY_TODAY) == 0


def test_a_request_has_a_reply_by_date_from_the_alliance_setting(tiny, need_c1) -> None:
    assert _send(tiny, need_c1).reply_by == REPLY_BY
    requests.withdraw_request(tiny, HEAD_C, 1)
    alliance_settings.put(tiny, COORD, "reply_days", 5)
    assert _send(tiny, need_c1).reply_by == date(2026, 11, 27)
    with pytest.raises(PermissionDenied):
        alliance_settings.put(tiny, HEAD_B, "reply_days", 3)
    with pytest.raises(ValidationError, match="from 1 to 60"):
        alliance_settings.put(tiny, COORD, "reply_days", 0)


def test_a_reply_by_in_the_past_is_refused_and_nothing_written(tiny, need_c1) -> None:
    before = data_tables(tiny)
    with pytest.raises(ValidationError, match="in the past"):
        _send(tiny, need_c1, reply_by=TINY_TODAY - timedelta(days=1))
    assert data_tables(tiny) == before
    assert tiny.execute("SELECT count(*) FROM match_requests").fetchall() == [(0,)]
    assert _send(tiny, need_c1, reply_by=TINY_TODAY).reply_by == TINY_TODAY  # today is fine


def test_past_the_reply_by_date_a_request_lapses_and_its_hours_are_released(tiny, need_c1) -> None:
    req = _send(tiny, need_c1)
    assert _kinds(tiny, HEAD_B, REPLY_BY) == [("request_to_decide", str(req.request_id))]
    assert _left(tiny, "B2", REPLY_BY) == 6.0  # held on the last day to answer
    day_after = REPLY_BY + timedelta(days=1)
    assert _kinds(tiny, HEAD_B, day_after) == []  # lapsed: no longer waits for school B
    lapsed = requests._get(tiny, req.request_id)
    assert (lapsed.status, lapsed.coach_ref, lapsed.reply_by) == ("lapsed", "B2", REPLY_BY)
    assert _left(tiny, "B2", day_after) == 12.0
    assert ("request_lapsed", str(req.request_id)) in _kinds(tiny, HEAD_C, day_after)
    with pytest.raises(ValidationError, match="already lapsed .*nobody answered by 04 December"):
        requests.decide(
            tiny,
            HEAD_B,
            req.request_id,
            accept=True,
            today=day_after,
            colleague_agreed_on=day_after,
        )
    history = requests.list_requests(tiny, HEAD_C)
    assert history[["request_id", "status", "coach_ref"]].values.tolist() == [
        [req.request_id, "lapsed", "B2"]
    ]


def test_after_a_lapse_the_next_candidate_is_asked_in_one_click(tiny, need_c1) -> None:
    _second_coach(tiny)
    first = _send(tiny, need_c1)
    day_after = REPLY_BY + timedelta(days=1)
    following = lapse.next_candidate(tiny, HEAD_C, first.request_id, as_of=day_after)
    assert following is not None and following["staff_ref"] == "A2"
    with pytest.raises(PermissionDenied):
        lapse.reoffer(tiny, HEAD_A, first.request_id, as_of=day_after)
    second = lapse.reoffer(tiny, HEAD_C, first.request_id, as_of=day_after)
    assert (second.coach_ref, second.reoffer_of, second.status) == (
        following["staff_ref"],
        first.request_id,
        "pending",
    )
    assert second.reply_by == add_school_days(day_after, 10)
    assert ("request_lapsed", str(first.request_id)) not in _kinds(tiny, HEAD_C, day_after)
    with pytest.raises(ValidationError, match="already followed"):
        lapse.reoffer(tiny, HEAD_C, first.request_id, as_of=day_after)
    statuses = tiny.execute(
        "SELECT request_id, status, coach_ref FROM match_requests ORDER BY request_id"
    ).fetchall()
    assert statuses == [
        (first.request_id, "lapsed", "B2"),
        (second.request_id, "pending", second.coach_ref),
    ]


def test_accepting_records_the_colleagues_agreement(tiny, need_c1) -> None:
    req = _send(tiny, need_c1)
    before = data_tables(tiny)
    with pytest.raises(ValidationError, match="Tick that B2 agreed"):
        requests.decide(tiny, HEAD_B, req.request_id, accept=True, today=TINY_TODAY)
    with pytest.raises(ValidationError, match="in the future"):
        requests.decide(
            tiny,
            HEAD_B,
            req.request_id,
            accept=True,
            today=TINY_TODAY,
            colleague_agreed_on=TINY_TODAY + timedelta(days=1),
        )
    assert data_tables(tiny) == before
    done = requests.decide(
        tiny,
        HEAD_B,
        req.request_id,
        accept=True,
        today=TINY_TODAY,
        colleague_agreed_on=date(2026, 11, 19),
    )
    assert (done.status, done.colleague_agreed_on) == ("accepted", date(2026, 11, 19))
    assert _kinds(tiny, HEAD_C, TINY_TODAY) == [("request_answered", str(req.request_id))]
    assert acknowledge(tiny, HEAD_A, [req.request_id]) == 0  # not theirs to note
    assert acknowledge(tiny, HEAD_C, [req.request_id]) == 1
    assert _kinds(tiny, HEAD_C, TINY_TODAY) == []


def test_two_leaders_deciding_at_once_exactly_one_wins(tiny, need_c1) -> None:
    req = _send(tiny, need_c1)
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def answer(viewer: Viewer, accept: bool) -> None:
        cur = tiny.cursor()
        start.wait()
        try:
            done = requests.decide(
                cur,
                viewer,
                req.request_id,
                accept=accept,
                reason="" if accept else "Exam season",
                today=TINY_TODAY,
                colleague_agreed_on=TINY_TODAY,
            )
            results[viewer.username] = done.status
        except BrokeringError as exc:
            results[viewer.username] = exc

    threads = [
        threading.Thread(target=answer, args=(HEAD_B, True)),
        threading.Thread(target=answer, args=(LEADER_B, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [v for v in results.values() if isinstance(v, str)]
    lost = [v for v in results.values() if isinstance(v, BrokeringError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "answered by someone else" in str(lost[0]) or "already" in str(lost[0])
    final = requests._get(tiny, req.request_id).status
    assert final == won[0]
    made = tiny.execute("SELECT count(*) FROM coaching WHERE coachee_ref = 'C1'").fetchall()
    assert made == [(1 if final == "accepted" else 0,)]


def test_a_stale_second_decision_is_refused_by_the_conditional_update(tiny, need_c1) -> None:
    """The second leader read the request while it was pending; the first answered since."""
    req = _send(tiny, need_c1)
    stale = requests._get(tiny, req.request_id)
    requests.decide(tiny, LEADER_B, req.request_id, accept=False, reason="No", today=TINY_TODAY)
    original = requests._get
    requests._get = lambda con, rid: stale  # type: ignore[assignment]
    try:
        with pytest.raises(ValidationError, match="answered by someone else .*declined"):
            requests.decide(
                tiny,
                HEAD_B,
                req.request_id,
                accept=True,
                today=TINY_TODAY,
                colleague_agreed_on=TINY_TODAY,
            )
    finally:
        requests._get = original  # type: ignore[assignment]
    assert tiny.execute("SELECT count(*) FROM coaching WHERE coachee_ref = 'C1'").fetchall() == [
        (0,)
    ]


def test_several_requests_declined_together_with_one_reason(tiny) -> None:
    tiny.execute("UPDATE staff SET capacity_hours = 30 WHERE staff_ref = 'B2'")
    ids = []
    for ref in ("C1", "A2"):
        school = HEAD_C if ref == "C1" else HEAD_A
        need = needs.add_need(tiny, school, staff_ref=ref, skill="Mathematics", today=TINY_TODAY)
        ids.append(
            requests.send_request(tiny, school, need.need_id, "B2", as_of=TINY_TODAY).request_id
        )
    with pytest.raises(ValidationError, match="Say why"):
        decide_many(tiny, HEAD_B, ids, accept=False, reason=" ", today=TINY_TODAY)
    out = decide_many(tiny, HEAD_B, [*ids, 999], accept=False, reason="Ofsted", today=TINY_TODAY)
    assert [o.ok for o in out] == [True, True, False]
    reasons = tiny.execute("SELECT status, reason FROM match_requests ORDER BY 1").fetchall()
    assert reasons == [("declined", "Ofsted")] * 2


def test_repeated_lapses_flag_a_coach_to_their_own_school_only(tiny, need_c1) -> None:
    _second_coach(tiny)
    first = _send(tiny, need_c1, "A2")
    day_after = REPLY_BY + timedelta(days=1)
    again = requests.send_request(tiny, HEAD_C, need_c1, "A2", as_of=day_after)
    later = again.reply_by + timedelta(days=1)
    assert availability.flagged_refs(tiny, day_after) == frozenset()  # one lapse is not enough
    assert ("coach_unavailable", "A2") in _kinds(tiny, HEAD_A, later)
    assert ("coach_unavailable", "A2") in _kinds(tiny, Viewer("senior_leader", "A"), later)
    for other in (HEAD_B, HEAD_C, COORD, Viewer("alliance_admin")):
        assert availability.flagged_for(tiny, other, later).empty
        assert all(k != "coach_unavailable" for k, _ in _kinds(tiny, other, later))
    assert [r for (r,) in tiny.execute("SELECT status FROM match_requests").fetchall()] == [
        "lapsed",
        "lapsed",
    ]
    assert first.request_id != again.request_id
    # Proposed lower: after every other proposable candidate, without saying why.
    need = needs.get_need(tiny, HEAD_C, need_c1)
    frame = candidates.rank_candidates(tiny, HEAD_C, need, as_of=later).frame
    assert frame[frame["proposable"]]["staff_ref"].tolist() == ["B2", "A2"]
    assert frame["rank"].tolist() == list(range(1, len(frame) + 1))
    assert not frame["flags"].str.contains("unavailable").any()
    unflagged = candidates.rank_candidates(tiny, HEAD_C, need, as_of=day_after).frame
    assert unflagged[unflagged["proposable"]]["staff_ref"].tolist() == ["A2", "B2"]
    with pytest.raises(PermissionDenied):
        availability.confirm_available(tiny, HEAD_C, "A2", as_of=later)
    availability.confirm_available(tiny, HEAD_A, "A2", as_of=later)
    assert availability.flagged_for(tiny, HEAD_A, later).empty
    assert availability.flagged_refs(tiny, later) == frozenset()


def test_a_quiet_pairing_flags_its_donor(tiny) -> None:
    tiny.execute(
        "INSERT INTO pairing_versions (pairing_id, version, skill_id, work_kind, status, "
        "start_date, disciplines, change, changed_by) VALUES "
        "('P1', 1, 'mathematics', 'coaching', 'active', DATE '2026-09-01', [], 'created', 't')"
    )
    tiny.execute(
        "INSERT INTO pairing_participants VALUES ('P1', 1, 'B2', 'donor'), "
        "('P1', 1, 'C1', 'recipient')"
    )
    assert availability.flagged_refs(tiny, date(2026, 10, 1)) == frozenset()
    assert availability.flagged_refs(tiny, TINY_TODAY) == frozenset({"B2"})  # 11 weeks quiet
    assert ("coach_unavailable", "B2") in _kinds(tiny, HEAD_B, TINY_TODAY)
    availability.confirm_available(tiny, HEAD_B, "B2", as_of=TINY_TODAY)
    assert availability.flagged_refs(tiny, TINY_TODAY) == frozenset()
    assert availability.flagged_refs(tiny, TINY_TODAY + timedelta(weeks=7)) == frozenset({"B2"})


def test_flags_read_for_a_few_people_are_theirs_among_everyones(tiny) -> None:
    """A candidates list reads the flags of its own people only (pairings picked out before
    their versions are compared): the same flags as everyone's, for them. P1's donor changed
    in its second version; P2's only recent log entry was withdrawn."""
    tiny.execute(
        "INSERT INTO pairing_versions (pairing_id, version, skill_id, work_kind, status, "
        "start_date, disciplines, change, changed_by) VALUES "
        "('P1', 1, 'mathematics', 'coaching', 'active', DATE '2026-09-01', [], 'created', 't'),"
        "('P1', 2, 'mathematics', 'coaching', 'active', DATE '2026-09-01', [], 'edited', 't'),"
        "('P2', 1, 'mathematics', 'coaching', 'active', DATE '2026-09-01', [], 'created', 't')"
    )
    tiny.execute(
        "INSERT INTO pairing_participants VALUES ('P1', 1, 'B2', 'donor'), "
        "('P1', 1, 'C1', 'recipient'), ('P1', 2, 'A2', 'donor'), ('P1', 2, 'C1', 'recipient'),"
        "('P2', 1, 'B2', 'donor'), ('P2', 1, 'A1', 'recipient')"
    )
    tiny.execute(
        "INSERT INTO pairing_entries (entry_id, version, pairing_id, entry_type, date, who, "
        "flow, withdrawn, change, changed_by) VALUES "
        "(1, 1, 'P2', 'meeting', DATE '2026-11-10', ['B2'], 'donor_to_recipient', FALSE, "
        "'created', 't'), (1, 2, 'P2', 'meeting', DATE '2026-11-10', ['B2'], "
        "'donor_to_recipient', TRUE, 'withdrawn', 't')"
    )
    people = ["A1", "A2", "B2", "B3", "C1"]
    for day in (date(2026, 10, 1), TINY_TODAY, TINY_TODAY + timedelta(weeks=7)):
        everyone = availability.flagged_refs(tiny, day)
        for among in (people, ["B2"], ["A2", "C1"], []):
            assert availability.flagged_refs(tiny, day, among=among) == everyone & set(among)
    assert availability.flagged_refs(tiny, TINY_TODAY) == frozenset({"A2", "B2"})


def test_needs_without_a_request_wait_for_their_school_and_the_coordinator(tiny, need_c1) -> None:
    assert ("need_unproposed", need_c1) in _kinds(tiny, HEAD_C, TINY_TODAY, True)
    assert ("need_unproposed", need_c1) in _kinds(tiny, COORD, TINY_TODAY, True)
    assert ("need_unproposed", need_c1) not in _kinds(tiny, HEAD_B, TINY_TODAY, True)
    _send(tiny, need_c1)
    assert ("need_unproposed", need_c1) not in _kinds(tiny, HEAD_C, TINY_TODAY, True)
    assert build_inbox(tiny, Viewer("viewer"), as_of=TINY_TODAY).count == 0


def test_inbox_command_json_keys(tiny, need_c1, tmp_path, capsys, monkeypatch) -> None:
    path = tmp_path / "a.duckdb"
    tiny.execute(f"ATTACH '{path}' AS f")
    tiny.execute("COPY FROM DATABASE memory TO f")
    tiny.execute("DETACH f")
    from brokering import accounts
    from brokering.store import open_store

    c = open_store(path)
    accounts.create_user(
        c, Viewer("alliance_admin"), "head-c", "a-long-password-1", "headteacher", "C"
    )
    c.close()
    assert (
        main(["--db", str(path), "--as", "head-c", "inbox", "--as-of", "2026-11-20", "--json"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["ok", "user", "as_of", "count", "counts", "items"]
    assert out["count"] == 1 and out["items"][0]["kind"] == "need_unproposed"
    assert list(out["items"][0]) == ["kind", "id", "state", "title", "due", "school_id", "page"]


def test_an_allocation_batch_is_followed(tiny, tmp_path, capsys) -> None:
    from brokering.matching import batches

    _second_coach(tiny)
    plan = allocation.plan_allocation(tiny, COORD, as_of=TINY_TODAY)
    sent = commit_allocation(tiny, COORD, plan, "optimal")
    (rid,) = [r for r in sent.request_ids if requests._get(tiny, r).coach_ref == "B2"] or [
        sent.request_ids[0]
    ]
    req = requests._get(tiny, rid)
    school = Viewer("headteacher", req.coach_school_id, "head-x")
    requests.decide(tiny, school, rid, accept=False, reason="Ofsted week", today=TINY_TODAY)
    asking = Viewer("headteacher", "B", "head-b")  # N1 is B3's need, at school B
    lapse.reoffer(tiny, asking, rid, as_of=TINY_TODAY)
    frame = batches.list_batches(tiny, COORD, as_of=TINY_TODAY)
    row = frame.set_index("batch_id").loc[sent.batch_id]
    assert (row["sent"], row["declined"], row["reoffered"]) == (len(sent.request_ids), 1, 1)
    detail = batches.batch_requests(tiny, COORD, sent.batch_id, as_of=TINY_TODAY)
    declined = detail[detail["request_id"] == rid].iloc[0]
    assert declined["reason"] == "Ofsted week" and declined["followed_by"] > rid
    with pytest.raises(PermissionDenied):
        batches.list_batches(tiny, HEAD_B)
    path = tmp_path / "b.duckdb"
    tiny.execute(f"ATTACH '{path}' AS f")
    tiny.execute("COPY FROM DATABASE memory TO f")
    tiny.execute("DETACH f")
    args = ["--db", str(path), "allocation-batch", sent.batch_id, "--as-of", "2026-11-20"]
    assert main([*args, "--json"]) == 0
    (batch,) = json.loads(capsys.readouterr().out)["batches"]
    assert list(batch) == [
        "batch_id",
        "sent_at",
        "sent",
        "pending",
        "accepted",
        "declined",
        "lapsed",
        "withdrawn",
        "reoffered",
        "requests",
    ]
    assert list(batch["requests"][0]) == [
        "request_id",
        "need_id",
        "coach_ref",
        "status",
        "reason",
        "followed_by",
    ]
