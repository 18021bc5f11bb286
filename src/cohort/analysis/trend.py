"""Is a unit's rate rising or falling lately? A Poisson trend test per unit over the last 6 or 12 months.

Model: events_t ~ Poisson(exposure_t · exp(α + β·t)), t the period index (month or quarter), so exp(β) is the
rate ratio from one period to the next (a Poisson regression with a log-exposure offset). Given β the
intercept has a closed form, e^α = n / Σ E_t·e^{βt} (n the events in the window), and the log-likelihood
reduces to g(β) = β·Σ t·y_t − n·log Σ E_t·e^{βt}, the multinomial likelihood of how the n events spread over
the periods. g is concave, so the estimate, the likelihood-ratio test of β = 0 and the profile-likelihood
interval are one-dimensional root finding: no iterative GLM fit, and test and interval agree by construction
(the interval excludes 1 exactly when p < 1 − level). When all events fall in the first or the last period the
estimate is infinite; the test and the finite side of the interval still exist.

Monthly counts often vary more than Poisson chance (seasons, administrative backlogs). The Pearson dispersion
φ = max(1, X² / (K − 2)) over the K periods scales the test (LR / φ against χ²(1), as R's quasi-Poisson
``anova(..., test = "Chisq")``) and the interval, so a noisy series is never called a trend more easily than a
Poisson one. The model is a straight line on the log scale: seasonal patterns and a step (a cohort start
inside the window) show up as "trend" too; the texts say "gemiddeld".

A window of two periods (6 months per quarter, as viewers see the data) has no line to fit: the marker is then
the exact conditional test of the two rates (the later period's share of the events against its share of the
exposure, Clopper–Pearson), as `cohort.analysis.comparison.compare_to_counts` compares two periods; the ratio is the
later rate over the earlier one.

Disclosure: the estimate is a function of every count in the window, so a unit with any hidden (or null) count
in the window is "verborgen", like `cohort.analysis.comparison`. With hidden monthly counts, a total and a slope
together can pin two hidden months down exactly; even a marker narrows them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import polars as pl
from scipy import special

from cohort.analysis.comparison import Measure
from cohort.fmt import MONTHS_NL_SHORT, fmt_pct
from cohort.privacy.rules import DEFAULT_RULE, SuppressionRule

Grain = Literal["maand", "kwartaal"]
MONTHS_PER_PERIOD: dict[str, int] = {"maand": 1, "kwartaal": 3}
GRAIN_WORDS: dict[str, tuple[str, str]] = {"maand": ("maand", "maanden"), "kwartaal": ("kwartaal", "kwartalen")}
WINDOW_MONTHS: tuple[int, ...] = (6, 12)
MIN_PERIODS = 3  # two points are a comparison of two rates, not a trend
MIN_EVENTS = 10  # below this the χ² approximation of the likelihood-ratio test is poor and the text would overclaim


METHOD_NL = (
    "Hoe we een trend bepalen. Per gebied kijken we naar de laatste 6 en de laatste 12 maanden tot en met de "
    "peildatum. We passen een Poisson-regressie toe op de aantallen per maand, met het aantal personen "
    "(of gesprekken) als blootstelling: het cijfer verandert daarin elke maand met hetzelfde percentage. "
    "‘Stijgend’ of ‘dalend’ zeggen we alleen als die verandering groter is dan toeval aannemelijk maakt "
    "(likelihood-ratiotoets, 95%); anders ‘geen significante verandering’, wat niet hetzelfde is als ‘gelijk "
    "gebleven’. Schommelen de maandcijfers meer dan toeval alleen verklaart, dan maken we de toets en het "
    "interval daarop ruimer. Seizoenen en een start van de aanpak midden in de periode tellen ook als "
    "verandering. Zijn er alleen kwartaalcijfers, dan vergelijken we over de laatste 6 maanden de twee kwartalen "
    "met de exacte toets voor twee cijfers. Met minder dan 10 gebeurtenissen of minder dan 3 maanden met "
    "gegevens tonen we geen trend "
    "(‘te weinig gegevens’), en als een aantal in de periode verborgen is ook niet (‘verborgen’): een trend "
    "zou iets over dat aantal verraden."
)


class TrendMarker(StrEnum):
    RISING = "stijgend"
    FALLING = "dalend"
    NO_CHANGE = "geen significante verandering"
    TOO_LITTLE = "te weinig gegevens"
    HIDDEN = "verborgen"


def month_index(day: date) -> int:
    """Months since year 0: consecutive months differ by 1 (date(2021, 6, 30) -> 24257)."""
    return day.year * 12 + day.month - 1


def quarter_index(day: date) -> int:
    """Quarters since year 0: consecutive quarters differ by 1."""
    return day.year * 4 + (day.month - 1) // 3


def period_label(index: int, grain: Grain) -> str:
    """24257 -> 'jun 2021' (maand); 8085 -> 'K2 2021' (kwartaal), as the complaint charts write quarters."""
    if grain == "kwartaal":
        return f"K{index % 4 + 1} {index // 4}"
    return f"{MONTHS_NL_SHORT[index % 12]} {index // 12}"


@dataclass(frozen=True)
class PoissonTrend:
    """Fitted trend of one series. Ratios are per period; None stands for an infinite bound or estimate."""

    rate_ratio: float | None  # exp(β); None when +∞ (all events in the last period), 0.0 when all in the first
    lower: float | None
    upper: float | None
    p_value: float  # likelihood-ratio test of "no trend", after the dispersion scaling
    statistic: float  # LR / φ
    dispersion: float  # φ ≥ 1
    n_periods: int  # periods with exposure > 0
    events: int
    level: float = 0.95


def fit_poisson_trend(
    periods: Sequence[int], events: Sequence[int], exposure: Sequence[float], *, level: float = 0.95
) -> PoissonTrend:
    """Log-linear Poisson trend with an exposure offset: estimate, LR test and profile-likelihood interval.

    Periods with exposure 0 carry no information and are left out (they must have 0 events). Needs at least two
    periods with exposure and at least one event.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"Betrouwbaarheidsniveau moet tussen 0 en 1 liggen, niet {level!r}.")
    t_raw = np.asarray(periods, dtype=np.int64)
    y = np.asarray(events, dtype=float)
    e = np.asarray(exposure, dtype=float)
    if not (t_raw.shape == y.shape == e.shape):
        raise ValueError("Perioden, aantallen en blootstelling moeten even lang zijn.")
    if np.any(~np.isfinite(y)) or np.any(y < 0) or np.any(y != np.floor(y)):
        raise ValueError("Aantallen moeten gehele getallen ≥ 0 zijn.")
    if np.any(~np.isfinite(e)) or np.any(e < 0):
        raise ValueError("Blootstelling moet een getal ≥ 0 zijn.")
    if len(np.unique(t_raw)) != len(t_raw):
        raise ValueError("Elke periode mag maar één keer voorkomen.")
    if np.any((e == 0) & (y > 0)):
        raise ValueError("Een periode zonder blootstelling (0) kan geen gebeurtenissen hebben.")
    keep = e > 0
    t_raw, y, e = t_raw[keep], y[keep], e[keep]
    n = float(y.sum())
    if len(t_raw) < 2 or n <= 0:
        raise ValueError("Voor een trend zijn minstens twee perioden met blootstelling en één gebeurtenis nodig.")

    t = (t_raw - t_raw.mean()).astype(float)  # centring only moves the intercept; it keeps exp() in range
    log_e = np.log(e)
    total_t = float((t * y).sum())

    def log_sum(beta: float) -> float:
        z = log_e + beta * t
        top = z.max()
        return float(top + math.log(np.exp(z - top).sum()))

    def g(beta: float) -> float:
        return beta * total_t - n * log_sum(beta)

    def weights(beta: float) -> np.ndarray:
        z = log_e + beta * t
        w = np.exp(z - z.max())
        return w / w.sum()

    # Integer arithmetic on the raw periods: "all events in the first/last period" must be exact.
    raw_total = int((t_raw * y.astype(np.int64)).sum())
    if raw_total == int(n) * int(t_raw.min()):
        beta_hat, g_hat = -math.inf, -n * float(log_e[np.argmin(t)])
        fitted = np.where(t == t.min(), n, 0.0)
    elif raw_total == int(n) * int(t_raw.max()):
        beta_hat, g_hat = math.inf, -n * float(log_e[np.argmax(t)])
        fitted = np.where(t == t.max(), n, 0.0)
    else:
        beta_hat = _root(lambda b: total_t - n * float(weights(b) @ t), 0.0, decreasing=True)
        g_hat = g(beta_hat)
        fitted = n * weights(beta_hat)

    k = len(t)
    pearson = float(np.sum(np.where(fitted > 0, (y - fitted) ** 2 / np.where(fitted > 0, fitted, 1.0), 0.0)))
    dispersion = max(1.0, pearson / (k - 2)) if k > 2 else 1.0
    critical = dispersion * float(special.ndtri(0.5 + level / 2.0)) ** 2

    def excess(beta: float) -> float:  # deviance from the best fit minus the critical value: < 0 inside the interval
        return 2.0 * (g_hat - g(beta)) - critical

    statistic = max(0.0, 2.0 * (g_hat - g(0.0))) / dispersion
    p_value = float(special.erfc(math.sqrt(statistic / 2.0)))  # χ²(1) upper tail
    lower = _interval_end(excess, beta_hat, -1.0)
    upper = _interval_end(excess, beta_hat, +1.0)
    return PoissonTrend(
        rate_ratio=None if beta_hat == math.inf else math.exp(beta_hat),
        lower=math.exp(lower),
        upper=None if upper == math.inf else math.exp(upper),
        p_value=p_value,
        statistic=statistic,
        dispersion=dispersion,
        n_periods=k,
        events=int(n),
        level=level,
    )


