"""Import of schools' exports: validate every row, then apply the batch all or nothing.

`import_paths` is the one entry point: the command line and the Data page both call it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from brokering import audit
from brokering.db import Connection
from brokering.errors import PermissionDenied, StoreError
from brokering.importing.apply import apply_consent, upsert
from brokering.importing.problems import ImportReport, Problem
from brokering.importing.reader import Staged, workdir
from brokering.importing.spec import TABLES
from brokering.importing.staging import stage_files
from brokering.importing.validate import Validator
from brokering.settings import IMPORT_MEMORY_LIMIT, MAX_FILES_PER_BATCH
from brokering.taxonomy import SkillMatcher
from brokering.viewer import Viewer

if TYPE_CHECKING:
    from brokering.mapping import Mapping

__all__ = ["ImportReport", "Problem", "import_paths", "collect_files"]

_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".txt", ".tsv")


def collect_files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The files to read: each path given, and every table-like file in a folder given."""
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found += [
                f for f in sorted(path.iterdir()) if f.is_file() and f.suffix.lower() in _SUFFIXES
            ]
        else:
            found.append(path)
    if len(found) > MAX_FILES_PER_BATCH:
        problems.append(
            Problem(
                "",
                0,
                "",
                "",
                f"{len(found):,} files were given; one import takes at most "
                f"{MAX_FILES_PER_BATCH}. Import them in smaller batches.",
            )
        )
        found = []
    return found, problems


@contextmanager
def _memory_limit(con: Connection, limit: str) -> Iterator[None]:
    """Bound DuckDB's memory for the import (never raising a lower limit already set), and
    put the previous limit back afterwards."""
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.execute("SET memory_limit = ?", [limit])
    lowered = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    if _size(lowered) > _size(before):  # the store was already held to less: keep that
        con.execute("SET memory_limit = ?", [before])
    try:
        yield
    finally:
        con.execute("SET memory_limit = ?", [before])


def _size(text: str) -> float:
    """A DuckDB size such as '1.3 GiB' or '1500.0 MiB' in bytes, for comparing limits."""
    number, _, unit = str(text).strip().partition(" ")
    scale = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
    scale |= {"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}
    return float(number) * scale.get(unit or "B", 1)


def import_paths(
    con: Connection,
    paths: list[Path] | list[str],
    viewer: Viewer,
    *,
    strength_scale: str | None = "4-best",
    dry_run: bool = False,
    today: date | None = None,
    matcher: SkillMatcher | None = None,
    pseudonym_key: bytes | None = None,
    mapping: Mapping | None = None,
) -> ImportReport:
    """Validate and (unless refused or a dry run) apply a batch in one transaction.

    With `mapping` (brokering.mapping), each file is read as the mapping says (its sheet,
    header row, table, columns and values) instead of by the template's column names.
    With `pseudonym_key`, every staff identifier in the files is replaced by its keyed hash
    before validation, so raw identifiers never reach the store.
    """
    if viewer.role != "alliance_admin":
        raise PermissionDenied("Only the alliance administrator (the data manager) imports data.")
    report = ImportReport(strength_scale=strength_scale, dry_run=dry_run)
    files, problems = collect_files([Path(p) for p in paths])
    report.files = [f.name for f in files]
    for p in problems:
        report.add(p, 500)
    if not files and not problems:
        report.add(
            Problem("", 0, "", "", "No import files were given (or the folder held none)."), 500
        )
    matcher = matcher or SkillMatcher.from_db(con)
    today = today or date.today()
    try:
        with workdir() as tmp, _memory_limit(con, IMPORT_MEMORY_LIMIT):
            batch = stage_files(con, files, Path(tmp), report, mapping)
            staged = batch.tables
            if staged and pseudonym_key:
                _pseudonymise(con, staged, pseudonym_key, report)
            if staged:
                Validator(con, matcher, report, strength_scale, today).run(staged)
            batch.count_rows(report)
            if report.ok:
                _apply(con, report, staged, viewer, dry_run)
    except duckdb.Error as exc:
        raise StoreError(
            f"The import could not be completed and nothing was changed ({exc})."
        ) from exc
    finally:
        _drop_temp(con)
        audit.record(
            con,
            viewer,
            "import",
            {
                "files": report.files,
                "ok": report.ok,
                "applied": report.applied,
                "dry_run": dry_run,
                "problems": report.problem_count,
            },
        )
    return report


def _pseudonymise(
    con: Connection, staged: dict[str, Staged], key: bytes, report: ImportReport
) -> None:
    from brokering.importing.parsers import RECORDER_LABELS
    from brokering.pseudonymise import pseudonym

    labels = {label.lower() for label in RECORDER_LABELS}
    for table, s in staged.items():
        spec = TABLES[table]
        for col in spec.columns:
            is_ref = col.kind in ("staff", "recorder") or (
                table == "staff" and col.name == "staff_ref"
            )
            if not is_ref or col.name not in s.columns:
                continue
            distinct = [
                r[0]
                for r in con.execute(
                    f'SELECT DISTINCT "{col.name}" FROM stg_{table} WHERE "{col.name}" IS NOT NULL'
                ).fetchall()
            ]
            mapping = [
                (v, v if v.strip().lower() in labels else pseudonym(v, key)) for v in distinct
            ]
            frame = pd.DataFrame(mapping, columns=["raw", "val"], dtype="string")
            con.register("pseudonym_frame", frame)
            con.execute(
                "CREATE OR REPLACE TEMP TABLE map_pseudonyms AS SELECT * FROM pseudonym_frame"
            )
            con.unregister("pseudonym_frame")
            con.execute(
                f'UPDATE stg_{table} s SET "{col.name}" = m.val FROM map_pseudonyms m '
                f'WHERE s."{col.name}" = m.raw'
            )
        report.notes.append(f"{s.label}: staff identifiers replaced by keyed pseudonyms.")


def _apply(
    con: Connection, report: ImportReport, staged: dict[str, Staged], viewer: Viewer, dry_run: bool
) -> None:
    import_id = int(con.execute("SELECT nextval('import_id_seq')").fetchall()[0][0])
    con.execute("BEGIN TRANSACTION")
    try:
        for table, s in staged.items():
            if table == "staff":
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE new_staff AS SELECT staff_ref AS ref "
                    "FROM prs_staff WHERE staff_ref NOT IN (SELECT staff_ref FROM staff)"
                )
            report.outcomes.append(upsert(con, table, import_id, s.label))
            if table == "staff":
                apply_consent(con, report, viewer.username, "new_staff")
        added = sum(o.added for o in report.outcomes)
        updated = sum(o.updated for o in report.outcomes)
        con.execute(
            "INSERT INTO imports (import_id, username, files, outcome, rows_added, rows_updated, "
            "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                viewer.username,
                ", ".join(report.files),
                "applied",
                added,
                updated,
                json.dumps({o.table: [o.added, o.updated] for o in report.outcomes}),
            ],
        )
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if dry_run:
        con.execute("ROLLBACK")
    else:
        con.execute("COMMIT")
        report.applied = True


def _drop_temp(con: Connection) -> None:
    for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'LOCAL TEMPORARY' "
        "AND (table_name LIKE 'stg\\_%' ESCAPE '\\' OR table_name LIKE 'raw\\_%' ESCAPE '\\' "
        "OR table_name LIKE 'prs\\_%' ESCAPE '\\' "
        "OR table_name LIKE 'map\\_%' ESCAPE '\\' OR table_name IN ('new_staff', "
        "'consent_changes'))"
    ).fetchall():
        con.execute(f'DROP TABLE IF EXISTS temp."{name}"')
