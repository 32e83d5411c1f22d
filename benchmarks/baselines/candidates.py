"""A pandas/numpy mirror of "candidates for one need" (issue 24), for the benchmark only.

Why: the candidates list had no baseline, so its time could only be judged against an
absolute target. This is what a competent numpy engineer would write given what the product
is given: the store's tables loaded once into arrays (staff by staff_ref, coaching by coach,
pairings and requests), and the *same precomputed per-skill score parts* the product reads
(`derived.find_parts`, built by its re-lay), laid out by skill. A call then does only what
the product does per request: rank the skill's practitioners the viewer may see (as the find
does), take the first `pool_limit`, work out their coaching and mentoring strength, hours
left this term and the "possibly unavailable" flag from the in-memory rows, and score each
against the need with the match formula (docs/MATCHING.md), proposable first.

It mirrors the route the product takes at national scale (its stored-parts route): a need in
a skill with at least `pool_limit` visible practitioners, enough of them expert that close
skills are not needed. Anything else raises `Unsupported` rather than answering differently.
`benchmarks/tests/test_baselines_candidates.py` holds it equal to the product.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from brokering import alliance_settings
from brokering.db import Connection
from brokering.find import maintenance, parts_sql
from brokering.matching.availability import ACTIVE_PAIRING
from brokering.matching.params import DEFAULT_MATCH_PARAMS, MatchParams
from brokering.phases import KEY_STAGES
from brokering.scoring import DEFAULT_PARAMS, ScoringParams, round_tenths
from brokering.terms import term_of
from brokering.viewer import Viewer

_EPOCH = date(1970, 1, 1)
_NEVER = np.iinfo(np.int32).max  # a day number after every date
_BITS = {ks: 1 << i for i, ks in enumerate(KEY_STAGES)}
_ROLES = {"coach": 0, "mentor": 1, "either": 2}
_EARTH_KM = 6371.0088


class Unsupported(ValueError):
    """The need is outside the case this mirror covers (see the module note)."""


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _mask(phases: object) -> int:
    return sum(_BITS.get(ks, 0) for ks in set(() if phases is None else phases))  # type: ignore[call-overload]


def _by(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(order, offsets): rows of `codes` grouped by code, code k at offsets[k]:offsets[k+1]."""
    order = np.argsort(codes, kind="stable")
    return order, np.searchsorted(codes[order], np.arange(size + 1), side="left")


@dataclass
class MatchFrames:
    """The store as arrays (loaded once, outside the timing), indexed by staff code (the
    position of a staff_ref in sorted order) and skill."""

    refs: np.ndarray  # staff_ref by code
    school: np.ndarray  # school code
    present: np.ndarray  # not a leaver
    consent: np.ndarray
    phase_mask: np.ndarray
    manager: np.ndarray  # line manager's staff code, -1 if none
    capacity: np.ndarray
    coach_trained: np.ndarray
    mentor_trained: np.ndarray
    left_day: np.ndarray  # day number, _NEVER when still here
    lat: np.ndarray  # by school code
    lon: np.ndarray
    school_ids: pd.Index
    #: The product's stored parts (all phases), by skill: rows [start, stop) of each skill.
    parts: dict[str, np.ndarray]
    parts_at: dict[str, tuple[int, int]]
    epoch: date
    #: Coaching rows grouped by coach.
    coaching: dict[str, np.ndarray]
    coaching_at: np.ndarray
    pending_hours: dict[int, float]
    lapsed: dict[int, np.ndarray]  # coach code -> reply_by day numbers
    confirmed: dict[int, np.ndarray]  # staff code -> confirmation day numbers
    #: Pairings' current versions (status, start day), their donors and log days.
    pairing_status: np.ndarray
    pairing_start: np.ndarray
    donor_of: dict[int, np.ndarray]  # staff code -> pairing codes
    log_days: dict[int, np.ndarray]  # pairing code -> sorted entry day numbers
    needs: pd.DataFrame  # by need_id: staff code, skill_id, wanted_role, hours
    quiet_weeks: int
    lapses_to_flag: int


