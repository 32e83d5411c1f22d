"""The needs register: list, filter, add, edit and close development needs.

Why checks live here and not in the form: the page, the command line and the importer's
users all add needs, and a need for a leaver, a duplicate of an open need or an unknown skill
must be refused the same way everywhere. Every change is kept in `need_events` with who and
when, and written to the audit trail.

Status moves: open -> matched (only by an accepted request), open -> closed | withdrawn,
matched -> closed. Closing a need withdraws the requests still awaiting an answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import date

import duckdb
import pandas as pd

from brokering import audit, dates
from brokering.db import Connection, query_df, transaction
from brokering.errors import NotFoundError, StoreError, ValidationError
from brokering.matching.need_checks import check_values, staff_of
from brokering.matching.need_checks import resolve_skill as resolve_skill
from brokering.matching.need_checks import skill_choices as skill_choices
from brokering.matching.rules import require_need_manager
from brokering.settings import DEFAULT_RELATIONSHIP_HOURS, MAX_TEXT_LENGTH
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

CLOSING_STATUSES = ("closed", "withdrawn")
_UNSET = object()


@dataclass(frozen=True)
class Need:
    need_id: str
    staff_ref: str
    school_id: str
    school_name: str
    skill_id: str
    skill_name: str
    priority: str
    wanted_role: str
    raised_on: date
    status: str
    hours: float | None
    note: str | None
    line_manager_ref: str | None
    phases: tuple[str, ...]
    staff_left_on: date | None

    def effective_hours(self, default: float = DEFAULT_RELATIONSHIP_HOURS) -> float:
        return float(self.hours) if self.hours is not None else default

    def describe(self, who: str | None = None) -> str:
        """`describe_need` for this need (`who`: the person as the viewer may read them)."""
        return describe_need(
            self.skill_name,
            who or self.staff_ref,
            self.school_name,
            self.raised_on,
            self.wanted_role,
            self.priority,
        )

    def label(self) -> str:
        return (
            f"{self.need_id} · {self.staff_ref} ({self.school_name}) — {self.skill_name}, "
            f"{self.wanted_role}, {self.priority} priority"
        )


def describe_need(
    skill: str,
    who: str,
    school: str,
    raised_on: object,
    wanted_role: str | None = None,
    priority: str | None = None,
) -> str:
    """A need in a leader's words: "Phonics for S0144 at Oakfield, raised 12 Feb 2025 — a
    coach wanted, high priority" (a reference such as "N0012" means nothing to a head).
    `who` is the person as the viewer may read them: only needs the viewer may see reach
    here (`list_needs`), so no one hidden is named."""
    text = f"{skill} for {who} at {school}"
    raised = dates.day(raised_on)
    text += f", raised {raised}" if raised else ""
    wanted = {"either": "a coach or a mentor wanted"}.get(
        str(wanted_role), f"a {wanted_role} wanted" if wanted_role else ""
    )
    wants = [w for w in (wanted, f"{priority} priority" if priority else "") if w]
    return text + (" — " + ", ".join(wants) if wants else "")


def _need_visibility(viewer: Viewer) -> tuple[str, list[object]]:
    """The data manager sees every need, leavers' too (to close them); everyone else sees
    the needs of the staff they may see."""
    viewer.require_listing()
    if viewer.sees_everyone:
        return "TRUE", []
    return visible_staff_sql(viewer, "st")


_SELECT = """
    SELECT n.need_id, n.staff_ref, st.school_id, sc.name AS school_name, n.skill_id,
           sk.name AS skill_name, n.priority, n.wanted_role, n.raised_on, n.status, n.hours,
           n.note, st.line_manager_ref, st.phases, st.left_on AS staff_left_on,
           (SELECT count(*) FROM match_requests r
             WHERE r.need_id = n.need_id AND r.status = 'pending') AS pending_requests
    FROM needs n JOIN staff st USING (staff_ref)
    JOIN schools sc ON sc.school_id = st.school_id
    LEFT JOIN skills sk ON sk.skill_id = n.skill_id
