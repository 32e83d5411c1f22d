"""Safe re-imports (issue 18): every applied import is a batch with a before/after preview
that can be undone, leaving the store as it was; a changed strength is a change, so the
wrong-scale trap can be put right; an undo that later work built on is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brokering.cli import main
from brokering.errors import ValidationError
from brokering.importing import import_paths
from brokering.importing.batches import undo
from tests.conftest import TINY_TODAY, data_tables

KEY = b"an-alliance-secret-of-some-length"
EVIDENCE = "staff_ref,skill,evidence_type,strength,date,recorded_by\n"


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def _strength(con) -> list:
    return con.execute(
        "SELECT strength FROM evidence WHERE staff_ref = 'B2' AND skill_id = 'questioning'"
    ).fetchall()


def test_the_wrong_scale_can_be_put_right_and_is_reported_as_a_change(tiny, admin, tmp_path):
    f = _write(tmp_path, "evidence.csv", EVIDENCE + "B2,Questioning,observation,1,2026-10-01,SLT\n")
    first = import_paths(tiny, [f], admin, today=TINY_TODAY)  # 1 meant outstanding: read wrong
    assert first.ok and _strength(tiny) == [(1,)]
    preview = import_paths(
        tiny, [f], admin, today=TINY_TODAY, strength_scale="1-best", dry_run=True
    )
    [outcome] = preview.outcomes
    assert (outcome.added, outcome.updated, outcome.unchanged) == (0, 1, 0)
    [change] = preview.changes
    assert (change["table"], change["column"], change["before"], change["after"]) == (
        "evidence",
        "strength",
        "1",
        "4",
    )
    assert json.loads(change["key"])[:2] == ["B2", "questioning"]
    assert _strength(tiny) == [(1,)] and preview.batch_id is None
    fixed = import_paths(tiny, [f], admin, today=TINY_TODAY, strength_scale="1-best")
    assert fixed.ok and fixed.outcomes[0].updated == 1 and _strength(tiny) == [(4,)]
    undo(tiny, admin, fixed.batch_id)
    assert _strength(tiny) == [(1,)]


def test_undo_leaves_the_store_as_it_was(tiny, admin, tiny_dir, tmp_path) -> None:
    before = data_tables(tiny)
    staff = (
        (tiny_dir / "staff.csv")
        .read_text()
        .replace(
            "A3,A,teacher,Year 6,Mathematics,A1,no,yes,no,12,2025-09-01,",
            "A3,A,middle leader,Year 6,Mathematics,A1,yes,yes,no,12,2026-10-01,",
        )
    )
    _write(tmp_path, "staff.csv", staff + "A9,A,teacher,KS1,,A1,yes,no,no,0,2026-10-01,\n")
    _write(tmp_path, "evidence.csv", EVIDENCE + "A9,Questioning,observation,3,2026-10-01,SLT\n")
    _write(
        tmp_path,
        "needs.csv",
        "need_id,staff_ref,skill,priority,wanted_role,raised_on,status\n"
        "N9,A9,Questioning,high,coach,2026-10-02,open\n",
    )
    report = import_paths(tiny, [tmp_path], admin, today=TINY_TODAY)
    assert report.ok and report.batch_id
    assert data_tables(tiny) != before
    assert any(c["column"] == "role" for c in report.changes)
    done = undo(tiny, admin, report.batch_id)
    assert done.removed == {"needs": 1, "evidence": 1, "staff": 1}
    after = data_tables(tiny)
    after.pop("consent_events", None), before.pop("consent_events", None)
    assert after == before
    # The consent log stays append-only: the undo is recorded, not erased.
    assert tiny.execute(
        "SELECT share_consent FROM consent_events WHERE staff_ref = 'A3' AND source = 'undo import'"
    ).fetchall() == [(False,)]
    with pytest.raises(ValidationError, match="already undone"):
        undo(tiny, admin, report.batch_id)


def test_an_undo_that_later_batches_built_on_is_refused(tiny, admin, tmp_path) -> None:
    first = import_paths(
        tiny,
        [_write(tmp_path / "1", "staff.csv", "staff_ref,school_id,role\nA9,A,teacher\n")],
        admin,
        today=TINY_TODAY,
    )
    second = import_paths(
        tiny,
        [
            _write(
                tmp_path / "2",
                "evidence.csv",
                EVIDENCE + "A9,Questioning,observation,3,2026-10-01,SLT\n",
            )
        ],
        admin,
        today=TINY_TODAY,
    )
    third = import_paths(
        tiny,
        [_write(tmp_path / "3", "staff.csv", "staff_ref,school_id,role\nA9,A,middle leader\n")],
        admin,
        today=TINY_TODAY,
    )
    held = data_tables(tiny)
    with pytest.raises(ValidationError, match=f"later batch {third.batch_id} changed rows"):
        undo(tiny, admin, first.batch_id)
    undo(tiny, admin, third.batch_id)
    with pytest.raises(ValidationError, match="1 evidence recorded"):
        undo(tiny, admin, first.batch_id)
    assert data_tables(tiny) != held  # only the third batch went
    undo(tiny, admin, second.batch_id)
    undo(tiny, admin, first.batch_id)
    assert tiny.execute("SELECT count(*) FROM staff WHERE staff_ref = 'A9'").fetchall() == [(0,)]


def test_undo_of_a_pseudonymised_batch_forgets_its_identities(tiny, admin, tmp_path) -> None:
    f = _write(
        tmp_path, "staff.csv", "staff_ref,school_id,role,email\nJDO,A,teacher,j.d@alder.sch.uk\n"
    )
    report = import_paths(tiny, [f], admin, today=TINY_TODAY, pseudonym_key=KEY)
    assert tiny.execute("SELECT count(*) FROM identity_index").fetchall() == [(3,)]
    undo(tiny, admin, report.batch_id)
    assert tiny.execute("SELECT count(*) FROM identity_index").fetchall() == [(0,)]


def test_cli_undo(capsys, tiny_db: Path, tmp_path: Path) -> None:
    f = _write(tmp_path, "staff.csv", "staff_ref,school_id,role\nA9,A,teacher\n")
    code = main(["--db", str(tiny_db), "import", str(f), "--refs-are-pseudonyms", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["batch_id"]
    code = main(["--db", str(tiny_db), "undo", str(out["batch_id"]), "--json"])
    done = json.loads(capsys.readouterr().out)
    assert code == 0 and done == {
        "ok": True,
        "batch_id": out["batch_id"],
        "removed": {"staff": 1},
        "restored": {},
    }
    assert main(["--db", str(tiny_db), "undo", str(out["batch_id"])]) == 1
    assert "already undone" in capsys.readouterr().err


def test_summaries_see_an_undo(tiny, admin, tmp_path) -> None:
    from brokering.find import find_expertise, maintenance

    def score() -> float:
        rows = find_expertise(tiny, admin, "questioning", as_of=TINY_TODAY).rows
        return float(rows.set_index("staff_ref").loc["B2", "practice_score"])

    f = _write(tmp_path, "evidence.csv", EVIDENCE + "B2,Questioning,observation,1,2026-10-01,SLT\n")
    assert import_paths(tiny, [f], admin, today=TINY_TODAY).ok
    maintenance.after_import(tiny, True)
    wrong = score()
    fixed = import_paths(tiny, [f], admin, today=TINY_TODAY, strength_scale="1-best")
    maintenance.after_import(tiny, True)
    assert score() > wrong
    undo(tiny, admin, fixed.batch_id)
    assert maintenance.parts_status(tiny, TINY_TODAY).reason  # stale until rebuilt
    assert score() == wrong
    maintenance.after_import(tiny, True)
    assert score() == wrong


def test_an_undo_that_would_lose_a_consent_change_made_in_the_app_is_refused(
    tiny, admin, tmp_path
) -> None:
    from datetime import date

    from brokering import consent

    f = _write(
        tmp_path, "staff.csv", "staff_ref,school_id,role\nA3,A,middle leader\n"
    )  # changes A3's role
    report = import_paths(tiny, [f], admin, today=TINY_TODAY)
    consent.set_consent(tiny, admin, "A3", True, on=date(2026, 11, 19))
    with pytest.raises(ValidationError, match="1 consent changes made in the app"):
        undo(tiny, admin, report.batch_id)
