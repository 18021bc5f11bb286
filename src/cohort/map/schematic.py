"""Schematic fallback geometry: one hexagonal tile per area, near the area's real location.

Used only when no official boundaries can be found (no configuration, no cache, no network). The centres below
were derived once, at development time, from the municipality's open geodata (area centroids, rounded to
four decimals) and are hard-coded so the app never reads those files at runtime. Tiles are snapped to a hex
grid so they never overlap and are big enough to see and hover; shape and size therefore carry no meaning,
which the page must say (see ``cohort.map.boundaries.SCHEMATIC_NOTE_NL``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

STADSDEEL_NAMES: dict[str, str] = {
    "A": "Centrum",
    "B": "Westpoort",
    "E": "West",
    "F": "Nieuw-West",
    "K": "Zuid",
    "M": "Oost",
    "N": "Noord",
    "S": "Weesp",
    "T": "Zuidoost",
}


class Centre(NamedTuple):
    naam: str
    stadsdeel_code: str
    lon: float
    lat: float


# 2015–2021 indeling (layer GEBIEDEN22); names as the municipality spelled them then.
CENTRES_2015: dict[str, Centre] = {
    "DX01": Centre("Centrum-West", "A", 4.8891, 52.3767),
    "DX02": Centre("Centrum-Oost", "A", 4.9078, 52.3677),
    "DX03": Centre("Westerpark", "E", 4.8746, 52.3868),
    "DX04": Centre("Bos en Lommer", "E", 4.8506, 52.3828),
    "DX05": Centre("Oud West / De Baarsjes", "E", 4.8620, 52.3662),
    "DX06": Centre("Geuzenveld-Slotermeer-Sloterdijken", "F", 4.7999, 52.3841),
    "DX07": Centre("Osdorp", "F", 4.7845, 52.3629),
    "DX08": Centre("De Aker, Sloten en Nieuw Sloten", "F", 4.8094, 52.3418),
    "DX09": Centre("Slotervaart", "F", 4.8337, 52.3576),
    "DX10": Centre("Oud Zuid", "K", 4.8647, 52.3504),
    "DX11": Centre("Buitenveldert / Zuidas", "K", 4.8690, 52.3324),
    "DX12": Centre("De Pijp / Rivierenbuurt", "K", 4.8994, 52.3466),
    "DX13": Centre("Oud Oost", "M", 4.9200, 52.3578),
    "DX14": Centre("Indische Buurt / Oostelijk Havengebied", "M", 4.9415, 52.3714),
    "DX15": Centre("Watergraafsmeer", "M", 4.9311, 52.3427),
    "DX16": Centre("IJburg / Eiland Zeeburg", "M", 4.9984, 52.3609),
    "DX17": Centre("Noord West", "N", 4.8946, 52.4153),
    "DX18": Centre("Oud Noord", "N", 4.9105, 52.3941),
    "DX19": Centre("Noord Oost", "N", 5.0035, 52.3983),
    "DX20": Centre("Bijlmer Centrum", "T", 4.9516, 52.3036),
    "DX21": Centre("Bijlmer Oost", "T", 4.9773, 52.3203),
    "DX22": Centre("Gaasperdam / Driemond", "T", 4.9905, 52.3033),
}

# 2022 indeling (layer INDELING_GEBIED).
CENTRES_2022: dict[str, Centre] = {
    "GA01": Centre("Centrum-West", "A", 4.8891, 52.3768),
    "GA02": Centre("Centrum-Oost", "A", 4.9078, 52.3677),
    "GE03": Centre("Westerpark", "E", 4.8693, 52.3875),
    "GE04": Centre("Bos en Lommer", "E", 4.8496, 52.3789),
    "GE05": Centre("Oud-West, De Baarsjes", "E", 4.8620, 52.3662),
    "GF06": Centre("Sloterdijk Nieuw-West", "F", 4.7956, 52.3909),
    "GF07": Centre("Geuzenveld, Slotermeer", "F", 4.8043, 52.3772),
    "GF08": Centre("Osdorp", "F", 4.7845, 52.3629),
    "GF09": Centre("De Aker, Sloten, Nieuw-Sloten", "F", 4.8094, 52.3418),
    "GF10": Centre("Slotervaart", "F", 4.8337, 52.3576),
    "GK11": Centre("Oud-Zuid", "K", 4.8647, 52.3504),
    "GK12": Centre("Buitenveldert, Zuidas", "K", 4.8690, 52.3324),
    "GK13": Centre("De Pijp, Rivierenbuurt", "K", 4.8994, 52.3466),
    "GM14": Centre("Oud-Oost", "M", 4.9200, 52.3578),
    "GM15": Centre("Indische Buurt, Oostelijk Havengebied", "M", 4.9410, 52.3711),
    "GM16": Centre("Watergraafsmeer", "M", 4.9311, 52.3427),
    "GM17": Centre("IJburg, Zeeburgereiland", "M", 4.9978, 52.3612),
    "GN18": Centre("Noord-West", "N", 4.8922, 52.4146),
    "GN19": Centre("Oud-Noord", "N", 4.9165, 52.3911),
    "GN20": Centre("Noord-Oost", "N", 5.0035, 52.3983),
    "GT21": Centre("Bijlmer-West", "T", 4.9501, 52.2967),
    "GT22": Centre("Bijlmer-Centrum", "T", 4.9540, 52.3151),
    "GT23": Centre("Bijlmer-Oost", "T", 4.9773, 52.3203),
    "GT24": Centre("Gaasperdam", "T", 4.9842, 52.3005),
    "GS25": Centre("Weesp, Driemond", "S", 5.0541, 52.3040),
}

# Stadsdelen (layer INDELING_STADSDEEL); the municipality's own label points.
CENTRES_STADSDELEN: dict[str, Centre] = {
    "A": Centre("Centrum", "A", 4.9037, 52.3733),
    "B": Centre("Westpoort", "B", 4.8073, 52.4115),
    "E": Centre("West", "E", 4.8652, 52.3779),
    "F": Centre("Nieuw-West", "F", 4.8027, 52.3636),
    "K": Centre("Zuid", "K", 4.8661, 52.3417),
    "M": Centre("Oost", "M", 4.9671, 52.3505),
    "N": Centre("Noord", "N", 4.9674, 52.3995),
    "S": Centre("Weesp", "S", 5.0519, 52.3044),
    "T": Centre("Zuidoost", "T", 4.9718, 52.3047),
}

# Local flat projection around the city centre: at city scale the error is far below a tile's size.
_ORIGIN_LON, _ORIGIN_LAT = 4.90, 52.36
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(_ORIGIN_LAT))
_SQRT3 = math.sqrt(3.0)


def _to_metres(lon: float, lat: float) -> tuple[float, float]:
    return (lon - _ORIGIN_LON) * _M_PER_DEG_LON, (lat - _ORIGIN_LAT) * _M_PER_DEG_LAT


def _to_lonlat(x: float, y: float) -> tuple[float, float]:
    return _ORIGIN_LON + x / _M_PER_DEG_LON, _ORIGIN_LAT + y / _M_PER_DEG_LAT


def _cell_centre(q: int, r: int, spacing: float) -> tuple[float, float]:
    # Axial coordinates of a pointy-top hex grid; neighbouring cell centres are `spacing` metres apart.
    return spacing * (q + r / 2.0), spacing * (_SQRT3 / 2.0) * r


def _nearest_cell(x: float, y: float, spacing: float) -> tuple[int, int]:
    r_frac = y / (spacing * _SQRT3 / 2.0)
    q_frac = x / spacing - r_frac / 2.0
    # Cube rounding: round all three cube coordinates, then fix the one with the largest rounding error.
    s_frac = -q_frac - r_frac
    q, r, s = round(q_frac), round(r_frac), round(s_frac)
    dq, dr, ds = abs(q - q_frac), abs(r - r_frac), abs(s - s_frac)
    if dq > dr and dq > ds:
        q = -r - s
    elif dr > ds:
        r = -q - s
    return q, r


def snap_to_hex_grid(points: dict[str, tuple[float, float]], spacing_m: float) -> dict[str, tuple[int, int]]:
    """Give every point its own hex cell, as close as possible to where it really is.

    Deterministic: points are placed in code order; a point whose nearest cell is taken gets the nearest
    free cell within three rings.
    """
    taken: dict[tuple[int, int], str] = {}
    cells: dict[str, tuple[int, int]] = {}
    for code in sorted(points):
        x, y = _to_metres(*points[code])
        q0, r0 = _nearest_cell(x, y, spacing_m)
        candidates = [(q0 + dq, r0 + dr) for dq in range(-3, 4) for dr in range(-3, 4)]
        free = [cell for cell in candidates if cell not in taken]

        def distance(cell: tuple[int, int], x: float = x, y: float = y) -> float:
            cx, cy = _cell_centre(*cell, spacing_m)
            return math.hypot(cx - x, cy - y)

        best = min(free, key=lambda cell: (distance(cell), cell))
        taken[best] = code
        cells[code] = best
    return cells


def hexagon(lon: float, lat: float, radius_m: float) -> list[list[float]]:
    """A closed pointy-top hexagon ring (GeoJSON order: lon, lat; counter-clockwise)."""
    cx, cy = _to_metres(lon, lat)
    ring = []
    for i in range(7):  # the seventh point closes the ring
        angle = math.radians(90 + 60 * (i % 6))
        px, py = _to_lonlat(cx + radius_m * math.cos(angle), cy + radius_m * math.sin(angle))
        ring.append([round(px, 6), round(py, 6)])
    return ring


def schematic_geojson(centres: dict[str, Centre], spacing_m: float) -> dict:
    """A FeatureCollection with one hexagon per code, with normalised properties code, naam, stadsdeel."""
    cells = snap_to_hex_grid({code: (c.lon, c.lat) for code, c in centres.items()}, spacing_m)
    # Circumradius spacing/sqrt(3) makes neighbours touch; 0.94 leaves a thin visible gap between tiles.
    radius = 0.94 * spacing_m / _SQRT3
    features = []
    for code in sorted(centres):
        centre = centres[code]
        lon, lat = _to_lonlat(*_cell_centre(*cells[code], spacing_m))
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [hexagon(lon, lat, radius)]},
                "properties": {
                    "code": code,
                    "naam": centre.naam,
                    "stadsdeel": STADSDEEL_NAMES.get(centre.stadsdeel_code, ""),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
