"""Exports that are safe to open in a spreadsheet, scoped to the viewer.

A cell that starts with = + - @ (or a tab/CR) is run as a formula by Excel; prefixing it with
an apostrophe keeps it text (OWASP's advice for CSV injection). Spreadsheets skip leading
blanks and read the full-width and small forms of those signs as the signs themselves, so the
check looks past the one and folds the other; nulls are dropped. An Excel export writes every
text cell as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from brokering.db import Connection, query_df
from brokering.errors import NotFoundError
from brokering.redaction import ref_sql
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

_TRIGGERS = frozenset("=+-@")
#: Characters a spreadsheet skips before deciding whether a cell is a formula.
_BLANK_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})

#: Tables the export command offers, with how their rows are scoped to the viewer: {vis}
#: is the viewer's staff predicate (on `st`, and on `sc` for the coachee), {ref:col} a
#: reference to a person inside the row, withheld where the viewer may not see them.
EXPORTABLE = {
    "schools": "SELECT * FROM schools ORDER BY school_id",
    "staff": "SELECT st.* REPLACE ({ref:st.line_manager_ref} AS line_manager_ref) "
    "FROM staff st WHERE {vis:st} ORDER BY staff_ref",
    "evidence": "SELECT e.* REPLACE ({ref:e.recorded_by} AS recorded_by) "
    "FROM evidence e JOIN staff st USING (staff_ref) WHERE {vis:st} "
    "ORDER BY e.staff_ref, e.skill_id, e.date",
    # A coaching row is about two people: it is exported only when both may be seen, since
    # its outcome and feedback describe the coachee as much as the coach.
    "coaching": "SELECT c.* FROM coaching c JOIN staff st ON st.staff_ref = c.coach_ref "
    "JOIN staff sc ON sc.staff_ref = c.coachee_ref WHERE {vis:st} AND {vis:sc} "
    "ORDER BY c.coach_ref, c.start_date",
    "needs": "SELECT n.* FROM needs n JOIN staff st USING (staff_ref) WHERE {vis:st} "
    "ORDER BY n.need_id",
    "skills": "SELECT * FROM skills ORDER BY skill_id",
}
#: Tables that hold no one: anyone may export them, governors included.
_NO_PEOPLE = frozenset({"schools", "skills"})
_SLOT = re.compile(r"\{(vis|ref):([a-z_.]+)\}")


def scoped_sql(viewer: Viewer, template: str) -> tuple[str, list[object]]:
    """Fill an EXPORTABLE template's slots for `viewer`, with the parameters in the order
    their slots appear (an export is a copy of the record: the administrator's includes
    leavers)."""
    params: list[object] = []

    def fill(m: re.Match[str]) -> str:
        kind, target = m.group(1), m.group(2)
        if kind == "vis":
            sql, p = visible_staff_sql(viewer, target, include_leavers=viewer.sees_everyone)
        else:
            sql, p = ref_sql(viewer, target)
        params.extend(p)
        return sql

    return _SLOT.sub(fill, template), params


def _first_visible(text: str) -> str:
    for ch in text:
        if unicodedata.category(ch) not in _BLANK_CATEGORIES:
            return unicodedata.normalize("NFKC", ch)[:1]
    return ""


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run becomes text it shows; anything else is unchanged."""
    if not isinstance(value, str):
        return value
    text = value.replace("\x00", "")
    if text.startswith(("\t", "\r")) or _first_visible(text) in _TRIGGERS:
        return "'" + text
    return text


def _cell(value: object) -> object:
    if isinstance(value, list | tuple | np.ndarray):
        return neutralise(";".join(map(str, value)))
    return neutralise(value)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised and lists written as a;b;c.

    Every column is checked whatever its dtype: pandas 3 reports text as "str", and DuckDB
    hands lists over as numpy arrays.
    """
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map(_cell).astype(object)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    # CRLF line ends (RFC 4180, as Excel writes): the writer then quotes any cell holding a
    # CR or LF, which unquoted would start a new row — one that could begin with a formula.
    safe_frame(frame).to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "export") -> bytes:
    """An Excel workbook of `frame`: every text cell neutralised and stored as text (openpyxl
    would otherwise store a leading = as a formula); characters Excel refuses are dropped."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([str(c) for c in frame.columns])
    for row_no, row in enumerate(safe_frame(frame).itertuples(index=False), start=2):
        for col_no, value in enumerate(row, start=1):
            cell = ws.cell(row=row_no, column=col_no)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"
            else:
                cell.value = value.item() if hasattr(value, "item") else value
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def export_table(con: Connection, viewer: Viewer, table: str) -> pd.DataFrame:
    if table not in EXPORTABLE:
        raise NotFoundError(
            f"'{table}' cannot be exported; choose one of: {', '.join(EXPORTABLE)}."
        )
    if table not in _NO_PEOPLE:
        viewer.require_listing()
    sql, params = scoped_sql(viewer, EXPORTABLE[table])
    return query_df(con, sql, params)


def write_export(con: Connection, viewer: Viewer, table: str, out: Path) -> int:
    frame = export_table(con, viewer, table)
    xlsx = out.suffix.lower() == ".xlsx"
    out.write_bytes(to_xlsx_bytes(frame, table) if xlsx else to_csv_bytes(frame))
    return len(frame)
