"""The register of schools as it comes (Get Information About Schools, GIAS): what its own
columns tell, read once the file is staged and before any word is read.

- **Closed schools** (status "Closed") are left out, one note per row naming the school by
  URN: a closed school joins no alliance, and a register extract always holds some. "Open,
  but proposed to close" is open.
- **Grid references**: the register gives OSGB36 easting and northing, the store keeps WGS84
  latitude and longitude (for travel between schools); each reference is converted
  (brokering.grid) where the file gives no latitude and longitude. A reference that is not a
  number within the National Grid refuses its row.
- **"Not applicable" phases**: special schools, pupil referral units and alternative
  provision have no phase in the register; the type of establishment tells which, where the
  file has it. Any other "Not applicable" is left for the words pass to ask about.

These columns are read only here: they are dropped before validation, never stored.
"""

from __future__ import annotations

import pandas as pd

from brokering.db import Connection
from brokering.grid import EASTING_RANGE, NORTHING_RANGE, grid_to_wgs84
from brokering.importing.identity import located
from brokering.importing.problems import ImportReport, Problem
from brokering.importing.reader import Staged
from brokering.settings import MAX_REPORTED_PROBLEMS

#: The schools columns only this step reads (spec kind "register").
REGISTER_ONLY = ("easting", "northing", "status", "establishment_type")
_NOTED = 20


def prepare(con: Connection, staged: dict[str, Staged], report: ImportReport) -> None:
    s = staged.get("schools")
    if s is None or not any(c in s.columns for c in REGISTER_ONLY):
        return
    if "status" in s.columns:
        _leave_out_closed(con, s, report)
    if "establishment_type" in s.columns and "phase" in s.columns:
        _phase_from_type(con, s, report)
    if "easting" in s.columns and "northing" in s.columns:
        _grid_references(con, s, report)
    for c in REGISTER_ONLY:
        if c in s.columns:
            con.execute(f'ALTER TABLE stg_schools DROP COLUMN "{c}"')
            s.columns.remove(c)


def _leave_out_closed(con: Connection, s: Staged, report: ImportReport) -> None:
    rows = con.execute(
        "SELECT line, school_id FROM stg_schools WHERE lower(trim(status)) = 'closed' ORDER BY line"
    ).fetchall()
    if not rows:
        return
    for line, urn in rows[:_NOTED]:
        file, own = located(s, line)
        report.notes.append(
            f"{file}, line {own} (school {urn}): closed in the register, so left out; a closed "
            "school joins no alliance."
        )
    if len(rows) > _NOTED:
        report.notes.append(f"{s.label}: {len(rows) - _NOTED:,} more closed schools left out.")
    con.execute("DELETE FROM stg_schools WHERE lower(trim(status)) = 'closed'")


def _phase_from_type(con: Connection, s: Staged, report: ImportReport) -> None:
    """ "Not applicable" (or blank) phases from the type of establishment, where it tells."""
    told = con.execute(
        "UPDATE stg_schools SET phase = CASE "
        "WHEN lower(establishment_type) LIKE '%special%' THEN 'special' "
        "WHEN lower(establishment_type) LIKE '%pupil referral%' "
        "OR lower(establishment_type) LIKE '%alternative provision%' "
        "THEN 'alternative provision' END "
        "WHERE (phase IS NULL OR lower(trim(phase)) IN ('not applicable', 'n/a')) "
        "AND (lower(establishment_type) LIKE '%special%' "
        "OR lower(establishment_type) LIKE '%pupil referral%' "
        "OR lower(establishment_type) LIKE '%alternative provision%')"
    ).fetchall()[0][0]
    if told:
        report.notes.append(
            f"{s.label}: {told} phase(s) given as 'Not applicable' read from the type of "
            "establishment (special school, pupil referral unit or alternative provision)."
        )


def _grid_references(con: Connection, s: Staged, report: ImportReport) -> None:
    has_latlon = "latitude" in s.columns and "longitude" in s.columns
    given = "latitude, longitude" if has_latlon else "NULL, NULL"
    rows = con.execute(
        f"SELECT line, easting, northing, {given} FROM stg_schools "  # noqa: S608
        "WHERE easting IS NOT NULL OR northing IS NOT NULL"
    ).fetchall()
    out: list[tuple[int, str, str]] = []
    for line, east, north, lat, lon in rows:
        if lat is not None or lon is not None:
            continue  # the file's own latitude and longitude stand
        point = _number(east, EASTING_RANGE), _number(north, NORTHING_RANGE)
        if None in point:
            file, own = located(s, line)
            bad, col = (east, "easting") if point[0] is None else (north, "northing")
            report.add(
                Problem(
                    file,
                    own,
                    col,
                    str(bad or ""),
                    "is not a National Grid reference in metres (easting 0-700,000, northing "
                    "0-1,300,000); give both, or leave both blank.",
                ),
                MAX_REPORTED_PROBLEMS,
            )
            continue
        la, lo = grid_to_wgs84(*point)
        out.append((int(line), f"{la:.6f}", f"{lo:.6f}"))
    if not has_latlon:
        for c in ("latitude", "longitude"):
            if c not in s.columns:
                con.execute(f'ALTER TABLE stg_schools ADD COLUMN "{c}" VARCHAR')
                s.columns.append(c)
    if not out:
        return
    frame = pd.DataFrame(out, columns=["line", "lat", "lon"]).astype(
        {"lat": "string", "lon": "string"}
    )
    con.register("grid_frame", frame)
    try:
        con.execute(
            "UPDATE stg_schools s SET latitude = g.lat, longitude = g.lon FROM grid_frame g "
            "WHERE s.line = g.line"
        )
    finally:
        con.unregister("grid_frame")
    report.notes.append(
        f"{s.label}: {len(out):,} grid reference(s) (OSGB36 easting and northing) converted "
        "to latitude and longitude."
    )


def _number(text: str | None, bounds: tuple[float, float]) -> float | None:
    try:
        value = float(str(text).replace(",", "").strip())
    except ValueError:
        return None
    return value if bounds[0] <= value <= bounds[1] else None
