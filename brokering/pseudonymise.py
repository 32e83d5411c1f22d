"""Pseudonymisation at the door: a school's own staff identifiers (staff code, email) become
keyed hashes before anything reaches the store.

The key is the alliance's secret (`BROKERING_PSEUDONYM_KEY` in the environment, or
`pseudonym_key` in Streamlit secrets), never in the repository. The same identifier always
gives the same pseudonym, so re-imports line up; without the key nobody can reverse it. A
school keeps its own lookup (`python -m brokering pseudonyms`) to map refs back to people.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from brokering.errors import ValidationError

ENV_KEY = "BROKERING_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16


def alliance_key(explicit: str | None = None) -> bytes:
    key = explicit if explicit is not None else os.environ.get(ENV_KEY, "")
    if len(key) < MIN_KEY_LENGTH:
        raise ValidationError(
            f"Pseudonymising needs the alliance secret: set {ENV_KEY} (at least "
            f"{MIN_KEY_LENGTH} characters) in the environment or pseudonym_key in the app's "
            "secrets. Keep it out of the repository and out of exported files."
        )
    return key.encode("utf-8")


def staff_pseudonym(school_id: str, code: str, key: bytes) -> str:
    """The stored ref of the person a school knows by `code`: identity is school + local
    code, so "JDO" at two schools is two people."""
    return pseudonym(f"{school_id.strip()}|{code.strip()}", key)


def identity_hash(kind: str, value: str, key: bytes) -> str:
    """The keyed hash an e-mail address or payroll number is kept as (identity index)."""
    return pseudonym(f"{kind}:{value.strip()}", key)


def pseudonym(identifier: str, key: bytes) -> str:
    """'P' + 12 base32 characters of HMAC-SHA256 over the trimmed, lower-cased identifier."""
    digest = hmac.new(key, identifier.strip().lower().encode("utf-8"), hashlib.sha256).digest()
    return "P" + base64.b32encode(digest).decode("ascii")[:12]
