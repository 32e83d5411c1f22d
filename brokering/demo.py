"""Deterministic demo alliance: ten fictional schools around the fictional town of Marlowick.

Why: pages, the command line, docs and benchmarks all need an alliance whose data tells a story
worth exploring (complementary strengths, a strong coach who is not the top performer, consent
gaps, leavers, recency). One seed and one "as of" date give byte-identical CSVs in the import
templates' format, so screenshots and tests are reproducible. Standard library only, so the
generator runs anywhere the importer runs. Every person is a pseudonymous ref; no names exist.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

DEMO_AS_OF: date = date(2026, 11, 20)
DEMO_SEED: int = 20261124
WINDOW_DAYS = 1090  # every date stays inside the three years before as_of, weekend shifts included
RECENT_DAYS = 540  # "recent" in the story means the last 18 months

HEADERS: dict[str, list[str]] = {
    "schools": ["school_id", "name", "phase", "is_hub", "postcode", "latitude", "longitude"],
    "staff": ["staff_ref", "school_id", "role", "phases", "subjects", "line_manager_ref",
              "share_consent", "coach_trained", "mentor_trained", "capacity_hours",
              "consent_date", "left_on"],
    "evidence": ["staff_ref", "skill", "evidence_type", "strength", "date", "recorded_by",
                 "note", "phase"],
    "coaching": ["coach_ref", "coachee_ref", "skill", "mode", "start_date", "end_date",
                 "outcome_strength", "coachee_feedback", "hours"],
    "needs": ["need_id", "staff_ref", "skill", "priority", "wanted_role", "raised_on", "status",
              "hours"],
}  # fmt: skip

# id, name, phase, postcode, latitude, longitude, key stages, role mix, extra teachers
SCHOOLS: list[tuple[str, str, str, str, float, float, tuple[str, ...], str, int]] = [
    ("SCH01", "Marlowick Academy", "secondary", "MW1 4DX", 52.6631, -1.2417,
     ("KS3", "KS4", "KS5"), "secondary", 8),
    ("SCH02", "Brookfield Primary and Nursery", "primary", "MW2 7HN", 52.6712, -1.2583,
     ("EYFS", "KS1", "KS2"), "primary", 6),
    ("SCH03", "St Aldhelm's CE Primary", "primary", "MW1 3QS", 52.6548, -1.2296,
     ("EYFS", "KS1", "KS2"), "primary", 1),
    ("SCH04", "Holloway Lane Primary", "primary", "MW3 9BT", 52.6427, -1.2751,
     ("EYFS", "KS1", "KS2"), "primary", -3),
    ("SCH05", "Kestrel Fields Primary", "primary", "MW4 2LR", 52.7184, -1.1632,
     ("EYFS", "KS1", "KS2"), "primary", 3),
    ("SCH06", "Fernmoor Primary", "primary", "MW6 5JE", 52.5873, -1.3818,
     ("EYFS", "KS1", "KS2"), "primary", -5),
    ("SCH07", "Riverside High School", "secondary", "MW2 8PA", 52.6794, -1.2205,
     ("KS3", "KS4"), "secondary", -6),
    ("SCH08", "Castlegate School and Sixth Form", "secondary", "MW5 1GU", 52.7412, -1.0937,
     ("KS3", "KS4", "KS5"), "secondary", 4),
    ("SCH09", "Oakwood Special School", "special", "MW3 6WZ", 52.6305, -1.3104,
     ("KS1", "KS2", "KS3", "KS4", "KS5"), "special", 0),
    ("SCH10", "Marlowick Park All-Through School", "all-through", "MW7 3NF", 52.5612, -1.4526,
     ("EYFS", "KS1", "KS2", "KS3", "KS4"), "all-through", 0),
]  # fmt: skip

ROLES = ("headteacher", "senior leader", "SLE", "middle leader", "teacher",
         "early career teacher", "teaching assistant", "support staff")  # fmt: skip
ROLE_MIX: dict[str, tuple[int, ...]] = {  # counts in ROLES order
    "secondary": (1, 6, 2, 14, 48, 6, 10, 13),
    "primary": (1, 2, 1, 4, 15, 2, 12, 4),
    "special": (1, 3, 1, 3, 10, 1, 17, 4),
    "all-through": (1, 5, 2, 11, 34, 4, 14, 9),
}
LEADERS = ("headteacher", "senior leader", "SLE", "middle leader")
DEPTS: dict[str, tuple[list[tuple[str, ...]], int]] = {
    "English": ([("English",)], 15),
    "Mathematics": ([("Mathematics",)], 15),
    "Science": ([("Science", "Biology"), ("Science", "Chemistry"), ("Science", "Physics")], 15),
    "Humanities": ([("History",), ("Geography",), ("Religious education",)], 12),
    "Languages": ([("French",), ("Spanish",), ("French", "Spanish")], 6),
    "Arts": ([("Art and design",), ("Music",), ("Drama",)], 8),
    "Technology": ([("Design and technology",), ("Computing",)], 7),
    "Physical education": ([("Physical education",)], 6),
}
SUBJECTS = {s for options, _ in DEPTS.values() for t in options for s in t} | {"Science"}
FOUNDATION = ["History", "Geography", "Art and design", "Music", "Computing",
              "Physical education", "French", "Religious education", "Design and technology"]  # fmt: skip
EARLY = [
    "Communication and language",
    "Early reading and phonics",
    "Mathematics in the early years",
]
PEDAGOGY = ["Questioning", "Feedback", "Retrieval practice", "Modelling and explanation",
            "Adaptive teaching", "Formative assessment", "Metacognition", "Scaffolding",
            "Behaviour and routines", "Oracy"]  # fmt: skip
INCLUSION = ["Adaptive teaching for SEND", "Autism support",
             "Speech, language and communication needs", "English as an additional language"]  # fmt: skip
LEADERSHIP = ["Subject leadership", "Curriculum design", "Mentoring", "Instructional coaching",
              "Coaching culture", "Whole-school assessment system"]  # fmt: skip
TA_EXTRA = {"Behaviour and routines", "Pastoral care", "Reading fluency", "Oracy"}

# The story. Each school is strong where another is weak, so brokering has something to do.
SIGNATURE_SKILLS: dict[str, list[str]] = {
    "SCH01": ["Instructional coaching", "Retrieval practice"],
    "SCH02": ["Early reading and phonics", "Communication and language"],
    "SCH03": ["Mathematics", "Modelling and explanation"],
    "SCH04": ["English as an additional language", "Oracy"],
    "SCH05": ["Writing", "Reading fluency"],
    "SCH06": ["Science", "Metacognition"],
    "SCH07": ["Behaviour and routines", "Pastoral care"],
    "SCH08": ["Formative assessment", "Feedback"],
    "SCH09": ["Autism support", "Adaptive teaching for SEND",
              "Speech, language and communication needs"],
    "SCH10": ["Curriculum design", "Whole-school assessment system", "Subject leadership"],
}  # fmt: skip
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
# skill -> (school of its top performer, school of the better coach who is not top performer)
PAIR_SCHOOLS: dict[str, tuple[str, str]] = {
    "Behaviour and routines": ("SCH07", "SCH07"),
    "Early reading and phonics": ("SCH02", "SCH05"),
    "Mathematics": ("SCH03", "SCH03"),
    "Adaptive teaching for SEND": ("SCH09", "SCH09"),
}
# How people really type some skills; the importer resolves these through the taxonomy.
ALIASES: dict[str, str] = {
    "maths": "Mathematics", "phonics": "Early reading and phonics",
    "behaviour management": "Behaviour and routines", "SEND": "Adaptive teaching for SEND",
    "EAL": "English as an additional language", "retrieval": "Retrieval practice",
}  # fmt: skip
_ALIAS_OF = {skill: alias for alias, skill in ALIASES.items()}

EV_TYPES = ["observation", "outcomes", "peer-endorsement", "accreditation",
            "coaching-feedback", "self-assessment"]  # fmt: skip
EV_WEIGHTS = [30, 17, 12, 4, 7, 30]
NOTES: dict[str, list[str]] = {
    "observation": ["Lesson drop-in", "Full lesson observation", "Learning walk",
                    "Joint observation with a partner school", "Planning, teaching and follow-up seen"],
    "outcomes": ["Pupil progress above school average", "Book look", "End-of-unit assessment",
                 "Phonics screening check results", "Attendance and behaviour data"],
    "peer-endorsement": ["Recommended after team teaching", "Colleagues ask for their resources"],
    "accreditation": ["National professional qualification", "Accredited specialist course"],
    "coaching-feedback": ["End-of-cycle coaching summary", "Coach's review, targets met"],
    "self-assessment": ["Annual self-review", "Appraisal self-review"],
}  # fmt: skip
FEEDBACK = {
    4: ["Really practical, I use it every lesson", "Changed how I plan", "Clear modelling"],
    3: ["Useful joint observations", "Good ideas, still embedding them"],
    2: ["Hard to fit into the timetable", "Some sessions cancelled"],
    1: ["Did not fit my context"],
}


@dataclass(eq=False)
class _Staff:
    """One pseudonymous member of staff plus the hidden traits the evidence is drawn from."""

    school: str
    role: str
    team: str
    phases: list[str]
    subjects: list[str]
    ref: str = ""
    boss: _Staff | None = None
    ability: dict[str, float] = field(default_factory=dict)
    drift: dict[str, float] = field(default_factory=dict)  # strength gained per year back
    stars: list[str] = field(default_factory=list)
    story: str = ""  # "top:<skill>" or "coach:<skill>"
    consent: bool = True
    consent_date: date | None = None
    coach_trained: bool = False
    mentor_trained: bool = False
    capacity: int = 0
    coaching_skill: float = 2.6  # separate from practice: the best performer is not the best coach
    left_on: date | None = None
    ongoing: int = 0


def _yn(flag: bool) -> str:
    return "yes" if flag else "no"


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
    if s.role == "teaching assistant":
        return skill in INCLUSION or skill in TA_EXTRA
    return True


def _team(rng: random.Random, phase: str, stages: tuple[str, ...], nursery: bool) -> str:
    """A primary key stage or a secondary department, which fixes phases, subjects and manager."""
    primary = [("EYFS", 35 if nursery else 20), ("KS1", 30), ("KS2", 50)]
    if phase == "special":
        return rng.choice(stages)
    if phase == "primary" or (phase == "all-through" and rng.random() < 0.4):
        return rng.choices([k for k, _ in primary], [w for _, w in primary])[0]
    return rng.choices(list(DEPTS), [w for _, w in DEPTS.values()])[0]


def _subjects(rng: random.Random, team: str, phase: str) -> list[str]:
    if team in DEPTS:
        return list(rng.choice(DEPTS[team][0]))
    extra = [rng.choice(FOUNDATION)] if rng.random() < 0.4 else []
    if phase == "special":
        return ["English", "Mathematics", *extra]
    if team == "EYFS":
        return list(EARLY)
    if team == "KS1":
        return ["Mathematics", "English", "Early reading and phonics", "Science"]
    return ["Mathematics", "English", "Science", *extra]


def _new_staff(rng: random.Random, school: tuple, role: str, i: int) -> _Staff:
    sid, _, phase, _, _, _, stages, _, _ = school
    primary_side = [k for k in ("EYFS", "KS1", "KS2") if k in stages]
    teams = (
        list(stages)
        if phase == "special"
        else primary_side + (list(DEPTS) if "KS3" in stages else [])
    )
    if role == "support staff":
        return _Staff(sid, role, "", [], [])
    if role == "teaching assistant":
        team = rng.choice(primary_side or ["SEND"])
        phases = [team] if primary_side else ["KS3", "KS4"]
        subjects = (
            ["Early reading and phonics"] if team in ("EYFS", "KS1") and rng.random() < 0.5 else []
        )
        return _Staff(sid, role, team, phases, subjects)
    if role == "middle leader":
        team = teams[i % len(teams)]
    elif role in ("headteacher", "senior leader"):
        team = rng.choice(teams)
    else:
        team = _team(rng, phase, stages, sid == "SCH02")
    if role in ("headteacher", "senior leader"):
        phases = list(stages)
    elif team in DEPTS:
        phases = ["KS3", "KS4"] + (["KS5"] if "KS5" in stages and rng.random() < 0.5 else [])
    elif phase == "special":
        phases = list(stages[stages.index(team) : stages.index(team) + 2])
    else:
        phases = [team]
    return _Staff(sid, role, team, phases, _subjects(rng, team, phase))


def _skill_set(rng: random.Random, s: _Staff) -> list[str]:
    """The skills someone has any evidence in: their subjects, some pedagogy, role-specific ones."""
    if s.role == "support staff":
        return [rng.choice(["Safeguarding", "Pastoral care"])] if rng.random() < 0.4 else []
    if s.role == "teaching assistant":
        skills = rng.sample(INCLUSION, rng.randint(1, 2)) + s.subjects
        return skills + (["Behaviour and routines"] if rng.random() < 0.4 else [])
    skills = s.subjects[:3] + rng.sample(PEDAGOGY, rng.randint(2, 3))
    if {"EYFS", "KS1", "KS2"} & set(s.phases):
        skills.append(rng.choice(["Writing", "Reading fluency", "Oracy"]))
    if rng.random() < 0.25:
        skills.append(rng.choice(INCLUSION))
    if s.role == "middle leader":
        skills += [
            "Subject leadership",
            rng.choice(["Curriculum design", "Mentoring", "Pastoral care"]),
        ]
    elif s.role in LEADERS:
        skills += rng.sample(LEADERSHIP, 2) + (["Safeguarding"] if s.role != "SLE" else [])
    return list(dict.fromkeys(skills))


def _build_roster(seed: int, as_of: date) -> list[_Staff]:
    """Schools, hierarchy, hidden abilities and the story's people; sorted by opaque ref."""
    rng = random.Random(f"{seed}:roster")
    staff: list[_Staff] = []
    for school in SCHOOLS:
        counts = list(ROLE_MIX[school[7]])
        counts[4] += school[8]
        mine = [_new_staff(rng, school, r, i) for r, n in zip(ROLES, counts) for i in range(n)]
        by_role = {r: [s for s in mine if s.role == r] for r in ROLES}
        head, seniors, middles = (
            by_role["headteacher"][0],
            by_role["senior leader"],
            by_role["middle leader"],
        )
        for s in mine:
            if s.role == "senior leader":
                s.boss = head
            elif s.role in ("SLE", "middle leader", "support staff"):
                s.boss = rng.choice(seniors)
            elif s.role != "headteacher":
                s.boss = rng.choice([m for m in middles if m.team == s.team] or middles)
        staff += mine
    order = list(range(len(staff)))
    rng.shuffle(order)
    for n, idx in enumerate(order, start=1):
        staff[idx].ref = f"S{n:05d}"
    staff.sort(key=lambda s: s.ref)

    for s in staff:
        bonus = {"SLE": 0.3, "senior leader": 0.15, "headteacher": 0.15,
                 "early career teacher": -0.5, "teaching assistant": -0.2}.get(s.role, 0.0)  # fmt: skip
        s.ability = {k: _clamp(rng.gauss(2.55, 0.45) + bonus, 1.2, 3.4) for k in _skill_set(rng, s)}
        s.drift = {k: 0.0 for k in s.ability}
        for k, ab in s.ability.items():
            r = rng.random()
            if r < 0.10:  # improving: older evidence weaker
                s.drift[k] = -0.5
            elif r < 0.16 and ab >= 2.6:  # faded: strong once, weaker lately
                s.ability[k], s.drift[k] = ab - 0.5, 0.7
        p_coach, p_mentor = {"headteacher": (0.3, 0.4), "senior leader": (0.5, 0.55),
                             "SLE": (0.9, 0.8), "middle leader": (0.35, 0.5),
                             "teacher": (0.15, 0.25), "teaching assistant": (0.03, 0.05)}.get(
            s.role, (0.0, 0.0))  # fmt: skip
        s.coach_trained, s.mentor_trained = rng.random() < p_coach, rng.random() < p_mentor
        if s.coach_trained or s.mentor_trained:
            s.capacity = rng.choice([12, 18] if s.role == "SLE" else [6, 6, 12, 12, 18])
        elif s.role == "teacher" and rng.random() < 0.1:
            s.capacity = 6
        s.coaching_skill = _clamp(rng.gauss(2.7, 0.6) + 0.3 * s.coach_trained, 1.0, 4.0)
        s.consent = rng.random() < 0.8

    story_people: set[int] = set()
    for sid, _, *_ in SCHOOLS:
        mine = [s for s in staff if s.school == sid]
        for skill in SIGNATURE_SKILLS[sid]:
            elig = [s for s in mine if _eligible(s, skill) and s.role not in
                    ("early career teacher", "support staff")]  # fmt: skip
            for s in elig:
                if skill not in s.ability and rng.random() < 0.5:
                    s.ability[skill], s.drift[skill] = _clamp(rng.gauss(2.6, 0.4), 1.5, 3.4), 0.0
                if skill in s.ability:
                    s.ability[skill] = min(3.45, s.ability[skill] + 0.25)
            fresh = [s for s in elig if not s.stars]
            for s in rng.sample(fresh, min(7, len(fresh) - 1)):
                s.ability[skill], s.drift[skill] = 3.95, 0.0
                s.stars.append(skill)
            faded = rng.choice([s for s in elig if not s.stars])
            faded.ability[skill], faded.drift[skill] = 2.2, 0.9
        for skill in WEAK_SKILLS[sid]:
            for s in mine:
                if _eligible(s, skill) and (skill in s.ability or rng.random() < 0.5):
                    s.ability[skill] = _clamp(rng.gauss(1.8, 0.3), 1.0, 2.4)
                    s.drift[skill] = 0.0
    for skill, (top_sid, coach_sid) in PAIR_SCHOOLS.items():
        top = next(s for s in staff if s.school == top_sid and skill in s.stars and not s.story)
        coach = rng.choice([s for s in staff if s.school == coach_sid and _eligible(s, skill)
                            and s.role in ("teacher", "middle leader", "SLE") and not s.stars
                            and not s.story])  # fmt: skip
        top.story, coach.story = f"top:{skill}", f"coach:{skill}"
        top.consent, top.coach_trained, top.mentor_trained = True, skill == "Mathematics", False
        top.capacity, top.coaching_skill = (6 if skill == "Mathematics" else 0), 1.8
        coach.ability[skill], coach.drift[skill] = 3.1, 0.0
        coach.consent, coach.coach_trained, coach.capacity, coach.coaching_skill = (
            True,
            True,
            18,
            3.9,
        )
        story_people |= {id(top), id(coach)}

    dates = random.Random(f"{seed}:dates")  # separate stream: as_of never changes who is who
    movable = [s for s in staff if s.role in ("teacher", "early career teacher",
                                                "teaching assistant") and not s.story]  # fmt: skip
    leavers = rng.sample([s for s in movable if s.stars], 3)
    leavers += rng.sample([s for s in movable if not s.stars], 5)
    ends = [
        date(y, m, d)
        for y in range(as_of.year - 2, as_of.year + 1)
        for m, d in ((4, 30), (8, 31), (12, 31))
        if 21 <= (as_of - date(y, m, d)).days <= 700
    ]
    for s in staff:
        back = dates.randint(1, WINDOW_DAYS)
        has_date = dates.random() < (0.85 if s.consent else 0.5)
        s.consent_date = as_of - timedelta(days=back) if has_date else None
    for s in leavers:
        s.left_on, s.capacity = dates.choice(ends), 0
    return staff


