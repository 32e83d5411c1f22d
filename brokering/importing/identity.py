"""Who each row is about. Identity is a school plus that school's own staff code.

With the alliance key (the default on the command line and the Data page), every staff
identifier in the files becomes a keyed pseudonym before validation: a staff code at a school
becomes `staff_pseudonym(school, code)`, so "JDO" at two schools is two people. E-mail
addresses and payroll numbers are kept only as keyed hashes in `identity_index`, so a later
file that names people by e-mail (coaching platforms do) resolves to the same ref, and a
person seen again at another school is reported as a *move* — refused unless the import is
told to accept moves, never applied silently. Two rows of one batch claiming the same person at
different schools refuse the batch.

The report names people as the file did ("staff code JDO"), from `Resolution.labels`, which
lives only for the import; the store, the audit and every error carry pseudonyms only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from brokering.db import Connection
from brokering.importing import identity_columns
from brokering.importing.identity_columns import Labels
from brokering.importing.parsers import RECORDER_LABELS
from brokering.importing.problems import ImportReport, Problem
from brokering.importing.reader import Staged
from brokering.pseudonymise import StaffPseudonyms, identity_hash
from brokering.school_words import NOT_RECORDED

#: staff.csv columns that identify a person but are never stored: the hashes go to the
#: identity index, the names only clean free text in the same batch.
IDENTITY_ONLY = ("email", "payroll_number", "title", "forename", "surname")
_HASHED = {"email": "email", "payroll_number": "payroll"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LABELS = {label.lower(): label for label in (*RECORDER_LABELS, NOT_RECORDED)}
#: Columns holding several refs separated by ';'.
_REF_LISTS = {
    ("pairings", "donor_refs"),
    ("pairings", "recipient_refs"),
    ("pairing_evidence", "who"),
}
_NOT_HELD = (
    " With pseudonymising on, give the school's own staff codes (or e-mail addresses); if the "
    "file already holds the alliance's pseudonymous refs, import it as such."
)


@dataclass
class Resolution:
    """What the import learnt about identities; `labels` never leaves the import."""

    labels: Labels = field(default_factory=Labels)
    index_rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    moves: list[dict] = field(default_factory=list)
    names: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)
    ambiguous: set[str] = field(default_factory=set)


def located(s: Staged, line: int) -> tuple[str, int]:
    """(file, line) of a staged line: several files of one table share a staging table, each
    file's lines offset (Staged.locate, when the reader provides it)."""
    locate = getattr(s, "locate", None)
    return locate(int(line)) if locate else (s.label, int(line))


def _line_words(s: Staged, line: int, here: int) -> str:
    """'line 3', or 'line 3 of staff_b.csv' when that line is in another file."""
    file, own = located(s, line)
    return f"line {own}" + (f" of {file}" if file != located(s, here)[0] else "")


def label_for(code: str) -> str:
    """How a report names a person: as the file did, never by the pseudonym."""
    if _EMAIL.match(code):
        local, _, domain = code.partition("@")
        return f"e-mail {local[:1]}…@{domain}"
    return f"staff code {code}"


