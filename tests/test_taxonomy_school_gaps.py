"""Taxonomy gaps a real alliance hits (issue 18): NPQs, Makaton, Intensive Interaction, Team
Teach, validated phonics programmes, DSL and Prevent, Accelerated Reader, Rosenshine, Emotion
Coaching, MFL — and course titles from a CPD log resolve to the right skill."""

from __future__ import annotations

from pathlib import Path

import pytest

from brokering.importing import import_paths
from tests.conftest import TINY_TODAY


@pytest.mark.parametrize(
    ("text", "skill_id"),
    [
        ("NPQLT", "leading-teaching"),
        ("NPQLBC", "leading-behaviour-and-culture"),
        ("NPQLTD", "leading-professional-development"),
        ("NPQSL", "senior-leadership"),
        ("NPQH", "headship"),
        ("NPQEL", "executive-leadership"),
        ("NPQEYL", "early-years-leadership"),
        ("NPQSENCO", "senco-leadership"),
        ("Makaton", "makaton"),
        ("Intensive Interaction", "intensive-interaction"),
        ("Team Teach", "de-escalation"),
        ("positive handling", "de-escalation"),
        ("Little Wandle", "early-reading-and-phonics"),
        ("Read Write Inc", "early-reading-and-phonics"),
        ("Essential Letters and Sounds", "early-reading-and-phonics"),
        ("DSL", "safeguarding-leadership"),
        ("Prevent", "safeguarding"),
        ("Accelerated Reader", "whole-school-reading-culture"),
        ("Rosenshine's principles", "direct-instruction"),
        ("Emotion Coaching", "emotion-coaching"),
        ("MFL", "modern-foreign-languages"),
    ],
)
def test_school_words_are_skills(matcher, text: str, skill_id: str) -> None:
    m = matcher.match(text)
    assert (m.status, m.skill_id) == ("exact", skill_id)


def test_course_titles_in_a_cpd_log_resolve(tiny, admin, tmp_path: Path) -> None:
    (tmp_path / "evidence.csv").write_text(
        "staff_ref,skill,evidence_type,date,recorded_by\n"
        "B2,Makaton Level 1,course,2026-10-01,external\n"
        "B2,Emotion Coaching,course,2026-10-02,external\n"
        "B2,Team Teach Level 2 training,course,2026-10-03,external\n"
        "B2,Art & Design,course,2026-10-04,external\n"
    )
    report = import_paths(tiny, [tmp_path], admin, today=TINY_TODAY)
    assert report.ok, [str(p) for p in report.problems]
    got = tiny.execute(
        "SELECT skill_id FROM evidence WHERE staff_ref = 'B2' AND evidence_type = 'course' "
        "ORDER BY date"
    ).fetchall()
    assert got == [("makaton",), ("emotion-coaching",), ("de-escalation",), ("art-and-design",)]
    assert any("'Makaton Level 1' read as Makaton" in n for n in report.notes)