def _day(as_of: date, back: int) -> date:
    """A school day `back` days before as_of (weekends move to the Friday before)."""
    d = as_of - timedelta(days=back)
    return d - timedelta(days=max(0, d.weekday() - 4))


def _recorder(rng: random.Random, s: _Staff, etype: str, pools: dict[str, list[str]]) -> str:
    """Who recorded the evidence: a staff ref or a role label, never a name."""
    r = rng.random()
    if etype == "self-assessment":
        return s.ref
    if etype == "accreditation":
        return "external"
    if etype == "peer-endorsement":
        return rng.choice([ref for ref in pools[s.school] if ref != s.ref])
    if etype == "coaching-feedback":
        return rng.choice(pools["sle:" + s.school]) if r < 0.6 else "external"
    if etype == "observation":
        if r < 0.5 and s.boss:
            return s.boss.ref
        return "SLT" if r < 0.7 else "HoD" if r < 0.85 else rng.choice(pools["sle:" + s.school])
    return s.boss.ref if r < 0.3 and s.boss else "HoD" if r < 0.6 else "SLT"


class _Evidence:
    """Collects evidence rows, refusing a second row with the same natural key."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.keys: set[tuple[str, str, str, str, str]] = set()

    def add(self, s: _Staff, skill: str, etype: str, strength: int, day: date, by: str,
            note: str, phase: str, written: str | None = None) -> None:  # fmt: skip
        key = (s.ref, skill, etype, day.isoformat(), by)
        if key not in self.keys:
            self.keys.add(key)
            row = [s.ref, written or skill, etype, str(strength), day.isoformat(), by, note, phase]
            self.rows.append(row)


def _make_evidence(staff: list[_Staff], as_of: date, seed: int) -> _Evidence:
    rng = random.Random(f"{seed}:evidence")
    active = [s for s in staff if not s.left_on and s.role != "support staff"]
    pools: dict[str, list[str]] = {}
    for sid, *_ in SCHOOLS:
        pools[sid] = [s.ref for s in active if s.school == sid]
        pools["sle:" + sid] = [s.ref for s in active if s.role == "SLE" and s.school != sid]
    ev = _Evidence()
    for s in staff:
        lo = (as_of - s.left_on).days + 1 if s.left_on else 0
        hi = 430 if s.role == "early career teacher" else WINDOW_DAYS - 3
        for skill, ab in s.ability.items():
            plan: list[tuple[int, str, int | None]] = []  # (days back, type, forced strength)
            if s.story == f"top:{skill}":
                plan = [(rng.randint(lo + 5 + 120 * i, lo + 120 * (i + 1)), t, 4) for i, t in
                        enumerate(["observation", "outcomes", "observation", "peer-endorsement",
                                   "observation", "outcomes", "observation", "outcomes"])]  # fmt: skip
            elif s.story == f"coach:{skill}":
                plan = [
                    (rng.randint(lo + 5 + 150 * i, lo + 150 * (i + 1)), t, v)
                    for i, (t, v) in enumerate(
                        [
                            ("observation", 3),
                            ("outcomes", 3),
                            ("observation", 4),
                            ("peer-endorsement", 3),
                            ("observation", 3),
                            ("outcomes", 3),
                        ]
                    )
                ]
            elif skill in s.stars:
                recent = min(hi, max(lo + 30, RECENT_DAYS))
                plan = [(rng.randint(lo, recent), t, 4) for t in ("observation", "outcomes")]
            n = rng.choice(
                [1, 1, 2, 2, 3] if s.role == "teaching assistant" else [1, 2, 3, 3, 4, 4]
            )
            for _ in range(n if len(plan) < 6 else 0):
                plan.append((rng.randint(lo, hi), rng.choices(EV_TYPES, EV_WEIGHTS)[0], None))
            for back, etype, forced in plan:
                if forced is None:
                    noise = (
                        0.3 + rng.gauss(0, 0.7)
                        if etype == "self-assessment"
                        else rng.gauss(0, 0.45)
                    )
                    value = ab + s.drift[skill] * back / 365 + noise
                    forced = int(_clamp(value + 0.5, 1, 4))
                    if etype == "accreditation":
                        forced = max(forced, 3)
                written = None
                if skill in _ALIAS_OF and not s.story and rng.random() < 0.12:
                    written = _ALIAS_OF[skill]
                note = rng.choice(NOTES[etype]) if rng.random() < 0.65 else ""
                phase = rng.choice(s.phases) if s.phases and rng.random() < 0.55 else ""
                by = _recorder(rng, s, etype, pools)
                ev.add(s, skill, etype, forced, _day(as_of, back), by, note, phase, written)
    return ev


def _make_coaching(staff: list[_Staff], as_of: date, seed: int, ev: _Evidence) -> list[list]:
    """Coaching and mentoring records; completed coaching leaves before/after evidence."""
    rng = random.Random(f"{seed}:coaching")
    earliest = as_of - timedelta(days=WINDOW_DAYS)
    records: list[list] = []
    seen: set[tuple[str, str, str, date]] = set()

    def add(coach: _Staff, coachee: _Staff, skill: str, mode: str, back: int,
            outcome: int | None = None, feedback: str | None = None) -> bool:  # fmt: skip
        if coach is coachee or (mode == "mentoring" and coachee.boss is coach):
            return False
        length = rng.choice([42, 56, 70, 84, 98] if mode == "coaching" else [120, 180, 240])
        start = _day(as_of, back)
        latest = min(d for d in (as_of, coach.left_on, coachee.left_on) if d)
        can_run = latest == as_of and coach.ongoing < coach.capacity // 6 and back >= 7
        end: date | None = start + timedelta(days=length)
        if end > latest and can_run:
            end, coach.ongoing = None, coach.ongoing + 1
        elif end > latest:
            end = _day(latest, rng.randint(1, 30))
            start = _day(end, length)
        if start < earliest or (coach.ref, coachee.ref, skill, start) in seen:
            return False
        seen.add((coach.ref, coachee.ref, skill, start))
        if end is None:
            outcome = None
        elif outcome is None and rng.random() > 0.06:  # a few finished without any evidence
            outcome = int(_clamp(rng.gauss(coach.coaching_skill, 0.6) + 0.5, 1, 4))
        if feedback is None:
            r = rng.random()
            band = outcome or rng.randint(2, 4)
            if r < 0.4 and end is not None:
                feedback = str(int(_clamp(band + rng.choice([-1, 0, 0, 1]), 1, 4)))
            else:
                feedback = rng.choice(FEEDBACK[band]) if r < 0.75 else ""
        hours = rng.choice(["6", "6", "9", "12", "6.5"] if mode == "coaching" else ["12", "18"])
        records.append(
            [
                coach.ref,
                coachee.ref,
                skill,
                mode,
                start.isoformat(),
                end.isoformat() if end else "",
                str(outcome or ""),
                feedback,
                hours,
            ]
        )
        if mode == "coaching" and outcome and end:
            before = start - timedelta(days=rng.randint(1, 10))
            if before >= earliest:
                ev.add(
                    coachee,
                    skill,
                    "observation",
                    rng.choice([1, 2, 2]),
                    _day(before, 0),
                    coach.ref,
                    "Baseline joint observation",
                    "",
                )
            ev.add(
                coachee,
                skill,
                "coaching-feedback",
                outcome,
                _day(end, 0),
                coach.ref,
                "End-of-cycle coaching summary",
                "",
            )
        return True

    def learners(skill: str, school: str | None, other_than: _Staff) -> list[_Staff]:
        return [s for s in staff if s is not other_than and s.role != "support staff"
                and _eligible(s, skill) and (school is None or s.school == school)
                and not s.story]  # fmt: skip

    for s in staff:  # the story's coaches: strong record, cross-school
        if s.story.startswith("coach:"):
            skill = s.story[6:]
            needy = [sid for sid, weak in WEAK_SKILLS.items() if skill in weak and sid != s.school]
            pool = [c for sid in needy for c in learners(skill, sid, s)] or learners(skill, None, s)
            for i, c in enumerate(rng.sample(pool, 5)):
                add(s, c, skill, "coaching", 200 + 170 * i, 4, rng.choice(["4", *FEEDBACK[4]]))
            add(s, rng.choice([c for c in pool if not c.left_on]), skill, "coaching", 30)
        elif s.story == "top:Mathematics":
            add(
                s,
                rng.choice(learners("Mathematics", "SCH02", s)),
                "Mathematics",
                "coaching",
                400,
                2,
                "Hard to follow the steps",
            )
    trained = [s for s in staff if (s.coach_trained or s.mentor_trained) and not s.story]
    needy_pairs = [(sid, skill) for sid, weak in WEAK_SKILLS.items() for skill in weak]
    target, tries = len(records) + 175, 0
    while len(records) < target and tries < 5000:
        tries += 1
        if rng.random() < 0.55:
            sid, skill = rng.choice(needy_pairs)
            donors = [c for c in trained if c.school != sid and c.ability.get(skill, 0) >= 3.0]
            if not donors:
                continue
            coach = rng.choice(donors)
        else:
            coach = rng.choice(trained)
            skills = [k for k, v in coach.ability.items() if v >= 2.9]
            if not skills:
                continue
            skill = rng.choice(skills)
            sid = rng.choice([x[0] for x in SCHOOLS if x[0] != coach.school] + [coach.school] * 3)
        mode = (
            "mentoring"
            if coach.mentor_trained and (not coach.coach_trained or rng.random() < 0.3)
            else "coaching"
        )
        pool = learners(skill, sid, coach)
        ects = [c for c in pool if c.role == "early career teacher"]
        if mode == "mentoring" and ects and rng.random() < 0.5:
            pool = ects
        if pool:
            add(coach, rng.choice(pool), skill, mode, rng.randint(10, WINDOW_DAYS - 10))
    records.sort(key=lambda r: (r[4], r[0], r[1], r[2]))
    return records


def _make_needs(staff: list[_Staff], coaching: list[list], as_of: date, seed: int) -> list[list]:
    """Open needs where schools are weak, plus matched/closed/withdrawn ones with a history."""
    rng = random.Random(f"{seed}:needs")
    earliest = as_of - timedelta(days=WINDOW_DAYS)
    by_ref = {s.ref: s for s in staff}
    active = [s for s in staff if not s.left_on and s.role != "support staff"]
    needs: list[tuple[date, str, str, str, str, str, str]] = []
    used: set[tuple[str, str]] = set()

    def add(s: _Staff, skill: str, raised: date, status: str, role: str, prio: str) -> bool:
        if s.left_on or (s.ref, skill) in used:
            return False
        used.add((s.ref, skill))
        hours = rng.choice(["", "", "", "6", "9", "12"])
        needs.append((max(raised, earliest), s.ref, skill, prio, role, status, hours))
        return True

    for sid, weak in WEAK_SKILLS.items():
        for skill in weak:
            pool = [s for s in active if s.school == sid and _eligible(s, skill)]
            for s in rng.sample(pool, min(4, len(pool))):
                role = rng.choice(["mentor"] if s.role == "early career teacher" else
                                  ["coach", "coach", "either", "mentor"])  # fmt: skip
                prio = rng.choices(["high", "medium", "low"], [4, 4, 2])[0]
                add(s, skill, _day(as_of, rng.randint(1, 150)), "open", role, prio)
    while sum(n[5] == "open" for n in needs) < 62:
        s = rng.choice(active)
        if s.ability:
            skill = min(s.ability, key=lambda k: (s.ability[k], k))
            add(
                s,
                skill,
                _day(as_of, rng.randint(1, 200)),
                "open",
                "either",
                rng.choice(["medium", "low"]),
            )
    closed = 0
    for coach, coachee, skill, mode, start, end, *_ in coaching:
        wanted = "mentor" if mode == "mentoring" else rng.choice(["coach", "either"])
        raised = date.fromisoformat(start) - timedelta(days=rng.randint(7, 40))
        if not end:
            add(by_ref[coachee], skill, raised, "matched", wanted, "medium")
        elif (as_of - date.fromisoformat(end)).days < 400 and closed < 9:
            closed += add(by_ref[coachee], skill, raised, "closed", wanted, "medium")
    for s in rng.sample(active, 4):
        if s.ability:
            add(
                s,
                rng.choice(sorted(s.ability)),
                _day(as_of, rng.randint(200, 600)),
                "withdrawn",
                "either",
                "low",
            )
    needs.sort()
    return [
        [f"N{i:04d}", ref, skill, prio, role, raised.isoformat(), status, hours]
        for i, (raised, ref, skill, prio, role, status, hours) in enumerate(needs, start=1)
    ]


def demo_story(seed: int = DEMO_SEED) -> dict:
    """The story the demo data is built to tell, with the refs of its people for `seed`."""
    staff = _build_roster(seed, DEMO_AS_OF)  # refs and roles never depend on as_of
    pairs = {skill: {"top_performer": "", "better_coach": ""} for skill in PAIR_SCHOOLS}
    for s in staff:
        if s.story:
            kind, skill = s.story.split(":", 1)
            pairs[skill]["top_performer" if kind == "top" else "better_coach"] = s.ref
    return {
        "town": "Marlowick",
        "hub": "SCH01",
        "signature_skills": SIGNATURE_SKILLS,
        "weak_skills": WEAK_SKILLS,
        "coach_pairs": pairs,
        "stars_without_consent": sorted(s.ref for s in staff if s.stars and not s.consent),
        "leavers": sorted(s.ref for s in staff if s.left_on),
    }


STORY: dict = demo_story()


def write_demo_csvs(
    out_dir: Path, as_of: date = DEMO_AS_OF, seed: int = DEMO_SEED
) -> dict[str, int]:
    """Write schools.csv, staff.csv, evidence.csv, coaching.csv, needs.csv into out_dir; return
    row counts per file stem. Same (as_of, seed) gives byte-identical files."""
    staff = _build_roster(seed, as_of)
    ev = _make_evidence(staff, as_of, seed)
    coaching = _make_coaching(staff, as_of, seed, ev)
    tables: dict[str, list[list]] = {
        "schools": [[sid, name, phase, _yn(sid == "SCH01"), pc, f"{lat:.4f}", f"{lng:.4f}"]
                    for sid, name, phase, pc, lat, lng, *_ in SCHOOLS],
        "staff": [[s.ref, s.school, s.role, ";".join(s.phases), ";".join(s.subjects),
                   s.boss.ref if s.boss else "", _yn(s.consent), _yn(s.coach_trained),
                   _yn(s.mentor_trained), str(s.capacity),
                   s.consent_date.isoformat() if s.consent_date else "",
                   s.left_on.isoformat() if s.left_on else ""] for s in staff],
        "evidence": sorted(ev.rows, key=lambda r: (r[0], r[4], r[1], r[2], r[5])),
        "coaching": coaching,
        "needs": _make_needs(staff, coaching, as_of, seed),
    }  # fmt: skip
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stem, rows in tables.items():
        with open(out_dir / f"{stem}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(HEADERS[stem])
            writer.writerows(rows)
    return {stem: len(rows) for stem, rows in tables.items()}
