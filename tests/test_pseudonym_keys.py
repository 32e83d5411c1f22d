"""Pseudonyms that hold against the key's holders: a school makes its lookup with its own
derived key, never the alliance's; keys are long and random; and brute force over every
three-letter staff code and a sample of six-digit payroll numbers finds nobody without the
right key (while the same search with the right key finds everyone — so it is a real test)."""

from __future__ import annotations

import hashlib
import itertools
import random
import string
from pathlib import Path

import pytest

from brokering.cli import main
from brokering.errors import ValidationError
from brokering.pseudonymise import (
    check_key,
    given_school_key,
    new_key,
    pseudonym,
    school_key,
    school_pseudonym,
    staff_pseudonym,
)

ALLIANCE = b"Vq3-x9LmZr7TbK2pW8yNc4HdF6sJg1Ue"
CODES_A = ["JDO", "AMS", "KLP", "ZZT"]
PAYROLL_A = ["104729", "550113", "999001"]


def stored_refs() -> set[str]:
    """What the alliance's store holds for school A's people."""
    return {staff_pseudonym("A", c, ALLIANCE) for c in CODES_A + PAYROLL_A}


def three_letter_codes() -> list[str]:
    return ["".join(t) for t in itertools.product(string.ascii_uppercase, repeat=3)]


def payroll_sample(n: int = 20_000) -> list[str]:
    rng = random.Random(5)
    return sorted({f"{rng.randrange(10**6):06d}" for _ in range(n)} | set(PAYROLL_A))


def found(candidates: list[str], make) -> set[str]:  # noqa: ANN001 - a ref-making function
    refs = stored_refs()
    return {c for c in candidates if make(c) in refs}


def test_the_search_finds_everyone_with_school_as_own_key() -> None:
    """The brute force works when the key is held: school A finds its own staff."""
    own = school_key(ALLIANCE, "A").encode()
    assert found(three_letter_codes(), lambda c: school_pseudonym(c, own)) == set(CODES_A)
    assert found(payroll_sample(), lambda c: school_pseudonym(c, own)) == set(PAYROLL_A)


def test_another_schools_key_finds_nobody() -> None:
    other = school_key(ALLIANCE, "B").encode()
    assert found(three_letter_codes(), lambda c: school_pseudonym(c, other)) == set()
    assert found(payroll_sample(), lambda c: school_pseudonym(c, other)) == set()


@pytest.mark.parametrize(
    "attempt",
    [
        lambda c: pseudonym(c, b""),
        lambda c: pseudonym(c, ALLIANCE[:-1] + b"x"),
        lambda c: pseudonym(f"A|{c}", ALLIANCE),  # the alliance key used the naive way
        lambda c: "P" + hashlib.sha256(c.lower().encode()).hexdigest()[:12].upper(),
        lambda c: "P" + hashlib.sha256(f"A|{c}".lower().encode()).hexdigest()[:12].upper(),
    ],
    ids=["no key", "nearly the key", "alliance key without derivation", "sha256", "sha256+school"],
)
def test_no_guess_without_the_schools_key_finds_anyone(attempt) -> None:  # noqa: ANN001
    assert found(three_letter_codes(), attempt) == set()
    assert found(payroll_sample(2_000), attempt) == set()


def test_school_keys_differ_and_reveal_nothing_of_each_other() -> None:
    keys = {school_key(ALLIANCE, s) for s in ("A", "B", "C", "a")}
    assert len(keys) == 3  # the school id is read without regard to case
    for k in keys:
        check_key(k, "A school key")  # long and random enough to hand out
        assert ALLIANCE.decode() not in k


@pytest.mark.parametrize(
    "key",
    ["short-key", "x" * 40, "abcdefghijklmnopqrstuvwxyz0123456789", "ab" * 20],
)
def test_weak_keys_are_refused(key: str) -> None:
    with pytest.raises(ValidationError):
        check_key(key)


def test_a_new_key_passes_the_checks() -> None:
    for _ in range(20):
        check_key(new_key())


def test_a_school_makes_its_lookup_with_its_own_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("BROKERING_PSEUDONYM_KEY", ALLIANCE.decode())
    monkeypatch.setenv("BROKERING_DB", str(tmp_path / "school.duckdb"))
    assert main(["school-key", "A"]) == 0
    given = capsys.readouterr().out.strip().splitlines()[-1]
    assert given == school_key(ALLIANCE, "A")
    # The school's machine has its own key only.
    monkeypatch.delenv("BROKERING_PSEUDONYM_KEY")
    monkeypatch.setenv("BROKERING_SCHOOL_KEY", given)
    export = tmp_path / "export.csv"
    export.write_text("staff_code,name\nJDO,Jo Dee\nAMS,Amy S\nJDO,Jo Dee\n", encoding="utf-8")
    out = tmp_path / "lookup.csv"
    assert main(["pseudonyms", str(export), "--column", "staff_code", "--out", str(out)]) == 0
    rows = out.read_text(encoding="utf-8").splitlines()[1:]
    assert sorted(rows) == sorted(
        f"{c},{staff_pseudonym('A', c, ALLIANCE)}" for c in ("JDO", "AMS")
    )
    assert not (tmp_path / "data").exists()  # no store was created on the school's machine


def test_the_lookup_refuses_the_alliance_key_in_place_of_the_schools(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BROKERING_SCHOOL_KEY", raising=False)
    with pytest.raises(ValidationError, match="school's key"):
        given_school_key()
    monkeypatch.setenv("BROKERING_SCHOOL_KEY", ALLIANCE.decode())
    with pytest.raises(ValidationError, match="never leave the alliance"):
        given_school_key()


def test_pseudonyms_are_unchanged_by_the_faster_hashing() -> None:
    """The stored refs of every alliance depend on these exact characters: the one-shot HMAC,
    the shortened Base32 and the per-school key cache must give what the original gave."""
    import base64
    import hashlib
    import hmac

    from brokering.pseudonymise import StaffPseudonyms, pseudonym, school_key, staff_pseudonym

    key = b"bnch-Wq7vR2xLm9ZpT4wYc8NfJ3hGs6DaE1uK"

    def original(identifier: str, k: bytes) -> str:
        digest = hmac.new(k, identifier.strip().lower().encode("utf-8"), hashlib.sha256)
        return "P" + base64.b32encode(digest.digest()).decode("ascii")[:12]

    def original_school_key(school: str) -> str:
        d = hmac.new(key, f"school-key:{school.strip().upper()}".encode(), hashlib.sha256)
        return base64.b32encode(d.digest()).decode("ascii").rstrip("=")

    many = StaffPseudonyms(key)
    for school in ("SCH01", "U100567", " sch02 ", "?"):
        assert school_key(key, school) == original_school_key(school)
        for code in ("JDO", " jdo ", "S0000000", "Åsa.Ng", "", "a" * 80):
            want = original(code, original_school_key(school).encode("ascii"))
            assert staff_pseudonym(school, code, key) == want
            assert many(school, code) == want
            assert pseudonym(code, key) == original(code, key)
