""".xlsx workbooks, opened only after their zip container has been checked.

A workbook is a zip of XML parts. Before openpyxl sees one, every part's declared unpacked
size is added up and compared with its packed size (a zip bomb packs a gigabyte of repeated
text into a megabyte or two), and every XML part's prologue is checked for a DTD (entity
expansion — the "billion laughs" — needs one). openpyxl itself parses through `defusedxml`
when it is installed (requirements.txt pins it). Python's zipfile never unpacks more than
a part declares, so the declared sizes bound the memory the read can take.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from brokering.settings import MAX_COLUMNS, MAX_WORKBOOK_UNPACKED_BYTES, MAX_ZIP_RATIO

_PART_CHECKED_ABOVE = 1024**2
_MAX_PARTS = 10_000
_PROLOGUE = 4096

Cells = list[str | None]


class WorkbookRefused(Exception):
    """The workbook is refused whole; the message follows the file's name."""


def check_container(path: Path) -> None:
    """Refuse a workbook whose parts would unpack to too much, or unpack suspiciously far,
    or carry a DTD; reads at most a few kilobytes of each part."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
            if len(parts) > _MAX_PARTS:
                raise WorkbookRefused(
                    f"holds {len(parts):,} parts; a workbook has a few dozen. It is not a "
                    "spreadsheet this import can open."
                )
            total = sum(p.file_size for p in parts)
            if total > MAX_WORKBOOK_UNPACKED_BYTES:
                raise WorkbookRefused(
                    f"would unpack to {total / 1024**2:,.0f} MB; the most a workbook may "
                    f"unpack to is {MAX_WORKBOOK_UNPACKED_BYTES / 1024**2:,.0f} MB. Save it as "
                    "CSV UTF-8 (or split it) and import that."
                )
            for p in parts:
                if p.file_size > _PART_CHECKED_ABOVE and (
                    p.compress_size == 0 or p.file_size / p.compress_size > MAX_ZIP_RATIO
                ):
                    raise WorkbookRefused(
                        f"has a part ({p.filename}) that unpacks {p.file_size / 1024**2:,.0f} MB "
                        f"from {p.compress_size / 1024:,.0f} KB, far more than a real "
                        "spreadsheet does; it is refused as a possible zip bomb. Save it "
                        "again from Excel, or as CSV UTF-8."
                    )
            for p in parts:
                if p.filename.endswith((".xml", ".rels")):
                    with zf.open(p) as fh:
                        prologue = fh.read(_PROLOGUE)
                    if b"<!DOCTYPE" in prologue or b"<!ENTITY" in prologue:
                        raise WorkbookRefused(
                            f"has a part ({p.filename}) that declares XML entities, which "
                            "Excel never writes; it is refused as a possible XML bomb. Save it "
                            "again from Excel, or as CSV UTF-8."
                        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise WorkbookRefused(
            "is a damaged workbook and cannot be opened. Save it again from Excel."
        ) from exc


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def _size_from_head(self) -> None:  # noqa: ANN001 - replaces ReadOnlyWorksheet._get_size
    """A sheet's size from its <dimension> tag, which comes before the data. openpyxl's own
    reader parses the whole sheet when the tag is missing (as many exporting libraries leave
    it) — seconds for a large sheet, just to open the workbook."""
    from openpyxl.utils.cell import range_boundaries

    with self._get_source() as src:
        head = src.read(_PROLOGUE * 16)
    found = _DIMENSION.search(head)
    if found:
        ref = found.group(1).decode()
        ref = ref if ":" in ref else f"{ref}:{ref}"
        self._min_column, self._min_row, self._max_column, self._max_row = range_boundaries(ref)


def open_workbook(path: Path):  # noqa: ANN201 - an openpyxl Workbook (read-only)
    """Check the container, then open the workbook read-only (values, not formulas)."""
    check_container(path)
    import openpyxl  # imported late: the page and the CLI load faster without it
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _size_from_head

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise WorkbookRefused(
            "could not be opened as an Excel workbook; save it again from Excel."
        ) from exc


def cell_text(value: object) -> str | None:
    """A cell as the text a CSV export would hold: dates as ISO dates, whole numbers
    without '.0'; blanks as None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def rows(ws, first: int = 1, last: int | None = None) -> Iterator[tuple[int, Cells]]:  # noqa: ANN001
    """(spreadsheet row number, cells as text) from row `first`, at most MAX_COLUMNS + 1
    cells a row (one more than allowed, so a too-wide sheet can be told)."""
    try:
        for number, values in enumerate(
            ws.iter_rows(min_row=first, max_row=last, max_col=MAX_COLUMNS + 1, values_only=True),
            start=first,
        ):
            cells = [cell_text(v) for v in values]
            while cells and cells[-1] is None:  # read-only rows are padded to max_col
                cells.pop()
            yield number, cells
    except WorkbookRefused:
        raise
    except Exception as exc:  # a damaged sheet part surfaces while it is read
        raise WorkbookRefused(
            f"has a sheet ({ws.title}) that could not be read; save it again from Excel."
        ) from exc
