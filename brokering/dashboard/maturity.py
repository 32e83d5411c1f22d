# ruff: noqa: S608 - the SQL fragments below are code constants; every value is a parameter.
"""Where the alliance — and each school — stands on the two maturity strands this product
serves, suggested from its own data, beside the leaders' own recorded judgement.

Each indicator is a share (0-1) with three thresholds: below the first is Beginning, then
Developing, Embedding, and Leading from the third. A strand's suggested stage is the lower
median of its indicators' stages, so one strong figure cannot carry a strand. The
suggestion is a prompt for discussion, not a score (DOMAIN.md: maturity stages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from brokering import audit
from brokering.dashboard.facts import guarded
from brokering.db import Connection, query_df, transaction
from brokering.errors import PermissionDenied, ValidationError
from brokering.permissions import can
from brokering.viewer import Viewer

STAGES = ("Beginning", "Developing", "Embedding", "Leading")
STRANDS = ("staff information", "mentoring and coaching")

#: Our own words for each stage of each strand (DOMAIN.md, restated).
DESCRIPTORS: dict[str, dict[str, str]] = {
    "staff information": {
        "Beginning": "Leaders know who is strong in some areas, but little is written down "
        "or reviewed.",
        "Developing": "Senior staff gather and review what they know of staff strengths, "
        "including how well people work with colleagues, and use it to choose coaches.",
        "Embedding": "Staff strengths are recorded routinely and drive development and the "
        "choice of mentors and coaches; everyone is expected to grow both skills.",
        "Leading": "Strengths are shared across partner schools without breaching "
        "confidence, and the strongest practitioner in each area is known and used.",
    },
    "mentoring and coaching": {
        "Beginning": "Some mentoring and coaching happens, carried by enthusiasts rather than "
        "by any system.",
        "Developing": "A policy is forming and linked to performance management, but mentor "
        "and coach are not yet told apart.",
        "Embedding": "A systematic policy with training; roles are given knowing the "
        "difference between a mentor and a coach.",
        "Leading": "The school trains others, draws on mentors and coaches from outside, and "
        "tries new approaches such as coaching between schools.",
    },
}


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


def _raw(con: Connection, as_of: date, school_id: str | None) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) for each indicator, for one school or the alliance."""
    year_ago = as_of - timedelta(days=365)
    two_years = as_of - timedelta(days=730)
    s = "(?::VARCHAR IS NULL OR st.school_id = ?::VARCHAR)"
    p = [school_id, school_id]
    teaching = "st.role NOT IN ('support staff', 'teaching assistant')"
    one = lambda sql, params: tuple(int(x or 0) for x in con.execute(sql, params).fetchall()[0])  # noqa: E731
    out = {
        "recorded_strengths": one(
            f"SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM evidence e WHERE "
            f"e.staff_ref = st.staff_ref AND e.evidence_type <> 'self-assessment' "
            f"AND e.date >= ?)), count(*) FROM staff st WHERE st.left_on IS NULL AND {teaching} "
            f"AND {s}",
            [two_years, *p],
        ),
        "coaching_known": one(
            f"SELECT count(*) FILTER (WHERE st.coach_trained OR st.mentor_trained OR EXISTS "
            f"(SELECT 1 FROM coaching c WHERE c.coach_ref = st.staff_ref) OR EXISTS (SELECT 1 "
            f"FROM evidence e WHERE e.staff_ref = st.staff_ref AND e.evidence_type = "
            f"'coaching-feedback')), count(*) FROM staff st WHERE st.left_on IS NULL AND {s}",
            p,
        ),
        "sharing_consent": one(
            f"SELECT count(*) FILTER (WHERE st.share_consent), count(*) FROM staff st "
            f"WHERE st.left_on IS NULL AND {s}",
            p,
        ),
        "cross_school_coaching": one(
            f"SELECT count(*) FILTER (WHERE a.school_id <> st.school_id), count(*) FROM coaching c "
            f"JOIN staff a ON a.staff_ref = c.coach_ref JOIN staff st ON st.staff_ref = "
            f"c.coachee_ref WHERE c.start_date >= ? AND {s}",
            [year_ago, *p],
        ),
        "needs_matched": one(
            f"SELECT count(*) FILTER (WHERE n.status IN ('matched', 'closed')), "
            f"count(*) FILTER (WHERE n.status <> 'withdrawn') FROM needs n JOIN staff st "
            f"USING (staff_ref) WHERE n.raised_on >= ? AND {s}",
            [year_ago, *p],
        ),
        "roles_told_apart": one(
            f"SELECT count(*) FILTER (WHERE n.wanted_role <> 'either'), count(*) FROM needs n "
            f"JOIN staff st USING (staff_ref) WHERE n.raised_on >= ? AND {s}",
            [year_ago, *p],
        ),
        "trained": one(
            f"SELECT count(*) FILTER (WHERE st.coach_trained OR st.mentor_trained), count(*) "
            f"FROM staff st WHERE st.left_on IS NULL AND {teaching} AND {s}",
            p,
        ),
    }
    out["evidenced_transfer"] = _transfer_share(con, as_of, school_id)
    return out


