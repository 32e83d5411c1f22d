"""Pseudonymisation at the door: a school's own staff identifiers (staff code, email) become
keyed hashes before anything reaches the store.

The key is the alliance's secret (`BROKERING_PSEUDONYM_KEY` in the environment, or
`pseudonym_key` in Streamlit secrets), never in the repository, at least 32 characters and
random (`python -m brokering new-key` makes one). The same identifier always gives the same
pseudonym, so re-imports line up; without the key nobody can reverse it.

The alliance key stays with the alliance: a school's staff ref is the HMAC of its staff code
under that school's own key, itself derived from the alliance key (`school_key`). A school
is given only its own key (`python -m brokering school-key SCHOOL`) to make its lookup
(`python -m brokering pseudonyms`), so it can map its own refs back to people — and cannot
compute, or brute-force, any other school's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import re
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from brokering.errors import ValidationError

if TYPE_CHECKING:
    import pyarrow as pa

ENV_KEY = "BROKERING_PSEUDONYM_KEY"
ENV_SCHOOL_KEY = "BROKERING_SCHOOL_KEY"
MIN_KEY_LENGTH = 32
_SCHOOL_KEY_FORM = re.compile(r"^[A-Z2-7]{52}$")
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#: Every pair of Base32 characters, indexed by the 10 bits they spell.
_B32_PAIRS = [a + b for a in _B32 for b in _B32]
#: Each byte XOR-ed with HMAC's inner and outer pad bytes (RFC 2104), as translate tables.
_INNER_PAD = bytes(x ^ 0x36 for x in range(256))
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))
#: A key must carry at least this much guessing work (estimated from its characters).
MIN_KEY_BITS = 100


def key_bits(key: str) -> float:
    """A cautious estimate of a key's randomness: its length times the Shannon entropy of
    its own characters (a repeated or patterned key scores low, a random one near its
    alphabet's size)."""
    if not key:
        return 0.0
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return per_char * len(key)


def check_key(key: str, what: str = "The alliance secret") -> None:
    """Refuse a key too short or too regular to hold against someone trying every guess."""
    if len(key) < MIN_KEY_LENGTH:
        raise ValidationError(
            f"{what} must be at least {MIN_KEY_LENGTH} characters; make one with "
            "`python -m brokering new-key`."
        )
    steps = sum(abs(ord(b) - ord(a)) <= 1 for a, b in zip(key, key[1:], strict=False))
    if key_bits(key) < MIN_KEY_BITS or len(set(key)) < 10 or steps > len(key) // 3:
        raise ValidationError(
            f"{what} is too regular to be secret (repeated or patterned characters); make a "
            "random one with `python -m brokering new-key`."
        )


def new_key() -> str:
    """A fresh random alliance secret (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def alliance_key(explicit: str | None = None) -> bytes:
    key = explicit if explicit is not None else os.environ.get(ENV_KEY, "")
    if not key:
        raise ValidationError(
            f"Pseudonymising needs the alliance secret: set {ENV_KEY} (at least "
            f"{MIN_KEY_LENGTH} random characters) in the environment or pseudonym_key in the "
            "app's secrets. Keep it out of the repository and out of exported files."
        )
    check_key(key)
    return key.encode("utf-8")


def school_key(key: bytes, school_id: str) -> str:
    """The school's own key, derived from the alliance key: what the school is given to
    make its lookup. Knowing one school's key tells nothing about another's."""
    digest = hmac.digest(key, f"school-key:{school_id.strip().upper()}".encode(), "sha256")
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def given_school_key(explicit: str | None = None) -> bytes:
    """The key a school was given (`BROKERING_SCHOOL_KEY`), checked."""
    key = explicit if explicit is not None else os.environ.get(ENV_SCHOOL_KEY, "")
    if not key:
        raise ValidationError(
            f"Making your school's lookup needs your school's key: set {ENV_SCHOOL_KEY} to "
            "the key the alliance gave you (never the alliance's own secret)."
        )
    if not _SCHOOL_KEY_FORM.match(key):
        raise ValidationError(
            f"{ENV_SCHOOL_KEY} does not hold a school key (52 capital letters and digits, as "
            "`python -m brokering school-key` prints). The alliance's own secret must never "
            "leave the alliance."
        )
    return key.encode("ascii")


def staff_pseudonym(school_id: str, code: str, key: bytes) -> str:
    """The stored ref of the person a school knows by `code`: identity is school + local
    code (so "JDO" at two schools is two people), hashed under the school's derived key."""
    return pseudonym(code, school_key(key, school_id).encode("ascii"))


class StaffPseudonyms:
    """`staff_pseudonym` for many codes at once: each school's derived key is made once, not
    once per code (a national file names hundreds of thousands of people at tens of
    thousands of schools). Lives only for one import."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._school_keys: dict[str, bytes] = {}
        self._pads: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {}

    def __call__(self, school_id: str, code: str) -> str:
        derived = self._school_keys.get(school_id)
        if derived is None:
            derived = school_key(self.key, school_id).encode("ascii")
            self._school_keys[school_id] = derived
        return pseudonym(code, derived)

    def many(self, schools: Sequence[str], codes: Sequence[str]) -> pa.StringArray:
        """`self(school, code)` for each pair, equal to it, pseudonym for pseudonym, at the
        speed a national file needs (hundreds of thousands of distinct pairs in a second).

        Each school's HMAC is started once (the key's inner and outer pads hashed, RFC 2104)
        and copied per code, which costs a third of a one-shot `hmac.digest`; the digests are
        spelt in Base32 all at once (numpy). The keys never leave this process's memory."""
        import numpy as np
        import pyarrow as pa

        pads = self._pads
        digests = bytearray()
        for school, code in zip(schools, codes, strict=True):
            pad = pads.get(school)
            if pad is None:
                derived = self._school_keys.get(school)
                if derived is None:
                    derived = school_key(self.key, school).encode("ascii")
                    self._school_keys[school] = derived
                pad = pads[school] = _pads(derived)
            inner = pad[0]()
            inner.update(code.strip().lower().encode("utf-8"))
            outer = pad[1]()
            outer.update(inner.digest())
            digests += outer.digest()[:8]
        n = len(digests) // 8
        bits = np.frombuffer(bytes(digests), dtype=">u8").astype(np.uint64) >> np.uint64(4)
        shifts = np.arange(55, -1, -5, dtype=np.uint64)  # 12 characters of 5 bits
        spelt = np.empty((n, 13), dtype=np.uint8)
        spelt[:, 0] = ord("P")
        spelt[:, 1:] = np.frombuffer(_B32.encode("ascii"), dtype=np.uint8)[
            (bits[:, None] >> shifts) & np.uint64(31)
        ]
        fixed = pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(13), n, [None, pa.py_buffer(spelt.tobytes())]
        )
        return fixed.cast(pa.binary()).cast(pa.string())