"""


def list_needs(
    con: Connection,
    viewer: Viewer,
    *,
    statuses: tuple[str, ...] | list[str] | None = ("open",),
    school_id: str | None = None,
    skill_id: str | None = None,
    priority: str | None = None,
    wanted_role: str | None = None,
    staff_ref: str | None = None,
) -> pd.DataFrame:
    """Needs the viewer may see, filtered; high priority and oldest first."""
    vis, params = _need_visibility(viewer)
    where = [vis]
    for column, value in (
        ("st.school_id", school_id),
        ("n.skill_id", skill_id),
        ("n.priority", priority),
        ("n.wanted_role", wanted_role),
        ("n.staff_ref", staff_ref),
    ):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if statuses:
        where.append("list_contains(?::VARCHAR[], n.status)")
        params.append(list(statuses))
    sql = (
        f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY "  # noqa: S608 - code fragments
        "CASE n.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, n.raised_on, n.need_id"
    )
    return query_df(con, sql, params)


def get_need(con: Connection, viewer: Viewer, need_id: str) -> Need:
    """The need, if the viewer may see it. Read a table at a time, each by its primary key:
    one read joining them would scan staff (470,000 rows at national scale), and the
    candidates list for a need starts here."""
    vis, params = _need_visibility(viewer)
    missing = NotFoundError(f"There is no need '{need_id}' that you can see.")
    needs = _rows(
        con,
        "SELECT need_id, staff_ref, skill_id, priority, wanted_role, raised_on, status, hours, "
        "note FROM needs WHERE need_id = ?",
        [need_id],
    )
    if not needs:
        raise missing
    nid, staff_ref, skill_id, priority, wanted_role, raised_on, status, hours, note = needs[0]
    staff = _rows(
        con,
        "WITH st AS MATERIALIZED (SELECT school_id, line_manager_ref, phases, left_on, "  # noqa: S608
        "share_consent FROM staff WHERE staff_ref = ?) "
        f"SELECT school_id, line_manager_ref, phases, left_on FROM st WHERE {vis}",
        [staff_ref, *params],
    )
    if not staff:
        raise missing
    school_id, line_manager_ref, phases, left_on = staff[0]
    school = _rows(con, "SELECT name FROM schools WHERE school_id = ?", [school_id])
    if not school:
        raise missing
    skill = _rows(con, "SELECT name FROM skills WHERE skill_id = ?", [skill_id])
    return Need(
        need_id=str(nid),
        staff_ref=str(staff_ref),
        school_id=str(school_id),
        school_name=str(school[0][0]),
        skill_id=str(skill_id),
        skill_name=str((skill[0][0] if skill else None) or skill_id),
        priority=str(priority),
        wanted_role=str(wanted_role),
        raised_on=raised_on,
        status=str(status),
        hours=float(hours) if hours is not None else None,
        note=note,
        line_manager_ref=line_manager_ref,
        phases=tuple(phases if phases is not None else ()),
        staff_left_on=left_on,
    )


def _rows(con: Connection, sql: str, params: list[object]) -> list[tuple]:
    """A read's rows, a driver error becoming the `StoreError` that `query_df` raises."""
    try:
        return con.execute(sql, params).fetchall()
    except duckdb.Error as exc:
        raise StoreError(f"The database could not answer that request: {exc}") from exc


def _check_duplicate(con: Connection, staff_ref: str, skill_id: str, other_than: str) -> None:
    """Refuse a second open or matched need of one person in one skill: edit the first."""
    rows = con.execute(
        "SELECT need_id, status FROM needs WHERE staff_ref = ? AND skill_id = ? "
        "AND status IN ('open', 'matched') AND need_id <> ? ORDER BY need_id",
        [staff_ref, skill_id, other_than],
    ).fetchall()
    if rows:
        raise ValidationError(
            f"{staff_ref} already has {'an' if rows[0][1] == 'open' else 'a'} {rows[0][1]} need "
            f"in this skill ({rows[0][0]}); "
            "edit that one instead of adding a duplicate."
        )


def _next_id(con: Connection) -> str:
    ids = [r[0] for r in con.execute("SELECT need_id FROM needs").fetchall()]
    numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(r"N(\d+)", i))]
    return f"N{(max(numbers) + 1 if numbers else 1):04d}"


def _event(
    con: Connection,
    viewer: Viewer,
    need_id: str,
    action: str,
    before: Need | None,
    after: Need | None,
    reason: str | None = None,
) -> None:
    con.execute(
        "INSERT INTO need_events (need_id, username, role, school_id, action, before_json, "
        "after_json, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            need_id,
            viewer.username,
            viewer.role,
            viewer.school_id,
            action,
            json.dumps(asdict(before), default=str) if before else None,
            json.dumps(asdict(after), default=str) if after else None,
            reason,
        ],
    )


def add_need(
    con: Connection,
    viewer: Viewer,
    *,
    staff_ref: str,
    skill: str,
    priority: str = "medium",
    wanted_role: str = "either",
    raised_on: date | None = None,
    hours: float | None = None,
    note: str | None = None,
    today: date | None = None,
) -> Need:
    """Add an open need; refused for a leaver, an unknown skill or a duplicate."""
    today = today or date.today()
    raised_on = raised_on or today
    school_id, school_name, left_on = staff_of(con, viewer, staff_ref)
    require_need_manager(viewer, school_id, school_name)
    if left_on is not None:
        raise ValidationError(
            f"{staff_ref.strip()} left on {left_on:%d %B %Y}: a new need for someone who has "
            "left is refused."
        )
    skill_id = resolve_skill(con, skill)
    check_values(priority, wanted_role, hours, note)
    if raised_on > today:
        raise ValidationError("The date raised cannot be in the future.")
    ref = staff_ref.strip()
    _check_duplicate(con, ref, skill_id, "")
    with transaction(con):
        need_id = _next_id(con)
        con.execute(
            "INSERT INTO needs (need_id, staff_ref, skill_id, priority, wanted_role, raised_on, "
            "status, hours, note) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            [need_id, ref, skill_id, priority, wanted_role, raised_on, hours, note or None],
        )
        after = get_need(con, viewer, need_id)
        _event(con, viewer, need_id, "created", None, after)
    audit.record(con, viewer, "need.add", {"need_id": need_id, "skill_id": skill_id})
    return after


