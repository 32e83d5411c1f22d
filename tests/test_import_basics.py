"""Import: the happy path from the templates and the tiny alliance, idempotence, dry run,
all-or-nothing, and consent that an old export cannot undo."""

from datetime import date
from pathlib import Path

import pytest

from brokering.importing import import_paths
from brokering.settings import TEMPLATES_DIR
from brokering.viewer import Viewer
from tests.conftest import TINY, TINY_TODAY, data_tables


def test_templates_import_as_they_ship(con, admin: Viewer) -> None:
    report = import_paths(con, [TEMPLATES_DIR], admin, today=date(2026, 11, 20))
    assert report.ok, [str(p) for p in report.problems]
    added = {o.table: o.added for o in report.outcomes}
    core = {"schools": 1, "staff": 2, "evidence": 1, "coaching": 1, "needs": 1}
    assert {t: added[t] for t in core} == core
    assert all(n >= 1 for n in added.values())  # every template's example row is valid


def test_tiny_alliance_values_are_read_correctly(tiny) -> None:
    row = tiny.execute(
        "SELECT phases, subjects, share_consent, capacity_hours, left_on FROM staff "
        "WHERE staff_ref = 'A3'"
    ).fetchall()[0]
    assert row[0] == ["KS2"]  # "Year 6" became KS2
    assert row[1] == ["mathematics"]
    assert row[2] is False
    assert row[3] == 12.0
    assert row[4] is None
    # "maths" resolved through the alias table, keeping the original text
    alias_row = tiny.execute(
        "SELECT skill_id, skill_text FROM evidence WHERE staff_ref = 'A2' "
        "AND evidence_type = 'self-assessment'"
    ).fetchall()
    assert alias_row == [("mathematics", "maths")]
    assert tiny.execute("SELECT left_on FROM staff WHERE staff_ref = 'C2'").fetchall()[0][
        0
    ] == date(2026, 7, 31)


def test_reimport_changes_nothing(tiny, admin: Viewer) -> None:
    before = data_tables(tiny)
    report = import_paths(tiny, [TINY], admin, today=TINY_TODAY)
    assert report.ok
    assert all(o.added == 0 and o.updated == 0 for o in report.outcomes)
    assert data_tables(tiny) == before


def test_dry_run_writes_nothing(con, admin: Viewer) -> None:
    before = data_tables(con)
    report = import_paths(con, [TINY], admin, dry_run=True, today=TINY_TODAY)
    assert report.ok and not report.applied
    assert sum(o.added for o in report.outcomes) == 3 + 8 + 8 + 2 + 3
    assert data_tables(con) == before


def test_one_bad_row_refuses_the_whole_batch(con, admin: Viewer, tiny_dir: Path) -> None:
    ev = tiny_dir / "evidence.csv"
    ev.write_text(ev.read_text() + "A2,Mathematics,observation,9,2026-10-02,A1,,\n")
    before = data_tables(con)
    report = import_paths(con, [tiny_dir], admin, today=TINY_TODAY)
    assert not report.ok and not report.applied
    [p] = report.problems
    assert (p.file, p.line, p.column, p.value) == ("evidence.csv", 10, "strength", "9")
    assert "out of range" in p.message
    assert data_tables(con) == before


def test_single_file_is_checked_against_the_store(tiny, admin: Viewer, tmp_path: Path) -> None:
    f = tmp_path / "evidence.csv"
    f.write_text(
        "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
        "B3,Questioning,observation,3,2026-10-01,B2\n"
        "ZZ9,Questioning,observation,3,2026-10-01,B2\n"
    )
    report = import_paths(tiny, [f], admin, today=TINY_TODAY)
    assert [(p.line, p.column, p.value) for p in report.problems] == [(3, "staff_ref", "ZZ9")]


def test_consent_withdrawal_is_not_undone_by_an_older_export(
    tiny, admin: Viewer, tiny_dir: Path
) -> None:
    # Withdrawal recorded later than the export's consent_date.
    tiny.execute(
        "UPDATE staff SET share_consent = FALSE, consent_date = DATE '2026-10-01' "
        "WHERE staff_ref = 'B2'"
    )
    report = import_paths(tiny, [tiny_dir / "staff.csv"], admin, today=TINY_TODAY)
    assert report.ok
    assert tiny.execute("SELECT share_consent FROM staff WHERE staff_ref = 'B2'").fetchall() == [
        (False,)
    ]
    assert any("B2" in n and "left as recorded" in n for n in report.notes)


def test_newer_consent_date_changes_consent(tiny, admin: Viewer, tmp_path: Path) -> None:
    f = tmp_path / "staff.csv"
    f.write_text(
        "staff_ref,school_id,role,share_consent,consent_date\nA3,A,teacher,yes,2026-11-01\n"
    )
    report = import_paths(tiny, [f], admin, today=TINY_TODAY)
    assert report.ok
    assert tiny.execute("SELECT share_consent FROM staff WHERE staff_ref = 'A3'").fetchall() == [
        (True,)
    ]
    events = tiny.execute(
        "SELECT share_consent, source FROM consent_events "
        "WHERE staff_ref = 'A3' ORDER BY recorded_at, share_consent"
    ).fetchall()
    assert (True, "import") in events


def test_numeric_strength_on_the_1_best_scale_is_inverted(
    con, admin: Viewer, tiny_dir: Path
) -> None:
    report = import_paths(con, [tiny_dir], admin, strength_scale="1-best", today=TINY_TODAY)
    assert report.ok
    got = con.execute("SELECT strength FROM evidence WHERE staff_ref = 'B3'").fetchall()
    assert got == [(3,)]  # a 2 on the 1-best scale is a 3 on the stored 4-best scale


def test_numbers_without_a_declared_scale_are_refused(con, admin: Viewer) -> None:
    report = import_paths(con, [TINY], admin, strength_scale=None, today=TINY_TODAY)
    assert not report.ok
    assert {p.column for p in report.problems} == {
        "strength",
        "outcome_strength",
        "coachee_feedback",
    }
    assert "no strength scale was chosen" in report.problems[0].message


def _limit(con) -> float:
    from brokering.db import _size

    return _size(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


@pytest.mark.parametrize(("before", "during"), [("4GB", 1.5e9), ("500MB", 0.5e9)])
def test_an_import_bounds_duckdbs_memory_and_puts_the_limit_back(
    con, admin: Viewer, monkeypatch, before: str, during: float
) -> None:
    """A national evidence file must not take the machine's memory; a lower limit that the
    store already had is kept; the store's own limit is back afterwards."""
    from brokering.importing import validate

    seen: list[float] = []
    run = validate.Validator.run

    def spy(self, staged):
        seen.append(_limit(con))
        return run(self, staged)

    monkeypatch.setattr(validate.Validator, "run", spy)
    con.execute(f"SET memory_limit = '{before}'")
    expected_after = _limit(con)
    assert import_paths(con, [TINY], admin, today=TINY_TODAY).ok
    assert seen and seen[0] == pytest.approx(during, rel=0.1)
    assert _limit(con) == pytest.approx(expected_after, rel=0.05)  # shown rounded
