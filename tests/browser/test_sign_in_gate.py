"""Journey: the gate on a freshly started server, and single sign-on end to end (issue 22).

- Before sign-in nothing but the sign-in form exists — no page list in the sidebar, and a
  page's address (/audit) shows only the form, with no error; the bookmarked page opens
  after sign-in; after sign-out the menu is gone.
- Single sign-on through `st.login` against a local mock OpenID Connect provider
  (oidc-provider-mock): a known e-mail signs in with its account's role; an unknown or a
  disabled one is refused.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from brokering import accounts
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import operator
from tests.browser.conftest import _free_port, _serve, no_exception, wait_idle
from tests.conftest import TINY, TINY_TODAY

PW = "kettle-orchard-violin"
NAV = "[data-testid='stSidebarNavLink']"


def _tiny_db(path: Path) -> Path:
    con = open_store(path)
    try:
        assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
        accounts.create_user(con, operator(), "boss", PW, "alliance_admin")
        accounts.create_user(con, operator(), "ann", PW, "headteacher", "A", "ann@example.com")
        accounts.create_user(con, operator(), "dis", PW, "viewer", None, "dis@example.com")
        accounts.set_disabled(con, operator(), "dis", True)
    finally:
        con.close()
    return path


@pytest.fixture
def fresh_url(tmp_path: Path, chromium: str):
    yield from _serve(_tiny_db(tmp_path / "alliance.duckdb"), "on")


def test_before_sign_in_only_the_form_exists_on_a_fresh_server(browser, fresh_url) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(fresh_url + "/audit")  # the first request this server sees
        page.get_by_role("heading", name="Sign in").wait_for()
        wait_idle(page)
        no_exception(page)
        assert page.locator(NAV).count() == 0
        assert page.get_by_role("heading", name="Audit trail").count() == 0
        page.get_by_label("Username", exact=True).fill("boss")
        page.get_by_label("Password", exact=True).fill(PW)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Audit trail").wait_for()  # the bookmark
        wait_idle(page)
        assert page.locator(NAV).filter(has_text="Accounts").count() == 1
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in").wait_for()
        wait_idle(page)
        page.locator(NAV).first.wait_for(state="detached")
        assert page.locator(NAV).count() == 0
        no_exception(page)
    finally:
        context.close()


@pytest.fixture
def sso_url(tmp_path: Path, chromium: str):
    mock = shutil.which("oidc-provider-mock", path=str(Path(sys.executable).parent))
    if mock is None:
        pytest.skip("oidc-provider-mock is not installed (requirements-dev.txt)")
    mock_port = _free_port()
    claims = [{"sub": sub, "email": f"{sub}@example.com"} for sub in ("ann", "dis", "zed")]
    args = [mock, "-p", str(mock_port)]
    for c in claims:
        args += ["--user-claims", json.dumps(c)]
    provider = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert provider.stdout is not None
        watchdog = threading.Timer(60, provider.kill)
        watchdog.start()
        try:
            for line in provider.stdout:
                if f":{mock_port}" in line or "Running" in line or "Serving" in line:
                    break
        finally:
            watchdog.cancel()
        threading.Thread(target=provider.stdout.read, daemon=True).start()
        meta = f"http://127.0.0.1:{mock_port}/.well-known/openid-configuration"
        with urllib.request.urlopen(meta, timeout=30) as r:
            assert r.status == 200
        app_port = _free_port()
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
            f'cookie_secret = "{"c" * 48}"\n'
            'client_id = "broker-test"\n'
            'client_secret = "broker-test-secret"\n'
            f'server_metadata_url = "{meta}"\n'
        )
        db = _tiny_db(tmp_path / "alliance.duckdb")
        yield from _serve(db, "oidc", port=app_port, extra_args=["--secrets.files", str(secrets)])
    finally:
        provider.terminate()
        provider.wait(timeout=10)


def _sso(browser, url: str, sub: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_role("button", name="Sign in with your organisation account").click()
    page.locator("input[name=sub]").fill(sub)
    page.locator("input[name=sub]").press("Enter")
    page.wait_for_url(url + "/**")
    return context, page


def test_single_sign_on_maps_the_email_to_its_account(browser, sso_url) -> None:
    context, page = _sso(browser, sso_url, "ann")
    try:
        page.get_by_text("ann — Headteacher").first.wait_for()
        page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
        wait_idle(page)
        page.locator(NAV).filter(has_text="Find expertise").first.wait_for()
        assert page.locator(NAV).filter(has_text="Accounts").count() == 0
        assert page.locator(NAV).filter(has_text="Find expertise").count() == 1
        no_exception(page)
    finally:
        context.close()
    for sub in ("zed", "dis"):  # unknown, and disabled
        context, page = _sso(browser, sso_url, sub)
        try:
            page.get_by_text("not linked to an active account").wait_for()
            wait_idle(page)
            assert page.locator(NAV).count() == 0
            no_exception(page)
        finally:
            context.close()
