"""The append-only audit trail: who did what, when, from which school — tamper-evident.

Written outside the data transaction on purpose where it can be, so a refused import is
still recorded as tried (CONTRACT: What "unchanged" means).

Each entry carries the SHA-256 hash of the entry before it and its own hash over its fields
(a hash chain), so an entry edited, inserted or deleted in the file breaks the chain at that
point and `python -m brokering audit verify` names it. Entries are chained in the order they
are written: writes are serialised in the process by `db.WRITE_LOCK` (which every
`db.transaction` also holds, so an entry written inside a transaction is chained before any
other), and DuckDB lets one process at a time open the file. A hash chain without a secret
is evidence against edits by anyone who does not recompute every later hash; against that,
note the head printed by `audit verify` somewhere else (`--expect` checks it later).

No personal data or secrets in the text: detail values under a key that names a secret are
withheld, e-mail addresses are removed, and long text is cut short.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from brokering.db import WRITE_LOCK, Connection
from brokering.viewer import Viewer

#: Who operates the command line when it acts (`--as` someone or as the operator).
_OPERATOR: ContextVar[str | None] = ContextVar("audit_operator", default=None)
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|api.?key|pseudonym_key|^key$", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_MAX_TEXT = 300
_FIELDS = ("audit_id", "at_time", "username", "role", "school_id", "action", "detail", "operator")


def set_operator(name: str | None) -> None:
    """Record `name` as the operator behind every entry this process (or context) writes."""
    _OPERATOR.set(name)


def clean(value: object, key: str = "") -> object:
    """A detail value fit for the trail: secrets withheld, e-mails removed, text cut short."""
    if key and _SECRET_KEY.search(key):
        return "[withheld]"
    if isinstance(value, dict):
        return {str(k): clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, str):
        text = _EMAIL.sub("[e-mail removed]", value)
        return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"
    return value


def _text(detail: dict | str | None) -> str | None:
    if detail is None:
        return None
    if isinstance(detail, str):
        return str(clean(detail))
    return json.dumps(clean(detail), default=str)


def entry_hash(prev: str, fields: dict[str, object]) -> str:
    """SHA-256 over the previous hash and the entry's fields, in a fixed text form."""
    canon = [prev] + [
        fields[f].isoformat() if isinstance(fields[f], datetime) else fields[f] for f in _FIELDS
    ]
    return hashlib.sha256(json.dumps(canon, default=str).encode("utf-8")).hexdigest()


_COLUMNS = ", ".join(_FIELDS) + ", prev_hash, entry_hash"
#: One statement that appends an entry after a known head: it inserts only when the entry
#: with the head's id (read by key) still carries the head's hash and the sequence gives the
#: very next id, the one hashed. Every entry takes its id from the sequence, so no entry was
#: written after the head; the chain it extends is the store's own whatever else happened.
_AFTER_HEAD_SQL = f"""
    INSERT INTO audit_log ({_COLUMNS})
    SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
    WHERE (SELECT entry_hash FROM audit_log WHERE audit_id = ?) = ?
      AND nextval('audit_id_seq') = ?
"""  # noqa: S608 - column names are code constants
#: The newest entry this process wrote: (audit_id, entry_hash). Only a guess at the trail's
#: head (a transaction may have rolled it back; another store may be open):
#: `_AFTER_HEAD_SQL` confirms it in the same statement that appends.
_head: tuple[int, str] | None = None


