"""Official area boundaries that also work offline.

Resolution order for a division (each skipped step leaves a Dutch reason in ``Boundaries.attempts``):

1. a path or URL from configuration (``COHORT_BOUNDARIES``; may contain ``{layer}``, or be a directory with
   ``<LAYER>.geojson`` files, or one file);
2. the local cache of an earlier download (``<cache_dir>/boundaries/<LAYER>.geojson``);
3. a download from the municipality's open geodata service (short time-out, validated, cached atomically);
4. a schematic fallback (hexagonal tiles, see ``cohort.map.schematic``) with a visible note.

Every candidate file is validated before use, so a half-written cache, an HTML error page or a file for the
wrong layer never reaches the map. Features are joined on code, never on name: the 2015 file spells names
differently from the uploaded workbooks.

Operator command: ``python -m cohort.map.boundaries fetch [--layer LAYER ...] [--all]``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from cohort.map.schematic import (
    CENTRES_2015,
    CENTRES_2022,
    CENTRES_STADSDELEN,
    STADSDEEL_NAMES,
    Centre,
    schematic_geojson,
)
from cohort.settings import ENV_GEODATA_URL, PROJECT_ROOT, Settings, load_settings

logger = logging.getLogger(__name__)

DEFAULT_GEODATA_URL = "https://maps.amsterdam.nl/open_geodata/geojson_lnglat.php"
GEODATA_URL_ENV = ENV_GEODATA_URL
DOWNLOAD_TIMEOUT_S = 3.0  # the page waits for this; a dead network must not freeze it
MAX_BYTES = 30 * 1024 * 1024  # the official layers are ~0.1–0.6 MB; anything far larger is not one of them

# Amsterdam plus a margin; Weesp/Driemond reaches lon 5.108 (see PROVENANCE.md of the shared data).
LON_RANGE = (4.70, 5.12)
LAT_RANGE = (52.26, 52.45)

ATTRIBUTION_NL = "Gebiedsgrenzen: Gemeente Amsterdam (maps.amsterdam.nl/open_geodata)"
SCHEMATIC_NOTE_NL = (
    "Officiële gebiedsgrenzen zijn niet beschikbaar. De kaart is schematisch: elk gebied is een zeshoek "
    "op de globale ligging; vorm en grootte zeggen niets."
)

Source = Literal["configuratie", "cache", "download", "schematisch"]


class Division(StrEnum):
    """How the city is divided into areas; the value is the layer name of the open geodata service."""

    GEBIEDEN_2015 = "GEBIEDEN22"
    GEBIEDEN_2022 = "INDELING_GEBIED"
    STADSDELEN = "INDELING_STADSDEEL"

    @property
    def layer(self) -> str:
        return self.value

    @property
    def label_nl(self) -> str:
        return _LABELS_NL[self]


_LABELS_NL: dict[Division, str] = {
    Division.GEBIEDEN_2015: "gebieden 2015–2021",
    Division.GEBIEDEN_2022: "gebieden vanaf 2022",
    Division.STADSDELEN: "stadsdelen",
}

_CENTRES: dict[Division, dict[str, Centre]] = {
    Division.GEBIEDEN_2015: CENTRES_2015,
    Division.GEBIEDEN_2022: CENTRES_2022,
    Division.STADSDELEN: CENTRES_STADSDELEN,
}

# Property names per layer. Older layer versions used `Stadsdeel_code`; accept both where they differ.
_CODE_FIELDS: dict[Division, tuple[str, ...]] = {
    Division.GEBIEDEN_2015: ("Gebied_code",),
    Division.GEBIEDEN_2022: ("Gebiedcode",),
    Division.STADSDELEN: ("Stadsdeelcode", "Stadsdeel_code"),
}
_NAME_FIELDS: dict[Division, tuple[str, ...]] = {
    Division.GEBIEDEN_2015: ("Gebied",),
    Division.GEBIEDEN_2022: ("Gebied",),
    Division.STADSDELEN: ("Stadsdeel",),
}

# Hex-grid spacing of the schematic tiles: about the distance between neighbouring area centres.
_SCHEMATIC_SPACING_M: dict[Division, float] = {
    Division.GEBIEDEN_2015: 2200.0,
    Division.GEBIEDEN_2022: 2200.0,
    Division.STADSDELEN: 4000.0,
}

_STADSDEEL_BY_NAME: dict[str, str] = {
    **{re.sub(r"[\s-]", "", name.lower()): code for code, name in STADSDEEL_NAMES.items()},
    "zuidoost": "T",
    "stadsdeelcentrum": "A",
}
_GEBIED_2015 = re.compile(r"^DX(\d{2})$")


def expected_codes(division: Division) -> frozenset[str]:
    """Codes an official layer must contain (extra features, such as Westpoort `Dxxx`, are allowed)."""
    return frozenset(_CENTRES[division])


def area_centre(division: Division, code: str) -> tuple[float, float] | None:
    """Approximate centre (lon, lat) of a known area: a good label point on the official map."""
    centre = _CENTRES[division].get(canonical_code(division, code))
    return None if centre is None else (centre.lon, centre.lat)


def canonical_code(division: Division, code: str) -> str:
    """The code as the boundary files spell it: trimmed, upper case; stadsdeel names become their letter."""
    text = str(code).strip()
    if division is Division.STADSDELEN:
        key = re.sub(r"[\s-]", "", text.lower())
        if key in _STADSDEEL_BY_NAME:
            return _STADSDEEL_BY_NAME[key]
    return text.upper()


def _division_of(code: str) -> Division | None:
    text = str(code).strip().upper()
    match = _GEBIED_2015.match(text)
    if (match and 1 <= int(match.group(1)) <= 22) or text == "DXXX":
        return Division.GEBIEDEN_2015
    if text in CENTRES_2022:
        return Division.GEBIEDEN_2022
    if canonical_code(Division.STADSDELEN, code) in CENTRES_STADSDELEN:
        return Division.STADSDELEN
    return None


def detect_division(codes: list[str]) -> Division | None:
    """The division all (non-blank) area codes belong to; None when empty, mixed or unrecognised.

    Pass area codes only (soort = gebied): target-group codes are not areas.
    """
    found = {_division_of(c) for c in codes if c is not None and str(c).strip()}
    if len(found) != 1:
        return None
    return found.pop()


@dataclass(frozen=True)
class Boundaries:
    division: Division
    geojson: dict[str, Any]  # FeatureCollection; every feature has properties code, naam, stadsdeel
    source: Source
    note_nl: str | None  # shown beside the map when set
    is_official: bool
    attempts: tuple[str, ...] = field(default_factory=tuple)  # Dutch, one line per skipped or used step
    location: str | None = None  # path or URL actually used

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(f["properties"]["code"] for f in self.geojson["features"])


class InvalidBoundaries(ValueError):
    """A candidate file is not a usable boundary layer; the message is Dutch and says why."""


# --- validation


def _positions(coordinates: Any, depth: int) -> Iterator[Any]:
    # depth: 2 for Polygon (rings of positions), 3 for MultiPolygon.
    if not isinstance(coordinates, list):
        raise InvalidBoundaries("coördinaten hebben een onverwachte vorm")
    if depth == 0:
        yield coordinates
        return
    for part in coordinates:
        yield from _positions(part, depth - 1)


def _check_geometry(geometry: Any, code: str) -> None:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else geometry
        raise InvalidBoundaries(f"gebied {code}: geometrie is {kind!s}, verwacht Polygon of MultiPolygon")
    depth = 2 if geometry["type"] == "Polygon" else 3
    count = 0
    for position in _positions(geometry.get("coordinates"), depth):
        count += 1
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
            or not all(math.isfinite(v) for v in position[:2])
        ):
            raise InvalidBoundaries(f"gebied {code}: ongeldig coördinaatpunt {str(position)[:40]}")
        lon, lat = position[0], position[1]
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            raise InvalidBoundaries(
                f"gebied {code}: punt ({lon}, {lat}) ligt buiten Amsterdam "
                "(verwacht lengtegraad 4,70–5,12 en breedtegraad 52,26–52,45; WGS84 lon/lat)"
            )
    if count == 0:
        raise InvalidBoundaries(f"gebied {code}: geometrie zonder punten")


def _first(properties: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if properties.get(name) not in (None, ""):
            return properties[name]
    return None


def normalise(document: Any, division: Division) -> dict[str, Any]:
    """Validate a parsed GeoJSON document for `division`; return it with properties code, naam, stadsdeel.

    Raises InvalidBoundaries with a Dutch reason.
    """
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InvalidBoundaries("geen GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise InvalidBoundaries("de FeatureCollection bevat geen gebieden")
    code_fields = _CODE_FIELDS[division]
    normalised = []
    for index, feature in enumerate(features):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            raise InvalidBoundaries(f"object {index + 1} heeft geen properties")
        raw_code = _first(properties, code_fields)
        if raw_code is None:
            raise InvalidBoundaries(
                f"object {index + 1} mist het codeveld {' of '.join(code_fields)} "
                f"(is dit wel de laag {division.layer}?)"
            )
        code = canonical_code(division, str(raw_code))  # the join key; values are canonicalised the same way
        _check_geometry(feature.get("geometry"), code)
        naam = _first(properties, _NAME_FIELDS[division])
        if division is Division.STADSDELEN:
            stadsdeel = str(naam or STADSDEEL_NAMES.get(code, ""))
        else:
            letter = str(_first(properties, ("Stadsdeelcode", "Stadsdeel_code")) or "").strip()
            stadsdeel = str(properties.get("Stadsdeel") or STADSDEEL_NAMES.get(letter, ""))
        normalised.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {"code": code, "naam": str(naam or code), "stadsdeel": stadsdeel},
            }
        )
    missing = sorted(expected_codes(division) - {f["properties"]["code"] for f in normalised})
    if missing:
        raise InvalidBoundaries(f"codes ontbreken: {', '.join(missing)}")
    return {"type": "FeatureCollection", "features": normalised}


def parse_and_normalise(payload: bytes, division: Division) -> dict[str, Any]:
    try:
        document = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidBoundaries(f"geen geldige JSON ({error.__class__.__name__})") from error
    return normalise(document, division)


# --- I/O


def _is_url(source: str) -> bool:
    return urllib.parse.urlsplit(source).scheme in ("http", "https")


def _fetch_within_deadline(url: str, timeout: float, deadline: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "cohortmonitor/0.1"})
    chunks: list[bytes] = []
    size = 0
    with urllib.request.urlopen(request, timeout=timeout) as response:
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(f"time-out na {timeout:g} s")
            chunk = response.read(64 * 1024)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BYTES:
                raise OSError(f"antwoord groter dan {MAX_BYTES // (1024 * 1024)} MB")
            chunks.append(chunk)
    return b"".join(chunks)


def fetch_bytes(url: str, timeout: float) -> bytes:
    """GET `url` within `timeout` seconds in total (not per socket read), at most MAX_BYTES.

    Raises OSError (including urllib errors and TimeoutError) with a readable message.
    """
    deadline = time.monotonic() + timeout
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["payload"] = _fetch_within_deadline(url, timeout, deadline)
        except BaseException as error:  # handed to the caller's thread below
            outcome["error"] = error

    # A thread, because urllib's timeout does not cover the DNS lookup: a broken resolver on a machine
    # without network could otherwise block the page far longer than `timeout`. A thread given up on
    # ends by itself (daemon, and its socket has the same timeout).
    worker = threading.Thread(target=run, name="cohort-boundaries-download", daemon=True)
    worker.start()
    worker.join(timeout + 0.25)
    if worker.is_alive():
        raise TimeoutError(f"time-out na {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["payload"]


def _describe_error(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP-fout {error.code}"
    if isinstance(error, TimeoutError) or "timed out" in str(error):
        return "time-out (server reageert niet op tijd)"
    if isinstance(error, urllib.error.URLError):
        return f"niet bereikbaar ({error.reason})"
    return str(error) or error.__class__.__name__


def write_atomically(path: Path, payload: bytes) -> None:
    """Write via a temporary file in the same directory and os.replace, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def cache_path(division: Division, settings: Settings) -> Path:
    return Path(settings.cache_dir) / "boundaries" / f"{division.layer}.geojson"


