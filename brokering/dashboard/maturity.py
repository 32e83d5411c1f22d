# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Where the alliance — and each school — stands on the two maturity strands this product
serves, suggested from its own data, beside the leaders' own recorded judgement.

The model is the four-stage maturity model of a self-improving school system (Beginning,
Developing, Embedding, Leading), in two of its strands: distributed staff information, and
mentoring and coaching. Each indicator is a share with three thresholds: below the first it
supports Beginning, then Developing, Embedding, and Leading from the third. A strand's
suggested stage is the lower median of the stages its indicators support, so one strong
figure cannot carry a strand. The suggestion is a prompt for discussion, not a score
(DOMAIN.md: maturity stages). Who records a judgement: the alliance's, its administrator or
the hub school's headteacher; a school's, its own headteacher.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from brokering import audit, derived
from brokering.dashboard import hiding
from brokering.dashboard.facts import facts

# The model (its name, stages, strands and how indicators combine) is re-exported here.
from brokering.dashboard.maturity_model import COMBINE as COMBINE
from brokering.dashboard.maturity_model import DESCRIPTORS as DESCRIPTORS
from brokering.dashboard.maturity_model import MODEL as MODEL
from brokering.dashboard.maturity_model import STAGES, STRANDS
from brokering.dashboard.staff_summary import STAFF_SUMMARY as STAFF_SUMMARY
from brokering.db import Connection, query_df, transaction
from brokering.errors import PermissionDenied, ValidationError
from brokering.permissions import can
from brokering.viewer import Viewer


@dataclass(frozen=True)
class Indicator:
    key: str
    strand: str
    label: str
    thresholds: tuple[float, float, float]
    explanation: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "recorded_strengths",
        "staff information",
        "Teaching staff with recent recorded strengths",
        (0.25, 0.5, 0.75),
        "Share of current teaching staff with evidence other than self-assessment in "
        "the last two years.",
    ),
    Indicator(
        "coaching_known",
        "staff information",
        "Staff whose coaching or mentoring ability is recorded",
        (0.1, 0.25, 0.4),
        "Share of current staff who are coach- or mentor-trained, have coached, or have "
        "coaching-feedback evidence.",
    ),
    Indicator(
        "sharing_consent",
        "staff information",
        "Staff who share their profile alliance-wide",
        (0.3, 0.6, 0.85),
        "Share of current staff who have consented to alliance-wide sharing.",
    ),
    Indicator(
        "cross_school_coaching",
        "staff information",
        "Coaching that crosses schools",
        (0.1, 0.3, 0.5),
        "Share of coaching and mentoring relationships in the last year whose coach is "
        "in another school.",
    ),
    Indicator(
        "needs_matched",
        "mentoring and coaching",
        "Development needs matched",
        (0.25, 0.5, 0.75),
        "Share of needs raised in the last year that are matched or closed.",
    ),
    Indicator(
        "roles_told_apart",
        "mentoring and coaching",
        "Needs that say coach or mentor",
        (0.3, 0.6, 0.85),
        "Share of needs raised in the last year that ask specifically for a coach or a "
        "mentor rather than either.",
    ),
    Indicator(
        "trained",
        "mentoring and coaching",
        "Teaching staff trained to coach or mentor",
        (0.1, 0.2, 0.35),
        "Share of current teaching staff who are coach- or mentor-trained.",
    ),
    Indicator(
        "evidenced_transfer",
        "mentoring and coaching",
        "Concluded pairings with evidenced transfer",
        (0.2, 0.4, 0.6),
        "Share of pairings concluded in the last year that were evidenced as transferred.",
    ),
)


def stage_for(value: float | None, thresholds: tuple[float, float, float]) -> str | None:
    if value is None:
        return None
    return STAGES[sum(value >= t for t in thresholds)]