def record(con: Connection, viewer: Viewer, action: str, detail: dict | str | None = None) -> None:
    """Append an entry to the chain. Why one statement when it can: every search is audited,
    and reading the head, drawing an id and inserting were three statements, about 40% of a
    warm find; after this process's own last entry, one conditional insert does all three
    (it writes nothing unless the head and the id are still the ones hashed, and then the
    three-statement way runs as before)."""
    global _head
    with WRITE_LOCK:
        fields: dict[str, object] = {
            "audit_id": None,
            "at_time": datetime.now(UTC).replace(tzinfo=None),
            "username": viewer.username,
            "role": viewer.role,
            "school_id": viewer.school_id,
            "action": action,
            "detail": _text(detail),
            "operator": _OPERATOR.get(),
        }
        if _head is not None:
            fields["audit_id"], prev = _head[0] + 1, _head[1]
            entry = entry_hash(prev, fields)
            done = con.execute(
                _AFTER_HEAD_SQL,
                [*fields.values(), prev, entry, _head[0], prev, fields["audit_id"]],
            ).fetchall()
            if done and done[0][0] == 1:
                _head = (int(fields["audit_id"]), entry)  # type: ignore[arg-type]
                return
        last = con.execute(
            "SELECT entry_hash FROM audit_log ORDER BY audit_id DESC LIMIT 1"
        ).fetchall()
        fields["audit_id"] = int(con.execute("SELECT nextval('audit_id_seq')").fetchall()[0][0])
        prev = (last[0][0] or "") if last else ""
        entry = entry_hash(prev, fields)
        con.execute(
            f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            [*fields.values(), prev, entry],
        )
        _head = (int(fields["audit_id"]), entry)  # type: ignore[arg-type]


@dataclass
class Verification:
    """What `verify` found: entries checked, those before the chain began, and problems."""

    entries: int = 0
    unchained: int = 0
    head_id: int | None = None
    head_hash: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "unchained": self.unchained,
            "head_id": self.head_id,
            "head_hash": self.head_hash,
            "problems": self.problems,
        }


def verify(con: Connection, expect: str | None = None) -> Verification:
    """Walk the chain and name every entry whose hashes do not follow from the one before.

    Entries from before the chain began (no hashes) may only come first. `expect` is a head
    hash noted earlier: it must still be in the chain (else entries were cut or rewritten)."""
    out = Verification()
    cols = ", ".join(_FIELDS)
    rows = con.execute(
        f"SELECT {cols}, prev_hash, entry_hash FROM audit_log ORDER BY audit_id"  # noqa: S608
    ).fetchall()
    out.entries = len(rows)
    prev: str | None = None
    seen: set[str] = set()
    for row in rows:
        fields = dict(zip(_FIELDS, row[: len(_FIELDS)], strict=True))
        stored_prev, stored = row[-2], row[-1]
        if stored is None:
            if prev is None:
                out.unchained += 1
                continue
            out.problems.append(f"Entry {fields['audit_id']} has no hash inside the chain.")
            continue
        expected_prev = prev or ""
        if (stored_prev or "") != expected_prev:
            out.problems.append(
                f"Entry {fields['audit_id']} does not follow the entry before it (one was "
                "inserted, deleted or changed here)."
            )
        if entry_hash(stored_prev or "", fields) != stored:
            out.problems.append(f"Entry {fields['audit_id']} was changed after it was written.")
        prev = stored
        seen.add(stored)
        out.head_id, out.head_hash = int(fields["audit_id"]), stored
    if expect and expect not in seen:
        out.problems.append(
            "The head noted earlier is no longer in the trail: entries after it were removed "
            "or the trail was rewritten."
        )
    return out


def entries(
    con: Connection,
    viewer: Viewer,
    limit: int = 500,
    actions: list[str] | None = None,
    usernames: list[str] | None = None,
) -> pd.DataFrame:
    """The newest entries; the whole alliance's trail is the administrator's to read, anyone
    else sees only their own. `actions` and `usernames` narrow it (None: all)."""
    where, params = ["TRUE"], []
    if usernames is not None:
        where.append("list_contains(?, username)")
        params.append(usernames)
    if not viewer.sees_everyone:
        where.append("username = ?")
        params.append(viewer.username)
    if actions is not None:
        where.append("list_contains(?, action)")
        params.append(actions)
    return con.execute(
        f"SELECT * EXCLUDE (prev_hash, entry_hash) FROM audit_log WHERE {' AND '.join(where)} "  # noqa: S608
        "ORDER BY audit_id DESC LIMIT ?",
        [*params, limit],
    ).df()


def actions(con: Connection) -> list[str]:
    return [
        r[0] for r in con.execute("SELECT DISTINCT action FROM audit_log ORDER BY 1").fetchall()
    ]


def usernames(con: Connection, viewer: Viewer) -> list[str]:
    """The names in the trail the viewer may filter by (their own, unless they see all)."""
    if not viewer.sees_everyone:
        return [viewer.username]
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT username FROM audit_log WHERE username IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
