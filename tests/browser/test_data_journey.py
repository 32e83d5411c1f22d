"""Journey: a data manager opens the app on a fresh machine and sees the demo alliance."""

from tests.browser.conftest import no_exception, screenshot, wait_idle


def test_fresh_app_builds_and_shows_the_demo_alliance(page, app_url: str) -> None:
    page.goto(app_url)
    page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
    wait_idle(page)
    # The demo's hub school appears in the schools table (st.dataframe keeps an a11y grid).
    page.locator('[role="gridcell"]', has_text="Marlowick Academy").first.wait_for(state="attached")
    no_exception(page)
    screenshot(page, "home")
    page.locator("[data-testid='stSidebarNavLink']", has_text="Data").click()
    page.get_by_role("heading", name="Loaded, school by school").wait_for()
    wait_idle(page)
    no_exception(page)
    screenshot(page, "data")
