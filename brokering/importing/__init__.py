"""Import of schools' exports: validate every row, then apply the batch all or nothing.

`import_paths` is the one entry point: the command line and the Data page both call it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from brokering import audit
from brokering.consent import audit_consent_changes, hold_back_app_withdrawals
from brokering.db import Connection, manual_transaction, memory_limit, note_change, plain_error
from brokering.errors import PermissionDenied, StoreError
from brokering.importing import (
    batches,
    consent_rows,
    identity,
    identity_batch,
    register,
    upkeep,
    words,
)
from brokering.importing.apply import apply_consent, upsert
from brokering.importing.cleaning import clean_free_text
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
    school: str | None = None,
    accept_moves: bool = False,
    schools_by_file: dict[str, str] | None = None,
    mapping: Mapping | None = None,
) -> ImportReport:
    """Validate and (unless refused or a dry run) apply a batch in one transaction.

    With `mapping` (brokering.mapping), each file is read as the mapping says (its sheet,
    header row, table, columns and values) instead of by the template's column names.

    With `pseudonym_key`, every staff identifier in the files is a school's own code (or an
    e-mail address) and becomes its keyed pseudonym before validation (identity.py), so raw
    identifiers never reach the store; `school` (or `schools_by_file`, by file name) says
    whose codes a file without a school_id column uses. A person held at one school and
    listed at another is refused as a move unless `accept_moves`. Free text is cleaned of
    e-mail addresses and names either way.
    """
    if viewer.role != "alliance_admin":
        raise PermissionDenied("Only the alliance administrator (the data manager) imports data.")
    report = ImportReport(strength_scale=strength_scale, dry_run=dry_run)
    files, problems = collect_files([Path(p) for p in paths])
    report.files = [f.name for f in files]
    for p in problems:
        report.add(p)
    if not files and not problems:
        report.add(Problem("", 0, "", "", "No import files were given (or the folder held none)."))
    matcher = matcher or SkillMatcher.from_db(con)
    today = today or date.today()
    try:
        with workdir() as tmp, memory_limit(con, IMPORT_MEMORY_LIMIT):
            batch = stage_files(con, files, Path(tmp), report, mapping)
            staged = batch.tables
            res = identity.Resolution()
            echoes = None
            if staged:
                register.prepare(con, staged, report)
                echoes = words.translate(con, staged, report, matcher)
                identity_batch.tag_schools(con, staged, school, schools_by_file or {})
                _identify(con, staged, report, res, pseudonym_key, school, accept_moves)
                clean_free_text(con, staged, res.names, report, pseudonym_key)
                Validator(con, matcher, report, strength_scale, today).run(staged)
                if "evidence" in staged and report.ok:
                    words.note_ungraded(con, report, staged["evidence"].label)
            if echoes:
                words.drop_echoes(report, echoes)
            identity_batch.unmask(report, res)
            batch.count_rows(report)
            if report.ok:
                _apply(con, report, staged, viewer, dry_run, res)
                identity_batch.relabel_changes(report, res)
                batches.note_renames(report.changes, report.notes)
    except duckdb.Error as exc:
        raise StoreError(
            plain_error(exc, "The import could not be completed and nothing was changed")
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


def _identify(
    con: Connection,
    staged: dict[str, Staged],
    report: ImportReport,
    res: identity.Resolution,
    key: bytes | None,
    school: str | None,
    accept_moves: bool,
) -> None:
    """Staff identifiers to pseudonymous refs (with a key), moves found either way."""
    extras = identity_batch.take_identity_columns(con, staged, res)
    consent_rows.prepare(con, staged, report, key)
    if any(c in e for e in extras.values() for c in ("title", "forename", "surname")):
        report.notes.append(
            "staff.csv: names are used only to clean notes in this batch and never stored."
        )
    if key is None:
        if any(c in e for e in extras.values() for c in ("email", "payroll_number")):
            report.notes.append(
                "staff.csv: e-mail addresses and payroll numbers were read but not kept; "
                "they are kept only as keyed hashes, which needs pseudonymising on."
            )
        report.moves = identity_batch.raw_moves(con, staged, report, accept_moves)
        consent_rows.leave_out_unmatched(con, staged, report, res)
        return
    report.pseudonymised = True
    resolver = identity.Resolver(con, key, report, res, school=school, accept_moves=accept_moves)
    if "staff" in staged:
        resolver.staff(staged["staff"], extras)
    for table, s in staged.items():
        kinds = {c.name: c.kind for c in TABLES[table].columns}
        columns = identity_batch.staff_columns(table, s.columns, kinds)
        resolver.references(s, columns)
        if columns or table == "staff":
            report.notes.append(f"{s.label}: staff identifiers replaced by keyed pseudonyms.")
    report.moves = res.moves
    consent_rows.leave_out_unmatched(con, staged, report, res)


def _apply(
    con: Connection,
    report: ImportReport,
    staged: dict[str, Staged],
    viewer: Viewer,
    dry_run: bool,
    res: identity.Resolution,
) -> None:
    import_id = int(con.execute("SELECT nextval('import_id_seq')").fetchall()[0][0])
    with manual_transaction():
        _apply_all(con, report, staged, viewer, dry_run, res, import_id)


def _apply_all(
    con: Connection,
    report: ImportReport,
    staged: dict[str, Staged],
    viewer: Viewer,
    dry_run: bool,
    res: identity.Resolution,
    import_id: int,
) -> None:
    """`_apply` inside its own transaction (rolled back for a dry run); the commit moves the
    store's change mark (`db.note_change`) with the data, and the stored find parts and
    derived facts kept current for what a small batch touched (`upkeep`)."""
    con.execute("BEGIN TRANSACTION")
    try:
        kept = None if dry_run else upkeep.BatchUpkeep(con)
        for table, s in staged.items():
            if table == "staff":
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE new_staff AS SELECT staff_ref AS ref "
                    "FROM prs_staff WHERE staff_ref NOT IN (SELECT staff_ref FROM staff)"
                )
            if table == consent_rows.TABLE:
                report.outcomes.append(consent_rows.apply(con, report, viewer, import_id, s.label))
                continue
            report.outcomes.append(upsert(con, table, import_id, s.label, report.changes))
            if table == "staff":
                hold_back_app_withdrawals(con, report, viewer)
                apply_consent(con, report, viewer.username, "new_staff", import_id)
                audit_consent_changes(con, viewer)
        identity_batch.write_index(con, res, import_id)
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
        if kept is not None and (added + updated) <= upkeep.MAX_ROWS and kept.note(import_id):
            kept.finish()
        if not dry_run:
            note_change(con)  # inside the try: a failure here rolls the batch back too
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if dry_run:
        con.execute("ROLLBACK")
    else:
        con.execute("COMMIT")
        report.applied = True
        report.batch_id = import_id


def _drop_temp(con: Connection) -> None:
    for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'LOCAL TEMPORARY' "
        r"AND (table_name LIKE 'stg\_%' ESCAPE '\' OR table_name LIKE 'raw\_%' ESCAPE '\' "
        r"OR table_name LIKE 'prs\_%' ESCAPE '\' OR table_name LIKE 'chg\_%' ESCAPE '\' "
        r"OR table_name LIKE 'map\_%' ESCAPE '\' OR table_name IN ('new_staff', "
        "'new_staff_none', 'consent_changes'))"
    ).fetchall():
        con.execute(f'DROP TABLE IF EXISTS temp."{name}"')
