"""What a need's form and command read and check before the register writes: the skill from
free text (never a guess), the member of staff (only one the viewer may see) and the values.
Why apart from `needs`: the page's choice list, the command line and the register's writes
share these checks, so a need is refused the same way everywhere. (The duplicate check reads
other people's needs without a viewer, so it stays private to `needs`.)"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering.db import Connection, query_df
from brokering.errors import AmbiguousQuery, NotFoundError, ValidationError
from brokering.importing.spec import PRIORITIES, WANTED_ROLES
from brokering.settings import MAX_REF_LENGTH, MAX_TEXT_LENGTH
from brokering.taxonomy import SkillMatcher
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql


def resolve_skill(con: Connection, text: str) -> str:
    """A skill id from an id, a name, an alias or a close spelling; never a guess."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Say which skill the need is in.")
    if con.execute("SELECT 1 FROM skills WHERE skill_id = ?", [text]).fetchall():
        return text
    match = SkillMatcher.from_db(con).match(text)
    if match.ok and match.skill_id:
        return match.skill_id
    if match.status == "ambiguous":
        raise AmbiguousQuery(f"'{text}' could be several skills.", list(match.suggestions))
    raise AmbiguousQuery(f"No skill in the taxonomy matches '{text}'.", list(match.suggestions))


def staff_of(con: Connection, viewer: Viewer, staff_ref: str) -> tuple[str, str, date | None]:
    """(school_id, school name, left_on) of a member of staff the viewer may see."""
    ref = (staff_ref or "").strip()
    if not ref or len(ref) > MAX_REF_LENGTH:
        raise ValidationError("Give the member of staff's reference (their staff_ref).")
    vis, params = visible_staff_sql(viewer, "st") if not viewer.sees_everyone else ("TRUE", [])
    rows = con.execute(
        f"SELECT st.school_id, sc.name, st.left_on FROM staff st "  # noqa: S608
        f"JOIN schools sc USING (school_id) WHERE st.staff_ref = ? AND {vis}",
        [ref, *params],
    ).fetchall()
    if not rows:
        raise NotFoundError(
            f"There is no member of staff '{ref}' that you can see. Check the reference."
        )
    return rows[0]


def check_values(priority: str, wanted_role: str, hours: float | None, note: str | None) -> None:
    """The priority, role wanted, hours and note of a need, refused with the rule broken."""
    if priority not in PRIORITIES:
        raise ValidationError(f"Priority must be one of: {', '.join(PRIORITIES)}.")
    if wanted_role not in WANTED_ROLES:
        raise ValidationError(f"The role wanted must be one of: {', '.join(WANTED_ROLES)}.")
    if hours is not None and not 0 < float(hours) <= 1000:
        raise ValidationError("Hours a term must be more than 0 and at most 1,000.")
    if note is not None and len(note) > MAX_TEXT_LENGTH:
        raise ValidationError(f"The note is longer than {MAX_TEXT_LENGTH} characters.")


def skill_choices(con: Connection) -> pd.DataFrame:
    """Every taxonomy skill (id, name, area) for a form's choice list, by name."""
    return query_df(con, "SELECT skill_id, name, area FROM skills ORDER BY name")
