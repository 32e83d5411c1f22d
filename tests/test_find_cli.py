"""`python -m brokering find` and `optimise`: the JSON shape is pinned (docs/CLI.md), an
ambiguous or unmatched query exits 3 with suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brokering.cli import main
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY

RESULT_KEYS = {
    "rank",
    "staff_ref",
    "school_id",
    "school",
    "role",
    "phases",
    "practice_score",
    "coaching_score",
    "blend_score",
    "confidence",
    "evidence_count",
    "latest_evidence",
}
TOP_KEYS = {
    "ok",
    "skill",
    "phase",
    "phase_words",
    "school_id",
    "rank_by",
    "blend",
    "as_of",
    "results",
    "message",
    "related",
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


def test_find_json_keys_are_stable(db, capsys) -> None:
    code, out = run(db, capsys, "find", "yr 6 maths", "--json", "--as-of", TINY_TODAY.isoformat())
    assert code == 0
    payload = json.loads(out)
    assert set(payload) == TOP_KEYS
    assert payload["skill"] == {"id": "mathematics", "name": "Mathematics", "area": "Subjects"}
    assert payload["phase"] == ["KS2"] and payload["phase_words"] == ["yr 6"]
    assert [r["staff_ref"] for r in payload["results"]] == ["A3"]
    assert set(payload["results"][0]) == RESULT_KEYS
    first = payload["results"][0]
    assert (first["school_id"], first["phases"], first["latest_evidence"]) == (
        "A",
        ["KS2"],
        "2026-07-20",
    )


def test_find_options(db, capsys) -> None:
    code, out = run(
        db, capsys, "find", "maths", "--json", "--top", "2", "--rank-by", "blend",
        "--blend", "0.3", "--school", "A", "--as-of", TINY_TODAY.isoformat(),
    )  # fmt: skip
    payload = json.loads(out)
    assert code == 0 and payload["rank_by"] == "blend" and payload["blend"] == 0.3
    assert [r["school_id"] for r in payload["results"]] == ["A", "A"]


@pytest.mark.parametrize(("query", "status"), [("teaching", "ambiguous"), ("zzzz qqq", "none")])
def test_unclear_queries_exit_3_with_suggestions(db, capsys, query, status) -> None:
    code, out = run(db, capsys, "find", query, "--json")
    assert code == 3
    payload = json.loads(out)
    assert set(payload) == {"ok", "status", "error", "query", "phase", "suggestions"}
    assert payload["ok"] is False and payload["status"] == status
    assert len(payload["suggestions"]) == 5


def test_phase_only_query_keeps_its_phase(db, capsys) -> None:
    code, out = run(db, capsys, "find", "reception", "--json")
    assert code == 3 and json.loads(out)["phase"] == ["EYFS"]


def test_bad_input_is_a_plain_error(db, capsys) -> None:
    assert main(["--db", db, "find", "!!!"]) == 1
    assert "no letters or numbers" in capsys.readouterr().err
    code, out = run(db, capsys, "find", "maths", "--phase", "KS9", "--json")
    assert code == 1 and "Unknown phase" in json.loads(out)["error"]


def test_text_output_lists_the_ranking(db, capsys) -> None:
    code, out = run(db, capsys, "find", "yr 6 maths", "--as-of", TINY_TODAY.isoformat())
    assert code == 0
    assert "Mathematics (KS2)" in out and "“yr 6” read as KS2" in out and " A3 " in out


def test_empty_result_says_so_and_offers_related_skills(db, capsys) -> None:
    code, out = run(db, capsys, "find", "physics", "--json", "--as-of", TINY_TODAY.isoformat())
    payload = json.loads(out)
    assert code == 0 and payload["results"] == []
    assert "No one you can see has evidence in Physics" in payload["message"]
    assert {"id": "chemistry", "name": "Chemistry"} in payload["related"]


def test_optimise_command(db, capsys) -> None:
    code, out = run(db, capsys, "optimise", "--json")
    assert code == 0 and json.loads(out) == {"ok": True, "find_parts": 7}
    code, out = run(db, capsys, "find", "maths", "--json", "--as-of", TINY_TODAY.isoformat())
    assert [r["staff_ref"] for r in json.loads(out)["results"]] == ["A3", "A2", "B3"]


def test_cli_docs_show_the_pinned_keys() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "CLI.md").read_text(encoding="utf-8")
    section = text[text.index("## `find ") :]
    blocks = section.split("```json")[1:3]
    found = json.loads(blocks[0].split("```")[0])
    refused = json.loads(blocks[1].split("```")[0])
    assert set(found) == TOP_KEYS and set(found["results"][0]) == RESULT_KEYS
    assert set(refused) == {"ok", "status", "error", "query", "phase", "suggestions"}