def load_match_frames(con: Connection, as_of: date) -> MatchFrames:
    """Read what a candidates list needs from the store (the parts as the product built them)."""
    st = con.execute(
        "SELECT staff_ref, school_id, phases, share_consent, left_on, line_manager_ref, "
        "capacity_hours, coach_trained, mentor_trained FROM staff ORDER BY staff_ref"
    ).df()
    refs = st["staff_ref"].astype(object).to_numpy()
    code = pd.Index(refs)
    schools = con.execute(
        "SELECT school_id, latitude, longitude FROM schools ORDER BY school_id"
    ).df()
    school_ids = pd.Index(schools["school_id"].astype(object))
    left = st["left_on"]
    left_day = np.where(
        left.isna(), _NEVER, (pd.to_datetime(left) - pd.Timestamp(_EPOCH)).dt.days.fillna(0)
    ).astype(np.int64)
    status = maintenance.parts_status(con, as_of)
    if not status.usable or status.epoch is None:
        raise Unsupported("the store's per-skill parts are not current")
    parts = con.execute(
        f"""WITH s AS (SELECT staff_ref, (row_number() OVER (ORDER BY staff_ref) - 1)::INTEGER
                       AS c FROM staff)
            SELECT p.skill_id, s.c AS staff, p.n, (p.latest - DATE '1970-01-01')::INTEGER AS day,
                   p.c_sw, p.c_w, p.p_sw, p.p_w
            FROM {maintenance.PARTS} p JOIN s USING (staff_ref)
            WHERE p.phase = ? AND p.n > 0 ORDER BY p.skill_id, s.c""",  # noqa: S608
        [parts_sql.ALL_PHASES],
    ).df()
    skill_ids = parts["skill_id"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, skill_ids[1:] != skill_ids[:-1]]) if len(parts) else []
    stops = [*starts[1:], len(parts)]
    parts_at = {skill_ids[a]: (int(a), int(b)) for a, b in zip(starts, stops, strict=True)}
    co = con.execute(
        "SELECT coach_ref, coachee_ref, skill_id, mode = 'coaching' AS coaching, "
        "mode = 'mentoring' AS mentoring, "
        "(start_date - DATE '1970-01-01')::INTEGER AS start, "
        "coalesce((end_date - DATE '1970-01-01')::INTEGER, ?) AS stop, hours FROM coaching",
        [int(_NEVER)],
    ).df()
    coach = code.get_indexer(co["coach_ref"])
    c_order, c_at = _by(coach, len(refs))
    coaching = {
        "coachee": code.get_indexer(co["coachee_ref"])[c_order],
        "skill": co["skill_id"].to_numpy(dtype=object)[c_order],
        "is_coaching": co["coaching"].to_numpy(bool)[c_order],
        "is_mentoring": co["mentoring"].to_numpy(bool)[c_order],
        "start": co["start"].to_numpy(np.int64)[c_order],
        "stop": co["stop"].to_numpy(np.int64)[c_order],
        "hours": co["hours"].to_numpy(float)[c_order],
    }
    req = con.execute(
        "SELECT coach_ref, status, hours, (reply_by - DATE '1970-01-01')::INTEGER AS reply "
        "FROM match_requests WHERE status IN ('pending', 'lapsed')"
    ).df()
    pending = req[req["status"] == "pending"].groupby("coach_ref")["hours"].sum()
    lapsed = req[(req["status"] == "lapsed") & req["reply"].notna()]
    conf = con.execute(
        "SELECT staff_ref, (confirmed_on - DATE '1970-01-01')::INTEGER AS day "
        "FROM availability_confirmations"
    ).df()
    pv = con.execute(
        "SELECT pairing_id, status, (start_date - DATE '1970-01-01')::INTEGER AS start "
        "FROM pairings ORDER BY pairing_id"
    ).df()
    pairing_code = pd.Index(pv["pairing_id"].astype(object))
    donors = con.execute(
        "SELECT pairing_id, staff_ref FROM pairing_members WHERE side = 'donor'"
    ).df()
    log = con.execute(
        "SELECT pairing_id, (date - DATE '1970-01-01')::INTEGER AS day FROM pairing_log "
        "ORDER BY pairing_id, day"
    ).df()
    needs = con.execute("SELECT need_id, staff_ref, skill_id, wanted_role, hours FROM needs").df()
    needs["staff"] = code.get_indexer(needs["staff_ref"])
    return MatchFrames(
        refs=refs,
        school=school_ids.get_indexer(st["school_id"]),
        present=left.isna().to_numpy(),
        consent=st["share_consent"].to_numpy(bool),
        phase_mask=np.fromiter((_mask(p) for p in st["phases"]), np.int64, len(st)),
        manager=code.get_indexer(st["line_manager_ref"].fillna("")),
        capacity=st["capacity_hours"].to_numpy(float),
        coach_trained=st["coach_trained"].to_numpy(bool),
        mentor_trained=st["mentor_trained"].to_numpy(bool),
        left_day=left_day,
        lat=schools["latitude"].to_numpy(float),
        lon=schools["longitude"].to_numpy(float),
        school_ids=school_ids,
        parts={
            "staff": parts["staff"].to_numpy(np.int64),
            "n": parts["n"].to_numpy(np.int64),
            "day": parts["day"].fillna(-_NEVER).to_numpy(np.int64),
            **{c: parts[c].to_numpy(float) for c in ("c_sw", "c_w", "p_sw", "p_w")},
        },
        parts_at=parts_at,
        epoch=status.epoch,
        coaching=coaching,
        coaching_at=c_at,
        pending_hours={int(code.get_loc(r)): float(h) for r, h in pending.items()},
        lapsed={
            int(code.get_loc(r)): g["reply"].to_numpy(np.int64)
            for r, g in lapsed.groupby("coach_ref")
        },
        confirmed={
            int(code.get_loc(r)): g["day"].to_numpy(np.int64) for r, g in conf.groupby("staff_ref")
        },
        pairing_status=pv["status"].to_numpy(dtype=object),
        pairing_start=pv["start"].to_numpy(np.int64),
        donor_of={
            int(code.get_loc(r)): pairing_code.get_indexer(g["pairing_id"])
            for r, g in donors.groupby("staff_ref")
        },
        log_days={
            int(pairing_code.get_loc(p)): g["day"].to_numpy(np.int64)
            for p, g in log.groupby("pairing_id")
        },
        needs=needs.set_index("need_id"),
        quiet_weeks=alliance_settings.get_int(con, "quiet_weeks"),
        lapses_to_flag=alliance_settings.get_int(con, "lapses_to_flag"),
    )


