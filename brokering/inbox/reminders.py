"""E-mail reminders: a daily digest of what waits for each user, through the alliance's own
mail server. Off unless a mail server is configured.

Why counts and a link only: an e-mail leaves the alliance's systems — it is forwarded,
previewed on phones, kept in mailboxes nobody audits. So the message says how many things
wait and how many requests lapse soon, and links to the app; no staff reference, school,
skill or note is ever in it. One digest a day per account (`reminder_log`), only to enabled
accounts with an e-mail address and something waiting.

Settings, from the environment or else the `[smtp]` table of `.streamlit/secrets.toml`:
`BROKERING_SMTP_HOST` (`host`; no host = reminders off), `BROKERING_SMTP_PORT` (`port`,
default 587), `BROKERING_SMTP_USER` / `BROKERING_SMTP_PASSWORD` (`user`, `password`;
optional), `BROKERING_SMTP_FROM` (`from`, required), `BROKERING_SMTP_SECURITY` (`security`:
`starttls` (default), `ssl` or `none`). The link is the alliance setting `app_link`, else
`BROKERING_APP_URL`, else the local address.
"""

from __future__ import annotations

import os
import smtplib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from brokering import alliance_settings, audit
from brokering.accounts import viewer_for_username
from brokering.db import Connection, transaction
from brokering.errors import BrokeringError, ValidationError
from brokering.inbox.items import build_inbox
from brokering.settings import LAPSING_SOON_SCHOOL_DAYS, PROJECT_ROOT
from brokering.terms import school_days_between
from brokering.viewer import operator

SECRETS = PROJECT_ROOT / ".streamlit" / "secrets.toml"
SECURITY = ("starttls", "ssl", "none")
DEFAULT_LINK = "http://127.0.0.1:8501"
#: What each kind is called in a digest (counts only).
WORDS = {
    "request_to_decide": "requests for your colleagues to answer",
    "request_lapsed": "requests of yours that lapsed unanswered",
    "request_answered": "answers to your requests",
    "coach_unavailable": "colleagues who may no longer be available",
    "pairing_overdue": "pairings overdue for review",
    "pairing_quiet": "pairings gone quiet",
    "need_unproposed": "needs nobody has been asked for",
}


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    security: str = "starttls"


@dataclass(frozen=True)
class Digest:
    username: str
    email: str
    waiting: int
    lapsing_soon: int
    subject: str
    body: str


def mail_settings(
    env: Mapping[str, str] | None = None, secrets: Path = SECRETS
) -> MailSettings | None:
    """The mail server, or None when reminders are off (no host). A broken setting is refused
    with the setting named."""
    env = os.environ if env is None else env
    table: dict = {}
    if secrets.exists():
        try:
            table = tomllib.loads(secrets.read_text(encoding="utf-8")).get("smtp", {})
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(f"{secrets} is not valid TOML: {exc}.") from exc

    def read(name: str, key: str, default: str | None = None) -> str | None:
        value = env.get(f"BROKERING_SMTP_{name}")
        if value is None:
            value = table.get(key)
        return default if value in (None, "") else str(value).strip()

    host = read("HOST", "host")
    if not host:
        return None
    port_text = read("PORT", "port", "587")
    try:
        port = int(port_text or "")
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValidationError(
            f"The mail server port '{port_text}' is not a port number (1 to 65535): "
            "check BROKERING_SMTP_PORT."
        )
    sender = read("FROM", "from")
    if not sender or "@" not in sender:
        raise ValidationError(
            "Reminders need a sender address: set BROKERING_SMTP_FROM (for example "
            "broker@your-hub.org.uk)."
        )
    security = (read("SECURITY", "security", "starttls") or "").lower()
    if security not in SECURITY:
        raise ValidationError(
            f"BROKERING_SMTP_SECURITY '{security}' is not one of: {', '.join(SECURITY)}."
        )
    return MailSettings(
        host, port, sender, read("USER", "user"), read("PASSWORD", "password"), security
    )


def _link(con: Connection, env: Mapping[str, str]) -> str:
    return str(alliance_settings.get(con, "app_link") or env.get("BROKERING_APP_URL") or "") or (
        DEFAULT_LINK
    )


