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


def export_path(folder: Path) -> Path:
    return folder / EXPORT


def write_export(evidence_csv: Path, folder: Path) -> list[str]:
    """The export and its mapping (written once per data set): [export, mapping JSON]."""
    export, mapping_file = folder / EXPORT, folder / MAPPING
    if not export.exists() or export.stat().st_mtime < evidence_csv.stat().st_mtime:
        con = duckdb.connect()
        partial = export.with_suffix(".partial")
        con.execute(
            f"COPY ({_SELECT.replace('?', repr(str(evidence_csv)))}) TO '{partial}' "
            "(HEADER, DELIMITER ',')"
        )
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
