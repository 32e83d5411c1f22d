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

    def match(self, text: str) -> SkillMatch:
        return self.match_many([text])[0]

    def match_many(self, texts: Sequence[str]) -> list[SkillMatch]:
        """Resolve many distinct texts at once: exact hits by dictionary, the rest scored
        together with rapidfuzz's multi-threaded cdist."""
        out: list[SkillMatch | None] = [None] * len(texts)
        pending: list[int] = []
        for i, text in enumerate(texts):
            k = key(text)
            if not k:
                out[i] = SkillMatch(text, "none")
            elif k in self._exact:
                out[i] = SkillMatch(text, "exact", self._exact[k], 100.0)
            elif k in self.not_skills:
                out[i] = SkillMatch(text, "not_skill", reason=self.not_skills[k])
            else:
                pending.append(i)
        if pending:
            queries = [key(texts[i]) for i in pending]
            scores = process.cdist(
                queries,
                self._choices,
                scorer=fuzz.WRatio,
                processor=None,
                score_cutoff=SUGGEST_CUTOFF,
                workers=-1,
                dtype=np.uint8,
            )
            for row, i, q in zip(scores, pending, queries, strict=True):
                out[i] = self._decide(texts[i], row, self._phrases.get(q, set()))
        return [m for m in out if m is not None]

    def _decide(self, text: str, row: np.ndarray, shared_by: set[str]) -> SkillMatch:
        best: dict[str, float] = {}
        for j in np.nonzero(row)[0]:
            sid = self._choice_skill[j]
            best[sid] = max(best.get(sid, 0.0), float(row[j]))
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
