"""Page timings in a real browser (Playwright driving Debian's Chromium) on the demo
alliance: the app is started with `streamlit run` over a database holding the demo (built
before the server starts), the benchmark signs in as the demo alliance administrator, then
times, for each page in the sidebar, the click on its link to its main content drawn and the
script finished, and on the Find expertise page, submitting a search to its results."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.context import Context
from benchmarks.measure import ROOT, Figure, Row

TARGET_PAGE_S = 2.0
TARGET_SEARCH_S = 0.5
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
_MAIN = "[data-testid='stAppViewContainer']"
_IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
_H1 = f"{_MAIN} h1"
#: The app's own navigation (page titles) is drawn once someone is signed in; before that
#: Streamlit lists the page files by name ("home", "data").
_SIGNED_IN = (
    "() => [...document.querySelectorAll('[data-testid=\"stSidebarNavLink\"]')]"
    ".some(a => a.innerText.trim().split('\\n').pop().trim() === 'Home')"
)


def _chromium() -> str | None:
    for c in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(c):
            return c
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen, deadline_s: float = 90.0) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling a condition
    raise RuntimeError("streamlit did not become healthy in time")


#: Records the time of every change to the page body's elements or text from now on.
_WATCH = (
    "() => { window.__benchT0 = performance.now(); window.__benchLast = window.__benchT0;"
    " if (window.__benchMo) window.__benchMo.disconnect();"
    " window.__benchMo = new MutationObserver(() => { window.__benchLast = performance.now(); });"
    " window.__benchMo.observe(document.querySelector(\"[data-testid='stAppViewContainer']\"),"
    " {subtree: true, childList: true, characterData: true}); }"
)
#: Settled: the script has finished and nothing in the page body changed for QUIET_MS.
QUIET_MS = 600
_SETTLED = (
    "q => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && performance.now() - window.__benchLast > q"
)
_ELAPSED = "() => (window.__benchLast - window.__benchT0) / 1000"


def _h1_text(page) -> str:
    loc = page.locator(_H1)
    return loc.first.inner_text() if loc.count() else ""


def _sign_in(page) -> str:
    """Sign in as the demo administrator when the app asks; returns how it went."""
    try:
        from brokering import accounts

        password = getattr(accounts, "DEMO_PASSWORD", None)
    except ImportError:
        password = None
    user = page.get_by_label("Username", exact=True)
    try:
        user.wait_for(timeout=120_000)
    except Exception:
        return "no sign-in form"
    if not password:
        return "sign-in form but no demo password known"
    user.fill("admin")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function(_SIGNED_IN, timeout=60_000)
    page.wait_for_function(_IDLE, timeout=60_000)
    return "signed in as admin (the demo alliance's administrator)"


def _build_demo(db: Path) -> None:
    from brokering.store import build_demo, open_store

    con = open_store(db)
    try:
        build_demo(con)
    finally:
        con.close()


def run(ctx: Context) -> None:
    chromium = _chromium()
    if chromium is None:
        ctx.add(
            Row(
                "browser",
                "Page timings in a browser",
                status="not available: Chromium is not installed",
            )
        )
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        ctx.add(
            Row(
                "browser",
                "Page timings in a browser",
                status="not available: playwright is not installed",
            )
        )
        return
    reps = ctx.reps("browser")
    tmp = tempfile.TemporaryDirectory(prefix="bench-browser-")
    port = _free_port()
    db = Path(tmp.name) / "alliance.duckdb"
    _build_demo(db)  # the app never builds it by itself (a first visit is offered the choice)
    env = {**os.environ, "BROKERING_DB": str(db)}
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
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 2200})
            page = context.new_page()
            page.set_default_timeout(120_000)
            t = time.perf_counter()
            page.goto(url)
            page.locator(f"{_H1}, {_MAIN} input").first.wait_for()
            page.wait_for_function(
                "() => document.querySelector('input[aria-label=\"Username\"]') || ("
                + _SIGNED_IN[6:]
                + ")",
                timeout=120_000,
            )
            page.wait_for_function(_IDLE, timeout=120_000)
            first = time.perf_counter() - t
            how = _sign_in(page)
            ctx.info["browser"] = {"first_load_s": first, "sign_in": how}
            _time_pages(ctx, page, reps)
            _time_search(ctx, page, reps)
            context.close()
            browser.close()
        ctx.notes.append(
            f"Browser: the first load (the demo alliance, built beforehand) took "
            f"{first:.1f} s; then {how}."
        )
    except Exception as exc:
        ctx.add(
            Row(
                "browser",
                "Page timings in a browser",
                status=f"failed: {type(exc).__name__}: {str(exc)[:200]}",
            )
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        tmp.cleanup()


def _links(page) -> list[tuple[str, str]]:
    loc = page.locator("[data-testid='stSidebarNavLink']")
    out = []
    for i in range(loc.count()):
        el = loc.nth(i)
        # The text starts with the icon's ligature name ("home\n\nHome"): keep the title.
        out.append(
            (el.inner_text().strip().split("\n")[-1].strip(), el.get_attribute("href") or "")
        )
    return out


def _time_pages(ctx: Context, page, reps: int) -> None:
    links = _links(page)
    # Signed in on the first page: start with the next one, so every click changes page.
    links = links[1:] + links[:1]
    samples: dict[str, list[float]] = {name: [] for name, _ in links}
    failures: dict[str, str] = {}
    for _ in range(reps):
        for name, href in links:
            if name in failures:
                continue
            before = _h1_text(page)
            link = page.locator(f"[data-testid='stSidebarNavLink'][href='{href}']").first
            page.evaluate(_WATCH)
            link.click()
            try:
                page.wait_for_function(
                    'old => { const h = document.querySelector("'
                    + _H1.replace('"', '\\"')
                    + '"); return h && h.innerText !== old; }',
                    arg=before,
                    timeout=30_000,
                )
                page.wait_for_function(_SETTLED, arg=QUIET_MS, timeout=60_000)
            except Exception as exc:
                failures[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                continue
            took = float(page.evaluate(_ELAPSED))
            if page.locator("[data-testid='stException']").count():
                failures[name] = "the page raised an exception"
                continue
            samples[name].append(took)
    for name, _href in sorted(links, key=lambda x: links.index(x) if x != links[-1] else -1):
        row = Row(
            f"page:{name}",
            f"Browser: open “{name}” (click to content drawn)",
            target=f"≤ {TARGET_PAGE_S:g} s",
        )
        if name in failures:
            row.status = f"failed: {failures[name]}"
        elif samples[name]:
            row.product = Figure("click → last change to the page (content drawn)", samples[name])
            row.met = row.product.median <= TARGET_PAGE_S
        ctx.add(row)


def _time_search(ctx: Context, page, reps: int) -> None:
    row = Row(
        "search",
        "Browser: Find expertise, submit a search → results",
        target=f"≤ {TARGET_SEARCH_S:g} s",
    )
    link = page.locator("[data-testid='stSidebarNavLink']", has_text="Find expertise")
    if not link.count():
        row.status = "not yet available: no Find expertise page"
        ctx.add(row)
        return
    link.first.click()
    page.wait_for_function(_IDLE, timeout=60_000)
    box = page.get_by_label("What are you looking for?", exact=True)
    if not box.count():
        box = page.locator(f"{_MAIN} input[type='text']").first
    queries = (
        "maths",
        "phonics",
        "behaviour management",
        "retrieval practice",
        "send",
        "year 6 reading",
        "oracy",
        "eal",
    )
    samples = []
    try:
        for i in range(reps + 1):  # the first search warms the app's caches: not timed
            box.fill(queries[i % len(queries)])
            page.evaluate(_WATCH)
            box.press("Enter")
            page.wait_for_function(_SETTLED, arg=QUIET_MS, timeout=60_000)
            page.locator(f"{_MAIN} [data-testid='stDataFrame']").first.wait_for()
            if page.locator("[data-testid='stException']").count():
                raise RuntimeError("the page raised an exception")
            if i:
                samples.append(float(page.evaluate(_ELAPSED)))
    except Exception as exc:
        row.status = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    if samples:
        row.product = Figure("Enter → last change to the page (results drawn)", samples)
        row.met = row.product.median <= TARGET_SEARCH_S
    ctx.add(row)
