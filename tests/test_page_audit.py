"""The Audit trail page (AppTest, issue 23): filters start empty and mean "all", the table's
columns and details are in words, and signing out (by the button, or by the app when the
account changes) is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from brokering import accounts
from brokering.db import connect
from brokering.viewer import operator

ROOT = Path(__file__).resolve().parents[1]
PW = "a-long-enough-password"


@pytest.fixture
def with_accounts(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    con = connect(tiny_db)
    try:
        accounts.create_user(con, operator(), "boss", PW, "alliance_admin")
        accounts.create_user(con, operator(), "lead-b", PW, "senior_leader", "B")
    finally:
        con.close()
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    st.cache_resource.clear()
    return tiny_db


def _signed_in(name: str, password: str = PW) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def _actions(db: Path) -> list[tuple[str, str]]:
    import ui

    cur = ui._store(str(db)).cursor()  # the app's own connection to the store
    return cur.execute("SELECT action, username FROM audit_log ORDER BY audit_id").fetchall()


def test_the_trail_opens_on_everything_in_words(with_accounts: Path) -> None:
    _signed_in("lead-b", "not-the-password-1")  # a refused sign-in, recorded
    at = _signed_in("boss")
    at.switch_page("app_pages/audit.py").run()
    assert not at.exception, at.exception
    filters = {m.label: m.value for m in at.multiselect}
    assert filters == {"Actions": [], "Who": []}  # empty: all
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "When (UTC)",
        "Who",
        "Role",
        "School",
        "What",
        "Details",
        "Run by",
    ]
    assert {"Account created", "Sign-in refused", "Signed in"} <= set(table["What"])
    refused = table.loc[table["What"] == "Sign-in refused"].iloc[0]
    assert refused["Details"].startswith("account tried lead-b; by password; reason wrong password")
    created = table.loc[table["Details"].str.contains("account lead-b")].iloc[0]
    assert "role senior leader" in created["Details"] and "Birch Academy" in created["Details"]
    text = table.to_string()
    for raw in ("{", '"', "None", "NaT", "nan", "senior_leader", "sign_in"):
        assert raw not in text, raw
    # Choosing an action narrows the trail; emptying the filter shows everything again.
    next(m for m in at.multiselect if m.label == "Actions").select("sign_in.refused").run()
    assert set(at.dataframe[0].value["What"]) == {"Sign-in refused"}


def test_signing_out_is_recorded(with_accounts: Path) -> None:
    at = _signed_in("lead-b")
    at.sidebar.button(key="sign_out").click().run()
    assert not at.exception
    assert ("sign_out", "lead-b") in _actions(with_accounts)


def test_a_session_the_app_ends_is_recorded(with_accounts: Path) -> None:
    import ui

    at = _signed_in("lead-b")
    accounts.set_disabled(ui._store(str(with_accounts)).cursor(), operator(), "lead-b", True)
    at.run()
    assert [s.value for s in at.subheader] == ["Sign in"]
    cur = ui._store(str(with_accounts)).cursor()
    detail = cur.execute(
        "SELECT detail FROM audit_log WHERE action = 'sign_out' AND username = 'lead-b'"
    ).fetchall()
    assert detail == [('{"reason": "account disabled or removed"}',)]
