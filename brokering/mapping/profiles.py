"""What school systems' exports call the template's columns.

`HEADER_WORDS` is the general vocabulary (header text a person would write for each template
column), used for every file with fuzzy matching. `PROFILES` are the built-in layouts of the
common exports — SIMS "Staff Details", Arbor and Bromcom staff lists, a lesson-observation
tracker, a CPD log, appraisal objectives, a Microsoft Forms consent sheet and an
instructional-coaching platform — each recognised by its characteristic headers and mapping
them exactly, with the fixed values its table needs that the export cannot hold (a CPD log
has no grade and no observer: its rows are accreditations recorded externally).

Names of people are never a target: "Forename", "Surname", "Name", "Teacher" are dropped (or,
where the store side reads them to clean notes, mapped to its identity-only columns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def norm(text: str) -> str:
    """Header comparison form: lower case, '&' as 'and', punctuation as spaces."""
    t = (text or "").lower().replace("&", " and ").replace("e-mail", "email")
    t = re.sub(r"[^a-z0-9]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


#: Headers that hold a person's name: never stored, never a target.
NAME_HEADERS = frozenset(
    norm(h)
    for h in (
        "name",
        "full name",
        "staff name",
        "staff member",
        "teacher",
        "teacher name",
        "employee name",
        "person",
        "coach name",
        "coachee name",
        "mentor name",
        "observer name",
        "preferred name",
        "display name",
        "legal name",
        "known as",
        "middle name",
        "middle names",
        "maiden name",
        "previous surname",
        "signature",
    )
)
#: Identity-only columns of staff (kept as hashes or used only to clean notes); mapped when
#: the table has them, otherwise dropped.
IDENTITY_WORDS: dict[str, tuple[str, ...]] = {
    "email": ("email", "email address", "work email", "school email", "staff email"),
    "payroll_number": (
        "payroll number",
        "payroll no",
        "payroll",
        "employee number",
        "employee no",
        "personnel number",
    ),
    "title": ("title", "salutation"),
    "forename": ("forename", "first name", "legal first name", "given name", "preferred forename"),
    "surname": ("surname", "last name", "legal surname", "family name", "legal last name"),
}

#: Template column -> header words a school might use (besides the column's own name).
HEADER_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "schools": {
        "school_id": ("school code", "school", "urn", "dfe number", "laestab", "establishment"),
        "name": ("school name", "establishment name", "establishmentname"),
        "phase": ("phase", "phase of education", "phaseofeducation name", "type of school"),
        "postcode": ("postcode", "post code"),
        "is_hub": ("hub", "is hub", "hub school"),
    },
    "staff": {
        "staff_ref": (
            "staff code",
            "staff id",
            "staff ref",
            "teacher code",
            "employee code",
            "initials",
            "person code",
            "staff reference",
        ),
        "school_id": ("school", "school code", "school id", "establishment", "site"),
        "role": (
            "job title",
            "role",
            "post",
            "position",
            "staff role",
            "job role",
            "business role",
            "post title",
            "staff category",
        ),
        "phases": ("key stage", "key stages", "phase", "phases", "year groups", "years taught"),
        "subjects": ("subject", "subjects", "subjects taught", "teaching subjects", "main subject"),
        "line_manager_ref": ("line manager", "line manager code", "reports to", "manager code"),
        "share_consent": ("consent", "share consent", "sharing consent", "happy to share"),
        "consent_date": ("consent date", "date of consent", "consent given on"),
        "coach_trained": ("coach trained", "trained coach"),
        "mentor_trained": ("mentor trained", "trained mentor"),
        "capacity_hours": ("capacity", "hours available", "coaching hours", "capacity hours"),
        "left_on": ("leaving date", "date left", "leave date", "end date", "left on"),
    },
    "consent": {
        "staff_ref": ("staff code", "staff id", "staff ref", "teacher code", "initials"),
        "share_consent": ("consent", "share consent", "sharing consent", "happy to share"),
        "consent_date": ("completion time", "submitted", "date", "consent date", "answered on"),
        "school_id": ("school", "school code"),
    },
    "evidence": {
        "staff_ref": ("staff code", "teacher code", "staff id", "observee code", "initials"),
        "school_id": ("school", "school code"),
        "skill": (
            "focus",
            "subject",
            "skill",
            "area",
            "course",
            "course title",
            "course name",
            "training",
            "focus area",
            "objective area",
        ),
        "evidence_type": ("evidence type", "type", "type of evidence", "activity type"),
        "strength": (
            "grade",
            "judgement",
            "overall judgement",
            "overall grade",
            "rating",
            "outcome",
            "overall",
        ),
        "date": (
            "date",
            "date of observation",
            "observation date",
            "date attended",
            "completion date",
            "date completed",
            "course date",
        ),
        "recorded_by": ("observer", "observed by", "recorded by", "reviewer", "assessor"),
        "note": ("comments", "notes", "strengths", "feedback", "summary", "what went well"),
        "phase": ("year group", "key stage", "class", "year"),
    },
    "coaching": {
        "coach_ref": ("coach", "coach email", "coach code", "mentor", "mentor email"),
        "coachee_ref": (
            "coachee",
            "coachee email",
            "teacher email",
            "mentee",
            "mentee email",
            "participant email",
        ),
        "skill": ("focus", "action step", "goal", "area", "focus area", "development area"),
        "mode": ("mode", "programme", "type", "relationship"),
        "start_date": ("start date", "first session", "started", "date started"),
        "end_date": ("end date", "last session", "finished", "date ended"),
        "outcome_strength": ("outcome", "progress rating", "impact"),
        "coachee_feedback": ("feedback", "coachee feedback", "teacher feedback"),
        "hours": ("hours", "total hours", "duration hours", "time spent"),
    },
    "needs": {
        "need_id": ("objective id", "need id", "reference", "id", "target id"),
        "staff_ref": ("staff code", "staff id", "appraisee code", "teacher code"),
        "skill": ("objective area", "focus", "development area", "area", "objective focus"),
        "priority": ("priority",),
        "wanted_role": ("support wanted", "coach or mentor", "wanted role"),
        "raised_on": ("date set", "set on", "raised on", "start date", "agreed on"),
        "status": ("status", "progress"),
        "hours": ("hours", "support hours"),
    },
}


@dataclass(frozen=True)
class Profile:
    """A school system's export: `signature` headers tell it (most must be present),
    `columns` maps its headers (normalised) to targets, `constants` fill what it lacks,
    `defaults` are the values a leader would choose where the export says nothing (shown in
    the proposal, changeable), `values` the export's own words for the template's."""

    name: str
    table: str
    signature: tuple[str, ...]
    columns: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def matches(self, headers: set[str]) -> float:
        sig = [norm(s) for s in self.signature]
        return sum(s in headers for s in sig) / len(sig)


_STAFF_NAMES = {
    "title": "title",
    "forename": "forename",
    "first name": "forename",
    "legal first name": "forename",
    "preferred first name": "drop",
    "surname": "surname",
    "last name": "surname",
    "legal last name": "surname",
    "legal surname": "surname",
    "email": "hash",
    "email address": "hash",
    "work email": "hash",
}

PROFILES: tuple[Profile, ...] = (
    Profile(
        "GIAS register of schools",
        "schools",
        ("urn", "establishmentname", "phaseofeducation name", "easting", "northing"),
        {
            "urn": "school_id",
            "establishmentname": "name",
            "phaseofeducation name": "phase",
            "postcode": "postcode",
            "easting": "easting",
            "northing": "northing",
            "establishmentstatus name": "status",
            "typeofestablishment name": "establishment_type",
            "headtitle name": "drop",
            "headfirstname": "drop",
            "headlastname": "drop",
            "headpreferredjobtitle": "drop",
        },
    ),
    Profile(
        "SIMS staff details",
        "staff",
        ("staff code", "forename", "surname", "employee number", "role"),
        _STAFF_NAMES
        | {
            "staff code": "staff_ref",
            "employee number": "hash",
            "role": "role",
            "post": "drop",
            "gender": "drop",
            "date of birth": "drop",
            "start date": "drop",
            "leaving date": "left_on",
            "contract type": "drop",
            "staff category": "drop",
            "subject": "subjects",
            "ni number": "drop",
        },
    ),
    Profile(
        "Arbor staff",
        "staff",
        ("staff id", "legal first name", "legal last name", "job title", "business role"),
        _STAFF_NAMES
        | {
            "staff id": "staff_ref",
            "job title": "role",
            "business role": "drop",
            "start date": "drop",
            "end date": "left_on",
            "teaching subjects": "subjects",
            "line manager": "drop",
            "department": "drop",
        },
    ),
    Profile(
        "Bromcom staff",
        "staff",
        ("staff code", "first name", "last name", "role", "department"),
        _STAFF_NAMES
        | {
            "staff code": "staff_ref",
            "role": "role",
            "department": "drop",
            "subjects taught": "subjects",
            "start date": "drop",
            "leave date": "left_on",
            "payroll no": "hash",
        },
    ),
    Profile(
        "lesson observation tracker",
        "evidence",
        ("staff code", "observer", "date of observation", "overall judgement"),
        {
            "staff code": "staff_ref",
            "teacher": "drop",
            "observer": "recorded_by",
            "date of observation": "date",
            "subject": "skill",
            "focus": "drop",
            "year group": "phase",
            "overall judgement": "strength",
            "strengths": "note",
            "areas for development": "drop",
        },
        constants={"evidence_type": "observation"},
    ),
    Profile(
        "CPD log",
        "evidence",
        ("staff code", "course title", "provider", "date attended"),
        {
            "staff code": "staff_ref",
            "name": "drop",
            "course title": "skill",
            "provider": "drop",
            "date attended": "date",
            "hours": "drop",
            "certificate": "drop",
            "cost": "drop",
            "notes": "note",
        },
        constants={"evidence_type": "accreditation", "recorded_by": "external"},
    ),
    Profile(
        "appraisal objectives",
        "needs",
        ("staff code", "objective", "objective area", "status", "review date"),
        {
            "objective id": "need_id",
            "staff code": "staff_ref",
            "objective": "drop",
            "objective area": "skill",
            "date set": "raised_on",
            "review date": "drop",
            "status": "status",
            "reviewer": "drop",
            "success criteria": "drop",
        },
        defaults={"priority": "medium", "wanted_role": "either"},
        values={
            "status": {
                "Not started": "open",
                "In progress": "open",
                "Partially achieved": "open",
                "Achieved": "closed",
                "Not achieved": "closed",
                "Withdrawn": "withdrawn",
            }
        },
    ),
    Profile(
        "Microsoft Forms consent",
        "consent",
        ("id", "start time", "completion time", "email", "name"),
        {
            "id": "drop",
            "start time": "drop",
            "completion time": "consent_date",
            "email": "hash",
            "name": "drop",
            "last modified time": "drop",
            "staff code": "staff_ref",
        },
    ),
    Profile(
        "coaching platform",
        "coaching",
        ("coach email", "teacher email", "action step", "first session"),
        {
            "coach email": "coach_ref",
            "coach name": "drop",
            "teacher email": "coachee_ref",
            "teacher name": "drop",
            "action step": "skill",
            "first session": "start_date",
            "last session": "end_date",
            "sessions": "drop",
            "total hours": "hours",
            "programme": "drop",
        },
        constants={"mode": "coaching"},
    ),
)

#: A Forms question about consent is long and varies: any header with these words is it.
CONSENT_QUESTION = re.compile(r"\bconsent\b|\bhappy (for|to)\b|\bagree\b", re.IGNORECASE)
