"""The append-only audit trail: who did what, when, from which school.

Written outside the data transaction on purpose, so a refused import is still recorded as
tried (CONTRACT: What "unchanged" means).
"""

from __future__ import annotations

import json

import pandas as pd

from brokering.db import Connection
from brokering.viewer import Viewer


def record(con: Connection, viewer: Viewer, action: str, detail: dict | str | None = None) -> None:
    text = detail if isinstance(detail, str) or detail is None else json.dumps(detail, default=str)
    con.execute(
        "INSERT INTO audit_log (username, role, school_id, action, detail) VALUES (?, ?, ?, ?, ?)",
        [viewer.username, viewer.role, viewer.school_id, action, text],
    )


def entries(con: Connection, viewer: Viewer, limit: int = 500) -> pd.DataFrame:
    """The newest entries; the whole alliance's trail is the administrator's to read."""
    if viewer.sees_everyone:
        sql, params = "SELECT * FROM audit_log", []
    else:
        sql, params = "SELECT * FROM audit_log WHERE username = ?", [viewer.username]
    return con.execute(sql + " ORDER BY audit_id DESC LIMIT ?", [*params, limit]).df()
