"""What the generator draws from: the day the data ends, the mix of roles, subjects,
evidence, recorders and notes, and the writers that turn integer codes into CSV columns.
Apart from `generate` so the proportions (each a judgement about real schools) are read as
one table, not between the drawing code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

#: Every generated date is on or before this day; imports run with today=AS_OF.
AS_OF = date(2026, 11, 20)
WINDOW_DAYS = 1095


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _cat(codes: np.ndarray, categories: list[str] | np.ndarray) -> pd.Categorical:
    """A categorical from integer codes (-1 is blank): no Python strings per row."""
    return pd.Categorical.from_codes(codes.astype(np.int32), categories=list(categories))


def _write(frame: pd.DataFrame, path: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        con.register("frame", frame)
        con.execute(f"COPY frame TO '{path}' (HEADER, DELIMITER ',', QUOTE '\"')")
    finally:
        con.close()


def _days(longest: int) -> list[str]:
    """ISO strings for day offsets 0..longest back from AS_OF (a date column's categories)."""
    return [(AS_OF - timedelta(days=d)).isoformat() for d in range(longest + 1)]


_SECONDARY_SUBJECT_WEIGHT = {
    "mathematics": 14,
    "english": 14,
    "science": 6,
    "biology": 5,
    "chemistry": 5,
    "physics": 5,
    "history": 4,
    "geography": 4,
    "religious-education": 3,
    "computing": 3,
    "physical-education": 4,
    "art-and-design": 3,
    "music": 2,
    "drama": 2,
    "design-and-technology": 3,
    "french": 3,
    "spanish": 3,
}
#: Phase combinations staff teach, by school phase (leaders teach the school's whole range).
PHASE_OPTIONS: dict[str, list[tuple[str, float]]] = {
    "nursery": [("EYFS", 1.0)],
    "primary": [("EYFS", 0.15), ("KS1", 0.3), ("KS2", 0.4), ("KS1;KS2", 0.1), ("EYFS;KS1", 0.05)],
    "middle": [("KS2", 0.4), ("KS3", 0.4), ("KS2;KS3", 0.2)],
    "secondary": [("KS3;KS4", 0.55), ("KS3;KS4;KS5", 0.25), ("KS4;KS5", 0.1), ("KS3", 0.1)],
    "all-through": [("KS1", 0.15), ("KS2", 0.2), ("KS3;KS4", 0.45), ("KS3;KS4;KS5", 0.2)],
    "special": [
        ("KS1;KS2", 0.3),
        ("KS2;KS3", 0.2),
        ("KS3;KS4", 0.3),
        ("KS1;KS2;KS3;KS4;KS5", 0.1),
        ("KS4;KS5", 0.1),
    ],
    "alternative provision": [("KS3;KS4", 0.7), ("KS4", 0.3)],
    "16 plus": [("KS5", 1.0)],
}
SCHOOL_RANGE = {
    "nursery": "EYFS",
    "primary": "EYFS;KS1;KS2",
    "middle": "KS2;KS3",
    "secondary": "KS3;KS4;KS5",
    "all-through": "EYFS;KS1;KS2;KS3;KS4;KS5",
    "special": "KS1;KS2;KS3;KS4;KS5",
    "alternative provision": "KS3;KS4",
    "16 plus": "KS5",
}
ROLES = (
    "headteacher",
    "senior leader",
    "SLE",
    "middle leader",
    "teacher",
    "early career teacher",
    "teaching assistant",
    "support staff",
)
#: Mean evidence records per person by role (scaled to the target total).
EVIDENCE_RATE = np.array([8, 14, 20, 14, 12, 8, 6, 1.5])
#: Chance of coach / mentor training by role.
COACH_P = np.array([0.3, 0.5, 0.9, 0.35, 0.15, 0.0, 0.03, 0.0])
MENTOR_P = np.array([0.4, 0.55, 0.8, 0.5, 0.25, 0.0, 0.05, 0.0])
ROLE_BONUS = np.array([0.15, 0.15, 0.3, 0.1, 0.0, -0.5, -0.2, 0.0])
AREA_WEIGHTS: dict[str, dict[str, float]] = {  # by role class
    "teach": {
        "Subjects": 3.0,
        "Classroom practice": 3.0,
        "Reading, writing and oracy": 1.5,
        "Assessment and curriculum": 1.0,
        "SEND and inclusion": 1.0,
        "Behaviour and culture": 1.0,
        "Pastoral and safeguarding": 0.4,
        "Leadership": 0.2,
        "Mentoring and coaching": 0.3,
        "Early years": 2.0,
    },
    "lead": {
        "Subjects": 1.5,
        "Classroom practice": 1.5,
        "Reading, writing and oracy": 0.8,
        "Assessment and curriculum": 2.0,
        "SEND and inclusion": 0.8,
        "Behaviour and culture": 1.5,
        "Pastoral and safeguarding": 1.0,
        "Leadership": 3.0,
        "Mentoring and coaching": 2.0,
        "Early years": 0.8,
    },
    "ta": {
        "Subjects": 0.4,
        "Classroom practice": 1.0,
        "Reading, writing and oracy": 2.0,
        "Assessment and curriculum": 0.2,
        "SEND and inclusion": 3.0,
        "Behaviour and culture": 1.5,
        "Pastoral and safeguarding": 1.0,
        "Leadership": 0.0,
        "Mentoring and coaching": 0.1,
        "Early years": 1.5,
    },
    "support": {
        "Subjects": 0.0,
        "Classroom practice": 0.0,
        "Reading, writing and oracy": 0.2,
        "Assessment and curriculum": 0.2,
        "SEND and inclusion": 1.0,
        "Behaviour and culture": 1.0,
        "Pastoral and safeguarding": 4.0,
        "Leadership": 0.2,
        "Mentoring and coaching": 0.2,
        "Early years": 0.0,
    },
}
ROLE_CLASS = ("lead", "lead", "lead", "lead", "teach", "teach", "ta", "support")
EV_TYPES = (
    "observation",
    "outcomes",
    "peer-endorsement",
    "accreditation",
    "coaching-feedback",
    "self-assessment",
)
EV_WEIGHTS = np.array([30, 17, 12, 4, 7, 30], dtype=float)
RECORDER_LABELS = (
    "HoD",
    "SLT",
    "external",
    "headteacher",
    "SLE",
    "line manager",
    "peer",
    "moderator",
    "mentor",
    "coach",
    "self",
)
RECORDER_WEIGHTS = np.array([20, 20, 5, 5, 4, 10, 10, 3, 3, 3, 0], dtype=float)
NOTES = (
    "Lesson drop-in",
    "Full lesson observation",
    "Learning walk",
    "Book look",
    "End-of-unit assessment",
    "Joint observation with a partner school",
    "Recommended after team teaching",
    "Annual self-review",
    "Coach's review, targets met",
    "National professional qualification",
)
FEEDBACK_TEXT = (
    "Really practical, I use it every lesson",
    "Changed how I plan",
    "Useful joint observations",
    "Hard to fit into the timetable",
    "Some sessions cancelled",
)
PROFILE = 8  # skills a person has any evidence in (with repeats)


@dataclass
class _Roster:
    n: int
    school: np.ndarray  # school index per staff
    role: np.ndarray  # index into ROLES
    phase_combo: np.ndarray  # index into combos
    combos: list[str]
    manager: np.ndarray  # staff index or -1
    leaver_gap: np.ndarray  # days since leaving (0: not a leaver)
    coach: np.ndarray
    mentor: np.ndarray
    profile: np.ndarray  # (n, PROFILE) skill indices
    ability: np.ndarray  # (n, PROFILE) true practice 1..4
