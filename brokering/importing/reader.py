"""Getting a school's file into a staging table, whatever it was saved as and called.

Two steps. `open_source` tells what the file is (sniff.py: by its bytes, never its name),
finds the header row under any title rows (and, in a workbook, the sheet) and keeps a few
sample rows — enough to recognise the table and propose a column mapping without reading
the whole file. `stage` then reads every row into an all-text temp table `stg_<table>`,
keeping only the planned columns: CSV through DuckDB's streaming reader (anything not
UTF-8, or with mixed line endings, is rewritten to a UTF-8 copy first), workbooks through
openpyxl after workbook.py has checked the container.

A row with more or fewer fields than the header is refused on its own line, never realigned;
every data row read is either staged or refused, and `Staged.rows_read` counts them all.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from brokering.db import Connection
from brokering.importing import workbook
from brokering.importing.problems import Problem
from brokering.importing.sniff import Sniffed, sniff
from brokering.settings import (
    HEADER_SEARCH_BYTES,
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_IMPORT_FILE_BYTES,
    MAX_LINE_BYTES,
)

_CHUNK = 1 << 20
_SAMPLE_ROWS = 50
#: Read as "no value" by nothing real, so an empty field stays '' and a missing one is NULL.
_NEVER = "\x02\x03never\x03\x02"
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
    """The separator that splits the head into the most fields on a line."""
    best, best_n = ",", 0
    for d in _DELIMITERS:
        n = max((ln.count(d) for ln in lines), default=0)
        if n > best_n:
            best, best_n = d, n
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


# -- staging ------------------------------------------------------------------------------------
def stage(
    con: Connection,
    source: Source,
    table: str,
    plan: Sequence[tuple[int, str]],
    constants: dict[str, str] | None = None,
    *,
    into: str | None = None,
) -> Staged:
    """Read every row of `source` into temp table stg_<table> (or stg_<into>): `plan` lists
    (file column index, staged name); `constants` fill named columns with one value for
    every row."""
    constants = constants or {}
    staged = Staged(
        path=source.path,
        label=source.label,
        table=into or table,
        columns=[n for _, n in plan] + list(constants),
        notes=list(source.notes),
    )
    if source.problem:
        staged.problems.append(Problem(source.label, 0, "", "", source.problem))
        return staged
    if source.kind == "xlsx":
        _stage_workbook(con, source, staged, plan, constants)
    else:
        _stage_csv(con, source, staged, plan, constants)
    if not staged.problems and staged.rows_read == 0:
        staged.problems.append(
            Problem(
                source.label,
                0,
                "",
                "",
                "has a header row but no data rows: nothing to import. Add rows or leave the "
                "file out.",
            )
        )
    staged.table = table
    return staged


def _select(plan: Sequence[tuple[int, str]], constants: dict[str, str]) -> tuple[str, list[str]]:
    cols = [f"nullif(trim(c{i}), '') AS \"{name}\"" for i, name in plan]
    cols += [f'?::VARCHAR AS "{name}"' for name in constants]
    return ", ".join(["line"] + cols), list(constants.values())


def _stage_csv(
    con: Connection,
    source: Source,
    staged: Staged,
    plan: Sequence[tuple[int, str]],
    constants: dict[str, str],
) -> None:
    """One streaming read into the staging table (every row numbered, its fields counted);
    ragged and blank rows are then listed and removed, and, only when the reader skipped
    lines (blank or refused ones), the later rows are renumbered to their own lines."""
    n = len(source.header)
    width = n + 1  # one more than the header: a row with an extra field is caught, not cut
    table = f"stg_{staged.table}"
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    fields = " + ".join(f"(c{i} IS NOT NULL)::INT" for i in range(width))
    blank = " AND ".join(f"coalesce(trim(c{i}), '') = ''" for i in range(width))
    text = "concat_ws(?, " + ", ".join(f"c{i}" for i in range(width)) + ")"
    select, params = _select(plan, constants)
    query = (
        f"CREATE TEMP TABLE {table} AS SELECT ? + row_number() OVER () AS line, "  # noqa: S608
        f"{select.removeprefix('line').lstrip(', ')}{', ' if plan or constants else ''}"
        f"{fields} AS _fields, {blank} AS _blank, "
        f"CASE WHEN ({fields}) <> ? THEN {text} END AS _row FROM read_csv(?, header = false, "
        "skip = ?, auto_detect = false, delim = ?, quote = '\"', escape = '\"', "
        f"columns = {columns}, null_padding = true, nullstr = ?, store_rejects = true, "
        "max_line_size = ?, parallel = ?)"
    )
    args = [
        source.header_line,
        *params,
        n,
        source.delimiter,
        str(source.utf8_path),
        source.header_line,
        source.delimiter,
        _NEVER,
        MAX_LINE_BYTES,
    ]
    try:
        for parallel in (True, False):
            con.execute(f"DROP TABLE IF EXISTS {table}")
            try:
                con.execute(query, [*args, parallel])
                break
            except duckdb.Error as exc:
                # Cells holding line breaks need the single-threaded reader: retry with it.
                if not parallel or "parallel" not in str(exc):
                    raise
        rejects = con.execute(
            "SELECT line, error_type, csv_line, error_message FROM reject_errors ORDER BY line"
        ).fetchall()
        con.execute("DELETE FROM reject_errors")
        con.execute("DELETE FROM reject_scans")
    except duckdb.Error as exc:
        staged.problems.append(Problem(source.label, 0, "", "", _csv_failure(exc)))
        return
    rejected: dict[int, tuple[str, str]] = {}
    for line, error_type, csv_line, message in rejects:
        if "unterminated quote" in str(message).lower():
            # The open quote swallowed every line after it: no row there can be trusted.
            staged.problems.append(
                Problem(
                    source.label,
                    0,
                    "",
                    "",
                    f"has a double quote opened on line {line} and never closed, so every "
                    "line after it reads as one cell. Close the quote (or double it inside "
                    "text) and import the file again.",
                )
            )
            return
        rejected.setdefault(int(line), (str(error_type), str(csv_line or "")))
    blanks = source.sniffed.blank_lines if source.sniffed else ()
    skipped = sorted(
        k
        for k in {ln - source.header_line for ln in rejected}
        | {ln - source.header_line for ln in blanks}
        if k > 0
    )
    if skipped:
        # Record i is the i-th line not skipped: add the skips at or before it.
        con.execute("CREATE OR REPLACE TEMP TABLE raw_skips (adj BIGINT)")
        con.executemany(
            "INSERT INTO raw_skips VALUES (?)", [[k - j] for j, k in enumerate(skipped)]
        )
        con.execute(
            f"UPDATE {table} SET line = line + (SELECT count(*) FROM raw_skips "  # noqa: S608
            "WHERE adj <= line - ?)",
            [source.header_line],
        )
        con.execute("DROP TABLE raw_skips")
    for line, (error_type, csv_line) in sorted(rejected.items()):
        staged.row_problems.append(
            Problem(source.label, line, "", _clip(csv_line), _reject_message(error_type, n))
        )
    blank_rows, ragged = con.execute(
        f"SELECT count(*) FILTER (WHERE _blank), "  # noqa: S608
        f"count(*) FILTER (WHERE NOT _blank AND _fields <> ?) FROM {table}",
        [n],
    ).fetchall()[0]
    if ragged:
        for line, got, row in con.execute(
            f"SELECT line, _fields, _row FROM {table} WHERE NOT _blank AND _fields <> ? "  # noqa: S608
            "ORDER BY line LIMIT 500",
            [n],
        ).fetchall():
            staged.row_problems.append(
                Problem(
                    source.label,
                    int(line),
                    "",
                    _clip(row or ""),
                    _ragged_message(int(got), n, source),
                )
            )
    if blank_rows or ragged:
        con.execute(f"DELETE FROM {table} WHERE _blank OR _fields <> ?", [n])  # noqa: S608
    for col in ("_fields", "_blank", "_row"):
        con.execute(f"ALTER TABLE {table} DROP COLUMN {col}")
    staged.rows = _count(con, staged.table)
    staged.rows_read = staged.rows + int(ragged) + len(rejected)


def _stage_workbook(
    con: Connection,
    source: Source,
    staged: Staged,
    plan: Sequence[tuple[int, str]],
    constants: dict[str, str],
) -> None:
    n = len(source.header)
    lines: list[int] = []
    data: list[list[str | None]] = [[] for _ in plan]
    ragged = 0
    try:
        wb = workbook.open_workbook(source.path)
    except workbook.WorkbookRefused as exc:
        staged.problems.append(Problem(source.label, 0, "", "", str(exc)))
        return
    try:
        for number, cells in workbook.rows(wb[source.sheet], source.header_line + 1):
            if not any(c is not None for c in cells):
                continue  # Excel keeps blank formatted rows: not data
            beyond = [i for i, c in enumerate(cells[n:], start=n) if c is not None]
            if beyond:
                ragged += 1
                if len(staged.row_problems) < 500:
                    staged.row_problems.append(
                        Problem(
                            source.label,
                            number,
                            "",
                            _clip(str(cells[beyond[0]])),
                            f"has a value in column {_column_letter(beyond[0])}, to the right "
                            f"of the last named column ({_column_letter(n - 1)}); name that "
                            "column in the header row or clear the cell. Rows are never "
                            "shifted to fit.",
                        )
                    )
                continue
            lines.append(number)
            for slot, (i, _) in enumerate(plan):
                data[slot].append(cells[i] if i < len(cells) else None)
    except workbook.WorkbookRefused as exc:
        staged.problems.append(Problem(source.label, 0, "", "", str(exc)))
        return
    finally:
        wb.close()
    frame = pd.DataFrame(
        {"line": pd.Series(lines, dtype="int64")}
        | {f"c{i}": pd.Series(col, dtype="string") for (i, _), col in zip(plan, data, strict=True)}
    )
    con.register("xlsx_body", frame)
    try:
        select, params = _select(plan, constants)
        con.execute(f"DROP TABLE IF EXISTS stg_{staged.table}")
        con.execute(
            f"CREATE TEMP TABLE stg_{staged.table} AS SELECT {select} FROM xlsx_body",  # noqa: S608
            params,
        )
    finally:
        con.unregister("xlsx_body")
    staged.rows = _count(con, staged.table)
    staged.rows_read = staged.rows + ragged


def _count(con: Connection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM stg_{table}").fetchall()[0][0])  # noqa: S608


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _separator(delim: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars (|)"}[delim]


def _ragged_message(fields: int, expected: int, source: Source) -> str:
    shown = _separator(source.delimiter)
    more = "more" if fields > expected else "fewer"
    return (
        f"has {fields} fields but the header has {expected}: {more} than the header, so it "
        f"is refused rather than shifted to fit. The file is separated by {shown}: check "
        f"this line uses the same separator, that text containing {shown} is in double "
        "quotes, and that no separator was added or lost at the end."
    )


def _reject_message(error_type: str, expected: int) -> str:
    if error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        return (
            f"has a different number of fields from the header ({expected}); it is refused "
            "rather than shifted to fit. Check the separators and double quotes on this line."
        )
    if error_type == "LINE SIZE OVER MAXIMUM":
        return (
            f"is longer than {MAX_LINE_BYTES // 1024**2} MB (a quote left open can run on "
            "to the end of the file); shorten the text in it or close the quote."
        )
    if error_type == "UNQUOTED VALUE":
        return "has a stray double quote; wrap the whole value in quotes and double any inside."
    if error_type == "INVALID ENCODING":
        return "holds characters that are not text; save the file again as CSV UTF-8."
    return "could not be read as a row of this file; check its quotes and separators."


def _csv_failure(exc: Exception) -> str:
    """A whole-file CSV failure in the reader's words, never the database's internals."""
    text = str(exc).lower()
    if "quote" in text or "unterminated" in text:
        return (
            "could not be read as CSV: a double quote is opened and never closed. Close it, "
            "or save the file again as CSV UTF-8."
        )
    if "maximum line size" in text or "line size" in text:
        return (
            f"has a line longer than {MAX_LINE_BYTES // 1024**2} MB; it is not a table this "
            "import can read. Save it again as CSV UTF-8."
        )
    return (
        "could not be read as CSV (its quotes, separators or line endings are not "
        "consistent). Open it in a spreadsheet and save it again as CSV UTF-8."
    )


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
    return pd.DataFrame(body, columns=[h or f"column {i + 1}" for i, h in enumerate(source.header)])
