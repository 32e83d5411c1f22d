"""Derived facts kept current by the writes themselves (issue 24): after any sequence of
pairing, log, consent and accepted-request writes through the product's own functions, every
derived set (the dashboard's facts, the maturity summary, the ledger's facts) is still current
— so the first read after a write rebuilds nothing — and its tables hold exactly what a full
rebuild would."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from brokering import derived, derived_sets
from brokering.consent import set_consent
from brokering.db import Connection
from brokering.errors import BrokeringError
from brokering.importing import import_paths
from brokering.matching import candidates, needs, requests
from brokering.pairings import entries, service
from brokering.pairings.model import EntryDraft, PairingDraft
from brokering.store import open_store
from brokering.viewer import Viewer, operator
from tests.conftest import TINY, TINY_TODAY

ADMIN = operator("test")
STAFF = ("A1", "A2", "A3", "B1", "B2", "B3", "C1")
SKILLS = ("mathematics", "questioning", "behaviour-and-routines")
TARGETS = ("agreed", "active", "review due", "transferred", "not transferred", "stopped")
FLOWS = ("donor to recipient", "recipient to donor", "both ways")
START = date(2026, 9, 10)


@cache
def _store() -> Connection:
    """One tiny store for every example (each starts from a full build of what it holds)."""
    con = open_store(":memory:")
    assert import_paths(con, [TINY], ADMIN, today=TINY_TODAY).ok
    con.execute("UPDATE staff SET capacity_hours = 1000")  # room for many accepted requests
    return con


def rebuilt_equal(con: Connection) -> dict[str, bool]:
    """Per set: is it current, and does each stored table hold what its SQL gives now?"""
    out = {}
    for spec in derived_sets.all_sets():
        same = derived.is_current(con, spec)
        inline = spec.inline()
        for t in spec.tables:
            stored = con.execute(f"SELECT * FROM {spec.table_name(t.key)}").df()
            fresh = con.execute(f"SELECT * FROM {inline[t.key]}").df()
            cols = list(fresh.columns)
            a = stored[cols].sort_values(cols, ignore_index=True, na_position="first")
            b = fresh.sort_values(cols, ignore_index=True, na_position="first")
            try:
                pd.testing.assert_frame_equal(a, b, check_dtype=False)
            except AssertionError:
                same = False
        out[spec.name] = same
    return out


def _pairings(con: Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT pairing_id FROM pairings ORDER BY 1").fetchall()]


def _entries(con: Connection) -> list[int]:
    rows = con.execute("SELECT entry_id FROM pairing_log ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def _members(con: Connection, pid: str) -> list[tuple[str, str]]:
    sql = "SELECT staff_ref, side FROM pairing_members WHERE pairing_id = ? ORDER BY ALL"
    return con.execute(sql, [pid]).fetchall()


def _apply(con: Connection, op: tuple) -> None:  # noqa: C901 - one branch per kind of write
    kind, *a = op
    day = START + timedelta(days=a[-1])
    if kind == "log":
        donor, recipient, status, skill = a[:4]
        draft = PairingDraft(
            donors=(donor,), recipients=(recipient,), skill_id=skill, work_kind="coaching",
            start_date=START, review_date=date(2026, 11, 1), status=status, cover_hours=1.5,
        )  # fmt: skip
        service.log_pairing(con, ADMIN, draft, today=TINY_TODAY)
        return
    pids = _pairings(con)
    if kind == "consent":
        set_consent(con, ADMIN, a[0], a[1], on=TINY_TODAY)
        return
    if kind == "accept":
        head = Viewer("headteacher", a[0][0], "head-need")
        open_ = con.execute(
            "SELECT need_id FROM needs WHERE staff_ref = ? AND status = 'open'", [a[0]]
        ).fetchall()
        need_id = (
            open_[0][0]
            if open_
            else needs.add_need(
                con,
                head,
                staff_ref=a[0],
                skill="Mathematics",
                wanted_role="coach",
                today=TINY_TODAY,
            ).need_id
        )
        found = candidates.candidates_for_need(con, head, need_id, as_of=TINY_TODAY).frame
        coaches = found.loc[found["proposable"], "staff_ref"].tolist()
        if not coaches:
            return
        coach = str(coaches[a[1] % len(coaches)])
        req = requests.send_request(con, head, need_id, coach, note="x", as_of=TINY_TODAY)
        coach_head = Viewer("headteacher", coach[0], "head-coach")
        requests.decide(
            con, coach_head, req.request_id, accept=True, today=TINY_TODAY,
            colleague_agreed_on=TINY_TODAY, also_pairing=a[2],
        )  # fmt: skip
        return
    if not pids:
        return
    pid = pids[a[0] % len(pids)]
    people = _members(con, pid)
    if kind == "move":
        service.move(
            con, ADMIN, pid, a[1], reason="because", review_date=date(2026, 12, 1),
            today=TINY_TODAY,
        )  # fmt: skip
    elif kind == "people":
        service.edit_pairing(con, ADMIN, pid, {"recipients": (a[1],)}, today=TINY_TODAY)
    elif kind == "session":
        who = (people[a[2] % len(people)][0],) if a[1] else ()
        entry = EntryDraft("coaching session", day, hours=a[3], who=who, flow=a[4])
        entries.add_entry(con, ADMIN, pid, entry, today=TINY_TODAY)
    elif kind == "observe":
        recipients = [r for r, side in people if side == "recipient"] or [people[0][0]]
        entry = EntryDraft(
            "observation", day, hours=1.0, observed_ref=recipients[0], recorded_by=a[1],
            rating_before=a[2], rating_after=a[3],
        )  # fmt: skip
        entries.add_entry(con, ADMIN, pid, entry, today=TINY_TODAY)
    elif kind == "withdraw":
        ids = _entries(con)
        if ids:
            entries.withdraw_entry(con, ADMIN, ids[a[0] % len(ids)], "a mistake")


_ref = st.sampled_from(STAFF)
_day = st.integers(0, 60)
_ops = st.one_of(
    st.tuples(st.just("log"), _ref, _ref, st.sampled_from(("proposed", "agreed", "active")),
              st.sampled_from(SKILLS), _day),
    st.tuples(st.just("move"), st.integers(0, 50), st.sampled_from(TARGETS), _day),
    st.tuples(st.just("people"), st.integers(0, 50), _ref, _day),
    st.tuples(st.just("session"), st.integers(0, 50), st.booleans(), st.integers(0, 3),
              st.sampled_from((0.5, 1.0, 2.0)), st.sampled_from(FLOWS), _day),
    st.tuples(st.just("observe"), st.integers(0, 50), st.sampled_from(("A1", "B1", "self")),
              st.integers(1, 4), st.integers(1, 4), _day),
    st.tuples(st.just("withdraw"), st.integers(0, 50), _day),
    st.tuples(st.just("consent"), _ref, st.booleans(), _day),
    st.tuples(st.just("accept"), st.sampled_from(("A2", "B3", "C1")),
              st.integers(0, 5), st.just(False), _day),
)  # fmt: skip


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # fmt: skip
@given(st.lists(_ops, min_size=1, max_size=8))
def test_writes_keep_every_derived_set_current_and_equal_to_a_rebuild(ops: list) -> None:
    con = _store()
    for spec in derived_sets.all_sets():
        derived.build(con, spec)
    for op in ops:
        try:
            _apply(con, op)
            event(f"written: {op[0]}")
        except BrokeringError:
            event(f"refused: {op[0]}")  # a refused write writes nothing
        assert all(derived_sets.status(con).values()), op  # the next read rebuilds nothing
    assert rebuilt_equal(con) == {s.name: True for s in derived_sets.all_sets()}


def test_a_write_to_a_stale_set_leaves_it_stale(tiny) -> None:
    """Upkeep refreshes only sets that were current: one already behind the data is left for
    its next read to rebuild (never marked current over rows it does not hold)."""
    from brokering.dashboard.facts import DASHBOARD

    for spec in derived_sets.all_sets():
        derived.build(tiny, spec)
    tiny.execute(
        "INSERT INTO coaching (coach_ref, coachee_ref, skill_id, mode, start_date) "
        "VALUES ('A1', 'C1', 'mathematics', 'coaching', '2026-10-01')"
    )  # written behind the product's back: the dashboard's facts are now behind
    draft = PairingDraft(
        donors=("A1",), recipients=("B3",), skill_id="mathematics", work_kind="coaching",
        start_date=START, status="active",
    )  # fmt: skip
    service.log_pairing(tiny, ADMIN, draft, today=TINY_TODAY)
    assert not derived.is_current(tiny, DASHBOARD)
    assert rebuilt_equal(tiny)["ledger"]  # the ledger does not read coaching: kept current


def test_each_write_path_leaves_stats_fast_path_current(tiny) -> None:
    """`stats --json`'s derived sets stay current through each kind of write."""
    for spec in derived_sets.all_sets():
        derived.build(tiny, spec)
    for op in (
        ("log", "A1", "B3", "active", "mathematics", 0),
        ("session", 0, False, 0, 2.0, "both ways", 10),
        ("observe", 0, "A1", 2, 4, 20),
        ("move", 0, "review due", 30),
        ("consent", "B3", False, 0),
        ("accept", "C1", 0, False, 0),
        ("withdraw", 0, 0),
    ):
        _apply(tiny, op)
        assert all(derived_sets.status(tiny).values()), op


