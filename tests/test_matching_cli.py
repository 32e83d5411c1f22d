"""`match`, `allocate`, `needs` and `requests` on the command line, in-process against a copy
of a tiny-alliance store file; the JSON keys documented in docs/MATCHING.md are pinned."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from brokering.cli import main
from brokering.db import connect
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY, data_tables

AS_OF = TINY_TODAY.isoformat()
MATCH_KEYS = {"ok", "need", "term", "close_skills", "candidates"}
NEED_KEYS = {
    "need_id",
    "staff_ref",
    "school_id",
    "skill_id",
    "skill",
    "wanted_role",
    "hours",
    "status",
}
CANDIDATE_KEYS = {
    "rank",
    "staff_ref",
    "school_id",
    "proposed_as",
    "match_score",
    "proposable",
    "not_proposed_reason",
    "flags",
    "parts",
    "expertise_score",
    "expertise_source",
    "coaching_score",
    "mentoring_score",
    "hours_left",
    "phase_fit",
    "distance_km",
    "is_line_manager",
}
PARTS = {"expertise", "coaching", "phase", "partner", "travel"}
ALLOCATE_KEYS = {
    "ok",
    "as_of",
    "term",
    "school_cap",
    "awaiting_reply",
    "methods",
    "chosen",
    "proposals",
    "unmatchable",
    "committed",
}
METHOD_KEYS = {
    "total_quality",
    "needs_covered",
    "needs_considered",
    "schools_involved",
    "cross_school",
    "solver",
    "status",
    "seconds",
}
PROPOSAL_KEYS = {
    "need_id",
    "staff_ref",
    "school_id",
    "skill_id",
    "priority",
    "coach_ref",
    "coach_school_id",
    "proposed_as",
    "hours",
    "match_score",
}
UNMATCHABLE_KEYS = {"need_id", "staff_ref", "skill", "priority", "reason"}


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("match-cli") / "tiny.duckdb"
    con = open_store(path)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    con.close()
    return path


@pytest.fixture
def db(store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "tiny.duckdb"
    shutil.copy(store_file, target)
    monkeypatch.setenv("BROKERING_DB", str(tmp_path / "never-used.duckdb"))
    return target


def run(capsys, db: Path, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--db", str(db), *argv])
    return code, capsys.readouterr().out


def run_json(capsys, db: Path, *argv: str) -> tuple[int, dict]:
    code, out = run(capsys, db, *argv, "--json")
    return code, json.loads(out)


def test_match_json_is_pinned(capsys, db: Path) -> None:
    code, out = run_json(capsys, db, "match", "B3", "maths", "--as-of", AS_OF)
    assert code == 0 and set(out) == MATCH_KEYS
    assert set(out["need"]) == NEED_KEYS and out["need"]["need_id"] == "N1"
    assert [c["staff_ref"] for c in out["candidates"]] == ["B2", "A3", "A2"]
    for c in out["candidates"]:
        assert set(c) == CANDIDATE_KEYS and set(c["parts"]) == PARTS
        assert sum(c["parts"].values()) == pytest.approx(c["match_score"])
    b2 = out["candidates"][0]
    assert b2["proposable"] and b2["is_line_manager"] and b2["not_proposed_reason"] is None
    assert out["candidates"][1]["not_proposed_reason"].startswith("has not agreed")


def test_match_text_and_top(capsys, db: Path) -> None:
    code, out = run(capsys, db, "match", "B3", "Mathematics", "--top", "1", "--as-of", AS_OF)
    assert code == 0 and "B2" in out and "A3" not in out and "line manager" in out


def test_match_unmatched_skill_exits_3_with_suggestions(capsys, db: Path) -> None:
    code, out = run_json(capsys, db, "match", "B3", "mathematicks and physicks")
    assert code == 3 and out["ok"] is False and "suggestions" in out
    code, out = run_json(capsys, db, "match", "ZZ9", "maths")
    assert code == 1 and "ZZ9" in out["error"]
    code, out = run_json(capsys, db, "match", "C2", "Autism support")
    assert code == 1 and "left" in out["error"]


def test_allocate_preview_then_commit(capsys, db: Path, tmp_path: Path) -> None:
    before = _tables(db)
    csv_out = tmp_path / "proposals.csv"
    code, out = run_json(capsys, db, "allocate", "--as-of", AS_OF, "--out", str(csv_out))
    assert code == 0 and set(out) == ALLOCATE_KEYS
    assert set(out["methods"]) == {"optimal", "coverage", "greedy"}
    assert all(set(m) == METHOD_KEYS for m in out["methods"].values())
    assert [set(p) for p in out["proposals"]] == [PROPOSAL_KEYS]
    assert out["proposals"][0]["coach_ref"] == "B2" and out["committed"] is None
    assert [set(u) for u in out["unmatchable"]] == [UNMATCHABLE_KEYS]
    assert "need_id" in csv_out.read_text().splitlines()[0]
    assert _tables(db) == before
    code, out = run_json(
        capsys,
        db,
        "allocate",
        "--as-of",
        AS_OF,
        "--commit",
        "--method",
        "greedy",
        "--school-cap",
        "0.5",
    )
    assert code == 0 and out["committed"]["requests"] == 1 and out["chosen"] == "greedy"
    code, out = run_json(capsys, db, "requests", "list", "--status", "pending")
    assert [r["need_id"] for r in out["requests"]] == ["N1"]


def test_allocate_text_and_bad_cap(capsys, db: Path) -> None:
    code, out = run(capsys, db, "allocate", "--as-of", AS_OF)
    assert code == 0 and "Preview only" in out and "optimal" in out and "greedy" in out
    with pytest.raises(SystemExit):
        main(["--db", str(db), "allocate", "--school-cap", "2"])


def test_needs_commands(capsys, db: Path) -> None:
    code, out = run_json(
        capsys,
        db,
        "needs",
        "add",
        "C1",
        "maths",
        "--priority",
        "high",
        "--role",
        "coach",
        "--hours",
        "9",
    )
    assert code == 0 and out["need"]["need_id"] == "N0004" and out["need"]["hours"] == 9.0
    code, out = run_json(capsys, db, "needs", "list", "--skill", "Mathematics")
    assert [n["need_id"] for n in out["needs"]] == ["N1", "N0004"]
    assert set(out["needs"][0]) == {
        "need_id",
        "staff_ref",
        "school_id",
        "skill_id",
        "skill_name",
        "priority",
        "wanted_role",
        "raised_on",
        "status",
        "hours",
        "pending_requests",
    }
    code, out = run_json(capsys, db, "needs", "edit", "N0004", "--priority", "low")
    assert out["need"]["priority"] == "low"
    code, out = run_json(capsys, db, "needs", "close", "N0004", "--withdrawn", "--reason", "x")
    assert out["need"]["status"] == "withdrawn"
    with pytest.raises(SystemExit):  # argparse refuses the word before anything runs
        main(["--db", str(db), "needs", "add", "C1", "maths", "--priority", "urgent"])
    code, out = run_json(capsys, db, "needs", "add", "B3", "maths")
    assert code == 1 and "already has an open need" in out["error"]


def test_requests_commands_and_refusals(capsys, db: Path) -> None:
    run_json(capsys, db, "needs", "add", "C1", "maths", "--role", "coach")
    code, out = run_json(capsys, db, "requests", "send", "N0004", "B2", "--as-of", AS_OF)
    assert code == 0 and out["request"]["status"] == "pending"
    rid = str(out["request"]["request_id"])
    # The command line acts as the alliance administrator, who does not answer for a school.
    code, out = run_json(capsys, db, "requests", "accept", rid, "--as-of", AS_OF)
    assert code == 1 and "Birch Academy" in out["error"]
    code, out = run_json(capsys, db, "requests", "withdraw", rid, "--reason", "Not needed")
    assert code == 0 and out["request"]["status"] == "withdrawn"
    code, out = run_json(capsys, db, "requests", "list")
    assert out["requests"][0]["status"] == "withdrawn"
    assert set(out["requests"][0]) == {
        "request_id",
        "status",
        "need_id",
        "skill_name",
        "coachee_ref",
        "coachee_school_id",
        "coach_ref",
        "coach_school_id",
        "mode",
        "hours",
        "match_score",
        "source",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "reason",
        "reply_by",
    }
    assert "T" in out["requests"][0]["requested_at"]  # a time, not just a day


def _tables(db: Path) -> dict:
    con = connect(db)
    try:
        return data_tables(con)
    finally:
        con.close()
