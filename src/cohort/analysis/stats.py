"""Intervals for counts and rates, rate ratios and funnel-plot limits.

All functions are pure: numbers (or Polars frames) in, numbers (or frames) out. Rates are expressed
"per `per` units of exposure" (default per 1,000 persons per month), where exposure is a person count
(``bijstand``) summed over the months concerned. The difference-in-differences estimator lives in
`cohort.analysis.did`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl
from scipy import special


def _check_level(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"Betrouwbaarheidsniveau moet tussen 0 en 1 liggen, niet {level!r}.")
    return (1.0 - level) / 2.0


def _garwood(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Garwood bounds; counts may hold NaN (propagated)."""
    tail = _check_level(level)
    with np.errstate(invalid="ignore"):
        # ½·χ²(q; 2k) is the q-quantile of Gamma(k, 1), i.e. the inverse regularised incomplete gamma function:
        # the same numbers as scipy.stats.chi2, without importing scipy.stats (half a second of cold start).
        # The lower bound of a zero count is exactly 0 (chi2 with 0 degrees of freedom is undefined).
        lower = np.where(counts > 0, special.gammaincinv(np.maximum(counts, 1.0), tail), 0.0)
        upper = special.gammaincinv(counts + 1.0, 1.0 - tail)
    lower = np.where(np.isnan(counts), np.nan, lower)
    return lower, upper


