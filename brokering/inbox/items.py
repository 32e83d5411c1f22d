"""What waits for one user: the items of their inbox, each with where it is decided.

Why one list for every role: brokering stalls where nobody notices that something waits —
a request to a school its head never saw, an answer the asking leader never read, a pairing
gone quiet, a need nobody has asked anyone for. Each kind below is a question for a named
person, so each user sees only what they can act on:

| kind | who sees it | where it is decided |
|---|---|---|
| `request_to_decide` | headteacher and senior leaders of the asked school | Home |
| `request_answered` | who asked, and leaders of the school with the need | Home (noted) |
| `request_lapsed` | the same | Home (ask the next candidate) |
| `coach_unavailable` | leaders of the coach's own school only | Home (confirm) |
| `pairing_overdue`, `pairing_quiet` | SLE coordinator; leaders of a school in it | JPD pairings |
| `need_unproposed` | SLE coordinator; a school's leaders, its needs | Coaches and mentors |

Answers stay until someone on the asking side notes them (`acknowledge`) or, for a lapse or
decline, asks the next candidate; answers older than `ANSWERED_DAYS` drop off on their own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import pandas as pd

from brokering import alliance_settings, audit
from brokering.db import Connection, query_df, transaction
from brokering.matching import availability
from brokering.matching.needs import list_needs
from brokering.matching.requests import lapse_due
from brokering.matching.rules import can_decide
from brokering.pairings import accountability
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

KINDS = (
    "request_to_decide",
    "request_lapsed",
    "request_answered",
    "coach_unavailable",
    "pairing_overdue",
    "pairing_quiet",
    "need_unproposed",
)
#: Where each kind is decided: a page path of the app (Home is "app_pages/home.py").
DECIDED_ON = {
    "request_to_decide": "app_pages/home.py",
    "request_lapsed": "app_pages/home.py",
    "request_answered": "app_pages/home.py",
    "coach_unavailable": "app_pages/home.py",
    "pairing_overdue": "app_pages/pairings.py",
    "pairing_quiet": "app_pages/pairings.py",
    "need_unproposed": "app_pages/coaches.py",
}
#: An answer not noted by the asking side drops out of the inbox after this many days.
ANSWERED_DAYS = 30
ANSWERED_WINDOW = timedelta(days=ANSWERED_DAYS)
SCHOOL_LEADERS = frozenset({"headteacher", "senior_leader"})
ROLE_WORDS = {"coach": "a coach", "mentor": "a mentor", "either": "a coach or mentor"}


@dataclass(frozen=True)
class Item:
    kind: str
    id: str
    state: str
    title: str
    due: date | None = None
    school_id: str | None = None

    @property
    def page(self) -> str:
        return DECIDED_ON[self.kind]

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["due"] = self.due.isoformat() if self.due else None
        out["page"] = self.page
        return out


@dataclass(frozen=True)
class Inbox:
    as_of: date
    items: list[Item] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    def of(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    def counts(self) -> dict[str, int]:
        return {k: len(self.of(k)) for k in KINDS}


def _date(value: object) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _to_decide(con: Connection, viewer: Viewer) -> list[Item]:
    if not viewer.school_id or not can_decide(viewer, viewer.school_id):
        return []
    frame = query_df(
        con,
        """
        SELECT r.request_id, r.status, r.reply_by, r.coach_ref, r.mode, sk.name AS skill,
               ces.name AS from_school
        FROM match_requests r JOIN staff ce ON ce.staff_ref = r.coachee_ref
        JOIN schools ces ON ces.school_id = ce.school_id
        LEFT JOIN skills sk ON sk.skill_id = r.skill_id
        WHERE r.status = 'pending' AND r.coach_school_id = ?
        ORDER BY r.reply_by NULLS LAST, r.request_id
        """,
        [viewer.school_id],
    )
    return [
        Item(
            "request_to_decide",
            str(r.request_id),
            r.status,
            f"{r.from_school} asks for {r.coach_ref} ({r.mode}, {r.skill})",
            _date(r.reply_by),
            viewer.school_id,
        )
        for r in frame.itertuples()
    ]


def _answered(con: Connection, viewer: Viewer, as_of: date) -> list[Item]:
    vis, vis_params = visible_staff_sql(viewer, "ce")
    leader = viewer.role in SCHOOL_LEADERS and viewer.school_id is not None
    frame = query_df(
        con,
        f"""
        SELECT r.request_id, r.status, r.need_id, r.coach_ref, cs.name AS coach_school,
               sk.name AS skill, r.reason, ce.school_id,
               CASE WHEN {vis} THEN r.coachee_ref END AS coachee_ref
        FROM match_requests r JOIN staff ce ON ce.staff_ref = r.coachee_ref
        JOIN schools cs ON cs.school_id = r.coach_school_id
        LEFT JOIN skills sk ON sk.skill_id = r.skill_id
        WHERE r.status IN ('accepted', 'declined', 'lapsed') AND r.seen_at IS NULL
          AND r.decided_at >= ?
          AND NOT EXISTS (SELECT 1 FROM match_requests x WHERE x.reoffer_of = r.request_id)
          AND (r.requested_by = ? OR (? AND ce.school_id = ?))
        ORDER BY r.decided_at, r.request_id
        """,  # noqa: S608 - fragments are code; values are parameters
        [
            *vis_params,
            as_of - ANSWERED_WINDOW,
            viewer.username,
            leader,
            viewer.school_id,
        ],
    )
    out = []
    for r in frame.itertuples():
        who = f" for {r.coachee_ref}" if isinstance(r.coachee_ref, str) else ""
        what = {
            "accepted": "accepted",
            "declined": f"declined: {r.reason}",
            "lapsed": "lapsed without an answer",
        }[r.status]
        kind = "request_lapsed" if r.status == "lapsed" else "request_answered"
        out.append(
            Item(
                kind,
                str(r.request_id),
                r.status,
                f"{r.coach_ref} ({r.coach_school}) in {r.skill}{who}: {what}",
                None,
                r.school_id,
            )
        )
    return out


def _unavailable(con: Connection, viewer: Viewer, as_of: date) -> list[Item]:
    frame = availability.flagged_for(con, viewer, as_of)
    return [
        Item(
            "coach_unavailable",
            r.staff_ref,
            "possibly unavailable",
            f"{r.staff_ref} may no longer be available: {r.reason}",
            None,
            r.school_id,
        )
        for r in frame.itertuples()
    ]


def _school_name(con: Connection, school_id: str | None) -> str | None:
    if not school_id:
        return None
    rows = con.execute("SELECT name FROM schools WHERE school_id = ?", [school_id]).fetchall()
    return rows[0][0] if rows else None


def _pairings(con: Connection, viewer: Viewer, as_of: date) -> list[Item]:
    if viewer.role != "sle_coordinator" and viewer.role not in SCHOOL_LEADERS:
        return []
    mine = _school_name(con, viewer.school_id)

    def ours(row: object) -> bool:
        if mine is None:
            return True
        return mine in list(row.donor_schools) or mine in list(row.recipient_schools)  # type: ignore[attr-defined]

    weeks = alliance_settings.get_int(con, "quiet_weeks")
    out: list[Item] = []
    late = accountability.overdue(con, viewer, today=as_of)
    for r in late.itertuples():
        if ours(r):
            out.append(
                Item(
                    "pairing_overdue",
                    str(r.pairing_id),
                    r.status,
                    f"{r.practice}: review {r.days_overdue} day(s) overdue, no evidence of "
                    "transfer yet",
                    _date(r.review_date),
                )
            )
    done = {i.id for i in out}
    for r in accountability.quiet(con, viewer, weeks=weeks, today=as_of).itertuples():
        if ours(r) and str(r.pairing_id) not in done:
            out.append(
                Item(
                    "pairing_quiet",
                    str(r.pairing_id),
                    r.status,
                    f"{r.practice}: nothing logged for {r.weeks_quiet} weeks",
                )
            )
    return out


def _needs(con: Connection, viewer: Viewer, skip: set[str]) -> list[Item]:
    if viewer.role != "sle_coordinator" and viewer.role not in SCHOOL_LEADERS:
        return []
    frame = list_needs(con, viewer, statuses=("open",), school_id=viewer.school_id)
    frame = frame[(frame["pending_requests"] == 0) & ~frame["need_id"].isin(skip)]
    return [
        Item(
            "need_unproposed",
            str(r.need_id),
            r.status,
            f"{r.staff_ref} ({r.school_name}) needs "
            f"{ROLE_WORDS.get(r.wanted_role, r.wanted_role)} in {r.skill_name}: nobody asked yet",
            None,
            r.school_id,
        )
        for r in frame.itertuples()
    ]


def build_inbox(con: Connection, viewer: Viewer, *, as_of: date | None = None) -> Inbox:
    """Everything waiting for the viewer, most urgent kinds first. Lapses what is due first,
    so a request past its reply-by date shows as lapsed, never as waiting."""
    if viewer.aggregate_only:
        return Inbox(as_of or date.today())
    as_of = as_of or date.today()
    lapse_due(con, as_of)
    answered = _answered(con, viewer, as_of)
    asked = {
        str(n)
        for (n,) in con.execute(
            "SELECT need_id FROM match_requests WHERE list_contains(?::INTEGER[], request_id)",
            [[int(i.id) for i in answered]],
        ).fetchall()
    }
    items = [
        *_to_decide(con, viewer),
        *[i for i in answered if i.kind == "request_lapsed"],
        *[i for i in answered if i.kind == "request_answered"],
        *_unavailable(con, viewer, as_of),
        *_pairings(con, viewer, as_of),
        *_needs(con, viewer, asked),
    ]
    return Inbox(as_of, items)


def signature(con: Connection, viewer: Viewer, as_of: date | None = None) -> tuple:
    """Cheap counts that change whenever the viewer's inbox could (a page keeps the inbox
    until it does): requests and their states, needs, pairing versions and entries,
    confirmations. Counts only; nobody is listed."""
    row = con.execute(
        """
        SELECT (SELECT count(*) || '/' || coalesce(max(request_id), 0) || '/'
                       || count(seen_at) || '/' || count(*) FILTER (WHERE status = 'pending')
                FROM match_requests),
               (SELECT count(*) || '/' || count(*) FILTER (WHERE status = 'open') FROM needs),
               (SELECT count(*) FROM pairing_versions), (SELECT count(*) FROM pairing_entries),
               (SELECT count(*) FROM availability_confirmations),
               (SELECT count(*) FROM alliance_settings)
        """
    ).fetchall()[0]
    return (viewer, as_of or date.today(), *row)


def acknowledge(con: Connection, viewer: Viewer, request_ids: list[int]) -> int:
    """The asking side has read these answers: they leave its inbox (for everyone on that
    side). Only answers the viewer would see are touched; returns how many."""
    mine = {int(i.id) for i in _answered(con, viewer, date(1900, 1, 1) + ANSWERED_WINDOW)}
    ids = sorted(mine & {int(i) for i in request_ids})
    if not ids:
        return 0
    with transaction(con):
        con.execute(
            "UPDATE match_requests SET seen_by = ?, seen_at = current_timestamp "
            "WHERE list_contains(?::INTEGER[], request_id)",
            [viewer.username, ids],
        )
    audit.record(con, viewer, "request.noted", {"request_ids": ids})
    return len(ids)
