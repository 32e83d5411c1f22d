"""The benchmark harness keeps working: smoke mode runs end to end in seconds and writes its
results file; the generator is reproducible and cleans the real schools register. These tests
say nothing about speed (that is what RESULTS.md is for)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from benchmarks import gen_schools, generate
from benchmarks.ops_fuzzy import queries
from benchmarks.ops_matching import SCAN_LABEL
from brokering.phases import SCHOOL_PHASES

ROOT = Path(__file__).resolve().parent.parent


def test_smoke_run_writes_its_results(tmp_path: Path) -> None:
    out = tmp_path / "results" / "RESULTS.md"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--smoke",
            "--out",
            str(out),
            "--work",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results")
    assert "python -m benchmarks --smoke" in text
    for heading in (
        "**Machine:**",
        "**Versions:**",
        "**Rows in the store:**",
        "## Operations",
        "## Peak memory",
    ):
        assert heading in text
    payload = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    ops = {r["op"]: r for r in payload["rows"]}
    assert ops["import"]["product"]["samples"], ops["import"]["status"]
    assert ops["fuzzy"]["product"]["samples"]
    assert payload["counts"]["evidence"] > 0
    assert any(m["maxrss_mb"] for m in payload["memory"])
    # Answers compared in the run for every operation that has something to compare with
    # (issue 24), and every comparison equal. The import rows are issue 18's (ops_import).
    compared = {
        "find": {"numpy with the same parts", "numpy by offsets", "SQL over parts"},
        "find_typical": {"numpy with the same parts", "numpy by offsets", "SQL over parts"},
        "all_skills": {"pandas (one grouped pass)"},
        "depth": {"pandas"},
        "candidates": {SCAN_LABEL},
        "transfer_headline": {"pandas"},
        "transfer_by_school": {"pandas"},
        "transfer_by_term": {"pandas"},
        "flow_matrix": {"pandas"},
        "fuzzy": {"SkillMatcher.match, one query at a time"},
        "find_after_write": {"numpy with the same parts", "SQL over parts"},
        "find_typical_after_write": {"numpy with the same parts", "SQL over parts"},
        "candidates_after_write": {SCAN_LABEL},
    }
    for op, wanted in compared.items():
        assert ops[op]["status"] == "ok", (op, ops[op]["status"])
        answers = ops[op]["answers"]
        assert wanted <= set(answers), (op, answers)
        assert all(answers.values()), (op, answers)
    for r in payload["rows"]:
        if r["baseline"] and not r["op"].startswith("import"):
            assert r["answers"], f"{r['op']} has a baseline but compared no answers"
        if r["floor_answers"]:
            assert r["answers"], r["op"]
    # Finds keep their fast path, before and after the writes; the withdrawal shows at once.
    for op in ("find", "find_typical", "find_after_write", "find_typical_after_write"):
        assert ops[op]["quality"]["stored_parts"] is True, op
    assert ops["write"]["quality"]["fast_path_after"] is True
    # The derived facts stay current through every write: no first read pays for a rebuild.
    assert ops["write"]["quality"]["dashboard_facts_current_after"] is True
    assert ops["dashboard_after_pairing_write"]["quality"]["derived_current_after_each_write"]
    assert ops["find_after_write"]["answers"][
        "withdrawn person no longer listed for another school's leader"
    ]
    text_ops = out.read_text(encoding="utf-8")
    assert "## What the product precomputes" in text_ops


def test_only_and_repeat_select_operations(tmp_path: Path) -> None:
    out = tmp_path / "fuzzy.md"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--scale",
            "smoke",
            "--only",
            "fuzzy",
            "--repeat",
            "1",
            "--out",
            str(out),
            "--work",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    payload = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert [r["op"] for r in payload["rows"]] == ["fuzzy"]


def _digest(folder: Path) -> dict[str, str]:
    return {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.glob("*.csv"))
    }


def test_generator_is_reproducible(tmp_path: Path) -> None:
    a, manifest = generate.ensure_dataset("smoke", 7, tmp_path / "a")
    b, _ = generate.ensure_dataset("smoke", 7, tmp_path / "b")
    c, _ = generate.ensure_dataset("smoke", 8, tmp_path / "c")
    assert _digest(a) == _digest(b)
    assert _digest(a)["evidence.csv"] != _digest(c)["evidence.csv"]
    assert manifest["counts"]["evidence"] == generate.SCALES["smoke"].evidence
    assert manifest["counts"]["open_needs"] == generate.SCALES["smoke"].open_needs
    cached, again = generate.ensure_dataset("smoke", 7, tmp_path / "a")
    assert cached == a and again["cached"]


def test_schools_register_is_cleaned() -> None:
    raw = pd.read_csv(gen_schools.SCHOOLS_SAMPLE, dtype=str, keep_default_na=False)
    clean = gen_schools.load_state_schools(gen_schools.SCHOOLS_SAMPLE)
    assert 0 < len(clean) < len(raw)
    kept = raw[raw["urn"].isin(clean["urn"])]
    assert not kept["type_2018"].isin(["Independent School", "College"]).any()
    assert not kept["la_name"].isin(gen_schools.WELSH_LAS).any()
    assert not kept["la_name"].str.contains("Offshore|Overseas|Does not apply").any()
    assert set(clean["phase"]) <= set(SCHOOL_PHASES)
    assert "special" in set(clean["phase"])
    assert not clean["name"].str.contains("\x92").any()
    for col in ("name", "la_name", "phase", "postcode"):
        assert not clean[col].eq("nan").any(), col
    assert clean["number_on_roll"].gt(0).all()


def test_fuzzy_queries_are_distinct_and_seeded() -> None:
    a = queries(3, 500)
    assert len(a) == len(set(a)) == 500
    assert a == queries(3, 500)
    assert a != queries(4, 500)