def edit_need(
    con: Connection,
    viewer: Viewer,
    need_id: str,
    *,
    skill: str | None = None,
    priority: str | None = None,
    wanted_role: str | None = None,
    raised_on: date | None = None,
    hours: float | None | object = _UNSET,
    note: str | None | object = _UNSET,
) -> Need:
    """Change an open need; what it asks for is frozen while a request awaits an answer."""
    before = get_need(con, viewer, need_id)
    require_need_manager(viewer, before.school_id, before.school_name)
    if before.status != "open":
        raise ValidationError(f"{need_id} is {before.status}; only open needs can be edited.")
    skill_id = resolve_skill(con, skill) if skill else before.skill_id
    new_hours = before.hours if hours is _UNSET else hours
    new_note = before.note if note is _UNSET else (note or None)
    new = {
        "skill_id": skill_id,
        "priority": priority or before.priority,
        "wanted_role": wanted_role or before.wanted_role,
        "raised_on": raised_on or before.raised_on,
        "hours": new_hours,
        "note": new_note,
    }
    check_values(new["priority"], new["wanted_role"], new_hours, new_note)  # type: ignore[arg-type]
    if raised_on is not None and raised_on > date.today():
        raise ValidationError("The date raised cannot be in the future.")
    pending = _pending(con, need_id)
    asked_changed = (
        skill_id != before.skill_id
        or new["wanted_role"] != before.wanted_role
        or new_hours != before.hours
    )
    if pending and asked_changed:
        raise ValidationError(
            f"{need_id} has {pending} request(s) awaiting an answer: withdraw them before "
            "changing the skill, role or hours."
        )
    _check_duplicate(con, before.staff_ref, skill_id, need_id)
    with transaction(con):
        con.execute(
            "UPDATE needs SET skill_id = ?, priority = ?, wanted_role = ?, raised_on = ?, "
            "hours = ?, note = ? WHERE need_id = ?",
            [*new.values(), need_id],
        )
        after = get_need(con, viewer, need_id)
        _event(con, viewer, need_id, "edited", before, after)
    audit.record(con, viewer, "need.edit", {"need_id": need_id})
    return after


def _pending(con: Connection, need_id: str) -> int:
    return int(
        con.execute(
            "SELECT count(*) FROM match_requests WHERE need_id = ? AND status = 'pending'",
            [need_id],
        ).fetchall()[0][0]
    )


def close_need(
    con: Connection, viewer: Viewer, need_id: str, *, status: str = "closed", reason: str = ""
) -> Need:
    """Close (done, or no longer wanted) or withdraw a need, with a reason."""
    if status not in CLOSING_STATUSES:
        raise ValidationError(f"A need is closed as one of: {', '.join(CLOSING_STATUSES)}.")
    before = get_need(con, viewer, need_id)
    require_need_manager(viewer, before.school_id, before.school_name)
    allowed = {"open": CLOSING_STATUSES, "matched": ("closed",)}.get(before.status, ())
    if status not in allowed:
        raise ValidationError(f"{need_id} is {before.status} and cannot become {status}.")
    if len(reason) > MAX_TEXT_LENGTH:
        raise ValidationError(f"The reason is longer than {MAX_TEXT_LENGTH} characters.")
    with transaction(con):
        con.execute("UPDATE needs SET status = ? WHERE need_id = ?", [status, need_id])
        con.execute(
            "UPDATE match_requests SET status = 'withdrawn', decided_by = ?, decided_role = ?, "
            "decided_school_id = ?, decided_at = current_timestamp, reason = ? "
            "WHERE need_id = ? AND status = 'pending'",
            [viewer.username, viewer.role, viewer.school_id, f"Need {status}", need_id],
        )
        after = get_need(con, viewer, need_id)
        _event(con, viewer, need_id, status, before, after, reason or None)
    audit.record(con, viewer, f"need.{status}", {"need_id": need_id, "reason": reason})
    return after


def need_history(con: Connection, viewer: Viewer, need_id: str) -> pd.DataFrame:
    """Every recorded change to a need the viewer may see, oldest first."""
    get_need(con, viewer, need_id)
    return query_df(
        con,
        "SELECT at_time, username, role, school_id, action, reason, before_json, after_json "
        "FROM need_events WHERE need_id = ? ORDER BY event_id",
        [need_id],
    )
