"""Journey: a partner school's senior leader signs in and searches; a strong teacher of
another school who has not consented to sharing never appears, while consenting colleagues
do (demo alliance, sign-in on)."""

import csv
from pathlib import Path

from brokering.accounts import DEMO_PASSWORD
from brokering.demo import write_demo_csvs
from tests.browser.conftest import no_exception, open_page, screenshot, wait_idle

VIEWER_SCHOOL = "SCH02"


def _hidden_star(tmp: Path) -> tuple[str, str, str]:
    """(staff_ref, school_id, skill) of a non-consenting teacher with the most strength-4
    evidence in some skill, outside the viewer's school."""
    write_demo_csvs(tmp)
    with (tmp / "staff.csv").open() as fh:
        staff = {r["staff_ref"]: r for r in csv.DictReader(fh)}
    counts: dict[tuple[str, str], int] = {}
    with (tmp / "evidence.csv").open() as fh:
        for r in csv.DictReader(fh):
            s = staff[r["staff_ref"]]
            if (
                s["share_consent"] == "no"
                and s["school_id"] != VIEWER_SCHOOL
                and not s["left_on"]
                and r["strength"] == "4"
            ):
                key = (r["staff_ref"], r["skill"])
                counts[key] = counts.get(key, 0) + 1
    (ref, skill), _ = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return ref, staff[ref]["school_id"], skill


def test_partner_leader_never_sees_a_non_consenting_teacher(
    browser, signed_app_url: str, tmp_path: Path
) -> None:
    ref, school, skill = _hidden_star(tmp_path)
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(signed_app_url)
        page.get_by_role("heading", name="Sign in").wait_for()
        page.get_by_label("Username", exact=True).fill(f"leader-{VIEWER_SCHOOL.lower()}")
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
        page.get_by_text(f"leader-{VIEWER_SCHOOL.lower()}").first.wait_for()
        wait_idle(page)
        open_page(page, "Find expertise")
        box = page.get_by_label("What are you looking for?", exact=True)
        box.fill(skill)
        box.press("Enter")
        page.get_by_role("heading", name=f"{skill}: ranked by practice strength").wait_for()
        wait_idle(page)
        cells = page.locator('[role="gridcell"]')
        cells.first.wait_for(state="attached")
        shown = set(cells.all_text_contents())
        assert any(t.startswith("S0") for t in shown), "some consenting staff are listed"
        assert ref not in shown, f"{ref} of {school} has not consented and must not appear"
        assert ref not in page.content()
        no_exception(page)
        screenshot(page, "privacy-partner-search")
        # Governors (aggregates only) cannot open person-level pages at all.
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in").wait_for()
        page.get_by_label("Username", exact=True).fill("governor")
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("governor").first.wait_for()
        nav = page.locator("[data-testid='stSidebarNavLink']")
        nav.filter(has_text="Coaches and mentors").wait_for(state="detached")
        nav.filter(has_text="Transfer evidence").wait_for()
        links = nav.all_inner_texts()
        assert not any("Coaches and mentors" in t or "Accounts" in t for t in links)
    finally:
        context.close()
