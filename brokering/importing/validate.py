"""Validation of staged files, vectorised: SQL over the whole table for structural rules,
Python once per *distinct* value for readers, then joins back to every row.

Produces `prs_<table>`: one typed row per staged row, plus report problems and notes.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering.db import Connection
from brokering.importing import capacity, parsers
from brokering.importing.cells import ROW_KINDS, CellChecks
from brokering.importing.problems import ImportReport
from brokering.importing.reader import Staged
from brokering.importing.spec import TABLES, TableSpec
from brokering.pairings import import_evidence_rules, import_rules
from brokering.school_words import NOT_RECORDED
from brokering.settings import MAX_HELD_PROBLEMS
from brokering.taxonomy import SkillMatcher

#: Rows each check lists: as many as a report holds (cells.py says why).
_N = MAX_HELD_PROBLEMS


class Validator(CellChecks):
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
        self._seen: dict[tuple[str, str], list[str]] = {}
        #: Columns whose every distinct value reads as itself: no join needed to type them.
        self._as_is: set[tuple[str, str]] = set()

    # -- value readers, once per distinct value --------------------------------------------
    def map_values(self, staged: Staged, spec: TableSpec) -> dict[str, str]:
        """Create map_<table>_<col>(raw, val, err, note) tables; return column -> map name."""
        maps: dict[str, str] = {}
        for col in spec.columns:
            if col.name not in staged.columns or col.kind in ROW_KINDS:
                continue
            distinct = self._distinct(staged, col.name)
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
            if all(r[0] == raw and r[1] is None for raw, r in zip(distinct, results, strict=True)):
                self._as_is.add((staged.table, col.name))
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
            if (staged.table, col.name) in self._as_is:
                val = f"s.{q}"  # every value reads as itself: the join would change nothing
            else:
                val = f"{alias}.val"
                joins.append(f"LEFT JOIN {maps[col.name]} {alias} ON s.{q} = {alias}.raw")
            if col.kind == "skill":
                select += [f"{val} AS skill_id", f"s.{q} AS skill_text"]
            elif col.kind in ("phase_list", "skill_list"):
                select.append(
                    f"CASE WHEN {val} IS NULL THEN NULL WHEN {val} = '' "
                    f"THEN []::VARCHAR[] ELSE string_split({val}, ';') END AS {q}"
                )
            elif col.kind == "feedback":
                select += [
                    f"{val}::TINYINT AS feedback_score",
                    f"CASE WHEN {val} IS NULL THEN s.{q} END AS feedback_text",
                ]
            elif col.kind in parsers.SQL_TYPES:
                select.append(f"{val}::{parsers.SQL_TYPES[col.kind]} AS {q}")
            else:
                select.append(f"{val} AS {q}")
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
