"""The governors' half-term summary end to end in a real browser: a governor prepares it on
the Transfer evidence page (timed from the click to the download button), downloads it,
and Chromium prints the file to PDF — on A4 pages, with its title, every section heading
and the charts' titles in the PDF's text.

The PDF's text is read with tests/browser/pdf_text.py (standard library only: no PDF
library is among the dependencies)."""

from __future__ import annotations

import time

from brokering.dashboard import report
from tests.browser import pdf_text
from tests.browser.conftest import ARTIFACTS, no_exception, open_page, wait_idle
from tests.browser.test_every_page_every_role import BUDGET_S, sign_in

A4_POINTS = (595.0, 842.0)


def test_the_summary_prints_on_a4_with_its_headings(browser, signed_app_url: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        sign_in(page, signed_app_url, "governor")
        open_page(page, "Transfer evidence")
        prepare = page.get_by_role("button", name="Prepare the printable summary")
        prepare.scroll_into_view_if_needed()
        start = time.perf_counter()
        prepare.click()
        download_button = page.get_by_role("button", name="Download the summary")
        download_button.wait_for()
        wait_idle(page)
        seconds = time.perf_counter() - start
        print(f"half-term summary ready in {seconds:.2f} s")
        no_exception(page)
        with page.expect_download() as got:
            download_button.click()
        html = got.value.path().read_text(encoding="utf-8")
        # Downloading reruns nothing that loses it: the button is still there.
        wait_idle(page)
        assert page.get_by_role("button", name="Download the summary").count() == 1

        printer = context.new_page()
        printer.set_content(html)
        pdf = printer.pdf(prefer_css_page_size=True, print_background=True)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "half-term-summary.pdf").write_bytes(pdf)
    finally:
        context.close()

    sizes = pdf_text.page_sizes(pdf)
    assert sizes, "the PDF has pages"
    for width, height in sizes:  # the print style's A4, not the printer's default Letter
        assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2, sizes
    words = " ".join(pdf_text.text(pdf).split())
    for heading in (report.TITLE, *report.HEADINGS):
        assert heading in words, heading
    if "received the most pairings" in words:  # some school's outcomes are shown: charted
        assert "Outcomes by receiving school (number of pairings)" in words
    assert "Pairings active and evidenced transfers by term (number of pairings)" in words
    for leftover in ("NaN", "<NA>", "None", "00:00:00"):
        assert leftover not in words
    assert seconds <= BUDGET_S, f"the summary took {seconds:.1f} s to prepare"
