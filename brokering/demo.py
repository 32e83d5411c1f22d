"""Deterministic demo alliance: ten fictional schools around the fictional town of Marlowick.

Why: pages, the command line, docs and benchmarks need an alliance whose data tells a story
worth exploring (complementary strengths, a strong coach who is not the top performer, consent
gaps, leavers, evidence that fades). One seed and one "as of" date give byte-identical CSVs in
the import templates' format, so screenshots and tests are reproducible. Standard library only,
so it runs wherever the importer runs. People are pseudonymous refs; no names exist anywhere.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

DEMO_AS_OF: date = date(2026, 11, 20)
DEMO_SEED: int = 20261124
WINDOW_DAYS = 1090  # all dates fall inside the three years before as_of, weekend shifts included
RECENT_DAYS = 540  # "recent" in the story: the last 18 months


def _split(text: str, sep: str = ";") -> list[str]:
    return [part.strip() for part in text.strip().split(sep)]


HEADERS: dict[str, list[str]] = {
    "schools": _split("school_id,name,phase,is_hub,postcode,latitude,longitude", ","),
    "staff": _split(
        "staff_ref,school_id,role,phases,subjects,line_manager_ref,share_consent,"
        "coach_trained,mentor_trained,capacity_hours,consent_date,left_on",
        ",",
    ),
    "evidence": _split("staff_ref,skill,evidence_type,strength,date,recorded_by,note,phase", ","),
    "coaching": _split(
        "coach_ref,coachee_ref,skill,mode,start_date,end_date,outcome_strength,"
        "coachee_feedback,hours",
        ",",
    ),
    "needs": _split("need_id,staff_ref,skill,priority,wanted_role,raised_on,status,hours", ","),
}

# id | name | phase (sets role mix) | postcode | lat | lng | key stages | extra teachers
_SCHOOL_TABLE = """
SCH01|Marlowick Academy|secondary|MW1 4DX|52.6631|-1.2417|KS3 KS4 KS5|8
SCH02|Brookfield Primary and Nursery|primary|MW2 7HN|52.6712|-1.2583|EYFS KS1 KS2|6
SCH03|St Aldhelm's CE Primary|primary|MW1 3QS|52.6548|-1.2296|EYFS KS1 KS2|1
SCH04|Holloway Lane Primary|primary|MW3 9BT|52.6427|-1.2751|EYFS KS1 KS2|-3
SCH05|Kestrel Fields Primary|primary|MW4 2LR|52.7184|-1.1632|EYFS KS1 KS2|3
SCH06|Fernmoor Primary|primary|MW6 5JE|52.5873|-1.3818|EYFS KS1 KS2|-5
SCH07|Riverside High School|secondary|MW2 8PA|52.6794|-1.2205|KS3 KS4|-6
SCH08|Castlegate School and Sixth Form|secondary|MW5 1GU|52.7412|-1.0937|KS3 KS4 KS5|4
SCH09|Oakwood Special School|special|MW3 6WZ|52.6305|-1.3104|KS1 KS2 KS3 KS4 KS5|0
SCH10|Marlowick Park All-Through School|all-through|MW7 3NF|52.5612|-1.4526|EYFS KS1 KS2 KS3 KS4|0
"""
SCHOOLS: list[list[str]] = [_split(line, "|") for line in _SCHOOL_TABLE.strip().splitlines()]
HUB = "SCH01"
NURSERY = "SCH02"  # its nursery class means more early-years staff

ROLES = _split(
    "headteacher;senior leader;SLE;middle leader;teacher;early career teacher;"
    "teaching assistant;support staff"
)
ROLE_MIX: dict[str, tuple[int, ...]] = {  # counts in ROLES order
    "secondary": (1, 6, 2, 14, 48, 6, 10, 13),
    "primary": (1, 2, 1, 4, 15, 2, 12, 4),
    "special": (1, 3, 1, 3, 10, 1, 17, 4),
    "all-through": (1, 5, 2, 11, 34, 4, 14, 9),
}
LEADERS = ROLES[:4]
STAR_ROLES = (*LEADERS, "teacher", "teaching assistant")  # ECTs are still learning
DEPTS: dict[str, tuple[list[tuple[str, ...]], int]] = {  # department: subject sets, weight
    "English": ([("English",)], 15),
    "Mathematics": ([("Mathematics",)], 15),
    "Science": ([("Science", "Biology"), ("Science", "Chemistry"), ("Science", "Physics")], 15),
    "Humanities": ([("History",), ("Geography",), ("Religious education",)], 12),
    "Languages": ([("French",), ("Spanish",), ("French", "Spanish")], 6),
    "Arts": ([("Art and design",), ("Music",), ("Drama",)], 8),
    "Technology": ([("Design and technology",), ("Computing",)], 7),
    "Physical education": ([("Physical education",)], 6),
}
SUBJECTS = {s for options, _ in DEPTS.values() for t in options for s in t}
FOUNDATION = _split(
    "History;Geography;Art and design;Music;Computing;Physical education;French;"
    "Religious education;Design and technology"
)
EARLY = _split(
    "Communication and language;Early reading and phonics;Mathematics in the early years"
)
PEDAGOGY = _split(
    "Questioning;Feedback;Retrieval practice;Modelling and explanation;Adaptive teaching;"
    "Formative assessment;Metacognition;Scaffolding;Behaviour and routines;Oracy"
)
INCLUSION = _split(
    "Adaptive teaching for SEND;Autism support;Speech, language and communication needs;"
    "English as an additional language"
)
LEADERSHIP = _split(
    "Subject leadership;Curriculum design;Mentoring;Instructional coaching;Coaching culture;"
    "Whole-school assessment system"
)
TA_EXTRA = {"Behaviour and routines", "Pastoral care", "Reading fluency", "Oracy"}

# The story: each school is strong where another is weak, so brokering has something to do.
SIGNATURE_SKILLS: dict[str, list[str]] = {
    "SCH01": ["Instructional coaching", "Retrieval practice"],
    "SCH02": ["Early reading and phonics", "Communication and language"],
    "SCH03": ["Mathematics", "Modelling and explanation"],
    "SCH04": ["English as an additional language", "Oracy"],
    "SCH05": ["Writing", "Reading fluency"],
    "SCH06": ["Science", "Metacognition"],
    "SCH07": ["Behaviour and routines", "Pastoral care"],
    "SCH08": ["Formative assessment", "Feedback"],
    "SCH09": _split(
        "Autism support;Adaptive teaching for SEND;Speech, language and communication needs"
    ),
    "SCH10": ["Curriculum design", "Whole-school assessment system", "Subject leadership"],
}
WEAK_SKILLS: dict[str, list[str]] = {
    "SCH01": ["English as an additional language"],
    "SCH02": ["Mathematics"],
    "SCH03": ["Early reading and phonics"],
    "SCH04": ["Behaviour and routines"],
    "SCH05": ["Science"],
    "SCH06": ["Writing", "Adaptive teaching for SEND"],
    "SCH07": ["Retrieval practice", "Curriculum design"],
    "SCH08": ["Behaviour and routines", "Autism support"],
    "SCH09": ["Whole-school assessment system"],
    "SCH10": ["Early reading and phonics", "Autism support"],
}
# skill -> (school of the top performer, school of the better coach who is not the top performer)
PAIR_SCHOOLS: dict[str, tuple[str, str]] = {
    "Behaviour and routines": ("SCH07", "SCH07"),
    "Early reading and phonics": ("SCH02", "SCH05"),
    "Mathematics": ("SCH03", "SCH03"),
    "Adaptive teaching for SEND": ("SCH09", "SCH09"),
}
# How people really type some skills; the importer resolves these through the taxonomy aliases.
ALIASES: dict[str, str] = {
    "maths": "Mathematics",
    "phonics": "Early reading and phonics",
    "behaviour management": "Behaviour and routines",
    "SEND": "Adaptive teaching for SEND",
    "EAL": "English as an additional language",
    "retrieval": "Retrieval practice",
}
_ALIAS_OF = {skill: alias for alias, skill in ALIASES.items()}

EV_TYPES = _split(
    "observation;outcomes;peer-endorsement;accreditation;coaching-feedback;self-assessment"
)
EV_WEIGHTS = [30, 17, 12, 4, 7, 30]  # self-assessment is common but weak; observation the backbone
NOTES: dict[str, list[str]] = {
    "observation": _split(
        "Lesson drop-in;Full lesson observation;Learning walk;"
        "Joint observation with a partner school;Planning, teaching and follow-up seen"
    ),
    "outcomes": _split(
        "Pupil progress above school average;Book look;End-of-unit assessment;"
        "Phonics screening check results;Attendance and behaviour data"
    ),
    "peer-endorsement": ["Recommended after team teaching", "Colleagues ask for their resources"],
    "accreditation": ["National professional qualification", "Accredited specialist course"],
    "coaching-feedback": ["End-of-cycle coaching summary", "Coach's review, targets met"],
    "self-assessment": ["Annual self-review", "Appraisal self-review"],
}
FEEDBACK = {
    4: ["Really practical, I use it every lesson", "Changed how I plan", "Clear modelling"],
    3: ["Useful joint observations", "Good ideas, still embedding them"],
    2: ["Hard to fit into the timetable", "Some sessions cancelled"],
    1: ["Did not fit my context"],
}


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


def _day(as_of: date, back: int) -> date:
    """A school day `back` days before as_of (a weekend moves to the Friday before)."""
    d = as_of - timedelta(days=back)
    return d - timedelta(days=max(0, d.weekday() - 4))


def _recorder(rng: random.Random, s: _Staff, etype: str, pools: dict[str, list[str]]) -> str:
    """Who recorded the evidence: a staff ref or a role label, never a name."""
    r, sles = rng.random(), pools["sle:" + s.school]
    if etype == "self-assessment":
        return s.ref
    if etype == "accreditation":
        return "external"
    if etype == "peer-endorsement":
        return rng.choice([ref for ref in pools[s.school] if ref != s.ref])
    if etype == "coaching-feedback":
        return rng.choice(sles) if r < 0.6 else "external"
    if etype == "observation":
        if r < 0.5 and s.boss:
            return s.boss.ref
        return "SLT" if r < 0.7 else "HoD" if r < 0.85 else rng.choice(sles)
    return s.boss.ref if r < 0.3 and s.boss else "HoD" if r < 0.6 else "SLT"


class _Evidence:
    """Collects evidence rows, refusing a second row with the same natural key."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.keys: set[tuple[str, str, str, str, str]] = set()

    def add(
        self,
        s: _Staff,
        skill: str,
        etype: str,
        strength: int,
        day: date,
        by: str,
        note: str = "",
        phase: str = "",
        written: str = "",
    ) -> None:
        key = (s.ref, skill, etype, day.isoformat(), by)
        if key not in self.keys:
            self.keys.add(key)
            row = [s.ref, written or skill, etype, str(strength), day.isoformat(), by, note, phase]
            self.rows.append(row)


