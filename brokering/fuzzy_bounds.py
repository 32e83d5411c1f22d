"""Fast upper bounds on rapidfuzz's scores, so the skill matcher scores only the labels
that could still win.

Why: normalising ten thousand free-text queries against every skill name and alias with
rapidfuzz's own scorers is too slow one pair at a time; the longest common subsequence of
many pairs at once (`process.cdist`) bounds `ratio`, `token_sort_ratio` and `partial_ratio`
from above, and only the labels whose bound can beat the best so far are scored exactly.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import LCSseq


def lcs(a: list[str], b: list[str]) -> np.ndarray:
    """Lengths of the longest common subsequences of every pair from `a` and `b`."""
    # Starting threads costs more than a small matrix takes to fill.
    workers = -1 if len(a) * len(b) >= 250_000 else 1
    return process.cdist(
        a, b, scorer=LCSseq.similarity, processor=None, workers=workers, dtype=np.int32
    )


def checkpoint(n: int) -> int:
    """The prefix length, between n/2 and n, at which `windows` also measures the LCS."""
    return (3 * n + 3) // 4


def windows(longer: list[str], n: int) -> tuple[list[str], np.ndarray]:
    """The pieces of each string in `longer` that `partial_bound` needs, for a shorter
    string of length `n`: segments 2n long every n characters (so every n-long window lies
    inside one), then every string's first and last `checkpoint(n)` characters, then, when
    that leaves a gap, its first and last n. Returns the pieces and where each string's
    segments start among them."""
    w = 2 * n
    strings = [t[k : k + w] for t in longer for k in range(0, len(t) - n + 1, n)]
    counts = (np.array([len(t) for t in longer], dtype=np.int64) - n) // n + 1
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    p = checkpoint(n)
    strings += [t[:p] for t in longer]
    strings += [t[-p:] for t in longer]
    if p <= n - 2:
        strings += [t[:n] for t in longer]
        strings += [t[-n:] for t in longer]
    return strings, starts


def partial_bound(lcs: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    """An upper bound on partial_ratio(s, t) for each shorter s (a row, n long) and longer
    t (a column of the result), from the LCS of s with t's pieces laid out by `windows`.

    rapidfuzz's partial_ratio_impl scores s against windows of t that are n long, and
    against prefixes and suffixes of t shorter than n; no other windows. An n-long window W
    lies inside a segment S, so it scores 200·LCS(s, W)/2n <= 100·LCS(s, S)/n. A prefix
    t[:i] with i <= p has LCS <= min(i, c), c = LCS(s, t[:p]); so it scores
    200·min(i, c)/(n + i), which over a <= i <= b peaks at 200·c'/(n + max(c', a)) with
    c' = min(c, b). Suffixes are the same with t[-p:], so the larger of the two serves."""
    m = len(starts)
    p = checkpoint(n)
    ends = 4 if p <= n - 2 else 2
    split = lcs.shape[1] - ends * m
    out = 100.0 * np.maximum.reduceat(lcs[:, :split], starts, axis=1) / n

    def larger_end(k: int) -> np.ndarray:
        at = split + 2 * k * m
        return np.maximum(lcs[:, at : at + m], lcs[:, at + m : at + 2 * m])

    if min(p, n - 1) >= 1:  # prefixes of 1 to min(p, n - 1) characters
        c = np.minimum(larger_end(0), min(p, n - 1))
        out = np.maximum(out, 200.0 * c / (n + np.maximum(c, 1)))
    if ends == 4:  # prefixes of p + 1 to n - 1 characters
        c = np.minimum(larger_end(1), n - 1)
        out = np.maximum(out, 200.0 * c / (n + np.maximum(c, p + 1)))
    return out


def sorted_words(text: str) -> str:
    """The form rapidfuzz's token scorers compare: the words in sorted order."""
    return " ".join(sorted(text.split()))
