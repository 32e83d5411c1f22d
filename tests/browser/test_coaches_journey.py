"""Journey: a leader picks a need, opens a candidate's breakdown and sends a request; the
candidate's headteacher sees it counted on Home in the navigation and accepts it there, with
their colleague's agreement (demo alliance, real browser)."""

import re

from tests.browser.conftest import (
    choose,
    no_exception,
    open_page,
    options,
    screenshot,
    wait_idle,
)


def test_request_a_coach_and_the_other_school_accepts(page, app_url: str) -> None:
    page.goto(app_url)
    page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
    wait_idle(page)
    open_page(page, "Coaches and mentors")
    # Act as the data manager (the sidebar's role picker; sign-in is off for tests). The
    # page stays open while the role changes.
    choose(page, "Role", "Alliance administrator")
    page.get_by_role("heading", name="Candidates for a need").wait_for()

    # Pick a need (the second in the list, to use the picker) and wait for its candidates.
    offered = options(page, "Need")
    assert len(offered) >= 2, offered
    second = offered[1]
    choose(page, "Need", second)
    # a need in words ("Phonics for S0144 at …, raised 5 Dec 2026 — …"), no bare reference
    coachee = re.search(r" for (S\d+) at ", second).group(1)
    assert not re.match(r"N\d+", second)
    page.get_by_text(re.compile(rf"^{coachee} at .* wants a")).wait_for()
    wait_idle(page)

    # Open the top candidate's breakdown: the parts that add up to the match score.
    page.get_by_text(re.compile(r"^Why this match: S\d+")).click()
    page.get_by_text("the sum of these parts").wait_for()
    page.get_by_text("Expertise in the skill").first.wait_for(state="attached")
    no_exception(page)
    screenshot(page, "coaches-breakdown")

    page.get_by_role("button", name=re.compile(r"^Send request for S\d+")).click()
    sent = page.get_by_text(re.compile(r"Request #\d+ for S\d+ sent to "))
    sent.wait_for()
    match = re.search(r"Request #(\d+) for (S\d+) sent to (.+)\.", sent.inner_text())
    assert match, sent.inner_text()
    request_id, school = match.group(1), match.group(3).strip()
    wait_idle(page)
    no_exception(page)

    # The candidate's own school answers on Home, where the request waits in its inbox: the
    # navigation's Home link carries the count.
    choose(page, "Role", "Headteacher")
    choose(page, "School", school)
    home = page.locator("[data-testid='stSidebarNavLink']", has_text=re.compile(r"Home \(\d+\)"))
    home.first.wait_for()
    count = int(re.search(r"\((\d+)\)", home.first.inner_text()).group(1))
    assert count >= 1
    home.first.click()
    page.get_by_role("heading", name=re.compile(r"^What waits for you")).wait_for()
    wait_idle(page)
    label = "Requests to answer (one or several, with one reason)"
    ask = page.get_by_role("combobox", name=label, exact=True)
    ask.click()
    ask.press_sequentially(f"#{request_id}:")
    page.get_by_role("option", name=re.compile(rf"^#{request_id}:")).first.wait_for()
    ask.press("Enter")
    ask.press("Escape")
    wait_idle(page)
    page.get_by_text("My colleague(s) agreed to this", exact=True).click()
    page.get_by_role("button", name="Accept", exact=True).click()
    page.get_by_text(f"Request {request_id} accepted").wait_for()
    wait_idle(page)
    no_exception(page)
    screenshot(page, "home-inbox-accepted")
    open_page(page, "Coaches and mentors")
    # The need is matched now: it has left the open needs offered for candidates.
    assert second not in options(page, "Need")
