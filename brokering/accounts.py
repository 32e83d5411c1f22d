"""Local accounts: who may sign in, as what role, for which school.

Passwords are hashed with argon2 (argon2-cffi). Repeated failures slow sign-in down
(each failure doubles the wait) and lock the account after `LOCK_AFTER` failures until
`LOCK_MINUTES` pass. Only the alliance administrator creates, disables or changes accounts;
every change is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from brokering import audit
from brokering.db import Connection, transaction
from brokering.errors import NotFoundError, PermissionDenied, ValidationError
from brokering.viewer import ALLIANCE_WIDE_ROLES, ROLE_LABELS, Viewer

LOCK_AFTER = 5
LOCK_MINUTES = 15
SESSION_HOURS = 8
MIN_PASSWORD = 10
#: The demo alliance's accounts all share this password (listed in the README).
DEMO_PASSWORD = "marlowick-demo"

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


class SignInRefused(PermissionDenied):
    """Wrong details, a disabled account, or the throttle; says when to try again."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    school_id: str | None
    disabled: bool


def _require_admin(actor: Viewer) -> None:
    if actor.role != "alliance_admin":
        raise PermissionDenied("Only the alliance administrator manages accounts.")


def _check(con: Connection, username: str, role: str, school_id: str | None) -> None:
    if not _USERNAME.match(username):
        raise ValidationError("A username is 2-40 characters: lower-case letters, digits, . _ -")
    if role not in ROLE_LABELS:
        raise ValidationError(f"Unknown role '{role}'. Use one of: {', '.join(ROLE_LABELS)}.")
    if role in ALLIANCE_WIDE_ROLES and school_id:
        raise ValidationError(
            f"A {ROLE_LABELS[role].lower()} account is alliance-wide: leave the school blank."
        )
    if role not in ALLIANCE_WIDE_ROLES:
        if not school_id:
            raise ValidationError(f"A {ROLE_LABELS[role].lower()} account belongs to one school.")
        found = con.execute(
            "SELECT count(*) FROM schools WHERE school_id = ?", [school_id]
        ).fetchall()[0][0]
        if not found:
            raise NotFoundError(f"There is no school '{school_id}' in the alliance.")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"Use a password of at least {MIN_PASSWORD} characters.")


def create_user(
    con: Connection,
    actor: Viewer,
    username: str,
    password: str,
    role: str,
    school_id: str | None = None,
    email: str | None = None,
) -> Account:
    _require_admin(actor)
    username = username.strip().lower()
    _check(con, username, role, school_id)
    _check_password(password)
    if con.execute("SELECT count(*) FROM users WHERE username = ?", [username]).fetchall()[0][0]:
        raise ValidationError(f"There is already an account called '{username}'.")
    with transaction(con):
        con.execute(
            "INSERT INTO users (username, password_hash, role, school_id, email, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                username,
                _hasher.hash(password),
                role,
                school_id or None,
                (email or "").strip().lower() or None,
                actor.username,
            ],
        )
        audit.record(
            con,
            actor,
            "account.create",
            {"username": username, "role": role, "school_id": school_id},
        )
    return Account(username, role, school_id or None, False)


def set_disabled(con: Connection, actor: Viewer, username: str, disabled: bool) -> None:
    _require_admin(actor)
    if username == actor.username and disabled:
        raise ValidationError("You cannot disable your own account.")
    with transaction(con):
        n = con.execute(
            "UPDATE users SET disabled = ? WHERE username = ?", [disabled, username]
        ).fetchall()[0][0]
        if not n:
            raise NotFoundError(f"There is no account called '{username}'.")
        audit.record(
            con, actor, "account.disable" if disabled else "account.enable", {"username": username}
        )


def set_password(con: Connection, actor: Viewer, username: str, password: str) -> None:
    if actor.role != "alliance_admin" and actor.username != username:
        raise PermissionDenied("You may change only your own password.")
    _check_password(password)
    with transaction(con):
        n = con.execute(
            "UPDATE users SET password_hash = ?, failed_attempts = 0, next_attempt_at = NULL "
            "WHERE username = ?",
            [_hasher.hash(password), username],
        ).fetchall()[0][0]
        if not n:
            raise NotFoundError(f"There is no account called '{username}'.")
        audit.record(con, actor, "account.password", {"username": username})


def list_users(con: Connection, actor: Viewer) -> pd.DataFrame:
    _require_admin(actor)
    return con.execute(
        "SELECT username, role, school_id, email, disabled, failed_attempts, last_sign_in, "
        "created_at, created_by FROM users ORDER BY username"
    ).df()


def _viewer(row: tuple) -> Viewer:
    return Viewer(role=row[1], school_id=row[2], username=row[0])


