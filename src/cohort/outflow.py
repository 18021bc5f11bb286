"""Outflow metrics for the page "Uitstroom naar werk", beyond the headline figures of `cohort.metrics`.

Definitions are those of `cohort.metrics` (in-cohort and comparison unit-months, rates per 1,000 persons on
welfare per month, pooled over unit-months). Target groups are reported beside areas, never in the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from cohort.contract import UnitKind, column_label
from cohort.did import DidResult, build_panel, did_effect, event_time_profile
from cohort.fmt import fmt_dec, fmt_ratio
from cohort.metrics import PER, monthly_outflow_by_group, outflow_cohort_vs_comparison, totals_by_level
from cohort.privacy import SuppressionRule, suppress_counts, suppress_rates, suppress_with_totals
from cohort.stats import RateRatio, poisson_interval_columns

EVENT_WINDOW = (-12, 18)  # months before and after each unit's start shown in the event-time chart


def monthly_outflow_intervals(phased: pl.DataFrame) -> pl.DataFrame:
    """Per month and group ("Cohort loopt" / "Vergelijking"): outflow to work and total outflow per 1,000.

    Each rate gets an exact Poisson 95% interval for that month (persons on welfare as fixed exposure).
    Columns: maand, groep, uitstroom_werk, uitstroom, bijstand, werk_per_1000, werk_lower, werk_upper,
    uitstroom_per_1000, uitstroom_lower, uitstroom_upper.
    """
    grouped = monthly_outflow_by_group(phased)
    with_work = poisson_interval_columns(grouped, "uitstroom_werk", "bijstand", prefix="werk_")
    both = poisson_interval_columns(with_work, "uitstroom", "bijstand", prefix="uitstroom_")
    return both.drop("werk_rate", "uitstroom_rate").select(
        "maand", "groep", "uitstroom_werk", "uitstroom", "bijstand", "werk_per_1000", "werk_lower", "werk_upper",
        "uitstroom_per_1000", "uitstroom_lower", "uitstroom_upper",
    )


def comparison_window(units: pl.DataFrame, first_month: date, peildatum: date) -> tuple[date, date] | None:
    """Months over which cohort and comparison areas are compared: first area start (or later) … peildatum month.

    Before the first start there is no cohort group, so those months would only dilute the comparison.
    None when no area in the selection has started by the peildatum.
    """
    last = peildatum.replace(day=1)
    first_start = units.filter(pl.col("soort") == UnitKind.AREA).get_column("start").min()
    if first_start is None or first_start > peildatum:  # type: ignore[operator]
        return None
    first = max(first_month, first_start.replace(day=1))  # type: ignore[union-attr]
    return (first, last) if first <= last else None


@dataclass(frozen=True)
class OutflowEstimates:
    """The raw ratio behind "twice as high" beside the staggered difference-in-differences, same months."""

    window: tuple[date, date] | None
    raw: RateRatio | None  # cohort.metrics.outflow_cohort_vs_comparison: pooled, descriptive
    did: DidResult | None  # cohort.did.did_effect: not-yet-treated controls, areas only


def outflow_estimates(
    phased: pl.DataFrame, units: pl.DataFrame, monthly: pl.DataFrame, first_month: date, peildatum: date,
    *, reps: int = 499,
) -> OutflowEstimates:
    """Both estimates over `comparison_window`. The DiD may use base months before the window (its design)."""
    window = comparison_window(units, first_month, peildatum)
    if window is None:
        return OutflowEstimates(None, None, None)
    raw = outflow_cohort_vs_comparison(phased, *window)
    panel = build_panel(units, monthly)
    did = did_effect(panel, *window, reps=reps) if panel.height else None
    return OutflowEstimates(window, raw, did)


def event_profile(units: pl.DataFrame, monthly: pl.DataFrame, last_month: date) -> pl.DataFrame | None:
    """Event-time profile (areas only) over months up to `last_month`; None when no area has started."""
    # The window (`to_month`), not a filter on the panel, keeps later months out: a panel cut short would leave
    # later starters without columns for their base months.
    panel = build_panel(units, monthly)
    if panel.is_empty() or panel.get_column("start").drop_nulls().is_empty():
        return None
    profile = event_time_profile(panel, EVENT_WINDOW, to_month=last_month)
    return profile if profile.get_column("n_units").sum() > 0 else None


def fair_comparison_sentence(raw: RateRatio | None, did: DidResult | None) -> str | None:
    """One Dutch sentence: how much of the raw factor remains in the fairer comparison (from the numbers)."""
    if raw is None or raw.ratio is None or did is None or not did.counterfactual_rate > 0:
        return None
    raw_text, did_text = fmt_ratio(raw.ratio), fmt_ratio(did.ratio)
    if did.ratio <= 1.0:
        return (f"Van de ruwe factor {raw_text} blijft bij een eerlijkere vergelijking {did_text} over: "
                "geen hogere uitstroom naar werk dan zonder cohortaanpak te verwachten was.")
    return f"Van de ruwe factor {raw_text} blijft bij een eerlijkere vergelijking {did_text} over."


def unit_outflow_ranking(phased: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """Per unit: outflow to work per 1,000 per month over its cohort months within [first, last].

    Exact Poisson 95% interval of the pooled rate. Units without cohort months in the window are left out.
    Columns: code, naam, soort, stadsdeel, maanden, uitstroom_werk, persoonsmaanden, werk_per_1000,
    werk_lower, werk_upper; sorted from highest to lowest rate.
    """
    rows = phased.filter(pl.col("in_cohort") & pl.col("maand").is_between(first, last))
    per_unit = rows.group_by("code", "naam", "soort", "stadsdeel").agg(
        pl.len().alias("maanden"),
        pl.col("uitstroom_werk").sum(),
        pl.col("bijstand").sum().alias("persoonsmaanden"),
    ).filter(pl.col("persoonsmaanden") > 0)
    with_interval = poisson_interval_columns(per_unit, "uitstroom_werk", "persoonsmaanden", prefix="werk_")
    return (
        with_interval.rename({"werk_rate": "werk_per_1000"})
        .with_columns(pl.col("maanden").cast(pl.Int64))
        .sort(["werk_per_1000", "code"], descending=[True, False])
    )


def outflow_by_level(phased: pl.DataFrame, level: str, first: date, last: date) -> pl.DataFrame:
    """Outflow to work per 1,000 in cohort months and in comparison months, per stadsdeel or for the city.

    Areas only (metrics.totals_by_level). Columns: the level's keys, then for `cohort_` and `vergelijking_`:
    uitstroom_werk, persoonsmaanden, per_1000, lower, upper; and `verhouding` (cohort / vergelijking).
    """
    window = phased.filter(pl.col("maand").is_between(first, last) & (pl.col("soort") == UnitKind.AREA))
    keys = {"stadsdeel": ["stadsdeel"], "stad": []}[level]
    parts = []
    for prefix, flag in (("cohort_", "in_cohort"), ("vergelijking_", "vergelijking")):
        rows = window.filter(pl.col(flag))
        if rows.is_empty():
            totals = pl.DataFrame(schema={**{k: pl.String for k in keys}, "uitstroom_werk": pl.Int64,
                                          "persoonsmaanden": pl.Int64})
        else:
            totals = totals_by_level(rows, level, ["uitstroom_werk"]).select(*keys, "uitstroom_werk",
                                                                            "persoonsmaanden")
        totals = poisson_interval_columns(totals, "uitstroom_werk", "persoonsmaanden", prefix=prefix)
        parts.append(totals.rename({"uitstroom_werk": f"{prefix}uitstroom_werk",
                                    "persoonsmaanden": f"{prefix}persoonsmaanden",
                                    f"{prefix}rate": f"{prefix}per_1000"}))
    if keys:
        joined = parts[0].join(parts[1], on=keys, how="full", coalesce=True).sort(keys)
    else:
        joined = pl.concat(parts, how="horizontal") if all(p.height for p in parts) else pl.DataFrame()
        if joined.is_empty():
            return joined
        joined = joined.with_columns(pl.lit("Hele stad").alias("stadsdeel")).select("stadsdeel", pl.all().exclude(
            "stadsdeel"))
    return joined.with_columns((pl.col("cohort_per_1000") / pl.col("vergelijking_per_1000")).alias("verhouding"))


MeasureKind = Literal["stroom", "stand"]


@dataclass(frozen=True)
class Measure:
    name: str  # contract column
    kind: MeasureKind  # "stand": persons at month end (a stock); "stroom": events in the month (a flow)
    side_effect: bool  # possible harm of the approach, shown with the same weight as successes

    @property
    def label(self) -> str:
        return column_label(self.name)

    @property
    def unit_label(self) -> str:
        return "per 1.000 in de bijstand (stand eind maand)" if self.kind == "stand" else "per 1.000 per maand"


# Side effects first: they get the same weight (and place) as the support measures.
MEASURES: tuple[Measure, ...] = (
    Measure("herinstroom", "stroom", True),
    Measure("maatregelen", "stroom", True),
    Measure("ontheffingen", "stand", False),
    Measure("jobhunter", "stroom", False),
    Measure("leerstage", "stroom", False),
    Measure("proefplaatsing", "stroom", False),
    Measure("loonkostensubsidie", "stroom", False),
    Measure("buurtteam", "stroom", False),
)


def available_measures(optional_counts: tuple[str, ...]) -> tuple[Measure, ...]:
    return tuple(m for m in MEASURES if m.name in optional_counts)


def _group_label() -> pl.Expr:
    return pl.when(pl.col("in_cohort")).then(pl.lit("Cohort loopt")).otherwise(pl.lit("Vergelijking")).alias("groep")


def measures_by_group(phased: pl.DataFrame, measures: tuple[Measure, ...]) -> pl.DataFrame:
    """Per month, group and measure: the total and per 1,000 persons on welfare (areas only).

    A flow per 1,000 is events / persons × 1,000 in that month; the stock `ontheffingen` per 1,000 is persons
    with an exemption / persons on welfare × 1,000 at month end. Long format: maand, groep, maatregel, aantal,
    bijstand, per_1000.
    """
    if not measures:
        return pl.DataFrame(schema={"maand": pl.Date, "groep": pl.String, "maatregel": pl.String,
                                    "aantal": pl.Int64, "bijstand": pl.Int64, "per_1000": pl.Float64})
    areas = phased.filter((pl.col("soort") == UnitKind.AREA) & (pl.col("in_cohort") | pl.col("vergelijking")))
    names = [m.name for m in measures]
    summed = areas.with_columns(_group_label()).group_by("maand", "groep").agg(pl.col("bijstand", *names).sum())
    long = summed.unpivot(index=["maand", "groep", "bijstand"], on=names, variable_name="maatregel",
                          value_name="aantal")
    order = {name: i for i, name in enumerate(names)}
    return (
        long.with_columns((pl.col("aantal") / pl.col("bijstand") * PER).alias("per_1000"),
                          pl.col("maatregel").replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort("_order", "maand", "groep")
        .select("maand", "groep", "maatregel", "aantal", "bijstand", "per_1000")
    )


def measures_summary(monthly_measures: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """Per measure and group over [first, last]: Σ count / Σ persons × 1,000 (per month, or average stock).

    Columns: maatregel, groep, aantal, persoonsmaanden, per_1000 (rows in the order of `monthly_measures`).
    """
    window = monthly_measures.filter(pl.col("maand").is_between(first, last))
    order = {name: i for i, name in enumerate(window.get_column("maatregel").unique(maintain_order=True))}
    return (
        window.group_by("maatregel", "groep")
        .agg(pl.col("aantal").sum(), pl.col("bijstand").sum().alias("persoonsmaanden"))
        .with_columns((pl.col("aantal") / pl.col("persoonsmaanden") * PER).alias("per_1000"))
        .sort(pl.col("maatregel").replace_strict(order, return_dtype=pl.Int64), "groep")
    )


# --- Small numbers (AVG) ----------------------------------------------------------------------------------------
# Outflow counts are persons: from 1 to threshold-1 per unit (or group) and month or period they are hidden, and
# so is every rate (with its interval) computed from them (`cohort.privacy`).


def protect_series(series: pl.DataFrame, rule: SuppressionRule) -> pl.DataFrame:
    """`monthly_outflow_intervals` with small counts hidden: counts "<5", their rates and bounds "—*" (null)."""
    out = suppress_counts(series, ["uitstroom_werk", "uitstroom", "bijstand"], rule)
    out = suppress_rates(out, "uitstroom_werk", ["werk_per_1000", "werk_lower", "werk_upper"], rule,
                         hidden_column="uitstroom_werk_verborgen")
    return suppress_rates(out, "uitstroom", ["uitstroom_per_1000", "uitstroom_lower", "uitstroom_upper"], rule,
                          hidden_column="uitstroom_verborgen")


def protect_ranking(ranking: pl.DataFrame, rule: SuppressionRule) -> pl.DataFrame:
    """`unit_outflow_ranking` with small numerators hidden, also against the total of the areas.

    The page shows the areas' total outflow to work in cohort months (the raw comparison, "(a)"), which is the sum
    of the areas' counts here; so secondary suppression applies (`privacy.suppress_with_totals`, every hidden
    count reads "×"). Target groups are not part of that total. Rates and bounds are hidden with their count.
    """
    if ranking.is_empty():
        return ranking
    parts = ranking.with_columns(
        pl.when(pl.col("soort") == UnitKind.AREA).then(pl.lit("gebieden")).otherwise(pl.col("code")).alias("_groep"),
        pl.lit("deel").alias("_rol"),
    )
    areas = parts.filter(pl.col("_groep") == "gebieden")
    total = areas.select(pl.col("uitstroom_werk").sum()).with_columns(
        pl.lit("gebieden").alias("_groep"), pl.lit("Totaal").alias("_rol"))
    table = pl.concat([parts, total], how="diagonal_relaxed") if areas.height else parts
    protected = suppress_with_totals(table, "_groep", ["uitstroom_werk"], label_column="_rol", rule=rule)
    protected = protected.filter(pl.col("_rol") == "deel").drop("_groep", "_rol")
    return suppress_rates(protected, "uitstroom_werk", ["werk_per_1000", "werk_lower", "werk_upper"], rule,
                          hidden_column="uitstroom_werk_verborgen")


def protect_by_level(breakdown: pl.DataFrame, rule: SuppressionRule) -> pl.DataFrame:
    """`outflow_by_level` with rates hidden where their numerator (persons) is from 1 to threshold-1."""
    if breakdown.is_empty():
        return breakdown
    out = breakdown
    for prefix in ("cohort_", "vergelijking_"):
        out = suppress_counts(out, [f"{prefix}uitstroom_werk"], rule)
        out = suppress_rates(out, f"{prefix}uitstroom_werk", [f"{prefix}per_1000", f"{prefix}lower",
                                                              f"{prefix}upper"], rule,
                             hidden_column=f"{prefix}uitstroom_werk_verborgen")
    hidden = pl.col("cohort_uitstroom_werk_verborgen") | pl.col("vergelijking_uitstroom_werk_verborgen")
    return out.with_columns(pl.when(hidden).then(None).otherwise(pl.col("verhouding")).alias("verhouding"))


def protect_measures(by_month: pl.DataFrame, rule: SuppressionRule) -> pl.DataFrame:
    """`measures_by_group` with small counts hidden ("<5") and their rates nulled (a chart leaves a gap)."""
    out = suppress_counts(by_month, ["aantal"], rule)
    return suppress_rates(out, "aantal", ["per_1000"], rule, formatter=lambda v: fmt_dec(v, 2),
                          hidden_column="aantal_verborgen")


def protect_measures_summary(summary: pl.DataFrame, rule: SuppressionRule) -> pl.DataFrame:
    """`measures_summary` with the rate hidden where the total count over the window is from 1 to threshold-1."""
    out = suppress_counts(summary, ["aantal"], rule)
    return suppress_rates(out, "aantal", ["per_1000"], rule, formatter=lambda v: fmt_dec(v, 2),
                          hidden_column="aantal_verborgen")


def measures_summary_table(summary: pl.DataFrame, measures: list[Measure] | tuple[Measure, ...]) -> pl.DataFrame:
    """The protected summary as the page shows it: one row per measure, cohort and comparison side by side.

    Text values, so a hidden rate reads "—*" (a count of 1 to 4 over the whole window), not "—".
    """
    labels = {m.name: m for m in measures}
    wide = summary.pivot(on="groep", index="maatregel", values="per_1000_tekst").with_columns(
        pl.col("maatregel").replace_strict({n: m.label for n, m in labels.items()}).alias("Maat"),
        pl.col("maatregel").replace_strict({n: "neveneffect" if m.side_effect else "ondersteuning"
                                            for n, m in labels.items()}).alias("Soort"),
        pl.col("maatregel").replace_strict({n: m.unit_label for n, m in labels.items()}).alias("Eenheid"),
    )
    for group in ("Cohort loopt", "Vergelijking"):
        if group not in wide.columns:
            wide = wide.with_columns(pl.lit("—", pl.String).alias(group))
    return wide.select("Maat", "Soort", pl.col("Cohort loopt", "Vergelijking").fill_null("—"), "Eenheid")
