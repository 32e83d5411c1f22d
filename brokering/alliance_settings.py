"""Settings an alliance changes in the app: how long a school has to answer a request, when
a pairing counts as quiet, how many lapsed requests flag a coach, the link in reminders.

Why stored, not in `settings.py`: these are the alliance's own policy (ten school days is a
default, not a law), decided by its administrator or SLE coordinator and kept with who changed
them. The defaults live in `settings.py`, once; a name not yet stored reads its default.
"""

from __future__ import annotations

from dataclasses import dataclass

from brokering import audit, settings
from brokering.db import Connection, transaction
from brokering.errors import PermissionDenied, ValidationError
from brokering.viewer import Viewer


@dataclass(frozen=True)
class Setting:
    name: str
    label: str
    default: int | str
    low: int | None = None
    high: int | None = None


SETTINGS = {
    s.name: s
    for s in (
        Setting(
            "reply_days",
            "School days a school has to answer a request",
            settings.REPLY_BY_SCHOOL_DAYS,
            1,
            60,
        ),
        Setting(
            "quiet_weeks",
            "Weeks without a logged entry before a pairing is quiet",
            settings.QUIET_WEEKS,
            1,
            52,
        ),
        Setting(
            "lapses_to_flag",
            "Lapsed requests before a coach is flagged as possibly unavailable",
            settings.LAPSES_BEFORE_FLAG,
            1,
            20,
        ),
        Setting("app_link", "Address of the app, for the link in reminder e-mails", ""),
    )
}
CHANGERS = frozenset({"alliance_admin", "sle_coordinator"})


def _known(name: str) -> Setting:
    if name not in SETTINGS:
        raise ValidationError(f"There is no setting '{name}'. Known: {', '.join(SETTINGS)}.")
    return SETTINGS[name]


def get(con: Connection, name: str) -> int | str:
    """The stored value, or the default."""
    spec = _known(name)
    rows = con.execute("SELECT value FROM alliance_settings WHERE name = ?", [name]).fetchall()
    if not rows:
        return spec.default
    return int(rows[0][0]) if isinstance(spec.default, int) else str(rows[0][0])


def get_int(con: Connection, name: str) -> int:
    value = get(con, name)
    assert isinstance(value, int)
    return value


def put(con: Connection, viewer: Viewer, name: str, value: int | str) -> int | str:
    """Change one setting (administrator or SLE coordinator); refused values write nothing."""
    spec = _known(name)
    if viewer.role not in CHANGERS:
        raise PermissionDenied(
            "Alliance settings are changed by the alliance administrator or the SLE coordinator."
        )
    if isinstance(spec.default, int):
        try:
            number = int(str(value).strip())
        except ValueError as exc:
            raise ValidationError(f"{spec.label}: '{value}' is not a whole number.") from exc
        if not (spec.low or 0) <= number <= (spec.high or number):
            raise ValidationError(f"{spec.label}: give a number from {spec.low} to {spec.high}.")
        value = number
    else:
        value = str(value).strip()
    with transaction(con):
        con.execute("DELETE FROM alliance_settings WHERE name = ?", [name])
        con.execute(
            "INSERT INTO alliance_settings (name, value, changed_by) VALUES (?, ?, ?)",
            [name, str(value), viewer.username],
        )
    audit.record(con, viewer, "settings.change", {"name": name, "value": str(value)})
    return value
