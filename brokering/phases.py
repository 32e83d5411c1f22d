"""Key stages, and the words people use for them.

Phase is a dimension of its own, never part of a skill: "A-level chemistry" is Chemistry at
KS5. Imports and searches both read phase words through this one module.
"""

from __future__ import annotations

import re

KEY_STAGES: tuple[str, ...] = ("EYFS", "KS1", "KS2", "KS3", "KS4", "KS5")

SCHOOL_PHASES: tuple[str, ...] = (
    "nursery",
    "primary",
    "middle",
    "secondary",
    "all-through",
    "special",
    "alternative provision",
    "16 plus",
)

_YEAR_STAGE = {
    0: "EYFS",
    1: "KS1",
    2: "KS1",
    3: "KS2",
    4: "KS2",
    5: "KS2",
    6: "KS2",
    7: "KS3",
    8: "KS3",
    9: "KS3",
    10: "KS4",
    11: "KS4",
    12: "KS5",
    13: "KS5",
}

# Longest phrases first so "sixth form" wins over "form", "a level" over "level".
_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (r"early years foundation stage|early years|eyfs|reception|nursery|year r\b|yr r\b", ("EYFS",)),
    (r"sixth[- ]form|post[- ]?16|a[- ]?levels?|as[- ]?levels?|6th form|ks5|key stage 5", ("KS5",)),
    (r"gcses?|ks4|key stage 4", ("KS4",)),
    (r"ks3|key stage 3", ("KS3",)),
    (r"ks2|key stage 2|lower key stage 2|upper key stage 2|lks2|uks2", ("KS2",)),
    (r"ks1|key stage 1", ("KS1",)),
    (r"primary", ("EYFS", "KS1", "KS2")),
    (r"secondary", ("KS3", "KS4")),
]
_YEAR = r"(?:year|yr|y)\s*-?\s*(\d{1,2})\b"
_PHASE_RE = re.compile(
    r"(?<![a-z0-9])(?:" + _YEAR + "|" + "|".join(f"(?:{w})" for w, _ in _WORDS) + r")(?![a-z0-9])",
    re.IGNORECASE,
)


def stages_for(token: str) -> tuple[str, ...] | None:
    """The key stages one phase word names, or None if it names none."""
    t = token.strip().lower()
    if not t:
        return None
    for ks in KEY_STAGES:
        if t == ks.lower():
            return (ks,)
    m = re.fullmatch(_YEAR, t)
    if m:
        stage = _YEAR_STAGE.get(int(m.group(1)))
        return (stage,) if stage else None
    for pattern, stages in _WORDS:
        if re.fullmatch(pattern, t):
            return stages
    return None


def parse_phase_list(cell: str) -> tuple[tuple[str, ...], list[str]]:
    """Read a semicolon list of phases; return (key stages in order, unreadable items)."""
    found: set[str] = set()
    bad: list[str] = []
    for item in cell.split(";"):
        if not item.strip():
            continue
        stages = stages_for(item)
        if stages is None:
            bad.append(item.strip())
        else:
            found.update(stages)
    return tuple(ks for ks in KEY_STAGES if ks in found), bad


def extract_phases(query: str) -> tuple[str, tuple[str, ...], list[str]]:
    """Split phase words out of a search: "yr 6 maths" -> ("maths", ("KS2",), ["yr 6"])."""
    found: set[str] = set()
    words: list[str] = []
    for m in _PHASE_RE.finditer(query):
        stages = stages_for(m.group(0))
        if stages:
            found.update(stages)
            words.append(m.group(0).strip())
    rest = _PHASE_RE.sub(" ", query)
    rest = re.sub(r"\s+", " ", rest).strip()
    return rest, tuple(ks for ks in KEY_STAGES if ks in found), words
