"""Getting a school's file into a staging table, whatever it was saved as and called.

Two steps. `open_source` tells what the file is (sniff.py: by its bytes, never its name),
finds the header row under any title rows (and, in a workbook, the sheet) and keeps a few
sample rows — enough to recognise the table and propose a column mapping without reading
the whole file (anything not UTF-8, or with mixed line endings, is rewritten to a UTF-8
copy first). `rows.stage` then reads every row into the staging table.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from brokering.importing import workbook
from brokering.importing.problems import Problem
from brokering.importing.sniff import Sniffed, sniff
from brokering.settings import (
    HEADER_SEARCH_BYTES,
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_IMPORT_FILE_BYTES,
)

_CHUNK = 1 << 20
_SAMPLE_ROWS = 50
_DELIMITERS = (",", ";", "\t", "|")

Row = list[str | None]
HeaderScore = Callable[[Sequence[str | None]], float]


@dataclass
class Source:
    """What a file is and where its table starts; `problem` refuses the whole file."""

    path: Path
    label: str
    kind: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    header_line: int = 1
    header: list[str] = field(default_factory=list)
    samples: list[Row] = field(default_factory=list)
    delimiter: str = ","
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    utf8_path: Path | None = None
    sniffed: Sniffed | None = None

    @property
    def labels(self) -> list[str]:
        """Each column's name as a mapping knows it: the header text, "column N" for an
        unnamed one, and "Name (2)" for a name the header repeats."""
        out: list[str] = []
        for i, h in enumerate(self.header):
            label = h or f"column {i + 1}"
            n = 2
            while label in out:
                label = f"{h or f'column {i + 1}'} ({n})"
                n += 1
            out.append(label)
        return out

    def refused(self, message: str) -> Source:
        self.problem = message
        return self


@dataclass
class Staged:
    """A file in a temp table `stg_<table>`: a `line` column plus every planned column, all
    text, blanks as NULL. `problems` refuse the file whole; `row_problems` refuse rows
    (the rest is still checked, so one report lists everything)."""

    path: Path
    label: str
    table: str
    columns: list[str]
    rows: int = 0
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    row_problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Several files of one table share the staging table: file k's lines are stored as
    #: k * LINE_BASE + line, and `locate` gives the file and line back for a report.
    parts: list[str] = field(default_factory=list)

    def locate(self, line: int) -> tuple[str, int]:
        part, own = divmod(int(line), LINE_BASE)
        if not self.parts or part >= len(self.parts):
            return self.label, int(line)
        return self.parts[part], own


LINE_BASE = 1_000_000_000


def header_key(name: str) -> str:
    """Column names compare as lower case with spaces as underscores."""
    return re.sub(r"[\s-]+", "_", name.strip().lstrip("\ufeff").strip().lower())


def default_header_score(cells: Sequence[str | None]) -> float:
    """How much a row looks like a header: named cells, most of all template column names."""
    from brokering.importing.spec import TABLES

    known = {n for spec in TABLES.values() for n in spec.names}
    texts = [c for c in cells if c and c.strip()]
    if len(texts) < 2 and len(cells) > 1:
        return 0.0
    words = [t for t in texts if not _looks_like_value(t)]
    return 3.0 * sum(header_key(t) in known for t in words) + len(set(words))


def _looks_like_value(text: str) -> bool:
    return bool(re.fullmatch(r"[\d\s.,/:+-]+", text)) or "@" in text


# -- opening ----------------------------------------------------------------------------------
def open_source(
    path: Path,
    workdir: Path,
    score: HeaderScore | None = None,
    *,
    sheet: str | None = None,
    header_line: int | None = None,
    label: str | None = None,
    max_bytes: int = MAX_IMPORT_FILE_BYTES,
) -> Source:
    """Sniff `path`, find its header row (the best-scoring of the first rows, unless given)
    and keep sample rows after it."""
    source = Source(path=path, label=label or path.name)
    sniffed = sniff(path, max_bytes)
    source.sniffed = sniffed
    if sniffed.problem:
        return source.refused(sniffed.problem)
    source.kind = sniffed.kind
    score = score or default_header_score
    if sniffed.kind == "xlsx":
        return _open_workbook(source, score, sheet, header_line)
    return _open_csv(source, sniffed, workdir, score, header_line)


def _open_csv(
    source: Source, sniffed: Sniffed, workdir: Path, score: HeaderScore, header_line: int | None
) -> Source:
    path = source.path
    utf8 = path
    if sniffed.encoding != "utf-8" or sniffed.mixed_endings:
        utf8 = _rewrite(path, sniffed.encoding or "utf-8", workdir)
        if sniffed.encoding != "utf-8":
            source.notes.append(
                f"{source.label}: read as "
                f"{'Windows-1252' if sniffed.encoding == 'cp1252' else 'UTF-16'} "
                "and converted to UTF-8."
            )
        if sniffed.mixed_endings:
            source.notes.append(
                f"{source.label}: its lines ended in more than one way (Windows and Unix); "
                "read with one line ending."
            )
    source.utf8_path = utf8
    with utf8.open(encoding="utf-8-sig", newline="") as fh:
        head = fh.read(HEADER_SEARCH_BYTES)
        complete = not fh.read(1)
    lines = head.splitlines(keepends=True)
    if not complete:
        if len(lines) <= 1:
            return source.refused(
                f"has a first line longer than {HEADER_SEARCH_BYTES // 1024:,} KB with no line "
                "break: it is not a table with a header row. Save it again as CSV UTF-8."
            )
        lines = lines[:-1]  # the last line read may be cut short
    lines = lines[: HEADER_SEARCH_ROWS + _SAMPLE_ROWS]
    source.delimiter = _delimiter(lines[:HEADER_SEARCH_ROWS])
    old_limit = csv.field_size_limit()
    csv.field_size_limit(HEADER_SEARCH_BYTES + 1)
    try:
        parsed: list[Row] = [
            [c if c.strip() else None for c in next(csv.reader([ln], delimiter=source.delimiter))]
            if ln.strip()
            else []
            for ln in lines
        ]
    except csv.Error:
        return source.refused(
            "could not be read as CSV near its start (a stray quote?). Save it again as CSV UTF-8."
        )
    finally:
        csv.field_size_limit(old_limit)
    if not any(parsed):
        return source.refused(
            "has no header row: its first lines are blank. Save it again with its header row."
        )
    return _choose_header(source, parsed, 1, score, header_line)


def _rewrite(path: Path, encoding: str, workdir: Path) -> Path:
    """A UTF-8 copy with every line ending as LF (universal newlines), in chunks."""
    out = workdir / f"{path.stem[:40]}.{id(path)}.utf8.csv"
    with (
        path.open("r", encoding=encoding, newline=None) as src,
        out.open("w", encoding="utf-8", newline="\n") as dst,
    ):
        while chunk := src.read(_CHUNK):
            dst.write(chunk)
    return out


def _delimiter(lines: list[str]) -> str:
    """The separator that splits the most lines into the same number of fields: lists
    inside cells ("KS1;KS2;KS3") vary from row to row, a real separator does not."""
    best, best_score = ",", 0
    for d in _DELIMITERS:
        counts = Counter(ln.count(d) for ln in lines if ln.strip())
        counts.pop(0, None)
        score = max((n * lines_with for n, lines_with in counts.items()), default=0)
        if score > best_score:
            best, best_score = d, score
    return best


def _open_workbook(
    source: Source, score: HeaderScore, sheet: str | None, header_line: int | None
) -> Source:
    try:
        wb = workbook.open_workbook(source.path)
    except workbook.WorkbookRefused as exc:
        return source.refused(str(exc))
    try:
        source.sheets = list(wb.sheetnames)
        names = [sheet] if sheet else source.sheets
        if sheet and sheet not in source.sheets:
            return source.refused(
                f"has no sheet called '{sheet}' (it has {', '.join(source.sheets)})."
            )
        best: tuple[float, str, list[Row]] | None = None
        for name in names:
            head = [
                cells for _, cells in workbook.rows(wb[name], 1, HEADER_SEARCH_ROWS + _SAMPLE_ROWS)
            ]
            top = max((score(r) for r in head[:HEADER_SEARCH_ROWS]), default=0.0)
            if best is None or top > best[0]:
                best = (top, name, head)
    except workbook.WorkbookRefused as exc:
        return source.refused(str(exc))
    finally:
        wb.close()
    assert best is not None
    _, source.sheet, head = best
    if not any(any(c is not None for c in r) for r in head):
        return source.refused("is empty: it has no header row. Save it again with its header row.")
    if len(source.sheets) > 1:
        source.notes.append(f"{source.label}: read the sheet '{source.sheet}'.")
    return _choose_header(source, head, 1, score, header_line)


def _choose_header(
    source: Source, rows: list[Row], first: int, score: HeaderScore, header_line: int | None
) -> Source:
    if any(len(r) > MAX_COLUMNS for r in rows):
        return source.refused(
            f"has more than {MAX_COLUMNS:,} columns; a school's export has a few dozen. "
            "Remove the columns not needed, or check the separator."
        )
    if header_line is None:
        scores = [score(r) for r in rows[:HEADER_SEARCH_ROWS]]
        index = max(range(len(scores)), key=lambda i: (scores[i], -i))
    else:
        index = header_line - first
        if not 0 <= index < len(rows):
            return source.refused(f"has no row {header_line} to read the header from.")
    header = rows[index]
    while header and header[-1] is None:  # Excel and SIMS pad the header with empty cells
        header = header[:-1]
    if len(header) > MAX_COLUMNS:
        return source.refused(
            f"has more than {MAX_COLUMNS:,} columns; a school's export has a few dozen. "
            "Remove the columns not needed, or check the separator."
        )
    if not header:
        return source.refused("has no header row. Save it again with its header row.")
    source.header_line = first + index
    source.header = [c.strip().lstrip("\ufeff") if c else "" for c in header]
    source.samples = [r for r in rows[index + 1 :] if any(c is not None for c in r)]
    if source.header_line > 1:
        source.notes.append(
            f"{source.label}: the header is on line {source.header_line}; the lines above it "
            "(titles) were skipped."
        )
    return source


def _clip(text: str, n: int = 80) -> str:
    text = text.replace("\r", " ").replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


def workdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="brokering-import-")


# -- the template route: files named or headed like the templates --------------------------
def identity_plan(source: Source) -> tuple[list[tuple[int, str]], list[Problem]]:
    """Every column under its own (normalised) name, with the header's naming problems."""
    names = [header_key(h) for h in source.header]
    problems: list[Problem] = []
    seen: set[str] = set()
    line = source.header_line
    for name in names:
        if not name:
            problems.append(
                Problem(
                    source.label,
                    line,
                    "",
                    "",
                    "has a column with no name in the header row; name it or delete it.",
                )
            )
        elif name in seen:
            problems.append(
                Problem(
                    source.label, line, name, name, "appears twice in the header row; keep one."
                )
            )
        elif not re.fullmatch(r"[a-z0-9_]+", name):
            problems.append(
                Problem(
                    source.label,
                    line,
                    name,
                    _clip(name),
                    "is not a column name this import knows (letters, digits, _ only). "
                    "To import an export as it comes, propose a column mapping first "
                    "(python -m brokering mapping propose).",
                )
            )
        seen.add(name)
    return list(enumerate(names)), problems


def head_frame(source: Source, rows: int = 5) -> pd.DataFrame:
    """The first rows after the header, as text, for previews."""
    width = len(source.header)
    body = [(r + [None] * width)[:width] for r in source.samples[:rows]]
    return pd.DataFrame(body, columns=source.labels)
