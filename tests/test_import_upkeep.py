"""A small import keeps the store current itself (issue 24): after any sequence of small
imports — new evidence, a re-import that changes an existing record's strength, coaching,
a member of staff moving school — and undos, each followed by `after_import` as every caller
does, the stored find parts and every derived set equal a full re-lay, and a batch whose
records are no newer than the parts' epoch needs no re-lay at all: the find after it is on
its fast path straight away."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from brokering import derived, derived_sets
from brokering.db import Connection
from brokering.errors import BrokeringError
from brokering.find import find_expertise, maintenance
from brokering.importing import batches, import_paths, upkeep
from brokering.scoring import DEFAULT_PARAMS
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY
from tests.test_derived_upkeep import rebuilt_equal
from tests.test_find_incremental import SKILLS, STAFF, TYPES, _answers, _parts

ADMIN = operator("test")
SCHOOLS = ("A", "B", "C")
#: Dates before the tiny store's newest record (the parts' epoch) and one after it.
OLD_DAYS = (date(2026, 3, 1), date(2026, 5, 20), date(2026, 9, 1))
NEW_DAY = TINY_TODAY


@cache
def _store() -> Connection:
    con = open_store(":memory:")
    assert import_paths(con, [TINY], ADMIN, today=TINY_TODAY).ok
    return con


def _file(folder: Path, name: str, header: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


evidence = st.tuples(
    st.just("evidence"),
    st.lists(
        st.tuples(
            st.sampled_from(STAFF),
            st.sampled_from(SKILLS),
            st.sampled_from(TYPES),
            st.integers(1, 4),  # a re-import of the same key changes its strength
            st.sampled_from(OLD_DAYS),
        ),
        min_size=1,
        max_size=4,
        # One file's rows each once by the importer's key (staff, skill, type, date, recorder):
        # a row repeated in a file is refused as a repeat (tests/test_import_bad_input.py),
        # which is not what this test weighs.
        unique_by=lambda r: (r[0], r[1], r[2], r[4]),
    ),
)
coaching = st.tuples(
    st.just("coaching"),
    st.sampled_from(STAFF),
    st.sampled_from(STAFF),
    st.sampled_from(SKILLS),
    st.none() | st.integers(1, 4),
    st.sampled_from(OLD_DAYS),
).filter(lambda c: c[1] != c[2])
move = st.tuples(st.just("move"), st.sampled_from(STAFF), st.sampled_from(SCHOOLS))
late = st.tuples(st.just("late"), st.sampled_from(STAFF), st.sampled_from(SKILLS))
undo = st.tuples(st.just("undo"))


def _import(con: Connection, op: tuple, folder: Path, mine: list[int]) -> bool:
    """Apply one write; whether it wrote anything (an undo may be refused). `mine`: the
    batches this example applied, newest last (an undo takes back the newest)."""
    kind = op[0]
    if kind == "undo":
        if not mine:
            return False
        try:
            batches.undo(con, ADMIN, mine[-1])
        except BrokeringError:
            return False
        mine.pop()
        return True
    moves = False
    if kind == "evidence":
        head = "staff_ref,skill,evidence_type,strength,date,recorded_by"
        rows = [f"{r},{s},{t},{v},{d},SLT" for r, s, t, v, d in op[1]]
        f = _file(folder, "evidence.csv", head, rows)
    elif kind == "late":  # a record after the parts' epoch: the re-lay rebuilds them
        head = "staff_ref,skill,evidence_type,strength,date,recorded_by"
        f = _file(folder, "evidence.csv", head, [f"{op[1]},{op[2]},observation,3,{NEW_DAY},SLT"])
    elif kind == "coaching":
        _k, coach, coachee, skill, outcome, start = op
        head = "coach_ref,coachee_ref,skill,mode,start_date,outcome_strength"
        row = f"{coach},{coachee},{skill},coaching,{start},{outcome or ''}"
        f = _file(folder, "coaching.csv", head, [row])
    else:
        _k, ref, school = op
        f = _file(folder, "staff.csv", "staff_ref,school_id,role", [f"{ref},{school},teacher"])
        moves = True
    report = import_paths(con, [f], ADMIN, today=TINY_TODAY, accept_moves=moves)
    assert report.ok, [str(p) for p in report.problems]
    if report.applied:
        mine.append(int(report.batch_id))
    return report.applied


def _fresh(con: Connection) -> list:
    """The parts a full build gives now, counted from the stored parts' epoch."""
    status = maintenance.parts_status(con, TINY_TODAY)
    sql, values = maintenance.parts_query(DEFAULT_PARAMS, status.epoch, ranked_at=status.ranked_at)
    return con.execute(
        "SELECT skill_id, staff_ref, phase, n, latest, round(s_sum, 9), round(p_sw, 9),"
        " round(p_w, 9), round(c_sw, 9), round(c_w, 9), c_n, round(s1, 9)"
        f" FROM ({sql}) ORDER BY ALL",  # noqa: S608
        values,
    ).fetchall()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(evidence | coaching | move | late | undo, min_size=1, max_size=4), st.booleans())
