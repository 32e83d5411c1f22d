"""A batch of files into staging tables: each file opened, its table told (by its name or
its header row, or by a column mapping), its columns planned and its rows staged.

Without a mapping a file's columns must be the template's own names (the route schools'
export scripts use); with one (brokering.mapping), any export is read as it comes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from brokering.db import Connection
from brokering.importing.problems import ImportReport, Problem
from brokering.importing.reader import LINE_BASE, Source, Staged, identity_plan, open_source
from brokering.importing.rows import stage
from brokering.importing.spec import TABLES

if TYPE_CHECKING:
    from brokering.mapping import Mapping


@dataclass
class StagedBatch:
    """The staged tables by table name (in dependency order), and what each file gave."""

    tables: dict[str, Staged] = field(default_factory=dict)
    read: list[tuple[str, str | None, int, int]] = field(default_factory=list)

    def count_rows(self, report: ImportReport) -> None:
        """After validation: every row read is valid or refused, per file."""
        for label, table, rows, first in self.read:
            report.count_rows(label, table, rows, first)


def stage_files(
    con: Connection,
    files: list[Path],
    workdir: Path,
    report: ImportReport,
    mapping: Mapping | None = None,
) -> StagedBatch:
    """Stage every file; file-level problems keep a file out, row problems are reported
    and the rest of the file is still checked."""
    from brokering import mapping as maps

    batch = StagedBatch()
    staged: dict[str, Staged] = {}
    for path in files:
        file_map = mapping.for_file(path.name) if mapping else None
        if file_map is not None:
            source = maps.open_for_mapping(path, workdir, file_map)
        else:
            source = open_source(path, workdir)
        if source.problem:
            report.notes.extend(source.notes)
            report.add(Problem(source.label, 0, "", "", source.problem))
            batch.read.append((source.label, None, 0, 0))
            continue
        if file_map is not None:
            table = file_map.table
            plan, constants, problems = maps.plan_for(source, file_map)
        else:
            table = maps.table_from_name(path.name)
            if table is None:
                table, why = maps.table_from_template_header(source.header)
                if table is None:
                    report.notes.extend(source.notes)
                    report.add(
                        Problem(
                            source.label,
                            0,
                            "",
                            "",
                            f"could not be told from its header row which table it holds "
                            f"({why}). Name the file after its table "
                            f"({', '.join(t + '.csv' for t in TABLES)}), or propose a column "
                            "mapping for it (python -m brokering mapping propose, or the "
                            "Data page).",
                        )
                    )
                    batch.read.append((source.label, None, 0, 0))
                    continue
                report.notes.append(f"{source.label}: read as {table} (from its header row).")
            plan, problems = identity_plan(source)
            constants = {}
        if problems:
            report.notes.extend(source.notes)
            for p in problems:
                report.add(p)
            batch.read.append((source.label, table, 0, 0))
            continue
        first = staged.get(table)
        s = _stage(con, source, table, plan, constants, file_map, into=first is not None)
        report.notes.extend(s.notes)
        for p in s.problems + s.row_problems:
            report.add(p)
        batch.read.append((s.label, table, s.rows_read, source.header_line + 1))
        if s.problems:
            continue
        if first is None:
            staged[table] = s
        else:
            _append(con, first, s)
    batch.tables = {t: staged[t] for t in TABLES if t in staged}
    for s in batch.tables.values():
        if s.parts:
            report.locate_lines(s.label, s.locate)
    order = {t: i for i, t in enumerate(TABLES)}
    tables = {label: table for label, table, _, _ in batch.read}
    report.files.sort(key=lambda f: order.get(tables.get(f) or "", len(order)))
    return batch


def _stage(
    con: Connection,
    source: Source,
    table: str,
    plan: list[tuple[int, str]],
    constants: dict[str, str],
    file_map: object | None,
    *,
    into: bool = False,
) -> Staged:
    """Stage one file (a further file of a table already staged goes to stg_<table>_next,
    then joins the first with _append)."""
    s = stage(con, source, table, plan, constants, into=f"{table}_next" if into else None)
    if file_map is not None and not s.problems:
        from brokering.mapping import apply_values

        apply_values(con, s, file_map)
    return s


def _append(con: Connection, first: Staged, more: Staged) -> None:
    """Several files of one table (one per school): one staging table, each file's lines
    kept apart by an offset so problems name their own file and line."""
    if not first.parts:
        first.parts = [first.label]
    offset = len(first.parts) * LINE_BASE
    first.parts.append(more.label)
    for col in more.columns:
        if col not in first.columns:
            con.execute(f'ALTER TABLE stg_{first.table} ADD COLUMN "{col}" VARCHAR')
            first.columns.append(col)
    cols = ", ".join(f'"{c}"' for c in more.columns)
    con.execute(
        f"INSERT INTO stg_{first.table} (line, {cols}) SELECT line + ?, {cols} "  # noqa: S608
        f"FROM stg_{first.table}_next",
        [offset],
    )
    con.execute(f"DROP TABLE stg_{first.table}_next")
    first.rows += more.rows
    first.rows_read += more.rows_read
    first.label = " + ".join(first.parts)
