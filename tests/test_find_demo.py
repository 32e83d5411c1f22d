"""The demo alliance's story, as the find tells it: each school deepest in its signature
skills, and in the coach pairs the best performer is not the best coach."""

from __future__ import annotations

import pytest

from brokering.demo import DEMO_AS_OF, STORY
from brokering.find import depth_by_school, find_expertise, resolve_query
from brokering.taxonomy import SkillMatcher
from brokering.viewer import operator

ADMIN = operator("test")


@pytest.mark.parametrize("school", sorted(STORY["signature_skills"]))
def test_each_school_is_deepest_in_its_signature_skills(demo, school) -> None:
    matcher = SkillMatcher.from_db(demo)
    for name in STORY["signature_skills"][school]:
        skill = resolve_query(matcher, name).skill_id
        depth = depth_by_school(demo, ADMIN, skill, as_of=DEMO_AS_OF)
        assert depth["school_id"].iloc[0] == school, name
        assert depth["depth"].iloc[0] > depth["depth"].iloc[1], name


@pytest.mark.parametrize("skill", sorted(STORY["coach_pairs"]))
def test_best_performer_is_not_best_coach(demo, skill) -> None:
    pair = STORY["coach_pairs"][skill]
    practice = find_expertise(demo, ADMIN, skill, as_of=DEMO_AS_OF, top=50).rows
    coaching = find_expertise(
        demo, ADMIN, skill, as_of=DEMO_AS_OF, top=500, rank_by="coaching"
    ).rows
    p = practice["staff_ref"].tolist()
    c = coaching["staff_ref"].tolist()
    assert p[0] == pair["top_performer"]
    assert c[0] == pair["better_coach"]
    assert p.index(pair["better_coach"]) > 0
    assert pair["top_performer"] not in c[:5]
