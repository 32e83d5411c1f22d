"""Identity work around the resolver, for one batch: which school a file's codes belong to,
staff.csv's identity-only columns (read, then dropped), moves when refs are given as stored,
the report's own words for people, and the identity index written with the batch.
See identity.py for the rules."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from brokering.db import Connection
from brokering.importing.identity import _NOT_HELD, _REF_LISTS, IDENTITY_ONLY, Resolution, located
from brokering.importing.problems import ImportReport, Problem
from brokering.importing.reader import Staged
from brokering.importing.spec import TABLES


def tag_schools(
    con: Connection, staged: dict[str, Staged], school: str | None, by_file: dict[str, str]
) -> None:
    """Say whose staff codes each file uses: a file given a school (`--school ID`, or
    `FILE=ID` for one file, or the Data page's choice) gets it in its school_id column where
    that is blank — the same shape a column mapping's fixed school gives."""
    if not school and not by_file:
        return
    from brokering.importing import reader

    base = getattr(reader, "LINE_BASE", None)
    for table, s in staged.items():
        if table == "schools" or "school_id" not in TABLES[table].names:
            continue
        if "school_id" not in s.columns:
            con.execute(f'ALTER TABLE stg_{table} ADD COLUMN "school_id" VARCHAR')
            s.columns.append("school_id")
        parts = getattr(s, "parts", None) or [s.label]
        for i, label in enumerate(parts):
            value = by_file.get(label) or school
            if not value:
                continue
            where = f"AND line // {int(base)} = {i}" if base and len(parts) > 1 else ""
            con.execute(
                f"UPDATE stg_{table} SET school_id = ? WHERE school_id IS NULL {where}",  # noqa: S608
                [value],
            )


def take_identity_columns(
    con: Connection, staged: dict[str, Staged], res: Resolution
) -> dict[int, dict[str, str]]:
    """Read staff.csv's identity-only columns by line, then drop them from staging, so no
    later step can store them. Names are kept (for this batch only) to clean free text."""
    s = staged.get("staff")
    if s is None:
        return {}
    present = [c for c in IDENTITY_ONLY if c in s.columns]
    if not present:
        return {}
    cols = ", ".join(f'"{c}"' for c in present)
    extras: dict[int, dict[str, str]] = {}
    for row in con.execute(f"SELECT line, {cols} FROM stg_staff").fetchall():  # noqa: S608
        values = {c: v for c, v in zip(present, row[1:], strict=True) if v}
        extras[int(row[0])] = values
        if values.get("surname"):
            res.names.append((values.get("title"), values.get("forename"), values["surname"]))
    for c in present:
        con.execute(f'ALTER TABLE stg_staff DROP COLUMN "{c}"')
        s.columns.remove(c)
    return extras


def raw_moves(
    con: Connection, staged: dict[str, Staged], report: ImportReport, accept: bool
) -> list[dict]:
    """Without pseudonymising (refs given as stored): a held ref at another school is a move."""
    s = staged.get("staff")
    if s is None or "school_id" not in s.columns:
        return []
    rows = con.execute(
        "SELECT p.line, p.staff_ref, t.school_id, p.school_id FROM stg_staff p JOIN staff t "
        "USING (staff_ref) WHERE p.school_id IS NOT NULL AND p.school_id <> t.school_id "
        "ORDER BY p.line"
    ).fetchall()
    moves = []
    for line, ref, was, now in rows:
        file, own = located(s, line)
        if accept:
            moves.append({"file": file, "line": own, "who": ref, "from": was, "to": now})
        else:
            report.add(
                Problem(
                    file,
                    own,
                    "school_id",
                    now,
                    f"moves {ref} from school {was} to {now}. If they have moved school, "
                    "import again with moves between schools accepted; otherwise correct "
                    "the file. Nothing was written.",
                )
            )
    return moves


#: A stored pseudonym ("P" + 12 base32 characters; see pseudonymise.pseudonym).
_PSEUDONYM = re.compile(r"\bP[A-Z2-7]{12}\b")


def _said(m: re.Match, res: Resolution) -> str:
    return res.labels.get(m.group(0), m.group(0))


def unmask(report: ImportReport, res: Resolution) -> None:
    """Put the file's own words back in the report: a pseudonym becomes "staff code JDO"."""
    if not res.labels:
        return
    out = []
    for p in report.problems:
        if p.value in res.ambiguous and "not a member of staff" in p.message:
            report.problem_count -= 1  # already reported as a code used at two schools
            continue
        if p.value in res.labels:
            msg = p.message + (_NOT_HELD if "not a member of staff" in p.message else "")
            p = replace(p, value="", who=res.labels[p.value], message=msg)
        out.append(p)
    report.problems = out
    report.notes = [_PSEUDONYM.sub(lambda m: _said(m, res), n) for n in report.notes]


def relabel_changes(report: ImportReport, res: Resolution) -> None:
    """The preview, and the notes applying the batch added (consent kept or left as
    recorded), name people as the file did, like the rest of the report."""
    if not res.labels:
        return
    for c in report.changes:
        c["key"] = _PSEUDONYM.sub(lambda m: _said(m, res), c["key"])
    report.notes = [_PSEUDONYM.sub(lambda m: _said(m, res), n) for n in report.notes]


def write_index(con: Connection, res: Resolution, import_id: int) -> None:
    """Record every identity seen (inside the import's transaction)."""
    if not res.index_rows:
        return
    frame = pd.DataFrame(
        res.index_rows, columns=["kind", "key_hash", "staff_ref", "school_id"], dtype="string"
    ).drop_duplicates(["kind", "key_hash"], keep="last")
    con.register("ident_rows", frame)
    con.execute(
        "INSERT INTO batch_rows (import_id, tbl, action, row_key, before) SELECT ?, "
        "'identity_index', 'updated', to_json([i.kind, i.key_hash])::VARCHAR, "
        "to_json(i)::VARCHAR FROM identity_index i JOIN ident_rows r USING (kind, key_hash) "
        "WHERE r.kind NOT IN ('name', 'surname') AND (i.staff_ref IS DISTINCT FROM r.staff_ref "
        "OR i.school_id IS DISTINCT FROM r.school_id)",
        [import_id],
    )
    con.execute(
        "INSERT OR REPLACE INTO identity_index (kind, key_hash, staff_ref, school_id, import_id) "
        "SELECT kind, key_hash, staff_ref, school_id, ? FROM ident_rows r WHERE NOT EXISTS "
        "(SELECT 1 FROM identity_index i WHERE i.kind = r.kind AND i.key_hash = r.key_hash "
        "AND ((i.staff_ref = r.staff_ref AND i.school_id = r.school_id) "
        "OR r.kind IN ('name', 'surname')))",
        [import_id],
    )
    con.unregister("ident_rows")


def staff_columns(table: str, columns: list[str], kinds: dict[str, str]) -> list[str]:
    """The columns of a staged table that name people (refs or recorders)."""
    out = [c for c in columns if kinds.get(c) in ("staff", "recorder")]
    out += [c for c in columns if (table, c) in _REF_LISTS]
    if table == "staff":
        out = [c for c in out if c != "staff_ref"]
    return out
