"""Journey at a tablet's width (820 px): a headteacher signs in, searches, opens a profile
from the results, loads their school's key file, sees the name, signs out and back in and
sees references again; then the store file, the server's log and the audit trail are
scanned for the names (demo alliance, sign-in on, a server of this test's own so its log
can be read)."""

from __future__ import annotations

import csv
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from brokering.accounts import DEMO_PASSWORD
from brokering.demo import write_demo_csvs
from brokering.store import open_store
from tests.browser.conftest import (
    ROOT,
    _free_port,
    choose,
    no_exception,
    open_page,
    screenshot,
    wait_idle,
)

SCHOOL = "SCH03"
HEAD = "head-sch03"
SKILL = "Mathematics"
#: Every name in the key file starts with this: a word that appears nowhere else.
MARK = "Zephyrine"


@pytest.fixture
def served(tmp_path: Path, chromium: str) -> Iterator[tuple[str, Path, Path, Callable]]:
    """(url, database file, server log file, stop): the app with sign-in on, its output
    kept; `stop` ends the server so its files can be read whole."""
    import urllib.request

    db, log = tmp_path / "alliance.duckdb", tmp_path / "server.log"
    port = _free_port()
    env = {
        **__import__("os").environ,
        "BROKERING_DB": str(db),
        "BROKERING_SIGN_IN": "on",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--logger.level",
            "debug",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = threading.Event()

    def keep() -> None:
        with log.open("w") as out:
            assert proc.stdout is not None
            for line in proc.stdout:
                out.write(line)
                out.flush()
                if "URL:" in line:
                    ready.set()
        ready.set()

    threading.Thread(target=keep, daemon=True).start()
    url = f"http://127.0.0.1:{port}"

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    try:
        assert ready.wait(90) and proc.poll() is None, "streamlit did not start"
        with urllib.request.urlopen(url + "/_stcore/health", timeout=30) as r:
            assert r.read().decode().strip() == "ok"
        yield url, db, log, stop
    finally:
        stop()


def key_file(tmp: Path) -> tuple[Path, dict[str, str], dict[str, str]]:
    """The school's key file (Staff Code, Name) with a made-up name for each of its staff;
    and every demo reference's school."""
    demo = tmp / "demo"
    write_demo_csvs(demo)
    with (demo / "staff.csv").open() as fh:
        schools = {r["staff_ref"]: r["school_id"] for r in csv.DictReader(fh)}
    names = {
        ref: f"{MARK} Test{i:03d}"
        for i, ref in enumerate(r for r, s in schools.items() if s == SCHOOL)
    }
    path = tmp / "our-key.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Staff Code", "Name"])
        w.writerows(names.items())
    return path, names, schools


def sign_in(page, url: str | None = None) -> None:
    heading = page.get_by_role("heading", name="Sign in").first
    if url:
        page.goto(url)
        demo = page.get_by_role("button", name="Explore the demo alliance")
        demo.or_(heading).first.wait_for()
        if demo.is_visible():  # a fresh store offers the demo first (nothing built unasked)
            demo.click()
    heading.wait_for(timeout=180_000)
    # The first-run page's own "Username" (its first-administrator form) stays on screen,
    # greyed, until the run that draws the sign-in form ends: wait for it to go.
    page.get_by_role("button", name="Start our alliance").wait_for(state="detached")
    wait_idle(page)
    page.get_by_label("Username", exact=True).fill(HEAD)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(HEAD).first.wait_for()
    wait_idle(page)


def test_profile_names_and_sign_out_at_tablet_width(browser, served, tmp_path: Path) -> None:
    url, db, log, stop = served
    path, names, schools = key_file(tmp_path)
    context = browser.new_context(viewport={"width": 820, "height": 1800})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        sign_in(page, url)
        # Search: the columns a decision rests on come first.
        open_page(page, "Find expertise")
        box = page.get_by_label("What are you looking for?", exact=True)
        box.fill(SKILL)
        box.press("Enter")
        page.get_by_role("heading", name=f"{SKILL}: ranked by practice strength").wait_for()
        wait_idle(page)
        page.locator('[role="gridcell"]').first.wait_for(state="attached")
        headers = page.locator('[role="columnheader"]').all_text_contents()
        assert [h.strip() for h in headers[:5]] == [
            "Ref",
            "School",
            "Practice",
            "Coaching",
            "Confidence",
        ]
        shown = [t.strip() for t in page.locator('[role="gridcell"]').all_text_contents()]
        ref = next(t for t in shown if schools.get(t) == SCHOOL)
        no_exception(page)
        screenshot(page, "profile-journey-find-820")
        # Open that person's profile from the results.
        choose(page, "Open a profile", ref)
        page.get_by_role("link", name="Open profile").first.click()
        page.get_by_role("heading", name="Staff profile").wait_for()
        page.get_by_role("heading", name=ref, exact=True).wait_for()
        page.get_by_role("heading", name="What was seen").wait_for()
        wait_idle(page)
        no_exception(page)
        # Load the school's key file: the name appears.
        page.get_by_text("Names for your school").first.click()
        page.locator("[data-testid='stSidebar'] input[type='file']").set_input_files(str(path))
        page.get_by_text(f"Names shown for {len(names)} of your school").first.wait_for()
        page.get_by_role("heading", name=f"{names[ref]} ({ref})").wait_for()
        wait_idle(page)
        no_exception(page)
        screenshot(page, "profile-journey-named-820")
        # Sign out, sign in again: references only.
        page.get_by_role("button", name="Sign out").click()
        sign_in(page)
        open_page(page, "Staff profile")
        field = page.get_by_label("Staff reference", exact=True)
        field.fill(ref)
        field.press("Enter")
        page.get_by_role("heading", name=ref, exact=True).wait_for()
        wait_idle(page)
        assert MARK not in page.content()
        no_exception(page)
    finally:
        context.close()
    stop()
    # The names reached nothing the server keeps.
    for file in [db, *db.parent.glob("*.wal"), log]:
        if file.exists():
            assert MARK.encode() not in file.read_bytes(), f"a name reached {file.name}"
    con = open_store(db)
    try:
        trail = con.execute("SELECT action, detail FROM audit_log").fetchall()
    finally:
        con.close()
    assert MARK not in repr(trail)
    actions = [a for a, _ in trail]
    assert "profile.view" in actions and "names.load" in actions
