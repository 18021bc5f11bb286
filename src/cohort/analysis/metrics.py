"""Indicators as pure functions on Polars frames.

Definitions (also shown on the "Over de data" page):
- Status on a peildatum: `geen` (no start), `gepland` (start after the peildatum), `afgerond` (eind on or before
  the peildatum), otherwise `actief`.
- A unit is *in cohort* from the month in which its start date falls up to and including the month of its
  end date (eind empty = still running); a start on 15 September counts September as a cohort month, the
  same as in the difference-in-differences (`cohort.analysis.did`). *Comparison* unit-months are areas not yet
  started or never in the cohort approach. Finished areas after their eind belong to neither group.
- Outflow to work per 1,000 persons on welfare per month = uitstroom_werk / bijstand × 1,000, pooled over
  unit-months (Σ events / Σ persons), so large areas weigh by their size.
- Complaints per 1,000 conversations = Σ complaints / Σ gesprekken × 1,000, exact Poisson interval.
- City totals count `gebied` rows only; target groups are reported beside them, never added.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from cohort.analysis.stats import RateRatio, rate_ratio
from cohort.contract import COMPLAINT_COLUMNS, STATUS_ORDER, Status, UnitKind

PER = 1000  # rates are per 1,000 persons (or conversations)


def status_expr(peildatum: date) -> pl.Expr:
    """Status of each unit on the peildatum, as an expression over `start` and `eind`."""
    return (
        pl.when(pl.col("start").is_null())
        .then(pl.lit(Status.NEVER.value))
        .when(pl.col("start") > peildatum)
        .then(pl.lit(Status.PLANNED.value))
        .when(pl.col("eind").is_not_null() & (pl.col("eind") <= peildatum))
        .then(pl.lit(Status.FINISHED.value))
        .otherwise(pl.lit(Status.ACTIVE.value))
        .alias("status")
    )


def with_status(units: pl.DataFrame, peildatum: date) -> pl.DataFrame:
    return units.with_columns(status_expr(peildatum))


def status_counts(units: pl.DataFrame, peildatum: date) -> dict[Status, int]:
    """Number of units per status (all four statuses present, zero where none)."""
    counts = with_status(units, peildatum).group_by("status").len()
    found = dict(zip(counts.get_column("status"), counts.get_column("len"), strict=True))
    return {s: int(found.get(s.value, 0)) for s in STATUS_ORDER}


def phase_expr() -> pl.Expr:
    """A monthly row's phase from its unit's `start` and `eind` (columns joined onto it; see `with_phase`)."""
    return (
        pl.when(pl.col("start").is_null())
        .then(pl.lit("geen"))
        .when(pl.col("maand") < pl.col("start").dt.truncate("1mo"))
        .then(pl.lit("voor"))
        .when(pl.col("eind").is_not_null() & (pl.col("maand") > pl.col("eind")))
        .then(pl.lit("na"))
        .otherwise(pl.lit("cohort"))
    )


def comparison_expr(phase: pl.Expr) -> pl.Expr:
    """True for the comparison unit-months: areas in phase `voor` or `geen` (`soort` joined onto the row)."""
    return (pl.col("soort") == UnitKind.AREA) & phase.is_in(["voor", "geen"])


def with_phase(monthly: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Monthly rows with the unit's attributes and its phase in that month.

    phase: `cohort` (in cohort), `voor` (area not yet started), `geen` (never), `na` (after its eind).
    `vergelijking` is True for the comparison unit-months: `voor` or `geen` areas.
    """
    joined = monthly.join(units.select("code", "naam", "soort", "stadsdeel", "start", "eind"), on="code")
    return joined.with_columns(phase_expr().alias("fase")).with_columns(
        (pl.col("fase") == "cohort").alias("in_cohort"),
        comparison_expr(pl.col("fase")).alias("vergelijking"),
        pl.sum_horizontal(*COMPLAINT_COLUMNS).alias("klachten"),
    )


def in_period(frame: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    return frame.filter(pl.col("maand").is_between(first, last))


def outflow_cohort_vs_comparison(phased: pl.DataFrame, first: date, last: date) -> RateRatio | None:
    """Outflow to work per person-month, in-cohort area-months vs comparison area-months, pooled.

    This is the raw comparison behind "twice as high"; the Wald interval treats person-months as independent,
    so it is too narrow when areas differ (the difference-in-differences estimate addresses that).
    None when either group has no person-months in the selection (e.g. only active areas chosen).
    """
    areas = in_period(phased.filter(pl.col("soort") == UnitKind.AREA), first, last)
    sums = areas.select(
        pl.col("uitstroom_werk").filter(pl.col("in_cohort")).sum().alias("a"),
        pl.col("bijstand").filter(pl.col("in_cohort")).sum().alias("pa"),
        pl.col("uitstroom_werk").filter(pl.col("vergelijking")).sum().alias("b"),
        pl.col("bijstand").filter(pl.col("vergelijking")).sum().alias("pb"),
    ).row(0, named=True)
    if not sums["pa"] or not sums["pb"]:
        return None
    return rate_ratio(int(sums["a"] or 0), int(sums["pa"]), int(sums["b"] or 0), int(sums["pb"]))
