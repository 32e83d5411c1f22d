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


def entries(
    con: Connection, viewer: Viewer, limit: int = 500, actions: list[str] | None = None
) -> pd.DataFrame:
    """The newest entries; the whole alliance's trail is the administrator's to read, anyone
    else sees only their own."""
    where, params = ["TRUE"], []
    if not viewer.sees_everyone:
        where.append("username = ?")
        params.append(viewer.username)
    if actions is not None:
        where.append("list_contains(?, action)")
        params.append(actions)
    return con.execute(
        f"SELECT * FROM audit_log WHERE {' AND '.join(where)} ORDER BY audit_id DESC LIMIT ?",  # noqa: S608
        [*params, limit],
    ).df()


def actions(con: Connection) -> list[str]:
    return [
        r[0] for r in con.execute("SELECT DISTINCT action FROM audit_log ORDER BY 1").fetchall()
    ]
