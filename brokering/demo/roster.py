"""The demo's staff roster: who works where, in which role, with which skills and traits,
shaped so each school has its own story."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from brokering.demo.cast import (
    DEPTS,
    EARLY,
    FOUNDATION,
    INCLUSION,
    LEADERS,
    LEADERSHIP,
    NURSERY,
    PAIR_SCHOOLS,
    PEDAGOGY,
    ROLE_MIX,
    ROLES,
    SCHOOLS,
    SIGNATURE_SKILLS,
    STAR_ROLES,
    SUBJECTS,
    TA_EXTRA,
    WEAK_SKILLS,
    WINDOW_DAYS,
)


@dataclass(eq=False)
class _Staff:
    """One pseudonymous member of staff plus the hidden traits their evidence is drawn from."""

    school: str
    role: str
    team: str  # primary key stage or secondary department: fixes phases, subjects, manager
    phases: list[str]
    subjects: list[str]
    ref: str = ""
    boss: _Staff | None = None
    ability: dict[str, float] = field(default_factory=dict)  # true practice, 1..4
    drift: dict[str, float] = field(default_factory=dict)  # strength gained per year back
    stars: list[str] = field(default_factory=list)
    faded: list[str] = field(default_factory=list)  # strong years ago, weaker lately
    story: str = ""  # "top:<skill>" or "coach:<skill>"
    consent: bool = True
    consent_date: date | None = None
    coach_trained: bool = False
    mentor_trained: bool = False
    capacity: int = 0
    coaching_skill: float = 2.6  # apart from practice: the best performer is not the best coach
    left_on: date | None = None
    ongoing: float = 0.0  # hours a term taken by ongoing relationships


def _yn(flag: bool) -> str:
    return "yes" if flag else "no"


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _age(iso_day: str, as_of: date) -> int:
    return (as_of - date.fromisoformat(iso_day)).days


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _eligible(s: _Staff, skill: str) -> bool:
    """Whether a skill plausibly belongs to this person's job, so the story stays believable."""
    if s.role == "support staff":
        return skill in ("Safeguarding", "Pastoral care")
    if skill in SUBJECTS:
        return skill in s.subjects
    if skill in EARLY:
        return bool({"EYFS", "KS1"} & set(s.phases))
    if skill in LEADERSHIP:
        return s.role in LEADERS
    return s.role != "teaching assistant" or skill in INCLUSION or skill in TA_EXTRA


def _new_staff(rng: random.Random, school: list[str], role: str, i: int) -> _Staff:
    """Place one person: team, key stages and the subjects (skill names) they teach."""
    sid, phase, stages = school[0], school[2], school[6].split()
    primary = [k for k in ("EYFS", "KS1", "KS2") if k in stages]
    teams = stages if phase == "special" else primary + (list(DEPTS) if "KS3" in stages else [])
    if role == "support staff":
        return _Staff(sid, role, "", [], [])
    if role == "teaching assistant":
        team = rng.choice(primary or ["KS3"])
        phonics = team in ("EYFS", "KS1") and rng.random() < 0.5
        return _Staff(sid, role, team, [team] if primary else ["KS3", "KS4"], EARLY[1:2] * phonics)
    if role == "middle leader":
        team = teams[i % len(teams)]
    elif role in LEADERS[:2] or phase == "special":
        team = rng.choice(teams)
    elif phase == "primary" or (phase == "all-through" and rng.random() < 0.4):
        team = rng.choices(["EYFS", "KS1", "KS2"], [35 if sid == NURSERY else 20, 30, 50])[0]
    else:
        team = rng.choices(list(DEPTS), [w for _, w in DEPTS.values()])[0]
    if role in LEADERS[:2]:
        phases = stages
    elif team in DEPTS:
        phases = ["KS3", "KS4"] + ["KS5"] * ("KS5" in stages and rng.random() < 0.5)
    else:
        phases = stages[stages.index(team) : stages.index(team) + (2 if phase == "special" else 1)]
    extra = [rng.choice(FOUNDATION)] * (rng.random() < 0.4)
    if team in DEPTS:
        subjects = list(rng.choice(DEPTS[team][0]))
    elif phase == "special":
        subjects = ["English", "Mathematics", *extra]
    elif team == "EYFS":
        subjects = list(EARLY)
    elif team == "KS1":
        subjects = ["Mathematics", "English", "Early reading and phonics", "Science"]
    else:
        subjects = ["Mathematics", "English", "Science", *extra]
    return _Staff(sid, role, team, phases, list(dict.fromkeys(subjects)))


