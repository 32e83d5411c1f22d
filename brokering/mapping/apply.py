"""A confirmed mapping applied to one file while it is staged: which columns are read and
under which names, the fixed values, and the value maps (raw text -> the template's word).

Refuses, with nothing written, a mapping that still has unresolved items, leaves a required
column unread, or reads a column the file does not have.
"""

from __future__ import annotations

import pandas as pd

from brokering.db import Connection
from brokering.importing.problems import Problem
from brokering.importing.reader import Source, Staged
from brokering.importing.spec import TABLES
from brokering.mapping.model import DROP, HASH, FileMapping


def plan_for(
    source: Source, fm: FileMapping
) -> tuple[list[tuple[int, str]], dict[str, str], list[Problem]]:
    """(file column index, staged name) for every column read; fixed values; problems."""
    spec = TABLES[fm.table]
    names = set(spec.names)
    labels = source.labels
    problems: list[Problem] = []

    def refuse(message: str, column: str = "") -> None:
        problems.append(Problem(source.label, 0, column, "", message))

    if fm.unresolved:
        shown = "; ".join(f"{u.target}: {u.message}" for u in fm.unresolved[:3])
        more = f" (and {len(fm.unresolved) - 3} more)" if len(fm.unresolved) > 3 else ""
        refuse(
            f"has a column mapping with {len(fm.unresolved)} unresolved item(s) — {shown}{more}. "
            "Resolve them (edit the mapping, or confirm it on the Data page) and import again."
        )
        return [], {}, problems
    missing = [c for c in fm.columns if c not in labels]
    if missing:
        refuse(
            f"does not have the column(s) {', '.join(repr(c) for c in missing)} that its mapping "
            "reads; propose a new mapping for this file."
        )
    plan: list[tuple[int, str]] = []
    notes: list[str] = []
    for i, label in enumerate(labels):
        target = fm.columns.get(label)
        if target is None:
            notes.append(label)
            continue
        if target == DROP:
            continue
        if target == HASH:
            kind = _identity_kind(source, i)
            if kind in names:
                plan.append((i, kind))
            continue
        plan.append((i, target))
    if notes:
        source.notes.append(
            f"{source.label}: column(s) not in its mapping were dropped: {', '.join(notes)}."
        )
    constants = dict(fm.constants)
    if fm.school and "school_id" in names and "school_id" not in {t for _, t in plan}:
        constants.setdefault("school_id", fm.school)
    read = {t for _, t in plan} | set(constants)
    for col in spec.columns:
        if col.required and col.name not in read:
            refuse(
                f"has a mapping that leaves {fm.table}'s required column {col.name} unread: map "
                "one of the file's columns to it or give it a fixed value.",
                col.name,
            )
    dropped = fm.dropped
    if dropped and not problems:
        source.notes.append(
            f"{source.label}: read as {fm.table}"
            + (f" ({fm.source})" if fm.source else "")
            + f"; columns not needed were dropped: {', '.join(dropped)}."
        )
    return plan, constants, problems


def _identity_kind(source: Source, index: int) -> str:
    vals = [r[index] for r in source.samples if index < len(r) and r[index]]
    emails = sum("@" in v for v in vals)
    return "email" if vals and emails >= 0.8 * len(vals) else "payroll_number"


def apply_values(con: Connection, staged: Staged, fm: FileMapping) -> None:
    """Rewrite each mapped value to the template's word, case and spacing aside."""
    for target, vmap in fm.values.items():
        if target not in staged.columns or not vmap:
            continue
        frame = pd.DataFrame(
            {
                "raw": [" ".join(k.lower().split()) for k in vmap],
                "val": list(vmap.values()),
            },
            dtype="string",
        ).drop_duplicates("raw")
        con.register("value_map_frame", frame)
        q = f'"{target}"'
        try:
            # Each distinct value is compared once (case and spacing aside); the rows are
            # then rewritten by plain equality, never a pattern per row of a national file.
            con.execute(
                f"UPDATE stg_{staged.table} s SET {q} = m.val FROM (SELECT d.v, f.val FROM "  # noqa: S608
                f"(SELECT DISTINCT {q} AS v FROM stg_{staged.table} WHERE {q} IS NOT NULL) d "
                "JOIN value_map_frame f ON lower(regexp_replace(trim(d.v), '\\s+', ' ', 'g')) "
                f"= f.raw) m WHERE s.{q} = m.v"
            )
        finally:
            con.unregister("value_map_frame")
        staged.notes.append(
            f"{staged.label}, {target}: {len(vmap)} value(s) read through the mapping's value map."
        )
