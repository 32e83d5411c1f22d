"""The words schools write, read into the template's values: job titles into roles,
judgement words into strengths, observer labels, objective statuses.

Each reader returns a `Reading`: a value placed by a built-in map or rule (`how` "exact",
"map" or "rule"), a guess that must be confirmed before it is used (`how` "fuzzy", with the
nearest choices), or nothing (`how` "unknown"). A fuzzy reading is never applied silently:
the import asks once, and the answer is saved to a value map (importing/value_maps.py).
No database here; saved maps are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

KINDS = ("role", "judgement", "observer", "status", "skill", "school_phase")
UNGRADED = "ungraded"
NOT_RECORDED = "not recorded"
FUZZY_CUTOFF = 80


@dataclass(frozen=True)
class Reading:
    value: str | None
    how: str  # exact | map | rule | saved | fuzzy | unknown
    choices: tuple[str, ...] = ()


def norm(text: str) -> str:
    """Comparison form: lower case, '&' as 'and', punctuation (but '+') as spaces."""
    t = text.lower().replace("&", " and ")
    t = re.sub(r"[^a-z0-9+]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def _table(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {norm(word): target for target, words in groups.items() for word in words}


# fmt: off

ROLE_WORDS = _table({
    "teacher": (
        "teacher", "class teacher", "classroom teacher", "main scale teacher",
        "mps teacher", "ups teacher", "qualified teacher", "subject teacher", "form tutor",
        "supply teacher", "unqualified teacher", "specialist teacher", "tutor",
    ),
    "early career teacher": (
        "early career teacher", "ect", "ect1", "ect 1", "ect2", "ect 2", "nqt",
        "newly qualified teacher", "ect year 1", "ect year 2",
    ),
    "middle leader": (
        "middle leader", "senco", "sendco", "senco sendco", "head of department", "hod",
        "head of year", "hoy", "head of faculty", "subject leader", "subject lead",
        "curriculum leader", "curriculum lead", "phase leader", "key stage leader",
        "second in department", "lead practitioner", "eyfs lead", "inclusion lead",
    ),
    "senior leader": (
        "senior leader", "slt", "deputy head", "deputy headteacher", "deputy head teacher",
        "dht", "assistant head", "assistant headteacher", "assistant head teacher", "aht",
        "vice principal", "assistant principal", "deputy principal",
    ),
    "headteacher": (
        "headteacher", "head teacher", "head", "ht", "principal", "executive headteacher",
        "executive head", "executive principal", "head of school",
    ),
    "SLE": (
        "sle", "specialist leader of education",
    ),
    "teaching assistant": (
        "teaching assistant", "ta", "hlta", "higher level teaching assistant", "lsa",
        "learning support assistant", "classroom assistant", "sen ta", "1 1 ta",
        "nursery nurse", "early years practitioner", "level 3 ta", "level 2 ta",
    ),
    "support staff": (
        "support staff", "cover supervisor", "school business manager", "business manager",
        "office manager", "administrator", "admin", "receptionist", "site manager",
        "technician", "librarian", "pastoral manager", "attendance officer",
        "learning mentor", "family liaison officer", "midday supervisor", "exams officer",
        "data manager", "bursar",
    ),
})
# fmt: on
#: Title patterns, tried in order when no word matches exactly (deterministic, not fuzzy).
ROLE_RULES: tuple[tuple[str, str], ...] = (
    (r"^(acting |interim )?(executive )?(head ?teacher|principal|head of school)\b", "headteacher"),
    (r"^(acting |interim )?(deputy|assistant|vice) (head|principal)", "senior leader"),
    (r"\b(ect|nqt|early career)\b", "early career teacher"),
    (r"\b(hlta|teaching assistant|learning support assistant)\b", "teaching assistant"),
    (r"^(head|director) of ", "middle leader"),
    (r"\b(lead|leader|coordinator|co ordinator)$", "middle leader"),
    (r"^teacher of |\bteacher$", "teacher"),
)

# fmt: off

JUDGEMENT_WORDS = _table({
    "outstanding": (
        "outstanding", "strong", "grade 1 outstanding", "exceptional",
    ),
    "good": (
        "good", "secure", "good+", "good +", "good plus", "good with outstanding features",
        "good outstanding features", "good to outstanding",
    ),
    "requires improvement": (
        "requires improvement", "ri", "req improvement", "requires improvement to be good",
        "developing", "satisfactory",
    ),
    "inadequate": (
        "inadequate", "emerging", "unsatisfactory", "weak",
    ),
    UNGRADED: (
        "ungraded", "not graded", "no grade", "n a", "na", "not judged", "not applicable",
        "unseen",
    ),
})
# fmt: on
# fmt: off

OBSERVER_WORDS = _table({
    "headteacher": (
        "ht", "head", "headteacher", "head teacher", "principal", "executive head",
    ),
    "SLT": (
        "slt", "dht", "aht", "deputy head", "deputy headteacher", "assistant head",
        "assistant headteacher", "vice principal", "assistant principal", "senior leader",
        "senior leadership team",
    ),
    "HoD": (
        "hod", "head of department", "head of faculty", "subject leader", "subject lead",
        "curriculum leader", "middle leader", "hoy", "head of year",
    ),
    "external": (
        "external", "la adviser", "la advisor", "local authority adviser",
        "local authority advisor", "external adviser", "school improvement partner", "sip",
        "ofsted", "inspector", "trust adviser",
    ),
    "SLE": (
        "sle", "specialist leader of education",
    ),
    "line manager": (
        "line manager", "lm",
    ),
    "peer": (
        "peer", "colleague", "peer observation",
    ),
    "self": (
        "self", "self assessment", "self review",
    ),
    "mentor": (
        "mentor", "ect mentor", "induction tutor",
    ),
    "coach": (
        "coach", "instructional coach",
    ),
    "moderator": (
        "moderator",
    ),
})
# fmt: on
# fmt: off

STATUS_WORDS = _table({
    "closed": (
        "achieved", "met", "completed", "complete", "done", "closed", "fully met",
    ),
    "open": (
        "open", "in progress", "ongoing", "on track", "started", "not started",
        "not yet started", "planned", "new", "partially met", "partially achieved",
    ),
    "matched": (
        "matched", "allocated", "coach found",
    ),
    "withdrawn": (
        "withdrawn", "cancelled", "canceled", "no longer needed",
    ),
})
# fmt: on
# fmt: off
#: School phases as the register of schools (GIAS) and schools' own lists write them.

SCHOOL_PHASE_WORDS = _table({
    "nursery": (
        "nursery", "nursery school", "early years",
    ),
    "primary": (
        "primary", "infant", "junior", "first", "primary school", "infant and junior",
    ),
    "middle": (
        "middle", "middle deemed primary", "middle deemed secondary", "middle school",
    ),
    "secondary": (
        "secondary", "secondary school", "high school", "upper",
    ),
    "all-through": (
        "all-through", "all through", "through school",
    ),
    "special": (
        "special", "special school", "community special school",
        "foundation special school",
    ),
    "alternative provision": (
        "alternative provision", "ap", "pupil referral unit", "pru",
    ),
    "16 plus": (
        "16 plus", "16+", "sixth form", "sixth form college", "post 16", "16 to 19",
    ),
})
# fmt: on
_TITLE = re.compile(r"^(mr|mrs|ms|miss|mx|dr|prof|sir|dame)\.?\s", re.IGNORECASE)


def _lookup(text: str, table: dict[str, str], saved: dict[str, str]) -> Reading | None:
    k = norm(text)
    if k in saved:
        return Reading(saved[k], "saved")
    if k in table:
        return Reading(table[k], "exact" if k == norm(table[k]) else "map")
    return None


def _fuzzy(text: str, table: dict[str, str]) -> Reading:
    """The nearest words, as a question; never an answer."""
    # Very short words (RI, HT, n/a) are too short to read by likeness: exact or nothing.
    words = [w for w in table if len(w) >= 4]
    found = process.extract(norm(text), words, scorer=fuzz.WRatio, limit=8)
    if len(norm(text)) < 4:
        found = [(w, 0.0, i) for w, _s, i in found]
    choices: list[str] = []
    for word, score, _ in found:
        if table[word] not in choices and score >= 60:
            choices.append(table[word])
    if found and found[0][1] >= FUZZY_CUTOFF:
        return Reading(table[found[0][0]], "fuzzy", tuple(choices[:3]))
    return Reading(None, "unknown", tuple(choices[:3] or sorted(set(table.values()))[:4]))


def read_role(text: str, saved: dict[str, str] | None = None) -> Reading:
    """A job title as written ("Class Teacher", "HLTA", "Deputy Head") into a role."""
    hit = _lookup(text, ROLE_WORDS, saved or {})
    if hit:
        return hit
    k = norm(text)
    for pattern, role in ROLE_RULES:
        if re.search(pattern, k):
            return Reading(role, "rule")
    return _fuzzy(text, ROLE_WORDS)


def read_judgement(text: str, saved: dict[str, str] | None = None) -> Reading | None:
    """A judgement word into outstanding/good/requires improvement/inadequate, or
    `UNGRADED`. None for a number (read on the declared scale elsewhere)."""
    t = text.strip()
    if re.fullmatch(r"[0-9.]+", t):
        return None
    hit = _lookup(t, JUDGEMENT_WORDS, saved or {})
    if hit:
        return hit
    # "1 - Outstanding", "Grade 2 (Good)": the word decides, never the number.
    words = re.sub(r"\b(grade|judgement)\b|[0-9]+", " ", t, flags=re.IGNORECASE)
    if norm(words) != norm(t) and norm(words):
        hit = _lookup(words, JUDGEMENT_WORDS, saved or {})
        if hit:
            return Reading(hit.value, "map")
    return _fuzzy(t, JUDGEMENT_WORDS)


def read_observer(text: str, saved: dict[str, str] | None = None) -> Reading | None:
    """An observer label into the role labels; a person's name is dropped, keeping a role
    given beside it ("Mrs Smith (DHT)" -> SLT; "Jane Smith" -> not recorded). None for
    anything that may be a staff code (one word, no known label): identity decides."""
    hit = _lookup(text, OBSERVER_WORDS, saved or {})
    if hit:
        return hit
    inner = re.findall(r"\(([^)]*)\)|[,/-]\s*([^,/-]+)$", text)
    for a, b in inner:
        role = _lookup(a or b, OBSERVER_WORDS, saved or {})
        if role:
            return Reading(role.value, "map")
    if _TITLE.match(text.strip()) or re.fullmatch(r"[A-Z][a-z'’-]+(\s+[A-Z][a-z'’-]+)+", text):
        return Reading(NOT_RECORDED, "map")
    return None


def read_school_phase(text: str, saved: dict[str, str] | None = None) -> Reading:
    """A school's phase as the register writes it ("Middle deemed secondary") into ours.
    GIAS's "Not applicable" (special schools, PRUs) is not guessed: say which."""
    return _lookup(text, SCHOOL_PHASE_WORDS, saved or {}) or _fuzzy(text, SCHOOL_PHASE_WORDS)


