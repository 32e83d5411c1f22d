"""The Audit trail names a skill and a school in words, as every other page does.

Found by the browser walk (tests/browser/test_every_page_every_role.py): the administrator's
trail read "need N0017; skill early-reading-and-phonics; listed 139" — the taxonomy's
reference where the skill's name belongs — and a search narrowed to one school would have
read "school SCH03". The entries themselves keep the references (the trail is chained and
never rewritten); the trail is worded as it is read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from brokering import audit, audit_words
from brokering.db import Connection
from brokering.find import find_expertise
from brokering.find.explain import explain
from brokering.matching import candidates, needs
from brokering.store import build_demo, open_store
from brokering.viewer import Viewer, operator

HEAD = Viewer("headteacher", "SCH03", "head-sch03")
COORDINATOR = Viewer("sle_coordinator", None, "coordinator")
TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def acted() -> Iterator[Connection]:
    """The demo alliance after a search narrowed to one school, a need's candidates listed
    and one person's ranking explained — each audited with a skill's reference."""
    con = open_store(":memory:")
    assert build_demo(con).ok
    find_expertise(con, HEAD, "phonics", school_id="SCH03", as_of=TODAY)
    open_ = needs.list_needs(con, COORDINATOR)
    hyphenated = open_["skill_id"].str.contains("-")
    need_id, skill_id = open_.loc[hyphenated, ["need_id", "skill_id"]].iloc[0]
    listed = candidates.candidates_for_need(con, COORDINATOR, need_id, as_of=TODAY)
    explain(con, COORDINATOR, str(listed.frame["staff_ref"].iloc[0]), skill_id, as_of=TODAY)
    yield con
    con.close()


def _trail(con: Connection):
    return audit_words.readable(
        audit.entries(con, operator()), audit_words.school_names(con), audit_words.skill_names(con)
    )


def test_skills_and_schools_are_named_in_the_trail(acted: Connection) -> None:
    frame = _trail(acted)
    details = frame.set_index("What")["Details"]
    refs = [r for (r,) in acted.execute("SELECT skill_id FROM skills").fetchall() if "-" in r]
    pattern = r"(?<![\w-])(" + "|".join(map(re.escape, refs)) + r")(?![\w-])"
    for text in details:
        assert not re.search(pattern, text), text
        assert not re.search(r"\bSCH\d+\b", text), text
    search = details.loc["Searched for expertise"]
    assert "skill Early reading and phonics" in search
    school = acted.execute("SELECT name FROM schools WHERE school_id = 'SCH03'").fetchone()[0]
    assert f"school {school}" in search
    assert re.search(r"need N\d+; skill [A-Z][a-z]", details.loc["Listed candidates for a need"])
    assert re.search(r"; skill [A-Z][a-z]", details.loc["Viewed a profile"])


def test_a_search_over_every_school_says_so() -> None:
    detail = '{"skill": "oracy", "phases": [], "school": null, "found": 3}'
    text = audit_words.describe(detail, {}, {"oracy": "Oracy"})
    assert text == "skill Oracy; phases any; school all schools; found 3"


def test_an_unknown_reference_is_kept_as_it_was_recorded() -> None:
    """A skill since taken out of the taxonomy: the entry still says what was recorded."""
    detail = '{"skill": "retired-skill", "school_id": "SCH99"}'
    assert audit_words.describe(detail, {}, {}) == "skill retired-skill; school SCH99"
