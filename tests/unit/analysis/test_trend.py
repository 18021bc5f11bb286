"""Poisson trend markers: closed-form cases, an independent two-parameter fit, and constructed series.

Hand cases:
- Two periods, 30 then 45 events on equal exposure: the slope is the log rate ratio, exp(β̂) = 45/30 = 1,5; under
  "no trend" both periods expect 37,5, so LR = 2·(30·ln(30/37,5) + 45·ln(45/37,5)) = 3,0203, p = 0,0822.
- A series that is exactly geometric (32, 48, 72, 108, 162, 243 on equal exposure) is fitted perfectly:
  exp(β̂) = 1,5 exactly and the Pearson dispersion is 0 (so φ = 1).
- Counts rising exactly with the exposure (40 … 65 on 800 … 1.300 persons) are a constant rate: exp(β̂) = 1, LR = 0.
- A zigzag (20, 80, 20, 20, 80, 20) is symmetric around the middle, so β̂ = 0, μ̂ = 40 everywhere and
  X² = 4·(20²/40) + 2·(40²/40) = 120, φ = 120 / (6 − 2) = 30.
- All 20 events in the last of 6 equal months: the estimate is +∞ and LR = 2·20·ln 6 = 71,67.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
import pytest
from scipy import optimize, special, stats

from cohort.analysis.comparison import COMPLAINTS, OUTFLOW_TO_WORK
from cohort.analysis.trend import (
    TrendMarker,
    fit_poisson_trend,
    month_index,
    period_label,
    quarter_index,
    trend_per_unit,
    trends,
)
from cohort.privacy.rules import SuppressionRule

CHI2_95 = stats.chi2.ppf(0.95, 1)  # 3,8415
PEIL = month_index(date(2021, 6, 30))


def _full_fit(t, y, e):
    """Independent check: maximise the two-parameter Poisson log-likelihood numerically (no profile trick).

    Returns the slope, the LR statistic against the intercept-only model (closed form: e^α = Σy / ΣE), the
    fitted means, and the deviance at a fixed slope with the intercept maximised numerically.
    """
    t, y, e = (np.asarray(v, dtype=float) for v in (t, y, e))
    centred = t - t.mean()

    def negative_loglik(intercept: float, slope: float) -> float:
        mu = e * np.exp(intercept + slope * centred)
        return float(np.sum(mu - y * np.log(mu) + special.gammaln(y + 1)))

    start = [math.log(y.sum() / e.sum()), 0.0]
    best = optimize.minimize(lambda p: negative_loglik(*p), start, method="Nelder-Mead",
                             options={"xatol": 1e-11, "fatol": 1e-13, "maxiter": 20000})
    null = negative_loglik(start[0], 0.0)

    def deviance_at(slope: float) -> float:
        inner = optimize.minimize_scalar(lambda a: negative_loglik(a, slope), bounds=(-30, 30), method="bounded",
                                         options={"xatol": 1e-12})
        return 2.0 * (inner.fun - best.fun)

    fitted = e * np.exp(best.x[0] + best.x[1] * centred)
    return best.x[1], 2.0 * (null - best.fun), fitted, deviance_at


def test_two_periods_closed_form() -> None:
    fit = fit_poisson_trend([0, 1], [30, 45], [1000, 1000])
    assert fit.rate_ratio == pytest.approx(1.5, rel=1e-10)
    lr = 2 * (30 * math.log(30 / 37.5) + 45 * math.log(45 / 37.5))
    assert lr == pytest.approx(3.0203, abs=1e-4)
    assert fit.statistic == pytest.approx(lr, rel=1e-9)
    assert fit.p_value == pytest.approx(stats.chi2.sf(lr, 1), rel=1e-9)
    assert fit.p_value == pytest.approx(0.0822, abs=1e-4)
    assert fit.dispersion == 1.0  # two points leave no degrees of freedom to estimate it
    assert fit.lower < 1.0 < fit.upper  # not significant, so the interval includes 1


@pytest.mark.parametrize(
    ("events", "exposure"),
    [
        ([50, 55, 60, 67, 73, 81], [1000] * 6),
        ([41, 47, 39, 55, 60, 52], [900, 950, 1000, 1100, 1150, 1200]),
        ([12, 9, 7, 11, 4, 6], [300, 310, 305, 320, 330, 300]),
        ([20, 80, 25, 30, 90, 45], [1000] * 6),  # overdispersed: φ > 1 scales test and interval
    ],
)
def test_estimate_test_and_interval_match_an_independent_full_fit(events, exposure) -> None:
    t = list(range(6))
    fit = fit_poisson_trend(t, events, exposure)
    beta, lr, fitted, deviance_at = _full_fit(t, events, exposure)
    assert math.log(fit.rate_ratio) == pytest.approx(beta, abs=1e-6)
    assert fit.statistic * fit.dispersion == pytest.approx(lr, rel=1e-6, abs=1e-9)
    assert fit.p_value == pytest.approx(stats.chi2.sf(lr / fit.dispersion, 1), rel=1e-6)
    pearson = float(np.sum((np.array(events) - fitted) ** 2 / fitted))
    assert fit.dispersion == pytest.approx(max(1.0, pearson / (6 - 2)), rel=1e-5)
    if events[0] == 20:
        assert fit.dispersion > 5
    # The interval ends are where the profile deviance reaches φ·χ²(1; 0,95), computed without the closed form.
    for end in (fit.lower, fit.upper):
        assert deviance_at(math.log(end)) == pytest.approx(fit.dispersion * CHI2_95, abs=1e-4)


def test_exact_geometric_series_is_fitted_perfectly() -> None:
    events = [32, 48, 72, 108, 162, 243]
    fit = fit_poisson_trend(range(6), events, [1000] * 6)
    assert fit.rate_ratio == pytest.approx(1.5, rel=1e-9)
    assert fit.dispersion == 1.0
    mean = sum(events) / 6
    assert fit.statistic == pytest.approx(2 * sum(y * math.log(y / mean) for y in events), rel=1e-9)
    falling = fit_poisson_trend(range(6), events[::-1], [1000] * 6)
    assert falling.rate_ratio == pytest.approx(2 / 3, rel=1e-9)


def test_the_exposure_offset_turns_rising_counts_into_a_constant_rate() -> None:
    fit = fit_poisson_trend(range(6), [40, 45, 50, 55, 60, 65], [800, 900, 1000, 1100, 1200, 1300])
    assert fit.rate_ratio == pytest.approx(1.0, abs=1e-9)
    assert fit.statistic == pytest.approx(0.0, abs=1e-9)
    assert fit.p_value == pytest.approx(1.0)


def test_overdispersion_widens_the_interval_by_the_pearson_dispersion() -> None:
    zigzag = fit_poisson_trend(range(6), [20, 80, 20, 20, 80, 20], [1000] * 6)
    assert zigzag.rate_ratio == pytest.approx(1.0, abs=1e-9)
    assert zigzag.dispersion == pytest.approx(30.0)
    # At β̂ = 0 the profile deviance is about n·Var(t)·β² near the estimate; with φ = 30 the interval is far wider
    # than Poisson alone would give for 240 events (about ×(1 ± 0,09)).
    assert zigzag.lower < 0.75 and zigzag.upper > 1.3


def test_all_events_in_the_last_period_give_an_open_interval() -> None:
    fit = fit_poisson_trend(range(6), [0, 0, 0, 0, 0, 20], [1000] * 6)
    assert fit.rate_ratio is None and fit.upper is None
    assert fit.statistic == pytest.approx(2 * 20 * math.log(6), rel=1e-9)
    assert fit.statistic == pytest.approx(71.67, abs=0.01)
    # The lower end: the deviance against the (infinite) best fit reaches χ²(1; 0,95).
    t = np.arange(6) - 2.5

    def deviance(beta):
        w = np.exp(beta * t)
        return 2 * 20 * (math.log(w.sum()) - beta * 2.5)  # 2·(g(∞) − g(β)) with g(∞) = −20·ln(1000)

    assert deviance(math.log(fit.lower)) == pytest.approx(CHI2_95, abs=1e-8)
    first = fit_poisson_trend(range(6), [20, 0, 0, 0, 0, 0], [1000] * 6)
    assert first.rate_ratio == 0.0 and first.lower == 0.0 and first.upper < 1


def test_fit_rejects_impossible_input() -> None:
    with pytest.raises(ValueError, match="zonder blootstelling"):
        fit_poisson_trend([0, 1, 2], [1, 2, 3], [10, 0, 10])
    with pytest.raises(ValueError, match="maar één keer"):
        fit_poisson_trend([0, 0, 1], [1, 2, 3], [10, 10, 10])
    with pytest.raises(ValueError, match="minstens twee perioden"):
        fit_poisson_trend([0, 1, 2], [0, 0, 0], [10, 10, 10])


# --- per unit, windows, markers -------------------------------------------------------------------------------


def _series(values: dict[str, list[int]], exposure: float = 1000.0, last: int = PEIL) -> pl.DataFrame:
    rows = []
    for code, events in values.items():
        for i, y in enumerate(events):
            rows.append((code, last - len(events) + 1 + i, y, exposure))
    return pl.DataFrame(rows, schema=["code", "period", "events", "exposure"], orient="row")


def test_markers_on_a_known_trend_and_on_none() -> None:
    series = _series({
        "RISE": [32, 48, 72, 108, 162, 243],
        "FALL": [243, 162, 108, 72, 48, 32],
        "FLAT": [50, 52, 48, 51, 49, 50],
    })
    result = {r["code"]: r for r in trend_per_unit(series, OUTFLOW_TO_WORK, last_period=PEIL, months=6)
              .iter_rows(named=True)}
    assert result["RISE"]["marker"] == TrendMarker.RISING
    assert result["RISE"]["rate_ratio"] == pytest.approx(1.5)
    assert result["FALL"]["marker"] == TrendMarker.FALLING
    assert result["FLAT"]["marker"] == TrendMarker.NO_CHANGE
    assert result["FLAT"]["p_value"] > 0.05
    assert result["FLAT"]["ratio_lower"] < 1 < result["FLAT"]["ratio_upper"]
    assert result["RISE"]["text"].startswith(
        "Stijgend: het cijfer voor uitstroom naar werk steeg in de laatste 6 maanden (jan 2021 – jun 2021) met "
        "gemiddeld 50,0% per maand (95%-interval +"
    )
    assert result["FALL"]["text"].startswith("Dalend: het cijfer voor uitstroom naar werk daalde in de laatste 6")
    assert "met gemiddeld 33,3% per maand" in result["FALL"]["text"]
    assert "het betekent niet dat het cijfer gelijk bleef" in result["FLAT"]["text"]
    assert {r["first_period"] for r in result.values()} == {PEIL - 5}


def test_windows_use_only_their_own_months() -> None:
    # 18 months: a steep rise long ago, then 12 flat months. Both windows see only flat months; a window that
    # leaked older months would call it rising.
    old_rise = [10, 20, 40, 80, 160, 320]
    flat = [100, 98, 102, 101, 99, 100, 100, 101, 99, 100, 102, 98]
    series = _series({"A": old_rise + flat})
    result = trends(series, OUTFLOW_TO_WORK, last_period=PEIL)
    assert result.select("months", "marker").rows() == [(6, "geen significante verandering"),
                                                       (12, "geen significante verandering")]
    assert result.get_column("first_period").to_list() == [PEIL - 5, PEIL - 11]
    assert "(jul 2020 – jun 2021)" in result.get_column("text")[1]


def test_a_hidden_month_hides_the_trend_of_the_windows_that_contain_it() -> None:
    values = [50, 52, 3, 51, 49, 50, 48, 50, 52, 51, 49, 50]  # the 3 is in the 12-month window only
    series = _series({"A": values})
    result = trends(series, OUTFLOW_TO_WORK, last_period=PEIL)
    assert result.get_column("marker").to_list() == ["geen significante verandering", "verborgen"]
    hidden = result.row(1, named=True)
    assert all(hidden[c] is None for c in ("rate_ratio", "ratio_lower", "ratio_upper", "p_value", "dispersion"))
    assert "3" not in hidden["text"].replace("(jul 2020 – jun 2021)", "")
    # A flag from the shared protection (a count hidden to protect another) hides it too, as does a null count.
    flagged = series.with_columns((pl.col("period") == PEIL).alias("hidden"))
    assert trend_per_unit(flagged, OUTFLOW_TO_WORK, last_period=PEIL, months=6).get_column("marker")[0] == "verborgen"
    nulled = series.with_columns(pl.when(pl.col("period") == PEIL).then(None).otherwise(pl.col("events"))
                                 .alias("events"))
    assert trend_per_unit(nulled, OUTFLOW_TO_WORK, last_period=PEIL, months=6).get_column("marker")[0] == "verborgen"
    # With hiding switched off (evaluators only) the same series gets a marker.
    shown = trends(series, OUTFLOW_TO_WORK, last_period=PEIL, rule=SuppressionRule(enabled=False))
    assert shown.get_column("marker")[1] != "verborgen"


def test_too_little_data() -> None:
    few_events = _series({"A": [0, 0, 5, 0, 0, 0]})  # 5 events < 10
    started_late = _series({"B": [50, 60, 70, 80]})  # only 4 of the 6 months exist
    no_conversations = _series({"C": [0, 0, 0, 0, 30, 40]}).with_columns(
        pl.when(pl.col("period") < PEIL - 1).then(0.0).otherwise(pl.col("exposure")).alias("exposure")
    )  # complaints: only two months had conversations
    result = trend_per_unit(pl.concat([few_events, started_late, no_conversations]), COMPLAINTS,
                            last_period=PEIL, months=6)
    assert result.get_column("marker").to_list() == ["te weinig gegevens"] * 3
    texts = result.get_column("text").to_list()
    assert texts[0].endswith("minder dan 10 keer klachten in die periode.")
    assert texts[1].endswith("de gegevens beslaan niet die hele periode.")
    assert texts[2].endswith("minder dan 3 maanden met gesprekken.")
    assert result.select(pl.col("rate_ratio", "p_value").null_count()).row(0) == (3, 3)


def test_quarterly_series() -> None:
    last = quarter_index(date(2021, 6, 30))
    rows = [("A", last - 3 + i, y, 3000.0) for i, y in enumerate([100, 150, 225, 338])]
    series = pl.DataFrame(rows, schema=["code", "period", "events", "exposure"], orient="row")
    result = trends(series, OUTFLOW_TO_WORK, last_period=last, grain="kwartaal")
    # 6 months = 2 quarters: the exact test of two rates, 338 of the 563 events in the later of two equal quarters
    assert result.get_column("marker").to_list() == ["stijgend", "stijgend"]
    six = result.row(0, named=True)
    assert six["rate_ratio"] == pytest.approx(338 / 225)
    assert six["p_value"] == pytest.approx(2 * stats.binom.sf(337, 563, 0.5))
    assert "twee kwartalen vergeleken" in six["text"]
    assert "(K3 2020 – K2 2021)" in result.get_column("text")[1]
    assert "per kwartaal" in result.get_column("text")[1]
    with pytest.raises(ValueError, match="hele kwartalen"):
        trend_per_unit(series, OUTFLOW_TO_WORK, last_period=last, months=7, grain="kwartaal")


def test_period_helpers() -> None:
    assert month_index(date(2021, 6, 30)) - month_index(date(2020, 7, 1)) == 11
    assert month_index(date(2021, 1, 1)) - month_index(date(2020, 12, 31)) == 1
    assert period_label(month_index(date(2021, 6, 15)), "maand") == "jun 2021"
    assert quarter_index(date(2021, 4, 1)) == quarter_index(date(2021, 6, 30)) == quarter_index(date(2021, 3, 31)) + 1
    assert period_label(quarter_index(date(2021, 6, 30)), "kwartaal") == "K2 2021"
    assert period_label(quarter_index(date(2020, 12, 1)), "kwartaal") == "K4 2020"


def test_duplicate_periods_are_an_error_naming_the_unit() -> None:
    series = pl.concat([_series({"DX07": [50] * 6}), _series({"DX07": [50]})])
    with pytest.raises(ValueError, match="Eenheid DX07"):
        trend_per_unit(series, OUTFLOW_TO_WORK, last_period=PEIL, months=6)


def test_method_text_states_the_thresholds_the_code_uses() -> None:
    from cohort.analysis.trend import METHOD_NL, MIN_EVENTS, MIN_PERIODS, WINDOW_MONTHS

    assert f"minder dan {MIN_EVENTS} gebeurtenissen" in METHOD_NL
    assert f"minder dan {MIN_PERIODS} maanden" in METHOD_NL
    assert all(f"laatste {m}" in METHOD_NL for m in WINDOW_MONTHS)


def test_two_quarters_exact_test_with_and_without_a_change() -> None:
    """6 months per quarter: two periods, the exact conditional test. Equal exposure, so π₀ = 1/2.

    A: 110 of 210 events in the later quarter: P(X ≥ 110 | 210, ½) = 0,2665, p = 0,533: no significant change.
    B: 60 of 180 in the later quarter: 2 · P(X ≤ 60 | 180, ½) < 0,0001: falling, ratio 60 / 120 = 0,5.
    C: one quarter hidden: the marker is hidden, and its text holds none of the counts.
    """
    last = quarter_index(date(2021, 6, 30))
    rows = [("A", last - 1, 100, 3000.0, False), ("A", last, 110, 3000.0, False),
            ("B", last - 1, 120, 3000.0, False), ("B", last, 60, 3000.0, False),
            ("C", last - 1, 120, 3000.0, False), ("C", last, None, 3000.0, True)]
    series = pl.DataFrame(rows, schema=["code", "period", "events", "exposure", "hidden"], orient="row")
    result = {r["code"]: r for r in trend_per_unit(series, OUTFLOW_TO_WORK, last_period=last, months=6,
                                                  grain="kwartaal").iter_rows(named=True)}
    assert result["A"]["marker"] == "geen significante verandering"
    assert result["A"]["p_value"] == pytest.approx(2 * stats.binom.sf(109, 210, 0.5))
    assert result["A"]["rate_ratio"] == pytest.approx(1.1)
    assert result["B"]["marker"] == "dalend" and result["B"]["rate_ratio"] == pytest.approx(0.5)
    assert result["B"]["p_value"] == pytest.approx(2 * stats.binom.cdf(60, 180, 0.5))
    low, high = result["B"]["ratio_lower"], result["B"]["ratio_upper"]
    ci = stats.binomtest(60, 180).proportion_ci(0.95, method="exact")
    assert (low, high) == (pytest.approx(ci.low / (1 - ci.low)), pytest.approx(ci.high / (1 - ci.high)))
    assert result["C"]["marker"] == "verborgen" and result["C"]["rate_ratio"] is None
    assert "120" not in result["C"]["text"] and result["C"]["text"].startswith("Verborgen")
