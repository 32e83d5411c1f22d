"""Journey: a download's URL (issue 22, "every download served is audited, including by
URL"). Streamlit serves a clicked download from `/media/<id>` to anyone holding the URL,
with no session check, until its cleanup runs. Here: signed in, the maturity figures are
downloaded in Chromium; the same URL fetched again over plain HTTP (no cookies, no session)
is served and audited; after the user signs out, the URL answers 404 — and each fetch that
was served is in the audit trail with the user it was issued to."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from brokering import accounts
from brokering.db import connect
from brokering.importing import import_paths
from brokering.store import open_store
from brokering.viewer import operator
from tests.browser.conftest import _serve, no_exception, wait_idle
from tests.conftest import TINY, TINY_TODAY

PW = "kettle-orchard-violin"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_download_url_is_audited_and_dies_with_the_sign_out(
    browser, tmp_path: Path, chromium: str
) -> None:
    db = tmp_path / "alliance.duckdb"
    con = open_store(db)
    assert import_paths(con, [TINY], operator(), today=TINY_TODAY).ok
    accounts.create_user(con, operator(), "boss", PW, "alliance_admin")
    con.close()
    server = _serve(db, "on")
    url = next(server)
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(url)
        page.get_by_role("heading", name="Sign in").wait_for()
        page.get_by_label("Username", exact=True).fill("boss")
        page.get_by_label("Password", exact=True).fill(PW)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Sign out").wait_for()
        wait_idle(page)
        page.locator("[data-testid='stSidebarNavLink']").filter(
            has_text="Alliance maturity"
        ).click()
        page.get_by_role("heading", name="School by school").wait_for()
        wait_idle(page)
        with page.expect_download() as info:
            page.get_by_role("button", name="Download (CSV)").click()
        download = info.value
        media = download.url
        assert "/media/" in media
        assert Path(download.path()).read_bytes()  # the browser got the file

        assert _status(media) == 200  # by URL, no session: served, and audited
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in").wait_for()
        wait_idle(page)
        no_exception(page)
        assert _status(media) == 404  # signed out: the URL is dead
    finally:
        context.close()
        server.close()  # stops the server, letting go of the store

    con = connect(db)
    try:
        rows = con.execute(
            "SELECT username, detail FROM audit_log WHERE action = 'export' ORDER BY audit_id"
        ).fetchall()
    finally:
        con.close()
    fetched = [u for u, d in rows if json.loads(d).get("fetched_by_url")]
    clicked = [u for u, d in rows if "bytes" in json.loads(d)]
    assert clicked == ["boss"]
    # the browser's request(s) for the file and the fetch by URL; never the refused one
    assert len(fetched) >= 2 and set(fetched) == {"boss"}