def test_small_imports_keep_the_store_as_a_full_relay_would(
    tmp_path_factory, ops: list[tuple], batched: bool
) -> None:
    """`batched`: every touched key worked out in one pass (as for a school's file) rather
    than one at a time (`derived.ONE_BY_ONE`)."""
    kept = derived.ONE_BY_ONE
    derived.ONE_BY_ONE = 0 if batched else 1000
    try:
        _run(tmp_path_factory, ops)
    finally:
        derived.ONE_BY_ONE = kept


def _run(tmp_path_factory, ops: list[tuple]) -> None:
    con = _store()
    folder = tmp_path_factory.mktemp("upkeep")
    maintenance.build_find_parts(con)
    for spec in derived_sets.all_sets():
        derived.build(con, spec)
    mine: list[int] = []
    for op in ops:
        wrote = _import(con, op, folder, mine)
        # Before the re-lay: kept current by the batch itself unless a record is past the
        # parts' epoch (which moves it) or the batch wrote nothing at all.
        fast = maintenance.fast_path(con, TINY_TODAY)["current"]
        relaid = maintenance.after_import(con, wrote)
        event(f"{op[0]}: {'re-laid' if relaid else 'kept current by the batch'}")
        if op[0] in ("evidence", "coaching", "move") or (op[0] == "undo" and wrote):
            assert fast and not relaid, op
        assert maintenance.fast_path(con, TINY_TODAY)["current"], op
        assert rebuilt_equal(con) == {s.name: True for s in derived_sets.all_sets()}, op
        _answers(con)  # on the stored route (asserted inside)
        assert _parts(con)[0] == _fresh(con), op


def test_a_big_batch_is_left_to_the_full_relay(tiny, tmp_path, monkeypatch) -> None:
    """Over the size the upkeep is worth, the batch leaves the parts stale and `after_import`
    re-lays the store in full, as before."""
    maintenance.build_find_parts(tiny)
    monkeypatch.setattr(upkeep, "MAX_PEOPLE", 0)
    head = "staff_ref,skill,evidence_type,strength,date,recorded_by"
    f = _file(tmp_path, "evidence.csv", head, [f"A2,mathematics,observation,2,{OLD_DAYS[0]},SLT"])
    assert import_paths(tiny, [f], ADMIN, today=TINY_TODAY).applied
    assert not maintenance.fast_path(tiny, TINY_TODAY)["current"]
    assert maintenance.after_import(tiny, True)
    assert maintenance.fast_path(tiny, TINY_TODAY)["current"]


def test_a_dry_run_keeps_nothing_and_changes_nothing(tiny, tmp_path) -> None:
    maintenance.build_find_parts(tiny)
    head = "staff_ref,skill,evidence_type,strength,date,recorded_by"
    f = _file(tmp_path, "evidence.csv", head, [f"A2,mathematics,observation,2,{OLD_DAYS[0]},SLT"])
    before = _parts(tiny)
    assert not import_paths(tiny, [f], ADMIN, today=TINY_TODAY, dry_run=True).applied
    assert maintenance.fast_path(tiny, TINY_TODAY)["current"] and _parts(tiny) == before