def _visible(f: MatchFrames, viewer: Viewer, staff: np.ndarray) -> np.ndarray:
    """Which of `staff` the viewer may see (mirrors visibility.visible_staff_sql)."""
    if viewer.aggregate_only:
        return np.zeros(len(staff), bool)
    here = f.present[staff]
    if viewer.sees_everyone:
        return here
    consent = f.consent[staff]
    if viewer.school_id:
        own = f.school_ids.get_indexer([viewer.school_id])[0]
        return here & (consent | (f.school[staff] == own))
    return here & consent


def _pool(
    f: MatchFrames, viewer: Viewer, skill_id: str, as_of: date, top: int, scoring: ScoringParams
) -> dict[str, np.ndarray]:
    """The first `top` practitioners of the skill the viewer may see, in the find's order
    (score, confidence, latest evidence, reference), from the stored parts."""
    if skill_id not in f.parts_at:
        raise Unsupported("no practitioners of the skill")
    a, b = f.parts_at[skill_id]
    rows = {k: v[a:b] for k, v in f.parts.items()}
    seen = _visible(f, viewer, rows["staff"])
    rows = {k: v[seen] for k, v in rows.items()}
    if len(rows["staff"]) < top:
        raise Unsupported("fewer visible practitioners than the pool holds")
    factor = 0.5 ** ((as_of - f.epoch).days / scoring.half_life_days)
    pw = scoring.prior_weight
    w = factor * rows["p_w"]
    mean = (factor * rows["p_sw"] + scoring.prior_mean * pw) / (w + pw)
    conf = w / (w + pw)
    score = round_tenths((mean - 1.0) / 3.0 * 100.0)
    # Only rows scoring at least the top-th best can be in the pool: rank those alone.
    cut = np.partition(score, len(score) - top)[len(score) - top]
    near = np.flatnonzero(score >= cut)
    order = near[np.lexsort((rows["staff"][near], -rows["day"][near], -conf[near], -score[near]))]
    take = order[:top]
    out = {k: v[take] for k, v in rows.items()}
    out.update(score=score[take], conf=conf[take], factor=np.full(top, factor))
    return out


