"""Search text -> skill and phase filter: real-world spellings, phase words, refusals."""

from __future__ import annotations

import pytest

from brokering.errors import AmbiguousQuery, ValidationError
from brokering.find import find_expertise
from brokering.find.query import (
    MAX_QUERY_LENGTH,
    QueryNotResolved,
    QueryResolver,
    parse_phase,
    resolve_query,
)
from brokering.taxonomy import Skill, SkillMatcher, load_skills
from tests.conftest import TINY_TODAY


@pytest.fixture(scope="module")
def resolver() -> QueryResolver:
    return QueryResolver(SkillMatcher(load_skills()))


@pytest.mark.parametrize(
    ("text", "skill", "phases"),
    [
        ("yr 6 maths", "mathematics", ("KS2",)),
        ("Year 6 maths", "mathematics", ("KS2",)),
        ("maths year 6", "mathematics", ("KS2",)),
        ("phonix", "early-reading-and-phonics", ()),
        ("reception phonics", "early-reading-and-phonics", ("EYFS",)),
        ("beh management", "behaviour-and-routines", ()),
        ("behavour", "behaviour-and-routines", ()),
        ("behaviour managment", "behaviour-and-routines", ()),
        ("send", "adaptive-teaching-for-send", ()),
        ("year 6 SEND", "adaptive-teaching-for-send", ("KS2",)),
        ("A level chemistry", "chemistry", ("KS5",)),
        ("A-level chemistry", "chemistry", ("KS5",)),
        ("sixth form biology", "biology", ("KS5",)),
        ("GCSE physics", "physics", ("KS4",)),
        ("primary science", "science", ("EYFS", "KS1", "KS2")),
        ("EAL", "english-as-an-additional-language", ()),
        ("retreival practise", "retrieval-practice", ()),
        ("Mathematics in the early years", "mathematics-in-the-early-years", ()),
        ("early maths", "mathematics-in-the-early-years", ()),
    ],
)
def test_real_world_spellings(resolver, text, skill, phases) -> None:
    got = resolver.resolve(text)
    assert (got.skill_id, got.phases) == (skill, phases)


def test_phase_words_are_reported_as_typed(resolver) -> None:
    got = resolver.resolve("yr 6 maths")
    assert got.phase_words == ("yr 6",) and got.understood_as == "maths"


def _skill(sid: str, name: str, aliases: tuple[str, ...] = ()) -> Skill:
    return Skill(sid, name, "Area", "core competence", ("KS2",), aliases, (), "")


def test_words_are_corrected_against_the_taxonomy_vocabulary() -> None:
    """A stem ("beh") or a misspelt word is replaced by taxonomy words when that turns the
    text into a known name or alias; the fuzzy scorer alone finds this ambiguous."""
    small = QueryResolver(
        SkillMatcher(
            [
                _skill("behaviour", "Behaviour and routines", ("behaviour management",)),
                _skill("performance", "Performance management"),
                _skill("phonics", "Early reading and phonics", ("phonics",)),
            ]
        )
    )
    got = small.resolve("beh management")
    assert (got.skill_id, got.how, got.understood_as) == (
        "behaviour",
        "corrected",
        "behaviour management",
    )
    assert small.resolve("phonicz").skill_id == "phonics"


def test_whole_text_skill_names_keep_their_phase_words(resolver) -> None:
    got = resolver.resolve("Mathematics in the early years")
    assert got.phases == () and got.how == "exact"


@pytest.mark.parametrize("text", ["reception", "early years", "Year 6"])
def test_a_phase_alone_is_not_a_skill(resolver, text) -> None:
    with pytest.raises(QueryNotResolved) as caught:
        resolver.resolve(text)
    assert caught.value.status == "phase only" and caught.value.phases
    assert "names a phase" in str(caught.value)


def test_reception_alone_offers_early_years_skills(resolver) -> None:
    with pytest.raises(QueryNotResolved) as caught:
        resolver.resolve("reception")
    assert "Communication and language" in caught.value.suggestions


