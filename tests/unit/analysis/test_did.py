"""Staggered DiD and the event-time profile on panels with a known answer (raw ratio: cohort.analysis.metrics)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from cohort.analysis.did import build_panel, did_effect, event_time_profile
from cohort.analysis.metrics import outflow_cohort_vs_comparison, with_phase
from cohort.analysis.stats import RateRatio
from cohort.contract import COMPLAINT_COLUMNS

N_UNITS, N_MONTHS, FIRST = 25, 60, date(2018, 1, 1)


def month(offset: int, first: date = FIRST) -> date:
    index = first.year * 12 + first.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def constructed_panel(
    effect: float = 4.0,
    *,
    trend: bool = True,
    early_high: bool = False,
    varying_exposure: bool = False,
    noise_seed: int | None = None,
) -> pl.DataFrame:
    """25 units × 60 months; units 0–19 start staggered (months 12…40), 20–24 never; cohort lasts 12 months.

    Rate per 1,000 = unit effect + common month effect + `effect` during the cohort period. With
    `early_high`, the ten earliest starters have twice the baseline (selection on level); with
    `noise_seed`, events are Poisson draws instead of exact expected values.
    """
    rng = np.random.default_rng(noise_seed)
    rows = []
    for unit in range(N_UNITS):
        start = 12 + (unit // 2) * 3 if unit < 20 else None  # two units per cohort, ten cohorts
        end = None if start is None else start + 11
        level = 10.0 + (unit % 5)
        if early_high and unit < 10:
            level *= 2.0
        for t in range(N_MONTHS):
            in_cohort = start is not None and start <= t <= end  # type: ignore[operator]
            rate = level + (0.1 * t + 2.0 * np.sin(t / 3.0) if trend else 0.0) + (effect if in_cohort else 0.0)
            exposure = 1000 + 40 * unit + (15 * t if varying_exposure else 0)
            expected = rate * exposure / 1000.0
            events = float(rng.poisson(expected)) if noise_seed is not None else expected
            rows.append(
                {
                    "code": f"U{unit:02d}",
                    "maand": month(t),
                    "start": None if start is None else month(start).replace(day=15),  # mid-month start
                    "eind": None if end is None else month(end).replace(day=28),
                    "bijstand": exposure,
                    "uitstroom_werk": events,
                }
            )
    return pl.DataFrame(rows, schema_overrides={"start": pl.Date, "eind": pl.Date})


def raw_ratio(panel: pl.DataFrame) -> RateRatio | None:
    """The dashboard's raw comparison (cohort.analysis.metrics) on a DiD panel whose units are all areas."""
    units = panel.group_by("code").agg(pl.col("start", "eind").first()).with_columns(
        naam=pl.col("code"), soort=pl.lit("gebied"), stadsdeel=pl.lit(None, pl.String)
    )
    monthly = panel.select("code", "maand", "bijstand", "uitstroom_werk").with_columns(
        [pl.lit(0).alias(c) for c in COMPLAINT_COLUMNS]
    )
    months = panel.get_column("maand")
    return outflow_cohort_vs_comparison(with_phase(monthly, units), months.min(), months.max())


def tiny_panel() -> pl.DataFrame:
    """Three units, four months, exposure 1,000 each; A starts in month 3, B in month 4, C never."""
    rates = {"A": [10, 12, 20, 22], "B": [5, 6, 7, 15], "C": [8, 9, 10, 11]}
    starts = {"A": date(2020, 3, 1), "B": date(2020, 4, 1), "C": None}
    return pl.DataFrame(
        [
            {"code": code, "maand": date(2020, m + 1, 1), "start": starts[code], "eind": None,
             "bijstand": 1000, "uitstroom_werk": values[m]}
            for code, values in rates.items()
            for m in range(4)
        ],
        schema_overrides={"start": pl.Date, "eind": pl.Date},
    )


def test_did_tiny_panel_by_hand() -> None:
    # Base = the one month before the start. Cohort A (March): March: (20−12) − mean(B 7−6, C 10−9) = 7;
    # April: (22−12) − (C 11−9) = 8. Cohort B (April): (15−7) − (C 11−10) = 7.
    # Equal weights: ATT = 22/3. Treated rate = (20+22+15)/3 = 19; counterfactual = 19 − 22/3 = 35/3.
    result = did_effect(tiny_panel(), base_months=1, reps=50)
    assert result is not None
    assert result.att == pytest.approx(22 / 3, abs=1e-12)
    assert result.treated_rate == pytest.approx(19.0, abs=1e-12)
    assert result.counterfactual_rate == pytest.approx(35 / 3, abs=1e-12)
    assert result.ratio == pytest.approx(57 / 35, abs=1e-12)
    assert (result.n_units_treated, result.n_cohorts, result.n_cells) == (2, 2, 3)
    assert result.n_units_control == 2  # B (before its own start) and C
    assert result.cells.sort("cohort", "maand")["att"].to_list() == pytest.approx([7.0, 8.0, 7.0])
    assert result.cells["n_control"].sort().to_list() == [1, 1, 2]