def _plan(rng: random.Random, s: _Staff, skill: str, lo: int, hi: int) -> list[tuple]:
    """(days back, evidence type, fixed strength or None) for one person's skill."""
    obs, out, peer = "observation", "outcomes", "peer-endorsement"
    if s.story == f"top:{skill}":  # eight 4s spread over three years: the strongest record
        kinds = [obs, out, obs, peer, obs, out, obs, out]
        return [
            (rng.randint(lo + 5 + 120 * i, lo + 120 * (i + 1)), t, 4) for i, t in enumerate(kinds)
        ]
    if s.story == f"coach:{skill}":  # good, not top: mostly 3s
        kinds = [(obs, 3), (out, 3), (obs, 4), (peer, 3), (obs, 3), (out, 3)]
        return [
            (rng.randint(lo + 5 + 150 * i, lo + 150 * (i + 1)), t, v)
            for i, (t, v) in enumerate(kinds)
        ]
    plan: list[tuple] = []
    if skill in s.faded:
        plan = [(rng.randint(20, 300), obs, 2), (rng.randint(20, 300), obs, None)]
        plan += [(rng.randint(700, hi), t, 4) for t in (obs, out)]
    elif skill in s.stars:
        plan = [(rng.randint(lo, min(hi, max(lo + 30, RECENT_DAYS))), t, 4) for t in (obs, out)]
    n = rng.choice([1, 1, 2, 2, 3] if s.role == "teaching assistant" else [1, 2, 3, 3, 4, 4])
    return plan + [
        (rng.randint(lo, hi), rng.choices(EV_TYPES, EV_WEIGHTS)[0], None) for _ in range(n)
    ]


