"""The skill taxonomy (data/taxonomy/*.csv) and turning free text into a skill.

The DfE labels are copied into tests/data/dfe_labels.csv so this file does not depend on
../shared being checked out; a test compares the copy with the source when it is there.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

import brokering.taxonomy
from brokering.importing.spec import ROLES
from brokering.phases import KEY_STAGES, extract_phases, parse_phase_list, stages_for
from brokering.settings import TAXONOMY_DIR
from brokering.taxonomy import CONFIDENT, KINDS, Skill, SkillMatcher, key

DFE_LABELS = Path(__file__).parent / "data" / "dfe_labels.csv"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
AREAS = (
    "Subjects",
    "Early years",
    "Reading, writing and oracy",
    "Classroom practice",
    "Assessment and curriculum",
    "SEND and inclusion",
    "Behaviour and culture",
    "Pastoral and safeguarding",
    "Leadership",
    "Mentoring and coaching",
)


@pytest.fixture(scope="module")
def by_name(skills: list[Skill]) -> dict[str, str]:
    return {s.name: s.skill_id for s in skills}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _not_skills() -> set[str]:
    return {key(r["label"]) for r in _read(TAXONOMY_DIR / "not_skills.csv")}


# -- the CSV ---------------------------------------------------------------------------------------
def test_at_least_120_skills_with_unique_ids_and_names(skills: list[Skill]) -> None:
    assert len(skills) >= 120
    ids = Counter(s.skill_id for s in skills)
    names = Counter(s.name.lower() for s in skills)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [i for i, n in names.items() if n > 1] == []


def test_skill_ids_are_slugs_of_their_names(skills: list[Skill]) -> None:
    for s in skills:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s.skill_id), s.skill_id
    assert [
        s.skill_id
        for s in skills
        if re.sub(r"[^a-z0-9]+", "-", s.name.lower()).strip("-") != s.skill_id
    ] == []


def test_areas_kinds_and_phases_are_from_the_allowed_lists(skills: list[Skill]) -> None:
    assert {s.area for s in skills} <= set(AREAS)
    assert {s.kind for s in skills} <= set(KINDS)
    assert set(AREAS) == {s.area for s in skills}  # every area has a skill
    for s in skills:
        assert s.phases and set(s.phases) <= set(KEY_STAGES), s.skill_id
        assert s.description, s.skill_id


def test_depends_on_names_encompassing_disciplines(skills: list[Skill]) -> None:
    kind = {s.skill_id: s.kind for s in skills}
    for s in skills:
        for dep in s.depends_on:
            assert kind.get(dep) == "encompassing discipline", (s.skill_id, dep)
        if s.kind == "encompassing discipline":
            assert s.depends_on == (), s.skill_id
    assert any(s.depends_on for s in skills)


def test_aliases_are_lowercase_and_belong_to_one_skill(skills: list[Skill]) -> None:
    owners: dict[str, set[str]] = {}
    for s in skills:
        for alias in s.aliases:
            assert alias == alias.lower()
            owners.setdefault(key(alias), set()).add(s.skill_id)
    assert {a: o for a, o in owners.items() if len(o) > 1} == {}
    names = {key(s.name): s.skill_id for s in skills}
    assert {a: o for a, o in owners.items() if a in names and o != {names[a]}} == {}


def test_aliases_hold_no_phase_words_except_dfe_labels(skills: list[Skill]) -> None:
    offenders = [
        (s.skill_id, a)
        for s in skills
        for a in s.aliases
        if extract_phases(a)[1] and not a.startswith("primary with ")
    ]
    assert offenders == []


def test_roles_file_holds_the_import_roles() -> None:
    roles = [r["role"] for r in _read(TAXONOMY_DIR / "roles.csv")]
    assert set(ROLES) <= set(roles)
    assert all(r["description"] for r in _read(TAXONOMY_DIR / "roles.csv"))


def test_not_skills_are_not_skill_names_or_aliases(skills: list[Skill]) -> None:
    rows = _read(TAXONOMY_DIR / "not_skills.csv")
    assert rows and all(r["reason"].strip() for r in rows)
    labels = [key(r["label"]) for r in rows]
    assert len(labels) == len(set(labels))
    known = {key(s.name) for s in skills} | {key(a) for s in skills for a in s.aliases}
    assert set(labels) & known == set()


# -- DfE and School Workforce Census labels ------------------------------------------------------
def test_dfe_label_fixture_matches_the_shared_data() -> None:
    sources = {
        "dfe_itt_publish_subject_categories": "name",
        "swc_subject_categories_partial": "subject_label",
    }
    if not all((SHARED_DATA / f"{s}.csv").exists() for s in sources):
        pytest.skip("../shared/data is not checked out beside this repository")
    expected = {
        (r[col].strip(), source)
        for source, col in sources.items()
        for r in _read(SHARED_DATA / f"{source}.csv")
    }
    got = {(r["label"], r["source"]) for r in _read(DFE_LABELS)}
    assert got == expected


def test_every_dfe_label_is_a_skill_or_listed_as_not_a_skill(matcher: SkillMatcher) -> None:
    rows = _read(DFE_LABELS)
    assert len(rows) >= 80
    not_skills = _not_skills()
    unresolved = [
        r["label"]
        for r in rows
        if key(r["label"]) not in not_skills and not matcher.match(r["label"]).ok
    ]
    assert unresolved == []


def test_dfe_labels_resolve_exactly_not_by_luck(matcher: SkillMatcher) -> None:
    """Real labels a school will send should be names or aliases, not fuzzy near-misses."""
    not_skills = _not_skills()
    fuzzy = [
        r["label"]
        for r in _read(DFE_LABELS)
        if key(r["label"]) not in not_skills and matcher.match(r["label"]).status != "exact"
    ]
    assert fuzzy == []


def test_labels_listed_as_not_skills_never_resolve_to_a_skill(matcher: SkillMatcher) -> None:
    assert matcher.match("Further education").status == "not_skill"
    confident = {
        r["label"]: matcher.name(m.skill_id)
        for r in _read(TAXONOMY_DIR / "not_skills.csv")
        if (m := matcher.match(r["label"])).ok
    }
    assert confident == {}


# -- spellings people really write --------------------------------------------------------------
_TUNING = "TUNING: a reasonable spelling that does not resolve"
_SHORT_ALIAS_BUG = (
    "BUG: SkillMatcher scores with fuzz.WRatio, whose partial matching gives the 2-letter alias "
    "'cs' (Computing) 90 against any text containing 'cs', so physics/maths typos go to Computing"
)

SPELLINGS = [
    ("maths", "Mathematics", "exact"),
    ("Maths ", "Mathematics", "exact"),
    ("MATHEMATICS", "Mathematics", "exact"),
    ("numeracy", "Mathematics", "exact"),
    ("phonics", "Early reading and phonics", "exact"),
    ("early reading", "Early reading and phonics", "exact"),
    ("behavior management", "Behaviour and routines", "exact"),
    ("behaviour management", "Behaviour and routines", "exact"),
    ("behaviour for learning", "Behaviour and routines", "fuzzy"),
    ("SEND", "Adaptive teaching for SEND", "exact"),
    ("eal", "English as an additional language", "exact"),
    ("EAL", "English as an additional language", "exact"),
    ("retreival practice", "Retrieval practice", "fuzzy"),
    ("retrieval practise", "Retrieval practice", "fuzzy"),
    ("questionning", "Questioning", "fuzzy"),
    ("Questionning techniques", "Questioning", "fuzzy"),
    ("cold calling", "Questioning", "exact"),
    ("chemestry", "Chemistry", "fuzzy"),
    ("geogrpahy", "Geography", "fuzzy"),
    ("Geografy", "Geography", "fuzzy"),
    ("histroy", "History", "fuzzy"),
    ("biolgy", "Biology", "fuzzy"),
    ("englsh", "English", "fuzzy"),
    ("spannish", "Spanish", "fuzzy"),
    ("sociolgy", "Sociology", "fuzzy"),
    ("metacogntion", "Metacognition", "fuzzy"),
    ("PE", "Physical education", "exact"),
    ("P.E.", "Physical education", "exact"),
    ("PE/Sports", "Physical education", "exact"),
    ("R.E.", "Religious education", "exact"),
    ("Religious Studies", "Religious education", "exact"),
    ("D&T", "Design and technology", "exact"),
    ("Design Technology", "Design and technology", "fuzzy"),
    ("computer science", "Computing", "exact"),
    ("ICT", "Computing", "exact"),
    ("Art & Design", "Art and design", "exact"),
    ("mfl", "Modern foreign languages", "exact"),
    ("Modern Foreign Languages", "Modern foreign languages", "exact"),
    ("autism", "Autism support", "exact"),
    ("ASD", "Autism support", "exact"),
    ("PSHE", "Personal, social, health and economic education", "exact"),
    ("SEMH", "Social, emotional and mental health needs", "exact"),
    ("dyslexia", "Dyslexia and specific learning difficulties", "exact"),
    ("AfL", "Formative assessment", "exact"),
    ("differentiation", "Adaptive teaching", "exact"),
    ("science teaching", "Science", "exact"),
    ("Combined/General science", "Science", "exact"),
    ("SPaG", "Spelling, punctuation and grammar", "exact"),
    ("vocab", "Vocabulary teaching", "fuzzy"),
    ("ECT mentoring", "Early career teacher mentoring", "exact"),
    # Common misspellings kept as aliases in the taxonomy (data, not code):
    ("phonix", "Early reading and phonics", "exact"),
    ("beh management", "Behaviour and routines", "exact"),
    # Typos scored fuzzily; two-letter aliases ("cs") never take part in fuzzy scoring:
    ("Mathemetics", "Mathematics", "fuzzy"),
    ("restorative", "Restorative practice", "fuzzy"),
    ("phsyics", "Physics", "fuzzy"),
    ("Phisics", "Physics", "fuzzy"),
    ("Mathmatcs", "Mathematics", "fuzzy"),
    # "SEN support" is the official name of a school's SEND provision:
    ("send support", "SEND provision", "exact"),
]


@pytest.mark.parametrize(("text", "name", "status"), SPELLINGS)
def test_real_world_spellings_resolve(
    matcher: SkillMatcher, by_name: dict[str, str], text: str, name: str, status: str
) -> None:
    m = matcher.match(text)
    assert (m.status, m.skill_id) == (status, by_name[name]), m
    if status == "exact":
        assert m.score == 100.0
    else:
        assert m.score >= CONFIDENT
        assert m.suggestions[0] == name  # the chosen skill is offered first


@pytest.mark.parametrize(
    "text",
    [
        "xyzzy",
        "",
        "   ",
        "???",
        "a",
        "assessment",
        "reading",
        "literacy",
        "teaching",
        "CPD",
        "Welsh",
        "Quantum basket weaving",
        "Latin dance",
        "leadership",  # shared by several leadership skills: ask which
    ],
)
def test_vague_or_unknown_text_is_never_a_confident_skill(matcher: SkillMatcher, text: str) -> None:
    m = matcher.match(text)
    assert m.status in ("ambiguous", "none"), m
    assert m.skill_id is None
    if m.status == "ambiguous":
        assert len(m.suggestions) >= 2


@pytest.mark.parametrize(
    ("text", "both"),
    [
        ("physics and chemistry", {"Physics", "Chemistry"}),
        ("Maths/English", {"Mathematics", "English"}),
        ("french;german", {"French", "German"}),
    ],
)
def test_two_subjects_in_one_cell_ask_which(matcher: SkillMatcher, text: str, both: set) -> None:
    m = matcher.match(text)
    assert m.status == "ambiguous" and m.skill_id is None
    assert both <= set(m.suggestions[:2])


def test_unknown_text_suggests_real_skill_names(
    matcher: SkillMatcher, by_name: dict[str, str]
) -> None:
    m = matcher.match("Welsh")
    assert m.status == "none" and m.suggestions
    assert set(m.suggestions) <= set(by_name)
    assert "English" in m.suggestions


def test_key_normalises_case_punctuation_and_ampersands() -> None:
    assert key("  Art & Design ") == "art and design"
    assert key("R.E.") == key("r e")
    assert key("PE/Sports") == "pe sports"
    assert key("???") == ""


def test_exact_aliases_never_reach_the_fuzzy_scorer(
    matcher: SkillMatcher, by_name: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the fuzzy scorer was called")

    monkeypatch.setattr(brokering.taxonomy.process, "cdist", refuse)
    got = matcher.match_many(["maths", "phonics", "Art & Design", "SEND", ""])
    assert [(m.status, m.skill_id) for m in got] == [
        ("exact", "mathematics"),
        ("exact", "early-reading-and-phonics"),
        ("exact", "art-and-design"),
        ("exact", "adaptive-teaching-for-send"),
        ("none", None),
    ]
    with pytest.raises(AssertionError, match="fuzzy scorer"):
        matcher.match("chemestry")  # the patch is live: a typo does need the scorer


def test_match_many_keeps_order_and_length(matcher: SkillMatcher) -> None:
    texts = ["chemestry", "maths", "xyzzy", "assessment", "geogrpahy", "maths"]
    got = matcher.match_many(texts)
    assert [m.text for m in got] == texts
    assert [m.status for m in got] == ["fuzzy", "exact", "none", "ambiguous", "fuzzy", "exact"]
    assert [m.skill_id for m in got] == [
        "chemistry",
        "mathematics",
        None,
        None,
        "geography",
        "mathematics",
    ]


def test_skill_id_with_spaces_is_an_exact_match(matcher: SkillMatcher) -> None:
    assert matcher.match("retrieval-practice").skill_id == "retrieval-practice"
    assert matcher.match("Adaptive teaching for SEND").status == "exact"


# -- phases -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "rest", "stages", "words"),
    [
        ("yr 6 maths", "maths", ("KS2",), ["yr 6"]),
        ("Y6 maths", "maths", ("KS2",), ["Y6"]),
        ("A level chemistry", "chemistry", ("KS5",), ["A level"]),
        ("A-level chemistry", "chemistry", ("KS5",), ["A-level"]),
        ("reception phonics", "phonics", ("EYFS",), ["reception"]),
        ("GCSE history", "history", ("KS4",), ["GCSE"]),
        ("sixth form physics", "physics", ("KS5",), ["sixth form"]),
        ("Year 10 english", "english", ("KS4",), ["Year 10"]),
        ("ks3 science", "science", ("KS3",), ["ks3"]),
        ("primary maths", "maths", ("EYFS", "KS1", "KS2"), ["primary"]),
        ("behaviour", "behaviour", (), []),
        ("year 6", "", ("KS2",), ["year 6"]),
    ],
)
def test_extract_phases(query: str, rest: str, stages: tuple[str, ...], words: list[str]) -> None:
    assert extract_phases(query) == (rest, stages, words)


def test_phase_words_and_skills_combine(matcher: SkillMatcher) -> None:
    rest, stages, _ = extract_phases("A level chemestry")
    assert stages == ("KS5",)
    assert matcher.match(rest).skill_id == "chemistry"


@pytest.mark.parametrize(
    ("token", "stages"),
    [
        ("KS2", ("KS2",)),
        ("ks5", ("KS5",)),
        ("Reception", ("EYFS",)),
        ("Year 1", ("KS1",)),
        ("Year 13", ("KS5",)),
        ("GCSE", ("KS4",)),
        ("secondary", ("KS3", "KS4")),
        ("KS9", None),
        ("Year 14", None),
        ("", None),
    ],
)
def test_stages_for(token: str, stages: tuple[str, ...] | None) -> None:
    assert stages_for(token) == stages


def test_parse_phase_list_orders_stages_and_reports_unreadable_items() -> None:
    assert parse_phase_list("Year 6;Reception") == (("EYFS", "KS2"), [])
    assert parse_phase_list("KS1; ;KS1") == (("KS1",), [])
    assert parse_phase_list("KS2;KS9;Year 14") == (("KS2",), ["KS9", "Year 14"])
