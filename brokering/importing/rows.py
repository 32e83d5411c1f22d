"""Every row of an opened file into an all-text temp table `stg_<table>`, keeping only the
planned columns: CSV through DuckDB's streaming reader, workbooks through openpyxl after
workbook.py has checked the container.

A row with more or fewer fields than the header is refused on its own line, never realigned;
every data row read is either staged or refused, and `Staged.rows_read` counts them all.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from brokering.db import Connection
from brokering.importing import workbook
from brokering.importing.problems import Problem
from brokering.importing.reader import Source, Staged, _clip
from brokering.settings import MAX_LINE_BYTES

#: Read as "no value" by nothing real, so an empty field stays '' and a missing one is NULL.
_NEVER = "\x02\x03never\x03\x02"


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
    # Missing fields are padded with NULL from the right (an empty field is ''), so a row
    # has other than n fields exactly when field n+1 is there or field n is not: two cheap
    # tests per row; the count and the row's text are worked out only for such a row.
    ragged = f"(c{n} IS NOT NULL OR c{n - 1} IS NULL)"
    blank = " AND ".join(f"coalesce(trim(c{i}), '') = ''" for i in range(width))
    text = "concat_ws(?, " + ", ".join(f"c{i}" for i in range(width)) + ")"
    select, params = _select(plan, constants)
    query = (
        f"CREATE TEMP TABLE {table} AS SELECT ? + row_number() OVER () AS line, "  # noqa: S608
        f"{select.removeprefix('line').lstrip(', ')}{', ' if plan or constants else ''}"
        f"CASE WHEN {ragged} THEN {fields} END AS _fields, "
        f"CASE WHEN coalesce(trim(c0), '') <> '' THEN false ELSE {blank} END AS _blank, "
        f"CASE WHEN {ragged} THEN {text} END AS _row FROM read_csv(?, header = false, "
        "skip = ?, auto_detect = false, delim = ?, quote = '\"', escape = '\"', "
        f"columns = {columns}, null_padding = true, nullstr = ?, store_rejects = true, "
        "max_line_size = ?, parallel = ?)"
    )
    args = [
        source.header_line,
        *params,
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
        f"count(*) FILTER (WHERE NOT _blank AND _fields IS NOT NULL) FROM {table}"
    ).fetchall()[0]
    if ragged:
        for line, got, row in con.execute(
            f"SELECT line, _fields, _row FROM {table} WHERE NOT _blank "  # noqa: S608
            "AND _fields IS NOT NULL ORDER BY line LIMIT 500"
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
        con.execute(f"DELETE FROM {table} WHERE _blank OR _fields IS NOT NULL")  # noqa: S608
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
