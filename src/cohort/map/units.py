"""What the map is made of apart from its numbers: the indicators on offer, the units it draws (areas, or
stadsdelen made of their areas) with their status and cohort period, and the boundary division to draw.

Nothing here counts: every number on the map comes from the release (`cohort.pagemodels.map`). A stadsdeel's
numbers are sums of its areas' cells (pooled rates), never an average of area rates. Target groups have no place
on the map; the page lists them beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from cohort.analysis.metrics import status_expr
from cohort.contract import Status, UnitKind
from cohort.map.boundaries import Division, canonical_code, detect_division

MapLevel = Literal["gebied", "stadsdeel"]


@dataclass(frozen=True)
class MapIndicator:
    key: str  # URL-friendly (query parameter value)
    label: str
    unit: str
    decimals: int
    is_rate: bool

    @property
    def title(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


MAP_INDICATORS: dict[str, MapIndicator] = {
    "status": MapIndicator("status", "Status cohortaanpak", "", 0, False),
    "uitstroom_werk": MapIndicator("uitstroom_werk", "Uitstroom naar werk", "per 1.000 per maand", 1, True),
    "klachten": MapIndicator("klachten", "Klachten", "per 1.000 gesprekken", 2, True),
    "gesprekken": MapIndicator("gesprekken", "Gesprekken", "aantal in de periode", 0, False),
    "bijstand": MapIndicator("bijstand", "Personen in de bijstand", "op de peildatum", 0, False),
}


@dataclass(frozen=True)
class MapUnit:
    """One shape on the map: an area, or a stadsdeel standing for the selected areas in it."""

    code: str  # the area code, or the stadsdeel's letter (as the boundary files spell it)
    naam: str
    stadsdeel: str
    status: Status
    start: date | None
    eind: date | None
    members: tuple[str, ...]  # the area codes whose cells make up its numbers (itself for an area)


def map_level(selection_level: str) -> MapLevel:
    """The map draws stadsdelen at level "stadsdeel" and areas otherwise (the city level has no map of its own)."""
    return "stadsdeel" if selection_level == "stadsdeel" else "gebied"


def group_status(statuses: Sequence[Status]) -> Status:
    """A stadsdeel is active while any of its areas runs or some have finished and others are still planned;
    finished when all that started have finished; planned when none has started yet."""
    present = set(statuses)
    if Status.ACTIVE in present or {Status.PLANNED, Status.FINISHED} <= present:
        return Status.ACTIVE
    for status in (Status.FINISHED, Status.PLANNED):
        if status in present:
            return status
    return Status.NEVER


def group_period(periods: Sequence[tuple[date | None, date | None]]) -> tuple[date | None, date | None]:
    """From the first start to the last end of the areas that have a cohort period (open while one is open)."""
    started = [(start, end) for start, end in periods if start is not None]
    if not started:
        return None, None
    ends = [end for _, end in started]
    return min(start for start, _ in started), (None if None in ends else max(e for e in ends if e is not None))


def map_units(units: pl.DataFrame, peildatum: date, level: MapLevel) -> list[MapUnit]:
    """The areas among `units` (sorted by code), or per stadsdeel the areas in it (sorted by letter)."""
    areas = units.filter(pl.col("soort") == UnitKind.AREA).with_columns(status_expr(peildatum)).sort("code")
    rows = areas.select("code", "naam", "stadsdeel", "status", "start", "eind").to_dicts()
    if level == "gebied":
        return [MapUnit(r["code"], r["naam"], r["stadsdeel"] or "", Status(r["status"]), r["start"], r["eind"],
                        (r["code"],)) for r in rows]
    by_district: dict[str, list[dict]] = {}
    for row in rows:
        by_district.setdefault(row["stadsdeel"] or "", []).append(row)
    result = []
    for name, members in by_district.items():
        start, end = group_period([(r["start"], r["eind"]) for r in members])
        result.append(MapUnit(canonical_code(Division.STADSDELEN, name), name, name,
                              group_status([Status(r["status"]) for r in members]), start, end,
                              tuple(r["code"] for r in members)))
    return sorted(result, key=lambda unit: unit.code)


def division_for(units: pl.DataFrame, level: str) -> Division | None:
    """The boundary division to draw: stadsdelen at that level, else the one the area codes belong to."""
    if level == "stadsdeel":
        return Division.STADSDELEN
    codes = units.filter(pl.col("soort") == UnitKind.AREA).get_column("code").to_list()
    return detect_division(codes)


# What a rate on the map is compared with (`cohort.analysis.comparison.Benchmark` values, plus "geen": the plain value)
# and at which confidence level; keys are URL values, labels what the page shows (and Streamlit writes into the URL).
BENCHMARK_KEY = "maatstaf"
LEVEL_KEY = "betrouwbaarheid"
MAP_BENCHMARKS: dict[str, str] = {
    "stad": "Stedelijk gemiddelde",
    "vergelijking": "Gebieden zonder lopend cohort",
    "voor_start": "Zelfde gebied vóór de start",
    "geen": "Niet vergelijken: de waarde zelf",
}
MAP_LEVELS: dict[str, str] = {"95": "95% (donker: ook bij 99,8%)", "998": "99,8%"}
SPREAD_KEY = "spreiding"
MAP_SPREADS: dict[str, str] = {"ja": "Met spreiding tussen gebieden", "nee": "Alleen toeval (Poisson)"}
