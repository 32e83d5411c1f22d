"""The import files' public contract: columns, what each holds, which are required.

Schools' export scripts target these names, so they only ever grow (new optional columns).
`docs/IMPORT.md` is checked against this module by a test.
"""

from __future__ import annotations

from dataclasses import dataclass

from brokering.pairings.lifecycle import STATUSES as PAIRING_STATUSES
from brokering.pairings.model import ENTRY_TYPES, FLOWS, WORK_KINDS
from brokering.phases import KEY_STAGES, SCHOOL_PHASES

ROLES = (
    "teacher",
    "early career teacher",
    "middle leader",
    "senior leader",
    "headteacher",
    "SLE",
    "teaching assistant",
    "support staff",
)
EVIDENCE_TYPES = (
    "observation",
    "outcomes",
    "peer-endorsement",
    "accreditation",
    "coaching-feedback",
    "self-assessment",
    "course",
)
MODES = ("coaching", "mentoring")
PRIORITIES = ("high", "medium", "low")
WANTED_ROLES = ("coach", "mentor", "either")
NEED_STATUSES = ("open", "matched", "closed", "withdrawn")


_IDENTITY_HELP = "Kept only as a keyed hash, to recognise the person in later files."
_NAME_HELP = "Never stored: used only to take the name out of notes in the same batch."
_SCHOOL_HELP = "Whose staff codes the row uses, when codes repeat across schools."
_GRID_HELP = (
    "From the register (GIAS): OS National Grid metres, converted to latitude and longitude; "
    "not stored."
)


@dataclass(frozen=True)
class Column:
    """One column: `kind` picks the reader (see validate.py), `choices` the allowed words."""

    name: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class TableSpec:
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    help: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


SCHOOLS = TableSpec(
    "schools",
    (
        Column("school_id", "ref", True, help="The alliance's short code for the school."),
        Column("name", "text", True, help="The school's name (schools are public bodies)."),
        Column("phase", "enum", True, SCHOOL_PHASES),
        Column("is_hub", "bool", help="yes for the hub or nodal school; blank means no."),
        Column("postcode", "text"),
        Column("latitude", "latitude", help="Decimal degrees, for travel between schools."),
        Column("longitude", "longitude"),
        Column("easting", "register", help=_GRID_HELP),
        Column("northing", "register", help=_GRID_HELP),
        Column(
            "status",
            "register",
            help="The register's status: a closed school is left out (listed); not stored.",
        ),
        Column(
            "establishment_type",
            "register",
            help="The register's type of establishment: tells a special school or alternative "
            "provision whose phase is 'Not applicable'; not stored.",
        ),
    ),
    key=("school_id",),
    help="One row per school in the alliance.",
)

STAFF = TableSpec(
    "staff",
    (
        Column("staff_ref", "ref", True, help="Pseudonymous reference; never a name or email."),
        Column("school_id", "school", True),
        Column("role", "enum", True, ROLES),
        Column("phases", "phase_list", help="Key stages taught, e.g. KS1;KS2 or Year 6;GCSE."),
        Column("subjects", "skill_list", help="Subjects taught, as taxonomy skills; ; between."),
        Column("line_manager_ref", "staff", help="staff_ref of their line manager."),
        Column("share_consent", "bool", help="yes if they agree to be found alliance-wide."),
        Column("consent_date", "date", help="When consent was given or withdrawn."),
        Column("coach_trained", "bool"),
        Column("mentor_trained", "bool"),
        Column("capacity_hours", "hours", help="Coaching/mentoring hours they can give a term."),
        Column(
            "capacity_days",
            "days",
            help="Or release days a term (SLE deployment); hours = days x the alliance's hours "
            "per release day. Give either; if both, they must agree.",
        ),
        Column("left_on", "date", help="Date they left; their history stays."),
        Column("email", "identity", help=_IDENTITY_HELP),
        Column("payroll_number", "identity", help=_IDENTITY_HELP),
        Column("title", "identity", help=_NAME_HELP),
        Column("forename", "identity", help=_NAME_HELP),
        Column("surname", "identity", help=_NAME_HELP),
    ),
    key=("staff_ref",),
    help="One row per member of staff, pseudonymised by their school.",
)

CONSENT = TableSpec(
    "consent",
    (
        Column("staff_ref", "staff", help="Whose answer, when the form asked for a staff code."),
        Column(
            "email",
            "identity",
            help="Whose answer: matched to staff already held through the keyed hashes of the "
            "e-mail addresses in their staff files; never stored.",
        ),
        Column("share_consent", "bool", True, help="The answer: yes or no."),
        Column("consent_date", "date", True, help="When they answered (the completion time)."),
        Column("school_id", "school", help=_SCHOOL_HELP),
    ),
    key=("staff_ref", "consent_date"),
    help="One row per answer to a consent form: changes the consent of staff already held "
    "(their latest answer counts); adds nobody, and an answer from someone not held is listed "
    "and left out.",
)

