"""Each plain-pandas baseline (benchmarks.baselines.find) computes the same answer as the DuckDB
function it mirrors, on the tiny alliance and on a small generated set (CONTRACT: Benchmarks).
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks.baselines import find as baselines
from benchmarks.generate import AS_OF, ensure_dataset
from brokering import scoring
from brokering.db import Connection
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import Viewer, operator
from tests.conftest import TINY, TINY_TODAY

NUMERIC = ["practice_mean", "practice_confidence", "evidence_weight", "mean_strength"]


@pytest.fixture(scope="module")
def tiny_store() -> Connection:
    con = open_store(":memory:")
    report = import_paths(con, [TINY], operator("test"), today=TINY_TODAY)
    assert report.ok, [str(p) for p in report.problems]
    yield con
    con.close()


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Connection:
    """The harness's smoke-scale data set (40 real schools, 1,200 staff, 12,000 evidence
    rows), loaded through the real importer."""
    data, _ = ensure_dataset("smoke", work_dir=tmp_path_factory.mktemp("bench"))
    files = [data / f"{t}.csv" for t in ("schools", "staff", "evidence", "coaching", "needs")]
    con = open_store(":memory:")
    report = import_paths(con, files, operator("test"), today=AS_OF)
    assert report.ok, [str(p) for p in report.problems[:5]]
    yield con
    con.close()


def _cases(con: Connection, n_skills: int) -> tuple[list[str], list[Viewer]]:
    skills = [
        r[0]
        for r in con.execute(
            "SELECT skill_id FROM evidence GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?",
            [n_skills],
        ).fetchall()
    ]
    schools = [r[0] for r in con.execute("SELECT school_id FROM schools ORDER BY 1").fetchall()]
    viewers = [
        operator("test"),
        Viewer("senior_leader", schools[0]),
        Viewer("headteacher", schools[-1]),
        Viewer("sle_coordinator"),
    ]
    return skills, viewers


def _same_practice(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a = a.sort_values("staff_ref").reset_index(drop=True)
    b = b.sort_values("staff_ref").reset_index(drop=True)
    assert list(a["staff_ref"].astype(str)) == list(b["staff_ref"].astype(str))
    if a.empty:
        return
    assert list(a["school_id"].astype(str)) == list(b["school_id"].astype(str))
    assert list(a["role"].astype(str)) == list(b["role"].astype(str))
    for col in NUMERIC:
        np.testing.assert_allclose(a[col].astype(float), b[col].astype(float), rtol=1e-9)
    np.testing.assert_allclose(a["practice_score"], b["practice_score"], atol=0.1 + 1e-9)
    assert list(a["evidence_count"].astype(int)) == list(b["evidence_count"].astype(int))
    assert list(pd.to_datetime(a["latest_evidence"])) == list(pd.to_datetime(b["latest_evidence"]))
    assert [tuple(p) for p in a["phases"]] == [tuple(p) for p in b["phases"]]


def _check_practice(con: Connection, today: date, n_skills: int) -> None:
    frames = baselines.load_frames(con)
    skills, viewers = _cases(con, n_skills)
    for viewer in viewers:
        for skill in [*skills, "no-such-skill"]:
            product = scoring.practice_scores(con, viewer, skill, as_of=today)
            baseline = baselines.practice_scores(frames, viewer, skill, as_of=today)
            _same_practice(product, baseline)


def test_practice_scores_matches_on_the_tiny_alliance(tiny_store: Connection) -> None:
    _check_practice(tiny_store, TINY_TODAY, 10)


def test_practice_scores_matches_on_a_generated_set(small_store: Connection) -> None:
    _check_practice(small_store, AS_OF, 6)


@pytest.mark.parametrize("phase", ["KS2", ["KS1", "KS2"], "KS4"])
def test_practice_scores_matches_with_a_phase_and_a_school(
    small_store: Connection, phase: str | list[str]
) -> None:
    frames = baselines.load_frames(small_store)
    skills, viewers = _cases(small_store, 3)
    school = viewers[1].school_id
    for skill in skills:
        for kwargs in (
            {"phase": phase},
            {"school_id": school},
            {"phase": phase, "school_id": school},
        ):
            product = scoring.practice_scores(small_store, viewers[0], skill, as_of=AS_OF, **kwargs)
            baseline = baselines.practice_scores(frames, viewers[0], skill, as_of=AS_OF, **kwargs)
            _same_practice(product, baseline)


def _find_rows(con: Connection, viewer: Viewer, skill: str, today: date, top: int):
    find = importlib.import_module("brokering.find")
    return find.find_expertise(con, viewer, skill, top=top, as_of=today).rows


def _check_top(con: Connection, today: date, n_skills: int) -> None:
    frames = baselines.load_frames(con)
    skills, viewers = _cases(con, n_skills)
    for viewer in viewers:
        for skill in skills:
            product = _find_rows(con, viewer, skill, today, 20)
            baseline = baselines.top_practitioners(frames, viewer, skill, as_of=today, top=20)
            assert list(product["staff_ref"]) == list(baseline["staff_ref"].astype(str)), skill
            np.testing.assert_allclose(
                product["practice_score"].astype(float),
                baselines.round_half_up(scoring.to_percent(baseline["practice_mean"])),
            )
            assert list(product["evidence_count"]) == list(baseline["evidence_count"])


def test_top_practitioners_matches_find_expertise_on_the_tiny_alliance(
    tiny_store: Connection,
) -> None:
    _check_top(tiny_store, TINY_TODAY, 10)


def test_top_practitioners_matches_find_expertise_on_a_generated_set(
    small_store: Connection,
) -> None:
    _check_top(small_store, AS_OF, 6)


def test_top_practitioners_matches_find_expertise_after_optimise(
    tmp_path: Path, small_store: Connection
) -> None:
    """The find's fast route (stored per-skill parts, evidence in skill order) must give the
    same answer as the baseline too."""
    maintenance = importlib.import_module("brokering.find.maintenance")
    if not hasattr(maintenance, "optimise"):
        pytest.skip("brokering.maintenance.optimise does not exist yet")
    db = tmp_path / "copy.duckdb"
    small_store.execute(f"ATTACH '{db}' AS copy")
    small_store.execute("COPY FROM DATABASE memory TO copy")
    small_store.execute("DETACH copy")
    con = open_store(db)
    try:
        maintenance.optimise(con)
        find = importlib.import_module("brokering.find")
        skill = _cases(con, 1)[0][0]
        assert find.find_expertise(con, operator("t"), skill, as_of=AS_OF).stored_parts
        _check_top(con, AS_OF, 6)
    finally:
        con.close()


def test_top_per_skill_is_each_skills_top(small_store: Connection) -> None:
    frames = baselines.load_frames(small_store)
    viewer = Viewer("senior_leader", _cases(small_store, 1)[1][1].school_id)
    every = baselines.top_per_skill(frames, viewer, as_of=AS_OF, top=10)
    skills = sorted(set(every["skill_id"]))
    assert len(skills) > 50
    for skill in skills[:: max(1, len(skills) // 12)]:
        one = every[every["skill_id"] == skill]
        each = baselines.top_practitioners(frames, viewer, skill, as_of=AS_OF, top=10)
        assert list(one["staff_ref"].astype(str)) == list(each["staff_ref"].astype(str))
        product = _find_rows(small_store, viewer, skill, AS_OF, 10)
        assert list(product["staff_ref"]) == list(one["staff_ref"].astype(str)), skill


@pytest.mark.parametrize("which", ["tiny", "small"])
def test_depth_by_school_matches(which: str, request: pytest.FixtureRequest) -> None:
    find_depth = importlib.import_module("brokering.find.depth")
    con = request.getfixturevalue("tiny_store" if which == "tiny" else "small_store")
    today = TINY_TODAY if which == "tiny" else AS_OF
    frames = baselines.load_frames(con)
    skills, viewers = _cases(con, 4)
    for viewer in viewers:
        for skill in skills:
            product = find_depth.depth_by_school(con, viewer, skill, as_of=today)
            baseline = baselines.depth_by_school(frames, viewer, skill, as_of=today)
            cols = ["school_id", "school", "listed", "depth"]
            pd.testing.assert_frame_equal(
                product[cols].astype({"listed": "int64", "depth": "int64"}),
                baseline[cols],
                check_dtype=False,
            )
            assert list(product["not_shared"].astype("Int64")) == list(baseline["not_shared"])
