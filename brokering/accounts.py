"""Local accounts: who may sign in, as what role, for which school.

Passwords are hashed with argon2 and must meet the policy in `brokering.passwords`. Only the
alliance administrator creates, disables or changes accounts (each user may change their
own password); every change is audited. Signing in and the session check are in
`brokering.sign_in`, the throttle in `brokering.throttle`; their names are re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from brokering import audit, dates, passwords, throttle
from brokering.db import Connection, transaction
from brokering.errors import NotFoundError, PermissionDenied, ValidationError
from brokering.sign_in import (  # noqa: F401 - the accounts API callers know
    MAX_PASSWORD,
    MAX_USERNAME,
    SESSION_HOURS,
    SessionEnded,
    SignInRefused,
    authenticate,
    confirm_password,
    recheck_session,
    record_sign_out,
    session_expired,
    session_stamp,
    viewer_for_email,
)
from brokering.viewer import ALLIANCE_WIDE_ROLES, ROLE_LABELS, Viewer

LOCK_AFTER = throttle.NAME_LOCK_AFTER
LOCK_MINUTES = throttle.LOCK_MINUTES
MIN_PASSWORD = passwords.MIN_PASSWORD
#: The demo alliance's accounts all share this password (listed in the README).
DEMO_PASSWORD = "marlowick-demo"

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


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


def _check_password(password: str, username: str = "") -> None:
    passwords.check(password, username)


#: Accounts the demo build made carry this in `created_by`; every other account is real.
DEMO_CREATOR = "demo"


def real_accounts_exist(con: Connection) -> bool:
    """Any account the demo build did not make (a real alliance's)."""
    return bool(
        con.execute("SELECT count(*) FROM users WHERE created_by <> ?", [DEMO_CREATOR]).fetchall()[
            0
        ][0]
    )


def any_account(con: Connection) -> bool:
    return bool(con.execute("SELECT count(*) FROM users").fetchall()[0][0])


def is_demo_store(con: Connection) -> bool:
    """The store is the demo alliance: enabled demo accounts and no real account. Only then
    may the sign-in page print the demo password."""
    return not real_accounts_exist(con) and bool(
        con.execute(
            "SELECT count(*) FROM users WHERE created_by = ? AND NOT disabled", [DEMO_CREATOR]
        ).fetchall()[0][0]
    )


def _disable_demo_accounts(con: Connection, actor: Viewer) -> None:
    """A real administrator ends the demo: its published password must not open a real
    alliance. Called inside the transaction that creates the administrator."""
    n = con.execute(
        "UPDATE users SET disabled = TRUE WHERE created_by = ? AND NOT disabled", [DEMO_CREATOR]
    ).fetchall()[0][0]
    if n:
        audit.record(con, actor, "account.disable", {"demo_accounts": int(n)})


def create_first_administrator(
    con: Connection, username: str, password: str, email: str | None = None
) -> Viewer:
    """ "Start our alliance" on an empty store: the first account, an administrator. Refused
    as soon as any account exists (checked inside the writing transaction)."""
    username = username.strip().lower()
    first = Viewer(role="alliance_admin", username=username or "(blank)")
    _check(con, username, "alliance_admin", None)
    _check_password(password, username)
    with transaction(con):
        if any_account(con):
            raise PermissionDenied(
                "This alliance already has accounts: ask its administrator for one."
            )
        con.execute(
            "INSERT INTO users (username, password_hash, role, email, created_by) "
            "VALUES (?, ?, 'alliance_admin', ?, 'first-run')",
            [username, passwords.hash_password(password), (email or "").strip().lower() or None],
        )
        audit.record(
            con, first, "account.create", {"username": username, "first_administrator": True}
        )
    return first


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
    _check_password(password, username)
    if con.execute("SELECT count(*) FROM users WHERE username = ?", [username]).fetchall()[0][0]:
        raise ValidationError(f"There is already an account called '{username}'.")
    with transaction(con):
        con.execute(
            "INSERT INTO users (username, password_hash, role, school_id, email, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                username,
                passwords.hash_password(password),
                role,
                school_id or None,
                (email or "").strip().lower() or None,
                actor.username,
            ],
        )
        if role == "alliance_admin":
            _disable_demo_accounts(con, actor)
        audit.record(
            con,
            actor,
            "account.create",
            {"username": username, "role": role, "school_id": school_id},
        )
    return Account(username, role, school_id or None, False)


