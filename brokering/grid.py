"""Ordnance Survey National Grid references (OSGB36 easting and northing, as the register of
schools gives them) as WGS84 latitude and longitude (as the store keeps them, for travel
between schools).

Two published steps, from Ordnance Survey's "A guide to coordinate systems in Great Britain":
the inverse Transverse Mercator projection of the National Grid (Airy 1830 ellipsoid, true
origin 49°N 2°W, scale 0.9996012717) gives OSGB36 latitude and longitude; a seven-parameter
Helmert transformation then moves the point from the OSGB36 datum to WGS84. The Helmert step
is good to about 5 m across Great Britain — far inside what travel between schools needs
(OSTN15, the centimetre-level grid, would need its 15 MB table for no gain here).
"""

from __future__ import annotations

import math

# Airy 1830 (OSGB36) and the National Grid's projection.
_AIRY_A, _AIRY_B = 6377563.396, 6356256.909
_F0 = 0.9996012717
_LAT0, _LON0 = math.radians(49.0), math.radians(-2.0)
_E0, _N0 = 400_000.0, -100_000.0
# WGS84.
_WGS_A, _WGS_B = 6378137.0, 6356752.314245
# OSGB36 -> WGS84 (the published WGS84 -> OSGB36 parameters, negated).
_TX, _TY, _TZ = 446.448, -125.157, 542.060  # metres
_S = -20.4894e-6  # scale, ppm
_RX, _RY, _RZ = (math.radians(s / 3600) for s in (0.1502, 0.2470, 0.8421))

#: Grid references outside these bounds are not in Great Britain's grid (metres).
EASTING_RANGE = (0.0, 700_000.0)
NORTHING_RANGE = (0.0, 1_300_000.0)


def _meridional_arc(lat: float, n: float) -> float:
    d, s = lat - _LAT0, lat + _LAT0
    return (
        _AIRY_B
        * _F0
        * (
            (1 + n + 1.25 * n**2 + 1.25 * n**3) * d
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(d) * math.cos(s)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * d) * math.cos(2 * s)
            - 35 / 24 * n**3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def grid_to_osgb36(easting: float, northing: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees on the OSGB36 datum (the guide's inverse projection)."""
    a, b = _AIRY_A, _AIRY_B
    e2 = 1 - b**2 / a**2
    n = (a - b) / (a + b)
    lat, m = _LAT0, 0.0
    while True:  # converges in a few steps to well under a millimetre
        lat = (northing - _N0 - m) / (a * _F0) + lat
        m = _meridional_arc(lat, n)
        if abs(northing - _N0 - m) < 1e-5:
            break
    sin, cos, tan = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * _F0 / math.sqrt(1 - e2 * sin**2)
    rho = a * _F0 * (1 - e2) / (1 - e2 * sin**2) ** 1.5
    eta2 = nu / rho - 1
    sec = 1 / cos
    vii = tan / (2 * rho * nu)
    viii = tan / (24 * rho * nu**3) * (5 + 3 * tan**2 + eta2 - 9 * tan**2 * eta2)
    ix = tan / (720 * rho * nu**5) * (61 + 90 * tan**2 + 45 * tan**4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * tan**2)
    xii = sec / (120 * nu**5) * (5 + 28 * tan**2 + 24 * tan**4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * tan**2 + 1320 * tan**4 + 720 * tan**6)
    de = easting - _E0
    phi = lat - vii * de**2 + viii * de**4 - ix * de**6
    lam = _LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return math.degrees(phi), math.degrees(lam)


def osgb36_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees moved from the OSGB36 datum to WGS84 (Helmert)."""
    phi, lam = math.radians(lat), math.radians(lon)
    e2 = 1 - _AIRY_B**2 / _AIRY_A**2
    nu = _AIRY_A / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    x1 = nu * math.cos(phi) * math.cos(lam)
    y1 = nu * math.cos(phi) * math.sin(lam)
    z1 = (1 - e2) * nu * math.sin(phi)
    s1 = 1 + _S
    x2 = _TX + s1 * x1 - _RZ * y1 + _RY * z1
    y2 = _TY + _RZ * x1 + s1 * y1 - _RX * z1
    z2 = _TZ - _RY * x1 + _RX * y1 + s1 * z1
    e2w = 1 - _WGS_B**2 / _WGS_A**2
    p = math.hypot(x2, y2)
    phi = math.atan2(z2, p * (1 - e2w))
    for _ in range(10):  # fixed-point on the latitude; converges to ~1e-12 rad in a few steps
        nu = _WGS_A / math.sqrt(1 - e2w * math.sin(phi) ** 2)
        phi = math.atan2(z2 + e2w * nu * math.sin(phi), p)
    return math.degrees(phi), math.degrees(math.atan2(y2, x2))


def grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """A National Grid reference (metres) as WGS84 (latitude, longitude) in degrees."""
    return osgb36_to_wgs84(*grid_to_osgb36(easting, northing))
