"""Timings in a real browser (Playwright driving Debian's Chromium), on two data sets: the
demo alliance, and one alliance at scale (50 schools, 5,000 staff, generated with national
proportions). For each, the app is started with `streamlit run` over a store built before
the server starts, the benchmark signs in as the alliance administrator, then times each page
in the sidebar (click to content drawn) and, 20 times each, the five main journeys: search ->
results, open "why this rank", candidates for a need, log a pairing entry, open the Transfer
page. The rows go to their own table, labelled with the data set, with p50 and p95."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.context import Context
from benchmarks.measure import ROOT, Figure, Row

#: (label, data set, p95 target in seconds for the five journeys) — issue 24.
DATA_SETS = (
    ("the demo alliance", "demo", 1.0),
    ("one alliance at scale: 50 schools, 5,000 staff (generated)", "alliance50", 2.0),
)
#: Timed runs of each page (the journeys take `ctx.reps("browser")`).
PAGE_REPS = 5
ADMIN_USER = "bench-admin"
ADMIN_PASSWORD = "a benchmark alliance administrator 2026"
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


def chromium_path() -> str | None:
    for c in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(c):
            return c
    return None


def free_port() -> int:
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


def _sign_in(page, user: str, password: str | None) -> str:
    """Sign in when the app asks; returns how it went."""
    box = page.get_by_label("Username", exact=True)
    try:
        box.wait_for(timeout=120_000)
    except Exception:
        return "no sign-in form"
    if not password:
        return "sign-in form but no password known"
    box.fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function(_SIGNED_IN, timeout=60_000)
    page.wait_for_function(_IDLE, timeout=60_000)
    return f"signed in as {user} (the alliance administrator)"


def build_demo_store(db: Path) -> None:
    """The demo alliance and its accounts in `db` (the app never builds it by itself: a
    first visit is offered the choice)."""
    from brokering.store import build_demo, open_store

    con = open_store(db)
    try:
        if not build_demo(con).ok:
            raise RuntimeError("the demo alliance could not be built")
    finally:
        con.close()


def _alliance_store(ctx: Context, db: Path) -> tuple[str, str]:
    """The alliance-scale data set imported into a store (cached), re-laid, with an
    administrator account; copied to `db`."""
    import shutil

    from benchmarks.generate import AS_OF, ensure_dataset
    from brokering import accounts
    from brokering.find import maintenance
    from brokering.importing import import_paths
    from brokering.store import open_store
    from brokering.viewer import operator

    data, _ = ensure_dataset("alliance50", ctx.seed, ctx.work)
    folder = ctx.work / "db" / data.name
    folder.mkdir(parents=True, exist_ok=True)
    cached = folder / "browser.duckdb"
    if not (folder / "browser.ready").exists():
        cached.unlink(missing_ok=True)
        con = open_store(cached)
        try:
            report = import_paths(
                con, sorted(data.glob("*.csv")), operator("benchmark"), today=AS_OF
            )
            if not (report.ok and report.applied):
                raise RuntimeError(f"import failed: {[str(p) for p in report.problems[:3]]}")
            maintenance.optimise(con)
            accounts.create_first_administrator(con, ADMIN_USER, ADMIN_PASSWORD)
        finally:
            con.close()
        (folder / "browser.ready").write_text(data.name)
    shutil.copyfile(cached, db)
    return ADMIN_USER, ADMIN_PASSWORD


def _demo_store(db: Path) -> tuple[str, str | None]:
    build_demo_store(db)
    from brokering import accounts

    return "admin", getattr(accounts, "DEMO_PASSWORD", None)


def run(ctx: Context) -> None:
    chromium = chromium_path()
    if chromium is None:
        ctx.add(Row("browser", "Browser timings", status="not available: no Chromium"))
        return
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401 - availability
    except ImportError:
        ctx.add(Row("browser", "Browser timings", status="not available: no playwright"))
        return
    only = {k for k in os.environ.get("BENCH_BROWSER_DATA", "").split(",") if k}
    for label, kind, target in DATA_SETS:
        if (ctx.scale == "smoke" and kind != "demo") or (only and kind not in only):
            continue  # the smoke run stays quick: the demo only
        try:
            _run_one(ctx, chromium, label, kind, target)
        except Exception as exc:
            ctx.add(
                Row(
                    "browser",
                    "Browser timings",
                    status=f"failed: {type(exc).__name__}: {str(exc)[:200]}",
                    quality={"data_set": label},
                )
            )


def _run_one(ctx: Context, chromium: str, label: str, kind: str, target: float) -> None:
    from playwright.sync_api import sync_playwright

    reps = ctx.reps("browser")
    tmp = tempfile.TemporaryDirectory(prefix="bench-browser-")
    port = free_port()
    db = Path(tmp.name) / "alliance.duckdb"
    user, password = _demo_store(db) if kind == "demo" else _alliance_store(ctx, db)
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
            how = _sign_in(page, user, password)
            if os.environ.get("BENCH_BROWSER_PAGES", "1") != "0":  # 0: the journeys only
                _time_pages(ctx, page, min(reps, PAGE_REPS), label)
            for name, journey in JOURNEYS:
                row = Row(
                    f"journey:{name}",
                    f"Browser: {name}",
                    target=f"p95 ≤ {target:g} s",
                    quality={"data_set": label},
                )
                try:
                    samples = journey(page, reps)
                except Exception as exc:
                    row.status = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
                else:
                    row.product = Figure("action → last change to the page", samples)
                    row.met = _p95(samples) <= target
                ctx.add(row)
            context.close()
            browser.close()
        ctx.notes.append(f"Browser, {label}: the first load took {first:.1f} s; then {how}.")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        tmp.cleanup()


def _p95(samples: list[float]) -> float:
    import math

    q = sorted(samples)
    return q[max(1, math.ceil(0.95 * len(q))) - 1]


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


def _time_pages(ctx: Context, page, reps: int, data_set: str) -> None:
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
            target="reported (the journeys carry the targets)",
            quality={"data_set": data_set},
        )
        if name in failures:
            row.status = f"failed: {failures[name]}"
        elif samples[name]:
            row.product = Figure("click → last change to the page (content drawn)", samples[name])
        ctx.add(row)


#: Searches that each name one skill (an ambiguous one, such as "reading", asks "did you
#: mean" and draws no results list).
QUERIES = ("maths", "phonics", "behaviour management", "retrieval practice", "questioning")


def _settle(page) -> None:
    page.wait_for_function(_SETTLED, arg=QUIET_MS, timeout=60_000)
    if page.locator("[data-testid='stException']").count():
        raise RuntimeError("the page raised an exception")


def _timed(page, act, done) -> float:
    """Seconds from `act()` to the last change to the page once `done()` is visible (or, for
    a callable that waits by itself, has returned) and the script has finished."""
    page.evaluate(_WATCH)
    act()
    found = done()
    if found is not None:
        found.first.wait_for()
    _settle(page)
    return float(page.evaluate(_ELAPSED))


#: The heading of a results list other than `old` is drawn.
_NEW_RESULTS = (
    "old => [...document.querySelectorAll('h1, h2, h3')].some(h => "
    "h.innerText.includes('ranked by') && h.innerText !== old)"
)


def _results_heading(page) -> str:
    heads = page.get_by_role("heading", name=re.compile("ranked by"))
    return heads.first.inner_text() if heads.count() else ""


def _new_results(page, old: str) -> None:
    page.wait_for_function(_NEW_RESULTS, arg=old, timeout=60_000)
    _results(page).first.wait_for()


def _nav(page, title: str) -> None:
    page.evaluate(_WATCH)  # `_settle` reads the watch's last change: start one
    page.locator("[data-testid='stSidebarNavLink']", has_text=title).first.click()
    page.get_by_role("heading", name=title).first.wait_for()
    _settle(page)


def _search_box(page):
    box = page.get_by_label("What are you looking for?", exact=True)
    return box if box.count() else page.locator(f"{_MAIN} input[type='text']").first


def _results(page):
    return page.locator(f"{_MAIN} [data-testid='stDataFrame']")


def _search(page, reps: int) -> list[float]:
    _nav(page, "Find expertise")
    out = []
    for i in range(reps + 1):  # the first search warms the app's caches: not timed
        box = _search_box(page)
        box.fill(QUERIES[i % len(QUERIES)])
        old = _results_heading(page)
        took = _timed(
            page, lambda box=box: box.press("Enter"), lambda old=old: _new_results(page, old)
        )
        if i:
            out.append(took)
    return out


WHY = "Newest first; the arithmetic is in the next tab"


def _why(page, reps: int) -> list[float]:
    _nav(page, "Find expertise")
    out = []
    for i in range(reps + 1):
        box = _search_box(page)
        box.fill(QUERIES[(i + 1) % len(QUERIES)])
        old = _results_heading(page)
        page.evaluate(_WATCH)
        box.press("Enter")
        _new_results(page, old)
        _settle(page)
        first = page.get_by_text(re.compile(r"^#1 ")).first
        if page.get_by_text(WHY).count() and page.get_by_text(WHY).first.is_visible():
            first.click()  # left open from this skill's last search: close it, untimed
            _settle(page)
        took = _timed(
            page,
            first.click,
            lambda: page.get_by_text(WHY),
        )
        if i:
            out.append(took)
    return out


#: The need's summary ("S… at … wants a …") other than `old` is drawn, or the need was
#: refused with a message (a need for a leaver is answered with why, not with candidates).
_NEW_NEED = (
    "old => { const ps = [...document.querySelectorAll('p')].map(p => p.innerText)"
    ".filter(t => / wants a /.test(t)); return (ps.length && ps[0] !== old) || "
    "!!document.querySelector('[data-testid=\"stAlert\"]'); }"
)


def _need_text(page) -> str:
    found = page.get_by_text(re.compile(r" wants a "))
    return found.first.inner_text() if found.count() else ""


def _new_need(page, old: str) -> None:
    page.wait_for_function(_NEW_NEED, arg=old, timeout=60_000)


def _candidates(page, reps: int) -> list[float]:
    _nav(page, "Coaches and mentors")
    page.get_by_role("heading", name="Candidates for a need").wait_for()
    box = page.get_by_role("combobox", name="Need", exact=True)
    out = []
    for i in range(reps + 1):
        box.click()
        options = page.get_by_role("option")
        options.first.wait_for()
        pick = options.nth(1 + i % max(1, options.count() - 1))
        before = _need_text(page)
        took = _timed(page, pick.click, lambda before=before: _new_need(page, before))
        if i:
            out.append(took)
    return out


ADDED = re.compile(r"^Added .* \(entry \d+\)")


def _entry(page, reps: int) -> list[float]:
    _nav(page, "JPD pairings")
    add = page.get_by_role("button", name="Add to the log")
    if not add.count():  # the first pairing listed takes no entries: open an active one
        page.get_by_role("combobox", name="Status", exact=True).click()
        page.get_by_role("option", name="active", exact=True).click()
        _settle(page)
    out, last = [], None
    for i in range(reps + 1):
        # The inputs themselves: the log's table above has columns of the same names.
        page.locator(f"{_MAIN} input[aria-label='Recorded by']").first.fill("SLT")
        page.locator(f"{_MAIN} input[aria-label='Hours']").first.fill("1")
        took = _timed(
            page,
            add.first.click,
            lambda: page.get_by_text(ADDED),
        )
        shown = page.get_by_text(ADDED).first.inner_text()
        if shown == last:
            raise RuntimeError("the entry was not added")
        last = shown
        if i:
            out.append(took)
    return out


def _transfer(page, reps: int) -> list[float]:
    out = []
    for i in range(reps + 1):
        page.locator("[data-testid='stSidebarNavLink']", has_text="Home").first.click()
        page.get_by_role("heading", name="Alliance Expertise Broker").first.wait_for()
        _settle(page)
        link = page.locator("[data-testid='stSidebarNavLink']", has_text="Transfer evidence")
        took = _timed(
            page,
            link.first.click,
            lambda: page.get_by_role("heading", name="Transfer evidence"),
        )
        if i:
            out.append(took)
    return out


#: The five main journeys (issue 24), in the order they are run.
JOURNEYS = (
    ("search → results", _search),
    ("open why-this-rank", _why),
    ("candidates for a need", _candidates),
    ("log a pairing entry", _entry),
    ("open the Transfer page", _transfer),
)
