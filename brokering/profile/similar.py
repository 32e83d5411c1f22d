"""People with a similar profile: cosine similarity between skill vectors.

A person's skill vector holds their practice score (0-100) in every skill they have evidence
in, and 0 elsewhere; two people are similar when their evidence covers the same skills at
similar strengths. Cosine rather than distance, so a colleague with many records in the same
skills is not penalised for having more of them. Only people the viewer may see are ever
compared (the caller reads the vectors through the visibility rule).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

#: How many similar people a profile lists.
SIMILAR_TOP = 5
#: Below this similarity two profiles are not called similar at all.
MIN_SIMILARITY = 0.2


@dataclass(frozen=True)
class Similar:
    staff_ref: str
    similarity: float
    shared_skills: tuple[str, ...]


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two sparse vectors (missing keys are 0); 0 when either is all zeros."""
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    if na == 0 or nb == 0:
        return 0.0
    return dot / (na * nb)


def most_similar(
    target: Mapping[str, float],
    others: Mapping[str, Mapping[str, float]],
    *,
    top: int = SIMILAR_TOP,
    minimum: float = MIN_SIMILARITY,
) -> list[Similar]:
    """The `top` most similar vectors to `target`, most similar first, ties by reference."""
    scored = []
    for ref, vector in others.items():
        sim = cosine(target, vector)
        if sim >= minimum:
            shared = tuple(sorted(k for k in target if vector.get(k, 0.0) and target[k]))
            scored.append(Similar(ref, round(sim, 4), shared))
    scored.sort(key=lambda s: (-s.similarity, s.staff_ref))
    return scored[:top]
