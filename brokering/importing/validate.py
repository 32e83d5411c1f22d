"""Validation of staged files, vectorised: SQL over the whole table for structural rules,
Python once per *distinct* value for readers, then joins back to every row.

Produces `prs_<table>`: one typed row per staged row, plus report problems and notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from rapidfuzz import fuzz, process

from brokering import values
from brokering.db import Connection
from brokering.importing import capacity, parsers
from brokering.importing.problems import ImportReport, Problem
from brokering.importing.reader import Staged
from brokering.importing.spec import TABLES, TableSpec
from brokering.pairings import import_evidence_rules, import_rules
from brokering.school_words import NOT_RECORDED
from brokering.settings import MAX_HELD_PROBLEMS, MAX_REF_LENGTH, MAX_TEXT_LENGTH
from brokering.taxonomy import SkillMatcher

_REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_./-]*$"
_FORMULA_PATTERN = values._FORMULA.pattern
#: Every formula the pattern catches starts with one of these characters (= + @ tab CR -):
#: the cheap test runs on every row, the pattern only where it passes.
_FORMULA_FIRST = ", ".join(str(ord(c)) for c in "=+@\t\r-")
_REF_KINDS = ("ref", "school", "staff")
#: Rows each check lists: as many as a report holds, so a kind of problem is counted in full
#: (the Data page groups them: "… — 51 rows: lines 4, 7, …").
_N = MAX_HELD_PROBLEMS


class Validator:
    """Validates one batch of staged files against each other and the store."""

    def __init__(
        self,
        con: Connection,
        matcher: SkillMatcher,
        report: ImportReport,
        scale: str | None,
        today: date,
    ) -> None:
        self.con = con
        self.matcher = matcher
        self.report = report
        self.readers = parsers.readers(matcher, scale)
        self.skill_many = parsers.skill_reader(matcher)
        self.today = today

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
            for line, value in self._rows(
                staged,
                f"SELECT line, {q} FROM {{stg}} WHERE ascii({q}) IN ({_FORMULA_FIRST}) "
                f"AND regexp_matches({q}, ?) ORDER BY line LIMIT {_N}",
                [_FORMULA_PATTERN],
            ):
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

    # -- value readers, once per distinct value --------------------------------------------
    def map_values(self, staged: Staged, spec: TableSpec) -> dict[str, str]:
        """Create map_<table>_<col>(raw, val, err, note) tables; return column -> map name."""
        maps: dict[str, str] = {}
        for col in spec.columns:
            if col.name not in staged.columns or col.kind in ("ref", "text", "school", "staff"):
                continue
            distinct = [
                r[0]
                for r in self._rows(
                    staged,
                    f'SELECT DISTINCT "{col.name}" FROM {{stg}} WHERE "{col.name}" IS NOT NULL',
                )
            ]
            if col.kind == "skill":
                results = self.skill_many(distinct)
            elif col.kind == "date":
                results = parsers.date_column(distinct)
            elif col.kind == "enum":
                results = [parsers.enum_reader(col.choices)(t) for t in distinct]
            else:
                read = self.readers[col.kind]
                results = [read(t) for t in distinct]
            frame = pd.DataFrame(
                {
                    "raw": distinct,
                    "val": [r[0] for r in results],
                    "err": [r[1] for r in results],
                    "note": [r[2] for r in results],
                },
                dtype="string",
            )
            name = f"map_{staged.table}_{col.name}"
            self.con.register("map_frame", frame)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM map_frame")
            self.con.unregister("map_frame")
            maps[col.name] = name
            for (note,) in self.con.execute(
                f"SELECT note FROM {name} WHERE note IS NOT NULL ORDER BY note LIMIT 50"  # noqa: S608
            ).fetchall():
                self.report.notes.append(f"{staged.label}, {col.name}: {note}")
            for line, raw, err in self._rows(
                staged,
                f"SELECT s.line, m.raw, m.err FROM {{stg}} s JOIN {name} m "
                f'ON s."{col.name}" = m.raw WHERE m.err IS NOT NULL ORDER BY s.line LIMIT {_N}',
            ):
                self.problem(staged, line, col.name, raw, err)
        return maps

    # -- typed table ------------------------------------------------------------------------
    def build_parsed(self, staged: Staged, spec: TableSpec, maps: dict[str, str]) -> None:
        select = ["s.line"]
        joins = []
        for col in spec.columns:
            if col.name not in staged.columns:
                continue
            q = f'"{col.name}"'
            if col.name not in maps:
                select.append(f"s.{q}")
                continue
            alias = f"m_{col.name}"
            joins.append(f"LEFT JOIN {maps[col.name]} {alias} ON s.{q} = {alias}.raw")
            if col.kind == "skill":
                select += [f"{alias}.val AS skill_id", f"s.{q} AS skill_text"]
            elif col.kind in ("phase_list", "skill_list"):
                select.append(
                    f"CASE WHEN {alias}.val IS NULL THEN NULL WHEN {alias}.val = '' "
                    f"THEN []::VARCHAR[] ELSE string_split({alias}.val, ';') END AS {q}"
                )
            elif col.kind == "feedback":
                select += [
                    f"{alias}.val::TINYINT AS feedback_score",
                    f"CASE WHEN {alias}.val IS NULL THEN s.{q} END AS feedback_text",
                ]
            elif col.kind in parsers.SQL_TYPES:
                select.append(f"{alias}.val::{parsers.SQL_TYPES[col.kind]} AS {q}")
            else:
                select.append(f"{alias}.val AS {q}")
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE prs_{staged.table} AS SELECT {', '.join(select)} "  # noqa: S608
            f"FROM stg_{staged.table} s {' '.join(joins)}"
        )

    # -- rules across rows, files and the store -------------------------------------------------
    def check_duplicates(self, staged: Staged, spec: TableSpec) -> None:
        keys = [("skill_id" if k == "skill" else k) for k in spec.key]
        present = self.con.execute(f"SELECT * FROM prs_{staged.table} LIMIT 0").df().columns  # noqa: S608
        if not all(k in present for k in keys):
            return
        cols = ", ".join(f'"{k}"' for k in keys)
        not_null = " AND ".join(f'"{k}" IS NOT NULL' for k in keys)
        # Rows sharing a key share its hash: one pass over a single number finds whether any
        # key can repeat, and the exact (costlier) check runs only when one might.
        repeats = self.con.execute(
            f"SELECT count(*) FROM (SELECT hash({cols}) AS h FROM prs_{staged.table} "  # noqa: S608
            f"WHERE {not_null} GROUP BY h HAVING count(*) > 1)"
        ).fetchall()[0][0]
        if not repeats:
            return
        rows = self.con.execute(
            f'SELECT line, first_line, value FROM (SELECT line, "{keys[0]}"::VARCHAR AS value, '  # noqa: S608
            f"min(line) OVER (PARTITION BY {cols}) AS first_line FROM prs_{staged.table} "
            f"WHERE {not_null}) WHERE line > first_line ORDER BY line LIMIT {_N}"
        ).fetchall()
        label = " + ".join(spec.key)
        for line, first, value in rows:
            first_file, first_line = staged.locate(first)
            where = f"line {first_line}"
            if first_file != staged.locate(line)[0]:
                where += f" of {first_file}"
            self.problem(
                staged,
                line,
                spec.key[0],
                value,
                f"repeats {where} ({label} are the same); keep one of them.",
            )

    def check_references(self, staged: Staged, spec: TableSpec, batch: set[str]) -> None:
        for col in spec.columns:
            if col.name not in staged.columns:
                continue
            if col.kind == "school":
                known = "SELECT school_id AS ref FROM schools" + (
                    " UNION SELECT school_id FROM prs_schools" if "schools" in batch else ""
                )
                what = "school"
            elif col.kind == "staff" or (col.kind == "recorder"):
                known = "SELECT staff_ref AS ref FROM staff" + (
                    " UNION SELECT staff_ref FROM prs_staff" if "staff" in batch else ""
                )
                what = "member of staff"
            else:
                continue
            extra = ""
            if col.kind == "recorder":
                labels = ", ".join(repr(x) for x in (*parsers.RECORDER_LABELS, NOT_RECORDED))
                extra = f' AND p."{col.name}" NOT IN ({labels})'
            rows = self.con.execute(
                f'SELECT p.line, p."{col.name}" FROM prs_{staged.table} p WHERE p."{col.name}" '  # noqa: S608
                f'IS NOT NULL{extra} AND p."{col.name}" NOT IN ({known}) ORDER BY p.line LIMIT {_N}'
            ).fetchall()
            for line, value in rows:
                if col.kind == "recorder":
                    msg = (
                        "is neither a staff_ref we know nor a role label ("
                        f"{', '.join(parsers.RECORDER_LABELS[:4])}…); never write a name here."
                    )
                else:
                    msg = (
                        f"is not a {what} in the alliance. Import {what.split()[-1]}"
                        f"{'s' if what == 'school' else ''}.csv first, or check the reference."
                    )
                self.problem(staged, line, col.name, value, msg)

    def check_rules(self, staged: Staged, batch: set[str]) -> None:
        """Rules specific to one table (dates in the future, self-coaching, leavers…)."""
        t = staged.table
        cols = set(staged.columns)
        for date_col in ("date", "start_date", "raised_on", "consent_date"):
            # A pairing may be planned ahead; its own rule limits that (import_rules).
            if date_col in cols and (t, date_col) != ("pairings", "start_date"):
                for line, value in self.con.execute(
                    f'SELECT line, "{date_col}" FROM prs_{t} WHERE "{date_col}" > ? '  # noqa: S608
                    f"ORDER BY line LIMIT {_N}",
                    [self.today],
                ).fetchall():
                    self.problem(
                        staged,
                        line,
                        date_col,
                        value,
                        "is in the future; check the year, or record it once it has happened.",
                    )
        if t == "staff" and "capacity_days" in cols:
            capacity.check_and_convert(self, staged, "capacity_hours" in cols)
        if t == "staff" and "line_manager_ref" in cols:
            for line, value in self.con.execute(
                "SELECT line, staff_ref FROM prs_staff WHERE line_manager_ref = staff_ref "
                f"ORDER BY line LIMIT {_N}"
            ).fetchall():
                self.problem(
                    staged,
                    line,
                    "line_manager_ref",
                    value,
                    "is the person's own reference; nobody manages themselves. Give their line "
                    "manager's staff_ref or leave it blank.",
                )
        if t == "coaching":
            for line, value in self.con.execute(
                "SELECT line, coach_ref FROM prs_coaching WHERE coach_ref = coachee_ref "
                f"ORDER BY line LIMIT {_N}"
            ).fetchall():
                self.problem(
                    staged,
                    line,
                    "coachee_ref",
                    value,
                    "is the same person as the coach; nobody coaches themselves. Check the "
                    "coach_ref and coachee_ref.",
                )
            if "end_date" in cols:
                for line, value in self.con.execute(
                    "SELECT line, end_date FROM prs_coaching WHERE end_date < start_date "
                    f"ORDER BY line LIMIT {_N}"
                ).fetchall():
                    self.problem(staged, line, "end_date", value, "is before start_date.")
        if t == "needs":
            self._check_needs(staged, batch)
        if t == "pairings":
            import_rules.check_pairings(self, staged, batch)
        if t == "pairing_evidence":
            import_evidence_rules.check_pairing_evidence(self, staged, batch)

    def _check_needs(self, staged: Staged, batch: set[str]) -> None:
        leavers = "SELECT staff_ref, left_on FROM staff WHERE left_on IS NOT NULL"
        if "staff" in batch and "left_on" in self._columns("prs_staff"):
            leavers += " UNION SELECT staff_ref, left_on FROM prs_staff WHERE left_on IS NOT NULL"
        for line, ref, left in self.con.execute(
            f"SELECT p.line, p.staff_ref, l.left_on FROM prs_needs p JOIN ({leavers}) l "  # noqa: S608
            "USING (staff_ref) WHERE p.need_id NOT IN (SELECT need_id FROM needs) "
            f"ORDER BY p.line LIMIT {_N}"
        ).fetchall():
            self.problem(
                staged,
                line,
                "staff_ref",
                ref,
                f"left on {left}; a new need cannot be raised for a leaver. Remove the row "
                "(their history stays).",
            )
        for line, ref, other in self.con.execute(
            "SELECT p.line, p.need_id, coalesce(f.need_id, n.need_id) FROM prs_needs p "
            "LEFT JOIN prs_needs f ON f.staff_ref = p.staff_ref AND f.skill_id = p.skill_id "
            "  AND f.status = 'open' AND f.line < p.line "
            "LEFT JOIN needs n ON n.staff_ref = p.staff_ref AND n.skill_id = p.skill_id "
            "  AND n.status = 'open' AND n.need_id <> p.need_id "
            "  AND n.need_id NOT IN (SELECT need_id FROM prs_needs) "
            "WHERE p.status = 'open' AND (f.need_id IS NOT NULL OR n.need_id IS NOT NULL) "
            f"ORDER BY p.line LIMIT {_N}"
        ).fetchall():
            self.problem(
                staged,
                line,
                "need_id",
                ref,
                f"already has an open need for this skill ({other}); update that one "
                "instead of adding a duplicate.",
            )

    def known_staff_sql(self, batch: set[str]) -> str:
        """A query of the staff refs held in the store or arriving in this batch."""
        extra = " UNION SELECT staff_ref FROM prs_staff" if "staff" in batch else ""
        return "SELECT staff_ref FROM staff" + extra

    def leavers_sql(self, batch: set[str]) -> str:
        """A query of (staff_ref, left_on) for leavers in the store or this batch."""
        leavers = "SELECT staff_ref, left_on FROM staff WHERE left_on IS NOT NULL"
        if "staff" in batch and "left_on" in self._columns("prs_staff"):
            leavers += " UNION SELECT staff_ref, left_on FROM prs_staff WHERE left_on IS NOT NULL"
        return leavers

    def _columns(self, table: str) -> list[str]:
        return list(self.con.execute(f"SELECT * FROM {table} LIMIT 0").df().columns)  # noqa: S608

    def run(self, staged_files: dict[str, Staged]) -> None:
        batch: set[str] = set()
        for table, staged in staged_files.items():
            spec = TABLES[table]
            if not self.check_header(staged, spec):
                continue
            self.check_cells(staged, spec)
            maps = self.map_values(staged, spec)
            self.build_parsed(staged, spec, maps)
            self.check_duplicates(staged, spec)
            batch.add(table)
        for table in batch:
            staged = staged_files[table]
            self.check_references(staged, TABLES[table], batch)
            self.check_rules(staged, batch)
