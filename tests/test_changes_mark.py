"""The store's change mark and the reads remembered under it (issue 24): every write moves
the mark — inside a transaction as it commits, and the few writes made outside one — so a
find or a candidates list remembered before a write is never served after it; and a repeat
before any write really is served from memory (the memo is not a no-op)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from brokering import changes, db
from brokering.consent import set_consent
from brokering.errors import BrokeringError
from brokering.find import find_expertise, maintenance
from brokering.importing import import_paths
from brokering.importing.batches import undo
from brokering.matching import candidates, requests
from brokering.pairings import entries, service
from brokering.pairings.model import EntryDraft, PairingDraft
from brokering.store import clear_alliance_data, open_store
from brokering.viewer import Viewer, operator
from tests.conftest import TINY, TINY_TODAY
from tests.test_derived_upkeep import START, _apply, _ops

ADMIN = operator("test")
PARTNER = Viewer("senior_leader", "B", "leader-b")
HEAD_A = Viewer("headteacher", "A", "head-a")
VIEWERS = (ADMIN, PARTNER, HEAD_A)


@pytest.fixture
def computed(monkeypatch) -> list[str]:
    """The kinds of read worked out afresh (not answered from memory), in order."""
    calls: list[str] = []
    real = changes.remembered

    def spy(at, key, compute):
        def counted():
            calls.append(key[0])
            return compute()

        return real(at, key, counted)

    monkeypatch.setattr(changes, "remembered", spy)
    return calls


def _coach(con, head: Viewer) -> str:
    """The first proposable coach for need N1 (B3, mathematics)."""
    found = candidates.candidates_for_need(con, head, "N1", as_of=TINY_TODAY).frame
    return str(found.loc[found["proposable"], "staff_ref"].iloc[0])


def _listing(found: candidates.CandidateList) -> pd.DataFrame:
    return found.frame.drop(columns="phases")


def test_every_commit_moves_the_mark_and_a_rollback_does_not(con) -> None:
    first = changes.mark(con)
    with db.transaction(con):
        con.execute("CREATE TABLE t (a INTEGER)")
    second = changes.mark(con)
    assert second[0] == first[0] + 1 and second[1] != first[1]
    with pytest.raises(RuntimeError), db.transaction(con):
        con.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("refused")
    assert changes.mark(con) == second


def test_nothing_is_remembered_inside_a_write_transaction(con) -> None:
    with db.transaction(con):
        assert db.writing() and changes.mark(con) is None
    assert not db.writing() and changes.mark(con) is not None


def test_two_stores_and_copies_written_apart_never_share_a_mark(tmp_path: Path) -> None:
    a = open_store(tmp_path / "a.duckdb")
    a.close()
    shutil.copyfile(tmp_path / "a.duckdb", tmp_path / "b.duckdb")
    a, b = db.connect(tmp_path / "a.duckdb"), db.connect(tmp_path / "b.duckdb")
    assert changes.mark(a) == changes.mark(b)  # the same data: the same answers hold
    for c in (a, b):
        with db.transaction(c):
            c.execute("CREATE TABLE t (a INTEGER)")
    assert changes.mark(a)[0] == changes.mark(b)[0] and changes.mark(a) != changes.mark(b)
    assert changes.mark(open_store(":memory:")) != changes.mark(open_store(":memory:"))


def test_a_read_only_store_still_runs_a_transaction(tmp_path: Path) -> None:
    open_store(tmp_path / "s.duckdb").close()
    ro = db.connect(tmp_path / "s.duckdb", read_only=True)
    before = changes.mark(ro)
    with db.transaction(ro):
        ro.execute("SELECT count(*) FROM staff").fetchall()
    assert changes.mark(ro) == before


def test_the_writes_outside_db_transaction_move_it_too(tiny, admin, tiny_dir) -> None:
    """The importer's own transaction, undo, clearing the data, lapsing requests and
    dropping the stored parts each move the mark."""
    tiny.execute("UPDATE staff SET capacity_hours = 100")
    marks = [changes.mark(tiny)]
    (tiny_dir / "evidence.csv").write_text(
        "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
        "B3,Mathematics,observation,4,2026-11-01,B1\n"
    )
    report = import_paths(tiny, [tiny_dir / "evidence.csv"], admin, today=TINY_TODAY)
    marks.append(changes.mark(tiny))
    undo(tiny, admin, report.batch_id)
    marks.append(changes.mark(tiny))
    maintenance.optimise(tiny)
    maintenance.drop_find_parts(tiny)
    marks.append(changes.mark(tiny))
    head = Viewer("headteacher", "B", "head-b")
    req = requests.send_request(tiny, head, "N1", _coach(tiny, head), note="x", as_of=TINY_TODAY)
    marks.append(changes.mark(tiny))
    assert requests.lapse_due(tiny, as_of=req.reply_by + timedelta(days=1)) == [req.request_id]
    marks.append(changes.mark(tiny))
    clear_alliance_data(tiny)
    marks.append(changes.mark(tiny))
    assert len(set(marks)) == len(marks), marks


def test_a_repeat_find_is_remembered_and_a_consent_change_is_seen_at_once(tiny, computed) -> None:
    maintenance.optimise(tiny)
    for _ in range(3):
        shown = find_expertise(tiny, PARTNER, "mathematics", as_of=TINY_TODAY).rows
    assert "A2" in set(shown["staff_ref"])
    computed.clear()
    find_expertise(tiny, PARTNER, "mathematics", as_of=TINY_TODAY)
    assert computed == []  # the staff lookup came from memory
    set_consent(tiny, ADMIN, "A2", False, on=TINY_TODAY)
    after = find_expertise(tiny, PARTNER, "mathematics", as_of=TINY_TODAY).rows
    assert computed == ["find.lookup"] and "A2" not in set(after["staff_ref"])
    own = find_expertise(tiny, HEAD_A, "mathematics", as_of=TINY_TODAY).rows
    assert "A2" in set(own["staff_ref"])  # their own school still sees them


def _fresh(con, viewer: Viewer, need_id: str) -> pd.DataFrame:
    changes.forget()
    return _listing(candidates.candidates_for_need(con, viewer, need_id, as_of=TINY_TODAY))


def _draft() -> PairingDraft:
    return PairingDraft(
        donors=("A3",), recipients=("B3",), skill_id="mathematics", work_kind="coaching",
        start_date=START, review_date=date(2026, 11, 1), status="active", cover_hours=1.5,
    )  # fmt: skip


def test_each_write_shows_in_the_next_candidates_list(tiny, admin, tiny_dir, computed) -> None:
    """An accepted request, a pairing entry, a consent change and an import: the list asked
    for after each is the one worked out afresh, and the repeat before it was remembered."""
    tiny.execute("UPDATE staff SET capacity_hours = 100")
    db.note_change(tiny)  # written behind the write paths, as a test may
    head = Viewer("headteacher", "B", "head-b")
    pid = service.log_pairing(tiny, ADMIN, _draft(), today=TINY_TODAY)

    def accept() -> None:
        coach = _coach(tiny, head)
        req = requests.send_request(tiny, head, "N1", coach, note="x", as_of=TINY_TODAY)
        requests.decide(
            tiny, Viewer("headteacher", coach[0], "head-coach"), req.request_id, accept=True,
            today=TINY_TODAY, colleague_agreed_on=TINY_TODAY,
        )  # fmt: skip

    def consent() -> None:  # A3 (school A) now shares: head B may see them
        set_consent(tiny, ADMIN, "A3", True, on=TINY_TODAY)

    def judged() -> None:  # a pairing judged at review counts in A3's coaching strength
        service.move(tiny, ADMIN, pid, "review due", today=TINY_TODAY)
        service.move(tiny, ADMIN, pid, "not transferred", reason="no change", today=TINY_TODAY)

    def entry() -> None:
        draft = EntryDraft("coaching session", TINY_TODAY, hours=2.0, flow="donor to recipient")
        entries.add_entry(tiny, ADMIN, pid, draft, today=TINY_TODAY)

    def imported() -> None:  # A1 gains evidence in the skill
        (tiny_dir / "evidence.csv").write_text(
            "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
            "A1,Mathematics,observation,4,2026-11-01,B1\n"
        )
        assert import_paths(tiny, [tiny_dir / "evidence.csv"], admin, today=TINY_TODAY).ok

    for write in (accept, consent, judged, entry, imported):
        before = _listing(candidates.candidates_for_need(tiny, head, "N1", as_of=TINY_TODAY))
        computed.clear()
        again = _listing(candidates.candidates_for_need(tiny, head, "N1", as_of=TINY_TODAY))
        assert computed == [] and again.equals(before), write.__name__
        write()
        after = _listing(candidates.candidates_for_need(tiny, head, "N1", as_of=TINY_TODAY))
        assert computed, write.__name__  # read afresh after the write
        pd.testing.assert_frame_equal(after, _fresh(tiny, head, "N1"))
        if write is not entry:  # a session logged leaves this list as it was
            assert not after.equals(before), write.__name__


def _answers(con) -> list[object]:
    """What each viewer sees: a find of mathematics and the list for need N1."""
    out: list[object] = []
    for viewer in VIEWERS:
        out.append(find_expertise(con, viewer, "mathematics", as_of=TINY_TODAY).rows)
        try:
            out.append(
                _listing(candidates.candidates_for_need(con, viewer, "N1", as_of=TINY_TODAY))
            )
        except BrokeringError as exc:  # not this viewer's to see, or closed by a write
            out.append(type(exc).__name__)
    return out


def _same(a: list[object], b: list[object]) -> bool:
    return all(
        x.equals(y) if isinstance(x, pd.DataFrame) else x == y for x, y in zip(a, b, strict=True)
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ops, min_size=1, max_size=6))
def test_after_any_writes_what_is_remembered_equals_a_fresh_read(ops: list) -> None:
    """Random sequences of the product's writes (pairings, log entries, consent, accepted
    requests): after each, every viewer's find and list — from memory where the mark allows
    — equal the same reads worked out afresh."""
    con = open_store(":memory:")
    assert import_paths(con, [TINY], ADMIN, today=TINY_TODAY).ok
    con.execute("UPDATE staff SET capacity_hours = 1000")
    db.note_change(con)
    maintenance.optimise(con)
    _answers(con)
    for op in ops:
        try:
            _apply(con, op)
            event(f"written: {op[0]}")
        except BrokeringError:
            event(f"refused: {op[0]}")
        remembered = _answers(con)
        changes.forget()
        assert _same(remembered, _answers(con)), op


def test_a_store_without_the_mark_remembers_nothing() -> None:
    raw = duckdb.connect(":memory:")
    assert changes.mark(raw) is None
    assert changes.remembered(None, "k", lambda: 1) == 1