def test_stats_reports_the_fast_path_current_after_a_small_import(
    tiny_db, tmp_path, capsys
) -> None:
    """`python -m brokering stats --json`: the operator's view, straight after the import."""
    import json

    from brokering.cli import main

    head = "staff_ref,skill,evidence_type,strength,date,recorded_by"
    f = _file(tmp_path, "evidence.csv", head, [f"A2,mathematics,observation,2,{OLD_DAYS[0]},SLT"])
    assert main(["--db", str(tiny_db), "optimise"]) == 0
    con = open_store(str(tiny_db))
    for spec in derived_sets.all_sets():  # as after the first page views
        derived.build(con, spec)
    con.close()
    assert main(["--db", str(tiny_db), "import", "--refs-are-pseudonyms", str(f)]) == 0
    capsys.readouterr()
    assert main(["--db", str(tiny_db), "stats", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fast_path"]["current"] is True, out


def test_a_corrected_strength_a_move_and_an_undo_each_keep_the_fast_path(tiny, tmp_path) -> None:
    """The named cases one by one: a re-import that changes an existing record's strength,
    a move of school for someone in coaching, the undo of each; and a record dated today,
    after the newest the parts held, which the batch keeps up with too (issue 24)."""
    maintenance.build_find_parts(tiny)
    for spec in derived_sets.all_sets():
        derived.build(tiny, spec)
    head = "staff_ref,skill,evidence_type,strength,date,recorded_by"
    mine: list[int] = []

    def step(f: Path, moves: bool = False) -> bool:
        report = import_paths(tiny, [f], ADMIN, today=TINY_TODAY, accept_moves=moves)
        assert report.applied, [str(p) for p in report.problems]
        mine.append(int(report.batch_id))
        current = maintenance.fast_path(tiny, TINY_TODAY)["current"]
        assert maintenance.after_import(tiny, True) is not current
        assert rebuilt_equal(tiny) == {s.name: True for s in derived_sets.all_sets()}
        assert _parts(tiny)[0] == _fresh(tiny)
        return current

    row = "A2,mathematics,observation,{},2026-05-20,SLT"
    assert step(_file(tmp_path, "evidence.csv", head, [row.format(2)]))
    assert step(_file(tmp_path, "evidence.csv", head, [row.format(4)]))  # strength changed
    assert step(_file(tmp_path, "staff.csv", "staff_ref,school_id,role", ["B2,C,teacher"]), True)
    for batch in reversed(mine):
        batches.undo(tiny, ADMIN, batch)
        assert maintenance.fast_path(tiny, TINY_TODAY)["current"]
        assert not maintenance.after_import(tiny, True)
        assert rebuilt_equal(tiny) == {s.name: True for s in derived_sets.all_sets()}
        assert _parts(tiny)[0] == _fresh(tiny)
    # Today's observation, newer than any record the parts held (issue 24: it used to move
    # the epoch and force the full re-lay): the batch re-works A2's rows alone, the parts'
    # epoch lies ahead of the data and stays, and a find equals the one computed now.
    before = maintenance.parts_status(tiny, TINY_TODAY)
    assert before.newest is not None and before.newest < TINY_TODAY
    others = f"SELECT * FROM {maintenance.PARTS} WHERE staff_ref <> 'A2' ORDER BY ALL"  # noqa: S608
    kept = tiny.execute(others).fetchall()
    late = f"A2,mathematics,observation,3,{TINY_TODAY},SLT"
    assert step(_file(tmp_path, "evidence.csv", head, [late]))  # kept current by the batch
    after = maintenance.parts_status(tiny, TINY_TODAY)
    assert after.usable and after.epoch == before.epoch and after.newest == TINY_TODAY
    assert tiny.execute(others).fetchall() == kept
    stored = find_expertise(tiny, ADMIN, "mathematics", as_of=TINY_TODAY, audited=False)
    assert stored.stored_parts
    assert stored.rows.set_index("staff_ref").loc["A2", "latest_evidence"].date() == TINY_TODAY
    maintenance.drop_find_parts(tiny)
    live = find_expertise(tiny, ADMIN, "mathematics", as_of=TINY_TODAY, audited=False)
    assert not live.stored_parts
    assert stored.rows.round(9).equals(live.rows.round(9))
