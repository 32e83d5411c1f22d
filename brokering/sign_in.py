"""Signing in and staying signed in: the password check behind the throttle, single
sign-on's e-mail mapping, and the re-check of the account on every page run.

- Input is bounded: a name over `MAX_USERNAME` or a password over `MAX_PASSWORD` characters
  (or one holding control characters) is refused before the store is touched, so nothing
  is hashed, stored or audited at any length.
- Every other attempt is counted by the throttle first (`brokering.throttle`), then checked,
  then audited — a refusal for an unknown name looks and costs the same as a wrong password,
  and the audit names an unknown name only as "(unknown account)" (what was typed into the
  name box is sometimes a password).
- A session carries a stamp of the account's password hash; each page run reads the account
  again (`recheck_session`), so a disabled or removed account or a changed password ends
  the session at once, and a changed role or school applies at once.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime, timedelta

from brokering import audit, passwords, throttle
from brokering.db import Connection
from brokering.errors import PermissionDenied
from brokering.viewer import Viewer

MAX_USERNAME = 64
MAX_PASSWORD = passwords.MAX_PASSWORD
SESSION_HOURS = 8
GENERIC = "That username and password do not match an active account."
UNKNOWN = "(unknown account)"


class SignInRefused(PermissionDenied):
    """Wrong details, a disabled account, or the throttle; says when to try again."""


class SessionEnded(PermissionDenied):
    """The signed-in account changed under the session: it must sign in again. `reason`
    says why in a few words, for the audit trail."""

    def __init__(self, message: str, reason: str = "session ended") -> None:
        super().__init__(message)
        self.reason = reason


def _account(con: Connection, username: str) -> tuple | None:
    rows = con.execute(
        "SELECT username, role, school_id, disabled, password_hash FROM users WHERE username = ?",
        [username],
    ).fetchall()
    return rows[0] if rows else None


def _viewer(row: tuple) -> Viewer:
    return Viewer(role=row[1], school_id=row[2], username=row[0])


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def _refuse_unbounded(username: str, password: str) -> str:
    """The normalised name, or a refusal that touches nothing."""
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        raise SignInRefused(
            f"A username has at most {MAX_USERNAME} characters and a password at most "
            f"{MAX_PASSWORD}."
        )
    if _has_control(username) or _has_control(password):
        raise SignInRefused(GENERIC)
    name = username.strip().lower()
    if not name or not password:
        raise SignInRefused("Enter your username and password.")
    return name


def _wait_message(claim: throttle.Claim) -> str:
    wait = claim.wait_seconds
    if wait < 60:
        return f"Too many failed attempts. Try again in {wait} seconds."
    lead = "The account is locked; t" if claim.locked else "T"
    return f"Too many failed attempts. {lead}ry again in {wait // 60} min {wait % 60} s."


def _checked(
    con: Connection,
    name: str,
    password: str,
    source: str | None,
    now: datetime,
    by: str = "password",
) -> tuple | None:
    """Count, check and audit one attempt; the account's row when the password is right.

    The audit says what was tried: the account (its name when one exists; otherwise only
    that the name has no account — what was typed there is sometimes a password), how
    (`by`), why it was refused and the failures in a row. Never the password."""
    claim = throttle.claim(con, name, source, now)
    row = _account(con, name)
    who = Viewer(role="viewer", username=name if row else UNKNOWN)
    tried = {"tried": name if row else "a name with no account", "by": by}
    if not claim.allowed:
        audit.record(
            con,
            who,
            "sign_in.refused",
            tried | {"reason": "too many failed attempts", "failures": claim.failures},
        )
        raise SignInRefused(_wait_message(claim))
    if row is None:
        passwords.burn(password)  # same work as a real check: no timing hint
        ok = False
    else:
        ok = passwords.verify(row[4], password)
    if not ok or row is None or row[3]:
        reason = (
            "no such account" if row is None else "account disabled" if row[3] else "wrong password"
        )
        audit.record(
            con, who, "sign_in.refused", tried | {"reason": reason, "failures": claim.failures}
        )
        raise SignInRefused(GENERIC)
    throttle.succeeded(con, name, source, now)
    return row


def authenticate(
    con: Connection,
    username: str,
    password: str,
    now: datetime | None = None,
    source: str | None = None,
) -> Viewer:
    """Check a password behind the throttle; every attempt that reaches the store is
    counted and audited. `source` is the client's address when the app knows it."""
    name = _refuse_unbounded(username, password)
    now = now or datetime.now()
    row = _checked(con, name, password, source, now)
    con.execute("UPDATE users SET last_sign_in = ? WHERE username = ?", [now, name])
    viewer = _viewer(row)
    audit.record(con, viewer, "sign_in", {"by": "password"})
    return viewer


