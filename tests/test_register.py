"""The register of schools as it comes (GIAS, issue 18): grid references converted to the
latitude and longitude the store keeps, checked against published points; "Middle deemed
secondary" and "Not applicable" phases; closed schools left out; heads' names never stored."""

from __future__ import annotations

import json
import math

import pytest

from brokering.grid import grid_to_osgb36, grid_to_wgs84
from brokering.importing import import_paths
from brokering.mapping import propose
from tests import exports
from tests.conftest import data_tables
from tests.test_import_bad_input import con as _con  # noqa: F401 - an empty store, fast copies
from tests.test_import_bad_input import store_files as _stores  # noqa: F401


def _dms(d: float, m: float, s: float) -> float:
    return d + m / 60 + s / 3600


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two nearby points (equirectangular; ample for metres apart)."""
    dlat = math.radians(a[0] - b[0]) * 6_371_000
    dlon = math.radians(a[1] - b[1]) * 6_371_000 * math.cos(math.radians(a[0]))
    return math.hypot(dlat, dlon)


# -- the conversion, against published points ---------------------------------------------------
def test_the_projection_matches_the_ordnance_surveys_worked_example() -> None:
    # "A guide to coordinate systems in Great Britain", the inverse projection's example:
    # E 651409.903, N 313177.270 is 52°39'27.2531"N, 1°43'4.5177"E on OSGB36.
    lat, lon = grid_to_osgb36(651409.903, 313177.270)
    assert lat == pytest.approx(_dms(52, 39, 27.2531), abs=0.00005 / 3600)
    assert lon == pytest.approx(_dms(1, 43, 4.5177), abs=0.00005 / 3600)


def test_the_datum_shift_matches_the_published_wgs84_point() -> None:
    # The same point on WGS84 by the Helmert transformation (movable-type.co.uk's
    # OsGridRef example): 52°39'28.72"N, 1°42'57.79"E.
    lat, lon = grid_to_wgs84(651409.903, 313177.270)
    assert lat == pytest.approx(_dms(52, 39, 28.72), abs=0.01 / 3600)
    assert lon == pytest.approx(_dms(1, 42, 57.79), abs=0.01 / 3600)


@pytest.mark.parametrize(
    ("place", "easting", "northing", "lat_rad", "lon_rad"),
    [
        # Railway stations' grid references and WGS84 positions (radians), as published
        # together in a station list (Ams627/gclusters, allstations.js).
        ("Alexandra Palace", 530295, 190460, 0.90055363129988586, -0.0020985003869197156),
        ("Aberdeen", 394127, 805872, 0.99734575757875521, -0.036628965396604624),
        ("Abbey Wood", 547374, 179035, 0.89868854568791712, 0.0021187255169115671),
        ("Aberdare", 300400, 202800, 0.90259800379406951, -0.06009314171819647),
    ],
)
def test_grid_references_land_where_published(place, easting, northing, lat_rad, lon_rad) -> None:
    got = grid_to_wgs84(easting, northing)
    assert _metres(got, (math.degrees(lat_rad), math.degrees(lon_rad))) < 1.0, place


def test_a_wrong_datum_would_be_caught() -> None:
    # OSGB36 and WGS84 differ by about 100 m in London: the check above can tell them apart.
    osgb = grid_to_osgb36(530295, 190460)
    wgs = grid_to_wgs84(530295, 190460)
    assert 50 < _metres(osgb, wgs) < 200


# -- the register through its mapping ---------------------------------------------------------
def test_the_register_is_proposed_with_its_grid_references_and_phase_words(tmp_path) -> None:
    mapping, problems = propose([exports.gias_register(tmp_path)], tmp_path)
    [fm] = mapping.files
    assert problems == [] and fm.unresolved == []
    assert (fm.table, fm.source) == ("schools", "GIAS register of schools")
    assert fm.targets() == {
        "school_id": "URN",
        "name": "EstablishmentName",
        "phase": "PhaseOfEducation (name)",
        "postcode": "Postcode",
        "easting": "Easting",
        "northing": "Northing",
        "status": "EstablishmentStatus (name)",
        "establishment_type": "TypeOfEstablishment (name)",
    }
    assert fm.values["phase"] == {"Middle deemed secondary": "middle"}
    for head in ("HeadTitle (name)", "HeadFirstName", "HeadLastName"):
        assert fm.columns[head] == "drop"


def test_not_applicable_without_a_type_of_establishment_is_a_question(tmp_path) -> None:
    f = tmp_path / "register.csv"
    f.write_text(
        "URN,EstablishmentName,PhaseOfEducation (name),Easting,Northing\n"
        "900003,Cedar Special School,Not applicable,547374,179035\n"
    )
    mapping, _ = propose([f], tmp_path)
    [u] = mapping.files[0].unresolved
    assert (u.kind, u.target, u.value) == ("value", "phase", "Not applicable")


def test_the_register_imports_converted_with_closed_schools_left_out(con, admin, tmp_path):
    path = exports.gias_register(tmp_path)
    mapping, _ = propose([path], tmp_path)
    report = import_paths(con, [path], admin, mapping=mapping)
    assert report.ok, [str(p) for p in report.problems]
    got = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT school_id, name, phase, latitude, longitude FROM schools ORDER BY 1"
        ).fetchall()
    }
    assert sorted(got) == ["900001", "900002", "900003", "900005"]  # 900004 closed
    assert got["900002"][1] == "middle"  # "Middle deemed secondary"
    assert got["900003"][1] == "special"  # "Not applicable", a community special school
    assert got["900005"][2:] == (None, None)  # no grid reference: no position invented
    alexandra_palace = (math.degrees(0.90055363129988586), math.degrees(-0.0020985003869197156))
    assert _metres(got["900001"][2:], alexandra_palace) < 1.0
    assert any("900004" in n and "closed" in n for n in report.notes)
    assert any("3 grid reference(s)" in n for n in report.notes)
    dump = json.dumps(data_tables(con), default=str)
    for head in ("Quill", "Abernethy", "Brûlé", "O’Neill"):
        assert head not in dump


def test_a_grid_reference_that_is_not_one_refuses_its_row(con, admin, tmp_path) -> None:
    f = tmp_path / "register.csv"
    f.write_text(
        "URN,EstablishmentName,PhaseOfEducation (name),EstablishmentStatus (name),Easting,"
        "Northing\n900001,Alder Vale Primary School,Primary,Open,530295,190460\n"
        "900002,Birch School,Secondary,Open,north,190460\n"
    )
    mapping, _ = propose([f], tmp_path)
    before = data_tables(con)
    report = import_paths(con, [f], admin, mapping=mapping)
    assert [(p.line, p.column, p.value) for p in report.problems] == [(3, "easting", "north")]
    assert data_tables(con) == before


def test_a_files_own_latitude_and_longitude_stand(con, admin, tmp_path) -> None:
    f = tmp_path / "schools.csv"
    f.write_text(
        "school_id,name,phase,latitude,longitude,easting,northing\n"
        "S1,Alder Vale Primary School,primary,51.5,-0.1,547374,179035\n"
    )
    assert import_paths(con, [f], admin).ok
    assert con.execute("SELECT latitude, longitude FROM schools").fetchall() == [(51.5, -0.1)]