def _pads(key: bytes) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """HMAC-SHA256 under `key` with its inner and outer pads already hashed: the `copy`
    methods that start each message's inner and outer hash (RFC 2104)."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(block.translate(_INNER_PAD))
    outer = hashlib.sha256(block.translate(_OUTER_PAD))
    return inner.copy, outer.copy


def identity_hash(kind: str, value: str, key: bytes) -> str:
    """The keyed hash an e-mail address or payroll number is kept as (identity index)."""
    return pseudonym(f"{kind}:{value.strip()}", key)


def school_pseudonym(code: str, school_key_text: bytes) -> str:
    """The same ref, made by the school itself from its own key."""
    return pseudonym(code, school_key_text)


def pseudonym(identifier: str, key: bytes) -> str:
    """'P' + 12 base32 characters of HMAC-SHA256 over the trimmed, lower-cased identifier."""
    digest = hmac.digest(key, identifier.strip().lower().encode("utf-8"), "sha256")
    # The first 12 Base32 characters are the digest's first 60 bits, 5 bits a character:
    # spelt here two characters at a time (what base64.b32encode gives, without encoding
    # the whole digest in Python — an import hashes hundreds of thousands of codes).
    n = int.from_bytes(digest[:8], "big") >> 4
    t = _B32_PAIRS
    return (
        f"P{t[n >> 50]}{t[(n >> 40) & 1023]}{t[(n >> 30) & 1023]}{t[(n >> 20) & 1023]}"
        f"{t[(n >> 10) & 1023]}{t[n & 1023]}"
    )
