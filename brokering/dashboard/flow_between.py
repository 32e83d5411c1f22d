"""A read's relationships between two schools, coded once for all its periods (`Between`),
and the per-area test the quick looks at the flow matrices share (`two_cells`). Why a module
of its own: the areas' look (`flows.area_totals`), the alliance's sample (`flow_sample`) and
a school's look (`school_sample`) all code the same relationships, once per read
(`flow_counts.Work.remember`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from brokering.dashboard.flow_counts import Work
from brokering.dashboard.flow_facts import day_number


@dataclass(frozen=True)
class Between:
    """A `Work`'s relationships between two schools, coded once for all its periods: each
    row's two schools (a pair) as a code, its directed cell in its area as a number, and
    each pair's one area (if it has one).

    Why: the quick looks at the areas' flow matrices (`flows.area_totals`) ask the same of
    each of a trend's seven terms; hashing 100,000 rows of keys once and counting each
    term with `np.bincount` over the codes costs a fraction of hashing them per term."""

    rows: np.ndarray  # the Work's rows between two schools
    pair: np.ndarray  # per row: its pair's code
    pairs: np.ndarray  # per pair code: lower position * n + higher
    cell: np.ndarray  # per row: (giver * n + receiver) * areas + area
    one_area: np.ndarray  # per pair code: the area of all its rows, or -1 (several)

    @classmethod
    def of(cls, work: Work) -> Between:
        """`work`'s relationships coded, once for the rows (`Work.remember`)."""
        return work.remember("Between", lambda: cls._of(work))

    @classmethod
    def _of(cls, work: Work) -> Between:
        n, n_areas = work.n, max(len(work.areas), 1)
        rows = np.flatnonzero(work.g != work.r)
        g, r, area = work.g[rows], work.r[rows], work.area[rows]
        pair, pairs = pd.factorize(np.minimum(g, r) * n + np.maximum(g, r))
        low, high = np.full(len(pairs), n_areas), np.full(len(pairs), -1)
        np.minimum.at(low, pair, area)
        np.maximum.at(high, pair, area)
        return cls(rows, pair, pairs, (g * n + r) * n_areas + area, np.where(low == high, low, -1))

    def running(self, work: Work, start: date, end: date) -> tuple[np.ndarray, np.ndarray]:
        """(every row of `work` running on some day of [start, end]; of `rows`, those)."""
        s, e = day_number(start), day_number(end)
        on = (work.first <= e) & (work.last >= s)
        return on, on[self.rows]


def two_cells(cells: np.ndarray, n_areas: int) -> np.ndarray:
    """Per area: whether `cells` (cell numbers, as `Between.cell`) hold two different cells
    of it — its lowest and highest differ."""
    low, high = np.full(n_areas, np.iinfo(np.int64).max), np.full(n_areas, -1)
    np.minimum.at(low, cells % n_areas, cells)
    np.maximum.at(high, cells % n_areas, cells)
    return high > low


def small_cells(
    rel: Work, between: Between, start: date, end: date
) -> tuple[np.ndarray, np.ndarray]:
    """(the cells in [start, end] whose relationship rests on at most two people, every
    area with work then): `flows._two_sure_cells`' reading of the period."""
    running, on = between.running(rel, start, end)
    size = np.bincount(
        between.pair[on], weights=rel.size[between.rows[on]], minlength=len(between.pairs)
    )
    # A cell lies in one pair: it is small where its pair is, in this period.
    held = between.cell[on][size[between.pair[on]] <= 2]
    # Every area with work, within one school too (one with none between schools has no
    # cell to hide: it is decided in full).
    n_areas = max(len(rel.areas), 1)
    return held, np.bincount(rel.area[running], minlength=n_areas) > 0
