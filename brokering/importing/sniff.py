"""What a file really is, told from its bytes rather than its name.

Schools rename files freely ("Staff Details (3).csv", an .xlsx saved as .csv), and a
careless or hostile upload may be anything: a PDF, a program, a zip bomb. Every file is
opened only after this module has said it is a text table or a workbook, and every refusal
is one sentence a data manager can act on.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from brokering.settings import MAX_IMPORT_FILE_BYTES

_CHUNK = 1 << 20
_LF = ord("\n")
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})

#: Leading bytes of files that are never a table, and what to call them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a picture (PNG)"),
    (b"\xff\xd8\xff", "a picture (JPEG)"),
    (b"GIF8", "a picture (GIF)"),
    (b"\x1f\x8b", "a compressed (gzip) archive"),
    (b"BZh", "a compressed (bzip2) archive"),
    (b"7z\xbc\xaf", "a compressed (7-Zip) archive"),
    (b"Rar!", "a compressed (RAR) archive"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "a database file"),
    (b"{\\rtf", "a Word (RTF) document"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE_AS = "Save it from the spreadsheet as .xlsx or 'CSV UTF-8' and import that."


@dataclass(frozen=True)
class Sniffed:
    """`kind` is "csv" or "xlsx"; `problem` (a sentence after the file name) refuses it.

    For CSV, `encoding` is what it must be decoded with and `mixed_endings` says whether
    lines end in more than one way (it is then rewritten with one before parsing)."""

    kind: str | None = None
    encoding: str | None = None
    mixed_endings: bool = False
    problem: str | None = None
    blank_lines: tuple[int, ...] = ()


def refuse(problem: str) -> Sniffed:
    return Sniffed(problem=problem)


def sniff(path: Path, max_bytes: int = MAX_IMPORT_FILE_BYTES) -> Sniffed:
    """Tell the file's kind from its first bytes; a text file is decoded in full once."""
    if not path.exists():
        return refuse("was not found.")
    if not path.is_file():
        return refuse("is not a file.")
    size = path.stat().st_size
    if size == 0:
        return refuse("is empty: it has no header row. Save it again with its header row.")
    if size > max_bytes:
        return refuse(
            f"is {size / 1024**2:,.0f} MB; the largest file imported is "
            f"{max_bytes / 1024**2:,.0f} MB. Split it (for example one file per school)."
        )
    with path.open("rb") as fh:
        head = fh.read(64)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path)
    if head.startswith(_OLE2):
        return refuse(
            "is an old-style Excel (.xls) workbook, or one protected by a password. " + _SAVE_AS
        )
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return refuse(f"is {what}, not a spreadsheet or CSV file. {_SAVE_AS}")
    if head[:8] == b"\x00\x00\x00\x00" or head[8:12] == b"DUCK":
        return refuse(f"is a binary file, not a spreadsheet or CSV file. {_SAVE_AS}")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _text(path, "utf-16")
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if stripped.startswith((b"<?xml", b"<html", b"<HTML", b"<!DOCTYPE", b"<table")):
        return refuse(f"is a web page or XML file, not a table of rows. {_SAVE_AS}")
    if stripped.startswith((b"{", b"[")):
        return refuse(f"looks like a JSON file, not a spreadsheet or CSV file. {_SAVE_AS}")
    return _text(path, None)


def _zip_kind(path: Path) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return refuse(f"is a damaged zip or workbook file and cannot be opened. {_SAVE_AS}")
    if "xl/workbook.xml" in names:
        return Sniffed(kind="xlsx")
    if any(n.startswith("word/") for n in names):
        what = "a Word document"
    elif any(n.startswith("ppt/") for n in names):
        what = "a PowerPoint presentation"
    elif "content.xml" in names:
        what = "an OpenDocument file (LibreOffice)"
    else:
        what = "a zip archive"
    return refuse(f"is {what}, not a spreadsheet or CSV file. {_SAVE_AS}")


def _text(path: Path, encoding: str | None) -> Sniffed:
    """Decode the whole file incrementally, so nothing is guessed from the first kilobyte;
    count the ways lines end at the same time.

    A national file is hundreds of megabytes, so each chunk is looked at as few times as
    possible: an all-ASCII chunk is valid UTF-8 without decoding, a chunk with no carriage
    return ends its lines one way only, and line feeds are counted and blank lines looked
    for in one vectorised pass (the byte-by-byte search runs only where a blank line is)."""
    if encoding == "utf-16":
        return Sniffed(kind="csv", encoding="utf-16")  # rewritten as UTF-8 anyway
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, bad_cp1252 = True, False
    crlf = lone_lf = lone_cr = 0
    prev_cr = False
    blanks: list[int] = []
    lines_before = 0
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if b"\x00" in chunk:
                return refuse(
                    "is not a text file (it contains NUL bytes). "
                    "Save it as 'CSV UTF-8' or .xlsx and import that."
                )
            has_cr = prev_cr or b"\r" in chunk
            data = tail + chunk
            feeds = np.frombuffer(data, np.uint8) == _LF
            in_chunk = int(np.count_nonzero(feeds[len(tail) :]))
            if (has_cr and b"\n\r\n" in data) or bool((feeds[1:] & feeds[:-1]).any()):
                _blank_lines(data, lines_before - tail.count(b"\n"), blanks)
            lines_before += in_chunk
            tail = chunk[-2:]
            if utf8 and not (chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8 and not bad_cp1252 and any(b in _CP1252_UNDEFINED for b in chunk):
                bad_cp1252 = True
            if not has_cr:
                lone_lf += in_chunk
                continue
            pairs = chunk.count(b"\r\n") + (1 if prev_cr and chunk[:1] == b"\n" else 0)
            crlf += pairs
            lone_lf += in_chunk - pairs
            lone_cr += chunk.count(b"\r") - chunk.count(b"\r\n")
            if prev_cr and chunk[:1] == b"\n":
                lone_cr -= 1
            prev_cr = chunk[-1:] == b"\r"
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if not utf8 and bad_cp1252:
        return refuse(
            "is in an encoding we cannot read (neither UTF-8 nor Windows-1252). "
            "Save it again as 'CSV UTF-8'."
        )
    mixed = sum(1 for n in (crlf, lone_lf, lone_cr) if n) > 1 or lone_cr > 0
    return Sniffed(
        kind="csv",
        encoding="utf-8" if utf8 else "cp1252",
        mixed_endings=mixed,
        blank_lines=tuple(sorted(set(blanks))),
    )


_MAX_BLANKS = 10_000


def _blank_lines(data: bytes, lines_before: int, out: list[int]) -> None:
    """Append the line numbers of empty lines ended by LF in `data` (whose first byte
    starts line `lines_before + 1` or continues it). The CSV reader skips such lines, so
    rows after them are numbered back to their spreadsheet line with this list."""
    if len(out) >= _MAX_BLANKS:
        return
    hits = sorted(
        pos
        for marker in (b"\n\n", b"\n\r\n")
        for pos in _finds(data, marker, _MAX_BLANKS - len(out))
    )
    counted, lines = 0, lines_before
    for pos in hits[: _MAX_BLANKS - len(out)]:
        lines += data.count(b"\n", counted, pos + 1)
        counted = pos + 1
        out.append(lines + 1)


def _finds(data: bytes, marker: bytes, limit: int) -> list[int]:
    found: list[int] = []
    start = 0
    while len(found) < limit and (pos := data.find(marker, start)) >= 0:
        found.append(pos)
        start = pos + 1
    return found
