"""The product's columns in words, for the Data page's mapping editor.

A mapping is saved, proposed on the command line and checked against the template by its
stable identifiers (`staff_ref`, `drop`, `hash`): schools' scripts depend on them. A data
manager reading the editor should not have to: there each target is "Staff code", "Leave
out", "Keep only as a pseudonym". `words` writes an identifier for people, `target` reads
the words back, per table (so a choice made in the editor is saved as its identifier).
"""

from __future__ import annotations

from brokering.importing.spec import TABLES
from brokering.mapping.model import DROP, HASH

#: What a file column may become, in words: the choices that are not a table's column …
CHOICE_WORDS = {
    DROP: "Leave out (not read)",
    HASH: "Keep only as a pseudonym",
}

#: … and each template column's name for people (one entry per identifier in any table).
COLUMN_WORDS = {
    # people and schools
    "staff_ref": "Staff code",
    "school_id": "School",
    "name": "School name",
    "phase": "Phase",
    "is_hub": "Teaching school hub",
    "postcode": "Postcode",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "easting": "Easting (grid reference)",
    "northing": "Northing (grid reference)",
    "status": "Status",
    "establishment_type": "Type of establishment",
    "role": "Role",
    "phases": "Phases taught",
    "subjects": "Subjects",
    "line_manager_ref": "Line manager's staff code",
    "share_consent": "Agrees to share alliance-wide",
    "consent_date": "Consent dated",
    "coach_trained": "Trained as a coach",
    "mentor_trained": "Trained as a mentor",
    "capacity_hours": "Hours a term to give",
    "capacity_days": "Release days a term",
    "left_on": "Left on",
    "email": "E-mail address",
    "payroll_number": "Payroll number",
    "title": "Title",
    "forename": "Forename",
    "surname": "Surname",
    # evidence and coaching
    "skill": "Skill",
    "evidence_type": "Kind of evidence",
    "strength": "Strength",
    "date": "Date",
    "recorded_by": "Recorded by",
    "note": "Note",
    "coach_ref": "Coach's staff code",
    "coachee_ref": "Coachee's staff code",
    "mode": "Coaching or mentoring",
    "start_date": "Start date",
    "end_date": "End date",
    "outcome_strength": "Outcome (strength)",
    "coachee_feedback": "Coachee's rating",
    "hours": "Hours",
    # needs and pairings
    "need_id": "Need reference",
    "priority": "Priority",
    "wanted_role": "Coach or mentor wanted",
    "raised_on": "Raised on",
    "pairing_id": "Pairing reference",
    "donor_refs": "Donors' staff codes",
    "recipient_refs": "Recipients' staff codes",
    "work_kind": "Kind of work",
    "review_date": "Review date",
    "donor_contribution": "What the donor side brings",
    "recipient_contribution": "What flows back",
    "planned_sessions": "Planned sessions",
    "planned_hours": "Planned hours",
    "cover_hours": "Cover hours",
    "travel_hours": "Travel hours",
    "disciplines": "Depends on (skills)",
    "reason": "Reason",
    "entry_type": "Type of entry",
    "observed_ref": "Whose practice was seen",
    "who": "Present",
    "flow": "Time went",
    "rating_before": "Rating before",
    "rating_after": "Rating after",
    "measure": "Measure",
    "value_before": "Value before",
    "value_after": "Value after",
    "link": "Link",
}

#: Each table in words, as the editor names what a file was read as.
TABLE_WORDS = {
    "schools": "the register of schools",
    "staff": "a staff list",
    "consent": "consent answers",
    "evidence": "evidence of practice",
    "coaching": "coaching and mentoring records",
    "needs": "development needs",
    "pairings": "JPD pairings",
    "pairing_evidence": "a pairings' activity log",
}


def words(name: str) -> str:
    """An identifier (a template column, `drop` or `hash`) as people read it."""
    return CHOICE_WORDS.get(name) or COLUMN_WORDS.get(name) or name.replace("_", " ").capitalize()


def table_words(table: str) -> str:
    return TABLE_WORDS.get(table, table.replace("_", " "))


def choices(table: str) -> list[str]:
    """What a file column can become in `table`, in words: leave out, pseudonym, columns."""
    return [words(DROP), words(HASH), *(words(n) for n in TABLES[table].names)]


def target(table: str, shown: object) -> str:
    """The identifier behind `shown` (words from `choices`, or an identifier as saved)."""
    text = str(shown or "").strip()
    for name in (DROP, HASH, *TABLES[table].names):
        if text in (name, words(name)):
            return name
    return text or DROP
