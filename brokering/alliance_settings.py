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

Value = int | float | str


@dataclass(frozen=True)
class Setting:
    """One setting: its value's kind follows its default (whole number, number, on/off or
    text); numbers are held between `low` and `high`."""

    name: str
    label: str
    default: Value
    low: float | None = None
    high: float | None = None
    #: For on/off settings: the two words it takes.
    choices: tuple[str, ...] = ()
    #: What a refused value below `low` means, when plainer than the range.
    too_low: str = ""

    def parse(self, value: object) -> Value:
        """The value as stored, or a ValidationError saying what would be accepted."""
        text = str(value).strip()
        if self.choices:
            if text.lower() not in self.choices:
                raise ValidationError(
                    f"{self.label}: say {' or '.join(self.choices)}, not '{text}'."
                )
            return text.lower()
        if isinstance(self.default, str):
            return text
        try:
            number: int | float = (
                int(text) if isinstance(self.default, int) else float(text.replace(",", "."))
            )
        except ValueError as exc:
            kind = "a whole number" if isinstance(self.default, int) else "a number"
            raise ValidationError(f"{self.label}: '{text}' is not {kind}.") from exc
        if number != number or number in (float("inf"), float("-inf")):
            raise ValidationError(f"{self.label}: '{text}' is not a number.")
        if self.low is not None and number < self.low and self.too_low:
            raise ValidationError(
                f"{self.label}: give a number from {self.low:g} to {self.high:g}; {self.too_low}"
            )
        if not (self.low or 0) <= number <= (self.high if self.high is not None else number):
            raise ValidationError(
                f"{self.label}: give a number from {self.low:g} to {self.high:g}."
            )
        return number


SETTINGS = {
    s.name: s
    for s in (
        Setting(
            "reply_days",
            "School days a school has to answer a request",
            settings.REPLY_BY_SCHOOL_DAYS,
            1,
            60,
            too_low="a reply-by date on or before the day a request is sent would be in the past.",
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
        Setting(
            "hours_per_day",
            "Hours in one release day (for capacity stated in days)",
            settings.RELEASE_DAY_HOURS,
            1,
            12,
            too_low="a release day is at least 1 hour.",
        ),
        Setting(
            "reminders",
            "Daily e-mail reminders (once a mail server is configured)",
            "on",
            choices=("on", "off"),
        ),
        Setting("app_link", "Address of the app, for the link in reminder e-mails", ""),
    )
}
CHANGERS = frozenset({"alliance_admin", "sle_coordinator"})


def _known(name: str) -> Setting:
    if name not in SETTINGS:
        raise ValidationError(f"There is no setting '{name}'. Known: {', '.join(SETTINGS)}.")
    return SETTINGS[name]


def _read(spec: Setting, text: str) -> Value:
    if isinstance(spec.default, bool) or spec.choices or isinstance(spec.default, str):
        return str(text)
    return int(text) if isinstance(spec.default, int) else float(text)


def get(con: Connection, name: str) -> Value:
    """The stored value, or the default."""
    spec = _known(name)
    rows = con.execute("SELECT value FROM alliance_settings WHERE name = ?", [name]).fetchall()
    if not rows:
        return spec.default
    return _read(spec, rows[0][0])


def get_int(con: Connection, name: str) -> int:
    value = get(con, name)
    assert isinstance(value, int)
    return value


def get_float(con: Connection, name: str) -> float:
    value = get(con, name)
    assert isinstance(value, int | float)
    return float(value)


def is_on(con: Connection, name: str) -> bool:
    """An on/off setting's state."""
    return get(con, name) == "on"


def current(con: Connection) -> list[dict[str, object]]:
    """Every setting with its value, whether it is the default, who changed it and when:
    for the settings page and `python -m brokering settings show`."""
    stored = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT name, value, changed_by, changed_at FROM alliance_settings"
        ).fetchall()
    }
    out = []
    for spec in SETTINGS.values():
        value, by, at = stored.get(spec.name, (None, None, None))
        out.append(
            {
                "name": spec.name,
                "label": spec.label,
                "value": spec.default if value is None else _read(spec, value),
                "default": spec.default,
                "is_default": value is None,
                "changed_by": by or "",
                "changed_at": at,
            }
        )
    return out


def _follow_release_day(con: Connection, old: float, new: float) -> None:
    """Capacity stated in release days keeps its days when the release day changes length:
    its hours follow. Rows whose hours no longer match their days (a later import gave
    hours alone) are stated in hours and stay as they are."""
    con.execute(
        "UPDATE staff SET capacity_hours = round(capacity_days * ?, 2) "
        "WHERE capacity_days IS NOT NULL AND abs(capacity_hours - capacity_days * ?) <= 0.01",
        [new, old],
    )


def put(con: Connection, viewer: Viewer, name: str, value: object) -> Value:
    """Change one setting (administrator or SLE coordinator); refused values write nothing."""
    spec = _known(name)
    if viewer.role not in CHANGERS:
        raise PermissionDenied(
            "Alliance settings are changed by the alliance administrator or the SLE coordinator."
        )
    value = spec.parse(value)
    before = get(con, name)
    with transaction(con):
        if name == "hours_per_day":
            _follow_release_day(con, float(before), float(value))
        con.execute("DELETE FROM alliance_settings WHERE name = ?", [name])
        con.execute(
            "INSERT INTO alliance_settings (name, value, changed_by) VALUES (?, ?, ?)",
            [name, str(value), viewer.username],
        )
    audit.record(con, viewer, "settings.change", {"name": name, "value": str(value)})
    return value
