"""The sign-in throttle, atomic in the store.

Every attempt is counted *before* the password is checked, by one statement that also reads
whether the attempt may go ahead: simultaneous attempts therefore each see the others'
counts (none is lost, none slips through), and a success afterwards clears the count.

- **Per name** (every name tried, whether or not an account has it, so the throttle never
  tells which names exist): each failure doubles the wait before the next (1 s … 30 s);
  `NAME_LOCK_AFTER` failures in a row lock the name for `LOCK_MINUTES`.
- **Per source** (the client's address, when known): `SOURCE_LOCK_AFTER` failures within
  `SOURCE_WINDOW_MINUTES` lock every sign-in from it for `LOCK_MINUTES`, so spraying many
  names from one place is slowed too.

Keys are SHA-256 digests of the name or address: what was typed is never stored.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime

import duckdb

from brokering.db import Connection
from brokering.errors import StoreError

NAME_LOCK_AFTER = 5
SOURCE_LOCK_AFTER = 20
SOURCE_WINDOW_MINUTES = 15
LOCK_MINUTES = 15
MAX_DELAY_SECONDS = 30
#: Rows untouched this long are forgotten (their waits are long over).
KEEP_HOURS = 24
_RETRIES = 200


@dataclass(frozen=True)
class Claim:
    """The outcome of counting one attempt."""

    allowed: bool
    wait_seconds: int
    locked: bool
    failures: int


def name_key(name: str) -> str:
    return "n:" + hashlib.sha256(name.encode("utf-8")).hexdigest()


def source_key(source: str) -> str:
    return "s:" + hashlib.sha256(source.encode("utf-8")).hexdigest()


# One statement counts the attempt and reports whether it was allowed: `blocked` is worked
# out from the row as it was before this attempt (SET expressions read the old row).
_CLAIM = """
INSERT INTO sign_in_throttle AS old (key, kind, failures, blocked, next_attempt_at, updated_at)
SELECT k.key, k.kind, 1, FALSE,
       CASE WHEN k.kind = 'name' THEN CAST($now AS TIMESTAMP) + INTERVAL 1 SECOND END,
       $now
FROM (VALUES ($name_key, 'name'), ($source_key, 'source')) AS k(key, kind)
WHERE k.key IS NOT NULL
ON CONFLICT (key) DO UPDATE SET
    blocked = coalesce(old.next_attempt_at > excluded.updated_at, FALSE),
    failures = CASE
        WHEN old.kind = 'source'
             AND old.updated_at < excluded.updated_at - to_minutes($window)
        THEN 1 ELSE old.failures + 1 END,
    next_attempt_at = CASE
        WHEN coalesce(old.next_attempt_at > excluded.updated_at, FALSE)
             AND (old.kind = 'source' OR old.failures >= $name_lock_after)
            THEN old.next_attempt_at
        WHEN old.kind = 'name' AND old.failures + 1 >= $name_lock_after
            THEN excluded.updated_at + to_minutes($lock_minutes)
        WHEN old.kind = 'name' AND coalesce(old.next_attempt_at > excluded.updated_at, FALSE)
            THEN old.next_attempt_at
        WHEN old.kind = 'name'
            THEN excluded.updated_at
                 + to_seconds(least(pow(2, old.failures), $max_delay))
        WHEN old.updated_at >= excluded.updated_at - to_minutes($window)
             AND old.failures + 1 >= $source_lock_after
            THEN excluded.updated_at + to_minutes($lock_minutes)
        ELSE NULL END,
    updated_at = excluded.updated_at
RETURNING kind, failures, blocked, next_attempt_at
"""


def _run(con: Connection, sql: str, params: dict | list) -> list[tuple]:
    """Run one throttle statement; a clash with a simultaneous attempt is retried (each
    attempt must be counted, and none may end in an error)."""
    for attempt in range(_RETRIES):
        try:
            return con.execute(sql, params).fetchall()
        except (duckdb.TransactionException, duckdb.ConstraintException):
            time.sleep(0.001 * min(attempt, 20))
    raise StoreError("Sign-in is busy: please try again in a moment.")


def claim(con: Connection, name: str, source: str | None, now: datetime) -> Claim:
    """Count one attempt for the name (and source) and say whether it may be checked."""
    rows = _run(
        con,
        _CLAIM,
        {
            "now": now,
            "name_key": name_key(name),
            "source_key": source_key(source) if source else None,
            "window": SOURCE_WINDOW_MINUTES,
            "lock_minutes": LOCK_MINUTES,
            "name_lock_after": NAME_LOCK_AFTER,
            "source_lock_after": SOURCE_LOCK_AFTER,
            "max_delay": MAX_DELAY_SECONDS,
        },
    )
    blocked = [r for r in rows if r[2]]
    name_row = next(r for r in rows if r[0] == "name")
    if not blocked:
        return Claim(True, 0, False, int(name_row[1]))
    until = max(r[3] for r in blocked)
    wait = max(1, int((until - now).total_seconds()) + 1)
    return Claim(False, wait, wait > MAX_DELAY_SECONDS, int(name_row[1]))


def succeeded(con: Connection, name: str, source: str | None, now: datetime) -> None:
    """A right password: the name's count is cleared; the source's loses this attempt only
    (one good account must not wash away a spray of guesses from the same place)."""
    _run(
        con,
        "UPDATE sign_in_throttle SET failures = 0, blocked = FALSE, next_attempt_at = NULL, "
        "updated_at = ? WHERE key = ?",
        [now, name_key(name)],
    )
    if source:
        _run(
            con,
            "UPDATE sign_in_throttle SET failures = greatest(failures - 1, 0) WHERE key = ?",
            [source_key(source)],
        )
    _run(
        con,
        "DELETE FROM sign_in_throttle WHERE updated_at < CAST(? AS TIMESTAMP) - to_hours(?) "
        "AND coalesce(next_attempt_at < ?, TRUE)",
        [now, KEEP_HOURS, now],
    )


def clear(con: Connection, name: str) -> None:
    """The administrator set a new password: the name starts afresh."""
    _run(con, "DELETE FROM sign_in_throttle WHERE key = ?", [name_key(name)])


#: SQL for the failure count of the account in `users.username` (the Accounts page).
FAILURES_SQL = (
    "coalesce((SELECT t.failures FROM sign_in_throttle t "
    "WHERE t.key = 'n:' || sha256(users.username)), 0)"
)
