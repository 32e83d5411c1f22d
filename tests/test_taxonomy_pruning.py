"""`SkillMatcher.match_many` scores only the (text, label) pairs that an upper bound on WRatio
says could change a decision. These tests hold it to that claim: its decisions equal those of
scoring every pair (the full cdist matrix the matcher used before pruning, kept below as the
reference), on seeded benchmark queries, hand-picked awkward texts, random texts and small
odd taxonomies; and the bound is never below the exact score, while being tight enough that
a bound a point too low would be caught. Nothing here measures time."""

from __future__ import annotations

import functools
import random
import string
from collections.abc import Iterable, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from benchmarks.ops_fuzzy import mutate, queries
from brokering.taxonomy import (
    CONFIDENT,
    MARGIN,
    MIN_FUZZY_LENGTH,
    SUGGEST_CUTOFF,
    Skill,
    SkillMatch,
    SkillMatcher,
    key,
    load_not_skills,
    load_skills,
)


class FullMatrix:
    """The matcher as it was before pruning: every text's WRatio against every label in one
    cdist matrix, and the decision read from all of the row's nonzero cells."""

    def __init__(self, skills: Iterable[Skill], not_skills: dict[str, str]) -> None:
        self.skills = {s.skill_id: s for s in skills}
        self.not_skills = not_skills
        self.exact: dict[str, str] = {}
        for s in self.skills.values():
            for label in (s.name, *s.aliases, s.skill_id.replace("-", " ")):
                self.exact.setdefault(key(label), s.skill_id)
        self.choices = [c for c in self.exact if len(c) >= MIN_FUZZY_LENGTH]
        self.choice_skill = [self.exact[c] for c in self.choices]
        self.phrases: dict[str, set[str]] = {}
        for label, sid in self.exact.items():
            words = label.split()
            for n in (1, 2, 3):
                for i in range(len(words) - n + 1):
                    self.phrases.setdefault(" ".join(words[i : i + n]), set()).add(sid)

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        return process.cdist(
            queries,
            self.choices,
            scorer=fuzz.WRatio,
            processor=None,
            score_cutoff=SUGGEST_CUTOFF,
            workers=-1,
            dtype=np.uint8,
        )

    def match_many(
        self, texts: Sequence[str], scores: np.ndarray | None = None
    ) -> list[SkillMatch]:
        """As the matcher did; `scores`, if given, is `self.scores` of the fuzzy texts."""
        out: list[SkillMatch | None] = [None] * len(texts)
        pending: list[int] = []
        for i, text in enumerate(texts):
            k = key(text)
            if not k:
                out[i] = SkillMatch(text, "none")
            elif k in self.exact:
                out[i] = SkillMatch(text, "exact", self.exact[k], 100.0)
            elif k in self.not_skills:
                out[i] = SkillMatch(text, "not_skill", reason=self.not_skills[k])
            else:
                pending.append(i)
        if pending:
            qs = [key(texts[i]) for i in pending]
            scores = self.scores(qs) if scores is None else scores
            for row, i, q in zip(scores, pending, qs, strict=True):
                out[i] = self.decide(texts[i], row, self.phrases.get(q, set()))
        return [m for m in out if m is not None]

    def decide(self, text: str, row: np.ndarray, shared_by: set[str]) -> SkillMatch:
        best: dict[str, float] = {}
        for j in np.nonzero(row)[0]:
            sid = self.choice_skill[j]
            best[sid] = max(best.get(sid, 0.0), float(row[j]))
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self.skills[kv[0]].name))
        names = tuple(self.skills[sid].name for sid, _ in ranked[:5])
        if not ranked:
            return SkillMatch(text, "none")
        top_id, top = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        if len(shared_by) >= 2:
            names = tuple(sorted(self.skills[s].name for s in shared_by))[:5]
            return SkillMatch(text, "ambiguous", None, top, names)
        if top >= CONFIDENT and top - runner >= MARGIN:
            return SkillMatch(text, "fuzzy", top_id, top, names)
        if top >= CONFIDENT - 10:
            return SkillMatch(text, "ambiguous", None, top, names)
        return SkillMatch(text, "none", None, top, names)


def bounds(matcher: SkillMatcher, texts: Sequence[str]) -> np.ndarray:
    """The matcher's bound for every (text, label), rows in `texts` order and columns in
    `FullMatrix.choices` order (the order the labels are first met in the taxonomy)."""
    qs = [key(t) for t in texts]
    out = np.zeros((len(qs), len(matcher._labels)))
    order = sorted(range(len(qs)), key=lambda i: len(qs[i]))
    for start in range(0, len(order), 2048):
        rows = order[start : start + 2048]
        out[np.ix_(rows, matcher._label_orig)] = matcher._bounds([qs[i] for i in rows])
    return out


