"""Consent withdrawn in the app stands against any import, whatever date the file gives;
the import report names the rows it kept back, every consent change is audited per person
(by pseudonymous reference only), and a consent date in the future is refused."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from brokering.consent import set_consent
from brokering.importing import import_paths
from brokering.viewer import Viewer
from tests.conftest import TINY_TODAY, data_tables


def staff_file(tmp_path: Path, rows: str) -> Path:
    f = tmp_path / "staff.csv"
    f.write_text("staff_ref,school_id,role,share_consent,consent_date\n" + rows)
    return f


def consent_of(con, ref: str) -> bool:
    return con.execute("SELECT share_consent FROM staff WHERE staff_ref = ?", [ref]).fetchall()[0][
        0
    ]


def test_a_withdrawal_in_the_app_stands_against_a_later_dated_import(
    tiny, admin: Viewer, tmp_path: Path
) -> None:
    set_consent(tiny, Viewer("headteacher", "B", "head-b"), "B2", False, on=date(2026, 10, 1))
    for when in ("2026-11-01", "2099-01-01"):
        f = staff_file(tmp_path, f"B2,B,middle leader,yes,{when}\n")
        report = import_paths(tiny, [f], admin, today=date(2099, 6, 1))
        assert report.ok, [str(p) for p in report.problems]
        assert consent_of(tiny, "B2") is False
        kept = [n for n in report.notes if "B2" in n]
        assert kept and "withdrawn in the app" in kept[0]


def test_consent_given_again_in_the_app_can_then_be_changed_by_a_newer_file(
    tiny, admin: Viewer, tmp_path: Path
) -> None:
    head = Viewer("headteacher", "B", "head-b")
    set_consent(tiny, head, "B2", False, on=date(2026, 10, 1))
    set_consent(tiny, head, "B2", True, on=date(2026, 10, 5))
    f = staff_file(tmp_path, "B2,B,middle leader,no,2026-11-01\n")
    assert import_paths(tiny, [f], admin, today=TINY_TODAY).ok
    assert consent_of(tiny, "B2") is False  # a withdrawal from the school's file is honoured


def test_every_consent_change_by_import_is_audited_per_person(
    tiny, admin: Viewer, tmp_path: Path
) -> None:
    f = staff_file(tmp_path, "A3,A,teacher,yes,2026-11-01\nB3,B,teacher,no,2026-11-02\n")
    assert import_paths(tiny, [f], admin, today=TINY_TODAY).ok
    rows = tiny.execute(
        "SELECT action, detail FROM audit_log WHERE action LIKE 'consent.%' ORDER BY audit_id"
    ).fetchall()
    got = {(a, json.loads(d)["staff_ref"], json.loads(d)["source"]) for a, d in rows}
    assert got == {("consent.give", "A3", "import"), ("consent.withdraw", "B3", "import")}


def test_a_kept_withdrawal_is_audited_too(tiny, admin: Viewer, tmp_path: Path) -> None:
    set_consent(tiny, Viewer("headteacher", "B", "head-b"), "B2", False, on=date(2026, 10, 1))
    f = staff_file(tmp_path, "B2,B,middle leader,yes,2026-11-01\n")
    assert import_paths(tiny, [f], admin, today=TINY_TODAY).ok
    actions = [
        r[0]
        for r in tiny.execute(
            "SELECT action FROM audit_log WHERE action LIKE 'consent.%' ORDER BY audit_id"
        ).fetchall()
    ]
    assert actions == ["consent.withdraw", "consent.kept"]


def test_a_consent_date_in_the_future_is_refused(tiny, admin: Viewer, tmp_path: Path) -> None:
    before = data_tables(tiny)
    f = staff_file(tmp_path, "A3,A,teacher,yes,2099-01-01\n")
    report = import_paths(tiny, [f], admin, today=TINY_TODAY)
    assert not report.ok
    assert [(p.line, p.column) for p in report.problems] == [(2, "consent_date")]
    assert data_tables(tiny) == before


def test_consent_cannot_be_recorded_for_a_future_date(tiny) -> None:
    import pytest

    from brokering.errors import ValidationError

    before = data_tables(tiny)
    with pytest.raises(ValidationError, match="future"):
        set_consent(tiny, Viewer("headteacher", "B", "head-b"), "B2", False, on=date(2099, 1, 1))
    assert data_tables(tiny) == before


def test_consent_commands(tiny_db: Path, capsys) -> None:
    from brokering.cli import main

    assert main(["--db", str(tiny_db), "consent", "set", "B2", "no", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["share_consent"] is False
    assert main(["--db", str(tiny_db), "consent", "history", "B2", "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert history[0]["source"] == "app" and history[0]["share_consent"] is False
    assert main(["--db", str(tiny_db), "consent", "set", "B2", "yes", "--date", "2099-01-01"]) == 1
