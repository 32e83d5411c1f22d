"""The pairings commands, run in-process through `brokering.cli.main` against a store file;
their JSON keys are pinned and must match the examples in docs/PAIRINGS.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from brokering.cli import main
from brokering.cli.pairings import PAIRING_KEYS
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY

DOC = Path(__file__).resolve().parents[1] / "docs" / "PAIRINGS.md"
PAIRINGS = (
    "pairing_id,donor_refs,recipient_refs,skill,work_kind,status,start_date,review_date\n"
    "P0001,C1,A2,Questioning,coaching,review due,2026-09-01,2026-11-01\n"
)
EVIDENCE = (
    "pairing_id,entry_type,date,recorded_by,observed_ref,hours,flow\n"
    "P0001,coaching session,2026-09-15,C1,,1.5,\n"
    "P0001,visit,2026-09-29,A2,,2,recipient to donor\n"
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pairings-cli")
    (root / "batch").mkdir()
    (root / "batch" / "pairings.csv").write_text(PAIRINGS)
    (root / "batch" / "pairing_evidence.csv").write_text(EVIDENCE)
    path = root / "alliance.duckdb"
    con = open_store(path)
    for folder in (TINY, root / "batch"):
        report = import_paths(con, [folder], operator(), today=TINY_TODAY)
        assert report.ok, [str(p) for p in report.problems]
    con.close()
    return path


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["--db", str(db), *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


def doc_example(heading: str) -> dict:
    """The first JSON block after a heading in docs/PAIRINGS.md."""
    text = DOC.read_text(encoding="utf-8")
    after = text[text.index(heading) :]
    return json.loads(re.search(r"```json\n(.*?)\n```", after, re.S).group(1))


def test_pairings_json_keys_are_pinned_and_documented(db: Path, capsys) -> None:
    code, payload = run(db, capsys, "pairings", "--json")
    assert code == 0
    assert list(payload) == ["ok", "status", "count", "pairings"]
    assert payload["count"] == 1
    row = payload["pairings"][0]
    assert tuple(row) == PAIRING_KEYS
    documented = doc_example("### `pairings --json`")
    assert list(documented) == list(payload)
    assert tuple(documented["pairings"][0]) == PAIRING_KEYS
    assert row["donors"] == ["C1"] and row["start_date"] == "2026-09-01"
    assert row["hours_logged"] == 3.5 and row["last_activity"] == "2026-09-29"
    _, filtered = run(db, capsys, "pairings", "--status", "transferred", "--json")
    assert filtered["count"] == 0 and filtered["status"] == "transferred"


def test_log_and_move_then_refuse_a_backward_move(db: Path, capsys) -> None:
    code, payload = run(
        db, capsys, "pairing-log", "P0001", "observation", "--date", "2026-10-20",
        "--observed", "A2", "--by", "SLT", "--rating-before", "2", "--rating-after", "3",
        "--json",
    )  # fmt: skip
    assert code == 0 and set(payload) == {"ok", "pairing_id", "entry_id"}
    code, payload = run(db, capsys, "pairing-move", "P0001", "transferred", "--json")
    assert code == 0
    assert payload == {"ok": True, "pairing_id": "P0001", "status": "transferred", "version": 2}
    assert set(doc_example("### `pairing-move")) == set(payload)
    code, payload = run(db, capsys, "pairing-move", "P0001", "active", "--json")
    assert code == 1 and payload["ok"] is False and "final state" in payload["error"]


def test_ledger_json_matches_the_docs(db: Path, capsys) -> None:
    code, payload = run(db, capsys, "pairings-ledger", "--json")
    assert code == 0
    documented = doc_example("### `pairings-ledger --json`")
    assert list(payload) == list(documented)
    assert set(payload["rows"][0]) == set(documented["rows"][0])
    rows = {r["school_id"]: r for r in payload["rows"]}
    assert (rows["C"]["hours_given"], rows["C"]["hours_received"]) == (1.5, 2.0)
    _, people = run(db, capsys, "pairings-ledger", "--by", "person", "--json")
    assert set(people["rows"][0]) == {
        "staff_ref", "school", "pairings_given", "pairings_received", "hours_given",
        "hours_received", "balance",
    }  # fmt: skip
    _, rel = run(db, capsys, "pairings-ledger", "--by", "relationship", "--json")
    assert rel["rows"][0]["relationship"] == "reciprocal"


def test_accountability_json_and_csv_files(db: Path, capsys, tmp_path: Path) -> None:
    code, payload = run(
        db, capsys, "pairings-accountability", "--weeks", "3", "--out", str(tmp_path), "--json"
    )
    assert code == 0
    assert list(payload) == list(doc_example("### `pairings-accountability --json`"))
    assert payload["weeks"] == 3
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "pairings_not_transferred.csv",
        "pairings_overdue.csv",
        "pairings_quiet.csv",
    ]