EVIDENCE = TableSpec(
    "evidence",
    (
        Column("staff_ref", "staff", True),
        Column("skill", "skill", True, help="A taxonomy skill, name or alias."),
        Column("evidence_type", "enum", True, EVIDENCE_TYPES),
        Column(
            "strength",
            "strength",
            help="1-4 on the declared scale, or a word; blank or ungraded for evidence "
            "without a grade (weighted low, never invented).",
        ),
        Column("date", "date", True),
        Column("recorded_by", "recorder", True, help="A staff_ref or a role label: HoD, SLT…"),
        Column("note", "text"),
        Column("phase", "phase", help="The key stage the evidence concerns, if one."),
        Column("school_id", "school", help=_SCHOOL_HELP),
    ),
    key=("staff_ref", "skill", "evidence_type", "date", "recorded_by"),
    help="One row per piece of evidence of a person's practice in a skill.",
)

COACHING = TableSpec(
    "coaching",
    (
        Column("coach_ref", "staff", True),
        Column("coachee_ref", "staff", True),
        Column("skill", "skill", True),
        Column("mode", "enum", True, MODES),
        Column("start_date", "date", True),
        Column("end_date", "date"),
        Column("outcome_strength", "strength", help="How far the coachee moved, on the scale."),
        Column("coachee_feedback", "feedback", help="A number on the scale, or free text."),
        Column("hours", "hours", help="Hours given; blank means the alliance default."),
        Column("school_id", "school", help=_SCHOOL_HELP),
    ),
    key=("coach_ref", "coachee_ref", "skill", "mode", "start_date"),
    help="One row per coaching or mentoring relationship.",
)

NEEDS = TableSpec(
    "needs",
    (
        Column("need_id", "ref", True),
        Column("staff_ref", "staff", True),
        Column("skill", "skill", True),
        Column("priority", "enum", True, PRIORITIES),
        Column("wanted_role", "enum", True, WANTED_ROLES),
        Column("raised_on", "date", True),
        Column("status", "enum", True, NEED_STATUSES),
        Column("hours", "hours", help="Hours a term the relationship will take."),
        Column("school_id", "school", help=_SCHOOL_HELP),
    ),
    key=("need_id",),
    help="One row per development need a member of staff has.",
)

PAIRINGS = TableSpec(
    "pairings",
    (
        Column("pairing_id", "ref", True, help="The alliance's reference for the pairing."),
        Column("donor_refs", "text", True, help="Who shares the practice: staff_refs, ; between."),
        Column("recipient_refs", "text", True, help="Who is developing it: staff_refs, ; between."),
        Column("skill", "skill", True, help="The practice: a taxonomy skill, name or alias."),
        Column("work_kind", "enum", True, WORK_KINDS),
        Column("status", "enum", True, PAIRING_STATUSES),
        Column("start_date", "date", True, help="May be ahead only while proposed or agreed."),
        Column("review_date", "date", help="When the pairing is reviewed; not before the start."),
        Column("donor_contribution", "text", help="What the donor side brings."),
        Column("recipient_contribution", "text", help="What flows back to the donor side."),
        Column("planned_sessions", "hours", help="Sessions planned: a whole number."),
        Column("planned_hours", "hours", help="Hours planned in all."),
        Column("cover_hours", "hours", help="Hours of cover the pairing needs."),
        Column("travel_hours", "hours", help="Hours of travel between the schools."),
        Column(
            "disciplines",
            "skill_list",
            help="Encompassing disciplines the practice depends on; ; between.",
        ),
        Column("reason", "text", help="Required when not transferred or stopped."),
        Column("note", "text"),
    ),
    key=("pairing_id",),
    help="One row per JPD pairing; a changed row adds a new version, never overwrites.",
)

PAIRING_EVIDENCE = TableSpec(
    "pairing_evidence",
    (
        Column("pairing_id", "ref", True, help="A pairing_id in pairings.csv or the store."),
        Column("entry_type", "enum", True, ENTRY_TYPES),
        Column("date", "date", True, help="Not before the pairing's start_date."),
        Column("recorded_by", "recorder", True, help="Who made the record: a staff_ref or role."),
        Column("observed_ref", "staff", help="Whose practice was seen: a participant."),
        Column("hours", "hours", help="Time the activity took."),
        Column("who", "text", help="Participants present: staff_refs, ; between (blank: all)."),
        Column(
            "flow", "enum", choices=FLOWS, help="Which way the time went (blank: to recipient)."
        ),
        Column("rating_before", "strength", help="The practice before, on the declared scale."),
        Column("rating_after", "strength", help="The practice seen now, on the declared scale."),
        Column("measure", "text", help="What was measured (pupil work or outcome)."),
        Column("value_before", "text", help="The measure before: a number."),
        Column("value_after", "text", help="The measure after: a number."),
        Column("note", "text", help="What was seen, or the reflection."),
        Column("link", "text", help="A link (https://…) to the work or record."),
    ),
    key=("pairing_id", "entry_type", "date", "recorded_by", "observed_ref"),
    help="One row per activity or evidence item in a pairing's log; never rewritten.",
)

#: Dependency order: a folder imports in this order, so references resolve.
TABLES: dict[str, TableSpec] = {
    s.table: s
    for s in (SCHOOLS, STAFF, CONSENT, EVIDENCE, COACHING, NEEDS, PAIRINGS, PAIRING_EVIDENCE)
}
PHASE_CHOICES = KEY_STAGES
