"""At 1400 px the columns a decision rests on are visible without scrolling sideways: the
Coaches and mentors page's candidates (rank, match, expertise, coaching, hours left, why not
proposed) and the Find expertise page's ranked list (demo alliance, real browser)."""

from __future__ import annotations

from tests.browser.conftest import choose, no_exception, open_page, screenshot, wait_idle

WIDTH = 1400


def grid_with(page, header: str):
    """The data grid whose header row has `header`."""
    grid = page.locator("[data-testid='stDataFrame']").filter(
        has=page.locator("[role='columnheader']", has_text=header)
    )
    grid.first.wait_for(state="attached")
    return grid.first


def assert_fits(page, grid, headers: list[str]) -> None:
    """Every header in `headers` is in the grid, and the grid does not scroll sideways: its
    columns fit inside what is drawn at this width."""
    grid.scroll_into_view_if_needed()
    names = [t.strip() for t in grid.locator("[role='columnheader']").all_inner_texts()]
    for header in headers:
        assert any(n == header or n.startswith(header) for n in names), (header, names)
    widths = grid.evaluate(
        """el => {
            const s = el.querySelector('.dvn-scroller') || el;
            return [s.scrollWidth, s.clientWidth, el.getBoundingClientRect().right];
        }"""
    )
    scroll, client, right = widths
    assert scroll <= client + 1, (
        f"{names[-1]!r}: the grid scrolls sideways, {scroll} px in {client} px"
    )
    assert right <= WIDTH, f"the grid runs past the window: right edge at {right} px"


def test_decision_columns_fit_at_1400_px(page, app_url: str) -> None:
    assert page.viewport_size["width"] == WIDTH
    page.goto(app_url)
    page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
    wait_idle(page)
    open_page(page, "Coaches and mentors")
    choose(page, "Role", "Alliance administrator")
    page.get_by_role("heading", name="Candidates for a need").wait_for()
    wait_idle(page)
    grid = grid_with(page, "Why not proposed")
    assert_fits(
        page,
        grid,
        ["Rank", "Match", "Expertise", "Coaching / mentoring", "Hours left", "Why not proposed"],
    )
    no_exception(page)
    screenshot(page, "coaches-columns-1400")

    open_page(page, "Find expertise")
    box = page.get_by_label("What are you looking for?", exact=True)
    box.fill("behaviour")
    box.press("Enter")
    page.get_by_role(
        "heading", name="Behaviour and routines: ranked by practice strength"
    ).wait_for()
    wait_idle(page)
    grid = grid_with(page, "Practice")
    assert_fits(page, grid, ["#", "Ref", "School", "Practice", "Coaching", "Confidence"])
    no_exception(page)
    screenshot(page, "find-columns-1400")
