"""A corpus of hostile and malformed import files, made on demand (nothing binary is kept
in the repository), and a run of the importer over it.

Every file must end in a clear message — never a traceback or a program's internal words —
and every data row must be accounted for: rows in = rows valid + rows refused, or the whole
file refused. tests/test_import_hostile.py checks each case; `try_corpus` gives the totals
for a robustness report. The line-length cases are made from the limits in force when they
are built (tests lower them so the files stay small).
"""

from __future__ import annotations

import codecs
import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl

from brokering.db import Connection
from brokering.importing import reader, rows
from brokering.viewer import Viewer

HEADER = "school_id,name,phase"
ROWS = ["S1,Alder Primary,primary", "S2,Birch Academy,secondary", "S3,Cedar School,special"]
#: Words that only the machinery says: they must never reach a data manager.
INTERNAL = re.compile(
    r"traceback|state machine|invalid input error|duckdb|openpyxl|exception|errno|"
    r"field larger than field limit|keyerror|valueerror|zipfile",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Case:
    """A file of the corpus: its name and bytes, the data rows it holds, and what must
    happen: `refused` rows refused on their own lines, or `whole` (a phrase) when the file is
    refused whole."""

    name: str
    build: Callable[[Path], bytes]
    rows_in: int = 3
    refused: int = 0
    whole: str = ""


def csv_bytes(*lines: str, end: str = "\n", encoding: str = "utf-8") -> Callable[[Path], bytes]:
    return lambda _: (end.join(lines) + end).encode(encoding)


def raw(data: bytes) -> Callable[[Path], bytes]:
    return lambda _: data


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> Callable[[Path], bytes]:
    def build(_: Path) -> bytes:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, lines in sheets.items():
            ws = wb.create_sheet(title)
            for row in lines:
                ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    return build


def rezip(base: Callable[[Path], bytes], part: str, content: bytes) -> Callable[[Path], bytes]:
    """The workbook from `base` with one part's content replaced (or added)."""

    def build(tmp: Path) -> bytes:
        src = zipfile.ZipFile(io.BytesIO(base(tmp)))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename != part:
                    dst.writestr(info.filename, src.read(info.filename))
            dst.writestr(part, content)
        return out.getvalue()

    return build


def plain_zip(**parts: bytes) -> Callable[[Path], bytes]:
    def build(_: Path) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in parts.items():
                z.writestr(name.replace("__", "/"), content)
        return out.getvalue()

    return build


GOOD_BOOK = workbook_bytes({"Schools": [HEADER.split(","), *[r.split(",") for r in ROWS]]})
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)
SHEET_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
ZIP_BOMB_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    + SHEET_NS
    + b"<sheetData/></worksheet>"
    + b" " * (3 * 1024 * 1024)  # whitespace after the root: valid XML, packs ~1000:1
)

