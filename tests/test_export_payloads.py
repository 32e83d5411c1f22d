"""Export payloads: a cell a spreadsheet would run as a formula never leaves the product
live, in CSV or in Excel — whatever the trigger hides behind (tab, CR, a null, leading
spaces, the full-width or small forms of = + - @)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from brokering import robustness
from brokering.exporting import neutralise, to_csv_bytes, to_xlsx_bytes

#: The robustness harness's payloads, and a few that are not triggers at all.
PAYLOADS = [*robustness.PAYLOADS, "\u20141+1", "\t", "\r", "-"]
live = robustness.live


def test_the_oracle_sees_every_payload_as_live() -> None:
    assert all(live(p) for p in robustness.PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(p) for p in PAYLOADS])
def test_neutralise_leaves_nothing_live(payload: str) -> None:
    assert not live(str(neutralise(payload)))


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "note": PAYLOADS,
            "tags": [[p, "x"] for p in PAYLOADS],
            "n": range(len(PAYLOADS)),
        }
    )


def test_no_payload_lives_in_a_csv_export() -> None:
    text = to_csv_bytes(frame()).decode("utf-8-sig")
    assert "\x00" not in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cells = [c for row in rows[1:] for c in row]
    assert len(rows) == len(PAYLOADS) + 1
    assert [c for c in cells if live(c)] == []


def test_no_payload_lives_in_an_excel_export() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame())))
    sheet = book.active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert cells and all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert [t for t in texts if live(t)] == []
    assert sheet.cell(row=2, column=3).value == 0  # numbers stay numbers


def test_numbers_and_plain_text_pass_unchanged() -> None:
    assert neutralise("Alder Primary") == "Alder Primary"
    assert neutralise(-3) == -3
    assert neutralise(None) is None


def test_every_file_handed_out_goes_through_the_safe_writers() -> None:
    """Pages offer files only through `ui.download` (audited) with bytes from the safe
    writers; nothing else in the product writes a frame to CSV or Excel."""
    from pathlib import Path

    root = Path(__file__).parent.parent
    sources = [*root.glob("brokering/**/*.py"), *root.glob("app_pages/*.py"), root / "app.py"]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        if path.name == "exporting.py":
            continue
        assert ".to_csv(" not in text and ".to_excel(" not in text, path
        assert "st.download_button" not in text, path
