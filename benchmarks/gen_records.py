"""The generator's records beside the staff: evidence, coaching and needs, each drawn from a
person's profile of skills and true practice (`gen_mix._Roster`). Apart from `generate` to
keep each module one a reader can hold; `Generator` calls these with itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.gen_mix import (
    EV_TYPES,
    EV_WEIGHTS,
    EVIDENCE_RATE,
    FEEDBACK_TEXT,
    NOTES,
    PROFILE,
    RECORDER_LABELS,
    RECORDER_WEIGHTS,
    WINDOW_DAYS,
    _cat,
    _days,
    _Roster,
)
from brokering.phases import KEY_STAGES

if TYPE_CHECKING:
    from benchmarks.generate import Generator


def evidence_frame(gen: Generator, ro: _Roster) -> pd.DataFrame:
    rng = gen.rng
    target = gen.scale.evidence
    lam = EVIDENCE_RATE[ro.role]
    lam = lam * (target * 1.06 / lam.sum())
    counts = rng.poisson(lam)
    staff = np.repeat(np.arange(ro.n), counts)
    m = len(staff)
    slot = np.minimum(rng.geometric(0.28, size=m) - 1, PROFILE - 1)
    skill = ro.profile[staff, slot]
    etype = rng.choice(len(EV_TYPES), size=m, p=EV_WEIGHTS / EV_WEIGHTS.sum())
    noise = rng.normal(0, 0.6, size=m) + np.where(etype == 5, 0.3, 0.0)
    strength = np.clip(np.rint(ro.ability[staff, slot] + noise), 1, 4).astype(np.int8)
    offset = rng.integers(0, WINDOW_DAYS + 1, size=m)
    offset = np.maximum(offset, ro.leaver_gap[staff])  # nothing recorded after leaving
    n_labels = len(RECORDER_LABELS)
    label = rng.choice(n_labels, size=m, p=RECORDER_WEIGHTS / RECORDER_WEIGHTS.sum())
    by_manager = (rng.random(m) < 0.35) & (ro.manager[staff] >= 0)
    recorder = np.where(by_manager, n_labels + ro.manager[staff], label)
    recorder = np.where(etype == 5, RECORDER_LABELS.index("self"), recorder)

    # One row per natural key (staff, skill, type, date, recorded_by): pack it in 63 bits.
    key = (
        (staff.astype(np.int64) << 43)
        | (skill.astype(np.int64) << 35)
        | (etype.astype(np.int64) << 32)
        | (offset.astype(np.int64) << 21)
        | recorder.astype(np.int64)
    )
    _, first = np.unique(key, return_index=True)
    keep = np.sort(first)
    if len(keep) > target:
        keep = np.sort(gen.rng.choice(keep, size=target, replace=False))
    # Keep file order: grouped by school export (staff order), newest evidence last.
    staff, skill, etype, strength, offset, recorder = (
        a[keep] for a in (staff, skill, etype, strength, offset, recorder)
    )
    m = len(staff)
    order = np.lexsort((-offset, staff))
    staff, skill, etype, strength, offset, recorder = (
        a[order] for a in (staff, skill, etype, strength, offset, recorder)
    )

    # Skill text: mostly the name, sometimes an alias, sometimes lower case.
    names = [s.name for s in gen.skills]
    alias_first = [s.aliases[0] if s.aliases else s.name.lower() for s in gen.skills]
    texts = names + alias_first + [x.lower() for x in names]
    k = len(names)
    variant = rng.choice(3, size=m, p=[0.9, 0.08, 0.02])
    skill_text = skill + variant * k
    refs = np.array([f"S{i:07d}" for i in range(ro.n)], dtype=object)
    recorder_cats = list(RECORDER_LABELS) + list(refs)
    note = np.where(rng.random(m) < 0.1, rng.integers(0, len(NOTES), size=m), -1)
    stages = np.array(KEY_STAGES)
    combo_stage = [
        [list(KEY_STAGES).index(x) for x in c.split(";")] if c else [] for c in ro.combos
    ]
    width = max(len(c) for c in combo_stage) or 1
    table = np.full((len(combo_stage), width), -1)
    lens = np.zeros(len(combo_stage), dtype=np.int64)
    for i, c in enumerate(combo_stage):
        table[i, : len(c)] = c
        lens[i] = len(c)
    pc = ro.phase_combo[staff]
    pick = np.floor(rng.random(m) * np.maximum(lens[pc], 1)).astype(np.int64)
    phase = np.where((rng.random(m) < 0.3) & (lens[pc] > 0), table[pc, pick], -1)
    day_cats = _days(WINDOW_DAYS)
    return pd.DataFrame(
        {
            "staff_ref": _cat(staff, refs),
            "skill": _cat(skill_text, texts),
            "evidence_type": _cat(etype, EV_TYPES),
            "strength": strength,
            "date": _cat(offset, day_cats),
            "recorded_by": _cat(recorder, recorder_cats),
            "note": _cat(note, NOTES),
            "phase": _cat(phase, stages),
        }
    )


# -- coaching ----------------------------------------------------------------------------
def coaching_frame(gen: Generator, schools: pd.DataFrame, ro: _Roster) -> pd.DataFrame:
    rng = gen.rng
    target = gen.scale.coaching
    pool = np.flatnonzero((ro.coach | ro.mentor) & (ro.role != 7))
    m = int(target * 1.05) + 10
    coach = rng.choice(pool, size=m)
    per = np.bincount(ro.school, minlength=len(schools))
    start = np.concatenate([[0], np.cumsum(per)[:-1]])
    cs = ro.school[coach]
    same = start[cs] + np.floor(rng.random(m) * per[cs]).astype(np.int64)
    anywhere = rng.integers(0, ro.n, size=m)
    coachee = np.where(rng.random(m) < 0.55, same, anywhere)
    slot = np.minimum(rng.geometric(0.35, size=m) - 1, PROFILE - 1)
    skill = ro.profile[coach, slot]
    both = ro.coach[coach] & ro.mentor[coach]
    mode = np.where(both, (rng.random(m) < 0.3).astype(int), np.where(ro.coach[coach], 0, 1))
    start_off = rng.integers(30, WINDOW_DAYS + 1, size=m)
    end_off = start_off - rng.integers(42, 240, size=m)
    ongoing = end_off < 0
    ok = coachee != coach
    key = np.stack([coach, coachee, skill.astype(np.int64), mode.astype(np.int64), start_off])[
        :, ok
    ]
    idx = np.flatnonzero(ok)
    _, first = np.unique(key, axis=1, return_index=True)
    keep = np.sort(idx[first])[:target]
    coach, coachee, skill, mode, start_off, end_off, ongoing, slot = (
        a[keep] for a in (coach, coachee, skill, mode, start_off, end_off, ongoing, slot)
    )
    m = len(keep)
    outcome = np.clip(np.rint(ro.ability[coach, slot] + rng.normal(0, 0.7, m)), 1, 4)
    has_outcome = ~ongoing & (rng.random(m) < 0.85)
    fb_kind = rng.choice(3, size=m, p=[0.5, 0.2, 0.3])  # number / text / blank
    fb_num = np.clip(np.rint(outcome + rng.normal(0, 0.6, m)), 1, 4).astype(np.int64)
    fb_cats = ["1", "2", "3", "4", *FEEDBACK_TEXT]
    fb = np.where(
        fb_kind == 0,
        fb_num - 1,
        np.where(fb_kind == 1, 4 + rng.integers(0, len(FEEDBACK_TEXT), m), -1),
    )
    fb = np.where(ongoing, -1, fb)
    hours = np.where(rng.random(m) < 0.4, -1, rng.integers(0, 4, m))
    refs = np.array([f"S{i:07d}" for i in range(ro.n)], dtype=object)
    day_cats = _days(WINDOW_DAYS)
    order = np.lexsort((coach, start_off))[::-1]  # oldest first
    cols = {
        "coach_ref": _cat(coach, refs),
        "coachee_ref": _cat(coachee, refs),
        "skill": _cat(skill, [s.name for s in gen.skills]),
        "mode": _cat(mode, ["coaching", "mentoring"]),
        "start_date": _cat(start_off, day_cats),
        "end_date": _cat(np.where(ongoing, -1, np.maximum(end_off, 0)), day_cats),
        "outcome_strength": _cat(
            np.where(has_outcome, outcome.astype(np.int64) - 1, -1), ["1", "2", "3", "4"]
        ),
        "coachee_feedback": _cat(fb, fb_cats),
        "hours": _cat(hours, ["3", "6", "9", "12"]),
    }
    return pd.DataFrame(cols).iloc[order].reset_index(drop=True)


# -- needs ----------------------------------------------------------------------------------
def needs_frame(gen: Generator, ro: _Roster) -> pd.DataFrame:
    rng = gen.rng
    target_open = gen.scale.open_needs
    pool = np.flatnonzero((ro.leaver_gap == 0) & (ro.role != 7))
    m = int(target_open / 0.72 * 1.08) + 20
    staff = rng.choice(pool, size=m)
    weakest = np.argmin(ro.ability[staff], axis=1)
    slot = np.where(rng.random(m) < 0.5, weakest, rng.integers(0, PROFILE, m))
    skill = np.where(
        rng.random(m) < 0.8, ro.profile[staff, slot], rng.integers(0, len(gen.skills), m)
    )
    _, first = np.unique(np.stack([staff, skill]), axis=1, return_index=True)
    keep = np.sort(first)
    staff, skill = staff[keep], skill[keep]
    m = len(keep)
    status = rng.choice(4, size=m, p=[0.72, 0.12, 0.12, 0.04])
    # Top up (or trim) the open ones to the target exactly.
    open_idx = np.flatnonzero(status == 0)
    if len(open_idx) > target_open:
        status[open_idx[target_open:]] = 2
    elif len(open_idx) < target_open:
        other = np.flatnonzero(status != 0)
        status[other[: target_open - len(open_idx)]] = 0
    raised = np.where(
        status == 0, rng.integers(1, 240, size=m), rng.integers(60, WINDOW_DAYS, size=m)
    )
    order = np.argsort(-raised, kind="stable")
    staff, skill, status, raised = staff[order], skill[order], status[order], raised[order]
    refs = np.array([f"S{i:07d}" for i in range(ro.n)], dtype=object)
    ids = np.array([f"N{i:07d}" for i in range(1, m + 1)], dtype=object)
    hours = np.where(rng.random(m) < 0.6, -1, rng.integers(0, 3, m))
    return pd.DataFrame(
        {
            "need_id": _cat(np.arange(m), ids),
            "staff_ref": _cat(staff, refs),
            "skill": _cat(skill, [s.name for s in gen.skills]),
            "priority": _cat(rng.choice(3, size=m, p=[0.3, 0.5, 0.2]), ["high", "medium", "low"]),
            "wanted_role": _cat(
                rng.choice(3, size=m, p=[0.4, 0.2, 0.4]), ["coach", "mentor", "either"]
            ),
            "raised_on": _cat(raised, _days(WINDOW_DAYS)),
            "status": _cat(status, ["open", "matched", "closed", "withdrawn"]),
            "hours": _cat(hours, ["6", "9", "12"]),
        }
    )