def _make_evidence(staff: list[_Staff], as_of: date, seed: int) -> _Evidence:
    """Evidence drawn from hidden ability: noisy, drifting with age, capped to 1..4."""
    rng = random.Random(f"{seed}:evidence")
    active = [s for s in staff if not s.left_on and s.role != "support staff"]
    pools: dict[str, list[str]] = {}
    for school in SCHOOLS:
        sid = school[0]
        pools[sid] = [s.ref for s in active if s.school == sid]
        pools["sle:" + sid] = [s.ref for s in active if s.role == "SLE" and s.school != sid]
    ev = _Evidence()
    for s in staff:
        lo = (as_of - s.left_on).days + 1 if s.left_on else 0
        hi = lo + 430 if s.role == "early career teacher" else WINDOW_DAYS - 3
        for skill, ab in s.ability.items():
            for back, etype, strength in _plan(rng, s, skill, lo, hi):
                if strength is None:
                    self_rated = etype == "self-assessment"
                    noise = rng.gauss(0.3, 0.7) if self_rated else rng.gauss(0, 0.45)
                    strength = int(_clamp(ab + s.drift[skill] * back / 365 + noise + 0.5, 1, 4))
                    strength = max(strength, 3) if etype == "accreditation" else strength
                alias = _ALIAS_OF.get(skill, "") if not s.story and rng.random() < 0.08 else ""
                note = rng.choice(NOTES[etype]) if rng.random() < 0.65 else ""
                phase = rng.choice(s.phases) if s.phases and rng.random() < 0.55 else ""
                by = _recorder(rng, s, etype, pools)
                ev.add(s, skill, etype, strength, _day(as_of, back), by, note, phase, alias)
    return ev