def test_a_pairing_moved_to_other_schools_leaves_no_totals_behind(tiny) -> None:
    """The ledger's totals by school and by two schools are worked out again for the schools
    a pairing held before a write as well as after it (a recipient replaced by someone from
    another school takes the old school's share with them)."""
    for spec in derived_sets.all_sets():
        derived.build(tiny, spec)
    for op in (
        ("log", "A1", "B3", "active", "mathematics", 0),
        ("session", 0, False, 0, 2.0, "both ways", 10),
        ("people", 0, "C1", 0),
    ):
        _apply(tiny, op)
    assert rebuilt_equal(tiny) == {s.name: True for s in derived_sets.all_sets()}
    totals = tiny.execute("SELECT a, b FROM derived.ledger_pair_totals ORDER BY ALL").fetchall()
    assert totals == [("A", "C")]


def test_the_relay_after_an_import_leaves_every_set_current(tiny, admin, monkeypatch) -> None:
    """An import may change rows anywhere (a move of school, corrected pairings), so the
    re-lay every applied import is followed by rebuilds each set whose data moved: the next
    page view rebuilds nothing. (A small batch keeps the sets itself, tests/
    test_import_upkeep.py; here the batch's upkeep is off, as for a big one.)"""
    from brokering.find.maintenance import after_import
    from brokering.importing import upkeep

    monkeypatch.setattr(upkeep, "MAX_PEOPLE", -1)

    for spec in derived_sets.all_sets():
        derived.build(tiny, spec)
    report = import_paths(tiny, [TINY / "coaching.csv"], admin, today=TINY_TODAY)
    assert report.ok and report.applied
    assert not all(derived_sets.status(tiny).values())
    after_import(tiny, True)
    assert rebuilt_equal(tiny) == {s.name: True for s in derived_sets.all_sets()}


def test_an_evidence_only_import_leaves_the_pairings_facts_current(
    tiny, admin, monkeypatch
) -> None:
    """The dashboard's and the ledger's facts never read evidence, so an import that wrote
    only evidence moves neither signature (no rebuild at all); the maturity summary, which
    does read it, is rebuilt by the re-lay (the batch's own upkeep off, as for a big one)."""
    from brokering.find.maintenance import after_import
    from brokering.importing import upkeep

    monkeypatch.setattr(upkeep, "MAX_PEOPLE", -1)

    for spec in derived_sets.all_sets():
        derived.build(tiny, spec)
    assert import_paths(tiny, [TINY / "evidence.csv"], admin, today=TINY_TODAY).applied
    assert derived_sets.status(tiny) == {"dash": True, "maturity": False, "ledger": True}
    after_import(tiny, True)
    assert rebuilt_equal(tiny) == {s.name: True for s in derived_sets.all_sets()}
