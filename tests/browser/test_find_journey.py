"""Journey: a senior leader searches with a typo, sees who is strongest, opens "Why this
rank", and sees the schools by depth (demo alliance, real browser)."""

from brokering.demo import STORY
from tests.browser.conftest import no_exception, open_page, screenshot, wait_idle

TOP_PERFORMER = STORY["coach_pairs"]["Behaviour and routines"]["top_performer"]


def test_search_with_a_typo_then_why_this_rank_and_by_school(page, app_url: str) -> None:
    page.goto(app_url)
    page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
    wait_idle(page)
    open_page(page, "Find expertise")
    page.get_by_text("Type a skill to see who is strongest").wait_for()

    box = page.get_by_label("What are you looking for?", exact=True)
    box.fill("behavour")
    box.press("Enter")
    page.get_by_text("Searching for Behaviour and routines").wait_for()
    page.get_by_role(
        "heading", name="Behaviour and routines: ranked by practice strength"
    ).wait_for()
    wait_idle(page)
    # The demo's top performer in behaviour leads (the grid keeps an accessible copy).
    page.locator('[role="gridcell"]', has_text=TOP_PERFORMER).first.wait_for(state="attached")
    no_exception(page)

    page.get_by_text(f"#1 {TOP_PERFORMER}").click()
    page.get_by_text("Newest first; the arithmetic is in the next tab").first.wait_for()
    page.get_by_role("tab", name="The arithmetic").first.click()
    page.get_by_text("Points add up to").first.wait_for()
    page.get_by_text("prior (shrinkage)").first.wait_for(state="attached")

    page.get_by_role("heading", name="By school").wait_for()
    page.locator("[data-testid='stVegaLiteChart'], .vega-embed").first.wait_for()
    page.get_by_role("heading", name="Map of strengths").wait_for()
    page.get_by_role("heading", name="Gap map").wait_for()
    no_exception(page)
    screenshot(page, "find-expertise")
