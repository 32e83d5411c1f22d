"""Getting a school's file into a staging table, whatever it was saved as.

CSV (UTF-8 with or without BOM, Windows-1252, UTF-16; comma, semicolon or tab) and .xlsx.
The CSV itself is parsed by DuckDB's reader into an all-text staging table, which streams
large files; anything not UTF-8 is re-encoded to a temporary UTF-8 copy first, in chunks.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from brokering.db import Connection
from brokering.importing.problems import Problem

_CHUNK = 1 << 20
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


@dataclass
class Staged:
    """A file in a temp table `stg_<stem>`: a `line` column plus every header column,
    all text, blanks as NULL."""

    path: Path
    label: str
    table: str
    columns: list[str]
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def header_key(name: str) -> str:
    """Column names compare as lower case with spaces as underscores."""
    return re.sub(r"[\s-]+", "_", name.strip().lstrip("\ufeff").strip().lower())


def _sniff_encoding(path: Path) -> tuple[str | None, str | None]:
    """(encoding, problem). Decodes the whole file incrementally, so nothing is guessed
    from the first kilobyte alone."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    decoder = codecs.getincrementaldecoder("utf-8")()
    bad_cp1252 = False
    utf8 = True
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if b"\x00" in chunk:
                return None, (
                    "is not a text file (it contains NUL bytes). Save it as 'CSV UTF-8' or .xlsx."
                )
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8 and any(b in _CP1252_UNDEFINED for b in chunk):
                bad_cp1252 = True
    if utf8:
        return "utf-8", None
    if bad_cp1252:
        return None, (
            "is in an encoding we cannot read (neither UTF-8 nor Windows-1252). "
            "Save it again as 'CSV UTF-8'."
        )
    return "cp1252", None


def _reencode(path: Path, encoding: str, workdir: Path) -> Path:
    out = workdir / (path.stem + ".utf8.csv")
    with (
        path.open("r", encoding=encoding, newline="") as src,
        out.open("w", encoding="utf-8", newline="") as dst,
    ):
        while chunk := src.read(_CHUNK):
            dst.write(chunk)
    return out


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def stage_file(con: Connection, path: Path, table: str, workdir: Path) -> Staged:
    """Read `path` into temp table stg_<table>; file-level problems end staging early."""
    staged = Staged(path=path, label=path.name, table=table, columns=[])
    if not path.exists():
        staged.problems.append(Problem(path.name, 0, "", "", "was not found."))
        return staged
    if path.stat().st_size == 0:
        staged.problems.append(
            Problem(
                path.name,
                0,
                "",
                "",
                "is empty: it has no header row. Save it again with the template's header row.",
            )
        )
        return staged
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _stage_excel(con, staged)
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        staged.problems.append(
            Problem(path.name, 0, "", "", "is not a .csv or .xlsx file; save it as CSV UTF-8.")
        )
        return staged
    encoding, problem = _sniff_encoding(path)
    if problem:
        staged.problems.append(Problem(path.name, 0, "", "", problem))
        return staged
    source = path
    if encoding != "utf-8":
        staged.notes.append(
            f"{path.name}: read as {'Windows-1252' if encoding == 'cp1252' else 'UTF-16'} "
            "and converted to UTF-8."
        )
        source = _reencode(path, encoding or "utf-8", workdir)
    with source.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    if not first.strip():
        staged.problems.append(
            Problem(
                path.name,
                1,
                "",
                "",
                "has a blank first line; the first line must be the header row.",
            )
        )
        return staged
    delim = _delimiter(first)
    header = next(csv.reader(io.StringIO(first), delimiter=delim))
    staged.columns = [header_key(h) for h in header]
    if not _header_ok(staged):
        return staged
    cols = {f"c{i}": "VARCHAR" for i in range(len(staged.columns))}
    try:
        con.execute(f"DROP TABLE IF EXISTS stg_{table}")
        con.execute(
            f"CREATE TEMP TABLE stg_{table} AS SELECT (row_number() OVER ()) + 1 AS line, "  # noqa: S608
            + ", ".join(f"nullif(trim(c{i}), '') AS \"{n}\"" for i, n in enumerate(staged.columns))
            + " FROM read_csv(?, header = true, auto_detect = false, delim = ?, quote = '\"', "
            "escape = '\"', columns = " + _struct(cols) + ", store_rejects = true, "
            "max_line_size = 4194304)",
            [str(source), delim],
        )
        rejects = con.execute(
            "SELECT line, error_type, csv_line, error_message FROM reject_errors "
            "ORDER BY line LIMIT 1000"
        ).fetchall()
        con.execute("DELETE FROM reject_errors")
        con.execute("DELETE FROM reject_scans")
    except duckdb.Error as exc:
        staged.problems.append(
            Problem(path.name, 0, "", "", f"could not be read as CSV ({_first_line(exc)}).")
        )
        return staged
    seen: set[int] = set()
    for line, error_type, csv_line, message in rejects:
        if line in seen:
            continue
        seen.add(int(line))
        staged.problems.append(
            Problem(
                path.name,
                int(line),
                "",
                _clip(csv_line or ""),
                _reject_message(str(error_type), str(message), len(staged.columns), delim),
            )
        )
    staged.rows = int(con.execute(f"SELECT count(*) FROM stg_{table}").fetchall()[0][0])  # noqa: S608
    if staged.rows == 0 and not staged.problems:
        staged.problems.append(
            Problem(
                path.name,
                0,
                "",
                "",
                "has a header row but no data rows: nothing to import. Add rows or leave the "
                "file out.",
            )
        )
    return staged


