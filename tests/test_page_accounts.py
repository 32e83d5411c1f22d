"""The Accounts page (AppTest, issue 23): no role chosen in advance, a refused submit keeps
what was typed, a success says so and empties the form, and the table is in words."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from brokering.db import connect
from tests import grid

ROOT = Path(__file__).resolve().parents[1]
PW = "kettle-orchard-violin"


def _accounts_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer_role"] = "alliance_admin"
    at.run()
    at.switch_page("app_pages/accounts.py").run()
    assert not at.exception, at.exception
    return at


def _fill(at: AppTest, username: str, role: str | None, school: str | None, pw: str) -> None:
    at.text_input(key="new_username").input(username)
    if role is not None:
        at.selectbox(key="new_role").set_value(role)
    at.selectbox(key="new_school").set_value(school)
    at.text_input(key="new_password").input(pw)
    next(b for b in at.button if b.label == "Create account").click().run()
    assert not at.exception, at.exception


def _users(db: Path) -> list[str]:
    con = connect(db)
    try:
        return [r[0] for r in con.execute("SELECT username FROM users").fetchall()]
    finally:
        con.close()


def test_no_role_is_chosen_in_advance(tiny_db: Path) -> None:
    at = _accounts_page()
    assert at.selectbox(key="new_role").value is None
    _fill(at, "new.head", None, "B", PW)
    assert any("Choose the account's role" in e.value for e in at.error)
    assert "new.head" not in _users(tiny_db)


def test_a_refused_submit_keeps_what_was_typed(tiny_db: Path) -> None:
    at = _accounts_page()
    _fill(at, "new.head", "headteacher", "B", "short")
    assert at.error, "a too-short password is refused"
    assert at.text_input(key="new_username").value == "new.head"
    assert at.selectbox(key="new_role").value == "headteacher"
    assert at.selectbox(key="new_school").value == "B"
    assert "new.head" not in _users(tiny_db)


def test_a_created_account_is_confirmed_and_the_form_emptied(tiny_db: Path) -> None:
    at = _accounts_page()
    _fill(at, "new.head", "headteacher", "B", PW)
    assert "new.head" in _users(tiny_db)
    assert any(
        "Created the account new.head: headteacher at Birch Academy" in s.value for s in at.success
    ), [s.value for s in at.success]
    assert at.text_input(key="new_username").value == ""
    assert at.selectbox(key="new_role").value is None
    assert at.selectbox(key="change_role").value is None  # nor for a change of role
    table = at.dataframe[0].value
    row = table.loc[table["Username"] == "new.head"].iloc[0]
    assert (row["Role"], row["School"], row["Status"]) == ("Headteacher", "Birch Academy", "Active")
    shown = grid.text(table)
    # dates as dates (sorted by date), never signed in drawn blank
    assert pd.api.types.is_datetime64_any_dtype(table["Last sign-in"].dtype)
    assert pd.api.types.is_datetime64_any_dtype(table["Created"].dtype)
    for raw in ("failed_attempts", "school_id", "staff_code", "None", "NaT", "nan", "00:00:00"):
        assert raw not in shown, raw
    # (the sign-in-off picker's own account is called demo-alliance_admin: look at roles only)
    assert not set(table["Role"]) & {"alliance_admin", "headteacher"}
