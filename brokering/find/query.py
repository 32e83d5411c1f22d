"""A leader's search text -> one skill and a phase filter, or a helpful refusal.

Why a layer over `SkillMatcher`: searches are short, typed quickly and mix a phase into the
skill ("yr 6 maths", "A level chemistry"). Phase words become a key-stage filter (unless the
whole text is itself a skill name, such as "Mathematics in the early years"), typos in single
words are corrected against the taxonomy's own vocabulary ("phonix", "beh management"), and
anything still unclear is refused with "did you mean" choices, never guessed.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from brokering.errors import AmbiguousQuery, ValidationError
from brokering.phases import KEY_STAGES, extract_phases, stages_for
from brokering.taxonomy import CONFIDENT, MARGIN, SUGGEST_CUTOFF, SkillMatch, SkillMatcher, key

#: Longest search accepted: a skill and a phase fit easily; a pasted paragraph does not.
MAX_QUERY_LENGTH = 200
#: A misspelt word is corrected to a taxonomy word at least this similar (rapidfuzz ratio).
WORD_CUTOFF = 75.0
#: Suggestions offered with a refusal.
SUGGESTIONS = 5
#: Labels per search scored with WRatio after the quick edit-ratio pass.
PREFILTER = 24
#: Words too common to say two labels are related.
_STOP_WORDS = frozenset({"and", "the", "of", "in", "for", "with", "a", "an", "to", "on"})


@dataclass(frozen=True)
class ResolvedQuery:
    """How a search was understood: the skill, and the phase filter its phase words became."""

    text: str
    skill_id: str
    skill_name: str
    phases: tuple[str, ...] = ()
    phase_words: tuple[str, ...] = ()
    how: str = "exact"  # exact | fuzzy | corrected | skill id
    understood_as: str = ""


class QueryNotResolved(AmbiguousQuery):
    """An ambiguous or unmatched search; carries its phase filter so a chosen suggestion
    keeps it ("yr 6 mathz" -> pick Mathematics -> still KS2)."""

    def __init__(
        self,
        message: str,
        suggestions: list[str],
        *,
        text: str,
        status: str,
        phases: tuple[str, ...] = (),
        phase_words: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, suggestions)
        self.text = text
        self.status = status  # ambiguous | none | phase only
        self.phases = phases
        self.phase_words = phase_words


def check_query_text(text: str | None) -> str:
    """Refuse empty, over-long and punctuation-only searches with a message that says what to
    type instead; return the text trimmed."""
    t = (text or "").strip()
    if not t:
        raise ValidationError(
            "Type what you are looking for, for example “Year 6 maths”, “phonics” or "
            "“behaviour and routines”."
        )
    if len(t) > MAX_QUERY_LENGTH:
        raise ValidationError(
            f"That search is {len(t)} characters long. Keep it under {MAX_QUERY_LENGTH}: a skill "
            "and perhaps a phase, such as “A-level chemistry”."
        )
    if not key(t):
        raise ValidationError(
            "That search has no letters or numbers in it. Type a skill, for example "
            "“retrieval practice”."
        )
    return t


class QueryResolver:
    """Built once from the taxonomy (the page caches it); resolves one search or many."""

    def __init__(self, matcher: SkillMatcher) -> None:
        self.matcher = matcher
        self.exact: dict[str, str] = {}
        for s in matcher.skills.values():
            for label in (s.name, *s.aliases, s.skill_id.replace("-", " ")):
                self.exact.setdefault(key(label), s.skill_id)
        self._labels = list(self.exact)
        self._label_skill = [self.exact[lab] for lab in self._labels]
        self._short = np.array([len(lab) <= 3 for lab in self._labels])
        self._name_tokens = {sid: set(key(s.name).split()) for sid, s in matcher.skills.items()}
        self._vocab = sorted({w for lab in self._labels for w in lab.split()})
        self._word_labels: dict[str, list[int]] = {}
        for j, lab in enumerate(self._labels):
            for w in set(lab.split()) - _STOP_WORDS:
                self._word_labels.setdefault(w, []).append(j)
        self._vocab_set = set(self._vocab)

    # -- one search ---------------------------------------------------------------------
    def resolve(self, text: str) -> ResolvedQuery:
        """One search; raises ValidationError or QueryNotResolved rather than guessing."""
        result = self._finish([check_query_text(text)], batch=False)[0]
        if isinstance(result, Exception):
            raise result
        return result

    def resolve_many(self, texts: Sequence[str]) -> list[ResolvedQuery | Exception]:
        """Resolve many searches at once (thousands a second): exact hits by dictionary, the
        rest through `fuzzy_many`. Each item is a ResolvedQuery or the error that one search
        would raise. `fuzzy_many` only scores each text's likely labels, so on badly mangled
        text it can be a little more decisive than `resolve` (the full matcher)."""
        out: list[ResolvedQuery | Exception | None] = [None] * len(texts)
        ok: list[int] = []
        for i, text in enumerate(texts):
            try:
                check_query_text(text)
                ok.append(i)
            except ValidationError as exc:
                out[i] = exc
        done = self._finish([texts[i].strip() for i in ok], batch=True)
        for i, item in zip(ok, done, strict=True):
            out[i] = item
        return [o for o in out if o is not None]

    def _finish(self, texts: list[str], *, batch: bool) -> list[ResolvedQuery | Exception]:
        results: list[ResolvedQuery | Exception | None] = [None] * len(texts)
        fuzzy_idx: list[int] = []
        split: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
        for i, text in enumerate(texts):
            whole = self.exact.get(key(text))
            if whole:  # "Mathematics in the early years" is a skill, not maths + EYFS
                split.append((text, (), ()))
                results[i] = self._resolved(text, whole, (), (), "exact", text)
                continue
            rest, stages, typed = extract_phases(text)
            split.append((rest, stages, tuple(typed)))
            if not key(rest):
                results[i] = self._phase_only(text, stages, tuple(typed))
            elif key(rest) in self.exact:
                results[i] = self._resolved(
                    text, self.exact[key(rest)], stages, tuple(typed), "exact", rest
                )
            else:
                fuzzy_idx.append(i)
        # Misspelt or shortened words first: a correction that turns the text into exactly
        # one known name or alias ("beh management" -> "behaviour management") beats a fuzzy
        # guess at the whole text.
        options = self._options_for({w for i in fuzzy_idx for w in key(split[i][0]).split()})
        hits: dict[int, dict[str, str]] = {}
        still: list[int] = []
        for i in fuzzy_idx:
            rest, stages, words = split[i]
            hits[i] = self._corrections(rest, options)
            if len(hits[i]) == 1:
                sid, phrase = next(iter(hits[i].items()))
                results[i] = self._resolved(texts[i], sid, stages, words, "corrected", phrase)
            else:
                still.append(i)
        if still:
            rests = [split[i][0] for i in still]
            matches = self.fuzzy_many(rests) if batch else self.matcher.match_many(rests)
            for i, m in zip(still, matches, strict=True):
                rest, stages, words = split[i]
                if m.ok and m.skill_id:
                    results[i] = self._resolved(texts[i], m.skill_id, stages, words, "fuzzy", rest)
                else:
                    results[i] = self._refuse(texts[i], rest, stages, words, m.status, hits[i])
        return [r for r in results if r is not None]

    def fuzzy_many(self, texts: Sequence[str]) -> list[SkillMatch]:
        """`SkillMatcher.match_many`'s decision, faster: WRatio (the matcher's scorer) is run
        only against each text's likely labels — the closest by plain edit ratio (a cheap,
        vectorised pass over all labels) and any label sharing a word with it — instead of
        against all ~900 labels. Same cut-offs and margin as the matcher."""
        queries = [key(t) for t in texts]
        quick = process.cdist(
            queries, self._labels, scorer=fuzz.ratio, processor=None, workers=-1, dtype=np.uint8
        )
        k = min(PREFILTER, len(self._labels))
        nearest = np.argpartition(-quick.astype(np.int16), k - 1, axis=1)[:, :k]
        out = []
        for text, q, cols in zip(texts, queries, nearest, strict=True):
            labels = set(cols.tolist())
            for word in q.split():
                labels.update(self._word_labels.get(word, ()))
            best: dict[str, float] = {}
            for j in labels:
                score = fuzz.WRatio(q, self._labels[j], processor=None, score_cutoff=SUGGEST_CUTOFF)
                if score:
                    sid = self._label_skill[j]
                    best[sid] = max(best.get(sid, 0.0), float(round(score)))
            out.append(self._decide(text, best))
        return out

    def _decide(self, text: str, best: dict[str, float]) -> SkillMatch:
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self.matcher.name(kv[0])))
        names = tuple(self.matcher.name(sid) for sid, _ in ranked[:5])
        if not ranked:
            return SkillMatch(text, "none")
        top_id, top = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        if top >= CONFIDENT and top - runner >= MARGIN:
            return SkillMatch(text, "fuzzy", top_id, top, names)
        if top >= CONFIDENT - 10:
            return SkillMatch(text, "ambiguous", None, top, names)
        return SkillMatch(text, "none", None, top, names)

    # -- helpers ------------------------------------------------------------------------
    def _resolved(
        self,
        text: str,
        skill_id: str,
        stages: tuple[str, ...],
        words: tuple[str, ...],
        how: str,
        understood: str,
    ) -> ResolvedQuery:
        return ResolvedQuery(
            text=text,
            skill_id=skill_id,
            skill_name=self.matcher.name(skill_id),
            phases=stages,
            phase_words=words,
            how=how,
            understood_as=understood,
        )

    def _phase_only(
        self, text: str, stages: tuple[str, ...], words: tuple[str, ...]
    ) -> QueryNotResolved:
        named = ", ".join(stages)
        suggestions = sorted(
            s.name
            for s in self.matcher.skills.values()
            if s.phases and set(s.phases) <= set(stages)
        )[:SUGGESTIONS]
        return QueryNotResolved(
            f"“{text}” names a phase ({named}), not a skill. Add what you are looking for, "
            f"for example “{words[0] if words else text} phonics”.",
            suggestions,
            text=text,
            status="phase only",
            phases=stages,
            phase_words=words,
        )

    def _options_for(self, words: set[str]) -> dict[str, list[str]]:
        """Each unknown word's likely corrections, all words scored in one batched pass:
        close spellings and, for a stem such as "beh", the taxonomy words it begins."""
        unknown = sorted(w for w in words if w not in self._vocab_set and not w.isdigit())
        if not unknown:
            return {}
        scores = process.cdist(
            unknown,
            self._vocab,
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=WORD_CUTOFF,
            workers=-1,
            dtype=np.uint8,
        )
        out: dict[str, list[str]] = {}
        for word, row in zip(unknown, scores, strict=True):
            found = np.nonzero(row)[0]
            close = [self._vocab[j] for j in found[np.argsort(-row[found], kind="stable")][:4]]
            stems: list[str] = []
            if len(word) >= 3:
                lo = bisect.bisect_left(self._vocab, word)
                hi = bisect.bisect_left(self._vocab, word + "\uffff")
                stems = sorted(self._vocab[lo:hi], key=len)[:4]
            out[word] = list(dict.fromkeys(close + stems))
        return out

    def _corrections(self, rest: str, options: dict[str, list[str]]) -> dict[str, str]:
        """Skills whose exact name or alias some correction of `rest` spells: {skill: phrase}."""
        words = key(rest).split()
        if not any(options.get(w) for w in words):
            return {}
        choices = [options.get(w) or [w] for w in words]
        hits: dict[str, str] = {}
        for combo in itertools.islice(itertools.product(*choices), 256):
            phrase = " ".join(combo)
            if phrase in self.exact:
                hits.setdefault(self.exact[phrase], phrase)
        return hits

    def _refuse(
        self,
        text: str,
        rest: str,
        stages: tuple[str, ...],
        words: tuple[str, ...],
        status: str,
        hits: dict[str, str],
    ) -> QueryNotResolved:
        names = [self.matcher.name(sid) for sid in hits]
        suggestions = list(dict.fromkeys(names + self.suggest(rest)))[:SUGGESTIONS]
        if hits or status == "ambiguous":
            message = f"“{rest}” could mean more than one skill."
            status = "ambiguous"
        else:
            message = f"No skill in the taxonomy matches “{rest}”. The nearest are below."
        return QueryNotResolved(
            message, suggestions, text=text, status=status, phases=stages, phase_words=words
        )

    def suggest(self, text: str, limit: int = SUGGESTIONS) -> list[str]:
        """The skills nearest to `text`, best first: fuzzy similarity to any name or alias,
        nudged up where every word typed appears in the skill's name."""
        q = key(text)
        if not q:
            return []
        scores = process.cdist([q], self._labels, scorer=fuzz.WRatio, processor=None, workers=1)[0]
        # A two- or three-letter label ("rs", "pe") sits inside many words; WRatio's partial
        # matching would rank it high, so short labels are compared whole.
        plain = process.cdist([q], self._labels, scorer=fuzz.ratio, processor=None, workers=1)[0]
        scores = np.where(self._short, plain, scores)
        best: dict[str, float] = {}
        for j, score in enumerate(scores):
            sid = self._label_skill[j]
            best[sid] = max(best.get(sid, 0.0), float(score))
        tokens = q.split()
        for sid in best:
            names = self._name_tokens[sid]
            if all(any(n.startswith(t) for n in names) for t in tokens):
                best[sid] += 8.0
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self.matcher.name(kv[0])))
        return [self.matcher.name(sid) for sid, _ in ranked[:limit]]


def resolve_query(matcher: SkillMatcher | QueryResolver, text: str) -> ResolvedQuery:
    """Resolve one search; raises ValidationError for unusable text and QueryNotResolved (an
    AmbiguousQuery) with suggestions when the skill is unclear."""
    resolver = matcher if isinstance(matcher, QueryResolver) else QueryResolver(matcher)
    return resolver.resolve(text)


def parse_phase(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """A phase filter given explicitly (CLI `--phase`, the page's picker): key stages or the
    words for them; anything else is refused with the accepted forms."""
    if not value:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    found: set[str] = set()
    for item in items:
        stages = stages_for(item)
        if stages is None:
            raise ValidationError(
                f"Unknown phase “{item}”. Use one of {', '.join(KEY_STAGES)} (or words such as "
                "“Year 6”, “GCSE”, “A level”, “reception”)."
            )
        found.update(stages)
    return tuple(ks for ks in KEY_STAGES if ks in found)