def confirm_password(
    con: Connection,
    viewer: Viewer,
    password: str,
    now: datetime | None = None,
    source: str | None = None,
) -> None:
    """The signed-in user's current password, checked behind the same throttle (changing
    one's password must not become a way round it)."""
    _refuse_unbounded(viewer.username, password)
    _checked(
        con,
        viewer.username,
        password,
        source,
        now or datetime.now(),
        by="current password (changing it)",
    )


def viewer_for_email(con: Connection, email: str) -> Viewer:
    """Single sign-on (OIDC): the identity provider vouches for the e-mail; the account
    here says what role it has. Unknown or disabled: refused and audited."""
    address = email.strip().lower()
    rows = (
        con.execute(
            "SELECT username, role, school_id, disabled FROM users WHERE email = ?", [address]
        ).fetchall()
        if address and len(address) <= 320
        else []
    )
    if not rows or rows[0][3]:
        who = Viewer(role="viewer", username=rows[0][0] if rows else UNKNOWN)
        reason = "account disabled" if rows else "e-mail linked to no account"
        tried = rows[0][0] if rows else "an e-mail address with no account"
        audit.record(
            con, who, "sign_in.refused", {"tried": tried, "by": "single sign-on", "reason": reason}
        )
        raise SignInRefused(
            "Your organisation account is not linked to an active account "
            "here. Ask the alliance administrator to add your email."
        )
    viewer = _viewer(rows[0])
    con.execute(
        "UPDATE users SET last_sign_in = ? WHERE username = ?", [datetime.now(), rows[0][0]]
    )
    audit.record(con, viewer, "sign_in", {"by": "single sign-on"})
    return viewer


def record_sign_out(con: Connection, viewer: Viewer, reason: str = "signed out") -> None:
    """A session's end in the trail: signed out by the user, or ended by the app (expired,
    account disabled, password changed)."""
    audit.record(con, viewer, "sign_out", {"reason": reason})


def session_expired(signed_in_at: datetime, now: datetime | None = None) -> bool:
    return (now or datetime.now()) - signed_in_at > timedelta(hours=SESSION_HOURS)


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def session_stamp(con: Connection, username: str) -> str | None:
    """A short digest of the account's password hash, kept in the session: a new password
    changes it, ending every session opened with the old one."""
    row = _account(con, username)
    return _stamp(row[4]) if row else None


def recheck_session(
    con: Connection,
    viewer: Viewer,
    signed_in_at: datetime,
    stamp: str | None,
    now: datetime | None = None,
) -> Viewer:
    """The session's account as the store holds it now; `SessionEnded` when it has expired,
    gone, been disabled or had its password changed. A changed role or school is returned."""
    if session_expired(signed_in_at, now):
        raise SessionEnded("Your session has expired. Please sign in again.", "session expired")
    row = _account(con, viewer.username)
    if row is None or row[3]:
        raise SessionEnded(
            "Your account has been disabled. Ask the alliance administrator.",
            "account disabled or removed",
        )
    if stamp != _stamp(row[4]):
        raise SessionEnded(
            "Your password has been changed. Please sign in again.", "password changed"
        )
    return _viewer(row)
