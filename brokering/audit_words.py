"""The audit trail as it is read: actions and details in a school leader's words.

Why a module of its own: the trail (`audit`) keeps what was recorded, references and all,
chained and never rewritten; this names what an entry's detail refers to — an action in
words, a role, a school and a skill by name — when the Audit trail page (and its download)
shows it, so no code or reference reaches the screen."""

from __future__ import annotations

import json

import pandas as pd

from brokering import dates
from brokering.db import Connection

#: Each action in a school leader's words (an action not listed is shown with its dots and
#: underscores as spaces).
ACTION_WORDS = {
    "sign_in": "Signed in",
    "sign_in.refused": "Sign-in refused",
    "sign_out": "Signed out",
    "search": "Searched for expertise",
    "candidates": "Listed candidates for a need",
    "profile.view": "Viewed a profile",
    "import": "Imported files",
    "export": "Exported or downloaded",
    "download": "Downloaded a file",
    "consent.give": "Consent given",
    "consent.withdraw": "Consent withdrawn",
    "consent.kept": "Consent withdrawal kept (import held back)",
    "account.create": "Account created",
    "account.disable": "Account disabled",
    "account.enable": "Account enabled",
    "account.password": "Password set",
    "account.role": "Role changed",
    "need.add": "Need added",
    "need.edit": "Need changed",
    "request.send": "Request sent",
    "request.withdrawn": "Request withdrawn",
    "request.lapsed": "Request lapsed",
    "request.noted": "Request noted",
    "reminders.sent": "Reminders sent",
    "availability.confirm": "Availability confirmed",
    "allocation.commit": "Allocation sent as requests",
    "pairing.change": "Pairing changed",
    "pairing.entry": "Pairing log entry",
    "pairing.log": "Pairing log entry",
    "maturity.judgement": "Maturity judgement recorded",
    "settings.change": "Alliance setting changed",
    "names.load": "Names loaded for a school",
    "demo.build": "Demo alliance built",
    "demo.refused": "Demo build refused",
    "init": "Store set up",
    "backup": "Backup made",
    "restore": "Store restored from a backup",
}
_DETAIL_WORDS = {
    "staff_ref": "person",
    "skill_id": "skill",
    "school_id": "school",
    "rows": "rows",
    "table": "table",
    "download": "file",
    "files": "files",
    "ok": "accepted",
    "applied": "written",
    "dry_run": "check only",
    "problems": "problems",
    "file_date": "date in the file",
    "tried": "account tried",
    "by": "by",
    "reason": "reason",
    "failures": "failures in a row",
    "username": "account",
    "role": "role",
    "first_administrator": "first administrator",
    "demo_accounts": "demo accounts",
    "need_id": "need",
    "request_id": "request",
    "request_ids": "requests",
    "import_id": "import batch",
    "bytes": "size in bytes",
}


def action_words(action: str) -> str:
    """An action as the trail shows it: "Sign-in refused", not `sign_in.refused`."""
    return ACTION_WORDS.get(action, action.replace(".", " ").replace("_", " ").capitalize())


def describe(
    detail: object,
    schools: dict[str, str] | None = None,
    skills: dict[str, str] | None = None,
) -> str:
    """An entry's detail as readable text: "table staff; rows 12", not JSON. Roles, schools
    and skills are named in words (`schools`: school_id -> name; `skills`: skill_id ->
    name); a reference no longer in the store is kept as it was recorded."""
    from brokering.viewer import ROLE_LABELS

    if not isinstance(detail, str) or not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return str(data)
    schools, skills = schools or {}, skills or {}

    def word(key: str, value: object) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            if not value:  # a search over every phase records none
                return "any" if key == "phases" else "none"
            return ", ".join(word(key, v) for v in value)
        if value is None:
            # a search over every school records no school; an entry with no school_id
            # was made alliance-wide
            return {"school_id": "alliance-wide", "school": "all schools"}.get(key, "none")
        if key == "role":
            return ROLE_LABELS.get(str(value), str(value)).lower()
        if key in _SCHOOL_KEYS:
            return schools.get(str(value), str(value))
        if key in _SKILL_KEYS:
            return skills.get(str(value), str(value))
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}" if key not in _IDS else str(value)
        return str(value)

    return "; ".join(
        f"{_DETAIL_WORDS.get(k, k.replace('_', ' '))} {word(k, v)}".strip() for k, v in data.items()
    )


#: Detail keys whose values are a school's or a skill's reference, named when shown.
_SCHOOL_KEYS = frozenset({"school_id", "school"})
_SKILL_KEYS = frozenset({"skill_id", "skill"})

#: Detail keys whose numbers are identifiers, written without thousands separators.
_IDS = frozenset({"import_id", "request_id", "request_ids", "need_id", "audit_id"})


def readable(
    frame: pd.DataFrame,
    schools: dict[str, str] | None = None,
    skills: dict[str, str] | None = None,
) -> pd.DataFrame:
    """`audit.entries` as the Audit trail page shows it: columns in words, the time to the
    second without a date's midnight, roles, schools and skills named, details as text, no
    None. A refused sign-in names the account tried, so its role and school are left
    blank."""
    from brokering.viewer import ROLE_LABELS

    schools = schools or {}
    refused = frame["action"] == "sign_in.refused"

    def school(value: object) -> str:
        if value is None or pd.isna(value):
            return "Alliance-wide"
        return schools.get(str(value), str(value))

    return pd.DataFrame(
        {
            # a moment, not its text: the page's table sorts it by time and writes it the
            # one way ("5 Dec 2026, 14:03:07"); a download keeps it ISO
            "When (UTC)": pd.to_datetime(frame["at_time"]).dt.floor("s"),
            "Who": frame["username"].fillna(dates.NONE),
            "Role": [
                dates.NONE if r else ROLE_LABELS.get(v, v)
                for v, r in zip(frame["role"], refused, strict=True)
            ],
            "School": [
                dates.NONE if r else school(v)
                for v, r in zip(frame["school_id"], refused, strict=True)
            ],
            "What": frame["action"].map(action_words),
            "Details": frame["detail"].map(lambda d: describe(d, schools, skills)),
            "Run by": frame["operator"].map(
                lambda o: "the app" if o is None or pd.isna(o) else str(o)
            ),
        }
    )


def school_names(con: Connection) -> dict[str, str]:
    """school_id -> name, for naming schools in the trail."""
    return dict(con.execute("SELECT school_id, name FROM schools").fetchall())


def skill_names(con: Connection) -> dict[str, str]:
    """skill_id -> name, for naming skills in the trail."""
    return dict(con.execute("SELECT skill_id, name FROM skills").fetchall())