def digests(
    con: Connection, *, as_of: date | None = None, env: Mapping[str, str] | None = None
) -> list[Digest]:
    """Today's digest for every enabled account with an e-mail address and something
    waiting, not yet reminded today."""
    as_of = as_of or date.today()
    env = os.environ if env is None else env
    link = _link(con, env)
    accounts = con.execute(
        "SELECT username, email FROM users WHERE NOT disabled AND email IS NOT NULL "
        "AND username NOT IN (SELECT username FROM reminder_log WHERE sent_on = ?) "
        "ORDER BY username",
        [as_of],
    ).fetchall()
    out = []
    for username, email in accounts:
        try:
            viewer = viewer_for_username(con, username)
        except BrokeringError:
            continue
        box = build_inbox(con, viewer, as_of=as_of)
        if not box.count:
            continue
        soon = sum(
            1
            for i in box.of("request_to_decide")
            if i.due is not None and school_days_between(as_of, i.due) <= LAPSING_SOON_SCHOOL_DAYS
        )
        lines = [f"{box.count} item(s) wait for you in the Alliance Expertise Broker:", ""]
        lines += [f"- {n} {WORDS[k]}" for k, n in box.counts().items() if n]
        if soon:
            lines += ["", f"{soon} request(s) lapse within {LAPSING_SOON_SCHOOL_DAYS} school days."]
        lines += ["", f"Open the app to see and decide them: {link}", ""]
        lines += ["You receive this because your account has an e-mail address."]
        subject = f"Alliance Expertise Broker: {box.count} item(s) wait for you"
        out.append(Digest(username, email, box.count, soon, subject, "\n".join(lines)))
    return out


def _connect(settings: MailSettings, factory: Callable[..., smtplib.SMTP] | None) -> smtplib.SMTP:
    if factory is None:
        factory = smtplib.SMTP_SSL if settings.security == "ssl" else smtplib.SMTP
    server = factory(settings.host, settings.port, timeout=30)
    if settings.security == "starttls":
        server.starttls()
    if settings.user:
        server.login(settings.user, settings.password or "")
    return server


def send_reminders(
    con: Connection,
    *,
    as_of: date | None = None,
    dry_run: bool = False,
    env: Mapping[str, str] | None = None,
    secrets: Path = SECRETS,
    factory: Callable[..., smtplib.SMTP] | None = None,
) -> list[Digest]:
    """Send (or, dry run, only work out) today's digests; each one sent is recorded so a
    second run the same day sends nothing again. Switched off in the alliance settings
    ("reminders"), a run sends nothing (a dry run still works them out). A mail server that
    cannot be reached or refuses the sign-in: a plain error, nothing marked sent."""
    as_of = as_of or date.today()
    if not dry_run and not alliance_settings.is_on(con, "reminders"):
        return []  # switched off in the alliance settings: nothing is sent or marked sent
    settings = mail_settings(env, secrets)
    if settings is None and not dry_run:
        raise ValidationError(
            "E-mail reminders are off: set BROKERING_SMTP_HOST and BROKERING_SMTP_FROM (or an "
            "[smtp] table in .streamlit/secrets.toml) to the alliance's mail server."
        )
    todo = digests(con, as_of=as_of, env=env)
    if dry_run or not todo:
        return todo
    assert settings is not None
    try:
        server = _connect(settings, factory)
    except (OSError, smtplib.SMTPException) as exc:
        raise ValidationError(
            f"The mail server {settings.host}:{settings.port} could not be used "
            f"({type(exc).__name__}: {exc}). Check the BROKERING_SMTP_ settings; no reminder "
            "was sent or marked sent."
        ) from exc
    sent: list[Digest] = []
    try:
        for d in todo:
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = settings.sender, d.email, d.subject
            msg.set_content(d.body)
            try:
                server.send_message(msg)
            except smtplib.SMTPException:
                continue  # this address refused; the others still go, this one is not marked
            with transaction(con):
                con.execute(
                    "INSERT INTO reminder_log (username, sent_on, waiting, lapsing) "
                    "VALUES (?, ?, ?, ?)",
                    [d.username, as_of, d.waiting, d.lapsing_soon],
                )
            sent.append(d)
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            pass
    audit.record(con, operator("reminders"), "reminders.sent", {"sent": len(sent)})
    return sent
