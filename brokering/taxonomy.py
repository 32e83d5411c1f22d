"""The skill taxonomy: loading the editable CSV, and turning free text into a skill.

A confident match is recorded with the original text and its score; a weak or ambiguous
one is reported with suggestions and never silently mapped. Exact names and aliases are a
dictionary hit and never reach the fuzzy scorer.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from brokering import fuzzy_bounds
from brokering.db import Connection, transaction
from brokering.settings import TAXONOMY_DIR

#: Below this a fuzzy score is not a match at all.
SUGGEST_CUTOFF = 60.0
#: At or above this, and clear of the runner-up, a fuzzy score is a confident match.
CONFIDENT = 86.0
#: The runner-up skill must trail by at least this much for a confident match.
MARGIN = 4.0
#: Labels shorter than this match exactly or not at all: fuzzy scoring of "cs" or "re"
#: would pull any text containing those letters towards Computing or RE.
MIN_FUZZY_LENGTH = 4

#: Exact scores are worked out first for this many of a text's most promising labels, so
#: that the fifth-best skill's score is known before the rest are considered.
FIRST_LOOK = 16
#: Texts are bounded at most this many at a time, which keeps the bound matrices small.
CHUNK = 2048
#: Added to every bound: far more than the rounding error of float arithmetic, far less
#: than anything that changes a rounded score.
_SLACK = 1e-6

KINDS = ("core competence", "encompassing discipline")


@dataclass(frozen=True)
class Skill:
    skill_id: str
    name: str
    area: str
    kind: str
    phases: tuple[str, ...]
    aliases: tuple[str, ...]
    depends_on: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class SkillMatch:
    """How one free text resolved: `status` is exact, fuzzy, ambiguous or none."""

    text: str
    status: str
    skill_id: str | None = None
    score: float = 0.0
    suggestions: tuple[str, ...] = field(default_factory=tuple)  # skill names, best first
    reason: str = ""  # why a known label is not a skill (status "not_skill")

    @property
    def ok(self) -> bool:
        return self.status in ("exact", "fuzzy")


def key(text: str) -> str:
    """The comparison form of a label: lower case, '&' as 'and', punctuation dropped."""
    t = text.lower().replace("&", " and ")
    t = re.sub(r"[^a-z0-9]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def _split(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split(";") if p.strip())


def load_not_skills(path: Path | None = None) -> dict[str, str]:
    """Labels seen in real subject lists that are deliberately not skills, with why."""
    path = path or TAXONOMY_DIR / "not_skills.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {key(row["label"]): row["reason"].strip() for row in csv.DictReader(fh)}


def load_skills(path: Path | None = None) -> list[Skill]:
    """Read skills.csv (see data/taxonomy/README.md for its columns)."""
    path = path or TAXONOMY_DIR / "skills.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            Skill(
                skill_id=row["skill_id"].strip(),
                name=row["name"].strip(),
                area=row["area"].strip(),
                kind=row["kind"].strip(),
                phases=_split(row["phases"]),
                aliases=tuple(a.lower() for a in _split(row["aliases"])),
                depends_on=_split(row.get("depends_on", "")),
                description=(row.get("description") or "").strip(),
            )
            for row in csv.DictReader(fh)
        ]


def sync_taxonomy(con: Connection, skills: Sequence[Skill] | None = None) -> int:
    """Bring the skills and aliases tables in line with the CSV (upsert; never deletes,
    because evidence may still point at a skill someone removed from the file)."""
    skills = list(skills) if skills is not None else load_skills()
    rows = [
        (s.skill_id, s.name, s.area, s.kind, list(s.phases), list(s.depends_on), s.description)
        for s in skills
    ]
    aliases = {}
    for s in skills:
        for label in (s.name, *s.aliases):
            aliases.setdefault(key(label), s.skill_id)
    skill_frame = pd.DataFrame(
        rows, columns=["skill_id", "name", "area", "kind", "phases", "depends_on", "description"]
    )
    alias_frame = pd.DataFrame(list(aliases.items()), columns=["alias", "skill_id"])
    with transaction(con):
        # executemany is slow in DuckDB; one INSERT ... SELECT from a registered frame is not.
        con.register("skill_frame", skill_frame)
        con.register("alias_frame", alias_frame)
        con.execute(
            "INSERT OR REPLACE INTO skills SELECT skill_id, name, area, kind, "
            "phases::VARCHAR[], depends_on::VARCHAR[], description FROM skill_frame"
        )
        con.execute("INSERT OR REPLACE INTO skill_aliases SELECT alias, skill_id FROM alias_frame")
        con.unregister("skill_frame")
        con.unregister("alias_frame")
    return len(rows)


class SkillMatcher:
    """Resolves free text to skills; built once from the taxonomy and reused."""

    def __init__(self, skills: Iterable[Skill], not_skills: dict[str, str] | None = None) -> None:
        self.skills: dict[str, Skill] = {s.skill_id: s for s in skills}
        self.not_skills = load_not_skills() if not_skills is None else not_skills
        self._exact: dict[str, str] = {}
        for s in self.skills.values():
            for label in (s.name, *s.aliases, s.skill_id.replace("-", " ")):
                self._exact.setdefault(key(label), s.skill_id)
        self._choices = [c for c in self._exact if len(c) >= MIN_FUZZY_LENGTH]
        self._choice_skill = [self._exact[c] for c in self._choices]
        # The WRatio bounds work on the labels in length order, so that the labels near a
        # text's length, and those much shorter or longer, are each a contiguous block.
        order = sorted(range(len(self._choices)), key=lambda j: len(self._choices[j]))
        self._label_orig = np.array(order, dtype=np.int64)
        self._labels = [self._choices[j] for j in order]
        self._labels_sorted = [fuzzy_bounds.sorted_words(c) for c in self._labels]
        self._label_len = np.array([len(c) for c in self._labels], dtype=np.int64)
        self._label_repeats = np.array(
            [len(set(c.split())) != len(c.split()) for c in self._labels], dtype=bool
        )
        word_labels: dict[str, list[int]] = {}
        for j, c in enumerate(self._labels):
            for word in set(c.split()):
                word_labels.setdefault(word, []).append(j)
        self._word_labels = {w: np.array(js, dtype=np.int64) for w, js in word_labels.items()}
        self._length_blocks = [
            (n, *np.searchsorted(self._label_len, [n, n + 1]).tolist())
            for n in np.unique(self._label_len).tolist()
        ]
        self._windows_cache: dict[tuple[int, bool], tuple[list[str], np.ndarray]] = {}
        # Each label's skill by place in name order, for the top five. With a name used
        # twice, ties would fall to label order, so every label is then scored.
        names = sorted(self.skills, key=lambda sid: self.skills[sid].name)
        rank = {sid: r for r, sid in enumerate(names)}
        self._label_rank = np.array([rank[self._choice_skill[j]] for j in order], dtype=np.int64)
        self._names_unique = len({s.name for s in self.skills.values()}) == len(self.skills)
        # Phrases of one to three words inside labels -> the skills using them, so a generic
        # word such as "leadership" is seen as shared by several skills, not matched to one.
        self._phrases: dict[str, set[str]] = {}
        for label, sid in self._exact.items():
            words = label.split()
            for n in (1, 2, 3):
                for i in range(len(words) - n + 1):
                    self._phrases.setdefault(" ".join(words[i : i + n]), set()).add(sid)

    @classmethod
    def from_db(cls, con: Connection) -> SkillMatcher:
        rows = con.execute(
            "SELECT s.skill_id, s.name, s.area, s.kind, s.phases, s.depends_on, s.description,"
            " list(a.alias ORDER BY a.alias) FILTER (WHERE a.alias IS NOT NULL)"
            " FROM skills s LEFT JOIN skill_aliases a USING (skill_id)"
            " GROUP BY ALL ORDER BY s.skill_id"
        ).fetchall()
        return cls(
            Skill(r[0], r[1], r[2], r[3], tuple(r[4]), tuple(r[7] or ()), tuple(r[5]), r[6] or "")
            for r in rows
        )

    def name(self, skill_id: str) -> str:
        return self.skills[skill_id].name

    def exact(self, text: str) -> str | None:
        """The skill a name or alias names exactly (no fuzzy reading), or None."""
        return self._exact.get(key(text))

    def match(self, text: str) -> SkillMatch:
        return self.match_many([text])[0]

    def match_many(self, texts: Sequence[str]) -> list[SkillMatch]:
        """Resolve many distinct texts at once: exact hits by dictionary, the rest by WRatio.

        WRatio is costly and, for a given text, all but a few dozen of the ~900 labels score
        below SUGGEST_CUTOFF. So it is run only on pairs that a proven upper bound on the
        score (`_bounds`) says could change the decision; the decisions are those of scoring
        every pair, which tests/test_taxonomy_pruning.py checks against the full matrix."""
        out: list[SkillMatch | None] = [None] * len(texts)
        pending: list[tuple[int, str]] = []
        for i, text in enumerate(texts):
            k = key(text)
            if not k:
                out[i] = SkillMatch(text, "none")
            elif k in self._exact:
                out[i] = SkillMatch(text, "exact", self._exact[k], 100.0)
            elif k in self.not_skills:
                out[i] = SkillMatch(text, "not_skill", reason=self.not_skills[k])
            else:
                pending.append((i, k))
        # In length order, texts of one length are adjacent rows sharing the bounds' block
        # structure, and the labels' windows.
        pending.sort(key=lambda ik: len(ik[1]))
        for start in range(0, len(pending), CHUNK):
            chunk = pending[start : start + CHUNK]
            queries = [q for _, q in chunk]
            rows, cols, scores = self._scores(queries, self._bounds(queries))
            at = np.searchsorted(rows, np.arange(len(chunk) + 1))
            for r, (i, q) in enumerate(chunk):
                out[i] = self._decide(
                    texts[i],
                    cols[at[r] : at[r + 1]],
                    scores[at[r] : at[r + 1]],
                    self._phrases.get(q, set()),
                )
        return [m for m in out if m is not None]

    def _scores(
        self, queries: list[str], bounds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact scores, rounded as cdist rounds them, of every (text, label) pair that could
        matter to a decision, as rows, label indices (in `_choices` order, ascending within
        a row) and scores, nonzero only; the pairs left out cannot matter.

        Only the top five skills count. Once each text's FIRST_LOOK labels with the highest
        bounds are scored and five skills are known, a label whose bound is below the fifth
        skill's score cannot enter the top five. The cut is that score less 0.5, as scores
        are rounded to the nearest integer; a tie is still scored as names break ties."""
        n_rows, n_labels = bounds.shape
        candidate = bounds >= SUGGEST_CUTOFF
        k = min(FIRST_LOOK, n_labels)
        if self._names_unique and k:
            top = np.argpartition(-bounds, k - 1, axis=1)[:, :k]
            rows = np.repeat(np.arange(n_rows), k)
            cols = top.ravel()
            hit = candidate[rows, cols]
            rows, cols = rows[hit], cols[hit]
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
        scores = self._wratio(queries, rows, cols)
        best = np.zeros((n_rows, len(self.skills)), dtype=np.uint8)
        np.maximum.at(best, (rows, self._label_rank[cols]), scores)
        if best.shape[1] >= 5:
            fifth = np.partition(best, -5, axis=1)[:, -5].astype(float)
            cut = np.where(fifth > 0, np.maximum(fifth - 0.5, SUGGEST_CUTOFF), SUGGEST_CUTOFF)
            candidate &= bounds >= cut[:, None]
        candidate[rows, cols] = False
        more_rows, more_cols = np.nonzero(candidate)
        rows = np.concatenate([rows, more_rows])
        cols = np.concatenate([cols, more_cols])
        scores = np.concatenate([scores, self._wratio(queries, more_rows, more_cols)])
        keep = scores > 0
        rows, cols, scores = rows[keep], self._label_orig[cols[keep]], scores[keep]
        order = np.lexsort((cols, rows))
        return rows[order], cols[order], scores[order]

    def _wratio(self, queries: list[str], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """WRatio of the pairs (queries[rows], labels[cols]), with the arguments the full
        cdist matrix used, so that each pair's score, cut-off and rounding to uint8 are
        exactly the full matrix's."""
        if not len(rows):
            return np.zeros(0, dtype=np.uint8)
        return process.cpdist(
            [queries[i] for i in rows.tolist()],
            [self._labels[j] for j in cols.tolist()],
            scorer=fuzz.WRatio,
            processor=None,
            score_cutoff=SUGGEST_CUTOFF,
            workers=-1 if len(rows) >= 2_000 else 1,
            dtype=np.uint8,
        )

    def _bounds(self, queries: list[str]) -> np.ndarray:
        """An upper bound on WRatio(q, label) for texts `queries`, in length order, and every
        label (in length order too), from LCS lengths: rapidfuzz computes those vectorised,
        far faster than WRatio itself.

        With processor=None, WRatio is ratio, 200·LCS/(len1 + len2), when the lengths are
        within a factor 1.5; it is raised to 0.95·token_ratio. Further apart, ratio is raised
        to scale·partial_ratio and 0.95·scale·partial_token_ratio (scale 0.9, or 0.6 beyond a
        factor 8). The token scorers compare the words in sorted order: when the strings share
        no word and neither repeats one, token_ratio is exactly ratio of the sorted forms and
        partial_token_ratio is partial_ratio of them; otherwise they can reach 100 and are
        taken as 100. `fuzzy_bounds.partial_bound` bounds partial_ratio. At a length ratio of
        exactly 1.5 (or 8) both sides' bounds are taken, whichever way rapidfuzz's float
        comparison falls. A small slack covers rounding in float arithmetic."""
        labels, labels_sorted, ll = self._labels, self._labels_sorted, self._label_len
        lq = np.array([len(q) for q in queries], dtype=np.int64)
        out = 200.0 * fuzzy_bounds.lcs(queries, labels) / (lq[:, None] + ll)  # ratio
        if not labels:
            return out
        sorted_q = [fuzzy_bounds.sorted_words(q) for q in queries]
        words = self._word_overlap(queries)
        lengths, firsts = np.unique(lq, return_index=True)
        for n, a, b in zip(lengths.tolist(), firsts.tolist(), [*firsts[1:], len(lq)], strict=True):
            # Labels within a factor 1.5 of n.
            lo, hi = np.searchsorted(3 * ll, 2 * n), np.searchsorted(2 * ll, 3 * n, side="right")
            if lo < hi:
                lcs = fuzzy_bounds.lcs(sorted_q[a:b], labels_sorted[lo:hi])
                token = np.where(words[a:b, lo:hi], 100.0, 200.0 * lcs / (n + ll[lo:hi]))
                out[a:b, lo:hi] = np.maximum(out[a:b, lo:hi], 0.95 * token)
            # Labels at least 1.5 times as long: the texts are the shorter strings.
            lo = np.searchsorted(2 * ll, 3 * n)
            if lo < len(labels):
                partial = [
                    fuzzy_bounds.partial_bound(fuzzy_bounds.lcs(texts[a:b], strings), starts, n)
                    for texts, (strings, starts) in (
                        (queries, self._label_windows(n, lo, False)),
                        (sorted_q, self._label_windows(n, lo, True)),
                    )
                ]
                scale = np.where(ll[lo:] <= 8 * n, 0.9, 0.6)
                tokens = np.where(words[a:b, lo:], 100.0, partial[1])
                far = scale * np.maximum(partial[0], 0.95 * tokens)
                out[a:b, lo:] = np.maximum(out[a:b, lo:], far)
        # Labels at most 2/3 as long, a block per length m: the labels are the shorter
        # strings, and the texts at least 1.5 times m long are the last rows.
        for m, lo, hi in self._length_blocks:
            a = int(np.searchsorted(2 * lq, 3 * m))
            if a == len(lq):
                break
            partial = [
                fuzzy_bounds.partial_bound(fuzzy_bounds.lcs(forms[lo:hi], strings), starts, m).T
                for forms, (strings, starts) in (
                    (labels, fuzzy_bounds.windows(queries[a:], m)),
                    (labels_sorted, fuzzy_bounds.windows(sorted_q[a:], m)),
                )
            ]
            scale = np.where(lq[a:] <= 8 * m, 0.9, 0.6)[:, None]
            tokens = np.where(words[a:, lo:hi], 100.0, partial[1])
            far = scale * np.maximum(partial[0], 0.95 * tokens)
            out[a:, lo:hi] = np.maximum(out[a:, lo:hi], far)
        return out + _SLACK

    def _word_overlap(self, queries: list[str]) -> np.ndarray:
        """Pairs whose token scores may reach 100: they share a word, or one repeats a word
        (token_set_ratio and partial_token_ratio then compare de-duplicated words)."""
        out = np.zeros((len(queries), len(self._labels)), dtype=bool)
        out[:, self._label_repeats] = True
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        for i, q in enumerate(queries):
            words = q.split()
            if len(set(words)) != len(words):
                out[i] = True
                continue
            for word in words:
                js = self._word_labels.get(word)
                if js is not None:
                    rows.append(np.full(len(js), i))
                    cols.append(js)
        if rows:
            out[np.concatenate(rows), np.concatenate(cols)] = True
        return out

    def _label_windows(self, n: int, lo: int, sorted_form: bool) -> tuple[list[str], np.ndarray]:
        """`fuzzy_bounds.windows` of the labels from `lo` on (those at least 1.5 times `n`),
        cached, as the labels never change."""
        got = self._windows_cache.get((n, sorted_form))
        if got is None:
            labels = self._labels_sorted if sorted_form else self._labels
            got = self._windows_cache[n, sorted_form] = fuzzy_bounds.windows(labels[lo:], n)
        return got

    def _decide(
        self, text: str, cols: np.ndarray, scores: np.ndarray, shared_by: set[str]
    ) -> SkillMatch:
        best: dict[str, float] = {}
        for j, score in zip(cols.tolist(), scores.tolist(), strict=True):
            if score:
                sid = self._choice_skill[j]
                best[sid] = max(best.get(sid, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self.skills[kv[0]].name))
        names = tuple(self.skills[sid].name for sid, _ in ranked[:5])
        if not ranked:
            return SkillMatch(text, "none")
        top_id, top = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        if len(shared_by) >= 2:  # a word several skills share: ask which one
            names = tuple(sorted(self.skills[s].name for s in shared_by))[:5]
            return SkillMatch(text, "ambiguous", None, top, names)
        if top >= CONFIDENT and top - runner >= MARGIN:
            return SkillMatch(text, "fuzzy", top_id, top, names)
        if top >= CONFIDENT - 10:
            return SkillMatch(text, "ambiguous", None, top, names)
        return SkillMatch(text, "none", None, top, names)


def skill_areas(con: Connection) -> list[str]:
    """The taxonomy's areas, for filters."""
    return [r[0] for r in con.execute("SELECT DISTINCT area FROM skills ORDER BY 1").fetchall()]
