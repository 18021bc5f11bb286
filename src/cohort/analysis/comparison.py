"""Is a unit's rate really higher or lower than a benchmark? Classes by significance for map, tables and texts.

Shading areas by standard deviations makes an area with 400 conversations and 2 complaints look alarming by
chance. Like PHE's Fingertips, a unit (area or stadsdeel) is "hoger" or "lager" here only when its exact
interval excludes the benchmark; otherwise it is "niet te onderscheiden".

- Against a known rate (`compare_to_rate`: the city average, or the rate of areas without a running cohort in
  the same months): the unit's count k is compared with Poisson(μ), μ = benchmark rate × exposure / 1.000.
  "hoger" at level L when the exact (Garwood) interval of k lies above μ, which is the same as
  P(X ≥ k | μ) < (1 − L)/2, and as k lying beyond the exact funnel limit at the unit's exposure. The smooth
  line of a funnel plot (`stats.funnel_limits`, Spiegelhalter's interpolation) can lie up to one count lower at
  the top, so a point just over the drawn 95% line may still be "niet te onderscheiden"; at the bottom both
  rules agree. The interval rule is used because it never flags more often than the level promises and it
  agrees with the interval shown beside the number. The funnel limits are returned for display.
- Against a unit's own other period (`compare_to_counts`: the same area before its start, or comparison-group
  counts of the unit's own months): the exact conditional test for two Poisson rates. Given n = a + b events,
  a ~ Binomial(n, π₀) with π₀ = Eₐ / (Eₐ + E_b) when the rates are equal; "hoger" when the Clopper–Pearson
  interval of π lies above π₀. Its interval for π gives the exact interval of the rate ratio.

- Over-dispersion (`estimate_overdispersion`, Spiegelhalter 2005, "Handling over-dispersion of performance
  indicators"): areas differ by more than Poisson chance (population, labour market), and with thousands of
  person-months the exact limits are so narrow that at 99,8% every area "differs" from the city. On the
  square-root scale, y = √(O/E) with standard error s = 1/(2√E), the z-scores z = 2(√O − √E) are winsorised at
  10% and 90%, φ = mean z², and when Iφ > I − 1 an additive between-unit variance
  τ² = (Iφ − (I − 1)) / (Σw − Σw²/Σw), w = 1/s², widens every unit's limits to √(s² + τ²). Additive rather
  than multiplicative (√φ · s): a multiplicative factor keeps the funnel's shape, so the largest areas, whose
  Poisson error is tiny, still "differ" by a few percent; the additive term says that any area's true rate may
  lie some distance from the benchmark, however big the area. With it a unit is "hoger" only when the exact
  rule and the over-dispersed limits both say so.

Levels: the class is decided at the lowest level given (95%); `level` says the highest level at which the
difference still holds (99,8% gives the darker colour). A unit whose count is hidden is "verborgen" and never
classified: a class would narrow its count down (if 2 complaints are "niet te onderscheiden" and 4 are
"hoger", the colour tells which). Output frames carry no input count, only what may be shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import polars as pl
from scipy import special

from cohort.analysis.stats import funnel_limits, poisson_interval_columns
from cohort.charts.palette import COMPARISON_COLOURS
from cohort.fmt import fmt_dec, fmt_interval, fmt_ratio
from cohort.privacy.rules import DEFAULT_RULE, SuppressionRule

LEVELS: tuple[float, ...] = (0.95, 0.998)
STRONG_LEVEL = 0.998  # at or above this level a difference gets the darker colour


class Benchmark(StrEnum):
    """What a unit is compared with (URL-friendly values: the viewer chooses)."""

    CITY = "stad"
    COMPARISON = "vergelijking"
    BEFORE_START = "voor_start"


class ComparisonClass(StrEnum):
    HIGHER = "hoger"
    LOWER = "lager"
    SIMILAR = "niet te onderscheiden"
    HIDDEN = "verborgen"
    NO_DATA = "geen gegevens"


@dataclass(frozen=True)
class BenchmarkText:
    label: str  # for a chooser or legend title
    versus: str  # after "hoger dan" / "niet te onderscheiden van"
    value: str  # a clause with {value}: the benchmark's rate


BENCHMARKS: dict[Benchmark, BenchmarkText] = {
    Benchmark.CITY: BenchmarkText(
        "Stedelijk gemiddelde", "het stedelijk gemiddelde", "het stedelijk gemiddelde is {value}"
    ),
    Benchmark.COMPARISON: BenchmarkText(
        "Gebieden zonder lopend cohort",
        "gebieden zonder lopend cohort in dezelfde maanden",
        "in gebieden zonder lopend cohort in dezelfde maanden is het {value}",
    ),
    Benchmark.BEFORE_START: BenchmarkText(
        "Zelfde gebied vóór de start", "hetzelfde gebied vóór de start", "vóór de start was het {value}"
    ),
}


@dataclass(frozen=True)
class Measure:
    """A rate that can be compared: events per `per` units of exposure."""

    key: str
    label: str  # "Uitstroom naar werk"
    unit: str  # as on the map: "per 1.000 per maand"
    exposure_label: str  # what the exposure counts, plural: "persoonsmaanden"
    decimals: int
    per: float = 1000.0


OUTFLOW_TO_WORK = Measure("uitstroom_werk", "Uitstroom naar werk", "per 1.000 per maand", "persoonsmaanden", 1)
COMPLAINTS = Measure("klachten", "Klachten", "per 1.000 gesprekken", "gesprekken", 2)
MEASURES: dict[str, Measure] = {m.key: m for m in (OUTFLOW_TO_WORK, COMPLAINTS)}


def _checked_levels(levels: Sequence[float]) -> tuple[float, ...]:
    if not levels:
        raise ValueError("Geef minstens één betrouwbaarheidsniveau, bijvoorbeeld 0,95.")
    for level in levels:
        if not 0.0 < level < 1.0:
            raise ValueError(f"Betrouwbaarheidsniveau moet tussen 0 en 1 liggen, niet {level!r}.")
    return tuple(sorted(float(level) for level in levels))


def level_text(level: float) -> str:
    """0.95 -> '95%', 0.998 -> '99,8%'."""
    percent = level * 100.0
    return f"{fmt_dec(percent, 0 if abs(percent - round(percent)) < 1e-9 else 1)}%"


def multiple_comparison_note_nl(
    n_units: int, *, singular: str = "gebied", plural: str = "gebieden", levels: Sequence[float] = LEVELS
) -> str:
    """How many units chance alone flags when nothing is going on: n × (1 − level) per level, in Dutch."""
    if n_units < 1:
        raise ValueError(f"Het aantal eenheden moet minstens 1 zijn, niet {n_units!r}.")
    parts = []
    for level in sorted(_checked_levels(levels)):
        expected = n_units * (1.0 - level)
        if expected >= 0.5:
            rounded = round(expected)
            about = f"ongeveer {rounded} {singular if rounded == 1 else plural}"
        else:
            about = (
                f"gemiddeld één {singular} op de {round(1.0 / expected)} keer dat je alle {n_units} {plural} "
                "vergelijkt"
            )
        share = fmt_dec((1.0 - level) * 100.0, 1 if (1.0 - level) * 100.0 < 1 else 0)
        parts.append(f"bij de {level_text(level)}-grenzen {about} ({n_units} × {share}% = {fmt_dec(expected, 2)})")
    return (
        f"Let op: met {n_units} {plural} tegelijk wijkt ook als er niets aan de hand is soms een {singular} door "
        f"toeval af. Naar verwachting is dat {' en '.join(parts)}. De toets is exact en daardoor eerder wat "
        "voorzichtig, dus dit is een bovengrens. Kijk daarom vooral naar de donkere kleuren, en naar "
        f"{plural} die ook in andere perioden afwijken."
    )


METHOD_NL = (
    "Hoe we vergelijken. Een gebied of stadsdeel heet ‘hoger’ of ‘lager’ alleen als het verschil met de maatstaf "
    "groter is dan toeval aannemelijk maakt: het exacte 95%-betrouwbaarheidsinterval (Garwood) van zijn cijfer "
    "ligt helemaal boven of onder de maatstaf. Dat is hetzelfde als: het aantal ligt buiten de exacte "
    "Poisson-grenzen van de trechterplot bij de grootte van het gebied (de getekende trechterlijn is vloeiend "
    "gemaakt en kan aan de bovenkant tot één klacht of uitstromer lager liggen). Een donkere kleur betekent dat "
    "het verschil ook buiten de strengere 99,8%-grenzen valt. Bij ‘hetzelfde gebied vóór de start’ vergelijken "
    "we twee perioden van één gebied met de exacte voorwaardelijke binomiale toets voor twee Poisson-cijfers. "
    "‘Niet te onderscheiden’ betekent niet ‘gelijk’: het verschil kan door toeval komen, zeker in kleine "
    "gebieden. Een verschil zegt ook niet waaróm een gebied afwijkt (bevolking, arbeidsmarkt, registratie). "
    "Gebieden met een verborgen aantal vergelijken we niet: een kleur zou het aantal verraden."
)
MULTIPLE_COMPARISONS_NL = multiple_comparison_note_nl(22)


def colour_key(klass: str, level: float | None) -> str:
    """The key in `palette.COMPARISON_COLOURS` for a class and the highest level at which it holds."""
    if klass in (ComparisonClass.HIGHER, ComparisonClass.LOWER):
        strength = "998" if level is not None and level >= STRONG_LEVEL - 1e-12 else "95"
        return f"{klass}_{strength}"
    return str(klass).replace(" ", "_")


# --- over-dispersion ---------------------------------------------------------------------------------------

MIN_UNITS_FOR_OVERDISPERSION = 5  # below this a between-unit variance cannot be estimated sensibly
WINSOR_SHARE = 0.10


@dataclass(frozen=True)
class Overdispersion:
    """Spiegelhalter's (2005) additive random-effects model on the square-root scale (see the module docstring).

    `phi`: the mean squared winsorised z-score (1 = Poisson chance only); `tau2`: the between-unit variance added
    to each unit's s² (0 when there is no over-dispersion, or too few units to estimate it); `n_units`: how many
    units it was estimated from.
    """

    phi: float
    tau2: float
    n_units: int

    @property
    def applied(self) -> bool:
        return self.tau2 > 0.0

    def text_nl(self, plural: str = "gebieden") -> str:
        if self.n_units < MIN_UNITS_FOR_OVERDISPERSION:
            return (f"Te weinig {plural} ({self.n_units}) om de spreiding tussen {plural} te schatten; de grenzen "
                    "zijn de exacte Poisson-grenzen.")
        if not self.applied:
            return (f"De {plural} verschillen niet meer dan toeval verklaart (φ = {fmt_dec(self.phi, 2)}); de "
                    "grenzen zijn de exacte Poisson-grenzen.")
        return (f"De {plural} verschillen onderling meer dan toeval verklaart (φ = {fmt_dec(self.phi, 1)}, over "
                f"{self.n_units} {plural}); daarom zijn de grenzen ruimer gemaakt met een vaste extra spreiding "
                f"tussen {plural} (τ² = {fmt_dec(self.tau2, 4)} op de wortelschaal, Spiegelhalter 2005).")


NO_OVERDISPERSION = Overdispersion(1.0, 0.0, 0)


def estimate_overdispersion(
    events: Sequence[float], exposure: Sequence[float], benchmark_rate: float, *, per: float = 1000.0,
    winsor: float = WINSOR_SHARE,
) -> Overdispersion:
    """φ and τ² of the units against `benchmark_rate` (Spiegelhalter 2005, square-root scale, winsorised z).

    Give only units whose counts are shown: the estimate is then a function of shown numbers alone. Units
    without exposure are left out; with fewer than `MIN_UNITS_FOR_OVERDISPERSION` units τ² is 0.
    """
    observed = np.asarray(events, dtype=float)
    size = np.asarray(exposure, dtype=float)
    keep = np.isfinite(observed) & np.isfinite(size) & (size > 0)
    observed, size = observed[keep], size[keep]
    n_units = int(observed.size)
    if n_units < MIN_UNITS_FOR_OVERDISPERSION or not benchmark_rate > 0:
        return Overdispersion(1.0, 0.0, n_units)
    expected = benchmark_rate * size / per
    z = 2.0 * (np.sqrt(observed) - np.sqrt(expected))
    low, high = np.quantile(z, [winsor, 1.0 - winsor])
    z = np.clip(z, low, high)
    phi = float(np.mean(z**2))
    weights = 4.0 * expected  # 1 / s², s = 1 / (2√E)
    denominator = float(weights.sum() - (weights**2).sum() / weights.sum())
    tau2 = (n_units * phi - (n_units - 1)) / denominator if n_units * phi > n_units - 1 and denominator > 0 else 0.0
    return Overdispersion(phi, float(tau2), n_units)


def _overdispersed_z(events: np.ndarray, expected: np.ndarray, tau2: float) -> np.ndarray:
    """(y − 1) / √(s² + τ²) with y = √(O/E), s = 1/(2√E): the z-score against over-dispersed limits."""
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.sqrt(events / expected)
        return (y - 1.0) / np.sqrt(1.0 / (4.0 * expected) + tau2)


def overdispersed_limits(
    benchmark_rate: float, exposure: Sequence[float] | np.ndarray, tau2: float, level: float, *, per: float = 1000.0
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper rate limits at each exposure: benchmark × (1 ∓ z·√(s² + τ²))², the lower one at least 0."""
    size = np.asarray(exposure, dtype=float)
    expected = benchmark_rate * size / per
    with np.errstate(divide="ignore"):
        spread = float(special.ndtri(0.5 + level / 2.0)) * np.sqrt(1.0 / (4.0 * expected) + tau2)
    return benchmark_rate * np.maximum(0.0, 1.0 - spread) ** 2, benchmark_rate * (1.0 + spread) ** 2


