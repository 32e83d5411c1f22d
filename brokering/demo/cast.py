"""The demo alliance's cast and settings: its schools, roles, departments, skills, the
story's signature strengths and weaknesses, and the words its evidence uses."""

from __future__ import annotations

from datetime import date

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
ALIAS_OF = {skill: alias for alias, skill in ALIASES.items()}

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
