"""The rollout timeline of the page "Uitrol per gebied" (its numbers come from `cohort.pagemodels.rollout`)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from cohort.analysis.metrics import with_status
from cohort.contract import UnitKind


def timeline_rows(units: pl.DataFrame, peildatum: date, data_end: date) -> pl.DataFrame:
    """Cohort periods to draw: one row per started unit, with its status on the peildatum.

    `eind_getekend` is the end to draw: the unit's eind, or the last day of the data for an open-ended period
    (`open_einde` True), so a running period is visibly unfinished instead of silently cut off.
    Columns: code, naam, soort, stadsdeel, status, start, eind, eind_getekend, open_einde. Areas first (by start),
    then target groups (by start). Units without a start are not in the timeline (see `never_started`).
    """
    last_day = _month_last_day(data_end)
    return (
        with_status(units, peildatum)
        .filter(pl.col("start").is_not_null())
        .with_columns(
            pl.col("eind").is_null().alias("open_einde"),
            # A period that starts after the data end is drawn as a sliver at its start, never backwards.
            pl.coalesce(pl.col("eind"), pl.max_horizontal(pl.col("start"), pl.lit(last_day))).alias("eind_getekend"),
        )
        .sort(pl.col("soort") != UnitKind.AREA, "start", "code")
        .select("code", "naam", "soort", "stadsdeel", "status", "start", "eind", "eind_getekend", "open_einde")
    )


def never_started(units: pl.DataFrame) -> pl.DataFrame:
    """Units without a cohort period (shown as a note beside the timeline)."""
    return units.filter(pl.col("start").is_null()).sort("code")


def _month_last_day(month: date) -> date:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