def test_did_window_selects_effect_months_only() -> None:
    # Only April counts: cells A-April (8) and B-April (7); base months in February/March still used.
    result = did_effect(tiny_panel(), date(2020, 4, 1), date(2020, 4, 1), base_months=1, reps=50)
    assert result is not None
    assert result.att == pytest.approx(7.5, abs=1e-12)
    assert result.n_cells == 2


def test_did_none_without_controls_or_pre_period() -> None:
    assert did_effect(tiny_panel(), base_months=4, reps=10) is None  # no unit has 4 months before start
    all_start = tiny_panel().with_columns(start=pl.lit(date(2020, 3, 1)))
    assert did_effect(all_start, base_months=1, reps=10) is None  # nobody left to compare with


def test_did_recovers_additive_effect_exactly() -> None:
    result = did_effect(constructed_panel(4.0))
    assert result is not None
    assert result.att == pytest.approx(4.0, abs=1e-9)
    # Every bootstrap replicate also sees exactly +4: the interval collapses onto it.
    assert result.ci == pytest.approx((4.0, 4.0), abs=1e-9)
    assert result.treated_rate - result.counterfactual_rate == pytest.approx(4.0, abs=1e-9)
    assert result.n_units_treated == 20 and result.n_cohorts == 10
    # 12 cohort months per cohort; the never-started units keep every cell comparable.
    assert result.n_cells == 10 * 12
    assert "Callaway" in result.method and "499" in result.method


def test_did_exact_with_exposure_changing_over_time() -> None:
    # Pooled events/exposure would drift with the units' changing sizes; fixed base weights do not.
    result = did_effect(constructed_panel(4.0, varying_exposure=True), reps=20)
    assert result is not None
    assert result.att == pytest.approx(4.0, abs=1e-9)


def test_did_cap_and_window() -> None:
    capped = did_effect(constructed_panel(4.0), max_months=6, reps=20)
    windowed = did_effect(constructed_panel(4.0), date(2020, 1, 1), date(2020, 12, 1), reps=20)
    assert capped is not None and windowed is not None
    assert capped.n_cells == 10 * 6
    assert capped.att == pytest.approx(4.0, abs=1e-9) and windowed.att == pytest.approx(4.0, abs=1e-9)
    assert windowed.cells["maand"].min() >= date(2020, 1, 1)
    assert windowed.cells["maand"].max() <= date(2020, 12, 1)


def test_selection_on_level_biases_raw_ratio_but_not_did() -> None:
    panel = constructed_panel(4.0, early_high=True)
    raw = raw_ratio(panel)
    assert raw is not None and raw.ratio is not None
    # Early starters have double baselines (and the rising trend favours later cohort months): the raw
    # ratio says "50% higher" although the true effect is +4 on a counterfactual of about 20.6 (ratio 1.19).
    assert raw.ratio > 1.45
    result = did_effect(panel, reps=50)
    assert result is not None
    assert result.att == pytest.approx(4.0, abs=1e-9)
    assert result.ratio == pytest.approx(1.194, abs=1e-3)
    assert raw.lower is not None and raw.lower > result.ratio_ci[1]


def test_did_interval_missing_when_too_few_units_to_resample() -> None:
    # With 3 base months only cohort B (April) is usable, against C alone: two units. Most bootstrap
    # draws lack one of them, so no interval is given, while the point estimate still is:
    # (15 − mean(5, 6, 7)) − (11 − mean(8, 9, 10)) = 9 − 2 = 7.
    result = did_effect(tiny_panel(), reps=50)
    assert result is not None
    assert result.att == pytest.approx(7.0)
    assert all(np.isnan(result.ci)) and all(np.isnan(result.ratio_ci))


def test_did_no_effect_with_poisson_noise_covers_zero() -> None:
    result = did_effect(constructed_panel(0.0, noise_seed=7))
    assert result is not None
    assert abs(result.att) < 1.0
    assert result.ci[0] < 0.0 < result.ci[1]
    assert result.ratio_ci[0] < 1.0 < result.ratio_ci[1]


def test_did_with_effect_and_noise_excludes_zero() -> None:
    result = did_effect(constructed_panel(4.0, noise_seed=11))
    assert result is not None
    assert result.ci[0] < 4.0 < result.ci[1]
    assert result.ci[0] > 0.0


def test_did_is_reproducible_with_fixed_seed() -> None:
    panel = constructed_panel(0.0, noise_seed=3)
    first, second = did_effect(panel, reps=99), did_effect(panel, reps=99)
    assert first is not None and second is not None
    assert first.ci == second.ci and first.ratio_ci == second.ratio_ci
    other = did_effect(panel, reps=99, seed=1)
    assert other is not None and other.ci != first.ci and other.att == first.att


def test_did_rejects_bad_panels() -> None:
    with pytest.raises(ValueError, match="mist de kolom"):
        did_effect(tiny_panel().drop("bijstand"))
    with pytest.raises(ValueError, match="twee rijen"):
        did_effect(pl.concat([tiny_panel(), tiny_panel().head(1)]))


