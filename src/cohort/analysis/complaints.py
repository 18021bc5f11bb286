"""Complaints: where a unit lies in the funnel plot, and how often chance alone puts it above a limit.

Complaints are the side effect that must stand beside the success numbers. With about thirty complaints in two
years units are compared in a funnel plot (Spiegelhalter 2005), so small units are not mistaken for outliers.
The counts come from the release (`cohort.privacy.release`) through the page model (`cohort.pagemodels.complaints`):
this module only places units whose rate is shown; it never sees a hidden count.
"""

from __future__ import annotations

import polars as pl

from cohort.analysis.metrics import PER
from cohort.analysis.stats import funnel_exceedance, funnel_grid, funnel_limits

MIN_EXPECTED_COMPLAINTS = 0.03  # lower end of the drawn funnel, see `funnel_lines`

# Funnel position of a unit, from high to low; the labels are shown in hover text and tables.
FUNNEL_CLASSES: dict[str, str] = {
    "boven_998": "Opvallend hoog (boven 99,8%-grens)",
    "boven_95": "Hoog (boven 95%-grens)",
    "binnen": "Binnen de grenzen",
    "onder_95": "Laag (onder 95%-grens)",
    "onder_998": "Opvallend laag (onder 99,8%-grens)",
    "te_klein": "Te weinig gesprekken om te beoordelen",
}


def with_funnel_class(totals: pl.DataFrame, overall_rate: float) -> pl.DataFrame:
    """Add the funnel limits at each row's number of conversations, the exact chance of lying above them, and the
    row's funnel class.

    `totals` has `gesprekken` and `per_1000` (complaints per 1,000 conversations). Added: `verwacht` (complaints
    expected at the overall rate), `grens_95_onder`, `grens_95_boven`, `grens_998_onder`, `grens_998_boven`,
    `kans_boven_95` and `kans_boven_998` (the exact chance that a unit of this size whose true rate is the
    overall rate lies above that upper limit, `stats.funnel_exceedance`), and `trechter`.
    A rate exactly on a limit counts as inside. Rows without conversations get null limits and class null; rows
    where fewer than 0,03 complaints are expected get `te_klein` (the interpolated limits are unusable there).
    """
    exposures = totals.get_column("gesprekken").cast(pl.Float64).to_numpy()
    limits = funnel_limits(overall_rate, exposures, per=PER, levels=(0.95, 0.998))
    narrow = limits.filter(pl.col("level") == 0.95)
    wide = limits.filter(pl.col("level") == 0.998)
    out = totals.with_columns(
        (pl.col("gesprekken") * overall_rate / PER).cast(pl.Float64).alias("verwacht"),
        narrow.get_column("lower").alias("grens_95_onder"),
        narrow.get_column("upper").alias("grens_95_boven"),
        wide.get_column("lower").alias("grens_998_onder"),
        wide.get_column("upper").alias("grens_998_boven"),
        pl.Series("kans_boven_95", funnel_exceedance(overall_rate, exposures, per=PER, level=0.95)).fill_nan(None),
        pl.Series("kans_boven_998", funnel_exceedance(overall_rate, exposures, per=PER, level=0.998)).fill_nan(None),
    )
    rate = pl.col("per_1000")
    funnel_class = (
        pl.when(rate.is_null() | pl.col("grens_95_boven").is_null())
        .then(None)
        .when(pl.col("verwacht") < MIN_EXPECTED_COMPLAINTS)
        .then(pl.lit("te_klein"))
        .when(rate > pl.col("grens_998_boven"))
        .then(pl.lit("boven_998"))
        .when(rate > pl.col("grens_95_boven"))
        .then(pl.lit("boven_95"))
        .when(rate < pl.col("grens_998_onder"))
        .then(pl.lit("onder_998"))
        .when(rate < pl.col("grens_95_onder"))
        .then(pl.lit("onder_95"))
        .otherwise(pl.lit("binnen"))
    )
    return out.with_columns(funnel_class.alias("trechter"))


def funnel_lines(overall_rate: float, min_conversations: float, max_conversations: float, n: int = 200) -> pl.DataFrame:
    """Smooth funnel limits (long format: exposure, level, lower, upper) over the range of the units shown.

    Runs from half the smallest unit to a bit past the largest, so every point lies inside the drawn range, but
    never below an expected count of 0,03 complaints: there the interpolated 95% upper limit of
    `stats.funnel_limits` collapses to 0 (no whole count fits), which would draw a misleading spike.
    """
    if not overall_rate > 0:
        raise ValueError("Zonder klachten is er geen trechter te tekenen (gemiddelde is 0).")
    top = max(float(max_conversations), 1.0) * 1.05
    floor = MIN_EXPECTED_COMPLAINTS / overall_rate * PER
    low = min(max(float(min_conversations) / 2.0, floor), top)
    return funnel_limits(overall_rate, funnel_grid(top, n=n, min_exposure=low), per=PER)


def conspicuously_high(funnel: pl.DataFrame) -> list[str]:
    """Names (`eenheid`) of the rows above the 99,8% limit, highest rate first."""
    return funnel.filter(pl.col("trechter") == "boven_998").sort("per_1000", descending=True).get_column(
        "eenheid"
    ).to_list()