def _skill_set(rng: random.Random, s: _Staff) -> list[str]:
    """The skills someone has any evidence in: subjects, some pedagogy, role-specific ones."""
    if s.role == "support staff":
        return [rng.choice(["Safeguarding", "Pastoral care"])] * (rng.random() < 0.4)
    if s.role == "teaching assistant":
        skills = rng.sample(INCLUSION, rng.randint(1, 2)) + s.subjects
        return skills + ["Behaviour and routines"] * (rng.random() < 0.4)
    skills = s.subjects[:3] + rng.sample(PEDAGOGY, rng.randint(2, 3))
    if {"EYFS", "KS1", "KS2"} & set(s.phases):
        skills.append(rng.choice(["Writing", "Reading fluency", "Oracy"]))
    if rng.random() < 0.25:
        skills.append(rng.choice(INCLUSION))
    if s.role == "middle leader":
        skills += ["Subject leadership", rng.choice(["Curriculum design", "Mentoring"])]
    elif s.role in LEADERS:
        skills += rng.sample(LEADERSHIP, 2) + ["Safeguarding"] * (s.role != "SLE")
    return list(dict.fromkeys(skills))


def _traits(rng: random.Random, s: _Staff) -> None:
    """Hidden abilities (with recency drift), training, capacity and consent for one person."""
    bonus = {"SLE": 0.3, "senior leader": 0.15, "headteacher": 0.15}.get(s.role, 0.0)
    bonus -= {"early career teacher": 0.5, "teaching assistant": 0.2}.get(s.role, 0.0)
    for k in _skill_set(rng, s):
        s.ability[k], s.drift[k] = _clamp(rng.gauss(2.55, 0.45) + bonus, 1.2, 3.4), 0.0
        r = rng.random()
        if r < 0.10:  # improving: older evidence is weaker
            s.drift[k] = -0.5
        elif r < 0.16 and s.ability[k] >= 2.6:  # faded: strong once, weaker lately
            s.ability[k], s.drift[k] = s.ability[k] - 0.5, 0.7
    p_coach, p_mentor = {
        "headteacher": (0.3, 0.4),
        "senior leader": (0.5, 0.55),
        "SLE": (0.9, 0.8),
        "middle leader": (0.35, 0.5),
        "teacher": (0.15, 0.25),
        "teaching assistant": (0.03, 0.05),
    }.get(s.role, (0.0, 0.0))
    s.coach_trained, s.mentor_trained = rng.random() < p_coach, rng.random() < p_mentor
    if s.coach_trained or s.mentor_trained:
        s.capacity = rng.choice([12, 18] if s.role == "SLE" else [6, 6, 12, 12, 18])
    elif s.role == "teacher" and rng.random() < 0.1:
        s.capacity = 6
    s.coaching_skill = _clamp(rng.gauss(2.7, 0.6) + 0.3 * s.coach_trained, 1.0, 4.0)
    s.consent = rng.random() < 0.8