@lru_cache(maxsize=65536)  # a pure function of (count, level); a 10,000-unit table asks for 20,000 of them
def poisson_interval(count: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood 1936) confidence interval for the mean of a Poisson count.

    Lower = ½·χ²(α/2; 2k) and upper = ½·χ²(1−α/2; 2k+2), with k the observed count and α = 1 − level;
    the lower bound is 0 when k = 0. The interval is "exact" in the sense that it never covers the true
    mean less often than `level` (it is conservative for small k). Example: k = 30 gives (20,24; 42,83).
    """
    if count < 0 or int(count) != count:
        raise ValueError(f"Een aantal moet een geheel getal ≥ 0 zijn, niet {count!r}.")
    lower, upper = _garwood(np.array([float(count)]), level)
    return float(lower[0]), float(upper[0])


def poisson_interval_columns(
    df: pl.DataFrame,
    count_col: str,
    exposure_col: str,
    per: float = 1000.0,
    level: float = 0.95,
    prefix: str | None = None,
) -> pl.DataFrame:
    """Add a rate and its exact Poisson interval, per row, to `df`.

    rate = count / exposure · per; lower and upper are the Garwood bounds of the count (see
    `poisson_interval`) divided by the same exposure, so the exposure is treated as known without
    error. All three are null when the count or exposure is null or the exposure is 0. New columns are
    ``{prefix}rate``, ``{prefix}lower`` and ``{prefix}upper``; the prefix defaults to ``"{count_col}_"``.
    """
    prefix = f"{count_col}_" if prefix is None else prefix
    counts = df.get_column(count_col).cast(pl.Float64).to_numpy()
    exposure = df.get_column(exposure_col).cast(pl.Float64).to_numpy()
    lower, upper = _garwood(counts, level)
    usable = np.isfinite(counts) & np.isfinite(exposure) & (exposure > 0)
    safe_exposure = np.where(usable, exposure, 1.0)
    columns = {
        "rate": counts / safe_exposure * per,
        "lower": lower / safe_exposure * per,
        "upper": upper / safe_exposure * per,
    }
    return df.with_columns(
        pl.Series(f"{prefix}{name}", np.where(usable, values, np.nan), dtype=pl.Float64).fill_nan(None)
        for name, values in columns.items()
    )


@dataclass(frozen=True)
class RateRatio:
    """Ratio of two rates (group a over group b) with a confidence interval.

    `ratio`, `lower` and `upper` are None when either group has zero events: the log-scale Wald
    interval is then undefined (and with zero events in b the ratio itself is infinite).
    """

    ratio: float | None
    lower: float | None
    upper: float | None
    rate_a: float  # events_a / exposure_a · per
    rate_b: float
    events_a: int
    exposure_a: float
    events_b: int
    exposure_b: float
    per: float = 1000.0
    level: float = 0.95


def rate_ratio(
    events_a: int,
    exposure_a: float,
    events_b: int,
    exposure_b: float,
    level: float = 0.95,
    per: float = 1000.0,
) -> RateRatio:
    """Rate ratio (a/Eₐ)/(b/E_b) with a Wald interval on the log scale.

    log(RR) ± z·SE with SE = √(1/a + 1/b) and z the standard-normal quantile for `level`; the bounds are
    exponentiated. This treats both counts as Poisson and the exposures as known. Units are not
    independent draws of persons, so with clustered data the interval is too narrow (see `cohort.analysis.did`
    for a cluster bootstrap). With zero events in either group, ratio and bounds are None.
    """
    tail = _check_level(level)
    for name, value in (("events_a", events_a), ("events_b", events_b)):
        if value < 0:
            raise ValueError(f"{name} moet ≥ 0 zijn, niet {value!r}.")
    for name, exposure in (("exposure_a", exposure_a), ("exposure_b", exposure_b)):
        if not exposure > 0:
            raise ValueError(f"{name} (aantal personen × maanden) moet > 0 zijn, niet {exposure!r}.")
    rate_a = events_a / exposure_a * per
    rate_b = events_b / exposure_b * per
    ratio = lower = upper = None
    if events_a > 0 and events_b > 0:
        ratio = rate_a / rate_b
        z = float(special.ndtri(1.0 - tail))  # the standard normal quantile
        half_width = z * math.sqrt(1.0 / events_a + 1.0 / events_b)
        lower = ratio * math.exp(-half_width)
        upper = ratio * math.exp(half_width)
    return RateRatio(
        ratio=ratio, lower=lower, upper=upper, rate_a=rate_a, rate_b=rate_b,
        events_a=int(events_a), exposure_a=float(exposure_a), events_b=int(events_b),
        exposure_b=float(exposure_b), per=per, level=level,
    )


# The Poisson cdf, survival function and quantile as scipy.stats.poisson computes them (its `_cdf`, `_sf`, `_ppf`
# and the support and argument handling around them), from scipy.special directly: importing scipy.stats took
# 1.6 s on the first Klachten view of a server. tests/unit/analysis/test_stats.py checks they give the same
# numbers as scipy.stats.poisson, to the bit.


def _poisson_cdf(k: np.ndarray, mean: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        inside = (mean >= 0) & (k >= 0) & np.isfinite(k)
        out = np.where(inside, np.clip(special.pdtr(np.floor(np.where(inside, k, 0.0)), mean), 0.0, 1.0), 0.0)
        out = np.where(np.isposinf(k) & (mean >= 0), 1.0, out)
    return np.where(~(mean >= 0) | np.isnan(k), np.nan, out)


def _poisson_sf(k: np.ndarray, mean: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        inside = (mean >= 0) & (k >= 0) & np.isfinite(k)
        out = np.where(inside, np.clip(special.pdtrc(np.floor(np.where(inside, k, 0.0)), mean), 0.0, 1.0), 0.0)
        out = np.where((k < 0) & (mean >= 0), 1.0, out)
    return np.where(~(mean >= 0) | np.isnan(k), np.nan, out)


def _poisson_ppf(p: float, mean: np.ndarray) -> np.ndarray:
    """For 0 < p < 1: the smallest whole k with cdf(k) >= p."""
    with np.errstate(invalid="ignore"):
        safe = np.where(mean >= 0, mean, 0.0)
        vals = np.ceil(special.pdtrik(p, safe))
        below = np.maximum(vals - 1, 0)
        out = np.where(special.pdtr(below, safe) >= p, below, vals)
    return np.where(mean >= 0, out, np.nan)


def _poisson_limit(mean: np.ndarray, p: float) -> np.ndarray:
    """Spiegelhalter's interpolated p-quantile of Poisson(mean), so the funnel is a smooth curve.

    With r the ordinary p-quantile and F the Poisson cdf, the limit is r − (F(r) − p)/(F(r) − F(r−1)).
    """
    r = _poisson_ppf(p, mean)
    f_r = _poisson_cdf(r, mean)
    f_below = _poisson_cdf(r - 1.0, mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = (f_r - p) / (f_r - f_below)
    return np.maximum(r - alpha, 0.0)


def funnel_limits(
    overall_rate: float,
    exposures: np.ndarray | Sequence[float],
    per: float = 1000.0,
    levels: Sequence[float] = (0.95, 0.998),
) -> pl.DataFrame:
    """Exact Poisson control limits of a funnel plot (Spiegelhalter 2005, Stat Med 24:1185).

    For each exposure n the expected count under "no difference from the overall rate" is
    μ = overall_rate / per · n. The limits are the (1−level)/2 and 1−(1−level)/2 quantiles of
    Poisson(μ), interpolated between whole counts so the curve is smooth, divided by n and multiplied
    by `per`. A unit outside the 99,8% limits differs more than chance alone plausibly explains
    (about 1 in 500 units would fall outside by chance). Long format: one row per (level, exposure)
    with columns exposure, level, lower, upper; limits are null where the exposure is ≤ 0.
    """
    if overall_rate < 0:
        raise ValueError(f"Het gemiddelde cijfer moet ≥ 0 zijn, niet {overall_rate!r}.")
    n = np.asarray(exposures, dtype=float)
    usable = n > 0
    mean = overall_rate / per * np.where(usable, n, 1.0)
    frames = []
    for level in levels:
        tail = _check_level(level)
        lower = _poisson_limit(mean, tail) / np.where(usable, n, 1.0) * per
        upper = _poisson_limit(mean, 1.0 - tail) / np.where(usable, n, 1.0) * per
        frames.append(
            pl.DataFrame(
                {
                    "exposure": n,
                    "level": np.full(n.shape, float(level)),
                    "lower": np.where(usable, lower, np.nan),
                    "upper": np.where(usable, upper, np.nan),
                }
            )
        )
    if not frames:
        return pl.DataFrame(schema={"exposure": pl.Float64, "level": pl.Float64,
                                    "lower": pl.Float64, "upper": pl.Float64})
    return pl.concat(frames).with_columns(pl.col("lower", "upper").fill_nan(None))


def funnel_grid(max_exposure: float, n: int = 200, min_exposure: float | None = None) -> np.ndarray:
    """Exposures at which to draw smooth funnel limits: `n` points, geometrically spaced.

    Geometric spacing puts most points at small exposures, where the limits bend most. The grid runs
    from `min_exposure` (default max_exposure / 100) to `max_exposure`.
    """
    if not max_exposure > 0:
        raise ValueError(f"De grootste blootstelling moet > 0 zijn, niet {max_exposure!r}.")
    low = max_exposure / 100.0 if min_exposure is None else min_exposure
    if not 0 < low <= max_exposure:
        raise ValueError(f"De kleinste blootstelling moet tussen 0 en {max_exposure} liggen, niet {low!r}.")
    return np.geomspace(low, max_exposure, n)


def funnel_exceedance(
    overall_rate: float,
    exposures: np.ndarray | Sequence[float],
    per: float = 1000.0,
    level: float = 0.95,
) -> np.ndarray:
    """Exact chance that a unit whose true rate IS the overall rate still lies above the upper funnel limit.

    The nominal chance is (1 − level)/2 (2,5% for the 95% limits), but counts are whole numbers: a unit lies
    above the interpolated limit L (`funnel_limits`, a rate on the limit counts as inside) when its count
    k > L, so the chance is P(X > ⌊L⌋) for X ~ Poisson(μ), μ = overall_rate / per · n. With small expected
    counts that is far from nominal: for μ = 0,1 the limit lies below 1, so a single complaint is "above"
    (chance 1 − e^(−0,1) = 9,5%); for μ = 0,24 it is 21%; for μ = 5 it is 3,2%. NaN where n ≤ 0.
    """
    tail = _check_level(level)
    n = np.asarray(exposures, dtype=float)
    usable = n > 0
    mean = overall_rate / per * np.where(usable, n, 1.0)
    limit = _poisson_limit(mean, 1.0 - tail)
    # A limit that is a whole count up to rounding (1 − 1e-12) is that count: floor must not drop below it.
    chance = _poisson_sf(np.floor(limit + 1e-9), mean)
    return np.where(usable, chance, np.nan)
