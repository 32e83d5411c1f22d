"""Journey: the data manager uploads a school's staff export as it comes (a Bromcom workbook
with a title row above the headers), sees the proposed column mapping and five mapped rows,
says whose file it is, checks it without writing, imports it, and undoes the import from the
Data page (demo alliance, real browser)."""

import csv
import re
from pathlib import Path

import openpyxl

from brokering.demo import write_demo_csvs
from tests.browser.conftest import choose, no_exception, open_page, screenshot, wait_idle

SCHOOL = "SCH03"


def _export(folder: Path) -> Path:
    path = folder / "StaffList (Bromcom).xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Staff List"
    ws.append(["Staff List - exported 01/09/2026"])
    ws.append([None])
    ws.append(["Staff Code", "Title", "First Name", "Last Name", "Role", "Department"])
    ws.append(["BRJ901", "Ms", "Imogen", "Pennywhistle", "Teacher", "English"])
    wb.save(path)
    return path


def test_upload_an_export_confirm_its_mapping_preview_and_import(
    page, app_url: str, tmp_path: Path
) -> None:
    write_demo_csvs(tmp_path)
    with (tmp_path / "schools.csv").open() as fh:
        school_name = next(r["name"] for r in csv.DictReader(fh) if r["school_id"] == SCHOOL)
    page.goto(app_url)
    page.get_by_role("heading", name="Alliance Expertise Broker").wait_for()
    wait_idle(page)
    choose(page, "Role", "Alliance administrator")
    open_page(page, "Data")
    page.get_by_role("heading", name="Import files").wait_for()
    # The strength scale comes first (issue 23): the uploader waits for it.
    page.locator("label", has_text="These files hold no numeric strengths").first.click()
    # The rerun that enables the uploader has run once the page stops asking for the scale.
    page.get_by_text("Choose this before the files").wait_for(state="detached")
    wait_idle(page)
    page.locator(
        "[data-testid='stFileUploader']:not([data-testid='stSidebar'] *) input[type='file']"
    ).set_input_files(str(_export(tmp_path)))
    page.get_by_text("Bromcom staff export").first.wait_for()
    wait_idle(page)
    page.get_by_text("no school was given").first.wait_for()
    choose(page, "Whose files are these? (for files without a school column)", school_name)
    # The preview shows the mapped row (never the name) and the school now filled in.
    page.locator('[role="gridcell"]', has_text="BRJ901").first.wait_for(state="attached")
    assert page.locator('[role="gridcell"]', has_text="Pennywhistle").count() == 0
    screenshot(page, "data-mapping")
    # Check only: every row is read and validated, nothing is written.
    check_only = page.get_by_text("Check only (write nothing)")
    check_only.click()
    wait_idle(page)
    page.get_by_role("button", name="Check and import").click()
    page.get_by_text("Every row is valid. Nothing was written").first.wait_for()
    wait_idle(page)
    assert "1 would be added" in page.get_by_text("Every row is valid").first.inner_text()
    check_only.click()
    wait_idle(page)
    # Apply: the page points to the undo below, where the import is named in words.
    page.get_by_role("button", name="Check and import").click()
    imported = page.get_by_text("Imported: it is the newest import").first
    imported.wait_for()
    wait_idle(page)
    assert "1 added" in imported.inner_text()
    no_exception(page)
    screenshot(page, "data-mapping-imported")
    # Undo: the newest import is the one offered first, in words (when, who, which file).
    undo = page.locator("[data-testid='stForm']", has_text="Undo this import")
    offered = undo.get_by_role("combobox").first.input_value()
    assert offered.startswith("Import of ") and "StaffList (Bromcom).xlsx" in offered, offered
    assert not re.fullmatch(r"\d+", offered)
    undo.get_by_role("button", name="Undo this import").click()
    page.get_by_text(f"Undone: {offered}.").first.wait_for()
    wait_idle(page)
    no_exception(page)
    screenshot(page, "data-mapping-undone")