def two_period_trend(
    periods: Sequence[int], events: Sequence[int], exposure: Sequence[float], *, level: float = 0.95
) -> PoissonTrend:
    """Two periods: the exact conditional test of their rates (later share of the events ~ Binomial(n, π₀),
    π₀ the later share of the exposure) and the exact interval of the later-over-earlier rate ratio."""
    from cohort.analysis.comparison import _binomial_two_sided_p, _clopper_pearson  # one exact test for both modules

    order = np.argsort(np.asarray(periods))
    y = np.asarray(events, dtype=float)[order]
    e = np.asarray(exposure, dtype=float)[order]
    if len(y) != 2 or np.any(e <= 0):
        raise ValueError("Voor een vergelijking van twee perioden zijn twee perioden met blootstelling nodig.")
    n = float(y.sum())
    if n <= 0:
        raise ValueError("Voor een trend zijn minstens twee perioden met blootstelling en één gebeurtenis nodig.")
    later, share = np.array([y[1]]), np.array([e[1] / e.sum()])
    low, high = (float(v[0]) for v in _clopper_pearson(later, np.array([n]), level))
    odds = e[0] / e[1]
    p_value = float(_binomial_two_sided_p(later, np.array([n]), share)[0])
    ratio = None if y[0] == 0 else float((y[1] / e[1]) / (y[0] / e[0]))
    return PoissonTrend(
        rate_ratio=ratio,
        lower=low / (1.0 - low) * odds if low < 1.0 else None,
        upper=None if high >= 1.0 else high / (1.0 - high) * odds,
        p_value=p_value,
        statistic=float("nan"),
        dispersion=1.0,
        n_periods=2,
        events=int(n),
        level=level,
    )


