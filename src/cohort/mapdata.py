"""Values per area (or stadsdeel) for the map: one row per area with the chosen indicator, pure Polars.

The stadsdeel level aggregates the areas with the same core metrics (sums of counts, pooled rates), never by
averaging area rates. Target groups have no place on the map; `target_group_values` lists them beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from cohort.boundaries import Division, canonical_code, detect_division
from cohort.contract import Status, UnitKind
from cohort.fmt import fmt_dec, fmt_int
from cohort.mapdeck import STATUS_INDICATOR, Indicator
from cohort.metrics import PER, status_expr, with_phase
from cohort.privacy import DEFAULT_RULE, SuppressionRule, count_text

COUNTS = ["bijstand", "gesprekken", "uitstroom_werk", "klachten"]


@dataclass(frozen=True)
class MapIndicator:
    key: str  # URL-friendly (query parameter value)
    label: str
    unit: str
    decimals: int
    is_rate: bool


MAP_INDICATORS: dict[str, MapIndicator] = {
    "status": MapIndicator("status", "Status cohortaanpak", "", 0, False),
    "uitstroom_werk": MapIndicator("uitstroom_werk", "Uitstroom naar werk", "per 1.000 per maand", 1, True),
    "klachten": MapIndicator("klachten", "Klachten", "per 1.000 gesprekken", 2, True),
    "gesprekken": MapIndicator("gesprekken", "Gesprekken", "aantal in de periode", 0, False),
    "bijstand": MapIndicator("bijstand", "Personen in de bijstand", "op de peildatum", 0, False),
}


def _status_of_group(statuses: pl.Expr) -> pl.Expr:
    """A stadsdeel is `actief` while any of its areas runs, `afgerond` when all that started have finished."""
    return (
        pl.when(statuses.is_in([Status.ACTIVE.value]).any())
        .then(pl.lit(Status.ACTIVE.value))
        .when(statuses.is_in([Status.PLANNED.value]).any() & statuses.is_in([Status.FINISHED.value]).any())
        .then(pl.lit(Status.ACTIVE.value))
        .when(statuses.is_in([Status.FINISHED.value]).any())
        .then(pl.lit(Status.FINISHED.value))
        .when(statuses.is_in([Status.PLANNED.value]).any())
        .then(pl.lit(Status.PLANNED.value))
        .otherwise(pl.lit(Status.NEVER.value))
    )


def area_totals(units: pl.DataFrame, monthly: pl.DataFrame, peildatum: date, level: str) -> pl.DataFrame:
    """Per area (level "gebied") or stadsdeel: status, period, counts in the months given, stock at the peildatum.

    Columns: code, naam, stadsdeel, status, start, eind, bijstand (at the peildatum month), persoonsmaanden,
    gesprekken, uitstroom_werk, klachten.
    """
    areas = units.filter(pl.col("soort") == UnitKind.AREA).with_columns(status_expr(peildatum))
    phased = with_phase(monthly, areas)
    peil_month = peildatum.replace(day=1)
    sums = phased.group_by("code").agg(
        pl.col("bijstand").filter(pl.col("maand") == peil_month).sum().alias("bijstand"),
        pl.col("bijstand").sum().alias("persoonsmaanden"),
        pl.col("gesprekken").sum(),
        pl.col("uitstroom_werk").sum(),
        pl.col("klachten").sum(),
    )
    per_area = areas.join(sums, on="code", how="left").with_columns(
        pl.col(c).fill_null(0) for c in ("bijstand", "persoonsmaanden", "gesprekken", "uitstroom_werk", "klachten")
    )
    if level != "stadsdeel":
        return per_area.select("code", "naam", "stadsdeel", "status", "start", "eind", "persoonsmaanden", *COUNTS)
    return (
        per_area.group_by("stadsdeel")
        .agg(
            _status_of_group(pl.col("status")).alias("status"),
            pl.col("start").min(),
            pl.when(pl.col("eind").is_null().any()).then(None).otherwise(pl.col("eind").max()).alias("eind"),
            pl.col("persoonsmaanden").sum(),
            *(pl.col(c).sum() for c in COUNTS),
        )
        .with_columns(
            pl.col("stadsdeel").map_elements(
                lambda name: canonical_code(Division.STADSDELEN, name), return_dtype=pl.String
            ).alias("code"),
            pl.col("stadsdeel").alias("naam"),
        )
        .select("code", "naam", "stadsdeel", "status", "start", "eind", "persoonsmaanden", *COUNTS)
        .sort("code")
    )


def indicator_values(
    totals: pl.DataFrame, key: str, threshold: int, protected: frozenset[str] = frozenset()
) -> pl.DataFrame:
    """Add `value` and Dutch `value_text` for one indicator; rates on a numerator of 1..threshold-1 are hidden.

    Hidden rates have value null and text "—" (their area turns grey); hidden counts show "<5". `protected` are
    codes whose complaint counts the shared protection (`complaints.protect_complaints`) hides to shield another
    count; their complaint rate is hidden too, or the map would give away what the other pages hide.
    """
    spec = MAP_INDICATORS[key]
    if key == "status":
        return totals.with_columns(pl.lit(None, dtype=pl.Float64).alias("value"), pl.lit("").alias("value_text"))
    if key == "uitstroom_werk":
        numerator, value = pl.col("uitstroom_werk"), pl.col("uitstroom_werk") / pl.col("persoonsmaanden") * PER
    elif key == "klachten":
        numerator, value = pl.col("klachten"), pl.col("klachten") / pl.col("gesprekken") * PER
    else:
        numerator = value = pl.col(key).cast(pl.Float64)
    small = numerator.is_between(1, threshold - 1)
    if key == "klachten" and protected:
        small = small | pl.col("code").is_in(sorted(protected))
    frame = totals.with_columns(
        pl.when(small).then(None).otherwise(value).cast(pl.Float64).alias("value"),
        small.alias("_small"),
    ).with_columns(pl.when(pl.col("value").is_nan()).then(None).otherwise(pl.col("value")).alias("value"))
    texts = []
    for row in frame.iter_rows(named=True):
        if row["_small"]:
            texts.append("—" if spec.is_rate else f"<{threshold}")
        elif row["value"] is None:
            texts.append("—")
        else:
            number = fmt_dec(row["value"], spec.decimals) if spec.decimals else fmt_int(row["value"])
            texts.append(f"{number} {spec.unit}".strip() if spec.is_rate else number)
    return frame.drop("_small").with_columns(pl.Series("value_text", texts, dtype=pl.String))


def protected_codes(protected: pl.DataFrame, level: str) -> frozenset[str]:
    """Codes (areas, or stadsdeel letters) whose complaint count the shared protection hides."""
    if level == "stadsdeel":
        names = protected.filter((pl.col("tabel") == "stadsdeel") & pl.col("klachten_verborgen"))
        return frozenset(canonical_code(Division.STADSDELEN, n) for n in names.get_column("eenheid").to_list())
    rows = protected.filter((pl.col("tabel") == "gebied") & pl.col("klachten_verborgen"))
    return frozenset(rows.get_column("code").to_list())


def city_reference(totals: pl.DataFrame, key: str) -> float | None:
    """The city-wide value of a rate (pooled over all areas), the reference for above/below average."""
    sums = totals.select(pl.col("uitstroom_werk", "persoonsmaanden", "klachten", "gesprekken").sum()).row(0, named=True)
    if key == "uitstroom_werk" and sums["persoonsmaanden"]:
        return sums["uitstroom_werk"] / sums["persoonsmaanden"] * PER
    if key == "klachten" and sums["gesprekken"]:
        return sums["klachten"] / sums["gesprekken"] * PER
    return None


def map_indicator(key: str, totals: pl.DataFrame, *, compare_to_city: bool) -> Indicator:
    """The colouring for the map: status categories, classes light-to-dark, or above/below the city average."""
    spec = MAP_INDICATORS[key]
    if key == "status":
        return STATUS_INDICATOR
    if compare_to_city and spec.is_rate:
        return Indicator("diverging", spec.label, spec.unit, spec.decimals, reference=city_reference(totals, key))
    return Indicator("sequential", spec.label, spec.unit, spec.decimals)


def division_for(units: pl.DataFrame, level: str) -> Division | None:
    """The boundary division to draw: stadsdelen at that level, else the one the area codes belong to."""
    if level == "stadsdeel":
        return Division.STADSDELEN
    codes = units.filter(pl.col("soort") == UnitKind.AREA).get_column("code").to_list()
    return detect_division(codes)


def target_group_values(
    units: pl.DataFrame, monthly: pl.DataFrame, peildatum: date, rule: SuppressionRule = DEFAULT_RULE
) -> pl.DataFrame:
    """City-wide target groups with their figures, listed beside the map (they have no place on it).

    Complaints are shown as text ("<5" for 1–4, see `cohort.privacy`).
    """
    groups = units.filter(pl.col("soort") == UnitKind.TARGET_GROUP).with_columns(status_expr(peildatum))
    phased = with_phase(monthly, groups)
    sums = phased.group_by("code").agg(
        pl.col("gesprekken").sum(), pl.col("klachten").sum(), pl.col("uitstroom_werk").sum(),
        pl.col("bijstand").sum().alias("persoonsmaanden"),
    )
    return (
        groups.join(sums, on="code", how="left")
        .with_columns(
            (pl.col("uitstroom_werk") / pl.col("persoonsmaanden") * PER).alias("werk_per_1000"),
        )
        .with_columns(
            pl.col("klachten").map_elements(lambda n: count_text(n, rule), return_dtype=pl.String).alias("klachten")
        )
        .select("naam", "status", "gesprekken", "klachten", "werk_per_1000")
        .sort("naam")
    )


def area_series_table(area_monthly: pl.DataFrame, rule: SuppressionRule = DEFAULT_RULE) -> pl.DataFrame:
    """The numbers behind one area's monthly chart: persons, outflow to work and its rate (1–4 hidden)."""
    frame = area_monthly.sort("maand").select(
        "maand",
        "bijstand",
        "uitstroom_werk",
        (pl.col("uitstroom_werk") / pl.col("bijstand") * PER).alias("werk_per_1000"),
    )
    hidden = pl.col("uitstroom_werk").is_between(1, rule.threshold - 1) if rule.enabled else pl.lit(False)
    return frame.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in ("uitstroom_werk", "werk_per_1000")
    )