def _shape_school(rng: random.Random, staff: list[_Staff], sid: str) -> None:
    """Signature skills get stars (strong, recent) and one faded expert; weak skills get low."""
    mine = [s for s in staff if s.school == sid]
    for skill in SIGNATURE_SKILLS[sid]:
        elig = [s for s in mine if _eligible(s, skill) and s.role in STAR_ROLES]
        for s in elig:
            if skill not in s.ability and rng.random() < 0.5:
                s.ability[skill], s.drift[skill] = _clamp(rng.gauss(2.6, 0.4), 1.5, 3.4), 0.0
            if skill in s.ability:
                s.ability[skill] = min(3.45, s.ability[skill] + 0.25)
        fresh = [s for s in elig if not s.stars]
        fresh = fresh if len(fresh) >= 9 else elig  # small pools (leaders) may hold two stars
        for s in rng.sample(fresh, min(7, len(fresh) - 1)):
            s.ability[skill], s.drift[skill] = 3.95, 0.0
            s.stars.append(skill)
        faded = rng.choice([s for s in elig if skill not in s.stars])
        faded.ability[skill], faded.drift[skill] = 1.8, 1.0
        faded.faded.append(skill)
    for skill in WEAK_SKILLS[sid]:
        for s in mine:
            if _eligible(s, skill) and (skill in s.ability or rng.random() < 0.5):
                s.ability[skill], s.drift[skill] = _clamp(rng.gauss(1.8, 0.3), 1.0, 2.4), 0.0


def _build_roster(seed: int, as_of: date) -> list[_Staff]:
    """Schools, hierarchy, hidden traits and the story's people; sorted by opaque ref."""
    rng = random.Random(f"{seed}:roster")
    staff: list[_Staff] = []
    for school in SCHOOLS:
        counts = list(ROLE_MIX[school[2]])
        counts[4] += int(school[7])
        mine = [
            _new_staff(rng, school, r, i)
            for r, n in zip(ROLES, counts, strict=True)
            for i in range(n)
        ]
        head = mine[0]
        seniors = [s for s in mine if s.role == "senior leader"]
        middles = [s for s in mine if s.role == "middle leader"]
        for s in mine[1:]:  # head -> senior leaders -> middle leaders -> everyone else
            if s.role == "senior leader":
                s.boss = head
            elif s.role in ("SLE", "middle leader", "support staff"):
                s.boss = rng.choice(seniors)
            else:
                s.boss = rng.choice([m for m in middles if m.team == s.team] or middles)
        staff += mine
    order = list(range(len(staff)))
    rng.shuffle(order)  # refs carry no hint of school or role
    for n, idx in enumerate(order, start=1):
        staff[idx].ref = f"S{n:05d}"
    staff.sort(key=lambda s: s.ref)
    for s in staff:
        _traits(rng, s)
    for school in SCHOOLS:
        _shape_school(rng, staff, school[0])
    for skill, (top_sid, coach_sid) in PAIR_SCHOOLS.items():
        top = next(s for s in staff if s.school == top_sid and skill in s.stars and not s.story)
        coach = rng.choice(
            [
                s
                for s in staff
                if s.school == coach_sid
                and _eligible(s, skill)
                and s.role in ("teacher", "middle leader", "SLE")
                and not (s.stars or s.faded or s.story)
            ]
        )
        top.story, coach.story = f"top:{skill}", f"coach:{skill}"
        top.consent, top.coach_trained, top.mentor_trained = True, skill == "Mathematics", False
        top.capacity, top.coaching_skill = 6 * (skill == "Mathematics"), 1.8
        coach.ability[skill], coach.drift[skill] = 3.1, 0.0
        coach.consent = coach.coach_trained = True
        coach.capacity, coach.coaching_skill = 18, 3.9  # room for new coachees
    # teachers, ECTs and TAs manage nobody, so their leaving orphans no one
    movable = [s for s in staff if s.role in ROLES[4:7] and not (s.story or s.faded)]
    leavers = rng.sample([s for s in movable if s.stars], 3)
    leavers += rng.sample([s for s in movable if not s.stars], 5)
    dates = random.Random(f"{seed}:dates")  # own stream: as_of never changes who is who
    for s in staff:
        back, has_date = dates.randint(1, WINDOW_DAYS), dates.random() < 0.5 + 0.35 * s.consent
        s.consent_date = as_of - timedelta(days=back) if has_date else None
    ends = [
        date(y, m, d)  # people leave at term ends
        for y in range(as_of.year - 2, as_of.year + 1)
        for m, d in ((4, 30), (8, 31), (12, 31))
        if 21 <= (as_of - date(y, m, d)).days <= 700
    ]
    for s in leavers:
        s.left_on, s.capacity = dates.choice(ends), 0
    return staff
