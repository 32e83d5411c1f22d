"""Names for your own school only, held in memory and never stored.

The store knows staff only by reference. A headteacher or senior leader may read their own
school's key file — the school's code -> name list (a staff list from the school's system),
or the lookup `python -m brokering pseudonyms` wrote — into their signed-in session, and then
sees their own school's references with names. Why this shape:

- The names exist only in the `NameKey` object the caller holds (the app keeps it in the
  signed-in session's memory and drops it on sign-out and expiry; the command line for one
  run). Nothing here writes a name anywhere: not the store, a file, a cache, a log, the audit
  trail (which records only how many names were read) or an error message (which quotes line
  numbers and headings, never a cell). A `NameKey` refuses to be pickled, so no cache or
  session store can copy it to disk, and its repr shows only a count.
- Only references at the viewer's own school are ever named; a key file whose codes belong
  to another school is refused, and partner staff stay references.
- A code becomes a reference the way the import made it: the code itself, or its keyed hash
  (`pseudonymise.pseudonym`) when the alliance pseudonymises.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from brokering import audit, permissions
from brokering.db import Connection, query_df
from brokering.errors import ValidationError
from brokering.viewer import Viewer

#: Largest key file accepted: a staff list of a few thousand people is well under 300 KB.
MAX_BYTES = 2_000_000
#: Rows scanned for the heading row (school exports put title rows above it).
HEADER_SEARCH_ROWS = 10

_NAME = ("name", "full name", "staff name", "display name", "preferred name", "known as")
_FORENAME = ("preferred forename", "forename", "first name", "given name", "legal forename")
_SURNAME = ("legal surname", "surname", "last name", "family name", "preferred surname")
_TITLE = ("title",)
_REF = ("staff_ref", "staff ref", "reference", "pseudonym")
_CODE = (
    "staff code",
    "staff_code",
    "code",
    "staff id",
    "staff_id",
    "identifier",
    "id",
    "payroll number",
    "payroll",
    "upn",
    "work email",
    "email",
)
_SCHOOL = ("school", "school_id", "school id", "school code", "dfe number", "urn")


class NameKey:
    """Reference -> name for one school's staff, in memory only (module docstring)."""

    __slots__ = ("_names", "owner", "school_id")

    def __init__(self, school_id: str, names: dict[str, str], owner: tuple[Any, ...]) -> None:
        self.school_id = school_id
        self.owner = owner
        self._names = dict(names)

    def name(self, staff_ref: object) -> str | None:
        return self._names.get(staff_ref) if isinstance(staff_ref, str) else None

    def label(self, staff_ref: object) -> str:
        """ "Name (REF)" for a named reference; the reference alone otherwise."""
        name = self.name(staff_ref)
        return f"{name} ({staff_ref})" if name else str(staff_ref)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"NameKey(school={self.school_id!r}, {len(self._names)} names)"

    def __reduce__(self) -> Any:
        raise TypeError("Names are held in memory only and cannot be copied or stored.")

    def clear(self) -> None:
        self._names.clear()