def read_status(text: str, saved: dict[str, str] | None = None) -> Reading:
    """An objective or need status ("Achieved", "In progress") into the needs statuses."""
    return _lookup(text, STATUS_WORDS, saved or {}) or _fuzzy(text, STATUS_WORDS)


_COURSE = re.compile(
    r"\b(level|lvl|stage|part|day|module|unit|year)\s*\d+\b"
    r"|\b(foundation|beginners?|advanced|intermediate|refresher|update|basic|introductory"
    r"|introduction to|intro to|training|course|workshop|certificate|certification|accredited"
    r"|programme|program|session|online|e-learning|elearning|twilight|inset|cpd)\b"
    r"|\b(19|20)\d{2}(/\d{2,4})?\b",
    re.IGNORECASE,
)


def course_core(text: str) -> str | None:
    """A course title without its course words ("Makaton Level 1" -> "Makaton",
    "Team Teach Level 2 training" -> "Team Teach"), or None when nothing was taken out.
    A rule, not a guess: the remainder must still name a skill exactly to be used."""
    core = _COURSE.sub(" ", text)
    core = re.sub(r"\(\s*\)|[-:–,]\s*$|^\s*[-:–,]", " ", core)
    core = re.sub(r"\s+", " ", core).strip(" -:–,")
    return core if core and core.lower() != text.strip().lower() else None


def split_list(text: str, is_skill: Callable[[str], bool]) -> list[str] | None:
    """Split a list cell on ; , / and " and " — but only where the parts are skills, so
    "Design and technology" stays one skill and "Art & Design, Music" becomes two. None when
    no split makes every part a skill."""
    if is_skill(text):
        return [text.strip()]
    for sep in (r";", r",", r"/", r"\s+and\s+|\s*\+\s*"):
        parts = [p.strip() for p in re.split(sep, text) if p.strip()]
        if len(parts) < 2:
            continue
        out: list[str] = []
        for part in parts:
            sub = split_list(part, is_skill)
            if sub is None:
                break
            out += sub
        else:
            return out
    return None