# --- against a known rate ----------------------------------------------------------------------------------


def compare_to_rate(
    units: pl.DataFrame,
    measure: Measure,
    benchmark: Benchmark,
    benchmark_rate: float | None = None,
    *,
    levels: Sequence[float] = LEVELS,
    rule: SuppressionRule = DEFAULT_RULE,
    key: str = "code",
    overdispersion: Overdispersion = NO_OVERDISPERSION,
    with_limits: bool = True,
) -> pl.DataFrame:
    """Classify each unit's rate against a benchmark rate taken as known (one-sample exact Poisson test).

    `units` has one row per unit: `key`, `events` (count, null when hidden or missing), `exposure`
    (person-months or conversations), optionally `hidden` (bool: the shared protection hides this unit's count
    or its exposure) and, instead of the `benchmark_rate` argument, a per-unit `benchmark_rate` column (e.g. the
    comparison areas in the unit's own months). Counts the `rule` hides are treated as hidden as well.

    Returns, per unit in input order: `key`, `class` (a `ComparisonClass` value), `level` (highest level at
    which the difference holds; null unless hoger/lager), `rate`, `rate_lower`, `rate_upper` (exact interval at
    the lowest level), `benchmark_rate`, `rate_ratio`, `ratio_lower`, `ratio_upper` (rate over benchmark),
    `p_value` (two-sided, twice the smaller exact tail), `limit_<tag>_lower`/`_upper` (funnel limits for the
    unit's exposure per level, tag '95', '998'), `colour` (hex) and `text` (Dutch). All numbers are null for
    "verborgen" and "geen gegevens".

    With an `overdispersion` whose τ² > 0 a unit is "hoger"/"lager" only when the over-dispersed limits agree
    as well (then `p_value` is the larger of the two p-values and the funnel limits are the over-dispersed ones).

    `with_limits=False` leaves the funnel limit columns out (a page that shows classes only; the classes and texts
    do not depend on them, and the exact limits need scipy.stats, a second to import).
    """
    levels = _checked_levels(levels)
    _require_columns(units, (key, "events", "exposure"))
    if benchmark_rate is None and "benchmark_rate" not in units.columns:
        raise ValueError("Geef een maatstaf: het argument benchmark_rate of een kolom ‘benchmark_rate’.")
    if benchmark_rate is not None and not benchmark_rate >= 0:
        raise ValueError(f"De maatstaf moet een cijfer ≥ 0 zijn, niet {benchmark_rate!r}.")
    codes, events, exposure, hidden = _unit_arrays(units, key, "events", "exposure", "hidden", rule)
    bench = (
        np.full(len(codes), float(benchmark_rate))
        if benchmark_rate is not None
        else _float_array(units, "benchmark_rate")
    )
    _check_non_negative(codes, bench, "benchmark_rate")
    no_data = ~hidden & ~(np.isfinite(events) & np.isfinite(exposure) & (exposure > 0) & np.isfinite(bench))
    usable = ~hidden & ~no_data

    lowest = levels[0]
    base = poisson_interval_columns(
        pl.DataFrame({"k": np.where(usable, events, np.nan), "n": np.where(usable, exposure, np.nan)}),
        "k", "n", per=measure.per, level=lowest, prefix="",
    )
    rate = _float_array(base, "rate")
    rate_lower, rate_upper = _float_array(base, "lower"), _float_array(base, "upper")
    expected = np.where(usable, bench * np.where(usable, exposure, 0.0) / measure.per, np.nan)

    directions = {}  # level -> +1 higher, -1 lower, 0 neither, per unit
    for level in levels:
        bounds = poisson_interval_columns(base.select("k", "n"), "k", "n", per=measure.per, level=level, prefix="")
        above = _float_array(bounds, "lower") > np.where(usable, bench, np.inf)
        below = _float_array(bounds, "upper") < np.where(usable, bench, -np.inf)
        if overdispersion.applied:
            z_limit = float(special.ndtri(0.5 + level / 2.0))
            z_od = np.where(usable & (bench > 0), _overdispersed_z(events, expected, overdispersion.tau2), 0.0)
            above &= z_od > z_limit
            below &= z_od < -z_limit
        directions[level] = np.where(above, 1, np.where(below, -1, 0))

    p_value = np.where(usable, _poisson_two_sided_p(events, expected), np.nan)
    comparable = usable & (bench > 0)  # against a rate of 0 a ratio is undefined
    safe_bench = np.where(comparable, bench, 1.0)
    limits = _funnel_columns(bench, exposure, usable, measure, levels) if with_limits else {}
    if overdispersion.applied:
        z_od = _overdispersed_z(events, expected, overdispersion.tau2)
        p_od = special.erfc(np.abs(np.where(comparable, z_od, 0.0)) / math.sqrt(2.0))
        p_value = np.where(comparable, np.maximum(p_value, p_od), p_value)
        for level in levels if with_limits else ():
            for rate_value in np.unique(bench[comparable]):
                rows = np.flatnonzero(comparable & (bench == rate_value))
                lower, upper = overdispersed_limits(float(rate_value), exposure[rows], overdispersion.tau2, level,
                                                    per=measure.per)
                tag = _tag(level)
                limits[f"limit_{tag}_lower"][rows] = np.minimum(limits[f"limit_{tag}_lower"][rows], lower)
                limits[f"limit_{tag}_upper"][rows] = np.maximum(limits[f"limit_{tag}_upper"][rows], upper)

    spec = BENCHMARKS[benchmark]

    def shown_text(i: int, klass: ComparisonClass, top: float | None) -> str:
        numbers = _rate_with_interval(measure, rate[i], rate_lower[i], rate_upper[i], lowest)
        value = spec.value.format(value=fmt_dec(bench[i], measure.decimals))
        text = _class_text(klass, top, levels, spec.versus, f"{numbers}; {value}")
        if overdispersion.applied:
            text += " Getoetst met ruimere grenzen: de gebieden verschillen onderling meer dan toeval verklaart."
        return text

    classes, top_levels, texts = _classified(
        directions, levels, hidden, no_data, shown_text,
        lambda i: f"Geen gegevens: geen {measure.exposure_label} in deze periode, dus geen vergelijking.",
    )
    return pl.DataFrame(
        {
            key: codes,
            "class": [str(c) for c in classes],
            "level": pl.Series(top_levels, dtype=pl.Float64),
            "rate": rate,
            "rate_lower": rate_lower,
            "rate_upper": rate_upper,
            "benchmark_rate": np.where(usable, bench, np.nan),
            "rate_ratio": np.where(comparable, rate / safe_bench, np.nan),
            "ratio_lower": np.where(comparable, rate_lower / safe_bench, np.nan),
            "ratio_upper": np.where(comparable, rate_upper / safe_bench, np.nan),
            "p_value": p_value,
            **limits,
            "colour": [COMPARISON_COLOURS[colour_key(c, t)] for c, t in zip(classes, top_levels, strict=True)],
            "text": texts,
        }
    ).with_columns(pl.selectors.float().fill_nan(None))


