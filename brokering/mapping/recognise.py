"""Which table a file holds, told from its header row (any file name will do)."""

from __future__ import annotations

from collections.abc import Sequence

from brokering.importing.reader import header_key
from brokering.importing.spec import TABLES


def table_from_name(name: str) -> str | None:
    """A file named after its table ("staff.csv", "evidence.2025.xlsx") keeps that table."""
    stem = name.lower().split(".")[0].strip()
    return stem if stem in TABLES else None


def table_from_template_header(header: Sequence[str]) -> tuple[str | None, str]:
    """(table, "") when the header holds every required template column of exactly one
    table most fully; else (None, why) naming the nearest table and what it lacks."""
    keys = {header_key(h) for h in header if h}
    ranked = []
    for spec in TABLES.values():
        matched = len(keys & set(spec.names))
        missing = [c.name for c in spec.columns if c.required and c.name not in keys]
        ranked.append((not missing, matched, -len(missing), -len(spec.names), spec.table, missing))
    ranked.sort(reverse=True)
    complete, matched, _, _, table, missing = ranked[0]
    if complete and matched:
        return table, ""
    if matched <= 1:
        return None, "its column names are not the template's"
    return None, f"nearest is {table}, which also needs {', '.join(missing)}"
