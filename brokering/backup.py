"""Backups the operator can trust: checkpoint, copy, verify — and restore the same way.

`python -m brokering backup OUT` writes everything the write-ahead log holds into the store
file (CHECKPOINT), copies the file, and writes `OUT.manifest.json` beside it: the row count
and a content hash of every table. The copy is then opened on its own and checked against
the manifest, so a backup that could not be read back is reported at once, not on the day it
is needed. `restore BACKUP` checks the backup against its manifest first, keeps the store it
replaces beside it (`<db>.before-restore-<time>`), copies the backup in and checks again.

The content hash is MD5 over each row's text, sorted — independent of row order, so two
stores holding the same rows agree however they were written. It guards against a damaged
or incomplete copy, not against someone forging one (the audit chain does that for the
trail).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from brokering.db import Connection, schema_version
from brokering.errors import StoreError, ValidationError


@dataclass
class Fingerprint:
    """Row counts and content hashes of every table, and the schema version."""

    schema_version: int
    tables: dict[str, dict[str, object]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"schema_version": self.schema_version, "tables": self.tables}

    def differences(self, other: Fingerprint) -> list[str]:
        out = []
        if self.schema_version != other.schema_version:
            out.append(f"schema version {other.schema_version}, expected {self.schema_version}")
        for name in sorted(set(self.tables) | set(other.tables)):
            mine, theirs = self.tables.get(name), other.tables.get(name)
            if mine is None or theirs is None:
                out.append(f"table {name} is {'missing' if theirs is None else 'unexpected'}")
            elif mine["rows"] != theirs["rows"]:
                out.append(f"table {name} has {theirs['rows']} rows, expected {mine['rows']}")
            elif mine["hash"] != theirs["hash"]:
                out.append(f"table {name} holds different rows than recorded")
        return out


def fingerprint(con: Connection) -> Fingerprint:
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
    ]
    out = Fingerprint(schema_version(con))
    for name in names:
        rows, digest = con.execute(
            f"SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') FROM "  # noqa: S608
            f'(SELECT md5(t::VARCHAR) AS h FROM "{name}" t)'
        ).fetchall()[0]
        out.tables[name] = {"rows": int(rows), "hash": str(digest)}
    return out


def _manifest_path(backup: Path) -> Path:
    return Path(f"{backup}.manifest.json")


def _read_fingerprint(path: Path) -> Fingerprint:
    """Open a store file on its own, read-only, and fingerprint it."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(f"The backup {path} cannot be opened: {exc}") from exc
    try:
        return fingerprint(con)
    finally:
        con.close()


def make_backup(con: Connection, db_path: Path, out: Path) -> dict:
    """Checkpoint, copy and verify; returns the manifest written beside the copy."""
    if str(db_path) == ":memory:":
        raise ValidationError("An in-memory store has no file to back up.")
    out = Path(out)
    if out.exists():
        raise ValidationError(f"{out} already exists: choose a new name for the backup.")
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute("CHECKPOINT")
    expected = fingerprint(con)
    partial = out.with_name(out.name + ".partial")
    try:
        shutil.copyfile(db_path, partial)
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(
            f"The backup could not be written to {out} ({exc.strerror or exc}): check the "
            "disk has room and try again. The store itself is unchanged."
        ) from exc
    got = _read_fingerprint(out)
    problems = expected.differences(got)
    if problems:
        out.unlink(missing_ok=True)
        raise StoreError("The backup did not read back the same: " + "; ".join(problems))
    manifest = {
        "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": str(db_path),
        "bytes": out.stat().st_size,
        **expected.to_dict(),
    }
    _manifest_path(out).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def check_backup(backup: Path) -> dict:
    """The backup's manifest, once the file is found to hold exactly what it records."""
    backup = Path(backup)
    manifest_file = _manifest_path(backup)
    if not backup.exists() or not manifest_file.exists():
        raise ValidationError(
            f"{backup} (and its .manifest.json) must both exist: restore only from a backup "
            "made by the backup command."
        )
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    expected = Fingerprint(int(manifest["schema_version"]), manifest["tables"])
    problems = expected.differences(_read_fingerprint(backup))
    if problems:
        raise StoreError(f"The backup {backup} is damaged: " + "; ".join(problems))
    return manifest


def restore_backup(backup: Path, db_path: Path) -> Path | None:
    """Replace the store with a checked backup (the store must not be open anywhere);
    returns where the replaced store was kept, if there was one."""
    manifest = check_backup(backup)
    db_path = Path(db_path)
    kept = None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    if db_path.exists():
        kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
        db_path.replace(kept)
        wal = Path(f"{db_path}.wal")
        if wal.exists():
            wal.replace(Path(f"{kept}.wal"))
    db_path.parent.mkdir(parents=True, exist_ok=True)
    partial = db_path.with_name(db_path.name + ".restoring")
    shutil.copyfile(backup, partial)
    partial.replace(db_path)
    expected = Fingerprint(int(manifest["schema_version"]), manifest["tables"])
    problems = expected.differences(_read_fingerprint(db_path))
    if problems:
        raise StoreError("The restored store does not match its backup: " + "; ".join(problems))
    return kept