def _poisson_two_sided_p(events: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Twice the smaller exact tail of Poisson(expected) at the observed count (capped at 1)."""
    k = np.where(np.isfinite(events), events, 0.0)
    mu = np.where(np.isfinite(expected), expected, 0.0)
    at_most = special.gammaincc(k + 1.0, mu)  # P(X ≤ k)
    at_least = np.where(k > 0, special.gammainc(np.maximum(k, 1.0), mu), 1.0)  # P(X ≥ k)
    return np.minimum(1.0, 2.0 * np.minimum(at_most, at_least))


def _funnel_columns(
    bench: np.ndarray, exposure: np.ndarray, usable: np.ndarray, measure: Measure, levels: tuple[float, ...]
) -> dict[str, np.ndarray]:
    """Funnel limits at each unit's exposure (one call per distinct benchmark rate: usually just one)."""
    columns = {f"limit_{_tag(lv)}_{side}": np.full(len(bench), np.nan) for lv in levels for side in ("lower", "upper")}
    for rate in np.unique(bench[usable]):
        rows = np.flatnonzero(usable & (bench == rate))
        frame = funnel_limits(float(rate), exposure[rows], per=measure.per, levels=levels)
        for level in levels:
            at_level = frame.filter(pl.col("level") == level)
            for side in ("lower", "upper"):
                columns[f"limit_{_tag(level)}_{side}"][rows] = at_level.get_column(side).to_numpy()
    return columns


# --- against counts of another period or group -------------------------------------------------------------


def compare_to_counts(
    units: pl.DataFrame,
    measure: Measure,
    benchmark: Benchmark = Benchmark.BEFORE_START,
    *,
    levels: Sequence[float] = LEVELS,
    rule: SuppressionRule = DEFAULT_RULE,
    key: str = "code",
) -> pl.DataFrame:
    """Classify each unit's rate against its own reference counts (exact conditional test for two rates).

    `units`: `key`, `events`, `exposure`, optional `hidden` for the period looked at, and `ref_events`,
    `ref_exposure`, optional `ref_hidden` for the reference (the same unit before its start, or the comparison
    areas in its months). Either side hidden makes the unit "verborgen": the ratio would give the hidden count
    away. Returns the columns of `compare_to_rate` without the funnel limits and with `benchmark_rate` the
    reference's rate (`benchmark_lower`/`_upper` its exact interval); `rate_ratio`, `ratio_lower`,
    `ratio_upper` are the ratio and its exact (conditional, Clopper–Pearson based) interval at the lowest level.
    """
    levels = _checked_levels(levels)
    _require_columns(units, (key, "events", "exposure", "ref_events", "ref_exposure"))
    codes, a, e_a, hidden_a = _unit_arrays(units, key, "events", "exposure", "hidden", rule)
    _, b, e_b, hidden_b = _unit_arrays(units, key, "ref_events", "ref_exposure", "ref_hidden", rule)
    hidden = hidden_a | hidden_b
    present = np.isfinite(a) & np.isfinite(e_a) & (e_a > 0)
    ref_present = np.isfinite(b) & np.isfinite(e_b) & (e_b > 0)
    no_data = ~hidden & ~(present & ref_present)
    usable = ~hidden & ~no_data
    a0, b0 = np.where(usable, a, 0.0), np.where(usable, b, 0.0)
    total = a0 + b0
    share_null = np.where(usable, e_a / np.where(usable, e_a + e_b, 1.0), np.nan)  # π₀

    lowest = levels[0]
    directions = {}
    for level in levels:
        lower, upper = _clopper_pearson(a0, total, level)
        above = usable & (total > 0) & (lower > share_null)
        below = usable & (total > 0) & (upper < share_null)
        directions[level] = np.where(above, 1, np.where(below, -1, 0))
    pi_lower, pi_upper = _clopper_pearson(a0, total, lowest)
    odds_scale = np.where(usable, e_b / np.where(usable, e_a, 1.0), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(usable & (b0 > 0), (a0 / e_a) / (b0 / np.where(b0 > 0, e_b, 1.0)), np.nan)
        ratio_lower = np.where(usable & (total > 0), pi_lower / (1.0 - pi_lower) * odds_scale, np.nan)
        ratio_upper = np.where(usable & (total > 0) & (pi_upper < 1.0), pi_upper / (1.0 - pi_upper) * odds_scale,
                               np.nan)
    p_value = np.where(usable & (total > 0), _binomial_two_sided_p(a0, total, share_null), np.nan)

    current = poisson_interval_columns(
        pl.DataFrame({"k": np.where(usable, a, np.nan), "n": np.where(usable, e_a, np.nan)}),
        "k", "n", per=measure.per, level=lowest, prefix="",
    )
    reference = poisson_interval_columns(
        pl.DataFrame({"k": np.where(usable, b, np.nan), "n": np.where(usable, e_b, np.nan)}),
        "k", "n", per=measure.per, level=lowest, prefix="",
    )
    rate, rate_lower, rate_upper = (_float_array(current, c) for c in ("rate", "lower", "upper"))
    ref_rate, ref_lower, ref_upper = (_float_array(reference, c) for c in ("rate", "lower", "upper"))

    spec = BENCHMARKS[benchmark]

    def shown_text(i: int, klass: ComparisonClass, top: float | None) -> str:
        if total[i] == 0:
            return (f"Niet te onderscheiden van {spec.versus}: in geen van beide perioden "
                    f"{measure.label.lower()}, dus niets om te vergelijken.")
        numbers = _rate_with_interval(measure, rate[i], rate_lower[i], rate_upper[i], lowest)
        value = spec.value.format(
            value=_rate_with_interval(measure, ref_rate[i], ref_lower[i], ref_upper[i], lowest, unit=False)
        )
        detail = f"{numbers}; {value}"
        if np.isfinite(ratio[i]):
            interval = fmt_interval(ratio_lower[i], ratio_upper[i], 2) if np.isfinite(ratio_upper[i]) else (
                f"vanaf {fmt_dec(ratio_lower[i], 2)}"
            )
            detail += f", een verhouding van {fmt_ratio(ratio[i], 2)} ({level_text(lowest)}-interval {interval})"
        return _class_text(klass, top, levels, spec.versus, detail)

    def no_data_text(i: int) -> str:
        missing = "in deze periode" if not present[i] else f"voor {spec.versus}"
        return f"Geen vergelijking mogelijk: geen {measure.exposure_label} {missing}."

    classes, top_levels, texts = _classified(directions, levels, hidden, no_data, shown_text, no_data_text)
    return pl.DataFrame(
        {
            key: codes,
            "class": [str(c) for c in classes],
            "level": pl.Series(top_levels, dtype=pl.Float64),
            "rate": rate,
            "rate_lower": rate_lower,
            "rate_upper": rate_upper,
            "benchmark_rate": ref_rate,
            "benchmark_lower": ref_lower,
            "benchmark_upper": ref_upper,
            "rate_ratio": ratio,
            "ratio_lower": ratio_lower,
            "ratio_upper": ratio_upper,
            "p_value": p_value,
            "colour": [COMPARISON_COLOURS[colour_key(c, t)] for c, t in zip(classes, top_levels, strict=True)],
            "text": texts,
        }
    ).with_columns(pl.selectors.float().fill_nan(None))


def _clopper_pearson(successes: np.ndarray, trials: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact interval of a binomial proportion: Beta quantiles (0 and 1 at the edges; NaN for 0 trials)."""
    tail = (1.0 - level) / 2.0
    x, n = successes, trials
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, special.betaincinv(np.maximum(x, 1.0), n - x + 1.0, tail), 0.0)
        upper = np.where(x < n, special.betaincinv(x + 1.0, np.maximum(n - x, 1.0), 1.0 - tail), 1.0)
    empty = n <= 0
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)


def _binomial_two_sided_p(successes: np.ndarray, trials: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Twice the smaller exact tail of Binomial(trials, share) at the observed count (capped at 1)."""
    x, n = successes, trials
    p = np.where(np.isfinite(share), share, 0.5)
    with np.errstate(invalid="ignore"):
        at_most = np.where(x < n, special.betainc(np.maximum(n - x, 1.0), x + 1.0, 1.0 - p), 1.0)  # P(A ≤ x)
        at_least = np.where(x > 0, special.betainc(np.maximum(x, 1.0), n - x + 1.0, p), 1.0)  # P(A ≥ x)
    return np.minimum(1.0, 2.0 * np.minimum(at_most, at_least))


# --- shared helpers ----------------------------------------------------------------------------------------


def _tag(level: float) -> str:
    """0.95 -> '95', 0.998 -> '998': for column names."""
    return f"{level * 100:g}".replace(".", "")


def _require_columns(frame: pl.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"Kolom(men) ontbreken voor de vergelijking: {', '.join(missing)}.")


def _float_array(frame: pl.DataFrame, column: str) -> np.ndarray:
    return frame.get_column(column).cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(float)


def _check_non_negative(codes: list, values: np.ndarray, column: str) -> None:
    for code, value in zip(codes, values, strict=True):
        if np.isfinite(value) and value < 0:
            raise ValueError(f"Kolom ‘{column}’ moet ≥ 0 zijn; eenheid {code} heeft {value:g}.")


def _unit_arrays(
    frame: pl.DataFrame, key: str, events_col: str, exposure_col: str, hidden_col: str, rule: SuppressionRule
) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """Codes, counts, exposures and the hidden flag (given flag, or a count or exposure the rule hides)."""
    codes = frame.get_column(key).to_list()
    events = _float_array(frame, events_col)
    exposure = _float_array(frame, exposure_col)
    _check_non_negative(codes, events, events_col)
    _check_non_negative(codes, exposure, exposure_col)
    for code, value in zip(codes, events, strict=True):
        if np.isfinite(value) and value != math.floor(value):
            raise ValueError(f"Kolom ‘{events_col}’ moet een geheel aantal zijn; eenheid {code} heeft {value:g}.")
    given = (
        frame.get_column(hidden_col).cast(pl.Boolean).fill_null(False).to_numpy().astype(bool)
        if hidden_col in frame.columns
        else np.zeros(len(codes), dtype=bool)
    )
    by_rule = np.array([rule.hides(v) or rule.hides(x) for v, x in zip(events, exposure, strict=True)], dtype=bool)
    return codes, events, exposure, given | by_rule


def _class_of(
    directions: dict[float, np.ndarray], levels: tuple[float, ...], i: int, hidden: bool, no_data: bool
) -> tuple[ComparisonClass, float | None]:
    if hidden:
        return ComparisonClass.HIDDEN, None
    if no_data:
        return ComparisonClass.NO_DATA, None
    direction = int(directions[levels[0]][i])
    if direction == 0:
        return ComparisonClass.SIMILAR, None
    top = max(level for level in levels if int(directions[level][i]) == direction)
    return (ComparisonClass.HIGHER if direction > 0 else ComparisonClass.LOWER), top


def _classified(
    directions: dict[float, np.ndarray], levels: tuple[float, ...], hidden: np.ndarray, no_data: np.ndarray,
    shown_text: Callable[[int, ComparisonClass, float | None], str], no_data_text: Callable[[int], str],
) -> tuple[list[ComparisonClass], list[float | None], list[str]]:
    """Per unit its class, the strictest level it holds at, and its sentence (the same for every benchmark
    except what is said beside a shown class and where there is nothing to compare)."""
    classes, top_levels, texts = [], [], []
    for i in range(len(hidden)):
        klass, top = _class_of(directions, levels, i, hidden[i], no_data[i])
        classes.append(klass)
        top_levels.append(top)
        if klass is ComparisonClass.HIDDEN:
            texts.append(_hidden_text())
        elif klass is ComparisonClass.NO_DATA:
            texts.append(no_data_text(i))
        else:
            texts.append(shown_text(i, klass, top))
    return classes, top_levels, texts


def _rate_with_interval(
    measure: Measure, rate: float, lower: float, upper: float, level: float, *, unit: bool = True
) -> str:
    d = measure.decimals
    unit_text = f" {measure.unit}" if unit else ""
    return f"{fmt_dec(rate, d)}{unit_text} ({level_text(level)}-interval {fmt_interval(lower, upper, d)})"


def _class_text(
    klass: ComparisonClass, top: float | None, levels: tuple[float, ...], versus: str, detail: str
) -> str:
    if klass is ComparisonClass.SIMILAR:
        return (
            f"Niet te onderscheiden van {versus}: {detail}. Het verschil past bij toeval; dat betekent niet dat "
            "het cijfer gelijk is."
        )
    word = "Hoger" if klass is ComparisonClass.HIGHER else "Lager"
    text = f"{word} dan {versus}: {detail}."
    if len(levels) > 1:
        strict = level_text(levels[-1])
        if top == levels[-1]:
            text += f" Ook buiten de strengere {strict}-grenzen: groter dan toeval aannemelijk maakt."
        else:
            text += (
                f" Binnen de strengere {strict}-grenzen: bij veel gebieden tegelijk komt zo’n verschil ook door "
                "toeval voor."
            )
    return text


def _hidden_text() -> str:
    return (
        "Verborgen: het aantal is klein, of verborgen om een klein aantal te beschermen. Daarom geen cijfer en "
        "geen vergelijking: ook een kleur zou iets over het aantal verraden."
    )
