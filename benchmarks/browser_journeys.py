"""The browser benchmark's five journeys (issue 24) and how it watches a page: a journey's
time runs from the action to the last change to the page once what it waits for is drawn
and the script has finished. Apart from `ops_browser` (which starts the app and the browser)
so each journey reads as the steps a leader takes."""

from __future__ import annotations

import re

MAIN = "[data-testid='stAppViewContainer']"
H1 = f"{MAIN} h1"
#: Records the time of every change to the page body's elements or text from now on.
WATCH = (
    "() => { window.__benchT0 = performance.now(); window.__benchLast = window.__benchT0;"
    " if (window.__benchMo) window.__benchMo.disconnect();"
    " window.__benchMo = new MutationObserver(() => { window.__benchLast = performance.now(); });"
    " window.__benchMo.observe(document.querySelector(\"[data-testid='stAppViewContainer']\"),"
    " {subtree: true, childList: true, characterData: true}); }"
)
#: Settled: the script has finished and nothing in the page body changed for QUIET_MS.
QUIET_MS = 600
SETTLED = (
    "q => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && performance.now() - window.__benchLast > q"
)
ELAPSED = "() => (window.__benchLast - window.__benchT0) / 1000"


#: Searches that each name one skill (an ambiguous one, such as "reading", asks "did you
#: mean" and draws no results list).
QUERIES = ("maths", "phonics", "behaviour management", "retrieval practice", "questioning")


def _settle(page) -> None:
    page.wait_for_function(SETTLED, arg=QUIET_MS, timeout=60_000)
    if page.locator("[data-testid='stException']").count():
        raise RuntimeError("the page raised an exception")


def _timed(page, act, done) -> float:
    """Seconds from `act()` to the last change to the page once `done()` is visible (or, for
    a callable that waits by itself, has returned) and the script has finished."""
    page.evaluate(WATCH)
    act()
    found = done()
    if found is not None:
        found.first.wait_for()
    _settle(page)
    return float(page.evaluate(ELAPSED))


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
    page.evaluate(WATCH)  # `_settle` reads the watch's last change: start one
    page.locator("[data-testid='stSidebarNavLink']", has_text=title).first.click()
    page.get_by_role("heading", name=title).first.wait_for()
    _settle(page)


def _search_box(page):
    box = page.get_by_label("What are you looking for?", exact=True)
    return box if box.count() else page.locator(f"{MAIN} input[type='text']").first


def _results(page):
    return page.locator(f"{MAIN} [data-testid='stDataFrame']")


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
        # Never the search the last journey ended on (`_search`'s last is QUERIES[reps % 5]):
        # the same query draws the same heading, and the wait for a new one never ends.
        box.fill(QUERIES[(reps + 1 + i) % len(QUERIES)])
        old = _results_heading(page)
        page.evaluate(WATCH)
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
        page.locator(f"{MAIN} input[aria-label='Recorded by']").first.fill("SLT")
        page.locator(f"{MAIN} input[aria-label='Hours']").first.fill("1")
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