def _root(f: Callable[[float], float], start: float, *, decreasing: bool) -> float:
    """Root of a monotone function: widen a bracket around `start` by doubling, then Brent's method."""
    from scipy.optimize import brentq  # only trends need it; keeps it out of every page's cold start

    sign = -1.0 if decreasing else 1.0
    low, high = start - 1.0, start + 1.0
    for _ in range(64):
        if sign * f(low) < 0:
            break
        low = start - 2.0 * (start - low)
    for _ in range(64):
        if sign * f(high) > 0:
            break
        high = start + 2.0 * (high - start)
    return float(brentq(f, low, high, xtol=1e-12, rtol=1e-12))


def _interval_end(excess: Callable[[float], float], beta_hat: float, direction: float) -> float:
    """Where the profile deviance reaches the critical value, left (direction −1) or right (+1) of the estimate."""
    if beta_hat == direction * math.inf:
        return beta_hat  # the likelihood keeps rising that way: the interval is open on that side
    if math.isinf(beta_hat):
        # The estimate is infinite the other way: start from a finite point inside the interval.
        inside = -direction
        for _ in range(64):
            if excess(inside) < 0:
                break
            inside *= 2.0
    else:
        inside = beta_hat
    from scipy.optimize import brentq

    step = 1.0
    outside = inside + direction * step
    for _ in range(64):
        if excess(outside) >= 0:
            break
        step *= 2.0
        outside = inside + direction * step
    low, high = sorted((inside, outside))
    return float(brentq(excess, low, high, xtol=1e-12, rtol=1e-12))