def geodata_url(division: Division, base_url: str | None = None) -> str:
    base = base_url or load_settings().geodata_url or DEFAULT_GEODATA_URL
    query = urllib.parse.urlencode({"KAARTLAAG": division.layer, "THEMA": "gebiedsindeling"})
    return f"{base}{'&' if '?' in base else '?'}{query}"


def _configured_location(source: str, division: Division) -> str:
    location = source.replace("{layer}", division.layer)
    if _is_url(location):
        return location
    path = Path(location).expanduser()
    if not path.is_absolute() and not path.exists():
        path = PROJECT_ROOT / path  # relative to the project, so settings work from any working directory
    if path.is_dir():
        path = path / f"{division.layer}.geojson"
    return str(path)


def _read_location(location: str, timeout: float) -> bytes:
    if _is_url(location):
        return fetch_bytes(location, timeout)
    path = Path(location)
    if path.stat().st_size > MAX_BYTES:
        raise OSError(f"bestand groter dan {MAX_BYTES // (1024 * 1024)} MB")
    return path.read_bytes()


# --- resolution


def schematic_boundaries(division: Division, attempts: tuple[str, ...] = ()) -> Boundaries:
    return Boundaries(
        division=division,
        geojson=schematic_geojson(_CENTRES[division], _SCHEMATIC_SPACING_M[division]),
        source="schematisch",
        note_nl=SCHEMATIC_NOTE_NL,
        is_official=False,
        attempts=(*attempts, "Schematische kaart gebruikt."),
        location=None,
    )


