"""What a briefing shows: one frozen object of already formatted, already protected Dutch text and small series.

The page models fill a ``BriefingData``; the renderer only lays it out. Nothing here computes or formats a
count, so the briefing can show no number that the disclosure control of the page model did not see: every
value is a string as the page shows it ("13.240", "<5", "×", "—*"), and a hidden point of the time series is
``None`` with ``hidden=True`` (drawn as a gap with the sign), never its value.

Geometries are plain lon/lat rings (``rings_from_geometry``, ``locator_from_geojson``), so the renderer needs no
map code and the caller may pass official boundaries or the schematic hexagons alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from cohort.contract import Status

Ring = tuple[tuple[float, float], ...]  # closed or open ring of (lon, lat); WGS84
LineRole = Literal["cohort", "comparison", "complaints", "city"]  # decides the colour (cohort.charts.palette)


def _require_text(value: str, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"briefing: {what} ontbreekt (lege tekst)")


@dataclass(frozen=True)
class KeyFigure:
    """A tile: a label, the value as shown ("13.240", "<5", "—*") and an optional line under it."""

    label: str  # "Klachten per 1.000 gesprekken"
    value: str  # "2,27"
    detail: str = ""  # "95%-interval 1,53 – 3,23 (exacte Poisson)"; an interval belongs here

    def __post_init__(self) -> None:
        _require_text(self.label, "het label van een kerncijfer")
        _require_text(self.value, f"de waarde van ‘{self.label}’")


@dataclass(frozen=True)
class OutflowEstimate:
    """One estimate of outflow to work: its name, the headline value ("2,0×") and what it compares."""

    label: str  # "Ruwe vergelijking"
    value: str  # "2,0×"
    detail: str  # "13,2 vs 6,7 per 1.000 per maand; 95%-interval 1,9 – 2,1"

    def __post_init__(self) -> None:
        _require_text(self.label, "het label van een uitstroomschatting")
        _require_text(self.value, f"de waarde van ‘{self.label}’")


@dataclass(frozen=True)
class Outflow:
    """Both estimates side by side, and one line that says how to read them together."""

    raw: OutflowEstimate  # the letter's "twice as high": cohort months vs areas without a running cohort
    did: OutflowEstimate  # staggered difference-in-differences
    reading: str  # e.g. cohort.analysis.outflow.fair_comparison_sentence(...), or why it cannot be computed

    def __post_init__(self) -> None:
        _require_text(self.reading, "de leesregel bij de uitstroom")


@dataclass(frozen=True)
class SeriesLine:
    """One line of the time series. ``values[i]`` is None where there is nothing to draw; ``hidden[i]`` says
    that it is None because disclosure control hid it (a gap with the sign) rather than missing data (a gap)."""

    label: str  # legend text, "Osdorp (cohortmaanden)"
    role: LineRole
    values: tuple[float | None, ...]
    hidden: tuple[bool, ...] = ()  # empty: nothing hidden

    def __post_init__(self) -> None:
        _require_text(self.label, "de naam van een lijn in de tijdreeks")
        if self.hidden and len(self.hidden) != len(self.values):
            raise ValueError(
                f"briefing: lijn ‘{self.label}’ heeft {len(self.values)} waarden maar {len(self.hidden)} "
                "verborgen-vlaggen"
            )
        for index, (value, hidden) in enumerate(zip(self.values, self.is_hidden, strict=True)):
            if hidden and value is not None:
                # A hidden value that still carries its number would be drawn: refuse rather than leak it.
                raise ValueError(f"briefing: lijn ‘{self.label}’, punt {index + 1} is verborgen maar heeft een waarde")

    @property
    def is_hidden(self) -> tuple[bool, ...]:
        return self.hidden or (False,) * len(self.values)


@dataclass(frozen=True)
class TimeSeries:
    """A small line chart: months on the x-axis, one to three lines, hidden points as gaps with the sign."""

    title: str  # "Uitstroom naar werk per maand"
    unit: str  # "per 1.000 personen in de bijstand"
    periods: tuple[date, ...]  # first day of each month, ascending
    lines: tuple[SeriesLine, ...]
    hidden_sign: str = "—*"  # cohort.privacy.rules.HIDDEN_RATE_TEXT for rates; "<5" for counts
    note: str = ""  # one line under the chart
    band: tuple[date, date] | None = None  # months to shade, e.g. the area's cohort period (first, last month)
    band_label: str = ""  # its legend text, "cohortperiode"

    def __post_init__(self) -> None:
        _require_text(self.title, "de titel van de tijdreeks")
        if not self.lines:
            raise ValueError(f"briefing: tijdreeks ‘{self.title}’ heeft geen lijnen")
        if len(self.lines) > 3:
            raise ValueError(f"briefing: tijdreeks ‘{self.title}’ heeft {len(self.lines)} lijnen; hooguit 3 passen")
        if list(self.periods) != sorted(set(self.periods)):
            raise ValueError(f"briefing: de maanden van tijdreeks ‘{self.title}’ zijn niet oplopend en uniek")
        if self.band is not None and self.band[0] > self.band[1]:
            raise ValueError(f"briefing: de gearceerde periode van ‘{self.title}’ eindigt voor zij begint")
        for line in self.lines:
            if len(line.values) != len(self.periods):
                raise ValueError(
                    f"briefing: lijn ‘{line.label}’ heeft {len(line.values)} waarden voor "
                    f"{len(self.periods)} maanden"
                )


@dataclass(frozen=True)
class LocatorShape:
    """One area on the locator map: every ring of its (multi)polygon, drawn with the even-odd rule."""

    name: str
    rings: tuple[Ring, ...]
    highlighted: bool = False

    def __post_init__(self) -> None:
        if not self.rings or any(len(ring) < 3 for ring in self.rings):
            raise ValueError(
                f"briefing: gebied ‘{self.name}’ op de situatiekaart heeft een ring met minder dan 3 punten"
            )


@dataclass(frozen=True)
class Locator:
    """The small map that shows where the area lies; nothing highlighted for the whole city."""

    shapes: tuple[LocatorShape, ...]
    caption: str  # "Ligging van Osdorp"
    note: str = ""  # e.g. "Schematische kaart: officiële grenzen niet beschikbaar."

    def __post_init__(self) -> None:
        if not self.shapes:
            raise ValueError("briefing: de situatiekaart heeft geen gebieden")


@dataclass(frozen=True)
class BriefingData:
    """Everything on the one-page briefing, as the viewer may see it.

    ``title`` is the city, area or stadsdeel name; ``subtitle`` says which ("Gebied in stadsdeel Nieuw-West").
    ``status`` is the area's status or the city's count of areas per status on the peildatum; ``status_key``
    colours a chip for one area (None for the city). ``sign_legend`` explains the signs that may appear
    (``cohort.privacy.rules.small_number_note_nl(rule, with_totals=True)`` plus "— : geen gegevens").
    ``example_label`` is set when the data are the illustrative example data; ``warning`` when small numbers
    are not hidden (an evaluator's own view: ``small_number_note_nl`` of a disabled rule).
    """

    title: str
    subtitle: str
    peildatum: str  # "30 juni 2021"
    status: str  # "Actief" or "7 gebieden afgerond, 6 actief, 9 gepland"
    cohort_period: str  # "december 2019 tot en met november 2020"
    counting_period: str  # "januari 2018 tot en met juni 2021"
    conversations: KeyFigure
    complaints: KeyFigure
    complaint_rate: KeyFigure
    outflow: Outflow
    series: TimeSeries
    source: str  # the dataset's source line
    dataset_name: str
    dataset_id: str  # the content id (or a short form of it); "voorbeeld" for the bundled example
    sign_legend: str
    status_key: Status | None = None
    locator: Locator | None = None
    example_label: str | None = None
    warning: str | None = None
    extra_lines: tuple[str, ...] = field(default_factory=tuple)  # e.g. the target groups beside the areas

    def __post_init__(self) -> None:
        for name in ("title", "peildatum", "status", "cohort_period", "counting_period", "dataset_name",
                     "dataset_id", "sign_legend"):
            _require_text(getattr(self, name), name)

    @property
    def document_title(self) -> str:
        """The PDF's title (shown by viewers instead of the file name)."""
        return f"Briefing Cohortaanpak: {self.title}, peildatum {self.peildatum}"


# --- geometries from GeoJSON, so the caller needs no code of its own to fill a Locator


def rings_from_geometry(geometry: Mapping[str, Any]) -> tuple[Ring, ...]:
    """Every ring of a GeoJSON Polygon or MultiPolygon, as (lon, lat) tuples (holes included: even-odd fill)."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        raise ValueError(f"briefing: geometrie is {kind!s}, verwacht Polygon of MultiPolygon")
    return tuple(
        tuple((float(point[0]), float(point[1])) for point in ring)
        for polygon in polygons
        for ring in polygon
    )


def locator_from_geojson(
    feature_collection: Mapping[str, Any],
    highlight: Iterable[str],
    caption: str,
    note: str = "",
) -> Locator:
    """A Locator from a FeatureCollection with properties ``code`` and ``naam`` (cohort.map.boundaries /
    cohort.map.schematic); the features whose code is in ``highlight`` are highlighted (none for the city)."""
    wanted = set(highlight)
    shapes = tuple(
        LocatorShape(
            name=str(feature["properties"].get("naam") or feature["properties"].get("code")),
            rings=rings_from_geometry(feature["geometry"]),
            highlighted=feature["properties"].get("code") in wanted,
        )
        for feature in feature_collection["features"]
    )
    return Locator(shapes=shapes, caption=caption, note=note)