def set_role(
    con: Connection, actor: Viewer, username: str, role: str, school_id: str | None
) -> None:
    """A new role (and school) for an account; open sessions take it on their next page."""
    _require_admin(actor)
    school_id = None if role in ALLIANCE_WIDE_ROLES else school_id
    _check(con, username, role, school_id)
    if username == actor.username and role != "alliance_admin":
        raise ValidationError("You cannot take the administrator role from your own account.")
    with transaction(con):
        n = con.execute(
            "UPDATE users SET role = ?, school_id = ? WHERE username = ?",
            [role, school_id, username],
        ).fetchall()[0][0]
        if not n:
            raise NotFoundError(f"There is no account called '{username}'.")
        if role == "alliance_admin" and not _is_demo(con, username):
            _disable_demo_accounts(con, actor)
        audit.record(
            con, actor, "account.role", {"username": username, "role": role, "school_id": school_id}
        )


def _is_demo(con: Connection, username: str) -> bool:
    rows = con.execute("SELECT created_by FROM users WHERE username = ?", [username]).fetchall()
    return bool(rows) and rows[0][0] == DEMO_CREATOR


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
    _check_password(password, username)
    with transaction(con):
        n = con.execute(
            "UPDATE users SET password_hash = ?, failed_attempts = 0, next_attempt_at = NULL "
            "WHERE username = ?",
            [passwords.hash_password(password), username],
        ).fetchall()[0][0]
        if not n:
            raise NotFoundError(f"There is no account called '{username}'.")
        throttle.clear(con, username)
        audit.record(con, actor, "account.password", {"username": username})


def change_own_password(
    con: Connection,
    viewer: Viewer,
    current: str,
    new: str,
    source: str | None = None,
    now: datetime | None = None,
) -> None:
    """A signed-in user's own change: the current password first (behind the throttle),
    then the policy. Every other session of the account ends (its stamp no longer fits)."""
    if new == current:
        raise ValidationError("Choose a password different from the current one.")
    passwords.check(new, viewer.username)
    confirm_password(con, viewer, current, now=now, source=source)
    set_password(con, viewer, viewer.username, new)


def list_users(con: Connection, actor: Viewer) -> pd.DataFrame:
    _require_admin(actor)
    sql = (
        "SELECT username, role, school_id, email, disabled, {failures} AS failed_attempts, "
        "last_sign_in, created_at, created_by FROM users ORDER BY username"
    )
    return con.execute(sql.format(failures=throttle.FAILURES_SQL)).df()


def users_table(con: Connection, actor: Viewer) -> pd.DataFrame:
    """`list_users` as the Accounts page shows it: roles and schools in words, dates to the
    minute, a dash where there is nothing (never None or NaT)."""
    frame = list_users(con, actor)
    names = dict(con.execute("SELECT school_id, name FROM schools").fetchall())
    return pd.DataFrame(
        {
            "Username": frame["username"],
            "Role": frame["role"].map(lambda r: ROLE_LABELS.get(r, r)),
            "School": frame["school_id"].map(
                lambda s: "Alliance-wide" if s is None or pd.isna(s) else names.get(s, s)
            ),
            "E-mail for single sign-on": frame["email"].map(
                lambda e: dates.NONE if e is None or pd.isna(e) else e
            ),
            "Status": frame["disabled"].map(lambda d: "Disabled" if d else "Active"),
            "Failed sign-ins": frame["failed_attempts"].fillna(0).astype(int),
            # moments and days, not their text: the page's table sorts them by date and
            # writes them the one way ("5 Dec 2026, 14:03"; never signed in: blank)
            "Last sign-in": pd.to_datetime(frame["last_sign_in"]).dt.floor("min"),
            "Created": pd.to_datetime(frame["created_at"]).dt.normalize(),
            "Created by": frame["created_by"].map(_creator),
        }
    )


def _creator(name: object) -> str:
    return {DEMO_CREATOR: "the demo", "first-run": "first run"}.get(str(name), str(name))


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


def create_demo_accounts(con: Connection) -> list[tuple[str, str, str | None]]:
    """One account per role (and per school for school roles), all with DEMO_PASSWORD —
    none once a real account exists (a published password never sits beside real ones)."""
    if real_accounts_exist(con):
        return []
    hashed = passwords.hash_password(DEMO_PASSWORD)
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
