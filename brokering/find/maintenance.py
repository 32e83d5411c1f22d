"""Physical layout for fast reads: evidence ordered by skill, and per-skill score parts.

Why: "who is best at X?" reads one skill's evidence out of millions of rows. DuckDB skips
row groups whose min/max cannot hold the skill, so evidence stored in skill order is read in
a few row groups instead of all. The score parts table goes further: for each (skill, person,
phase) it keeps the sums the scoring model needs, with recency measured against a fixed
`epoch`, so that a find at any later date only rescales them (every weight halves with age,
so ageing all records by the same number of days multiplies every sum by the same factor).

Nothing here decides who may see whom: the parts hold every person, and `brokering.find`
joins them with the live staff table under the acting viewer's visibility. The parts are
used only while they match the data (row counts and the last import) and the parameters
they were built with; otherwise find computes the same parts on the fly from the evidence.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from brokering.db import Connection, memory_limit, note_change, transaction
from brokering.scoring import (
    COACHING_DATE_SQL,
    DEFAULT_PARAMS,
    ScoringParams,
    coaching_records_sql,
    evidence_factor_sql,
    evidence_value_sql,
    pairing_outcomes_sql,
)
from brokering.settings import IMPORT_MEMORY_LIMIT

SCHEMA = "derived"
PARTS = f"{SCHEMA}.find_parts"
META = f"{SCHEMA}.find_parts_meta"
RANKS = f"{SCHEMA}.find_parts_ranks"
#: Ranks at which each skill's s1 is kept: a find's cut-off for skipping weak rows.
S1_RANKS = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192)
#: Phase key of the row that totals a person's evidence over every phase.
ALL_PHASES = "*"
#: Phase key of evidence that names no key stage.
NO_PHASE = "-"
#: Days the parts' epoch is set after the newest record at a full build. Why: a write can
#: re-work only the rows of the people it touched while their records are no newer than the
#: epoch (older rows were summed to it); with the epoch at the newest record, today's
#: observations, the usual import, always forced a full re-lay. Ahead of the data, no weight
#: is clamped and a find at any date on or after the newest record rescales the sums exactly
#: (a factor above 1 before the epoch: 2 ** (366 / half-life), small for any half-life kept).
EPOCH_MARGIN_DAYS = 366


def params_key(params: ScoringParams) -> str:
    """The parameters baked into the stored sums (priors and training apply at query time)."""
    p = params
    return json.dumps(
        {
            "half_life_days": p.half_life_days,
            "type_weights": p.type_weights,
            "outcome_weight": p.outcome_weight,
            "feedback_weight": p.feedback_weight,
            "coaching_evidence_weight": p.coaching_evidence_weight,
            "other_skill_factor": p.other_skill_factor,
            "ungraded_value": p.ungraded_value,
            "ungraded_weight": p.ungraded_weight,
            "not_transferred_value": p.not_transferred_value,
            "not_transferred_weight": p.not_transferred_weight,
        },
        sort_keys=True,
    )


def priors_key(params: ScoringParams) -> str:
    return json.dumps([params.prior_mean, params.prior_weight])


#: Columns of a parts row after (skill_id, staff_ref, phase).
PART_COLUMNS = ("n", "latest", "s_sum", "p_sw", "p_w", "c_sw", "c_w", "c_n", "s1")


def parts_query(
    params: ScoringParams,
    epoch: date,
    *,
    skill_id: str | None = None,
    by_phase: bool = False,
    staff_refs: list[str] | None = None,
    ranked_at: date | None = None,
) -> tuple[str, list[object]]:
    """SELECT of score parts and its bound values, recency measured to `epoch`.

    One row per (skill, person) with phase `*` (all evidence); with `by_phase`, also one
    per key stage the evidence names (`-` for none), which carry practice sums only.
    `skill_id` limits it to one skill (a single find computing its parts on the fly);
    `staff_refs` to those people in every skill (a write refreshing what it touched: every
    sum is per person, so their rows alone are exact).
    n, latest, s_sum: evidence count, newest date, sum of strengths. p_sw, p_w: practice
    sums, weight = type weight x recency. c_sw, c_w: coaching sums — outcomes and numeric
    coachee feedback of the person's coaching (records in other skills weigh
    `other_skill_factor`) and coaching-feedback evidence in the skill; c_n: coaching records
    in the skill. s1: the practice strength with recency measured to `ranked_at` (default
    `epoch`; stored parts measure it to the newest record at their full build, a date no
    find before it asks about, so `find_scores.score_floor` ages it by a factor <= 1; stored
    rows are kept in its order within a skill, so a find can skip most of a large skill). People
    who coached the skill without evidence in it get a `*` row with zero practice, so a
    coaching rank can find them.
    """
    p = params
    weights = " ".join("WHEN ? THEN ?" for _ in p.type_weights)
    tw = [v for pair in p.type_weights.items() for v in pair]
    skill_ev = "WHERE e.skill_id = ?" if skill_id else ""
    if staff_refs is not None:
        skill_ev += " AND" if skill_ev else "WHERE"
        skill_ev += " list_contains(?, e.staff_ref)"
    people_cr = "AND list_contains(?, c.coach_ref)" if staff_refs is not None else ""
    records = coaching_records_sql(p, donors=staff_refs is not None)
    skill_cs = "WHERE skill_id = ?" if skill_id else ""
    # For one skill, only the coaching of people who could rank in it: those with evidence
    # in the skill and those who coached it.
    coaches = (
        "AND c.coach_ref IN (SELECT staff_ref FROM ev UNION ALL "
        "SELECT coach_ref FROM recs WHERE skill_id = ?)"
        if skill_id
        else ""
    )
    phase = f"coalesce(e.phase, '{NO_PHASE}')" if by_phase else f"'{ALL_PHASES}'"
    phase_rows = (
        f"""UNION ALL
            SELECT skill_id, staff_ref, '{ALL_PHASES}', sum(n), max(latest), sum(s_sum),
                   sum(p_sw), sum(p_w), sum(cf_sw), sum(cf_w)
            FROM ph GROUP BY ALL"""  # noqa: S608 - code fragments
        if by_phase
        else ""
    )
    sql = f"""
        WITH epoch AS (SELECT ?::DATE AS d),
        recs AS (SELECT * FROM {records}),
        ev AS (
            SELECT e.skill_id, e.staff_ref, {phase} AS phase,
                   {evidence_value_sql(p)} AS strength, e.date, e.evidence_type,
                   {evidence_factor_sql(p)}
                     * pow(0.5, greatest(date_diff('day', e.date, epoch.d), 0) / ?) AS x
            FROM evidence e, epoch {skill_ev}
        ), ph AS (
            SELECT skill_id, staff_ref, phase, count(*) AS n, max(date) AS latest,
                   sum(strength)::DOUBLE AS s_sum,
                   sum((CASE evidence_type {weights} ELSE 0 END) * x * strength) AS p_sw,
                   sum((CASE evidence_type {weights} ELSE 0 END) * x) AS p_w,
                   coalesce(sum(x * strength)
                            FILTER (WHERE evidence_type = 'coaching-feedback'), 0) AS cf_sw,
                   coalesce(sum(x) FILTER (WHERE evidence_type = 'coaching-feedback'), 0)
                     AS cf_w
            FROM ev GROUP BY ALL
        ), keyed AS (
            SELECT * FROM ph {phase_rows}
        ), cr AS (
            SELECT c.coach_ref AS staff_ref, c.skill_id,
                   c.factor * pow(0.5, greatest(date_diff('day', c.date, epoch.d), 0) / ?)
                     AS x,
                   c.o, c.fb
            FROM recs c, epoch WHERE TRUE {coaches} {people_cr}
        ), per_record AS (
            SELECT staff_ref, skill_id,
                   ? * coalesce(x * o, 0) + ? * coalesce(x * fb, 0) AS sw,
                   ? * (CASE WHEN o IS NULL THEN 0 ELSE x END)
                     + ? * (CASE WHEN fb IS NULL THEN 0 ELSE x END) AS w
            FROM cr
        ), every_skill AS (
            SELECT staff_ref, sum(sw) AS sw, sum(w) AS w FROM per_record GROUP BY ALL
        ), this_skill AS (
            SELECT skill_id, staff_ref, sum(sw) AS sw, sum(w) AS w, count(*) AS c_n
            FROM per_record {skill_cs} GROUP BY ALL
        ), rows AS (
            SELECT skill_id, staff_ref, phase, n, latest, s_sum, p_sw, p_w, cf_sw, cf_w
            FROM keyed
            UNION ALL
            SELECT t.skill_id, t.staff_ref, '{ALL_PHASES}', 0, NULL::DATE, 0.0, 0.0, 0.0,
                   0.0, 0.0
            FROM this_skill t
            WHERE NOT EXISTS (SELECT 1 FROM ph WHERE ph.skill_id = t.skill_id
                              AND ph.staff_ref = t.staff_ref)
        )
        SELECT r.skill_id, r.staff_ref, r.phase, r.n, r.latest, r.s_sum, r.p_sw, r.p_w,
               CASE WHEN r.phase = '{ALL_PHASES}' THEN
                   ? * coalesce(a.sw, 0) + (1 - ?) * coalesce(t.sw, 0) + ? * r.cf_sw
               ELSE 0 END AS c_sw,
               CASE WHEN r.phase = '{ALL_PHASES}' THEN
                   ? * coalesce(a.w, 0) + (1 - ?) * coalesce(t.w, 0) + ? * r.cf_w
               ELSE 0 END AS c_w,
               CASE WHEN r.phase = '{ALL_PHASES}' THEN coalesce(t.c_n, 0) ELSE 0 END AS c_n,
               (? * r.p_sw + ?) / (? * r.p_w + ?) AS s1
        FROM rows r
        LEFT JOIN every_skill a USING (staff_ref)
        LEFT JOIN this_skill t USING (skill_id, staff_ref)
    """  # noqa: S608 - fragments are code; values are parameters
    skill = [skill_id] if skill_id else []
    people: list[object] = [list(staff_refs)] if staff_refs is not None else []
    fo, cew = p.other_skill_factor, p.coaching_evidence_weight
    r = 1.0 if ranked_at is None else 0.5 ** ((ranked_at - epoch).days / p.half_life_days)
    values: list[object] = [
        epoch,
        *people,  # the pairings read: only those people's (`coaching_records_sql`)
        p.half_life_days,
        *skill,
        *people,
        *tw,
        *tw,
        p.half_life_days,
        *skill,
        *people,
        p.outcome_weight,
        p.feedback_weight,
        p.outcome_weight,
        p.feedback_weight,
        *skill,
        fo,
        fo,
        cew,
        fo,
        fo,
        cew,
        r,
        p.prior_mean * p.prior_weight,
        r,
        p.prior_weight,
    ]
    return sql, values


@dataclass(frozen=True)
class PartsStatus:
    """Whether the stored parts can answer a find, from which date they count, and whether
    their `s1` order was built with the same priors (so it bounds today's scores)."""

    usable: bool
    epoch: date | None
    reason: str
    ordered: bool = False
    s1_at: tuple[float, ...] = ()
    #: Names this build of the parts: a new one every build, so rows read from one build are
    #: never mistaken for another's (`brokering.find_leaders` keeps them by it).
    build_id: str | None = None
    params_key: str = ""
    priors_key: str = ""
    #: The newest record the sums hold (finds before it are refused), and the date `s1` is
    #: measured to (the newest record at the last full build).
    newest: date | None = None
    ranked_at: date | None = None


#: What the parts were built from: evidence and coaching rows, the last import, and the rows
#: of the pairings' history (versions and log entries; both only ever appended), since a
#: pairing judged at review counts in its donors' coaching strength.
SIGNATURE_SQL = (
    "(SELECT count(*) FROM evidence), (SELECT count(*) FROM coaching),"
    " (SELECT coalesce(max(import_id), 0) FROM imports),"
    " (SELECT count(*) FROM pairing_versions) + (SELECT count(*) FROM pairing_entries)"
)
_SIGNED = "(evidence_rows, coaching_rows, last_import, pairing_rows)"
#: The stored build's id while the parts match the data, else NULL: a scalar that any
#: statement can carry to confirm, in the same read, that rows kept from a build still hold.
CURRENT_BUILD_SQL = f"(SELECT build_id FROM {META} WHERE {_SIGNED} = ({SIGNATURE_SQL}))"  # noqa: S608


def parts_status(
    con: Connection,
    as_of: date,
    params: ScoringParams = DEFAULT_PARAMS,
    skill_id: str | None = None,
) -> PartsStatus:
    """May a find at `as_of` with `params` use the stored parts? One small query: evidence and
    coaching are only ever added by imports (or removed wholesale), so their row counts and
    the last import id change whenever the parts would. With `skill_id`, the same query
    brings that skill's s1 at `S1_RANKS`."""
    try:
        meta = con.execute(
            f"SELECT epoch, params, {_SIGNED} = ({SIGNATURE_SQL}), priors, "  # noqa: S608
            f"(SELECT s1_at FROM {RANKS} WHERE skill_id = ?), build_id, newest, ranked_at "
            f"FROM {META}",
            [skill_id],
        ).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):  # none, or an older layout
        return PartsStatus(False, None, "not built")
    if not meta:
        return PartsStatus(False, None, "not built")
    epoch, key, current, priors, s1_at, build_id, newest, ranked_at = meta[0]
    if not current:
        return PartsStatus(False, epoch, "data changed since the parts were built")
    if key != params_key(params):
        return PartsStatus(False, epoch, "built with other scoring parameters")
    if as_of < newest:
        return PartsStatus(False, epoch, "asked about a date before the newest record")
    ordered = priors == priors_key(params)
    ranks = tuple(float(v) for v in s1_at or ()) if ordered else ()
    return PartsStatus(
        True, epoch, "ready", ordered, ranks, build_id, key, priors, newest, ranked_at
    )


