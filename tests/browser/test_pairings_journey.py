"""Journey: the SLE coordinator logs a pairing between two schools, records an observation
of the recipient doing the practice (rated 3, which meets the transfer rule), marks it
transferred, and finds it in the ledger."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import no_exception, open_page, screenshot, wait_idle

STARTED = (date.today() - timedelta(days=42)).isoformat()


def pick(page, label: str, text: str) -> str:
    """Choose the first option containing `text` in the multiselect labelled `label`;
    return the option's text."""
    box = page.locator("[data-testid='stMultiSelect']").filter(has_text=label).first
    box.locator("input").click()
    page.keyboard.type(text)
    option = page.get_by_role("option").filter(has_text=text).first
    chosen = option.inner_text()
    option.click()
    page.keyboard.press("Escape")
    return chosen


def select(page, label: str, option: str) -> None:
    """Choose `option` in the selectbox labelled `label`. It is a combobox whose list closes
    when the page scrolls or the script reruns, so it is opened from the keyboard, and opened
    again if a rerun closed it (or drew it anew) before the option could be clicked."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    combo = box.get_by_role("combobox")
    for attempt in range(5):
        wait_idle(page)
        try:
            combo.scroll_into_view_if_needed()
            combo.focus()
            page.keyboard.press("ArrowDown")
            page.get_by_role("option", name=option, exact=True).click(timeout=3_000)
            break
        except PlaywrightError:  # not there in time, or drawn anew by a rerun: try again
            page.keyboard.press("Escape")
            if attempt == 4:
                raise
    wait_idle(page)
    assert combo.input_value() == option


def set_date(page, label: str, iso: str) -> None:
    """Type a date into Streamlit's date field: its segments run day, month, year, as the UK
    writes a date (brokering.dates.INPUT_FORMAT)."""
    field = page.get_by_label(label, exact=True)
    field.locator("[role='spinbutton']").first.click()
    page.keyboard.type(f"{date.fromisoformat(iso):%d%m%Y}")
    page.keyboard.press("Tab")


def test_log_observe_transfer_and_see_it_in_the_ledger(page, app_url: str) -> None:
    page.goto(app_url)
    page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
    wait_idle(page)
    page.reload()  # a fresh session once the first visit has built the demo alliance
    page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
    wait_idle(page)
    select(page, "Role", "SLE coordinator")
    open_page(page, "JPD pairings")
    no_exception(page)

    page.get_by_text("Log a pairing", exact=True).click()
    wait_idle(page)
    page.get_by_label("Practice", exact=True).fill("Retrieval practice")
    donor = pick(page, "Donor (shares the practice)", "Marlowick Academy")
    recipient = pick(page, "Recipient (develops the practice)", "Brookfield Primary")
    donor_ref = re.match(r"\S+", donor).group(0)
    select(page, "Starts as", "active")
    set_date(page, "Start date", STARTED)
    screenshot(page, "pairings-log-form")
    page.get_by_role("button", name="Log the pairing").click()
    page.get_by_text(re.compile(r"^Logged the pairing")).wait_for()
    wait_idle(page)
    no_exception(page)
    # The pairing is named in words (practice, schools, start), its reference only in a note.
    heading = page.get_by_role("heading", name=re.compile(r" → .*, started "))
    heading.first.wait_for()
    assert "Marlowick Academy → Brookfield Primary" in heading.first.inner_text()
    assert not re.search(r"\bP\d+\b", heading.first.inner_text())

    select(page, "Type of entry", "observation")
    page.get_by_label("Recorded by", exact=True).fill("SLT")
    page.get_by_label("Hours", exact=True).fill("1.5")
    select(page, "Rating of what was seen (1-4, 4 strongest)", "3")
    page.get_by_role("button", name="Add to the log").click()
    page.get_by_text(re.compile(r"Added the observation to this pairing's log")).wait_for()
    wait_idle(page)
    page.get_by_text("Transfer evidenced by 1 observation(s)").wait_for()

    for target in ("review due", "transferred"):
        select(page, "Move to", target)
        page.get_by_role("button", name="Move", exact=True).click()
        page.get_by_text(f"The pairing is now {target}.").wait_for()
        wait_idle(page)
    no_exception(page)
    screenshot(page, "pairings-transferred")

    page.get_by_text("Reciprocity ledger", exact=True).click()
    page.get_by_role("heading", name="Giving and receiving, school by school").wait_for()
    wait_idle(page)
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    # The school-level ledger and the relationship table show the new one-way flow (the
    # person-by-person grid is virtualised, so its rows are not all in the page at once).
    page.locator('[role="gridcell"]', has_text="Brookfield Primary and Nursery").first.wait_for(
        state="attached"
    )
    assert donor_ref and re.match(r"\S+", recipient)
    no_exception(page)
    screenshot(page, "pairings-ledger")
