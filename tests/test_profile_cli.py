"""`python -m brokering profile REF`: the JSON shape is pinned (docs/CLI.md); a reference the
acting user may not see gets the not-found message and exit status 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brokering.cli import main
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY

TOP_KEYS = {
    "ok",
    "staff_ref",
    "name",
    "school_id",
    "school",
    "role",
    "phases",
    "subjects",
    "coach_trained",
    "mentor_trained",
    "strengths",
    "evidence",
    "coaching",
    "pairings",
    "capacity",
    "open_needs",
    "similar",
}
STRENGTH_KEYS = {
    "skill_id",
    "skill",
    "area",
    "practice_score",
    "practice_confidence",
    "practice_confidence_word",
    "evidence_count",
    "latest_evidence",
    "coaching_score",
    "coaching_shown_as",
    "coaching_confidence_word",
    "coaching_records",
}
EVIDENCE_KEYS = {
    "skill",
    "date",
    "evidence_type",
    "strength",
    "observer",
    "note",
    "phase",
    "weight",
}
COACHING_KEYS = {
    "direction",
    "skill",
    "mode",
    "start_date",
    "end_date",
    "state",
    "outcome_strength",
    "feedback_score",
    "hours",
    "other_ref",
    "other_school",
    "other_name",
}
CAPACITY_KEYS = {
    "term",
    "capacity_hours",
    "hours_committed",
    "hours_reserved",
    "hours_left",
    "active_relationships",
}


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "alliance.duckdb"
    con = open_store(path)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    con.close()
    return str(path)


def run(db: str, capsys, *args: str) -> tuple[int, str]:
    code = main(["--db", db, *args])
    return code, capsys.readouterr().out


def test_profile_json_keys_are_stable(db, capsys) -> None:
    code, out = run(db, capsys, "profile", "B2", "--as-of", TINY_TODAY.isoformat(), "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == TOP_KEYS
    assert all(set(s) == STRENGTH_KEYS for s in data["strengths"])
    assert all(set(e) == EVIDENCE_KEYS for e in data["evidence"])
    assert all(set(c) == COACHING_KEYS for c in data["coaching"])
    assert data["strengths"] and data["evidence"] and data["coaching"]
    assert set(data["capacity"]) == CAPACITY_KEYS
    maths = next(s for s in data["strengths"] if s["skill_id"] == "mathematics")
    assert maths["practice_score"] is None and maths["coaching_records"] == 1


def test_profile_text_says_no_record_yet(db, capsys) -> None:
    code, out = run(db, capsys, "profile", "A2", "--as-of", TINY_TODAY.isoformat())
    assert code == 0
    assert "no record yet" in out and "Strong modelling" in out and "%" not in out


def test_hidden_reference_exits_1_like_a_missing_one(db, capsys) -> None:
    con = open_store(db)
    from brokering.accounts import create_user

    create_user(con, operator(), "leader-b", "a-long-password-1", "senior_leader", "B")
    con.close()
    code, out = run(db, capsys, "--as", "leader-b", "profile", "A3", "--json")
    assert code == 1 and json.loads(out) == {
        "ok": False,
        "error": "No one you can see has the reference “A3”.",
    }


def test_names_file_shows_own_staff_by_name_for_the_command_only(db, capsys, tmp_path) -> None:
    con = open_store(db)
    from brokering.accounts import create_user

    create_user(con, operator(), "head-a", "a-long-password-1", "headteacher", "A")
    con.close()
    key_file = tmp_path / "key.csv"
    key_file.write_text("Staff Code,Name\nA2,Zoë Brontë\nA3,Alan Turing\n", encoding="utf-8")
    code, out = run(
        db, capsys, "--as", "head-a", "profile", "A2", "--names", str(key_file), "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["name"] == "Zoë Brontë"
    similar = {s["staff_ref"]: s["name"] for s in data["similar"]}
    assert similar["A3"] == "Alan Turing" and similar["B3"] is None  # partners stay refs
    code, out = run(db, capsys, "--as", "head-a", "profile", "A2", "--names", str(key_file))
    assert out.startswith("Zoë Brontë (A2) — teacher")
    con = open_store(db)
    stored = repr(
        [
            con.execute(f'SELECT * FROM "{t}"').fetchall()
            for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        ]
    )
    con.close()
    assert "Zoë" not in stored and "Turing" not in stored


def test_names_file_refused_for_the_operator_and_for_a_big_file(db, capsys, tmp_path) -> None:
    key_file = tmp_path / "key.csv"
    key_file.write_text("staff_ref,name\nA2,Zoë Brontë\n", encoding="utf-8")
    code, out = run(db, capsys, "profile", "A2", "--names", str(key_file), "--json")
    assert code == 1 and "does not allow" in json.loads(out)["error"]
    big = tmp_path / "big.csv"
    big.write_bytes(b"staff_ref,name\n" + b"A2,Zoe Bronte\n" * 500_000)
    con = open_store(db)
    from brokering.accounts import create_user

    create_user(con, operator(), "head-a", "a-long-password-1", "headteacher", "A")
    con.close()
    code, out = run(db, capsys, "--as", "head-a", "profile", "A2", "--names", str(big), "--json")
    assert code == 1 and "MB" in json.loads(out)["error"] and "Zoe" not in out
