"""Cell-level checks of a staged file, before any value is read: required cells, lengths,
formulas (CSV injection) and reference shapes. A column the readers take once per distinct
value is tested the same way; only free text and references are tested row by row."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from brokering import values
from brokering.db import Connection
from brokering.importing.problems import ImportReport, Problem
from brokering.importing.reader import Staged
from brokering.importing.spec import TableSpec
from brokering.settings import MAX_HELD_PROBLEMS, MAX_REF_LENGTH, MAX_TEXT_LENGTH

_REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_./-]*$"
_FORMULA_PATTERN = values._FORMULA.pattern
#: Every formula the pattern catches starts with one of these characters (= + @ tab CR -):
#: the cheap test runs on every row, the pattern only where it passes.
_FORMULA_FIRST = ", ".join(str(ord(c)) for c in "=+@\t\r-")
#: The same test in Python, for a column's distinct values (ASCII digits, as DuckDB's).
_FORMULA_ASCII = re.compile(_FORMULA_PATTERN, re.ASCII)
_REF_KINDS = ("ref", "school", "staff")
#: Kinds checked row by row (too many distinct values to read them once each).
ROW_KINDS = ("ref", "text", "school", "staff")
#: Rows each check lists: as many as a report holds, so a kind of problem is counted in full
#: (the Data page groups them: "… — 51 rows: lines 4, 7, …").
_N = MAX_HELD_PROBLEMS


class CellChecks:
    """The first checks of each staged file (the Validator's base): what they need is the
    connection, the report and a cache of each column's distinct values."""

    con: Connection
    report: ImportReport
    _seen: dict[tuple[str, str], list[str]]

    def problem(self, staged: Staged, line: int, column: str, value: object, msg: str) -> None:
        text = "" if value is None else str(value)
        text = text if len(text) <= 80 else text[:79] + "…"
        self.report.add(Problem(staged.label, int(line), column, text, msg))

    def _rows(self, staged: Staged, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        return self.con.execute(
            sql.replace("{stg}", f"stg_{staged.table}"), list(params)
        ).fetchall()

    # -- header ---------------------------------------------------------------------------
    def check_header(self, staged: Staged, spec: TableSpec) -> bool:
        ok = True
        for name in staged.columns:
            if name not in spec.names:
                near = process.extractOne(
                    name, spec.names, scorer=fuzz.ratio, processor=None, score_cutoff=70
                )
                hint = f" Did you mean '{near[0]}'?" if near else ""
                self.problem(
                    staged,
                    1,
                    name,
                    name,
                    f"is not a column of {spec.table}.csv.{hint} Remove it: the store "
                    f"keeps only the template's columns (never names or emails).",
                )
                ok = False
        for col in spec.columns:
            if col.required and col.name not in staged.columns:
                self.problem(
                    staged,
                    1,
                    col.name,
                    "",
                    f"is a required column of {spec.table}.csv and is missing from the header "
                    "row; add it (see data/templates/ for the header).",
                )
                ok = False
        return ok

    # -- cell-level checks ----------------------------------------------------------------
    def check_cells(self, staged: Staged, spec: TableSpec) -> None:
        for col in spec.columns:
            if col.name not in staged.columns:
                continue
            q = f'"{col.name}"'
            if col.required:
                for (line,) in self._rows(
                    staged, f"SELECT line FROM {{stg}} WHERE {q} IS NULL ORDER BY line LIMIT {_N}"
                ):
                    self.problem(staged, line, col.name, "", "is empty but required.")
            limit = MAX_REF_LENGTH if col.kind in _REF_KINDS else MAX_TEXT_LENGTH
            for line, value in self._rows(
                staged,
                f"SELECT line, {q} FROM {{stg}} WHERE length({q}) > ? ORDER BY line LIMIT {_N}",
                [limit],
            ):
                self.problem(
                    staged,
                    line,
                    col.name,
                    value,
                    f"is {len(value):,} characters long; the limit is {limit:,}. Shorten it.",
                )
            for line, value in self._formulas(staged, col.name, col.kind):
                self.problem(
                    staged,
                    line,
                    col.name,
                    value,
                    "looks like a spreadsheet formula; remove the leading "
                    "= + - or @ (formulas are never imported).",
                )
            if col.kind in _REF_KINDS:
                for line, value in self._rows(
                    staged,
                    f"SELECT line, {q} FROM {{stg}} WHERE NOT regexp_matches({q}, ?) "
                    f"AND NOT regexp_matches({q}, ?) AND length({q}) <= ? ORDER BY line LIMIT {_N}",
                    [_REF_PATTERN, _FORMULA_PATTERN, MAX_REF_LENGTH],
                ):
                    self.problem(
                        staged,
                        line,
                        col.name,
                        value,
                        "is not a valid reference: use letters, digits, - _ . / "
                        "only (no spaces, names or emails).",
                    )

    def _formulas(self, staged: Staged, name: str, kind: str) -> list[tuple]:
        """(line, value) of cells that look like formulas. A column read per distinct value
        anyway is tested once per distinct value; any other, row by row where the first
        character could start a formula."""
        q = f'"{name}"'
        if kind in ROW_KINDS:
            return self._rows(
                staged,
                f"SELECT line, {q} FROM {{stg}} WHERE ascii({q}) IN ({_FORMULA_FIRST}) "
                f"AND regexp_matches({q}, ?) ORDER BY line LIMIT {_N}",
                [_FORMULA_PATTERN],
            )
        bad = [v for v in self._distinct(staged, name) if _FORMULA_ASCII.match(v)]
        if not bad:
            return []
        return self._rows(
            staged,
            f"SELECT line, {q} FROM {{stg}} WHERE list_contains(?, {q}) ORDER BY line LIMIT {_N}",
            [bad],
        )

    def _distinct(self, staged: Staged, name: str) -> list[str]:
        """A column's distinct values, read once for the cell checks and the readers."""
        key = (staged.table, name)
        if key not in self._seen:
            self._seen[key] = [
                r[0]
                for r in self._rows(
                    staged, f'SELECT DISTINCT "{name}" FROM {{stg}} WHERE "{name}" IS NOT NULL'
                )
            ]
        return self._seen[key]
