"""Timings in a real browser (Playwright driving Debian's Chromium), on two data sets: the
demo alliance, and one alliance at scale (50 schools, 5,000 staff, generated with national
proportions). For each, the app is started with `streamlit run` over a store built before
the server starts, the benchmark signs in as the alliance administrator, then times each page
in the sidebar (click to content drawn) and, 20 times each, the five main journeys: search ->
results, open "why this rank", candidates for a need, log a pairing entry, open the Transfer
page. The rows go to their own table, labelled with the data set, with p50 and p95."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.browser_journeys import ELAPSED, H1, JOURNEYS, MAIN, QUIET_MS, SETTLED, WATCH
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
_IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
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


def _h1_text(page) -> str:
    loc = page.locator(H1)
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
            page.locator(f"{H1}, {MAIN} input").first.wait_for()
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
            page.evaluate(WATCH)
            link.click()
            try:
                page.wait_for_function(
                    'old => { const h = document.querySelector("'
                    + H1.replace('"', '\\"')
                    + '"); return h && h.innerText !== old; }',
                    arg=before,
                    timeout=30_000,
                )
                page.wait_for_function(SETTLED, arg=QUIET_MS, timeout=60_000)
            except Exception as exc:
                failures[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                continue
            took = float(page.evaluate(ELAPSED))
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