def test_ambiguous_text_offers_did_you_mean(resolver) -> None:
    with pytest.raises(AmbiguousQuery) as caught:
        resolver.resolve("reading")
    assert caught.value.status == "ambiguous"
    assert caught.value.suggestions[:3] == [
        "Early reading and phonics",
        "Reading comprehension",
        "Reading fluency",
    ]


def test_a_chosen_suggestion_keeps_the_phase(resolver) -> None:
    with pytest.raises(QueryNotResolved) as caught:
        resolver.resolve("ks2 reading")
    assert caught.value.phases == ("KS2",)


def test_nothing_matching_offers_the_nearest_skills(resolver) -> None:
    with pytest.raises(QueryNotResolved) as caught:
        resolver.resolve("zzzz qqq")
    assert caught.value.status == "none" and len(caught.value.suggestions) == 5
    assert "No skill" in str(caught.value)


def test_short_labels_do_not_crowd_suggestions(resolver) -> None:
    # "rs" (religious studies) sits inside "numbers"; it must not lead the suggestions
    assert resolver.suggest("numbers")[0] != "Religious education"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Type what you are looking for"),
        ("   ", "Type what you are looking for"),
        ("x" * 500, f"under {MAX_QUERY_LENGTH}"),
        ("!!!", "no letters or numbers"),
        ("?? -- !!", "no letters or numbers"),
    ],
)
def test_bad_queries_get_a_clear_message(resolver, text, words) -> None:
    with pytest.raises(ValidationError, match=words):
        resolver.resolve(text)


def test_sql_looking_text_is_just_text(tiny) -> None:
    text = "'; DROP TABLE staff; --"
    with pytest.raises(AmbiguousQuery):
        find_expertise(tiny, _admin(), text, as_of=TINY_TODAY)
    assert tiny.execute("SELECT count(*) FROM staff").fetchall()[0][0] == 8


def test_resolve_query_accepts_a_matcher(resolver) -> None:
    assert resolve_query(resolver.matcher, "maths").skill_id == "mathematics"


def test_resolve_many_matches_one_by_one_on_clear_text(resolver) -> None:
    texts = ["yr 6 maths", "phonix", "", "A level chemistry", "reading", "questioning"]
    many = resolver.resolve_many(texts)
    assert [type(m).__name__ for m in many] == [
        "ResolvedQuery",
        "ResolvedQuery",
        "ValidationError",
        "ResolvedQuery",
        "QueryNotResolved",
        "ResolvedQuery",
    ]
    assert [m.skill_id for m in many if hasattr(m, "skill_id")] == [
        "mathematics",
        "early-reading-and-phonics",
        "chemistry",
        "questioning",
    ]


@pytest.mark.parametrize(
    ("value", "stages"),
    [("KS2", ("KS2",)), ("Year 6", ("KS2",)), (["GCSE", "A level"], ("KS4", "KS5")), (None, ())],
)
def test_explicit_phase_filters(value, stages) -> None:
    assert parse_phase(value) == stages


def test_unknown_phase_is_refused_with_the_accepted_forms() -> None:
    with pytest.raises(ValidationError, match="EYFS, KS1, KS2, KS3, KS4, KS5"):
        parse_phase("KS9")


def test_unknown_school_is_refused(tiny) -> None:
    with pytest.raises(ValidationError, match="No school"):
        find_expertise(tiny, _admin(), "maths", school_id="ZZZ", as_of=TINY_TODAY)


@pytest.mark.parametrize(
    ("kw", "words"),
    [({"rank_by": "fame"}, "Rank by"), ({"blend": 1.5}, "blend"), ({"top": 0}, "between")],
)
def test_bad_options_are_refused(tiny, kw, words) -> None:
    with pytest.raises(ValidationError, match=words):
        find_expertise(tiny, _admin(), "maths", as_of=TINY_TODAY, **kw)


def _admin():
    from brokering.viewer import operator

    return operator("test")
