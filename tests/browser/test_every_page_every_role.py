"""Every page, as every role, in a real browser with sign-in on (the demo alliance and its
accounts): no developer's words on screen, no `None`, `nan`, `NaT` or midnight times, no
error, and each page ready within the page budget from the click to its content.

What is read: the visible text of the page and the sidebar, and every table's column
headers and cells. `st.dataframe` draws its grid on a canvas, so the text of a table is not
in the page's text; the grid keeps an accessible copy (`role="columnheader"` and
`role="gridcell"`), which is what is read here — the header row in full, the body rows as
far as the grid has drawn them (the first screenful of a long table).

A leftover found on a page another piece of work is finishing is listed in KNOWN, with the
reason; it turns the test into an expected failure that names it, while anything not listed
fails. Remove an entry once its page is fixed (the test then passes, or fails on it)."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass

import pytest

from brokering.accounts import DEMO_PASSWORD
from tests.browser.conftest import wait_idle

#: Seconds from a click in the navigation to the page's content, finished (the issue's
#: "every page ≤ 2 s on the demo"). A slower machine than CI's can widen it with the
#: environment variable; CI runs with the default.
BUDGET_S = float(os.environ.get("BROKERING_PAGE_BUDGET_S", "2.0"))

#: One account per role; the schools differ so two schools' pages are seen.
ROLES = {
    "alliance administrator": "admin",
    "SLE coordinator": "coordinator",
    "governor (viewer)": "governor",
    "headteacher": "head-sch01",
    "senior leader": "leader-sch02",
}

#: What must never be on screen, by what it is.
LEFTOVERS = {
    "a choice 'in the sidebar' that does not exist": r"\bin the sidebar\b",
    "a command-line flag": r"(?<![\w-])--[a-z][a-z0-9-]+",
    "a role code": r"\b(alliance_admin|sle_coordinator|senior_leader)\b",
    "a school code shown raw": r"\bSCH\d+\b",
    # (a file's name, "pairing_evidence.csv", is the user's word and may stay)
    "a code identifier (raw column name)": r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b(?!\.(csv|xlsx|html))",
    "a solver's name": r"\b(HiGHS|highs|CBC|GLPK|scipy|milp|PuLP|OR-Tools)\b",
    "None": r"\bNone\b",
    "nan": r"(?<![\w-])(nan|NaN)(?![\w-])",
    "NaT": r"\bNaT\b",
    "<NA>": r"<NA>",
    "a midnight time": r"\b00:00(:00)?\b",
}

#: (page, what) -> why it is still there: leftovers on pages other work is finishing (issue
#: 23). Each is matched against the page's navigation title and the LEFTOVERS key.
_DATA = (
    "Data page (issue 23's Data slice, being finished separately): the import history and "
    "the recent-evidence table show raw column names (imported_at, rows_added, "
    "rows_updated), dates with a midnight time and a raw school code (SCH01)"
)
KNOWN: dict[tuple[str, str], str] = {
    ("Data", "a code identifier (raw column name)"): _DATA,
    ("Data", "a midnight time"): _DATA,
    ("Data", "a school code shown raw"): _DATA,
}


@dataclass(frozen=True)
class Finding:
    role: str
    page: str
    what: str
    text: str

    def __str__(self) -> str:
        return f"{self.page} as {self.role}: {self.what}: {self.text!r}"


def sign_in(page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
    page.get_by_text(username).first.wait_for()
    wait_idle(page)
    page.add_style_tag(content=_NO_ICONS)


def _nav_titles(page) -> list[str]:
    links = page.locator("[data-testid='stSidebarNavLink']")
    links.filter(has_text="Your account").wait_for()  # every role's last-but-few page
    return [t.strip().splitlines()[-1] for t in links.all_inner_texts()]


def _heading(title: str) -> str:
    base = re.sub(r" \(\d+\)$", "", title)  # "Home (3)": the inbox's count in the link
    return "Alliance Expertise Broker" if base == "Home" else base


def _finished(page) -> None:
    """Wait for the script run to end. The running widget can lag a short run's start, so
    this reads the app's own state, which Streamlit keeps on its root element."""
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=60_000,
    )
    wait_idle(page)


def _open_timed(page, title: str) -> float:
    """Click the page's link; seconds until its heading shows and its script has finished."""
    link = page.locator("[data-testid='stSidebarNavLink']", has_text=title).first
    start = time.perf_counter()
    link.click()
    page.get_by_role("heading", name=_heading(title)).first.wait_for()
    _finished(page)
    return time.perf_counter() - start


#: Icons are drawn from a font by their names ("person_search"): not words on screen.
_NO_ICONS = "[data-testid='stIconMaterial']{display:none !important}"


def _screen_text(page) -> list[str]:
    """The visible text of the page and the sidebar, then every table's headers and cells."""
    parts = [
        page.locator("[data-testid='stMain']").inner_text(),
        page.locator("[data-testid='stSidebar']").inner_text(),
    ]
    parts += page.locator("[role='columnheader']").all_text_contents()
    parts += page.locator("[role='gridcell']").all_text_contents()
    return parts


def _findings(role: str, title: str, texts: list[str]) -> list[Finding]:
    out = []
    for text in texts:
        for line in text.splitlines():
            for what, pattern in LEFTOVERS.items():
                found = re.search(pattern, line)
                if found:
                    out.append(Finding(role, title, what, line.strip()[:160]))
    return out


def _errors(page) -> int:
    return (
        page.locator("[data-testid='stException']").count()
        + page.locator("[data-testid='stAlertContentError']").count()
        + page.get_by_text("This app has encountered an error").count()
    )


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_as_every_role(browser, signed_app_url: str, role: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    page = context.new_page()
    page.set_default_timeout(60_000)
    findings: list[Finding] = []
    slow: list[str] = []
    try:
        sign_in(page, signed_app_url, ROLES[role])
        titles = _nav_titles(page)
        assert len(titles) >= 5, titles
        for title in titles:
            seconds = _open_timed(page, title)
            page_name = re.sub(r" \(\d+\)$", "", title)
            if seconds > BUDGET_S:
                slow.append(f"{page_name} as {role}: {seconds:.1f} s")
            if _errors(page):
                findings.append(Finding(role, page_name, "an error on the page", ""))
            texts = _screen_text(page)
            findings += _findings(role, page_name, texts)
            if os.environ.get("EVERY_PAGE_DUMP") == page_name:
                print("\n".join(texts))
            print(f"{role} | {page_name} | {seconds:.2f} s")
        if os.environ.get("EVERY_PAGE_DUMP"):
            for f in dict.fromkeys(findings):
                print("FINDING", f)
    finally:
        context.close()
    unique = list(dict.fromkeys(findings))
    known = [f for f in unique if (f.page, f.what) in KNOWN]
    new = [f for f in unique if (f.page, f.what) not in KNOWN]
    problems = [f"Leftovers on screen:\n{chr(10).join(map(str, new))}"] if new else []
    if slow:
        problems.append(f"Pages over {BUDGET_S:g} s from click to content:\n" + "\n".join(slow))
    assert not problems, "\n".join(problems)
    if known:
        reasons = sorted({KNOWN[(f.page, f.what)] for f in known})
        pytest.xfail(
            "Known leftovers on pages other work is finishing:\n"
            + "\n".join(map(str, known))
            + "\n"
            + "\n".join(reasons)
        )