def _suggest(stages: list[str]) -> str | None:
    ranks = sorted(STAGES.index(s) for s in stages if isinstance(s, str))
    return STAGES[ranks[(len(ranks) - 1) // 2]] if ranks else None


#: (numerator, denominator) column pairs of `_raw`, named by indicator key.
_PARTS = {ind.key: (f"{ind.key}_n", f"{ind.key}_d") for ind in INDICATORS}


def _raw(
    con: Connection, as_of: date, school_id: str | None, *, by_school: bool = False
) -> pd.DataFrame:
    """(numerator, denominator) of each indicator: one row for the alliance or one school,
    or with `by_school` a row per school — in four grouped queries, however many schools."""
    year_ago = as_of - timedelta(days=365)
    two_years = as_of - timedelta(days=730)
    key = "st.school_id" if by_school else "'*'"
    only = "" if school_id is None else "AND st.school_id = ?"
    p = [] if school_id is None else [school_id]
    summary = derived.relations(con, STAFF_SUMMARY)["staff"]
    f = facts(con)
    staff = query_df(
        con,
        f"""
        SELECT {key} AS k,
               count(*) FILTER (WHERE st.teaching AND st.latest_recorded >= ?)
                   AS recorded_strengths_n,
               count(*) FILTER (WHERE st.teaching) AS recorded_strengths_d,
               count(*) FILTER (WHERE st.coaching_known) AS coaching_known_n,
               count(*) AS coaching_known_d,
               count(*) FILTER (WHERE st.consent) AS sharing_consent_n,
               count(*) AS sharing_consent_d,
               count(*) FILTER (WHERE st.teaching AND st.trained) AS trained_n,
               count(*) FILTER (WHERE st.teaching) AS trained_d
        FROM {summary} st
        WHERE TRUE {only}
        GROUP BY ALL
        """,
        [two_years, *p],
    )
    # The coachee's school owns a relationship: "coaching that crosses schools" is what its
    # staff receive from elsewhere.
    coaching = query_df(
        con,
        f"""
        SELECT {key} AS k,
               count(*) FILTER (WHERE st.giver <> st.school_id) AS cross_school_coaching_n,
               count(*) AS cross_school_coaching_d
        FROM (SELECT *, receiver AS school_id FROM {f.coaching}) st
        WHERE st.start_date >= ? {only}
        GROUP BY ALL
        """,
        [year_ago, *p],
    )
    needs = query_df(
        con,
        f"""
        SELECT {key} AS k,
               count(*) FILTER (WHERE n.status IN ('matched', 'closed')) AS needs_matched_n,
               count(*) FILTER (WHERE n.status <> 'withdrawn') AS needs_matched_d,
               count(*) FILTER (WHERE n.wanted_role <> 'either') AS roles_told_apart_n,
               count(*) AS roles_told_apart_d
        FROM needs n JOIN staff st USING (staff_ref)
        WHERE n.raised_on >= ? {only}
        GROUP BY ALL
        """,
        [year_ago, *p],
    )
    # A pairing counts for each school with a participant in it; for the alliance, once.
    schools = (
        f"JOIN (SELECT DISTINCT pairing_id, school_id FROM {f.people}) st USING (pairing_id)"
        if by_school or school_id is not None
        else ""
    )
    transfers = query_df(
        con,
        f"""
        SELECT {key} AS k,
               count(*) FILTER (WHERE p.status = 'transferred') AS evidenced_transfer_n,
               count(*) AS evidenced_transfer_d
        FROM {f.pairings} p {schools}
        WHERE p.concluded_on >= ? AND p.status IN ('transferred', 'not transferred') {only}
        GROUP BY ALL
        """,
        [year_ago, *p],
    )
    out = staff.set_index("k")
    for part in (coaching, needs, transfers):
        out = out.join(part.set_index("k"), how="outer")
    columns = [c for pair in _PARTS.values() for c in pair]
    if out.empty and not by_school:
        out = pd.DataFrame(0, index=[school_id or "*"], columns=columns)
    return out.reindex(columns=columns).fillna(0).astype(int)


def _hidden(counts: pd.DataFrame, ids: np.ndarray, viewer: Viewer) -> dict[str, np.ndarray]:
    """Per indicator, which rows of `counts` (the alliance, id None, then each school in
    `ids`) are hidden: `hiding.beside_total` on each indicator's denominator (its people)."""
    own = np.array([i is not None and i == viewer.school_id for i in ids], bool)
    return {
        ind.key: hiding.beside_total(counts[_PARTS[ind.key][1]], own, ids, viewer)
        for ind in INDICATORS
    }


def _every_school(con: Connection, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(schools hub first then by name, counts: the alliance's row then each school's)."""
    schools = query_df(con, "SELECT school_id, name FROM schools ORDER BY is_hub DESC, name")
    raw = _raw(con, as_of, None, by_school=True)
    alliance = _raw(con, as_of, None)
    counts = pd.concat(
        [alliance.iloc[:1], raw.reindex(schools["school_id"]).fillna(0).astype(int)],
        ignore_index=True,
    )
    return schools, counts


def indicators(
    con: Connection, viewer: Viewer, school_id: str | None = None, as_of: date | None = None
) -> pd.DataFrame:
    """Each indicator's value and thresholds (both per cent) and the stage it supports, for
    the alliance or one school. A figure is hidden with every school's and the alliance's
    (`_hidden`), and so is how many it rests on; the administrator and a school's own head
    (for their school) see theirs."""
    as_of = as_of or date.today()
    raw = _raw(con, as_of, school_id).iloc[0]
    hidden = {ind.key: False for ind in INDICATORS}
    if not viewer.sees_everyone and (school_id is None or school_id != viewer.school_id):
        schools, counts = _every_school(con, as_of)
        ids = np.array([None, *schools["school_id"]], dtype=object)
        at = 0 if school_id is None else int(np.flatnonzero(ids == school_id)[0])
        hidden = {key: bool(m[at]) for key, m in _hidden(counts, ids, viewer).items()}
    rows = []
    for ind in INDICATORS:
        num_col, den_col = _PARTS[ind.key]
        num, den = int(raw[num_col]), int(raw[den_col])
        shown = None if hidden[ind.key] or not den else num / den
        rows.append(
            {
                "strand": ind.strand,
                "indicator": ind.label,
                "key": ind.key,
                "value": None if shown is None else round(shown * 100, 1),
                "based on": None if hidden[ind.key] else den,
                "Developing from": round(ind.thresholds[0] * 100, 1),
                "Embedding from": round(ind.thresholds[1] * 100, 1),
                "Leading from": round(ind.thresholds[2] * 100, 1),
                "stage": stage_for(shown, ind.thresholds),
                "how it is worked out": ind.explanation,
            }
        )
    out = pd.DataFrame(rows)
    out["based on"] = out["based on"].astype("Int64")
    return out


def suggested_stages(frame: pd.DataFrame) -> dict[str, str | None]:
    return {
        strand: _suggest(frame.loc[frame["strand"] == strand, "stage"].tolist())
        for strand in STRANDS
    }


def by_school(con: Connection, viewer: Viewer, as_of: date | None = None) -> pd.DataFrame:
    """Suggested stage per strand for the alliance and every school (for one table), worked
    out column by column so a national alliance of 20,000 schools takes moments."""
    as_of = as_of or date.today()
    schools, counts = _every_school(con, as_of)
    ids = np.array([None, *schools["school_id"]], dtype=object)
    # Hidden as `indicators` hides them (`_hidden`: too few people, or they would give a
    # hidden one away).
    hidden = _hidden(counts, ids, viewer)
    out = pd.DataFrame({"school_id": ids, "school": ["Whole alliance", *schools["name"]]})
    for strand in STRANDS:
        ranks = []
        for ind in (i for i in INDICATORS if i.strand == strand):
            num_col, den_col = _PARTS[ind.key]
            num, den = counts[num_col].to_numpy(), counts[den_col].to_numpy()
            value = np.divide(num, den, out=np.full(len(den), np.nan), where=den > 0)
            visible = ~hidden[ind.key]
            rank = sum((value >= t).astype(int) for t in ind.thresholds)
            ranks.append(np.where(np.isnan(value) | ~visible, -1, rank))
        out[strand] = _lower_median(np.column_stack(ranks))
    return out


def _lower_median(ranks: np.ndarray) -> list[str | None]:
    """`_suggest` for every row of stage ranks at once (-1: no stage)."""
    present = (ranks >= 0).sum(axis=1)
    ordered = np.sort(np.where(ranks >= 0, ranks, len(STAGES)), axis=1)
    pick = ordered[np.arange(len(ranks)), np.maximum(present - 1, 0) // 2]
    return [STAGES[r] if n else None for r, n in zip(pick, present, strict=True)]


def _hub(con: Connection) -> str | None:
    rows = con.execute("SELECT school_id FROM schools WHERE is_hub ORDER BY school_id").fetchall()
    return rows[0][0] if rows else None


def may_record(con: Connection, viewer: Viewer, scope: str) -> bool:
    """Whether `viewer` records the judgement for `scope` ("alliance" or a school_id): the
    alliance's by its administrator or the hub school's headteacher; a school's by its own
    headteacher."""
    if not can(viewer, "record_maturity_judgement"):
        return False
    if scope == "alliance":
        return viewer.role == "alliance_admin" or (
            viewer.role == "headteacher" and viewer.school_id is not None
            and viewer.school_id == _hub(con)
        )  # fmt: skip
    return viewer.role == "headteacher" and viewer.school_id == scope


def record_judgement(
    con: Connection,
    viewer: Viewer,
    scope: str,
    strand: str,
    stage: str,
    note: str,
    suggested: str | None,
) -> None:
    """Leaders' own judgement, appended beside the suggestion; never overwritten."""
    if not may_record(con, viewer, scope):
        if scope == "alliance":
            raise PermissionDenied(
                "The alliance's judgement is recorded by the alliance administrator or the "
                "hub school's headteacher."
            )
        raise PermissionDenied(
            "A school's judgement is recorded only by the headteacher of its own school."
        )
    if strand not in STRANDS:
        raise ValidationError(f"Choose a strand: {', '.join(STRANDS)}.")
    if stage not in STAGES:
        raise ValidationError(f"Choose a stage: {', '.join(STAGES)}.")
    if len(note or "") > 2000:
        raise ValidationError("Keep the note under 2,000 characters.")
    with transaction(con):
        con.execute(
            "INSERT INTO maturity_judgements (scope, strand, stage, suggested, note, "
            "recorded_by, role) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                scope,
                strand,
                stage,
                suggested,
                (note or "").strip() or None,
                viewer.username,
                viewer.role,
            ],
        )
        audit.record(
            con, viewer, "maturity.judgement", {"scope": scope, "strand": strand, "stage": stage}
        )


def judgements(
    con: Connection, viewer: Viewer, scope: str, strand: str | None = None
) -> pd.DataFrame:
    """The history of recorded judgements for a scope (and strand), newest first."""
    return query_df(
        con,
        "SELECT recorded_at, strand, stage, suggested, note, recorded_by, role "
        "FROM maturity_judgements WHERE scope = ? AND (?::VARCHAR IS NULL OR strand = ?) "
        "ORDER BY judgement_id DESC",
        [scope, strand, strand],
    )
