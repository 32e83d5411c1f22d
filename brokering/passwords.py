"""Passwords: argon2 hashing and the policy a new password must meet.

The policy follows the usual advice for staff systems: length over complexity rules, and a
refusal of passwords an attacker tries first — the common breached ones, the product's own
published demo password, the username itself, a few characters repeated. The list is small
and shipped with the product (`data/passwords/common.txt`), so the check works offline.
"""

from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from brokering.errors import ValidationError
from brokering.settings import DATA_DIR

MIN_PASSWORD = 10
#: Longer input is refused before it is hashed or stored (argon2 work grows with length).
MAX_PASSWORD = 256
#: Fewer distinct characters than this is a repeated pattern ("aaaaaaaaaa", "ababababab").
MIN_DISTINCT = 5
COMMON_FILE = DATA_DIR / "passwords" / "common.txt"

_hasher = PasswordHasher()
_TRAILING = re.compile(r"[\d\W_]+$")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn(password: str) -> None:
    """The same work as a real check, for an account that does not exist (no timing hint)."""
    _hasher.hash(password or "x")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().lower() for s in lines if s.strip() and not s.startswith("#"))


def check(password: str, username: str = "") -> None:
    """Refuse a new password that is too short, too long, the username, a repeated pattern,
    or a common or published one. The message says which rule, never echoing the password."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"Use a password of at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"Use a password of at most {MAX_PASSWORD} characters.")
    low = password.lower()
    name = username.strip().lower()
    if name and (name in low or low in name):
        raise ValidationError("The password must not contain the username.")
    if len(set(low)) < MIN_DISTINCT:
        raise ValidationError("That password repeats a few characters: choose a longer phrase.")
    common = common_passwords()
    squeezed = re.sub(r"\s+", "", low)
    if low in common or squeezed in common or _TRAILING.sub("", low) in common:
        raise ValidationError(
            "That password is one of the most used (or published with this product), so it "
            "is tried first by anyone guessing: choose another, e.g. three unrelated words."
        )