CORPUS = [
    # -- encodings and line endings: read as they come
    Case("utf8.csv", csv_bytes(HEADER, *ROWS)),
    Case("utf8-bom.csv", lambda _: codecs.BOM_UTF8 + csv_bytes(HEADER, *ROWS)(_)),
    Case(
        "windows-1252.csv",
        csv_bytes(HEADER, "S1,St Mary’s Café,primary", *ROWS[1:], encoding="cp1252"),
    ),
    Case(
        "utf16-le.csv",
        lambda _: codecs.BOM_UTF16_LE + csv_bytes(HEADER, *ROWS)(_).decode().encode("utf-16-le"),
    ),
    Case(
        "utf16-be.csv",
        lambda _: codecs.BOM_UTF16_BE + csv_bytes(HEADER, *ROWS)(_).decode().encode("utf-16-be"),
    ),
    Case(
        "not-any-encoding.csv",
        raw(HEADER.encode() + b"\nS1,Caf\x81,primary\n"),
        1,
        whole="encoding",
    ),
    Case(
        "semicolons.csv", csv_bytes(HEADER.replace(",", ";"), *[r.replace(",", ";") for r in ROWS])
    ),
    Case("tabs.tsv", csv_bytes(HEADER.replace(",", "\t"), *[r.replace(",", "\t") for r in ROWS])),
    Case("crlf.csv", csv_bytes(HEADER, *ROWS, end="\r\n")),
    Case("mixed-endings.csv", raw(f"{HEADER}\r\n{ROWS[0]}\n{ROWS[1]}\r\n{ROWS[2]}\n".encode())),
    Case("old-mac-cr.csv", csv_bytes(HEADER, *ROWS, end="\r")),
    Case("quoted-newline.csv", csv_bytes(HEADER, 'S1,"Alder\nPrimary",primary', *ROWS[1:])),
    # -- ragged rows: refused on their line, never realigned
    Case("extra-empty-field.csv", csv_bytes(HEADER, ROWS[0] + ",", *ROWS[1:]), refused=1),
    Case(
        "extra-field-middle.csv",
        csv_bytes(HEADER, "S1,,Alder Primary,primary", *ROWS[1:]),
        refused=1,
    ),
    Case("missing-field.csv", csv_bytes(HEADER, "S1,Alder Primary", *ROWS[1:]), refused=1),
    Case("two-extra-fields.csv", csv_bytes(HEADER, ROWS[0] + ",,", *ROWS[1:]), refused=1),
    Case("every-row-ragged.csv", csv_bytes(HEADER, *[r + "," for r in ROWS]), refused=3),
    # -- quotes
    Case(
        "unbalanced-quote.csv",
        csv_bytes(HEADER, 'S1,"Alder Primary,primary', *ROWS[1:]),
        whole="never closed",
    ),
    Case("quote-inside-value.csv", csv_bytes(HEADER, 'S1,St "Mary" School,primary', *ROWS[1:])),
    # -- sizes
    Case(
        "cell-100000-chars.csv",
        csv_bytes(HEADER, f"S1,{'x' * 100_000},primary", *ROWS[1:]),
        refused=1,
    ),
    Case(
        "line-over-limit.csv",
        lambda tmp: csv_bytes(HEADER, f"S1,{'y' * (rows.MAX_LINE_BYTES + 10)},primary", *ROWS[1:])(
            tmp
        ),
        refused=1,
    ),
    Case(
        "one-long-line.csv",
        lambda _: b"school_id," + b"z" * (3 * reader.HEADER_SEARCH_BYTES),
        0,
        whole="longer",
    ),
    Case("20000-columns.csv", csv_bytes(",".join("c" * 20_000), "1"), 1, whole="columns"),
    # -- shapes
    Case(
        "title-rows.csv",
        csv_bytes("Schools in the alliance", "Printed 01/09/2025", "", HEADER, *ROWS),
    ),
    Case("blank-lines-between.csv", csv_bytes(HEADER, ROWS[0], "", ROWS[1], "", "", ROWS[2])),
    Case("header-only.csv", csv_bytes(HEADER), 0, whole="no data rows"),
    Case("empty.csv", raw(b""), 0, whole="empty"),
    Case("only-blank-lines.csv", raw(b"\n\n\n"), 0, whole="no header"),
    Case(
        "nul-bytes.csv",
        raw(HEADER.encode() + b"\nS1\x00\x00,x,primary\n"),
        1,
        whole="not a text file",
    ),
    # -- renamed binaries
    Case("report.pdf.csv", raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), 0, whole="PDF"),
    Case("photo.xlsx", raw(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32), 0, whole="picture"),
    Case("old-excel.csv", raw(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64), 0, whole=".xls"),
    Case("program.csv", raw(b"MZ\x90\x00\x03\x00\x00\x00"), 0, whole="program"),
    Case("archive.csv", raw(b"\x1f\x8b\x08\x00" + b"\x00" * 16), 0, whole="gzip"),
    Case("letter.xlsx", plain_zip(word__document_xml=b"<w/>"), 0, whole="Word"),
    Case("bundle.xlsx", plain_zip(notes_txt=b"hello"), 0, whole="zip archive"),
    Case("damaged.xlsx", raw(b"PK\x03\x04" + b"\x07" * 200), 0, whole="damaged"),
    Case("data.json.csv", raw(b'[{"school_id": "S1"}]'), 0, whole="JSON"),
    Case(
        "page.xls",
        raw(b"<html><body><table><tr><td>S1</td></tr></table></body></html>"),
        0,
        whole="web page",
    ),
    # -- workbooks
    Case("schools.xlsx", GOOD_BOOK),
    Case(
        "title-rows-several-sheets.xlsx",
        workbook_bytes(
            {
                "Notes": [["Exported from the MIS"], ["Do not edit"]],
                "Schools": [
                    ["Alliance schools"],
                    [None],
                    HEADER.split(","),
                    *[r.split(",") for r in ROWS],
                    [None, None, None],
                ],
            }
        ),
    ),
    Case(
        "ragged-workbook.xlsx",
        workbook_bytes(
            {
                "S": [
                    HEADER.split(","),
                    ROWS[0].split(",") + [None, "stray"],
                    *[r.split(",") for r in ROWS[1:]],
                ]
            }
        ),
        refused=1,
    ),
    Case(
        "cell-100000-chars.xlsx",
        workbook_bytes(
            {
                "S": [
                    HEADER.split(","),
                    ["S1", "x" * 100_000, "primary"],
                    *[r.split(",") for r in ROWS[1:]],
                ]
            }
        ),
        refused=1,
    ),
    Case(
        "16000-columns.xlsx",
        workbook_bytes({"S": [[f"c{i}" for i in range(16_000)], [1]]}),
        1,
        whole="columns",
    ),
    Case(
        "zip-bomb.xlsx",
        rezip(GOOD_BOOK, "xl/worksheets/sheet1.xml", ZIP_BOMB_SHEET),
        0,
        whole="zip bomb",
    ),
    Case(
        "xml-bomb.xlsx",
        rezip(GOOD_BOOK, "xl/sharedStrings.xml", BILLION_LAUGHS),
        0,
        whole="XML bomb",
    ),
]