def resolve_boundaries(
    division: Division,
    settings: Settings,
    *,
    timeout: float = DOWNLOAD_TIMEOUT_S,
    geodata_base_url: str | None = None,
) -> Boundaries:
    """Official boundaries for `division` (configuration, cache, download) or else the schematic fallback.

    Never raises for missing or bad files: every failure becomes a Dutch line in `attempts`.
    """
    attempts: list[str] = []

    def skip(step: str, reason: str) -> None:
        message = f"{step}: {reason}"
        attempts.append(message)
        logger.info("boundaries %s: %s", division.layer, message)

    def official(geojson: dict[str, Any], source: Source, location: str) -> Boundaries:
        attempts.append(f"{source.capitalize()}: gebruikt ({location}).")
        return Boundaries(division, geojson, source, None, True, tuple(attempts), location)

    # 1. Configuration: an explicit choice by the operator, so it wins over everything else.
    if settings.boundaries_source:
        location = _configured_location(settings.boundaries_source, division)
        try:
            return official(parse_and_normalise(_read_location(location, timeout), division),
                            "configuratie", location)
        except InvalidBoundaries as error:
            skip("Configuratie", f"{location} is ongeldig: {error}")
        except (OSError, ValueError) as error:
            skip("Configuratie", f"{location} niet te lezen: {_describe_error(error)}")
    else:
        skip("Configuratie", "geen bron ingesteld (COHORT_BOUNDARIES)")

    # 2. Cache of an earlier download.
    cached = cache_path(division, settings)
    if cached.is_file():
        try:
            return official(parse_and_normalise(cached.read_bytes(), division), "cache", str(cached))
        except InvalidBoundaries as error:
            skip("Cache", f"{cached} is ongeldig: {error}")
        except OSError as error:
            skip("Cache", f"{cached} niet te lezen: {_describe_error(error)}")
    else:
        skip("Cache", f"geen eerdere download ({cached})")

    # 3. Download from the open geodata service.
    if settings.boundaries_download:
        url = geodata_url(division, geodata_base_url)
        try:
            payload = fetch_bytes(url, timeout)
            geojson = parse_and_normalise(payload, division)
        except InvalidBoundaries as error:
            skip("Download", f"{url} gaf geen bruikbare grenzen: {error}")
        except (OSError, ValueError) as error:
            skip("Download", f"{url} mislukt: {_describe_error(error)}")
        else:
            try:
                write_atomically(cached, payload)  # the raw file, so the cache is what the city served
            except OSError as error:
                skip("Cache", f"opslaan in {cached} mislukt: {_describe_error(error)}")
            return official(geojson, "download", url)
    else:
        skip("Download", "uitgeschakeld (COHORT_BOUNDARIES_DOWNLOAD)")

    # 4. Schematic fallback.
    logger.warning("boundaries %s: no official boundaries, using schematic tiles", division.layer)
    return schematic_boundaries(division, tuple(attempts))


# --- operator command


def fetch_layer(
    division: Division, settings: Settings, *, timeout: float, geodata_base_url: str | None = None
) -> Path:
    """Download, validate and cache one layer; returns the cache path. Raises OSError or InvalidBoundaries."""
    payload = fetch_bytes(geodata_url(division, geodata_base_url), timeout)
    geojson = parse_and_normalise(payload, division)
    target = cache_path(division, settings)
    write_atomically(target, payload)
    logger.info("cached %s (%d areas) in %s", division.layer, len(geojson["features"]), target)
    return target
