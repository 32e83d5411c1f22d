"""Exports that are safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab/CR) is run as a formula by Excel; prefixing it with
an apostrophe keeps it text (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from brokering.db import Connection
from brokering.errors import NotFoundError
from brokering.viewer import Viewer
from brokering.visibility import visible_staff_sql

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

#: Tables the export command offers, with how their rows are scoped to the viewer.
EXPORTABLE = {
    "schools": "SELECT * FROM schools ORDER BY school_id",
    "staff": "SELECT * FROM staff st WHERE {vis} ORDER BY staff_ref",
    "evidence": "SELECT e.* FROM evidence e JOIN staff st USING (staff_ref) WHERE {vis} "
    "ORDER BY e.staff_ref, e.skill_id, e.date",
    "coaching": "SELECT c.* FROM coaching c JOIN staff st ON st.staff_ref = c.coach_ref "
    "WHERE {vis} ORDER BY c.coach_ref, c.start_date",
    "needs": "SELECT n.* FROM needs n JOIN staff st USING (staff_ref) WHERE {vis} "
    "ORDER BY n.need_id",
    "skills": "SELECT * FROM skills ORDER BY skill_id",
}


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


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
    safe_frame(frame).to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL)
    return buf.getvalue().encode("utf-8-sig")


def export_table(con: Connection, viewer: Viewer, table: str) -> pd.DataFrame:
    if table not in EXPORTABLE:
        raise NotFoundError(
            f"'{table}' cannot be exported; choose one of: {', '.join(EXPORTABLE)}."
        )
    if table != "schools" and table != "skills":
        viewer.require_listing()
    # An export is a copy of the record: the administrator's includes leavers.
    vis, params = visible_staff_sql(viewer, "st", include_leavers=viewer.sees_everyone)
    return con.execute(EXPORTABLE[table].format(vis=vis), params).df()


def write_export(con: Connection, viewer: Viewer, table: str, out: Path) -> int:
    frame = export_table(con, viewer, table)
    out.write_bytes(to_csv_bytes(frame))
    return len(frame)