# --- per unit ------------------------------------------------------------------------------------------------


def trends(
    series: pl.DataFrame,
    measure: Measure,
    *,
    last_period: int,
    months: Sequence[int] = WINDOW_MONTHS,
    grain: Grain = "maand",
    level: float = 0.95,
    min_events: int = MIN_EVENTS,
    rule: SuppressionRule = DEFAULT_RULE,
    key: str = "code",
) -> pl.DataFrame:
    """`trend_per_unit` for each window (default the last 6 and 12 months), stacked; column `months` tells which."""
    return pl.concat(
        [
            trend_per_unit(series, measure, last_period=last_period, months=m, grain=grain, level=level,
                           min_events=min_events, rule=rule, key=key)
            for m in months
        ]
    )


def trend_per_unit(
    series: pl.DataFrame,
    measure: Measure,
    *,
    last_period: int,
    months: int,
    grain: Grain = "maand",
    level: float = 0.95,
    min_events: int = MIN_EVENTS,
    rule: SuppressionRule = DEFAULT_RULE,
    key: str = "code",
) -> pl.DataFrame:
    """Trend marker per unit over the `months` months up to and including period `last_period`.

    `series`: one row per unit and period with `key`, `period` (consecutive integers: `month_index` or
    `quarter_index`), `events`, `exposure` and optionally `hidden` (the shared protection hides this count).
    A null count, or one the `rule` hides, counts as hidden. Rows outside the window are ignored; inside it every
    period needs a row (exposure 0 where nothing happened, e.g. no conversations), else the data do not cover
    the window and the marker is "te weinig gegevens".

    Returns one row per unit (sorted by key): `key`, `months`, `first_period`, `last_period`, `marker` (a
    `TrendMarker` value), `rate_ratio`, `ratio_lower`, `ratio_upper` (per period, `level` interval; null for an
    infinite bound), `p_value`, `dispersion` and `text` (Dutch). Numbers are null unless a trend was estimated.
    """
    if grain not in MONTHS_PER_PERIOD:
        raise ValueError(f"Onbekende periode ‘{grain}’; kies ‘maand’ of ‘kwartaal’.")
    per_period = MONTHS_PER_PERIOD[grain]
    if months < 1 or months % per_period:
        raise ValueError(f"Een venster van {months} maanden past niet in hele {GRAIN_WORDS[grain][1]}.")
    missing = [c for c in (key, "period", "events", "exposure") if c not in series.columns]
    if missing:
        raise ValueError(f"Kolom(men) ontbreken voor de trend: {', '.join(missing)}.")
    window = months // per_period
    first = last_period - window + 1
    in_window = series.filter(pl.col("period").is_between(first, last_period))
    if "hidden" not in in_window.columns:
        in_window = in_window.with_columns(pl.lit(False).alias("hidden"))
    codes = series.get_column(key).unique(maintain_order=False).sort().to_list()
    # The columns as lists once, grouped by unit, instead of a filter of the whole frame and four small-frame
    # conversions per unit (10,000 units: seconds of Polars overhead).
    ordered = in_window.sort(key, "period")
    by_code: dict[object, list[tuple]] = {}
    for row in zip(ordered.get_column(key).to_list(), ordered.get_column("period").to_list(),
                   ordered.get_column("events").to_list(), ordered.get_column("exposure").cast(pl.Float64).to_list(),
                   ordered.get_column("hidden").fill_null(False).to_list(), strict=True):
        if row[0] is not None:  # a null code matches no unit (as `== code` never matched it)
            by_code.setdefault(row[0], []).append(row[1:])
    rows = []
    for code in codes:
        unit = by_code.get(code, [])
        rows.append(
            _unit_trend(code, unit, measure, months=months, first=first, last=last_period, grain=grain,
                        window=window, level=level, min_events=min_events, rule=rule)
        )
    schema: dict[str, Any] = {
        key: series.schema[key], "months": pl.Int64, "first_period": pl.Int64, "last_period": pl.Int64,
        "marker": pl.String, "rate_ratio": pl.Float64, "ratio_lower": pl.Float64, "ratio_upper": pl.Float64,
        "p_value": pl.Float64, "dispersion": pl.Float64, "text": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _unit_trend(
    code: object, unit: list[tuple], measure: Measure, *, months: int, first: int, last: int, grain: Grain,
    window: int, level: float, min_events: int, rule: SuppressionRule,
) -> tuple:
    """`unit`: its (period, events, exposure, hidden) rows in the window, by period."""
    periods = [row[0] for row in unit]
    events = [row[1] for row in unit]
    exposure = [row[2] for row in unit]
    flags = [row[3] for row in unit]
    head = (code, months, first, last)
    span = f"de laatste {months} maanden ({period_label(first, grain)} – {period_label(last, grain)})"
    if any(f or v is None or rule.hides(v) or rule.hides(x) for f, v, x in zip(flags, events, exposure, strict=True)):
        text = (
            f"Verborgen: in {span} zijn aantallen verborgen (kleine aantallen). Een trend zou iets over die "
            "aantallen verraden, dus die tonen we niet."
        )
        return (*head, str(TrendMarker.HIDDEN), None, None, None, None, None, text)
    if len(set(periods)) != len(periods):
        raise ValueError(f"Eenheid {code}: periode komt meer dan eens voor in de reeks.")
    points = [(p, v, 0.0 if x is None else x) for p, v, x in zip(periods, events, exposure, strict=True)]
    with_exposure = sum(1 for _, _, x in points if x > 0)
    total = sum(v for _, v, _ in points)
    singular, plural = GRAIN_WORDS[grain]
    reason = None
    if window < 2:
        reason = f"een trend vraagt minstens twee {plural}; kies per maand of een langer venster"
    elif set(periods) != set(range(first, last + 1)):
        reason = "de gegevens beslaan niet die hele periode"
    elif with_exposure < min(MIN_PERIODS, window):
        reason = f"minder dan {min(MIN_PERIODS, window)} {plural} met {measure.exposure_label}"
    elif total < min_events:
        reason = f"minder dan {min_events} keer {measure.label.lower()} in die periode"
    if reason:
        return (*head, str(TrendMarker.TOO_LITTLE), None, None, None, None, None,
                f"Te weinig gegevens voor een trend over {span}: {reason}.")
    if window == 2:
        fit = two_period_trend(*zip(*points, strict=True), level=level)
        singular = f"{singular}, twee {plural} vergeleken"
    else:
        fit = fit_poisson_trend(*zip(*points, strict=True), level=level)
    marker = TrendMarker.NO_CHANGE
    if fit.p_value < 1.0 - level:
        marker = TrendMarker.RISING if fit.rate_ratio is None or fit.rate_ratio > 1.0 else TrendMarker.FALLING
    return (*head, str(marker), fit.rate_ratio, fit.lower, fit.upper, fit.p_value, fit.dispersion,
            _trend_text(marker, fit, measure, span, singular, level))


def _signed_pct(ratio: float | None) -> str:
    if ratio is None:
        return "onbegrensd"
    change = ratio - 1.0
    return f"+{fmt_pct(change)}" if change > 0 else fmt_pct(change)


def _trend_text(
    marker: TrendMarker, fit: PoissonTrend, measure: Measure, span: str, singular: str, level: float
) -> str:
    interval = f"{round(level * 100)}%-interval {_signed_pct(fit.lower)} tot {_signed_pct(fit.upper)}"
    subject = f"het cijfer voor {measure.label.lower()}"
    if fit.rate_ratio is None or fit.rate_ratio == 0.0:
        size = f"sterk: alles valt in de {'laatste' if fit.rate_ratio is None else 'eerste'} {singular} met gegevens"
    else:
        size = f"gemiddeld {_signed_pct(fit.rate_ratio)} per {singular}"
    if marker is TrendMarker.NO_CHANGE:
        text = (
            f"Geen significante verandering in {span}: {subject} veranderde {size} ({interval}). Dat past bij "
            "toeval; het betekent niet dat het cijfer gelijk bleef."
        )
    else:
        verb = "steeg" if marker is TrendMarker.RISING else "daalde"
        if fit.rate_ratio not in (None, 0.0):
            size = f"met gemiddeld {fmt_pct(abs(fit.rate_ratio - 1.0))} per {singular}"
        text = f"{marker.capitalize()}: {subject} {verb} in {span} {size} ({interval})."
    if fit.dispersion > 1.0:
        text += (
            f" De cijfers per {singular} schommelen meer dan toeval alleen verklaart; de toets houdt daar rekening "
            "mee."
        )
    return text
