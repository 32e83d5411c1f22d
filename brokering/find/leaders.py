# ruff: noqa: S608 - table names and SQL fragments here are code constants; values are bound.
"""Each skill's leading stored score parts, held in memory for the build they came from.

Why: once the stored parts are current, a warm find at national scale spends most of its
time on DuckDB's fixed cost per statement, not on reading rows. A skill's leading rows (the
strongest few hundred by their strength at the build date) are the same for every viewer
and change only when the parts are rebuilt, so they are read once per build and skill and
ranked here with the very arithmetic `find_scores` writes in SQL.

Nothing here decides who may be seen. The find still looks every candidate up in the live
staff table under the viewer's visibility, and that same statement carries
`maintenance.CURRENT_BUILD_SQL`, so rows kept from a build are used only when the store
confirms, in that read, that the build is still current. Otherwise the find forgets the
build and takes the SQL route.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from brokering.db import Connection
from brokering.find import maintenance, parts_sql
from brokering.find import scores as find_scores
from brokering.scoring import ScoringParams

#: Leading rows kept per skill: enough for a top 20 (or 200) however few the viewer may see.
HELD = 512
#: The skill's [name, area], for the skill id bound to it.
SKILL_SQL = "(SELECT [name, area] FROM skills WHERE skill_id = ?)"

_COLUMNS = ("staff_ref", "n", "latest", "c_sw", "c_w", "c_n", "p_sw", "p_w", "s1")


@dataclass(frozen=True)
class Leaders:
    """A skill's leading practice rows (n > 0) in stored order: s1 descending, staff_ref."""

    rows: tuple[tuple[Any, ...], ...]
    s1_at: tuple[float, ...]
    #: The skill's name and area when read (a find from held rows checks they still hold).
    name: str
    area: str
    #: Every row of the skill is held, or else every row whose s1 is above `held_above`.
    complete: bool
    held_above: float
    #: The last ranking worked out, by ageing factor (one date's finds all share it).
    _ranked: dict[float, tuple[list[Ranked], int]] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass
class Build:
    """What one build of the parts was made with, and what has been read from it so far."""

    build_id: str
    epoch: date
    params_key: str
    priors_key: str
    #: The newest record the build holds (no find before it), and the date its s1 is
    #: measured to (`maintenance.PartsStatus`).
    newest: date
    ranked_at: date
    skills: dict[str, Leaders] = field(default_factory=dict)
    schools: dict[str, str] = field(default_factory=dict)

    def answers(self, as_of: date, params: ScoringParams) -> bool:
        """Same scoring parameters and priors as the build, and not asked about its past."""
        return (
            as_of >= self.newest
            and self.params_key == maintenance.params_key(params)
            and self.priors_key == maintenance.priors_key(params)
        )


_LOCK = threading.Lock()
#: Builds seen lately, newest last. Keyed by build, not by connection: the app opens a cursor
#: per page run, and every cursor on one store sees the same build.
_BUILDS: OrderedDict[str, Build] = OrderedDict()
#: Builds kept at once (one store in the app; tests and the benchmark open several).
KEPT = 2


def remember(status: maintenance.PartsStatus) -> None:
    """Note the build a usable `parts_status` reported, as the one the next finds try."""
    if (
        not status.usable
        or status.build_id is None
        or status.epoch is None
        or status.newest is None
        or status.ranked_at is None
    ):
        return
    with _LOCK:
        if status.build_id not in _BUILDS:
            _BUILDS[status.build_id] = Build(
                status.build_id,
                status.epoch,
                status.params_key,
                status.priors_key,
                status.newest,
                status.ranked_at,
            )
        _BUILDS.move_to_end(status.build_id)
        while len(_BUILDS) > KEPT:
            _BUILDS.popitem(last=False)


def forget(build: Build | None = None) -> None:
    """Drop one build's held rows (its store holds another build now), or every build's."""
    with _LOCK:
        if build is None:
            _BUILDS.clear()
        else:
            _BUILDS.pop(build.build_id, None)


def build_for(as_of: date, params: ScoringParams) -> Build | None:
    """The newest build seen, if it can answer for `as_of` and `params`. It is only a guess
    until a read of the store confirms it (`maintenance.CURRENT_BUILD_SQL`): with several
    stores open in one process, it may be another store's."""
    with _LOCK:
        build = next(reversed(_BUILDS.values()), None)
    return build if build is not None and build.answers(as_of, params) else None


