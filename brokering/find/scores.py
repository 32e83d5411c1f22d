"""Score parts for one skill, from the stored parts table or computed on the fly, and the
model's final arithmetic over them.

Why: the find, the depth chart and the gap map rank people by the same model as
`brokering.scoring`, but must do it in milliseconds at national scale. They read the
per-(skill, person) sums that `brokering.maintenance` keeps in skill order when those are
current, and otherwise compute the very same sums from the evidence; both routes give one
row shape. Tests hold the results equal to `scoring.practice_scores`/`coaching_scores`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import duckdb

from brokering.db import Connection
from brokering.errors import StoreError
from brokering.find import maintenance, parts_sql
from brokering.scoring import ScoringParams

_ALL = parts_sql.ALL_PHASES
#: A 1-4 strength expression as the 0-100 score shown, to one decimal place.
PCT_SQL = "round((({}) - 1) / 3 * 100, 1)"


@contextmanager
def plain_errors(action: str) -> Iterator[None]:
    """A driver error becomes a message a school leader can act on (never a traceback)."""
    try:
        yield
    except duckdb.Error as exc:
        raise StoreError(
            f"The database could not {action} just now ({exc}). Try again in a moment; if it "
            "keeps happening, tell the alliance's data manager."
        ) from exc


@dataclass(frozen=True)
class PartsSource:
    """A FROM-able subquery of parts rows, its bound values, and the factor that ages stored
    sums from their epoch to `as_of` (1 when computed for `as_of` itself)."""

    sql: str
    values: list[object]
    factor: float
    stored: bool
    #: What `parts_status` said, for one skill's stored parts (None otherwise).
    status: maintenance.PartsStatus | None = None
    #: The factor that ages `s1` from the date it is measured to (`ranked_at`) to `as_of`:
    #: at most 1, as `score_floor` needs (the sums' epoch lies ahead of the data).
    floor_factor: float = 1.0

    @property
    def ordered(self) -> bool:
        """Rows in s1 order, built with the same priors (so `floor` can skip rows)."""
        return self.status is not None and self.status.ordered

    @property
    def s1_at(self) -> tuple[float, ...]:
        """The skill's s1 at `maintenance.S1_RANKS`."""
        return self.status.s1_at if self.status is not None else ()

    def floor(self, need: int, params: ScoringParams) -> float:
        """`score_floor` for these rows: the least s1 that can be among the first `need`."""
        return score_floor(self.ordered, self.s1_at, self.floor_factor, need, params)


def parts_source(
    con: Connection,
    skill_id: str | None,
    as_of: date,
    params: ScoringParams,
    stages: tuple[str, ...] = (),
) -> PartsSource:
    """The stored parts when current and no phase filter is asked for (the fast route), else
    the same parts computed now from the evidence (per key stage when filtering)."""
    status = maintenance.parts_status(con, as_of, params, skill_id)
    if status.usable and status.epoch is not None and not stages:
        factor = 0.5 ** ((as_of - status.epoch).days / params.half_life_days)
        if skill_id is None:
            sql = f"(SELECT * FROM {maintenance.PARTS})"  # noqa: S608 - a code constant
            return PartsSource(sql, [], factor, True)
        sql = f"(SELECT * FROM {maintenance.PARTS} WHERE skill_id = ?)"  # noqa: S608
        return PartsSource(
            sql, [skill_id], factor, True, status, floor_factor(as_of, status, params)
        )
    sql, values = maintenance.parts_query(params, as_of, skill_id=skill_id, by_phase=bool(stages))
    return PartsSource(f"({sql})", values, 1.0, False)


def floor_factor(as_of: date, status: maintenance.PartsStatus, params: ScoringParams) -> float:
    """The factor ageing the stored `s1` (measured to `ranked_at`) to `as_of` (on or after it,
    since a usable status is never asked about a date before the newest record)."""
    ranked_at = status.ranked_at or status.epoch
    if ranked_at is None:
        return 1.0
    return 0.5 ** ((as_of - ranked_at).days / params.half_life_days)