def _awkward(labels: list[str]) -> list[str]:
    four = next(c for c in labels if len(c) == 4)
    six = next(c for c in labels if len(c) == 6)
    return [
        # repeated words, on either side (labels such as "one to one tuition" repeat too)
        "maths maths",
        "reading reading and writing",
        "one to one",
        "one to one tutor",
        "one two one tuition",
        "school to school",
        "scool to school support",
        "i do we do",
        "we do you do",
        "science and and",
        # words shared with labels, whole or as a phrase
        "teaching",
        "leadership",
        "early reading",
        "reading for pleasure in early years",
        "behaviour management strategies for new teachers",
        "send support",
        "support",
        # very short
        "a",
        "ab",
        "abc",
        "x1",
        "q",
        "zz",
        "mth",
        # long, including past rapidfuzz's 64-character fast path
        "mathematics " * 6,
        "the teaching of early reading and phonics in reception and year one classes",
        "assessment " * 20,
        "a" * 70,
        " ".join(labels[:12]),
        # digits
        "ks3 maths",
        "ks 2 scince",
        "year 6 sats",
        "11 plus",
        "2024 gcse english",
        "yr2 phonix",
        "a level chemestry",
        "y10 computing 2",
        "123456",
        # lengths exactly 1.5 and 8 times a label's, where WRatio changes branch
        four + "zz",
        four + "xy",
        (four + " ") * 6 + "ab",
        (four + " ") * 6 + "abc",
        four * 8,
        six + "abc",
        six + "ab",
        # punctuation and case
        "Art & Design!!",
        "R.E.",
        "  PSHE  ",
        "MUSIC/DRAMA",
        "",
        "???",
    ]


@pytest.fixture(scope="module")
def reference(skills: list[Skill]) -> FullMatrix:
    return FullMatrix(skills, load_not_skills())


@pytest.fixture(scope="module")
def texts(reference: FullMatrix) -> list[str]:
    """A few thousand seeded benchmark queries (typos, phase words, case) and the awkward
    cases, fuzzy ones only."""
    seeded = queries(20261124, 1400) + queries(7, 600)
    out = [
        t
        for t in dict.fromkeys(seeded + _awkward(reference.choices))
        if key(t) and key(t) not in reference.exact and key(t) not in reference.not_skills
    ]
    assert len(out) > 1900
    return out


@pytest.fixture(scope="module")
def full_scores(reference: FullMatrix, texts: list[str]) -> np.ndarray:
    """The full uint8 matrix the matcher used to compute, cut-off and rounding included."""
    return reference.scores([key(t) for t in texts])


@pytest.fixture(scope="module")
def exact_scores(reference: FullMatrix, texts: list[str]) -> np.ndarray:
    """WRatio as a float, unrounded: what the bound must never be below. Scores under 50
    (0 here, as the cut-off saves time) are well clear of anything that can be kept."""
    return process.cdist(
        [key(t) for t in texts],
        reference.choices,
        scorer=fuzz.WRatio,
        processor=None,
        score_cutoff=50.0,
        workers=-1,
        dtype=np.float64,
    )


@pytest.fixture(scope="module")
def bound(matcher: SkillMatcher, reference: FullMatrix, texts: list[str]) -> np.ndarray:
    assert [matcher._choices[j] for j in matcher._label_orig] == matcher._labels
    assert matcher._choices == reference.choices
    return bounds(matcher, texts)


def test_decisions_equal_the_full_matrix(
    matcher: SkillMatcher, reference: FullMatrix, texts: list[str], full_scores: np.ndarray
) -> None:
    got = matcher.match_many(texts)
    want = reference.match_many(texts, full_scores)
    differ = [(g, w) for g, w in zip(got, want, strict=True) if g != w]
    assert not differ, differ[:5]
    # The comparison means something only if the texts reach every kind of decision.
    assert {m.status for m in got} == {"fuzzy", "ambiguous", "none"}


def test_awkward_texts_singly_and_mixed_with_exact_ones(
    matcher: SkillMatcher, reference: FullMatrix
) -> None:
    texts = _awkward(reference.choices) + ["maths", "Phonics", "chemestry"]
    assert matcher.match_many(texts) == reference.match_many(texts)
    for text in texts:
        assert matcher.match(text) == reference.match_many([text])[0], text