def viewer_for_username(con: Connection, username: str) -> Viewer:
    """The command line's `--as USERNAME`: that account's visibility, no password (the
    operator already holds the server)."""
    rows = con.execute(
        "SELECT username, role, school_id, disabled FROM users WHERE username = ?",
        [username.strip().lower()],
    ).fetchall()
    if not rows:
        raise NotFoundError(f"There is no account called '{username}'.")
    if rows[0][3]:
        raise PermissionDenied(f"The account '{username}' is disabled.")
    return _viewer(rows[0])


def viewer_for_email(con: Connection, email: str) -> Viewer:
    """Single sign-on (OIDC): the identity provider vouches for the email; the account
    here says what role it has."""
    rows = con.execute(
        "SELECT username, role, school_id, disabled FROM users WHERE email = ?",
        [email.strip().lower()],
    ).fetchall()
    if not rows or rows[0][3]:
        raise SignInRefused(
            "Your organisation account is not linked to an active account "
            "here. Ask the alliance administrator to add your email."
        )
    return _viewer(rows[0])


def authenticate(
    con: Connection, username: str, password: str, now: datetime | None = None
) -> Viewer:
    """Check a password, applying the throttle; every attempt is audited."""
    now = now or datetime.now()
    name = username.strip().lower()
    rows = con.execute(
        "SELECT username, role, school_id, disabled, password_hash, failed_attempts, "
        "next_attempt_at FROM users WHERE username = ?",
        [name],
    ).fetchall()
    anon = Viewer(role="viewer", username=name or "(blank)")
    generic = "That username and password do not match an active account."
    if not rows:
        _hasher.hash(password or "x")  # same work as a real check: no timing hint
        audit.record(con, anon, "sign_in.refused", {"reason": "unknown user"})
        raise SignInRefused(generic)
    row = rows[0]
    if row[6] is not None and now < row[6]:
        wait = int((row[6] - now).total_seconds()) + 1
        audit.record(con, anon, "sign_in.refused", {"reason": "throttled"})
        locked = row[5] >= LOCK_AFTER
        raise SignInRefused(
            f"Too many failed attempts. {'The account is locked; t' if locked else 'T'}ry again "
            f"in {wait // 60} min {wait % 60} s."
            if wait >= 60
            else f"Too many failed attempts. Try again in {wait} seconds."
        )
    try:
        ok = _hasher.verify(row[4], password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row[3]:
        failures = row[5] + 1
        delay = (
            timedelta(minutes=LOCK_MINUTES)
            if failures >= LOCK_AFTER
            else timedelta(seconds=min(2 ** (failures - 1), 30))
        )
        con.execute(
            "UPDATE users SET failed_attempts = ?, next_attempt_at = ? WHERE username = ?",
            [failures, now + delay, name],
        )
        audit.record(
            con,
            anon,
            "sign_in.refused",
            {"reason": "disabled" if row[3] else "wrong password", "failures": failures},
        )
        raise SignInRefused(generic)
    con.execute(
        "UPDATE users SET failed_attempts = 0, next_attempt_at = NULL, last_sign_in = ? "
        "WHERE username = ?",
        [now, name],
    )
    viewer = _viewer(row)
    audit.record(con, viewer, "sign_in", None)
    return viewer


def session_expired(signed_in_at: datetime, now: datetime | None = None) -> bool:
    return (now or datetime.now()) - signed_in_at > timedelta(hours=SESSION_HOURS)


def demo_accounts_present(con: Connection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM users WHERE created_by = 'demo' AND NOT disabled"
        ).fetchall()[0][0]
    )


def create_demo_accounts(con: Connection) -> list[tuple[str, str, str | None]]:
    """One account per role (and per school for school roles), all with DEMO_PASSWORD."""
    hashed = _hasher.hash(DEMO_PASSWORD)
    schools = [
        r[0] for r in con.execute("SELECT school_id FROM schools ORDER BY school_id").fetchall()
    ]
    accounts: list[tuple[str, str, str | None]] = [
        ("admin", "alliance_admin", None),
        ("coordinator", "sle_coordinator", None),
        ("governor", "viewer", None),
    ]
    for sid in schools:
        accounts += [
            (f"head-{sid.lower()}", "headteacher", sid),
            (f"leader-{sid.lower()}", "senior_leader", sid),
        ]
    with transaction(con):
        for username, role, school in accounts:
            con.execute(
                "INSERT OR IGNORE INTO users (username, password_hash, role, school_id, "
                "created_by) VALUES (?, ?, ?, ?, 'demo')",
                [username, hashed, role, school],
            )
    return accounts