def test_event_time_profile_tiny_panel_by_hand() -> None:
    # A: k=−1 rate 12, diff 0; k=0 rate 20, diff 8−1 = 7; k=1 rate 22, diff 10−2 = 8.
    # B: k=−1 rate 7, diff 0; k=0 rate 15, diff 8−1 = 7; k=1 outside the data.
    profile = event_time_profile(tiny_panel(), window=(-1, 1), base_months=1)
    assert profile["event_time"].to_list() == [-1, 0, 1]
    assert profile["n_units"].to_list() == [2, 2, 1]
    assert profile["rate"].to_list() == pytest.approx([9.5, 17.5, 22.0])
    assert profile["diff"].to_list() == pytest.approx([0.0, 7.0, 8.0])
    # k=0: sd(20, 15) = 3.5355, se = 2.5, t(0.975; 1) = 12.7062 → 17.5 ± 31.7655.
    row = profile.row(1, named=True)
    assert (row["rate_lower"], row["rate_upper"]) == pytest.approx((17.5 - 31.7655, 17.5 + 31.7655), abs=1e-3)
    assert profile.row(2, named=True)["rate_lower"] is None  # one unit: no interval


def test_event_time_profile_flat_before_and_jump_after() -> None:
    profile = event_time_profile(constructed_panel(4.0), window=(-12, 18))
    pre = profile.filter(pl.col("event_time") < 0)
    during = profile.filter(pl.col("event_time").is_between(0, 11))
    after = profile.filter(pl.col("event_time") >= 12)
    assert pre["diff"].to_list() == pytest.approx([0.0] * 12, abs=1e-9)
    assert during["diff"].to_list() == pytest.approx([4.0] * 12, abs=1e-9)
    assert after["diff"].to_list() == pytest.approx([0.0] * 7, abs=1e-9)
    assert profile["n_units"].to_list() == [20] * 31


def test_event_time_profile_raw_rate_jumps_by_effect_without_trend() -> None:
    profile = event_time_profile(constructed_panel(4.0, trend=False))
    rates = profile["rate"].to_numpy()
    baseline = rates[0]
    assert baseline == pytest.approx(12.0)  # mean unit effect of the 20 started units: 10 + mean(0..4)
    assert rates[:12] == pytest.approx([baseline] * 12)
    assert rates[12:24] == pytest.approx([baseline + 4.0] * 12)


def test_build_panel_joins_start_and_end() -> None:
    units = pl.DataFrame({"code": ["A"], "naam": ["a"], "soort": ["gebied"], "start": [date(2020, 3, 1)],
                          "eind": [None]}, schema_overrides={"eind": pl.Date})
    monthly = pl.DataFrame({"maand": [date(2020, 1, 1)], "code": ["A"], "bijstand": [10], "uitstroom_werk": [1],
                            "gesprekken": [0]})
    panel = build_panel(units, monthly)
    assert panel.columns == ["code", "maand", "bijstand", "uitstroom_werk", "start", "eind"]
    assert panel.item(0, "start") == date(2020, 3, 1)


def test_build_panel_keeps_areas_only() -> None:
    # A city-wide target group overlaps the areas: it must never be a treated unit or a control in the DiD.
    units = pl.DataFrame(
        {"code": ["A", "G"], "naam": ["a", "g"], "soort": ["gebied", "doelgroep"],
         "start": [date(2020, 3, 1), date(2020, 2, 1)], "eind": [None, None]},
        schema_overrides={"eind": pl.Date},
    )
    monthly = pl.DataFrame({"maand": [date(2020, 1, 1)] * 2, "code": ["A", "G"], "bijstand": [10, 20],
                            "uitstroom_werk": [1, 2]})
    panel = build_panel(units, monthly)
    assert panel["code"].to_list() == ["A"]
    assert panel["bijstand"].to_list() == [10]


def test_did_ignores_target_groups() -> None:
    # Adding a target group (with a huge jump at its own start) to the contract frames leaves the DiD unchanged.
    panel = tiny_panel()
    units = panel.group_by("code").agg(pl.col("start", "eind").first()).with_columns(soort=pl.lit("gebied"))
    group = pl.DataFrame({"code": ["G"], "start": [date(2020, 2, 1)], "eind": [None], "soort": ["doelgroep"]},
                         schema_overrides={"eind": pl.Date, "start": pl.Date})
    group_months = pl.DataFrame({"code": ["G"] * 4, "maand": [date(2020, m, 1) for m in range(1, 5)],
                                 "bijstand": [1000] * 4, "uitstroom_werk": [1, 90, 90, 90]})
    monthly = pl.concat([panel.select("code", "maand", "bijstand", "uitstroom_werk"), group_months],
                        how="vertical_relaxed")
    result = did_effect(build_panel(pl.concat([units, group], how="diagonal_relaxed"), monthly),
                        base_months=1, reps=50)
    assert result is not None
    assert result.att == pytest.approx(22 / 3, abs=1e-12)  # as in test_did_tiny_panel_by_hand