def leaders(con: Connection, build: Build, skill_id: str) -> Leaders | None:
    """The skill's leading rows from `build`, read once (None: the store holds another build
    now, or the skill has no practice rows)."""
    held = build.skills.get(skill_id)
    if held is not None:
        return held
    cols = ", ".join(_COLUMNS)
    try:
        rows = _read_leaders(con, cols, skill_id)
    except (duckdb.CatalogException, duckdb.BinderException):  # dropped since, or older
        rows = []
    if not rows or rows[0][0] != build.build_id:
        forget(build)
        return None
    if rows[0][3] is None or rows[0][2] is None:  # no practice rows in this skill
        return None
    kept = tuple(r[3:] for r in rows)
    complete = len(kept) < HELD
    name, area = rows[0][2]
    held = Leaders(
        rows=kept,
        s1_at=tuple(float(v) for v in rows[0][1] or ()),
        name=name,
        area=area,
        complete=complete,
        held_above=float("-inf") if complete else float(kept[-1][-1]),
    )
    build.skills[skill_id] = held
    return held


def _read_leaders(con: Connection, cols: str, skill_id: str) -> list[tuple[Any, ...]]:
    """(build id, s1 at the kept ranks, [name, area], one leading row), a row per leader, in
    stored order; one row with no leader when the skill has none."""
    return con.execute(
        f"""SELECT m.build_id, r.s1_at, {SKILL_SQL}, p.*
            FROM {maintenance.META} m
            LEFT JOIN {maintenance.RANKS} r ON r.skill_id = ?
            LEFT JOIN (SELECT {cols} FROM {maintenance.PARTS}
                       WHERE skill_id = ? AND phase = ? AND n > 0
                       ORDER BY s1 DESC, staff_ref LIMIT ?) p ON TRUE
            ORDER BY p.s1 DESC, p.staff_ref""",
        [skill_id, skill_id, skill_id, parts_sql.ALL_PHASES, HELD],
    ).fetchall()


#: One ranked held row: (index into `Leaders.rows`, practice mean, confidence, score).
Ranked = tuple[int, float, float, float]


def ranked(
    held: Leaders, factor: float, params: ScoringParams, floor_factor: float | None = None
) -> tuple[list[Ranked], int]:
    """The held rows ranked as `find._practice_top`'s SQL ranks them today, and how many of
    the first are certainly today's leaders of the whole skill (not just of the held rows).

    The first N are certain when every row that could be among today's first N is held:
    `find_scores.score_floor` bounds them from below, so N is certain when that floor lies
    above the weakest held row (or the skill is held whole). The ranking is kept for the
    next find on the same date; `candidate` turns an entry into a row to fill in.
    `floor_factor` ages the held s1 to the same date (from the build's `ranked_at`; `factor`
    when s1 is measured to the epoch)."""
    known = held._ranked.get(factor)
    if known is None:
        known = _rank(held, factor, params, factor if floor_factor is None else floor_factor)
        held._ranked.clear()
        held._ranked[factor] = known
    return known


def _rank(
    held: Leaders, factor: float, params: ScoringParams, floor_factor: float
) -> tuple[list[Ranked], int]:
    f, pw = factor, params.prior_weight
    prior = params.prior_mean * pw
    out: list[Ranked] = []
    for i, (_ref, _n, _latest, _c_sw, _c_w, _c_n, p_sw, p_w, _s1) in enumerate(held.rows):
        mean = (f * p_sw + prior) / (f * p_w + pw)
        out.append((i, mean, f * p_w / (f * p_w + pw), find_scores.percent(mean)))
    rows = held.rows
    # The SQL order: score, confidence, latest evidence (all descending), then staff_ref.
    out.sort(key=lambda e: rows[e[0]][0])
    out.sort(key=lambda e: (e[3], e[2], rows[e[0]][2]), reverse=True)
    if held.complete:
        return out, len(out)
    certain = 0
    for rank in maintenance.S1_RANKS:
        if rank > len(out):
            break
        floor = find_scores.score_floor(True, held.s1_at, floor_factor, rank, params)
        if floor > held.held_above:
            certain = rank
    return out, certain


def candidate(held: Leaders, entry: Ranked) -> dict[str, Any]:
    """A ranked entry as the candidate row `find` fills in (a new dict each time)."""
    i, mean, conf, score = entry
    staff_ref, n, latest, c_sw, c_w, c_n, *_ = held.rows[i]
    return {
        "staff_ref": staff_ref,
        "n": n,
        "latest": latest,
        "c_sw": c_sw,
        "c_w": c_w,
        "c_n": c_n,
        "practice_mean": mean,
        "practice_confidence": conf,
        "practice_score": score,
    }


def school_names(con: Connection, build: Build, ids: set[str]) -> dict[str, str]:
    """School names by id, read once per build (schools change only through imports, which
    make the build stale)."""
    missing = sorted(i for i in ids if i not in build.schools)
    if missing:
        marks = ", ".join("?" for _ in missing)
        build.schools.update(
            con.execute(
                f"SELECT school_id, name FROM schools WHERE school_id IN ({marks})", missing
            ).fetchall()
        )
    return {i: build.schools.get(i, i) for i in ids}