class Resolver:
    """Resolves a batch's staff identifiers to pseudonymous refs (see the module doc)."""

    def __init__(
        self,
        con: Connection,
        key: bytes,
        report: ImportReport,
        res: Resolution,
        *,
        school: str | None = None,
        accept_moves: bool = False,
    ) -> None:
        self.con, self.key, self.report, self.res = con, key, report, res
        self.staff_pseudonym = StaffPseudonyms(key)  # each school's key made once
        self.school = school
        self.accept_moves = accept_moves
        self.batch_code: dict[tuple[str, str], str] = {}  # (school, code) -> ref
        self.batch_ids: dict[str, str] = {}  # identity hash -> ref
        self.prefetch(set())

    def problem(self, s: Staged, line: int, column: str, who: str, msg: str) -> None:
        file, own = located(s, line)
        self.report.add(Problem(file, own, column, "", msg, who))

    def _index(self, kind: str, keys: list[str]) -> dict[str, str]:
        if not keys:
            return {}
        return dict(
            self.con.execute(
                "SELECT key_hash, staff_ref FROM identity_index WHERE kind = ? "
                "AND key_hash IN (SELECT unnest(?))",
                [kind, keys],
            ).fetchall()
        )

    def _held_schools(self, refs: list[str]) -> dict[str, str]:
        if not refs:
            return {}
        return dict(
            self.con.execute(
                "SELECT staff_ref, school_id FROM staff WHERE list_contains(?, staff_ref)", [refs]
            ).fetchall()
        )

    # -- staff.csv: where people are defined -------------------------------------------------
    def staff(self, s: Staged, extras: dict[int, dict[str, str]]) -> None:
        rows = self.con.execute(
            "SELECT line, staff_ref, school_id FROM stg_staff WHERE staff_ref IS NOT NULL "
            "AND school_id IS NOT NULL ORDER BY line"
        ).fetchall()
        plan = []
        for line, code, school in rows:
            ids = []
            extra = extras.get(int(line), {})
            for col, kind in _HASHED.items():
                if extra.get(col):
                    value = extra[col].lower() if kind == "email" else extra[col]
                    ids.append((kind, identity_hash(kind, value, self.key)))
            if _EMAIL.match(code):
                ids.append(("email", identity_hash("email", code.lower(), self.key)))
            plan.append((int(line), code, school, self.staff_pseudonym(school, code), ids))
        by_code = self._index("code", [p[3] for p in plan])
        by_kind = {
            kind: self._index(kind, [h for p in plan for k, h in p[4] if k == kind])
            for kind in ("email", "payroll")
        }
        found = set(by_code.values()) | {r for m in by_kind.values() for r in m.values()}
        found |= {p[3] for p in plan}
        held = self._held_schools(sorted(found))
        seen: dict[tuple[str, str], tuple[int, str, str]] = {}  # id -> (line, school, ref)
        line_refs: list[tuple[int, str]] = []
        for line, code, school, default, ids in plan:
            who = label_for(code)
            named = {by_kind[k][h] for k, h in ids if h in by_kind[k]}
            coded = by_code.get(default)
            refs = named | ({coded} if coded else set())
            if len(refs) > 1:
                self.problem(
                    s,
                    line,
                    "staff_ref",
                    who,
                    "names two different people already held (its staff code is one person, "
                    "its e-mail address or payroll number another). Check the row.",
                )
                continue
            ref = coded or (next(iter(named)) if named else default)
            clash = False
            for kind, h in ids:
                earlier = seen.get((kind, h))
                what = "e-mail address" if kind == "email" else "payroll number"
                if earlier and earlier[1] != school:
                    self.problem(
                        s,
                        line,
                        "staff_ref",
                        who,
                        f"is the same person (same {what}) as {_line_words(s, earlier[0], line)}, "
                        "which puts "
                        f"them at school {earlier[1]}; this row says {school}. A person belongs "
                        "to one school: correct the file that is wrong. Nothing was written.",
                    )
                    clash = True
                elif earlier and earlier[2] != ref:
                    self.problem(
                        s,
                        line,
                        "staff_ref",
                        who,
                        f"has the same {what} as {_line_words(s, earlier[0], line)} but a "
                        "different staff code; "
                        "one person has one code at a school.",
                    )
                    clash = True
                else:
                    seen[(kind, h)] = (line, school, ref)
            if clash:
                continue
            was = held.get(ref)
            if was is not None and was != school:
                self.move(s, line, who, ref, was, school)
            self.res.labels[ref] = who
            self.batch_code[(school, code)] = ref
            for _kind, h in ids:
                self.batch_ids[h] = ref
            self.res.index_rows += [("code", default, ref, school)]
            # The code alone (hash/school), so a file without a school finds who uses it.
            anywhere = f"{identity_hash('code', code, self.key)}/{school}"
            self.res.index_rows.append(("code_any", anywhere, ref, school))
            self.res.index_rows += [(k, h, ref, school) for k, h in ids]
            extra = extras.get(line, {})
            if extra.get("surname"):  # kept only as keyed hashes, to clean later notes
                surname = extra["surname"].strip().lower()
                self.res.index_rows.append(
                    ("surname", identity_hash("surname", surname, self.key), ref, school)
                )
                if extra.get("forename"):
                    full = f"{extra['forename'].strip().lower()} {surname}"
                    self.res.index_rows.append(
                        ("name", identity_hash("name", full, self.key), ref, school)
                    )
            line_refs.append((line, ref))
        self._set_by_line("staff", "staff_ref", line_refs)

    def move(self, s: Staged, line: int, who: str, ref: str, was: str, school: str) -> None:
        """A person held at one school and now listed at another: a move, never silent."""
        if self.accept_moves:
            file, own = located(s, line)
            self.res.moves.append(
                {"file": file, "line": own, "who": who, "from": was, "to": school}
            )
            return
        self.problem(
            s,
            line,
            "school_id",
            who,
            f"is held at school {was}; this file puts them at {school}. If they have moved "
            "school, import again with moves between schools accepted; otherwise correct the "
            "file. Nothing was written.",
        )

    # -- every other column that names a person ------------------------------------------
    def references(self, s: Staged, columns: list[str]) -> None:
        """Resolve each distinct (school, identifier) of the given columns: the index is read
        once for all of them (a national file names hundreds of thousands of people). Columns
        of single identifiers become map tables and the staged rows are rewritten once, with
        all of them joined (identity_columns.py); lists of refs (pairings) are split here."""
        school = getattr(s, "school", None) or self.school
        single = [c for c in columns if (s.table, c) not in _REF_LISTS]
        for col in columns:
            if col not in single:
                self._listed(s, col, school)
        if single:
            identity_columns.resolve_columns(self, s, single, school)

    def _listed(self, s: Staged, col: str, school: str | None) -> None:
        """A column holding several refs separated by ';': each part resolved on its own."""
        has_school = "school_id" in s.columns
        sch = '"school_id"' if has_school else "NULL"
        pairs = self.con.execute(
            f'SELECT DISTINCT {sch}, "{col}" FROM stg_{s.table} WHERE "{col}" IS NOT NULL'  # noqa: S608
        ).fetchall()
        split = [(rs, raw, [p.strip() for p in raw.split(";")]) for rs, raw in pairs]
        self.prefetch({(rs or school, p) for rs, _raw, parts in split for p in parts if p})
        mapping = []
        for row_school, raw, parts in split:
            ctx = row_school or school
            out = [self.resolve(s, col, p, ctx, raw) for p in parts if p]
            mapping.append((row_school or "", raw, ";".join(out)))
        if not mapping:
            return
        frame = pd.DataFrame(mapping, columns=["sch", "raw", "val"], dtype="string")
        self.con.register("ident_frame", frame)
        on = "coalesce(s.school_id, '') = m.sch AND " if has_school else ""
        self.con.execute(
            f'UPDATE stg_{s.table} s SET "{col}" = m.val FROM ident_frame m '  # noqa: S608
            f'WHERE {on}s."{col}" = m.raw'
        )
        self.con.unregister("ident_frame")

    def prefetch(self, items: set[tuple[str | None, str]]) -> None:
        """Look up, in three queries, every identifier `resolve` will be asked about."""
        emails, codes, anywhere = [], [], []
        self._hashes: dict[tuple[str | None, str], str] = {}
        for school, value in items:
            if value.lower() in _LABELS:
                continue
            if _EMAIL.match(value):
                h = identity_hash("email", value.lower(), self.key)
                emails.append(h)
            elif school:
                h = self.staff_pseudonym(school, value)
                codes.append(h)
            else:
                h = identity_hash("code", value, self.key)
                anywhere.append(h)
            self._hashes[(school, value)] = h
        self._emails = self._index("email", emails)
        self._codes = self._index("code", codes)
        self._anywhere: dict[str, set[str]] = {}
        if anywhere:
            for h, ref in self.con.execute(
                "SELECT split_part(key_hash, '/', 1), staff_ref FROM identity_index "
                "WHERE kind = 'code_any' AND list_contains(?, split_part(key_hash, '/', 1))",
                [anywhere],
            ).fetchall():
                self._anywhere.setdefault(h, set()).add(ref)
        self._batch_by_code: dict[str, set[str]] = {}
        for (_sc, c), r in self.batch_code.items():
            self._batch_by_code.setdefault(c.lower(), set()).add(r)

    def resolve(self, s: Staged, col: str, value: str, school: str | None, raw: str) -> str:
        if value.lower() in _LABELS:
            return _LABELS[value.lower()]
        who = label_for(value)
        known = self._hashes.get((school, value))
        if _EMAIL.match(value):
            h = known or identity_hash("email", value.lower(), self.key)
            ref = self.batch_ids.get(h) or self._emails.get(h)
            return self._found(ref, who, self.staff_pseudonym("?", value))
        if school:
            default = known or self.staff_pseudonym(school, value)
            ref = self.batch_code.get((school, value)) or self._codes.get(default)
            return self._found(ref, who, default)
        candidates = set(self._batch_by_code.get(value.lower(), set()))
        h = known or identity_hash("code", value, self.key)
        candidates |= self._anywhere.get(h, set())
        if len(candidates) == 1:
            return self._found(next(iter(candidates)), who, "")
        marker = self.staff_pseudonym("?", value)
        if len(candidates) > 1:
            self.res.ambiguous.add(marker)
            schools = sorted(self._held_schools(sorted(candidates)).values()) or ["several"]
            lines = self.con.execute(
                f'SELECT line FROM stg_{s.table} WHERE "{col}" = ? ORDER BY line LIMIT 20',  # noqa: S608
                [raw],
            ).fetchall()
            for (line,) in lines:
                self.problem(
                    s,
                    int(line),
                    col,
                    who,
                    f"is a staff code used at more than one school ({', '.join(schools)}), so "
                    "who this row means cannot be told. Say which school the file comes from, "
                    "or add a school_id column.",
                )
        return self._found(None, who, marker)

    def _found(self, ref: str | None, who: str, marker: str) -> str:
        out = ref or marker
        self.res.labels.setdefault(out, who)
        return out

    def _set_by_line(self, table: str, col: str, line_refs: list[tuple[int, str]]) -> None:
        frame = pd.DataFrame(line_refs, columns=["line", "val"]).astype({"val": "string"})
        self.con.register("ident_frame", frame)
        self.con.execute(
            f'UPDATE stg_{table} s SET "{col}" = m.val FROM ident_frame m WHERE s.line = m.line'  # noqa: S608
        )
        self.con.unregister("ident_frame")