def test_the_bound_is_never_below_the_exact_score(
    exact_scores: np.ndarray, bound: np.ndarray, texts: list[str], reference: FullMatrix
) -> None:
    below = np.argwhere(exact_scores > bound)
    examples = [
        (key(texts[i]), reference.choices[j], exact_scores[i, j], bound[i, j]) for i, j in below[:5]
    ]
    assert not len(below), examples


def test_the_bound_is_tight_enough_to_fail_when_wrong(
    exact_scores: np.ndarray, bound: np.ndarray
) -> None:
    # Scores at and above the cut-off lie within a point of their bound, so a bound that
    # is a point too low would fail the test above...
    relevant = exact_scores >= SUGGEST_CUTOFF
    assert (relevant & (bound - exact_scores < 1)).sum() > 100
    # ...and it rules out most pairs: were it trivially high, nothing would be pruned.
    assert (bound < SUGGEST_CUTOFF).mean() > 0.8


def test_each_scored_pair_scores_as_in_the_full_matrix(
    matcher: SkillMatcher, texts: list[str], full_scores: np.ndarray
) -> None:
    """The pairs the matcher scores get the full matrix's uint8 scores, cut-off and
    rounding included (a score of x.5 rounds up there, and 85.5 is a confident 86)."""
    subset = texts[:600]
    full = full_scores[: len(subset)]
    # The matcher's rows are in length order and its labels in `_labels` order.
    qs = sorted((key(t) for t in subset), key=len)
    rows, cols, scores = matcher._scores(qs, matcher._bounds(qs))
    at = {q: i for i, q in enumerate(key(t) for t in subset)}
    want = full[[at[qs[r]] for r in rows.tolist()], cols]
    assert np.array_equal(scores, want)
    # The pairs left out all score 0 or sit below a known top five.
    assert (full > 0).sum() >= len(scores)


def _skill(sid: str, name: str, *aliases: str) -> Skill:
    return Skill(sid, name, "Subjects", "core competence", (), aliases, (), "")


@pytest.mark.parametrize(
    "taxonomy",
    [
        # two skills with one name: ties then fall to label order, so nothing is pruned
        [
            _skill("art-a", "Art", "art and design", "drawing"),
            _skill("art-b", "Art", "fine art", "painting"),
            _skill("drama", "Drama", "theatre studies"),
            _skill("dance", "Dance", "dancing"),
            _skill("music", "Music", "musical theatre"),
            _skill("design", "Design", "design technology"),
        ],
        # fewer than five skills
        [_skill("maths", "Mathematics", "maths"), _skill("physics", "Physics")],
        # no label long enough to be matched fuzzily
        [_skill("re", "RE"), _skill("pe", "PE"), _skill("dt", "DT")],
        # one skill, one label
        [_skill("chemistry", "Chemistry")],
    ],
)
def test_small_and_odd_taxonomies(taxonomy: list[Skill]) -> None:
    texts = [
        "art",
        "arts and design",
        "fine arts",
        "theatre",
        "musical theater",
        "mathematics and physics",
        "maths physics",
        "chemestry",
        "re pe",
        "a",
        "design and technology",
        "dancing drama",
    ]
    got = SkillMatcher(taxonomy, not_skills={}).match_many(texts)
    assert got == FullMatrix(taxonomy, {}).match_many(texts)


def _label_words() -> list[str]:
    return sorted({w for s in load_skills() for a in (s.name, *s.aliases) for w in key(a).split()})


WORDS = _label_words()


@st.composite
def free_texts(draw: st.DrawFn) -> str:
    """Texts near the taxonomy: label words, typed with mistakes, with stray characters."""
    kind = draw(st.sampled_from(["words", "mutated", "random"]))
    if kind == "random":
        alphabet = string.ascii_lowercase + string.digits + " &-"
        return draw(st.text(alphabet=alphabet, min_size=1, max_size=30))
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
    text = " ".join(words)
    if kind == "mutated":
        text = mutate(random.Random(draw(st.integers(0, 2**32))), text)
    return text


@functools.cache
def _matchers() -> tuple[SkillMatcher, FullMatrix]:
    return SkillMatcher(load_skills()), FullMatrix(load_skills(), load_not_skills())


@settings(max_examples=60, deadline=None)
@given(st.lists(free_texts(), min_size=1, max_size=8, unique=True))
def test_random_texts_decide_as_the_full_matrix(texts: list[str]) -> None:
    matcher, reference = _matchers()
    assert matcher.match_many(texts) == reference.match_many(texts)
