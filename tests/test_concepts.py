"""One word, one definition: the number of *strong* people per school is the same in the
find's ranked list, its by-school chart, the gap map and the dashboard's complementary
strengths, for an administrator and for a headteacher (issue: "Oakwood has 1, 6 or 7 strong
SEND practitioners depending on the page")."""

from __future__ import annotations

import pytest

from brokering import concepts
from brokering.dashboard import flows
from brokering.demo import DEMO_AS_OF, STORY
from brokering.find import depth_by_school, find_expertise, gap_map, resolve_query
from brokering.taxonomy import SkillMatcher
from brokering.viewer import Viewer, operator

ADMIN = operator("test")
HEAD = Viewer("headteacher", "SCH09", "head-test")


def _skills(con) -> list[tuple[str, str]]:
    """Five story skills: signature strengths of different schools."""
    matcher = SkillMatcher.from_db(con)
    names = [names[0] for _, names in sorted(STORY["signature_skills"].items())][:5]
    return [(resolve_query(matcher, n).skill_id, n) for n in names]


def _ranked(con, viewer, skill_id) -> dict[str, int]:
    result = find_expertise(con, viewer, skill_id, as_of=DEMO_AS_OF, top=500, audited=False)
    strong = result.rows[result.strong()]
    return strong.groupby("school_id").size().astype(int).to_dict()


@pytest.mark.parametrize("viewer", [ADMIN, HEAD], ids=["administrator", "headteacher"])
def test_strong_per_school_agrees_on_every_view(demo, viewer) -> None:
    comp = flows.complementary_strengths(demo, viewer, DEMO_AS_OF)
    totals = concepts.strong_counts(demo, DEMO_AS_OF)
    names = dict(demo.execute("SELECT school_id, name FROM schools").fetchall())
    gaps = set(gap_map(demo, viewer, as_of=DEMO_AS_OF)["skill_id"])
    checked = 0
    for skill_id, skill_name in _skills(demo):
        ranked = _ranked(demo, viewer, skill_id)
        depth = depth_by_school(demo, viewer, skill_id, as_of=DEMO_AS_OF).set_index("school_id")
        listed = {s: int(n) for s, n in depth["listed"].items() if n}
        # The ranked list and the chart count the same visible people.
        assert ranked == listed, skill_name
        everyone = totals[totals["skill_id"] == skill_id].set_index("school_id")["strong"]
        if viewer.sees_everyone:
            assert listed == everyone.to_dict(), skill_name
        # The gap map lists the skill exactly when no one anywhere is strong in it.
        assert (skill_id in gaps) == (int(everyone.sum()) == 0), skill_name
        # Complementary strengths: each shown count is the same people the chart counts.
        rows = comp[
            comp["skill"]
            == demo.execute("SELECT name FROM skills WHERE skill_id = ?", [skill_id]).fetchone()[0]
        ]
        for r in rows.itertuples():
            sid = next(k for k, v in names.items() if v == r._1)
            if viewer.sees_everyone:
                assert r._4 == int(everyone.get(sid, 0)), (skill_name, sid)
            if viewer.sees_everyone or sid == viewer.school_id:
                assert r._4 == listed.get(sid, 0), (skill_name, sid)
                checked += 1
            else:
                assert r._4 == int(depth.loc[sid, "depth"]), (skill_name, sid)
    assert viewer.school_id or checked, "the story's strengths meet open needs somewhere"


def test_the_words_come_from_settings() -> None:
    from brokering import settings
    from brokering.matching.params import MatchParams
    from brokering.scoring import DEFAULT_PARAMS

    assert DEFAULT_PARAMS.strong_score == settings.STRONG_SCORE == concepts.STRONG_SCORE
    assert DEFAULT_PARAMS.recent_days == settings.RECENT_DAYS
    assert MatchParams().min_expertise == settings.PROPOSE_SCORE
    assert "60" in concepts.strong_meaning() and "2 years" in concepts.strong_meaning()
    assert concepts.hidden_words() == "fewer than 3"