def _transfer_share(con: Connection, as_of: date, school_id: str | None) -> tuple[int, int]:
    from brokering.dashboard.facts import Scope, pairing_facts
    from brokering.viewer import operator

    facts = pairing_facts(con, operator("maturity"), Scope(school_id=school_id))
    year_ago = as_of - timedelta(days=365)
    concluded = facts[
        facts["concluded_on"].notna()
        & (facts["concluded_on"] >= pd.Timestamp(year_ago))
        & facts["status"].isin(["transferred", "not transferred"])
    ]
    return int((concluded["status"] == "transferred").sum()), len(concluded)


def indicators(
    con: Connection, viewer: Viewer, school_id: str | None = None, as_of: date | None = None
) -> pd.DataFrame:
    """Each indicator's value, thresholds and stage for the alliance or one school.

    A school's figures rest on its own staff; for another school's figures, a denominator
    below the suppression threshold hides the value.
    """
    as_of = as_of or date.today()
    raw = _raw(con, as_of, school_id)
    rows = []
    for ind in INDICATORS:
        num, den = raw[ind.key]
        value = (num / den) if den else None
        own = school_id is not None and school_id == viewer.school_id
        shown = value if own or school_id is None else guarded(value, den, viewer)
        rows.append(
            {
                "strand": ind.strand,
                "indicator": ind.label,
                "key": ind.key,
                "value": None if shown is None else round(shown, 3),
                "based on": den,
                "Developing from": ind.thresholds[0],
                "Embedding from": ind.thresholds[1],
                "Leading from": ind.thresholds[2],
                "stage": stage_for(shown, ind.thresholds),
                "how it is worked out": ind.explanation,
            }
        )
    return pd.DataFrame(rows)


def suggested_stages(frame: pd.DataFrame) -> dict[str, str | None]:
    return {
        strand: _suggest(frame.loc[frame["strand"] == strand, "stage"].tolist())
        for strand in STRANDS
    }


def by_school(con: Connection, viewer: Viewer, as_of: date | None = None) -> pd.DataFrame:
    """Suggested stage per strand for the alliance and every school (for one table)."""
    schools = query_df(con, "SELECT school_id, name FROM schools ORDER BY is_hub DESC, name")
    rows = []
    for sid, name in [(None, "Whole alliance"), *schools.itertuples(index=False)]:
        stages = suggested_stages(indicators(con, viewer, sid, as_of))
        rows.append({"school_id": sid, "school": name, **stages})
    return pd.DataFrame(rows)


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
    if not can(viewer, "record_maturity_judgement"):
        raise PermissionDenied(
            "Only headteachers, the SLE coordinator and the alliance "
            "administrator record maturity judgements."
        )
    if strand not in STRANDS:
        raise ValidationError(f"Choose a strand: {', '.join(STRANDS)}.")
    if stage not in STAGES:
        raise ValidationError(f"Choose a stage: {', '.join(STAGES)}.")
    if scope != "alliance" and viewer.school_id not in (None, scope):
        raise PermissionDenied("You can record a judgement for your own school or the alliance.")
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