def _make_coaching(staff: list[_Staff], as_of: date, seed: int, ev: _Evidence) -> list[list]:
    """Coaching and mentoring records; finished coaching leaves before/after evidence."""
    rng = random.Random(f"{seed}:coaching")
    earliest = as_of - timedelta(days=WINDOW_DAYS)
    records: list[list] = []
    seen: set[tuple[str, str, str, date]] = set()

    def add(
        coach: _Staff,
        learner: _Staff,
        skill: str,
        mode: str,
        back: int,
        outcome: int | None = None,
        feedback: str | None = None,
    ) -> None:
        if coach is learner or (mode == "mentoring" and learner.boss is coach):
            return  # a line manager is never the mentor
        length = rng.choice([42, 56, 70, 84, 98] if mode == "coaching" else [120, 180, 240])
        hours = rng.choice(["6", "6", "9", "12", "6.5"] if mode == "coaching" else ["12", "18"])
        start = _day(as_of, back)
        latest = min(d for d in (as_of, coach.left_on, learner.left_on) if d)
        can_run = latest == as_of and coach.ongoing + float(hours) <= coach.capacity and back >= 7
        end: date | None = start + timedelta(days=length)
        if end > latest and can_run:  # still running: it uses the coach's capacity
            end, coach.ongoing = None, coach.ongoing + float(hours)
        elif end > latest:  # leavers and full diaries: finished before now / before leaving
            end = _day(latest, rng.randint(1, 30))
            start = _day(end, length)
        if start < earliest or (coach.ref, learner.ref, skill, start) in seen:
            return
        seen.add((coach.ref, learner.ref, skill, start))
        if end is None:
            outcome = None
        elif outcome is None and rng.random() > 0.06:  # a few finished with nothing evidenced
            outcome = int(_clamp(rng.gauss(coach.coaching_skill, 0.6) + 0.5, 1, 4))
        if feedback is None:
            r, band = rng.random(), outcome or rng.randint(2, 4)
            if r < 0.4 and end is not None:
                feedback = str(int(_clamp(band + rng.choice([-1, 0, 0, 1]), 1, 4)))
            else:
                feedback = rng.choice(FEEDBACK[band]) if r < 0.75 else ""
        span = [start.isoformat(), end.isoformat() if end else "", str(outcome or "")]
        records.append([coach.ref, learner.ref, skill, mode, *span, feedback, hours])
        if mode == "coaching" and outcome and end:  # transfer is shown by before/after evidence
            before = start - timedelta(days=rng.randint(1, 10))
            if before >= earliest:
                base = rng.choice([1, 2, 2])
                ev.add(learner, skill, "observation", base, _day(before, 0), coach.ref, "Baseline")
            ev.add(learner, skill, "coaching-feedback", outcome, _day(end, 0), coach.ref)

    def learners(skill: str, school: str | None, coach: _Staff) -> list[_Staff]:
        return [
            s
            for s in staff
            if s is not coach
            and _eligible(s, skill)
            and school in (None, s.school)
            and not (s.story or s.faded or s.role == "support staff")
        ]

    for s in staff:  # the story's coaches: a strong, cross-school record in their skill
        if s.story.startswith("coach:"):
            skill = s.story[6:]
            needy = [sid for sid, weak in WEAK_SKILLS.items() if skill in weak and sid != s.school]
            pool = [c for sid in needy for c in learners(skill, sid, s)] or learners(skill, None, s)
            for i, c in enumerate(rng.sample(pool, min(5, len(pool)))):
                add(s, c, skill, "coaching", 200 + 170 * i, 4, rng.choice(["4", *FEEDBACK[4]]))
            add(s, rng.choice([c for c in pool if not c.left_on]), skill, "coaching", 30)
        elif s.story == "top:Mathematics":  # the top performer tried once; it did not land
            pupil = rng.choice(learners("Mathematics", "SCH02", s))
            add(s, pupil, "Mathematics", "coaching", 400, 2, "Hard to follow the steps")
    trained = [s for s in staff if (s.coach_trained or s.mentor_trained) and not s.story]
    needy_pairs = [(sid, skill) for sid, weak in WEAK_SKILLS.items() for skill in weak]
    target, tries = len(records) + 175, 0
    while len(records) < target and tries < 5000:
        tries += 1
        if rng.random() < 0.55:  # a weak school borrows from a strong one
            sid, skill = rng.choice(needy_pairs)
            donors = [c for c in trained if c.school != sid and c.ability.get(skill, 0) >= 3.0]
            if not donors:
                continue
            coach = rng.choice(donors)
        else:  # someone shares what they do well, often in their own school
            coach = rng.choice(trained)
            skills = [k for k, v in coach.ability.items() if v >= 2.9]
            if not skills:
                continue
            skill = rng.choice(skills)
            sid = rng.choice([x[0] for x in SCHOOLS if x[0] != coach.school] + [coach.school] * 6)
        mode = "mentoring" if coach.mentor_trained and rng.random() < 0.3 else "coaching"
        if mode == "coaching" and not coach.coach_trained:
            continue
        if mode == "mentoring" and rng.random() < 0.6:  # most mentoring happens in school
            sid = coach.school
        pool = learners(skill, sid, coach)
        if mode == "mentoring":  # mentors: often a same-team colleague, often for an ECT
            near = [c for c in pool if c.school == coach.school and c.team == coach.team]
            ects = [c for c in pool if c.role == "early career teacher"]
            pool = (near if rng.random() < 0.5 else ects) or pool
        if pool:
            add(coach, rng.choice(pool), skill, mode, rng.randint(10, WINDOW_DAYS - 10))
    records.sort(key=lambda r: (r[4], r[0], r[1], r[2]))
    return records


