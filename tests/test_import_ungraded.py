"""Evidence without a grade (issue 18): course attendance and ungraded observations are
accepted with no strength, never an invented one, and weigh little in scoring — the same
in the scoring model, its explanation and the find's stored parts."""

from __future__ import annotations

from pathlib import Path

from brokering.find import find_expertise, maintenance
from brokering.importing import import_paths
from brokering.score_parts import explain_practice
from brokering.scoring import DEFAULT_PARAMS, practice_scores
from tests.conftest import TINY_TODAY

CPD_LOG = (
    "staff_ref,skill,evidence_type,date,recorded_by,note\n"
    "B2,Questioning,course,2026-10-01,external,Two-day course\n"
)


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_a_cpd_log_without_grades_is_accepted_with_no_strength(tiny, admin, tmp_path) -> None:
    report = import_paths(
        tiny, [_write(tmp_path, "evidence.csv", CPD_LOG)], admin, today=TINY_TODAY
    )
    assert report.ok, [str(p) for p in report.problems]
    assert tiny.execute(
        "SELECT evidence_type, strength FROM evidence WHERE staff_ref = 'B2' "
        "AND skill_id = 'questioning'"
    ).fetchall() == [("course", None)]
    assert any("without a grade" in n for n in report.notes)


def test_the_word_ungraded_is_no_strength(tiny, admin, tmp_path) -> None:
    f = _write(
        tmp_path,
        "evidence.csv",
        "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
        "B2,Questioning,observation,Ungraded,2026-10-01,SLT\n",
    )
    assert import_paths(tiny, [f], admin, today=TINY_TODAY).ok
    assert tiny.execute(
        "SELECT strength FROM evidence WHERE staff_ref = 'B2' AND skill_id = 'questioning'"
    ).fetchall() == [(None,)]


def _score(con, admin, ref: str) -> float:
    frame = practice_scores(con, admin, "questioning", as_of=TINY_TODAY)
    return float(frame.set_index("staff_ref").loc[ref, "practice_score"])


def test_ungraded_evidence_weighs_little(tiny, admin, tmp_path) -> None:
    f = _write(
        tmp_path,
        "evidence.csv",
        "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
        "B2,Questioning,course,,2026-10-01,external\n"
        "B3,Questioning,course,good,2026-10-01,external\n",
    )
    assert import_paths(tiny, [f], admin, today=TINY_TODAY).ok
    prior = (DEFAULT_PARAMS.prior_mean - 1) / 3 * 100
    ungraded, graded = _score(tiny, admin, "B2"), _score(tiny, admin, "B3")
    assert prior < ungraded < graded  # a modest sign, far below a graded record
    parts = explain_practice(tiny, admin, "B2", "questioning", as_of=TINY_TODAY)
    assert parts["contribution"].sum().round(1) == ungraded
    assert "no grade" in parts["note"].iloc[0]
    # The find's stored parts give the same answer as the model.
    computed = find_expertise(tiny, admin, "questioning", as_of=TINY_TODAY).rows
    maintenance.optimise(tiny)
    stored = find_expertise(tiny, admin, "questioning", as_of=TINY_TODAY)
    assert stored.stored_parts
    assert (
        computed.drop(columns=["latest_evidence"])
        .round(6)
        .equals(stored.rows.drop(columns=["latest_evidence"]).round(6))
    )
    row = stored.rows.set_index("staff_ref").loc["B2"]
    assert round(float(row["practice_score"]), 1) == ungraded


def test_ungraded_records_never_make_someone_strong_on_the_dashboard(tiny, admin, tmp_path):
    from brokering.dashboard.flows import complementary_strengths

    before = complementary_strengths(tiny, admin, as_of=TINY_TODAY)
    f = _write(
        tmp_path,
        "evidence.csv",
        "staff_ref,skill,evidence_type,strength,date,recorded_by\n"
        "B2,Behaviour and routines,observation,outstanding,2026-10-01,SLT\n"
        "B2,Behaviour and routines,observation,,2026-10-02,SLT\n",
    )
    assert import_paths(tiny, [f], admin, today=TINY_TODAY).ok
    after = complementary_strengths(tiny, admin, as_of=TINY_TODAY)
    assert len(after) == len(before)  # one graded record is not "several strong" evidence
