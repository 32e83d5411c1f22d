"""The demo alliance and its accounts never appear by themselves (issue 22).

An empty store offers the demo or a first administrator; a real administrator ends the
offer; the sign-in page prints the demo password only while the store is the demo; the
command line's `init-demo` belongs to the administrator and is audited.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from brokering import accounts
from brokering.cli import main
from brokering.importing import import_paths
from brokering.store import is_empty, open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY, data_tables

ROOT = Path(__file__).resolve().parents[1]
PW = "a-long-enough-password"


def _texts(at: AppTest) -> str:
    """Every piece of text the page shows, joined (to look for what must not be there)."""
    kinds = ("title", "subheader", "header", "markdown", "caption", "info", "warning")
    parts = [str(e.value) for kind in kinds for e in getattr(at, kind)]
    parts += [str(e.value) for e in at.success] + [str(e.value) for e in at.error]
    parts += [b.label for b in at.button]
    return "\n".join(parts)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "alliance.duckdb"
    monkeypatch.setenv("BROKERING_DB", str(path))
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)


def _users(path: Path) -> list[tuple]:
    con = open_store(path)
    try:
        return con.execute(
            "SELECT username, created_by, disabled FROM users ORDER BY username"
        ).fetchall()
    finally:
        con.close()


def _empty(path: Path) -> bool:
    con = open_store(path)
    try:
        return is_empty(con)
    finally:
        con.close()


def test_first_visit_to_an_empty_store_builds_nothing_and_offers_a_choice(db: Path) -> None:
    at = _app().run()
    assert not at.exception
    assert _empty(db), "the first visit must not build the demo alliance"
    assert _users(db) == [], "nor create any account"
    labels = [b.label for b in at.button]
    assert "Explore the demo alliance" in labels
    assert any("Start our alliance" in b for b in labels)
    assert accounts.DEMO_PASSWORD not in _texts(at)


def test_no_demo_offer_once_a_real_administrator_exists(db: Path) -> None:
    con = open_store(db)
    accounts.create_user(con, operator(), "dm", PW, "alliance_admin")
    con.close()
    at = _app().run()
    assert not at.exception
    assert _empty(db)
    assert at.subheader[0].value == "Sign in"
    assert "Explore the demo alliance" not in [b.label for b in at.button]
    assert accounts.DEMO_PASSWORD not in _texts(at)


def test_demo_password_not_printed_once_real_accounts_exist(db: Path) -> None:
    con = open_store(db)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    accounts.create_demo_accounts(con)
    con.close()
    at = _app().run()
    assert accounts.DEMO_PASSWORD in _texts(at), "the demo store shows its password"
    con = open_store(db)
    accounts.create_user(con, operator(), "real-head", PW, "headteacher", "A")
    con.close()
    st.cache_resource.clear()
    at = _app().run()
    assert not at.exception
    assert accounts.DEMO_PASSWORD not in _texts(at)


def test_a_real_administrator_disables_the_demo_accounts(tiny, admin) -> None:
    accounts.create_demo_accounts(tiny)
    accounts.create_user(tiny, admin, "dm", PW, "alliance_admin")
    enabled = tiny.execute(
        "SELECT count(*) FROM users WHERE created_by = 'demo' AND NOT disabled"
    ).fetchall()[0][0]
    assert enabled == 0
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(tiny, "admin", accounts.DEMO_PASSWORD)
    assert not accounts.is_demo_store(tiny)


def test_start_our_alliance_creates_the_first_administrator(db: Path) -> None:
    at = _app().run()
    at.text_input(key="first_admin_username").input("data-manager")
    at.text_input(key="first_admin_password").input(PW)
    at.text_input(key="first_admin_password2").input(PW)
    at.button(key="FormSubmitter:first_admin-Start our alliance").click().run()
    assert not at.exception, at.exception
    assert _users(db) == [("data-manager", "first-run", False)]
    assert _empty(db)
    assert at.session_state["viewer"].role == "alliance_admin"
    # The offer is gone for everyone else.
    at2 = _app().run()
    assert "Explore the demo alliance" not in [b.label for b in at2.button]


def test_first_administrator_only_while_no_account_exists(tiny, admin) -> None:
    accounts.create_user(tiny, admin, "dm", PW, "alliance_admin")
    with pytest.raises(accounts.PermissionDenied):
        accounts.create_first_administrator(tiny, "intruder", PW)
    assert [r[0] for r in tiny.execute("SELECT username FROM users").fetchall()] == ["dm"]


# --- the command line --------------------------------------------------------------------


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.duckdb"
    con = open_store(path)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    accounts.create_user(con, operator(), "gov", PW, "viewer")
    con.close()
    return path


def test_init_demo_force_as_a_governor_is_refused_and_audited(tiny_file: Path, capsys) -> None:
    con = open_store(tiny_file)
    before = data_tables(con)
    con.close()
    status = main(["--db", str(tiny_file), "--as", "gov", "init-demo", "--force"])
    assert status == 1
    assert "administrator" in capsys.readouterr().err
    con = open_store(tiny_file)
    try:
        assert data_tables(con) == before
        rows = con.execute(
            "SELECT username, action FROM audit_log WHERE action LIKE 'demo%'"
        ).fetchall()
        assert rows == [("gov", "demo.refused")]
    finally:
        con.close()


def test_init_demo_over_real_data_is_audited_and_adds_no_demo_accounts(
    tiny_file: Path,
) -> None:
    con = open_store(tiny_file)
    accounts.create_user(con, operator(), "dm", PW, "alliance_admin")
    con.close()
    assert main(["--db", str(tiny_file), "--as", "dm", "init-demo", "--force"]) == 0
    con = open_store(tiny_file)
    try:
        rows = con.execute(
            "SELECT username, action, detail FROM audit_log WHERE action LIKE 'demo%'"
        ).fetchall()
        assert [(r[0], r[1]) for r in rows] == [("dm", "demo.build")]
        assert '"replaced": true' in rows[0][2]
        demo = con.execute("SELECT count(*) FROM users WHERE created_by = 'demo'").fetchall()
        assert demo[0][0] == 0, "no published password beside a real administrator"
    finally:
        con.close()
