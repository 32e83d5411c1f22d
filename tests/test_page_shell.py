"""App shell pages through AppTest: first run, sign-in, navigation by role, Data page."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from brokering import accounts
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import operator
from tests.conftest import TINY, TINY_TODAY

ROOT = Path(__file__).resolve().parents[1]
PW = "a-long-enough-password"


@pytest.fixture
def tiny_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "alliance.duckdb"
    con = open_store(path)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    accounts.create_user(con, operator(), "lead-b", PW, "senior_leader", "B")
    accounts.create_user(con, operator(), "boss", PW, "alliance_admin")
    con.close()
    monkeypatch.setenv("BROKERING_DB", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_home_shows_what_is_loaded(tiny_db: Path) -> None:
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "Alliance Expertise Broker"
    assert [m.value for m in at.metric][:2] == ["3", "8"]
    names = next(d.value for d in at.dataframe if "is_hub" in d.value.columns)["name"].tolist()
    assert "Alder Primary" in names and "Cedar Special School" in names


def test_data_page_refuses_imports_to_non_administrators(tiny_db: Path) -> None:
    at = _app().run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert any("alliance administrator" in i.value for i in at.info)
    assert len(at.main.get("file_uploader")) == 0


def test_data_page_offers_import_to_the_administrator(tiny_db: Path) -> None:
    at = _app()
    at.session_state["viewer_role"] = "alliance_admin"  # the sidebar picker's widget key
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert len(at.main.get("file_uploader")) == 1
    scale = next(r for r in at.radio if "strengths" in r.label)
    assert scale.value is None  # no default strength scale: the user must choose


def test_sign_in_required_and_wrong_password_refused(tiny_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    at = _app().run()
    assert at.subheader[0].value == "Sign in"
    at.text_input[0].input("lead-b")
    at.text_input[1].input("not-the-password")
    at.button[0].click().run()
    assert "do not match" in at.error[0].value
    assert "signed_in_viewer" not in at.session_state


def test_sign_in_then_pages_follow_the_role(tiny_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    at = _app().run()
    at.text_input[0].input("lead-b")
    at.text_input[1].input(PW)
    at.button[0].click().run()
    assert not at.exception
    viewer = at.session_state["viewer"]
    assert (viewer.role, viewer.school_id) == ("senior_leader", "B")
    assert at.title[0].value == "Alliance Expertise Broker"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/accounts.py")


def test_administrator_reaches_accounts_and_audit(tiny_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    at = _app().run()
    at.text_input[0].input("boss")
    at.text_input[1].input(PW)
    at.button[0].click().run()
    at.switch_page("app_pages/accounts.py").run()
    assert not at.exception and at.title[0].value == "Accounts"
    assert "lead-b" in at.dataframe[0].value["Username"].tolist()
    at.switch_page("app_pages/audit.py").run()
    assert not at.exception
    assert "Signed in" in at.dataframe[0].value["What"].tolist()


# --- the gate before sign-in (issue 22) ------------------------------------------------------


def test_no_pages_folder_beside_the_app() -> None:
    """A `pages/` folder beside app.py puts Streamlit in its old multipage mode until some run
    calls st.navigation: every file listed in the sidebar, and /audit running audit.py
    without the sign-in. The page scripts live in app_pages/ instead."""
    assert not (ROOT / "pages").exists()


def _signed_out_visit(page: str) -> AppTest:
    """A first visit to a page's address on a fresh server (AppTest resets Streamlit's
    multipage mode on every run, as a restart does): the page is named before the first run."""
    at = _app()
    at.switch_page(page)
    return at.run()


@pytest.mark.parametrize("page", ["audit", "accounts", "find", "data"])
def test_a_page_address_before_sign_in_shows_only_the_sign_in(
    tiny_db: Path, monkeypatch, page: str
) -> None:
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    at = _signed_out_visit(f"app_pages/{page}.py")
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == ["Sign in"]
    assert [t.value for t in at.title] == ["Alliance Expertise Broker"]
    assert len(at.dataframe) == 0 and len(at.sidebar.button) == 0
    assert "viewer" not in at.session_state


def test_a_bookmarked_page_opens_after_sign_in(tiny_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    at = _signed_out_visit("app_pages/audit.py")
    at.text_input[0].input("boss")
    at.text_input[1].input(PW)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Audit trail"


def test_a_bookmark_the_role_may_not_open_lands_on_home(tiny_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    at = _signed_out_visit("app_pages/accounts.py")
    at.text_input[0].input("lead-b")
    at.text_input[1].input(PW)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Alliance Expertise Broker"
    assert "Accounts" not in [t.value for t in at.title]


def test_sign_out_leaves_only_the_sign_in(tiny_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    at = _app().run()
    at.text_input[0].input("boss")
    at.text_input[1].input(PW)
    at.button[0].click().run()
    at.switch_page("app_pages/audit.py").run()
    assert at.title[0].value == "Audit trail"
    at.sidebar.button(key="sign_out").click().run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Sign in"]
    assert "viewer" not in at.session_state and "signed_in_viewer" not in at.session_state
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/home.py")  # the signed-out navigation holds no app page


# --- every page run re-checks the account (issue 22) ----------------------------------------


def _signed_in(name: str) -> AppTest:
    at = _app().run()
    at.text_input[0].input(name)
    at.text_input[1].input(PW)
    at.button[0].click().run()
    assert at.session_state["viewer"].username == name
    return at


def _store_now(path: Path):
    """The app's own cached connection to the test's store (the same process)."""
    import ui

    return ui._store(str(path)).cursor()


def test_disabling_an_account_ends_its_open_session(tiny_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    at = _signed_in("lead-b")
    at.switch_page("app_pages/find.py").run()
    accounts.set_disabled(_store_now(tiny_db), operator(), "lead-b", True)
    at.run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Sign in"]
    assert "disabled" in at.info[0].value
    assert "viewer" not in at.session_state


def test_a_changed_role_applies_on_the_next_page_run(tiny_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    at = _signed_in("lead-b")
    accounts.set_role(_store_now(tiny_db), operator(), "lead-b", "viewer", None)
    at.run()
    assert not at.exception
    assert at.session_state["viewer"].role == "viewer"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/coaches.py")  # no longer in this role's navigation


def test_own_password_change_keeps_this_session_and_ends_the_others(
    tiny_db: Path, monkeypatch
) -> None:
    monkeypatch.setenv("BROKERING_SIGN_IN", "on")
    other = _signed_in("lead-b")
    at = _signed_in("lead-b")
    at.switch_page("app_pages/my_account.py").run()
    assert at.title[0].value == "Your account"
    boxes = at.text_input
    boxes[0].input(PW)
    boxes[1].input("kettle-orchard-violin")
    boxes[2].input("kettle-orchard-violin")
    at.button(key="FormSubmitter:own_password-Change my password").click().run()
    assert not at.exception
    assert "changed" in at.success[0].value
    at.run()
    assert at.session_state["viewer"].username == "lead-b"
    other.run()
    assert [s.value for s in other.subheader] == ["Sign in"]
    assert "password" in other.info[0].value