def _flagged(f: MatchFrames, staff: np.ndarray, as_of: date) -> np.ndarray:
    """The "possibly unavailable" rule (brokering.matching.availability) for `staff`."""
    today, cut = _day(as_of), _day(as_of - timedelta(weeks=f.quiet_weeks))
    out = np.zeros(len(staff), bool)
    for i, s in enumerate(staff.tolist()):
        if not f.present[s]:
            continue
        days = f.confirmed.get(s)
        last = days[days <= today].max(initial=-_NEVER) if days is not None else -_NEVER
        replies = f.lapsed.get(s)
        if replies is not None:
            counted = (replies < today) & ((last == -_NEVER) | (replies >= last))
            if counted.sum() >= f.lapses_to_flag:
                out[i] = True
                continue
        for p in f.donor_of.get(s, ()):
            if f.pairing_status[p] not in ACTIVE_PAIRING or f.pairing_start[p] > today:
                continue
            log = f.log_days.get(int(p))
            at = np.searchsorted(log, today, side="right") if log is not None else 0
            latest = log[at - 1] if at else f.pairing_start[p]
            if latest < cut and (last == -_NEVER or last < cut):
                out[i] = True
                break
    return out


def _haversine(la1: np.ndarray, lo1: np.ndarray, la2: np.ndarray, lo2: np.ndarray) -> np.ndarray:
    la1, lo1, la2, lo2 = (np.radians(np.asarray(x, float)) for x in (la1, lo1, la2, lo2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def candidates(
    f: MatchFrames,
    viewer: Viewer,
    need_id: str,
    *,
    as_of: date,
    params: MatchParams = DEFAULT_MATCH_PARAMS,
    scoring: ScoringParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """The need's candidates as the product lists them: staff_ref, match_score, proposable,
    rank (proposable first, then by score, expertise and reference; flagged coaches after
    the other proposable ones)."""
    viewer.require_listing()
    need = f.needs.loc[need_id]
    me = int(need["staff"])
    pool = _pool(f, viewer, str(need["skill_id"]), as_of, params.pool_limit, scoring)
    staff = pool["staff"]
    if int((pool["score"] >= params.min_expertise).sum()) < params.close_skill_min:
        raise Unsupported("close skills would join the pool")
    # Coaching and mentoring records, and hours used this term, from the coach's rows.
    term = term_of(as_of)
    t_start, t_end = _day(term.start), _day(term.end)
    n_pool = len(staff)
    in_skill, mentoring, used = np.zeros(n_pool), np.zeros(n_pool), np.zeros(n_pool)
    co, at = f.coaching, f.coaching_at
    for i, s in enumerate(staff.tolist()):
        a, b = at[s], at[s + 1]
        if a == b:
            continue
        coaching = co["is_coaching"][a:b]
        in_skill[i] = np.count_nonzero(coaching & (co["skill"][a:b] == need["skill_id"]))
        mentoring[i] = np.count_nonzero(co["is_mentoring"][a:b])
        active = (co["start"][a:b] <= t_end) & (co["stop"][a:b] >= t_start)
        active &= ~(f.left_day[co["coachee"][a:b]] < t_start)
        used[i] = np.where(np.isnan(co["hours"][a:b]), params.default_hours, co["hours"][a:b])[
            active
        ].sum()
    reserved = np.array([f.pending_hours.get(s, 0.0) for s in staff.tolist()])
    hours_left = np.maximum(f.capacity[staff] - used - reserved, 0.0)
    p = scoring
    trained = np.where(f.coach_trained[staff], p.training_weight, 0.0)
    w = pool["factor"] * pool["c_w"] + trained
    c_mean = (
        pool["factor"] * pool["c_sw"] + trained * p.training_value
        + p.coaching_prior_weight * p.coaching_prior_mean
    ) / (w + p.coaching_prior_weight)  # fmt: skip
    coaching_score = round_tenths((c_mean - 1.0) / 3.0 * 100.0)
    mt = f.mentor_trained[staff].astype(float)
    m_num = (
        p.coaching_prior_weight * p.coaching_prior_mean
        + mt * p.training_weight * p.training_value
        + mentoring * params.mentoring_record_weight * params.mentoring_record_value
    )
    m_den = p.coaching_prior_weight + mt * p.training_weight
    m_den = m_den + mentoring * params.mentoring_record_weight
    mentoring_score = round_tenths((m_num / m_den - 1.0) / 3.0 * 100.0)
    expertise = round_tenths(pool["score"])
    has_expertise = (expertise >= params.min_expertise) | (in_skill > 0)
    # The match score against the need (brokering.matching.model's formula).
    school = int(f.school[me])
    same = f.school[staff] == school
    dist = _haversine(f.lat[school], f.lon[school], f.lat[f.school[staff]], f.lon[f.school[staff]])
    travel = np.where(same | np.isnan(dist), 0.0, np.minimum(dist / params.travel_scale_km, 1.0))
    need_mask, cand = f.phase_mask[me], f.phase_mask[staff]
    near = ((cand << 1) | (cand >> 1)) & 0x3F
    fit = np.where(
        (need_mask & cand) != 0,
        1.0,
        np.where((need_mask & near) != 0, params.adjacent_phase_fit, 0.0),
    )
    fit = np.where((need_mask == 0) | (cand == 0), params.unknown_phase_fit, fit)
    role = _ROLES[str(need["wanted_role"])]
    is_lm = staff == f.manager[me]
    as_mentor = (role == 1) | ((role == 2) & ~is_lm & (mentoring_score > coaching_score))
    craft = np.where(as_mentor, mentoring_score, coaching_score)
    raw = [
        params.expertise_weight * expertise,
        params.coaching_weight * craft,
        params.phase_weight * 100.0 * fit,
        params.partner_weight * 100.0 * ~same,
        -params.travel_weight * 100.0 * travel,
    ]
    score = np.round(sum(np.round(v, 1) + 0.0 for v in raw), 1) + 0.0
    hours = params.default_hours if pd.isna(need["hours"]) else float(need["hours"])
    proposable = (
        has_expertise
        & (f.consent[staff] | same)
        & ~(is_lm & as_mentor)
        & (hours_left >= hours - 1e-9)
        & (score > 0)
    )
    keep = np.flatnonzero(staff != me)
    refs = f.refs[staff]  # codes are in staff_ref order: the code orders the references
    order = keep[np.lexsort((staff[keep], -expertise[keep], -score[keep], ~proposable[keep]))]
    low = proposable[order] & _flagged(f, staff[order], as_of)
    if low.any():
        group = np.where(proposable[order], np.where(low, 1, 0), 2)
        order = order[np.argsort(group, kind="stable")]
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(order) + 1),
            "staff_ref": refs[order],
            "match_score": score[order],
            "proposable": proposable[order],
        }
    )
