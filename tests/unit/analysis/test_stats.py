"""Intervals, rate ratios and funnel limits against hand-computed / tabulated values."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from cohort.analysis.stats import (
    funnel_exceedance,
    funnel_grid,
    funnel_limits,
    poisson_interval,
    poisson_interval_columns,
    rate_ratio,
)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        # Tabulated exact 95% limits (e.g. Ulm 1990; Sahai & Khurshid 1993).
        (0, (0.0, 3.6889)),
        (1, (0.0253, 5.5716)),
        (5, (1.6235, 11.6683)),
        (30, (20.2409, 42.8269)),  # the familiar rounded (20.24; 42.83)
    ],
)
def test_poisson_interval_matches_tables(count: int, expected: tuple[float, float]) -> None:
    lower, upper = poisson_interval(count)
    assert lower == pytest.approx(expected[0], abs=1e-4)
    assert upper == pytest.approx(expected[1], abs=1e-4)


def test_poisson_interval_zero_has_lower_zero_and_wider_levels_are_wider() -> None:
    assert poisson_interval(0)[0] == 0.0
    narrow, wide = poisson_interval(5, level=0.90), poisson_interval(5, level=0.99)
    assert wide[0] < narrow[0] < 5 < narrow[1] < wide[1]


@pytest.mark.parametrize("bad", [-1, 2.5])
def test_poisson_interval_rejects_non_counts(bad: float) -> None:
    with pytest.raises(ValueError, match="geheel getal"):
        poisson_interval(bad)  # type: ignore[arg-type]


def test_poisson_interval_columns_complaints_example() -> None:
    # "30 complaints on just over 13,000 conversations": 30/13,000 = 2.3077 per 1,000,
    # interval 20.2409/13 = 1.5570 to 42.8269/13 = 3.2944 per 1,000.
    df = pl.DataFrame({"klachten": [30, None, 3, 0], "gesprekken": [13_000, 5, 0, 1000]})
    out = poisson_interval_columns(df, "klachten", "gesprekken")
    assert out.columns == ["klachten", "gesprekken", "klachten_rate", "klachten_lower", "klachten_upper"]
    assert out.row(0)[2:] == pytest.approx((2.307692, 1.556990, 3.294374), abs=1e-6)
    assert out.row(1)[2:] == (None, None, None)  # null count
    assert out.row(2)[2:] == (None, None, None)  # zero exposure
    assert out.row(3)[2:] == pytest.approx((0.0, 0.0, 3.688879), abs=1e-6)


def test_poisson_interval_columns_prefix_and_per() -> None:
    df = pl.DataFrame({"k": [5], "n": [200]})
    out = poisson_interval_columns(df, "k", "n", per=100, prefix="")
    assert out.row(0, named=True)["rate"] == pytest.approx(2.5)
    assert out.row(0, named=True)["lower"] == pytest.approx(1.6235 / 2, abs=1e-3)


def test_rate_ratio_by_hand() -> None:
    # 20 events on 1,000 vs 10 on 1,000: RR = 2; SE(log RR) = √(1/20 + 1/10) = 0.387298;
    # 1.959964 · 0.387298 = 0.759091; 2·e^−0.759091 = 0.936184; 2·e^0.759091 = 4.272666.
    rr = rate_ratio(20, 1000, 10, 1000)
    assert rr.ratio == pytest.approx(2.0)
    assert rr.lower == pytest.approx(0.936184, abs=1e-6)
    assert rr.upper == pytest.approx(4.272666, abs=1e-6)
    assert (rr.rate_a, rr.rate_b) == (20.0, 10.0)


def test_rate_ratio_unequal_exposure_and_symmetry() -> None:
    # 12 per 3,000 = 4 per 1,000 vs 30 per 15,000 = 2 per 1,000.
    rr = rate_ratio(12, 3000, 30, 15_000)
    assert rr.ratio == pytest.approx(2.0)
    swapped = rate_ratio(30, 15_000, 12, 3000)
    assert swapped.lower == pytest.approx(1 / rr.upper)
    assert swapped.upper == pytest.approx(1 / rr.lower)
    assert math.log(rr.upper) - math.log(rr.ratio) == pytest.approx(1.959964 * math.sqrt(1 / 12 + 1 / 30))


def test_rate_ratio_zero_events_gives_no_ratio() -> None:
    rr = rate_ratio(0, 1000, 10, 1000)
    assert (rr.ratio, rr.lower, rr.upper) == (None, None, None)
    assert rr.rate_a == 0.0 and rr.rate_b == 10.0
    assert rate_ratio(4, 1000, 0, 1000).ratio is None


def test_rate_ratio_rejects_zero_exposure() -> None:
    with pytest.raises(ValueError, match="exposure_b"):
        rate_ratio(1, 10, 1, 0)


def test_funnel_limits_hand_values() -> None:
    # Rate 10 per 1,000 at exposure 1,000: μ = 10. Upper 97.5% quantile r = 17, F(16) = 0.972958,
    # F(17) = 0.985722: α = (0.985722 − 0.975)/(0.985722 − 0.972958) = 0.840 → 17 − 0.840 = 16.160.
    # Lower 2.5% quantile r = 4, F(3) = 0.010336, F(4) = 0.029253: α = 0.2248 → 3.775.
    limits = funnel_limits(10.0, [1000.0], levels=(0.95,))
    row = limits.row(0, named=True)
    assert row["upper"] == pytest.approx(16.160, abs=1e-3)
    assert row["lower"] == pytest.approx(3.775, abs=1e-3)
    assert row["level"] == 0.95


def test_funnel_limits_widen_at_small_exposure_and_are_nearly_symmetric_at_large() -> None:
    grid = funnel_grid(100_000, n=50)
    limits = funnel_limits(10.0, grid)
    for level in (0.95, 0.998):
        part = limits.filter(pl.col("level") == level).sort("exposure")
        width = (part["upper"] - part["lower"]).to_numpy()
        assert np.all(np.diff(width) <= 1e-9)  # narrower as exposure grows
        assert (part["lower"] <= 10.0).all() and (part["upper"] >= 10.0).all()
        last = part.row(-1, named=True)
        assert (last["upper"] - 10.0) == pytest.approx(10.0 - last["lower"], rel=0.1)
    inner = limits.filter(pl.col("level") == 0.95)["upper"].to_numpy()
    outer = limits.filter(pl.col("level") == 0.998)["upper"].to_numpy()
    assert np.all(outer > inner)


def test_funnel_limits_null_for_zero_exposure() -> None:
    limits = funnel_limits(10.0, [0.0, 500.0], levels=(0.95,))
    assert limits.row(0, named=True)["upper"] is None
    assert limits.row(1, named=True)["upper"] is not None


def test_funnel_grid_is_geometric() -> None:
    grid = funnel_grid(10_000, n=3)
    assert grid == pytest.approx([100.0, 1000.0, 10_000.0])
    assert funnel_grid(50, n=2, min_exposure=2)[0] == 2
    with pytest.raises(ValueError):
        funnel_grid(0)


def test_funnel_exceedance_is_far_from_nominal_for_small_expected_counts() -> None:
    # Overall 1 per 1.000, so n conversations expect μ = n / 1.000 complaints.
    # μ = 0,1: F(0) = 0,904837, F(1) = 0,995321, so the 97,5% limit lies between 0 and 1: one complaint is above.
    #   P(X ≥ 1) = 1 − e^(−0,1) = 0,095163.
    # μ = 0,2: F(1) = 0,982477 ≥ 0,975, limit 1 − (0,982477 − 0,975)/(0,982477 − 0,818731) = 0,954: P(X ≥ 1) =
    #   1 − e^(−0,2) = 0,181269.
    # μ = 0,25: F(1) = 0,973501 < 0,975, so r = 2, limit 2 − (0,997839 − 0,975)/(0,997839 − 0,973501) = 1,062:
    #   above means 2 or more, P = 1 − F(1) = 0,026499.
    # μ = 5: r = 10, limit 10 − (0,986305 − 0,975)/(0,986305 − 0,968172) = 9,377: P(X ≥ 10) = 1 − F(9) = 0,031828.
    chances = funnel_exceedance(1.0, [100.0, 200.0, 250.0, 5000.0, 0.0])
    assert chances[:4] == pytest.approx([0.095163, 0.181269, 0.026499, 0.031828], abs=1e-6)
    assert np.isnan(chances[4])
    # The 99,8% limit at μ = 5: r = 13 (F(13) = 0,999302, F(12) = 0,997981), limit 12,771: P(X ≥ 13) = 1 − F(12).
    assert funnel_exceedance(1.0, [5000.0], level=0.998)[0] == pytest.approx(1 - 0.997981, abs=1e-6)


def test_poisson_functions_without_scipy_stats_equal_scipy_stats_to_the_bit() -> None:
    """The funnel's cdf, survival function and quantile (from scipy.special, see `stats._poisson_cdf`) are the
    numbers scipy.stats.poisson gives, for means from 0 to 10^5 and counts below, at and beyond the support."""
    from scipy import stats as scipy_stats

    from cohort.analysis.stats import _poisson_cdf, _poisson_ppf, _poisson_sf

    means = np.concatenate([[0.0, 1e-12, 1e-6, 0.03, 0.1, 0.24, 0.5, 1.0, 5.0, 30.0],
                            np.geomspace(1e-4, 1e5, 400)])
    for k in (-2.0, -1.0, 0.0, 0.5, 1.0, 3.0, 7.9, 40.0, 1e4, np.inf, -np.inf, np.nan):
        counts = np.full(means.shape, k)
        np.testing.assert_array_equal(_poisson_cdf(counts, means), scipy_stats.poisson.cdf(counts, means))
        np.testing.assert_array_equal(_poisson_sf(counts, means), scipy_stats.poisson.sf(counts, means))
    mixed = np.geomspace(1e-3, 2e3, means.size)
    np.testing.assert_array_equal(_poisson_cdf(mixed, means), scipy_stats.poisson.cdf(mixed, means))
    for p in (0.001, 0.025, 0.5, 0.975, 0.999):
        np.testing.assert_array_equal(_poisson_ppf(p, means), scipy_stats.poisson.ppf(p, means))
    negative = np.array([-1.0, np.nan])
    np.testing.assert_array_equal(_poisson_ppf(0.5, negative), scipy_stats.poisson.ppf(0.5, negative))
    np.testing.assert_array_equal(_poisson_cdf(np.array([1.0, 1.0]), negative),
                                  scipy_stats.poisson.cdf(1.0, negative))