def _make_needs(staff: list[_Staff], coaching: list[list], as_of: date, seed: int) -> list[list]:
    """Open needs where schools are weak, plus matched, closed and withdrawn ones."""
    rng = random.Random(f"{seed}:needs")
    earliest = as_of - timedelta(days=WINDOW_DAYS)
    by_ref = {s.ref: s for s in staff}
    active = [s for s in staff if not s.left_on and s.role != "support staff"]
    needs: list[tuple[date, str, str, str, str, str, str]] = []
    used: set[tuple[str, str]] = set()

    def add(s: _Staff, skill: str, raised: date, status: str, role: str, prio: str) -> bool:
        if s.left_on or (s.ref, skill) in used:  # never for a leaver; one need per person-skill
            return False
        used.add((s.ref, skill))
        hours = rng.choice(["", "", "", "6", "9", "12"])
        needs.append((max(raised, earliest), s.ref, skill, prio, role, status, hours))
        return True

    done = {"matched": 0, "closed": 0}  # needs behind ongoing and recently finished pairings
    for _, learner, skill, mode, start, end, *_ in coaching:
        wanted = "mentor" if mode == "mentoring" else rng.choice(["coach", "either"])
        raised = date.fromisoformat(start) - timedelta(days=rng.randint(7, 40))
        status = "closed" if end else "matched"
        if done[status] < (9 if end else 16) and (not end or _age(end, as_of) < 400):
            done[status] += add(by_ref[learner], skill, raised, status, wanted, "medium")
    for sid, weak in WEAK_SKILLS.items():
        for skill in weak:
            pool = [s for s in active if s.school == sid and _eligible(s, skill)]
            for s in rng.sample(pool, min(4, len(pool))):
                ect = s.role == "early career teacher"
                role = rng.choice(["mentor"] if ect else ["coach", "coach", "either", "mentor"])
                prio = rng.choices(["high", "medium", "low"], [4, 4, 2])[0]
                add(s, skill, _day(as_of, rng.randint(1, 150)), "open", role, prio)
    while sum(n[5] == "open" for n in needs) < 62:
        s = rng.choice(active)
        if s.ability:
            skill = min(s.ability, key=lambda k: (s.ability[k], k))
            raised = _day(as_of, rng.randint(1, 200))
            add(s, skill, raised, "open", "either", rng.choice(["medium", "low"]))
    for s in rng.sample(active, 4):
        if s.ability:
            raised = _day(as_of, rng.randint(200, 600))
            add(s, rng.choice(sorted(s.ability)), raised, "withdrawn", "either", "low")
    needs.sort()
    return [
        [f"N{i:04d}", ref, skill, prio, role, raised.isoformat(), status, hours]
        for i, (raised, ref, skill, prio, role, status, hours) in enumerate(needs, start=1)
    ]


