"""Journey: the headteacher of a small school signs in and opens the Transfer evidence page.
Figures resting on fewer than three people they cannot see are drawn as hidden — a grey
"fewer than 3" in the headline and in the given-and-received table, a note under a chart
naming how many schools it leaves out — never as 0; nothing worked out from a hidden figure
shows beside it. Then their own school's view: no figure drawn as a bare 0.000000."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import (
    _demo_db,
    _serve,
    choose,
    no_exception,
    open_page,
    screenshot,
    wait_idle,
)
from tests.browser.test_every_page_every_role import sign_in

SCHOOL = "Riverside High School"  # the demo's SCH07: few people in its pairings this term
HEAD = "head-sch07"
HIDDEN = "fewer than 3"


@pytest.fixture(scope="module")
def own_app_url(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[str]:
    """The app as deployed on a demo store of its own: the journey reads figures that other
    journeys' writes (an accepted request, a logged session) would change on the shared one."""
    yield from _serve(_demo_db(tmp_path_factory.mktemp("hidden-db") / "alliance.duckdb"), "on")


def metrics(page) -> dict[str, str]:
    """The headline figures as drawn: label -> value."""
    boxes = page.locator("[data-testid='stMetric']")
    boxes.first.wait_for()
    return {
        m.locator("[data-testid='stMetricLabel']").inner_text().strip(): m.locator(
            "[data-testid='stMetricValue']"
        )
        .inner_text()
        .strip()
        for m in boxes.all()
    }


def test_a_small_schools_head_sees_hidden_figures_drawn_as_hidden(browser, own_app_url) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        sign_in(page, own_app_url, HEAD)
        open_page(page, "Transfer evidence")
        no_exception(page)

        # The whole alliance, as the page opens: something rests on people they cannot see.
        values = metrics(page)
        hidden = {k for k, v in values.items() if v == HIDDEN}
        assert hidden, values
        # A hidden figure has no change on last term beside it (that would give it away).
        for box in page.locator("[data-testid='stMetric']").all():
            if box.locator("[data-testid='stMetricValue']").inner_text().strip() == HIDDEN:
                assert box.locator("[data-testid='stMetricDelta']").count() == 0
        if "Evidenced transfers" in hidden:  # nothing worked out from it beside it
            for derived in ("Transfer rate (%)", "Hours per evidenced transfer"):
                assert values[derived] in (HIDDEN, "none yet"), values

        # A chart that leaves schools out says how many, in words.
        note = page.get_by_text(re.compile(r"\d+ schools? not shown: each rests on fewer than 3"))
        note.or_(page.get_by_text("so none is shown")).first.wait_for()

        # The given-and-received table draws each hidden total as a grey "fewer than 3",
        # and says why, never 0.
        page.get_by_role("heading", name="Given and received").scroll_into_view_if_needed()
        cells = page.locator("[data-testid='stDataFrame'] [role='gridcell']")
        # Read once its rows are drawn (the grid fills its cells after it appears).
        cells.filter(has_text="fewer than 3 people: hidden").first.wait_for(state="attached")
        texts = [t.strip() for t in cells.all_inner_texts()]
        assert HIDDEN in texts, texts[:40]
        assert "fewer than 3 people: hidden" in texts, texts[:40]
        assert not any(t.endswith(".000000") or t == "None" for t in texts), texts
        # The flow heat map leaves hidden cells blank and says how many.
        page.get_by_text(re.compile(r"\d+ flows? between schools not shown")).first.wait_for()
        no_exception(page)
        screenshot(page, "transfer-small-school-hidden")

        # Their own school: its people are theirs to count, and no figure is a bare decimal.
        choose(page, "School", SCHOOL)
        wait_idle(page)
        metrics(page)
        text = page.locator("body").inner_text()
        assert "0.000000" not in text, text[text.find("0.000000") - 200 :][:400]
        assert "nan" not in text.split() and "None" not in text.split()
        no_exception(page)
        screenshot(page, "transfer-small-school-own")
    finally:
        context.close()
