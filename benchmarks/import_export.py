"""The benchmark's evidence as a school's export, for the mapped-import row (issue 18).

The generated evidence.csv is in the template's own columns; a school's observation tracker
is not. `write_export` rewrites the same rows the way such a tracker lays them out — its own
headers, judgements in words, the teacher's name beside the code — and writes the column
mapping `brokering.mapping.propose` makes for it, so the timed import reads every row
through a mapping exactly as `python -m brokering import FILE --mapping MAP.json` does.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from brokering.mapping import Mapping, propose

EXPORT = "Lesson observations (export).csv"
MAPPING = "Lesson observations (export).mapping.json"
#: The same rows as schools' own exports: a school column and each school's *local* staff
#: codes, which the import must pseudonymise and resolve through the identity index.
LOCAL_EXPORT = "Lesson observations (local codes).csv"
LOCAL_MAPPING = "Lesson observations (local codes).mapping.json"
#: The alliance key of the pseudonymised row: fixed so runs compare, made up for the
#: benchmark (never a real alliance's), random-looking enough to pass `check_key`. It
#: reaches the timed child only through its environment, as a real alliance's would.
BENCH_KEY = "bnch-Wq7vR2xLm9ZpT4wYc8NfJ3hGs6DaE1uK"

#: The tracker's columns, from the template's (the name column is made up from the code).
_SELECT = """
SELECT staff_ref AS "Staff Code",
       'Teacher ' || staff_ref AS "Teacher",
       "date" AS "Date of Observation",
       recorded_by AS "Observer",
       skill AS "Subject",
       evidence_type AS "Type of Evidence",
       phase AS "Year Group",
       CASE strength WHEN '4' THEN 'Outstanding' WHEN '3' THEN 'Good'
            WHEN '2' THEN 'Requires Improvement' WHEN '1' THEN 'Inadequate'
            ELSE strength END AS "Overall Judgement",
       note AS "Strengths"
FROM read_csv(?, all_varchar = true)
"""


#: The local-codes export: the tracker's columns with the school of each row (from
#: staff.csv) first. The generated refs stand for each school's own staff codes: the keyed
#: base store imported staff.csv with them as local codes, so every row resolves to a person.
_SELECT_LOCAL = """
SELECT st.school_id AS "School", e.* EXCLUDE (n)
FROM (SELECT row_number() OVER () AS n, * FROM ({tracker})) e
LEFT JOIN read_csv(?, all_varchar = true) st ON st.staff_ref = e."Staff Code"
ORDER BY e.n
"""


def export_path(folder: Path, *, local_codes: bool = False) -> Path:
    return folder / (LOCAL_EXPORT if local_codes else EXPORT)


def benchmark_env() -> dict[str, str]:
    """The environment of the pseudonymised row's child: the benchmark's alliance key."""
    from brokering.pseudonymise import ENV_KEY, check_key

    check_key(BENCH_KEY)
    return {ENV_KEY: BENCH_KEY}


def count_rows(path: Path) -> int:
    """Rows of an export as written (compared in-run with the rows imported)."""
    con = duckdb.connect()
    n = con.execute("SELECT count(*) FROM read_csv(?, all_varchar = true)", [str(path)])
    total = int(n.fetchall()[0][0])
    con.close()
    return total


def write_export(evidence_csv: Path, folder: Path, *, local_codes: bool = False) -> list[str]:
    """The export and its mapping (written once per data set): [export, mapping JSON].
    With `local_codes`, the schools' own export (a School column, local staff codes)."""
    export = export_path(folder, local_codes=local_codes)
    mapping_file = folder / (LOCAL_MAPPING if local_codes else MAPPING)
    if not export.exists() or export.stat().st_mtime < evidence_csv.stat().st_mtime:
        con = duckdb.connect()
        partial = export.with_suffix(".partial")
        query = _SELECT.replace("?", repr(str(evidence_csv)))
        if local_codes:
            staff = repr(str(evidence_csv.with_name("staff.csv")))
            query = _SELECT_LOCAL.replace("{tracker}", query).replace("?", staff)
        con.execute(f"COPY ({query}) TO '{partial}' (HEADER, DELIMITER ',')")
        con.close()
        partial.replace(export)
        mapping_file.unlink(missing_ok=True)
    if not mapping_file.exists():
        mapping = propose_mapping(export, folder)
        mapping_file.write_text(mapping.to_json(), encoding="utf-8")
    return [str(export), str(mapping_file)]


def propose_mapping(export: Path, workdir: Path) -> Mapping:
    """The proposal for the export, which must leave nothing to decide."""
    mapping, problems = propose([export], workdir)
    [fm] = mapping.files
    if problems or fm.unresolved:
        raise RuntimeError(f"the export's proposed mapping is not complete: {problems or fm}")
    return mapping