def _stage_excel(con: Connection, staged: Staged) -> Staged:
    try:
        frame = pd.read_excel(
            staged.path, dtype=str, header=None, keep_default_na=False, engine="openpyxl"
        )
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        staged.problems.append(
            Problem(staged.label, 0, "", "", f"could not be opened as an Excel workbook ({exc}).")
        )
        return staged
    if frame.empty:
        staged.problems.append(
            Problem(
                staged.label,
                0,
                "",
                "",
                "is empty: it has no header row. Save it again with the template's header row.",
            )
        )
        return staged
    staged.columns = [header_key(str(h)) for h in frame.iloc[0].tolist()]
    if not _header_ok(staged):
        return staged
    body = frame.iloc[1:].copy()
    body.columns = [f"c{i}" for i in range(len(staged.columns))]
    body.insert(0, "line", range(2, len(body) + 2))
    body = body.astype({c: "string" for c in body.columns if c != "line"})
    con.register("xlsx_body", body)
    con.execute(f"DROP TABLE IF EXISTS stg_{staged.table}")
    con.execute(
        f"CREATE TEMP TABLE stg_{staged.table} AS SELECT line::BIGINT AS line, "  # noqa: S608
        + ", ".join(
            f"nullif(trim(c{i}::VARCHAR), '') AS \"{n}\"" for i, n in enumerate(staged.columns)
        )
        + " FROM xlsx_body"
    )
    con.unregister("xlsx_body")
    # Excel keeps blank formatted rows: drop rows with no value at all.
    con.execute(
        f"DELETE FROM stg_{staged.table} WHERE "  # noqa: S608
        + " AND ".join(f'"{n}" IS NULL' for n in staged.columns)
    )
    staged.rows = int(con.execute(f"SELECT count(*) FROM stg_{staged.table}").fetchall()[0][0])  # noqa: S608
    if staged.rows == 0:
        staged.problems.append(
            Problem(
                staged.label,
                0,
                "",
                "",
                "has a header row but no data rows: nothing to import. Add rows or leave the "
                "file out.",
            )
        )
    return staged


def _header_ok(staged: Staged) -> bool:
    seen: set[str] = set()
    for name in staged.columns:
        if not name:
            staged.problems.append(
                Problem(
                    staged.label,
                    1,
                    "",
                    "",
                    "has a column with no name in the header row; name it or delete it.",
                )
            )
        elif name in seen:
            staged.problems.append(
                Problem(staged.label, 1, name, name, "appears twice in the header row; keep one.")
            )
        elif not re.fullmatch(r"[a-z0-9_]+", name):
            staged.problems.append(
                Problem(
                    staged.label,
                    1,
                    name,
                    name,
                    "is not a column name this import knows (letters, digits, _ only).",
                )
            )
        seen.add(name)
    return not staged.problems


def _struct(cols: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in cols.items()) + "}"


def _reject_message(error_type: str, message: str, expected: int, delim: str) -> str:
    shown = {",": "commas", ";": "semicolons", "\t": "tabs"}[delim]
    if error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        found = re.search(r"Found: (\d+)", message)
        n = found.group(1) if found else "a different number of"
        return (
            f"has {n} columns but the header has {expected}. The file is separated by "
            f"{shown}: check this line uses the same separator and that text containing "
            f"{shown} is in double quotes."
        )
    if error_type == "LINE SIZE OVER MAXIMUM":
        return "is longer than 4 MB; shorten the text in it."
    if error_type == "UNQUOTED VALUE":
        return "has a stray double quote; wrap the whole value in quotes and double any inside."
    return f"could not be read ({error_type.lower()})."


def _clip(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200]


def workdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="brokering-import-")
