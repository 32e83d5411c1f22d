"""Shared fixtures: an in-memory store with the taxonomy, the tiny hand-built alliance,
and viewers for each role."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from brokering import changes
from brokering.db import Connection
from brokering.importing import import_paths
from brokering.store import build_demo, open_store
from brokering.taxonomy import Skill, SkillMatcher, load_skills
from brokering.viewer import Viewer, operator

# Page and browser tests act through the sidebar role picker unless a test switches sign-in
# on itself (tests of sign-in do).
os.environ.setdefault("BROKERING_SIGN_IN", "off")

TINY = Path(__file__).parent / "data" / "tiny"
#: The tiny alliance's "today": its evidence is dated relative to this.
TINY_TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _nothing_remembered() -> Iterator[None]:
    """Each test starts with no read remembered (`changes.remembered`): a test that swaps a
    module's function (monkeypatch) must see it called, not a memo of an earlier test's
    answer from the same module-scoped store."""
    changes.forget()
    yield


@pytest.fixture
def con() -> Connection:
    c = open_store(":memory:")
    yield c
    c.close()


@pytest.fixture(scope="module")
def store() -> Iterator[Connection]:
    """One empty in-memory store for a module's property tests: each example writes its
    alliance afresh (tests/alliances.load), so they need not pay for a store each."""
    c = open_store(":memory:")
    yield c
    c.close()


@pytest.fixture
def admin() -> Viewer:
    return operator("test-admin")


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A writable copy of the tiny alliance's CSVs, for tests that edit them."""
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target)
    return target


@pytest.fixture
def tiny(con: Connection, admin: Viewer) -> Connection:
    """The store with the tiny alliance loaded (3 schools, 8 staff)."""
    report = import_paths(con, [TINY], admin, today=TINY_TODAY)
    assert report.ok, [str(p) for p in report.problems]
    return con


def data_tables(con: Connection) -> dict[str, list[tuple]]:
    """Every alliance data table's rows, sorted: 'unchanged' compares these, not the audit."""
    out = {}
    for table in (
        "schools",
        "staff",
        "evidence",
        "coaching",
        "needs",
        "consent_events",
        "pairing_versions",
        "pairing_participants",
        "pairing_entries",
    ):
        cols = {
            "consent_events": "* EXCLUDE (recorded_at)",
            "pairing_versions": "* EXCLUDE (changed_at)",
            "pairing_entries": "* EXCLUDE (changed_at)",
        }.get(table, "*")
        out[table] = sorted(con.execute(f"SELECT {cols} FROM {table}").fetchall(), key=repr)
    return out


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture
def tiny_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A database file with the tiny alliance, pointed at by BROKERING_DB, for AppTest page
    tests (sign-in off: the sidebar picker is seeded through session state). Streamlit's
    caches are cleared around each test so no run reads another test's file."""
    import streamlit as st

    path = tmp_path / "alliance.duckdb"
    c = open_store(path)
    assert import_paths(c, [TINY], operator(), today=TINY_TODAY).ok
    c.close()
    monkeypatch.setenv("BROKERING_DB", str(path))
    monkeypatch.setenv("BROKERING_SIGN_IN", "off")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(scope="module")
def demo() -> Iterator[Connection]:
    """The demo alliance in memory, built as the app builds it (shared by a module's tests;
    read-only use only)."""
    c = open_store(":memory:")
    assert build_demo(c).ok
    yield c
    c.close()


@pytest.fixture(scope="module")
def skills() -> list[Skill]:
    return load_skills()


@pytest.fixture(scope="module")
def matcher(skills: list[Skill]) -> SkillMatcher:
    return SkillMatcher(skills)