@dataclass(frozen=True)
class LoadReport:
    """What reading a key file did, in counts only (safe to show, log or audit)."""

    named: int
    not_matched: int

    @property
    def message(self) -> str:
        extra = (
            f" {self.not_matched} rows matched no one at your school and were left out."
            if self.not_matched
            else ""
        )
        return f"Names shown for {self.named} of your school's staff, in this session only.{extra}"


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"That file is {len(data) / 1_000_000:.1f} MB; a key file (codes and names) is far "
            f"smaller, so nothing was read. The limit is {MAX_BYTES // 1_000_000} MB."
        )
    if not data.strip():
        raise ValidationError("That file is empty: nothing was read.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="strict")
    elif b"\x00" in data:
        text = None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = None
    if text is None or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
        raise ValidationError(
            "That file is not text in an encoding the app knows (UTF-8, UTF-16 or Windows-1252): "
            "nothing was read. Save it from your spreadsheet as CSV and try again."
        )
    return text


def _rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    delimiter = max((",", ";", "\t"), key=sample.count)
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _find(headings: list[str], wanted: Sequence[str]) -> int | None:
    keys = [h.strip().lstrip("\ufeff").lower() for h in headings]
    for w in wanted:
        if w in keys:
            return keys.index(w)
    return None


@dataclass(frozen=True)
class _Columns:
    header_row: int
    ref: int | None
    code: int | None
    name: int | None
    forename: int | None
    surname: int | None
    title: int | None
    school: int | None


def _columns(rows: list[list[str]]) -> _Columns:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cols = _Columns(
            i,
            _find(row, _REF),
            _find(row, _CODE),
            _find(row, _NAME),
            _find(row, _FORENAME),
            _find(row, _SURNAME),
            _find(row, _TITLE),
            _find(row, _SCHOOL),
        )
        has_id = cols.ref is not None or cols.code is not None
        has_name = cols.name is not None or cols.surname is not None
        if has_id or has_name:
            if not has_id:
                raise ValidationError(
                    "That file has names but no staff codes (a column headed Staff Code, Code, "
                    "Staff ID or staff_ref): names cannot be matched to references without "
                    "them. Nothing was read."
                )
            return cols
    raise ValidationError(
        "No heading row found in the first 10 rows: a key file needs a column of staff codes "
        "(Staff Code, Code, Staff ID, or staff_ref) and one of names (Name, or Forename and "
        "Surname). Nothing was read."
    )


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _name_of(row: list[str], c: _Columns) -> str:
    if c.name is not None:
        return _cell(row, c.name)
    if c.surname is not None:
        parts = [_cell(row, c.title), _cell(row, c.forename), _cell(row, c.surname)]
        if _cell(row, c.forename):
            parts = parts[1:]
        return " ".join(p for p in parts if p)
    return _cell(row, c.code)  # the pseudonymiser's lookup: the school's own code


def candidate_refs(school_id: str, code: str, pseudonym_key: bytes | None) -> list[str]:
    """The references a school's own code may have become at import: itself; with the
    alliance's key, the school-scoped keyed hash of school + code (issue 18's identity, once
    `pseudonymise.staff_pseudonym` exists) and the older hash of the code alone. The same
    functions the import uses, so a key file's codes line up with the store's refs."""
    from brokering import pseudonymise

    refs = [code]
    if pseudonym_key is not None:
        scoped = getattr(pseudonymise, "staff_pseudonym", None)
        if scoped is not None:
            refs.append(scoped(school_id, code, pseudonym_key))
        refs.append(pseudonymise.pseudonym(code, pseudonym_key))
    return refs


def _school_ok(values: Iterable[str], viewer: Viewer, school_name: str) -> bool:
    wanted = {str(viewer.school_id).strip().lower(), school_name.strip().lower()}
    return all(v.strip().lower() in wanted for v in values if v.strip())


def read_key_file(
    con: Connection,
    viewer: Viewer,
    data: bytes,
    *,
    pseudonym_key: bytes | None = None,
    session: object = None,
) -> tuple[NameKey, LoadReport]:
    """Read a key file for `viewer`'s own school; refuse it whole when it is too large, not
    text, has no codes, or is another school's (module docstring: nothing is kept or told).
    `session` marks the sign-in the names belong to (`usable` checks it)."""
    permissions.require(viewer, "load_names")
    rows = [r for r in _rows(_decode(data)) if any(c for c in r)]
    cols = _columns(rows)
    if (
        cols.name is None
        and cols.surname is None
        and not (cols.ref is not None and cols.code is not None)
    ):
        raise ValidationError(
            "That file has staff codes but no names (a column headed Name, or Forename and "
            "Surname). Nothing was read."
        )
    body = rows[cols.header_row + 1 :]
    school_name = str(
        con.execute("SELECT name FROM schools WHERE school_id = ?", [viewer.school_id]).fetchall()[
            0
        ][0]
    )
    if cols.school is not None and not _school_ok(
        (_cell(r, cols.school) for r in body), viewer, school_name
    ):
        raise ValidationError(
            f"That key file lists staff of another school. Names can be shown only for your own "
            f"school ({school_name}); nothing was read."
        )
    wanted: dict[str, str] = {}  # candidate ref -> name
    for row in body:
        name = _name_of(row, cols)
        if not name:
            continue
        refs = (
            [_cell(row, cols.ref)]
            if cols.ref is not None
            else candidate_refs(str(viewer.school_id), _cell(row, cols.code), pseudonym_key)
        )
        for ref in refs:
            if ref:
                wanted[ref] = name
    if not wanted:
        raise ValidationError("That file has no rows with both a code and a name: nothing read.")
    found = query_df(
        con,
        "SELECT staff_ref, school_id FROM staff WHERE list_contains(?::VARCHAR[], staff_ref)",
        [list(wanted)],
    )
    own = found[found["school_id"] == viewer.school_id]["staff_ref"].tolist()
    others = int((found["school_id"] != viewer.school_id).sum())
    if not own:
        raise ValidationError(
            (
                "That key file's codes belong to another school's staff"
                if others
                else "None of the codes in that file match your school's staff"
            )
            + f": names can be shown only for your own school ({school_name}). Nothing was read."
        )
    if others > len(own):
        raise ValidationError(
            "Most codes in that key file belong to another school's staff: names can be shown "
            f"only for your own school ({school_name}). Nothing was read."
        )
    key = NameKey(str(viewer.school_id), {r: wanted[r] for r in own}, owner_of(viewer, session))
    audit.record(con, viewer, "names.load", {"named": len(own)})
    return key, LoadReport(named=len(own), not_matched=len(body) - len(own))


def owner_of(viewer: Viewer, session: object = None) -> tuple[Any, ...]:
    """Whose names these are: a key is used only by the viewer (and sign-in) it was read for."""
    return (viewer.username, viewer.role, viewer.school_id, session)


def usable(key: object, viewer: Viewer, session: object = None) -> NameKey | None:
    """The key if it belongs to this viewer and sign-in, else None (the caller drops it)."""
    if isinstance(key, NameKey) and key.owner == owner_of(viewer, session):
        return key
    return None


def name_column(column: str) -> str:
    """The name column shown beside a reference column: staff_ref -> name, coach_ref ->
    coach_name."""
    return "name" if column == "staff_ref" else re.sub(r"_refs?$", "", column) + "_name"


def with_names(frame: pd.DataFrame, key: NameKey | None, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of `frame` with a name column after each reference column (lists of references
    give lists of names); unchanged when no key is loaded. Partner staff get no name."""
    if key is None or not len(key):
        return frame
    out = frame.copy()
    for col in columns:
        if col not in out.columns:
            continue
        values = [
            [key.name(r) or "" for r in v] if isinstance(v, (list, tuple)) else key.name(v) or ""
            for v in out[col]
        ]
        position = list(out.columns).index(col) + 1
        out.insert(position, name_column(col), values)
    return out
