"""The Data page's review of a proposed mapping: a table of file column → product column to
edit, the values to say, a preview of mapped rows, and the mapping those edits make.

Everything the page shows or decides is worked out here; the page only lays it out. Sample
values are shown only for columns that are read (never for dropped ones, which hold names).
The editor shows product columns in words ("Staff code", "Leave out"), through
`brokering.mapping.words`; the mapping it makes keeps the stable identifiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from brokering.db import Connection
from brokering.importing.reader import Source
from brokering.importing.spec import TABLES
from brokering.mapping import saved
from brokering.mapping.model import DROP, HASH, FileMapping, Unresolved
from brokering.mapping.propose import finish, open_for_mapping, propose_file
from brokering.mapping.words import choices, target, words
from brokering.settings import MAX_UPLOAD_BYTES
from brokering.taxonomy import SkillMatcher

#: Columns holding who a person is: never shown as examples, even when they are read.
_PERSONAL = {"title", "forename", "surname", "email", "payroll_number"}
COLUMN = "Column in the file"
TARGET = "Reads as"
EXAMPLE = "Example"
VALUE_COLUMN = "Column"
VALUE = "Written in the file"
MEANS = "Means"


def propose_uploads(
    con: Connection,
    folder: Path,
    uploads: Sequence[tuple[str, bytes]],
    school: str | None = None,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> tuple[list[tuple[Path, Source, FileMapping]], list[str]]:
    """Write uploaded files into `folder` (under their own base names) and propose a mapping
    for each: (path, source, proposal) per readable file, and one sentence per refused one."""
    known = {r[0] for r in con.execute("SELECT school_id FROM schools").fetchall()}
    matcher = SkillMatcher.from_db(con)
    entries = saved.entries(con)
    out: list[tuple[Path, Source, FileMapping]] = []
    problems: list[str] = []
    for name, data in uploads:
        base = Path(name).name or "upload"
        if len(data) > max_bytes:
            problems.append(
                f"{base}: is {len(data) / 1024**2:,.0f} MB; the largest upload is "
                f"{max_bytes / 1024**2:,.0f} MB. Split it, or import it on the server with "
                "python -m brokering import."
            )
            continue
        path = folder / base
        path.write_bytes(data)
        source = open_for_mapping(path, folder)
        if source.problem:
            problems.append(f"{source.label}: {source.problem}")
            continue
        fm = propose_file(source, school, known_schools=known, matcher=matcher, saved=entries)
        out.append((path, source, fm))
    return out, problems


def school_choices(con: Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT school_id FROM schools ORDER BY 1").fetchall()]


def needs_school(fm: FileMapping) -> bool:
    """Whether the file's rows take their school from the person (no school column)."""
    names = TABLES[fm.table].names
    if fm.table == "consent" and "staff_ref" not in fm.targets():
        return False  # answers found by e-mail: the school does not enter into it
    return fm.table != "schools" and "school_id" in names and "school_id" not in fm.targets()


def target_choices(table: str) -> list[str]:
    """What a file column can become in `table`, in words: leave out, keep only as a
    pseudonym, or one of its columns (`revise` reads the words back)."""
    return choices(table)


def column_table(fm: FileMapping, source: Source) -> pd.DataFrame:
    """One row per file column: the column, what it reads as, an example (read columns only)."""
    labels = source.labels
    rows = []
    for i, label in enumerate(labels):
        read_as = fm.columns.get(label, DROP)
        example = ""
        if read_as not in (DROP, HASH) and read_as not in _PERSONAL:
            example = next(
                (r[i] for r in source.samples if i < len(r) and r[i] and r[i].strip()), ""
            )
        rows.append({COLUMN: label, TARGET: words(read_as), EXAMPLE: example or ""})
    return pd.DataFrame(rows, columns=[COLUMN, TARGET, EXAMPLE])


