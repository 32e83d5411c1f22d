"""Mappings saved by name, per school and source, and found again for next term's files.

A saved entry is one file's mapping keyed by its header row (normalised), so next term's
export — a new file name, the same layout — is recognised by its headers. Saving replaces
the entries of the same name and layout; only the alliance administrator saves.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from brokering import audit
from brokering.db import Connection, transaction
from brokering.errors import PermissionDenied, ValidationError
from brokering.mapping.model import FileMapping, Mapping
from brokering.mapping.profiles import norm
from brokering.viewer import Viewer

_PERSON_COLUMNS = {
    "staff_ref",
    "recorded_by",
    "coach_ref",
    "coachee_ref",
    "line_manager_ref",
    "observed_ref",
    "who",
    "donor_refs",
    "recipient_refs",
}


def signature(columns: Sequence[str]) -> str:
    return "|".join(norm(c) for c in columns)


def save(con: Connection, viewer: Viewer, name: str, mapping: Mapping) -> int:
    """Save every file of `mapping` under `name`; refuses an incomplete mapping."""
    if viewer.role != "alliance_admin":
        raise PermissionDenied("Only the alliance administrator saves column mappings.")
    name = name.strip()
    if not name or len(name) > 80:
        raise ValidationError("Give the mapping a name of 1 to 80 characters.")
    if not mapping.files:
        raise ValidationError("The mapping holds no files; propose one first.")
    open_items = [f.file for f in mapping.files if f.unresolved]
    if open_items:
        raise ValidationError(
            f"The mapping still has unresolved items for {', '.join(open_items)}; resolve them "
            "before saving it."
        )
    with transaction(con):
        for fm in mapping.files:
            entry = fm.to_dict() | {"file": "", "unresolved": []}
            # Value maps of person columns may hold names (an observer written as a name):
            # those are never saved; the import reads such values afresh each time.
            entry["values"] = {t: m for t, m in fm.values.items() if t not in _PERSON_COLUMNS}
            con.execute(
                "INSERT OR REPLACE INTO saved_mappings (name, headers, table_name, school_id, "
                "source, mapping, saved_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    name,
                    signature(fm.columns),
                    fm.table,
                    fm.school,
                    fm.source,
                    json.dumps(entry, ensure_ascii=False),
                    viewer.username,
                ],
            )
        audit.record(
            con,
            viewer,
            "mapping saved",
            {"name": name, "files": len(mapping.files), "tables": [f.table for f in mapping.files]},
        )
    return len(mapping.files)


def entries(con: Connection, name: str | None = None) -> list[FileMapping]:
    """Saved file mappings (of one name, or all), newest first."""
    sql = "SELECT name, mapping FROM saved_mappings"
    params: list[object] = []
    if name is not None:
        sql += " WHERE name = ?"
        params.append(name)
    rows = con.execute(sql + " ORDER BY saved_at DESC", params).fetchall()
    out = []
    for saved_name, text in rows:
        d = json.loads(text)
        d["file"] = f"(saved: {saved_name})"
        fm = FileMapping.from_dict(d, f"the saved mapping {saved_name}")
        out.append(fm)
    return out


def listing(con: Connection) -> pd.DataFrame:
    return con.execute(
        "SELECT name, table_name AS table, school_id AS school, source, saved_by, saved_at "
        "FROM saved_mappings ORDER BY name, table_name"
    ).df()


def for_files(
    con: Connection, name: str, paths: Sequence[Path], workdir: Path, school: str | None = None
) -> Mapping:
    """The saved mapping `name` laid over these files, each matched by its header row."""
    from brokering.mapping.propose import open_for_mapping

    saved = entries(con, name)
    if not saved:
        raise ValidationError(
            f"No mapping is saved as '{name}'. See the saved ones with: python -m brokering "
            "mapping list"
        )
    mapping = Mapping()
    for path in paths:
        source = open_for_mapping(path, workdir)
        if source.problem:
            raise ValidationError(f"{source.label}: {source.problem}")
        sig = signature(source.labels)
        found = [fm for fm in saved if signature(fm.columns) == sig]
        if school:
            found = [fm for fm in found if fm.school in (None, school)] or found
        if not found:
            raise ValidationError(
                f"{path.name}: its header row is not the one saved in '{name}' (the export's "
                "columns changed?). Propose a mapping for it and save it again."
            )
        fm = FileMapping.from_dict(found[0].to_dict() | {"file": path.name})
        fm.sheet, fm.header_row = source.sheet, source.header_line
        if school and fm.school != school:
            fm.school = school
            if "school_id" in fm.constants:
                fm.constants["school_id"] = school
        mapping.files.append(fm)
    return mapping
