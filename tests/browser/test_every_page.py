"""Every page opens in a real browser without an error, and leaves a screenshot as a test
artefact (the headteachers' dashboard pages among them)."""

from tests.browser.conftest import choose, no_exception, open_page, screenshot, wait_idle


def test_every_page_opens_for_the_administrator(page, app_url: str) -> None:
    page.goto(app_url)
    page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
    wait_idle(page)
    choose(page, "Role", "Alliance administrator")
    # The administrator's navigation adds the Accounts and Audit trail pages.
    page.locator("[data-testid='stSidebarNavLink']", has_text="Audit trail").wait_for()
    links = page.locator("[data-testid='stSidebarNavLink']")
    titles = [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]
    assert {
        "Home",
        "Data",
        "Transfer evidence",
        "Alliance maturity",
        "Accounts",
        "Audit trail",
    } <= {t.split(" (")[0] for t in titles}  # "Home (3)": the inbox's count
    for title in titles:
        open_page(page, title)
        no_exception(page)
        screenshot(page, "page-" + title.lower().replace(" ", "-"))


def test_dashboard_pages_show_charts(page, app_url: str) -> None:
    page.goto(app_url)
    wait_idle(page)
    open_page(page, "Transfer evidence")
    page.get_by_text("Evidenced transfers").first.wait_for()
    page.get_by_role("heading", name="Flows between schools").wait_for()
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    no_exception(page)
    open_page(page, "Alliance maturity")
    page.get_by_text("Suggested stage").first.wait_for()
    no_exception(page)