def value_table(fm: FileMapping) -> pd.DataFrame:
    """The values to say (questions) and those already mapped, to edit in one table."""
    rows = [
        # A fuzzy reading is offered for confirming; a value nothing could read starts blank.
        {VALUE_COLUMN: words(u.target), VALUE: u.value, MEANS: u.choices[0] if _guess(u) else ""}
        for u in fm.unresolved
        if u.kind == "value"
    ]
    rows += [
        {VALUE_COLUMN: words(name), VALUE: raw, MEANS: val}
        for name, vmap in fm.values.items()
        for raw, val in vmap.items()
    ]
    return pd.DataFrame(rows, columns=[VALUE_COLUMN, VALUE, MEANS])


def _guess(u: Unresolved) -> bool:
    return bool(u.choices) and " may be " in u.message


def revise(
    fm: FileMapping,
    source: Source,
    columns: pd.DataFrame,
    values: pd.DataFrame | None,
    school: str | None,
    *,
    known_schools: set[str] | None = None,
    matcher: object | None = None,
) -> FileMapping:
    """The mapping as the person left it: their targets, their value readings and school.
    What they saw and kept is confirmed; what is still missing stays unresolved."""
    out = FileMapping(
        file=fm.file,
        table=fm.table,
        sheet=fm.sheet,
        header_row=fm.header_row,
        school=school or fm.school,
        source=fm.source,
        columns={str(r[COLUMN]): target(fm.table, r[TARGET]) for _, r in columns.iterrows()},
        constants={k: v for k, v in fm.constants.items() if k != "school_id"},
    )
    read = [t for t in out.columns.values() if t not in (DROP, HASH)]
    doubled = sorted({t for t in read if read.count(t) > 1})
    for name in doubled:
        out.unresolved.append(
            Unresolved(
                "column",
                name,
                f"Several columns read as {words(name)}; keep one and leave the others out.",
                [c for c, t in out.columns.items() if t == name],
            )
        )
    if values is not None:
        for _, r in values.iterrows():
            raw, means = str(r[VALUE] or "").strip(), str(r[MEANS] or "").strip()
            name = target(fm.table, r[VALUE_COLUMN])
            if raw and means and name in TABLES[fm.table].names:
                out.values.setdefault(name, {})[raw] = means
    out.constants = {k: v for k, v in out.constants.items() if k not in out.targets()}
    if doubled:
        return out
    finish(out, source, known_schools, matcher)
    return out


def preview(
    fm: FileMapping, source: Source, rows: int = 5, school_names: dict[str, str] | None = None
) -> pd.DataFrame:
    """The first rows as they will be read: the table's columns (in words), fixed values
    filled in and value maps applied, each school by its name where `school_names` knows it
    (a code such as "SCH03" is not a data manager's word). Identity columns (hashed) are
    not shown."""
    labels = source.labels
    index = {label: i for i, label in enumerate(labels)}
    order = [
        n
        for n in TABLES[fm.table].names
        if (n in fm.targets() or n in fm.constants or (n == "school_id" and fm.school))
        and TABLES[fm.table].column(n).kind != "identity"  # names, e-mails: never shown
    ]
    folded = {
        t: {" ".join(k.lower().split()): v for k, v in m.items()} for t, m in fm.values.items()
    }
    body = []
    for sample in source.samples[:rows]:
        row: dict[str, str] = {}
        for name in order:
            if name in fm.constants:
                row[name] = fm.constants[name]
            elif name == "school_id" and name not in fm.targets():
                row[name] = fm.school or ""
            else:
                i = index[fm.targets()[name]]
                raw = (sample[i] if i < len(sample) else None) or ""
                key = " ".join(raw.lower().split())
                row[name] = folded.get(name, {}).get(key, raw.strip())
        if "school_id" in row and school_names:
            row["school_id"] = school_names.get(row["school_id"], row["school_id"])
        body.append(row)
    # headed in words ("Staff code"), as the editor above names them
    return pd.DataFrame(body, columns=order).rename(columns=words)


def open_questions(fms: Sequence[FileMapping]) -> list[str]:
    """One line per thing still to decide, for the page's warning list."""
    return [f"{fm.file}: {u.message}" for fm in fms for u in fm.unresolved]