def demo_story(seed: int = DEMO_SEED) -> dict:
    """The story the demo data tells, with its people's refs for `seed` (as_of never moves them)."""
    staff = _build_roster(seed, DEMO_AS_OF)
    pairs = {skill: {"top_performer": "", "better_coach": ""} for skill in PAIR_SCHOOLS}
    for s in staff:
        if s.story:
            kind, skill = s.story.split(":", 1)
            pairs[skill]["top_performer" if kind == "top" else "better_coach"] = s.ref
    return {
        "town": "Marlowick",
        "hub": HUB,
        "signature_skills": SIGNATURE_SKILLS,
        "weak_skills": WEAK_SKILLS,
        "coach_pairs": pairs,
        "faded": {skill: s.ref for s in staff for skill in s.faded},
        "stars_without_consent": sorted(s.ref for s in staff if s.stars and not s.consent),
        "strong_leavers": sorted(s.ref for s in staff if s.stars and s.left_on),
        "leavers": sorted(s.ref for s in staff if s.left_on),
    }


STORY: dict = demo_story()


def write_demo_csvs(
    out_dir: Path, as_of: date = DEMO_AS_OF, seed: int = DEMO_SEED
) -> dict[str, int]:
    """Write schools.csv, staff.csv, evidence.csv, coaching.csv, needs.csv into out_dir; return
    row counts per file stem. The same (as_of, seed) always gives byte-identical files."""
    staff = _build_roster(seed, as_of)
    ev = _make_evidence(staff, as_of, seed)
    coaching = _make_coaching(staff, as_of, seed, ev)
    tables: dict[str, list[list]] = {
        "schools": [[*sc[:3], _yn(sc[0] == HUB), *sc[3:6]] for sc in SCHOOLS],
        "staff": [
            [s.ref, s.school, s.role, ";".join(s.phases), ";".join(s.subjects)]
            + [s.boss.ref if s.boss else "", _yn(s.consent), _yn(s.coach_trained)]
            + [_yn(s.mentor_trained), str(s.capacity), _iso(s.consent_date), _iso(s.left_on)]
            for s in staff
        ],
        "evidence": sorted(ev.rows, key=lambda r: (r[0], r[4], r[1], r[2], r[5])),
        "coaching": coaching,
        "needs": _make_needs(staff, coaching, as_of, seed),
    }
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stem, rows in tables.items():
        with open(out_dir / f"{stem}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(HEADERS[stem])
            writer.writerows(rows)
    return {stem: len(rows) for stem, rows in tables.items()}