@dataclass
class CorpusResult:
    """Totals of a corpus run: `unaccounted` rows neither valid nor refused, `unclear`
    messages carrying a program's words, `crashed` files that raised instead of reporting."""

    files: int = 0
    rows_in: int = 0
    rows_valid: int = 0
    rows_refused: int = 0
    refused_whole: int = 0
    unaccounted: int = 0
    unclear: list[str] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "files": self.files,
            "rows_in": self.rows_in,
            "rows_valid": self.rows_valid,
            "rows_refused": self.rows_refused,
            "files_refused_whole": self.refused_whole,
            "rows_unaccounted": self.unaccounted,
            "unclear_messages": len(self.unclear),
            "crashes": len(self.crashed),
            "outcomes_not_as_expected": len(self.wrong),
        }


def check_case(case: Case, report: object) -> list[str]:
    """What is wrong with one file's outcome (empty when all is as it must be)."""
    faults: list[str] = []
    for p in report.problems:  # type: ignore[attr-defined]
        if not p.message.strip() or INTERNAL.search(p.message):
            faults.append(f"unclear message: {p}")
    found = [r for r in report.rows if r.file == case.name]  # type: ignore[attr-defined]
    if len(found) != 1:
        return [*faults, "no row count for the file"]
    counted = found[0]
    if case.whole:
        if not (counted.whole_file and counted.read == 0):
            faults.append(f"expected refused whole ({case.whole}), got {counted}")
        elif not any(case.whole.lower() in p.message.lower() for p in report.problems):  # type: ignore[attr-defined]
            faults.append(f"the refusal does not say '{case.whole}'")
        return faults
    if counted.read != case.rows_in or counted.valid + counted.refused != case.rows_in:
        faults.append(f"rows in {case.rows_in}, counted {counted}")
    if counted.refused != case.refused:
        faults.append(f"expected {case.refused} refused rows, got {counted.refused}")
    return faults


def try_corpus(
    con: Connection, viewer: Viewer, today: date | None = None, cases: list[Case] | None = None
) -> CorpusResult:
    """Import every corpus file as a dry run (nothing is written) and add up the outcome."""
    from brokering.importing import import_paths

    result = CorpusResult()
    with tempfile.TemporaryDirectory(prefix="brokering-corpus-") as tmp:
        folder = Path(tmp)
        for case in cases or CORPUS:
            path = folder / case.name
            path.write_bytes(case.build(folder))
            result.files += 1
            result.rows_in += case.rows_in
            try:
                report = import_paths(con, [path], viewer, dry_run=True, today=today)
            except Exception as exc:  # the point is to count these, not to stop at one
                result.crashed.append(f"{case.name}: {type(exc).__name__}")
                result.unaccounted += case.rows_in
                continue
            faults = check_case(case, report)
            result.unclear += [f for f in faults if f.startswith("unclear")]
            result.wrong += [f"{case.name}: {f}" for f in faults if not f.startswith("unclear")]
            for counted in (r for r in report.rows if r.file == case.name):
                if counted.whole_file:
                    result.refused_whole += 1
                    result.rows_refused += case.rows_in
                else:
                    result.rows_valid += counted.valid
                    result.rows_refused += counted.refused
                    result.unaccounted += abs(case.rows_in - counted.valid - counted.refused)
            path.unlink()
    return result