def grouped_sql(source: PartsSource, stages: tuple[str, ...]) -> tuple[str, list[object]]:
    """One row per (skill, person): every phase, or only evidence about the filtered key
    stages (or about none) for practice — coaching never depends on the phase."""
    if not stages:
        cols = ", ".join(("skill_id", "staff_ref", *parts_sql.PART_COLUMNS))
        sql = f"(SELECT {cols} FROM {source.sql} p WHERE p.phase = '{_ALL}')"  # noqa: S608
        return sql, list(source.values)
    practice = "p.phase <> '" + _ALL + "'"
    sql = f"""(SELECT skill_id, staff_ref,
               coalesce(sum(n) FILTER (WHERE {practice}), 0) AS n,
               max(latest) FILTER (WHERE {practice}) AS latest,
               coalesce(sum(s_sum) FILTER (WHERE {practice}), 0) AS s_sum,
               coalesce(sum(p_sw) FILTER (WHERE {practice}), 0) AS p_sw,
               coalesce(sum(p_w) FILTER (WHERE {practice}), 0) AS p_w,
               coalesce(max(c_sw) FILTER (WHERE NOT {practice}), 0) AS c_sw,
               coalesce(max(c_w) FILTER (WHERE NOT {practice}), 0) AS c_w,
               coalesce(max(c_n) FILTER (WHERE NOT {practice}), 0) AS c_n,
               0.0 AS s1
        FROM {source.sql} p WHERE list_contains(?::VARCHAR[], p.phase) GROUP BY ALL)"""  # noqa: S608
    return sql, [*source.values, [_ALL, parts_sql.NO_PHASE, *stages]]


def practice_sql(source: PartsSource, params: ScoringParams) -> tuple[str, str, list[object]]:
    """SQL for the weighted-mean practice strength (1-4) and its confidence over grouped
    columns `g.p_sw`, `g.p_w`, with their bound values (mean's four, then confidence's)."""
    f, pw = source.factor, params.prior_weight
    mean = "((? * g.p_sw + ?) / (? * g.p_w + ?))"
    conf = "(? * g.p_w / (? * g.p_w + ?))"
    return mean, conf, [f, params.prior_mean * pw, f, pw, f, f, pw]


def coaching_sql(
    source: PartsSource, params: ScoringParams, trained: str
) -> tuple[str, str, list[object]]:
    """SQL for coaching strength (1-4) and its confidence over `g.c_sw`, `g.c_w`, with the
    coach-training pseudo-record switched by the boolean SQL expression `trained`."""
    f, p = source.factor, params
    t = f"(CASE WHEN {trained} THEN 1.0 ELSE 0.0 END)"
    mean = f"((? * g.c_sw + {t} * ? + ?) / (? * g.c_w + {t} * ? + ?))"
    conf = f"((? * g.c_w + {t} * ?) / (? * g.c_w + {t} * ? + ?))"
    prior = p.coaching_prior_weight
    values: list[object] = [f, p.training_weight * p.training_value, prior * p.coaching_prior_mean]
    values += [f, p.training_weight, prior, f, p.training_weight, f, p.training_weight, prior]
    return mean, conf, values


def coaching_value(
    c_sw: float, c_w: float, trained: bool, factor: float, params: ScoringParams
) -> tuple[float, float]:
    """`coaching_sql` for one person in Python (the fast route looks people up one batch at a
    time): (coaching strength 1-4, confidence)."""
    p = params
    t = p.training_weight if trained else 0.0
    w = factor * c_w + t
    mean = (
        factor * c_sw + t * p.training_value + p.coaching_prior_weight * p.coaching_prior_mean
    ) / (w + p.coaching_prior_weight)
    return mean, w / (w + p.coaching_prior_weight)


def percent(mean: float) -> float:
    """A 1-4 strength as a score 0-100, to one decimal place, rounded half away from zero as
    DuckDB's round() does (`PCT_SQL`, same operations in the same order), so ranks computed
    in SQL and in Python agree. The fraction is taken exactly, not by adding 0.5, which can
    round up a value just below the half (`scoring.round_tenths` is the same rule over
    arrays)."""
    tenths = (mean - 1.0) / 3.0 * 100.0 * 10.0
    whole = math.floor(abs(tenths))
    if abs(tenths) - whole >= 0.5:
        whole += 1
    return math.copysign(whole, tenths) / 10.0


#: Slack below the threshold, in 1-4 units: covers scores that round to the same shown value.
_SLACK = 0.004


def score_floor(
    ordered: bool, s1_at: tuple[float, ...], factor: float, need: int, params: ScoringParams
) -> float:
    """A lower bound on `s1` that keeps every row that can be among the first `need` today.

    Stored rows carry `s1`, their strength with recency measured to the build date. Ageing by
    a factor f <= 1 moves a strength towards the prior, so today's strength s lies between the
    prior and s1: s <= max(s1, prior) and s >= prior + f (s1 - prior). The skill's s1 at a
    rank R >= `need` (kept at build, `s1_at`) therefore bounds the need-th best strength today
    from below, by T; a row can only reach T if its s1 >= T. Rows below can be skipped.
    Without that order (parts computed now, other priors) there is no bound: -inf keeps every
    row."""
    if not ordered:
        return float("-inf")
    prior = params.prior_mean
    for rank, s1 in zip(maintenance.S1_RANKS, s1_at, strict=False):
        if rank >= need:
            low = prior + factor * (s1 - prior) - _SLACK
            return low if low > prior else float("-inf")
    return float("-inf")
