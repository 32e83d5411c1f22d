"""Real-browser fixtures: the app served by `streamlit run` on a free port over a fresh
database, and Playwright driving Debian's Chromium.

Outside CI a machine without Chromium skips these tests; in CI (CI=true) that is a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import chromium_path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen, deadline_s: float = 90.0) -> None:
    """Block on the server's own output until it says it is serving, then check health.

    No polling: reading stdout waits for the line; a timer kills the process if it never
    comes, which ends the read.
    """
    watchdog = threading.Timer(deadline_s, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "URL:" in line:
                break
        else:
            raise RuntimeError(f"streamlit stopped before serving (status {proc.poll()})")
    finally:
        watchdog.cancel()
    # Keep reading the server's output so a full pipe never blocks it.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    with urllib.request.urlopen(url + "/_stcore/health", timeout=30) as r:
        assert r.read().decode().strip() == "ok"


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Chromium is not installed (apt-get install -y chromium): browser tests "
                "must run in CI."
            )
        pytest.skip("Chromium is not installed; browser tests skipped outside CI.")
    return path


def _serve(
    db: Path,
    sign_in: str,
    extra_env: dict | None = None,
    port: int | None = None,
    extra_args: list[str] | None = None,
) -> Iterator[str]:
    port = port or _free_port()
    env = {
        **os.environ,
        "BROKERING_DB": str(db),
        "BROKERING_SIGN_IN": sign_in,
        # Imports pseudonymise staff codes by default: a test alliance secret.
        "BROKERING_PSEUDONYM_KEY": "a-browser-test-alliance-secret-0123456789",
        **(extra_env or {}),
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
            *(extra_args or []),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _demo_db(path: Path) -> Path:
    """A database holding the demo alliance and its accounts (the app never builds it by
    itself: a visitor to an empty store is offered the choice)."""
    from brokering.store import build_demo, open_store

    con = open_store(path)
    try:
        assert build_demo(con).ok
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[str]:
    """The app on the demo alliance, sign-in off (the sidebar picks the role)."""
    yield from _serve(_demo_db(tmp_path_factory.mktemp("browser-db") / "alliance.duckdb"), "off")


@pytest.fixture(scope="session")
def signed_app_url(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[str]:
    """The app as deployed: sign-in on, the demo alliance and its accounts."""
    yield from _serve(_demo_db(tmp_path_factory.mktemp("signed-db") / "alliance.duckdb"), "on")


@pytest.fixture(scope="session")
def browser(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def wait_idle(page) -> None:
    """Wait until Streamlit has finished running the script (the running widget is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def no_exception(page) -> None:
    """No uncaught error on the page, shown in full or redacted (showErrorDetails = none)."""
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("This app has encountered an error").count() == 0


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def options(page, label: str) -> list[str]:
    """The options offered by the selectbox labelled `label`, read with its list open.

    The list is opened once the script is idle and read whole in one call; a rerun that
    redraws the box closes the list, so an empty or vanished list is opened again.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_role("combobox", name=label, exact=True).first
    for _attempt in range(3):
        wait_idle(page)
        box.scroll_into_view_if_needed()
        box.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=15_000)
        except PlaywrightTimeout:
            continue
        names = [n.strip() for n in page.get_by_role("option").all_inner_texts()]
        box.press("Escape")
        if names:
            return names
    raise AssertionError(f"the list of {label!r} did not open")


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the Streamlit selectbox labelled `label` (sidebar or main).

    Streamlit 1.67 draws selectboxes as react-aria comboboxes; a pointer click on an option
    does not select it under headless Chromium, the keyboard does: open, go up to the
    first option, step down to the wanted one, Enter.
    """
    box = page.get_by_role("combobox", name=label, exact=True).first
    for _attempt in range(3):  # the first choice right after load can be lost to a rerun
        box.scroll_into_view_if_needed()  # the list closes if the page scrolls while open
        box.click()
        page.get_by_role("option").first.wait_for()
        names = [n.strip() for n in page.get_by_role("option").all_inner_texts()]
        index = names.index(option)
        for _ in range(len(names)):  # to the top (the list does not wrap)
            box.press("ArrowUp")
        for _ in range(index):
            box.press("ArrowDown")
        box.press("Enter")
        wait_idle(page)
        if box.input_value() == option:
            return
    raise AssertionError(f"could not choose {option!r} in {label!r}")


def open_page(page, title: str, heading: str | None = None) -> None:
    """Click a sidebar navigation link and wait for the page's heading and the script to
    finish. Each page's title is its heading, except Home's."""
    page.locator("[data-testid='stSidebarNavLink']", has_text=title).first.click()
    if heading is None:
        base = re.sub(r" \(\d+\)$", "", title)  # "Home (3)": the inbox's count in the link
        heading = "Alliance Expertise Broker" if base == "Home" else base
    page.get_by_role("heading", name=heading).first.wait_for()
    wait_idle(page)
