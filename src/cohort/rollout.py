"""The rollout per unit: status, cohort period, conversations, complaints and outflow, for the page "Gebieden"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import polars as pl

from cohort.contract import Status, UnitKind
from cohort.fmt import fmt_dec, fmt_int
from cohort.metrics import PER, with_phase, with_status
from cohort.palette import STATUS_LABELS
from cohort.privacy import HIDDEN_RATE_TEXT, PROTECTED_TEXT, SuppressionRule


def unit_table(units: pl.DataFrame, monthly: pl.DataFrame, peildatum: date) -> pl.DataFrame:
    """One row per unit: what it looked like on the peildatum, counted over months up to the peildatum month.

    - gesprekken, klachten: sums over the months given up to the peildatum month.
    - klachten_per_1000: klachten / gesprekken × 1,000 (null without conversations).
    - uitstroom_werk_cohort, persoonsmaanden_cohort, werk_per_1000: outflow to work during the unit's cohort
      months (up to the peildatum month) per 1,000 persons per month, pooled (null without cohort months).
    - bijstand_peildatum: persons on welfare in the peildatum month (null when that month is not in the data).

    Columns: code, naam, soort, stadsdeel, status, start, eind, cohortmaanden, gesprekken, klachten,
    klachten_per_1000, uitstroom_werk_cohort, persoonsmaanden_cohort, werk_per_1000, bijstand_peildatum.
    Sorted: areas before target groups, then by start (never-started last), then code.
    """
    last = peildatum.replace(day=1)
    phased = with_phase(monthly, units).filter(pl.col("maand") <= last)
    cohort = pl.col("in_cohort")
    sums = phased.group_by("code").agg(
        pl.col("gesprekken").sum(),
        pl.col("klachten").sum(),
        cohort.sum().cast(pl.Int64).alias("cohortmaanden"),
        pl.col("uitstroom_werk").filter(cohort).sum().alias("uitstroom_werk_cohort"),
        pl.col("bijstand").filter(cohort).sum().alias("persoonsmaanden_cohort"),
        pl.col("bijstand").filter(pl.col("maand") == last).first().alias("bijstand_peildatum"),
    )
    table = with_status(units, peildatum).join(sums, on="code", how="left").with_columns(
        pl.col("gesprekken", "klachten", "cohortmaanden", "uitstroom_werk_cohort", "persoonsmaanden_cohort")
        .fill_null(0)
    )
    return (
        table.with_columns(
            pl.when(pl.col("gesprekken") > 0).then(pl.col("klachten") / pl.col("gesprekken") * PER)
            .alias("klachten_per_1000"),
            pl.when(pl.col("persoonsmaanden_cohort") > 0)
            .then(pl.col("uitstroom_werk_cohort") / pl.col("persoonsmaanden_cohort") * PER)
            .alias("werk_per_1000"),
        )
        .sort(pl.col("soort") != UnitKind.AREA, pl.col("start"), pl.col("code"), nulls_last=True)
        .select("code", "naam", "soort", "stadsdeel", "status", "start", "eind", "cohortmaanden", "gesprekken",
                "klachten", "klachten_per_1000", "uitstroom_werk_cohort", "persoonsmaanden_cohort",
                "werk_per_1000", "bijstand_peildatum")
    )


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


@dataclass(frozen=True)
class TableColumn:
    label: str  # Dutch column header
    kind: Literal["text", "date", "number"]
    formatter: Callable[[float], str] | None = None  # Dutch display text; the value itself stays numeric
    help: str | None = None


def _dec(decimals: int) -> Callable[[float], str]:
    return lambda value: fmt_dec(value, decimals)


# The table of the page "Gebieden", in display order. Numbers keep their numeric type (so sorting is numeric)
# and get Dutch display text through `formatter`: Streamlit's own number formats only know English separators.
TABLE_COLUMNS: dict[str, TableColumn] = {
    "naam": TableColumn("Naam", "text"),
    "code": TableColumn("Code", "text"),
    "soort": TableColumn("Soort", "text"),
    "stadsdeel": TableColumn("Stadsdeel", "text"),
    "status": TableColumn("Status op peildatum", "text"),
    "start": TableColumn("Start", "date"),
    "eind": TableColumn("Eind", "date", help="Leeg: nog geen einddatum."),
    "cohortmaanden": TableColumn("Cohortmaanden", "number", fmt_int,
                                 "Maanden in de cohortperiode tot en met de peildatum (binnen de gekozen periode)."),
    "gesprekken": TableColumn("Gesprekken", "number", fmt_int),
    "klachten": TableColumn("Klachten", "number", fmt_int),
    "klachten_per_1000": TableColumn("Klachten per 1.000 gesprekken", "number", _dec(2),
                                     "Leeg zonder gesprekken."),
    "werk_per_1000": TableColumn("Uitstroom naar werk per 1.000 (cohortmaanden)", "number", _dec(1),
                                 "Per 1.000 personen in de bijstand per maand, over de eigen cohortmaanden tot en "
                                 "met de peildatum. Leeg zonder cohortmaanden."),
    "bijstand_peildatum": TableColumn("In de bijstand op peildatum", "number", fmt_int,
                                      "Personen in de bijstand aan het eind van de peildatummaand."),
}


def unit_table_display(table: pl.DataFrame) -> pl.DataFrame:
    """`unit_table` with Dutch status and kind labels, in the columns and order of `TABLE_COLUMNS`."""
    return table.with_columns(
        pl.col("status").replace_strict({s.value: STATUS_LABELS[s] for s in Status}),
        pl.col("soort").replace_strict({UnitKind.AREA.value: "Gebied", UnitKind.TARGET_GROUP.value: "Doelgroep"}),
        pl.col("stadsdeel").fill_null("—"),  # target groups are city-wide; Streamlit would print "None"
    ).select(list(TABLE_COLUMNS))


# --- Small numbers (AVG) ----------------------------------------------------------------------------------------

HIDDEN_TEXTS: dict[str, str] = {
    "gesprekken": "<{t}",
    "klachten": PROTECTED_TEXT,
    "klachten_per_1000": HIDDEN_RATE_TEXT,
    "uitstroom_werk_cohort": "<{t}",
    "werk_per_1000": HIDDEN_RATE_TEXT,
    "bijstand_peildatum": "<{t}",
}


def protect_unit_table(table: pl.DataFrame, protected_units: pl.DataFrame, rule: SuppressionRule) -> pl.DataFrame:
    """`unit_table` with small numbers hidden: values null, plus a `<column>_verborgen` flag per column.

    Complaints come from the shared protected result (`complaints.protect_complaints`, table "gebied"): the
    overview and the Klachten page show totals of the same counts, so cells hidden there to protect a small one
    are hidden here too (all read "×"). The complaint rate is hidden with its count ("—*"). Outflow to work per
    1,000 is hidden when its numerator (persons, 1 to threshold-1) is; conversations and persons on welfare from
    1 to threshold-1 read "<5".
    """
    flags = protected_units.select("code", pl.col("klachten_verborgen").alias("_klachten"))
    out = table.join(flags, on="code", how="left").with_columns(
        (pl.col("_klachten").fill_null(False) & pl.lit(rule.enabled)).alias("klachten_verborgen")
    ).drop("_klachten")
    out = out.with_columns(
        pl.col("klachten_verborgen").alias("klachten_per_1000_verborgen"),
        *[_small(column, rule).alias(f"{column}_verborgen")
          for column in ("gesprekken", "uitstroom_werk_cohort", "bijstand_peildatum")],
    ).with_columns(pl.col("uitstroom_werk_cohort_verborgen").alias("werk_per_1000_verborgen"))
    return out.with_columns(
        pl.when(pl.col(f"{column}_verborgen")).then(None).otherwise(pl.col(column)).alias(column)
        for column in HIDDEN_TEXTS
    )


def _small(column: str, rule: SuppressionRule) -> pl.Expr:
    return pl.col(column).map_elements(rule.hides, return_dtype=pl.Boolean).fill_null(False)


def hidden_text(column: str, rule: SuppressionRule) -> str:
    """What a hidden cell of `column` reads in the table ("<5", "×" or "—*")."""
    return HIDDEN_TEXTS[column].format(t=rule.threshold)


def unit_table_download(protected: pl.DataFrame, rule: SuppressionRule) -> pl.DataFrame:
    """The download of the protected table: hidden cells as their sign (text), so nothing hidden is in the file."""
    return protected.with_columns(
        pl.when(pl.col(f"{column}_verborgen")).then(pl.lit(hidden_text(column, rule)))
        .otherwise(pl.col(column).cast(pl.String)).alias(column)
        for column in HIDDEN_TEXTS
    ).drop([f"{column}_verborgen" for column in HIDDEN_TEXTS])