def build_find_parts(con: Connection, params: ScoringParams = DEFAULT_PARAMS) -> int:
    """(Re)build the per-skill score parts in skill order, in one transaction; return rows."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    signature = con.execute(f"SELECT {SIGNATURE_SQL}").fetchall()[0]  # noqa: S608
    newest = con.execute(
        "SELECT greatest((SELECT max(date) FROM evidence),"  # noqa: S608 - code fragments
        f" (SELECT max({COACHING_DATE_SQL}) FROM coaching c),"
        f" (SELECT max(date) FROM ({pairing_outcomes_sql(params)})), DATE '2000-01-01')"
    ).fetchall()[0][0]
    epoch = newest + timedelta(days=EPOCH_MARGIN_DAYS)
    sql, values = parts_query(params, epoch, ranked_at=newest)
    with transaction(con):
        con.execute(f"DROP TABLE IF EXISTS {PARTS}")
        con.execute(f"DROP TABLE IF EXISTS {META}")
        con.execute(
            f"CREATE TABLE {PARTS} AS SELECT * FROM ({sql}) "  # noqa: S608 - code fragments
            "ORDER BY skill_id, s1 DESC, staff_ref",
            values,
        )
        con.execute(f"DROP TABLE IF EXISTS {RANKS}")
        con.execute(
            f"CREATE TABLE {RANKS} AS SELECT skill_id, "  # noqa: S608
            "list(s1 ORDER BY rk) FILTER (WHERE list_contains(?, rk)) AS s1_at FROM ("
            "SELECT skill_id, s1, row_number() OVER (PARTITION BY skill_id ORDER BY s1 DESC) "
            f"AS rk FROM {PARTS} WHERE n > 0) GROUP BY skill_id",
            [list(S1_RANKS)],
        )
        con.execute(
            f"CREATE TABLE {META} (epoch DATE, params VARCHAR, evidence_rows BIGINT,"
            " coaching_rows BIGINT, last_import BIGINT, built_at TIMESTAMP, priors VARCHAR,"
            " build_id VARCHAR, pairing_rows BIGINT, newest DATE, ranked_at DATE)"
        )
        con.execute(
            f"INSERT INTO {META} VALUES (?, ?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?)",  # noqa: S608
            [
                epoch,
                params_key(params),
                *signature[:3],
                priors_key(params),
                uuid.uuid4().hex,
                signature[3],
                newest,
                newest,
            ],
        )
    return int(con.execute(f"SELECT count(*) FROM {PARTS}").fetchall()[0][0])  # noqa: S608


def sort_table(con: Connection, table: str, order_by: str) -> None:
    """Rewrite a table in the given order, keeping the table itself (its constraints and any
    views on it): copy aside, delete, re-insert, all in one transaction."""
    if table not in _SORTABLE or order_by != _SORTABLE[table]:
        raise ValueError(f"{table} cannot be sorted by {order_by}")
    with transaction(con):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _sorted AS SELECT * FROM {table} "  # noqa: S608
            f"ORDER BY {order_by}"
        )
        con.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        con.execute(f"INSERT INTO {table} SELECT * FROM _sorted")  # noqa: S608
        con.execute("DROP TABLE _sorted")


_SORTABLE = {
    "evidence": "skill_id, staff_ref, date",
    "coaching": "coach_ref, skill_id, start_date",
}


def optimise(con: Connection, params: ScoringParams = DEFAULT_PARAMS) -> dict[str, int]:
    """Lay the store out for finds: evidence in skill order, coaching in coach order, and the
    score parts rebuilt. Run after an import (the benchmark does; so may the data manager with
    `python -m brokering optimise`). Content is unchanged; only order and derived tables."""
    for table, order in _SORTABLE.items():
        sort_table(con, table, order)
    rows = build_find_parts(con, params)
    con.execute("CHECKPOINT")
    return {"find_parts": rows}


def after_import(con: Connection, applied: bool, params: ScoringParams = DEFAULT_PARAMS) -> bool:
    """Re-lay the store once an import (or an undo) has written rows, unless the batch kept
    it current itself, so finds keep the fast route (the stored parts stop being used the
    moment the data changes) and the derived facts whose data the import changed are ready
    for the next page view. A small batch keeps the parts and the sets current inside its own
    transaction, for exactly the people and pairings it touched
    (`brokering.importing.upkeep`); a big one, or one the upkeep could not follow, leaves
    them stale and is re-laid here in full. A kept batch skips the evidence re-sort and the
    CHECKPOINT too: its few rows sit at the tables' end until the next full re-lay, which
    costs a find only the row groups they add. Every caller that applies an import (the
    Data page, the command line, the demo build) calls this. Returns whether it re-laid."""
    if not applied:
        return False
    from brokering import derived_sets

    if parts_status(con, date.max, params).usable and not _stale_sets(con):
        return False  # kept current by the batch itself: nothing to re-lay
    with memory_limit(con, IMPORT_MEMORY_LIMIT):  # the 5M-row sort peaks like the import
        optimise(con, params)
        # The derived facts (dashboard, maturity, ledger) too: an import may change rows
        # anywhere (a move of school, corrected pairings), so each built set whose data moved
        # is rebuilt here rather than on the first page view after the import.
        derived_sets.rebuild_stale(con)
    return True


def _stale_sets(con: Connection) -> list[str]:
    """Derived sets built here whose data moved since (a set never built waits for its
    first read, as before)."""
    from brokering import derived, derived_sets

    return [
        s.name
        for s in derived_sets.all_sets()
        if (built := derived.stored_signature(con, s)) is not None
        and built != derived.signature(con, s)
    ]


def fast_path(con: Connection, as_of: date | None = None) -> dict[str, object]:
    """For operators and monitoring: whether finds can take the stored route today, and why
    not when they cannot (the route then still answers, only slower)."""
    status = parts_status(con, as_of or date.today())
    return {
        "current": status.usable,
        "reason": status.reason,
        "epoch": status.epoch.isoformat() if status.epoch else None,
        "newest": status.newest.isoformat() if status.newest else None,
    }


def drop_find_parts(con: Connection) -> None:
    """Remove the derived tables (finds then compute their parts from the evidence)."""
    for table in (PARTS, META, RANKS):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    note_change(con)  # memos that read the parts' build (find.routes) pass it over
