"""Every page, as every role, in a real browser with sign-in on (the demo alliance and its
accounts): no developer's words on screen, no `None`, `nan`, `NaT` or midnight times, no
error, and each page ready within the page budget from the click to its content.

What is read: the visible text of the page and the sidebar, and every table's column
headers and cells. `st.dataframe` draws its grid on a canvas, so the text of a table is not
in the page's text; the grid keeps an accessible copy (`role="columnheader"` and
`role="gridcell"`), which is what is read here — the headers and cells the grid has drawn
(on the test's tall, wide window, the whole header row and the first screenful of rows).
Pages that open empty are also filled once: a leader opens one person's staff profile.

A leftover found on a page another piece of work is finishing is listed in KNOWN, with the
reason; it turns the test into an expected failure that names it, while anything not listed
fails. Remove an entry once its page is fixed (the test then passes, or fails on it).

To see what was read, run with `-s` and EVERY_PAGE_DUMP=1 (every finding, known ones too)
or EVERY_PAGE_DUMP="<page name>" (that page's text as read)."""

from __future__ import annotations

import csv
import functools
import os
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from brokering.accounts import DEMO_PASSWORD
from brokering.demo import write_demo_csvs
from tests.browser.conftest import ROOT, screenshot, wait_idle

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


def _skill_references() -> str:
    """The taxonomy's hyphenated skill references as one pattern (a one-word reference,
    "mathematics", is also an English word and is not looked for)."""
    with (ROOT / "data" / "taxonomy" / "skills.csv").open() as fh:
        refs = sorted({r["skill_id"] for r in csv.DictReader(fh) if "-" in r["skill_id"]})
    return r"(?<![\w-])(" + "|".join(map(re.escape, refs)) + r")(?![\w-])"


#: What must never be on screen, by what it is.
LEFTOVERS = {
    "a choice 'in the sidebar' that does not exist": r"\bin the sidebar\b",
    "a command-line flag": r"(?<![\w-])--[a-z][a-z0-9-]+",
    # a taxonomy reference ("early-reading-and-phonics") where the skill's name belongs
    "a skill's reference": _skill_references(),
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
#: Leftovers knowingly left on a page, with the reason: none now (the Data, Accounts and
#: Audit trail pages' were fixed); an entry here turns a finding into an expected failure.
KNOWN: dict[tuple[str, str], str] = {}


#: The school whose person each role opens on the Staff profile page (their own school for
#: the school roles; partner-school staff who share for the alliance-wide ones).
PROFILE_SCHOOL = {"head-sch01": "SCH01", "leader-sch02": "SCH02"}


@functools.cache
def _a_person(school: str) -> str:
    """A current member of staff of `school` who shares alliance-wide, with the most
    evidence recorded (the fullest profile), from the demo alliance's own files."""
    with tempfile.TemporaryDirectory() as tmp:
        write_demo_csvs(Path(tmp))
        with (Path(tmp) / "staff.csv").open() as fh:
            staff = [
                r["staff_ref"]
                for r in csv.DictReader(fh)
                if r["school_id"] == school and r["share_consent"] == "yes" and not r["left_on"]
            ]
        with (Path(tmp) / "evidence.csv").open() as fh:
            counts = Counter(r["staff_ref"] for r in csv.DictReader(fh))
    return max(staff, key=lambda ref: (counts[ref], ref))


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


@dataclass
class Walk:
    """What one role's walk through the pages found."""

    role: str
    findings: list[Finding]
    slow: list[str]

    def check(self, page, name: str, seconds: float, timed: bool = True) -> None:
        if timed and seconds > BUDGET_S:
            self.slow.append(f"{name} as {self.role}: {seconds:.1f} s")
        if _errors(page):
            self.findings.append(Finding(self.role, name, "an error on the page", ""))
        texts = _screen_text(page)
        self.findings += _findings(self.role, name, texts)
        print(f"{self.role} | {name} | {seconds:.2f} s")
        if os.environ.get("EVERY_PAGE_DUMP") == name:
            print("\n".join(texts))


def _open_a_profile(page, username: str) -> float:
    """On the Staff profile page (which opens empty), open one person's profile."""
    box = page.get_by_label("Staff reference", exact=True)
    ref = _a_person(PROFILE_SCHOOL.get(username, "SCH03"))
    start = time.perf_counter()
    box.fill(ref)
    box.press("Enter")
    try:
        page.get_by_role("heading", name="Strengths").first.wait_for()
    except Exception:
        screenshot(page, f"profile-not-opened-{username}")
        raise
    _finished(page)
    return time.perf_counter() - start


def _search(page) -> None:
    """Find expertise: one search, to read the ranked list and its chart's table."""
    box = page.get_by_label("What are you looking for?", exact=True)
    box.fill("phonics")
    box.press("Enter")
    page.get_by_role("heading", name=re.compile("ranked by practice strength")).first.wait_for()
    _finished(page)


def _preview_allocation(page) -> None:
    """Allocate all needs: one preview, to read the three ways side by side."""
    page.get_by_role("button", name=re.compile("^Preview allocation")).click()
    page.get_by_role("heading", name=re.compile("^Three ways to allocate")).first.wait_for()
    _finished(page)


#: Pages that show most after one action, and the role that takes it (one role each, to keep
#: the test's time down): (page, name in findings, action). Not held to the page budget —
#: a search or an allocation is a piece of work, not a page opening.
ACTIONS = {
    "headteacher": [("Find expertise", "Find expertise (a search)", _search)],
    "SLE coordinator": [
        ("Allocate all needs", "Allocate all needs (a preview)", _preview_allocation)
    ],
}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_as_every_role(browser, signed_app_url: str, role: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    page = context.new_page()
    page.set_default_timeout(60_000)
    walk = Walk(role, [], [])
    try:
        sign_in(page, signed_app_url, ROLES[role])
        titles = _nav_titles(page)
        assert len(titles) >= 5, titles
        for title in titles:
            seconds = _open_timed(page, title)
            walk.check(page, re.sub(r" \(\d+\)$", "", title), seconds)
        if "Staff profile" in titles:
            _open_timed(page, "Staff profile")
            walk.check(page, "Staff profile (one person's)", _open_a_profile(page, ROLES[role]))
        for title, name, act in ACTIONS.get(role, []):
            _open_timed(page, title)
            start = time.perf_counter()
            act(page)
            walk.check(page, name, time.perf_counter() - start, timed=False)
    finally:
        context.close()
    unique = list(dict.fromkeys(walk.findings))
    if os.environ.get("EVERY_PAGE_DUMP"):
        print("\n".join(f"FINDING {f}" for f in unique))
    known = [f for f in unique if (f.page, f.what) in KNOWN]
    new = [f for f in unique if (f.page, f.what) not in KNOWN]
    problems = [f"Leftovers on screen:\n{chr(10).join(map(str, new))}"] if new else []
    if walk.slow:
        problems.append(
            f"Pages over {BUDGET_S:g} s from click to content:\n" + "\n".join(walk.slow)
        )
    assert not problems, "\n".join(problems)
    if known:
        reasons = sorted({KNOWN[(f.page, f.what)] for f in known})
        pytest.xfail(
            "Known leftovers on pages other work is finishing:\n"
            + "\n".join(map(str, known))
            + "\n"
            + "\n".join(reasons)
        )
