"""Classes against a benchmark by significance, on a constructed dataset with hand-computed exact limits.

City benchmark: 2,0 complaints per 1.000 conversations. An area with 5.000 conversations then expects μ = 10
complaints, one with 10.000 expects 20. Poisson tails (tables, re-checked with scipy.stats below):

- P(X ≥ 17 | 10) = 0,0270 > 0,025: 17 complaints are *just inside* the exact 95% limits. Its Garwood lower
  bound ½χ²(0,025; 34) = 9,903 lies just below μ = 10.
- P(X ≥ 18 | 10) = 0,0143 < 0,025 (lower bound 10,668 > 10), but > 0,001: higher at 95%, not at 99,8%.
- P(X ≥ 22 | 10) = 0,00070 < 0,001 (99,8% lower bound ½χ²(0,002; 44) = 10,288 > 10): higher at 99,8%.
- P(X ≤ 7 | 20) = 0,00078 < 0,001 (99,8% upper bound ½χ²(0,998; 16) = 19,63 < 20): lower at 99,8%.

The funnel plot's smooth 95% line at 5.000 conversations is Spiegelhalter's interpolation: the 0,975-quantile
of Poisson(10) is r = 17 (F(16) = 0,97296 < 0,975 ≤ F(17) = 0,98572), so the line sits at
17 − (0,98572 − 0,975)/(0,98572 − 0,97296) = 16,160 complaints = 3,232 per 1.000. 17 complaints (3,4) lie above
that drawn line, yet by the exact rule they are "niet te onderscheiden": the line is smoothed between whole
counts and is up to one count too eager at the top.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from scipy import stats

from cohort.analysis.comparison import (
    COMPLAINTS,
    METHOD_NL,
    MULTIPLE_COMPARISONS_NL,
    OUTFLOW_TO_WORK,
    Benchmark,
    ComparisonClass,
    Overdispersion,
    colour_key,
    compare_to_counts,
    compare_to_rate,
    estimate_overdispersion,
    level_text,
    multiple_comparison_note_nl,
)
from cohort.analysis.stats import funnel_limits
from cohort.charts.palette import COMPARISON_COLOURS, COMPARISON_LABELS
from cohort.privacy.rules import SuppressionRule

CITY_RATE = 2.0  # complaints per 1.000 conversations

UNITS = pl.DataFrame(
    {
        "code": ["DX01", "DX02", "DX03", "DX04", "DX05", "DX06", "DX07"],
        "events": [22, 7, 17, 18, 3, 40, 0],
        "exposure": [5000, 10000, 5000, 5000, 5000, 5000, 0],
        # DX06 is hidden by the shared (secondary) protection although 40 itself could be shown.
        "hidden": [False, False, False, False, False, True, False],
    }
)


@pytest.fixture(scope="module")
def classified() -> dict[str, dict]:
    result = compare_to_rate(UNITS, COMPLAINTS, Benchmark.CITY, CITY_RATE)
    return {row["code"]: row for row in result.iter_rows(named=True)}


def test_tabulated_tails_behind_the_constructed_dataset() -> None:
    # The hand values in the module docstring, so the expectations below rest on checked numbers.
    assert stats.poisson.sf(16, 10) == pytest.approx(0.02704, abs=1e-5)
    assert stats.poisson.sf(17, 10) == pytest.approx(0.01428, abs=1e-5)
    assert stats.poisson.sf(21, 10) == pytest.approx(0.00070, abs=1e-5)
    assert stats.poisson.cdf(7, 20) == pytest.approx(0.00078, abs=1e-5)


def test_classes_and_levels_of_the_constructed_dataset(classified: dict[str, dict]) -> None:
    expected = {
        "DX01": ("hoger", 0.998),
        "DX02": ("lager", 0.998),
        "DX03": ("niet te onderscheiden", None),  # just inside
        "DX04": ("hoger", 0.95),
        "DX05": ("verborgen", None),  # 3 complaints: hidden by the rule, although 3 on μ = 10 would be "lager"
        "DX06": ("verborgen", None),  # hidden flag from the shared protection
        "DX07": ("geen gegevens", None),
    }
    assert {code: (row["class"], row["level"]) for code, row in classified.items()} == expected


def test_just_inside_unit_has_its_exact_lower_bound_just_below_the_benchmark(classified: dict[str, dict]) -> None:
    inside, outside = classified["DX03"], classified["DX04"]
    assert inside["rate_lower"] == pytest.approx(9.903126 / 5, abs=1e-6)  # ½χ²(0,025; 34) / 5.000 × 1.000
    assert inside["rate_lower"] < CITY_RATE < outside["rate_lower"]
    assert outside["rate_lower"] == pytest.approx(10.667941 / 5, abs=1e-6)
    # Above the smooth funnel line, yet not significant by the exact rule (see module docstring).
    assert inside["limit_95_upper"] == pytest.approx(3.232, abs=5e-4)
    assert inside["rate"] == pytest.approx(3.4)
    assert inside["rate"] > inside["limit_95_upper"]


def test_p_values_are_twice_the_smaller_exact_tail(classified: dict[str, dict]) -> None:
    assert classified["DX03"]["p_value"] == pytest.approx(2 * 0.0270416, rel=1e-5)
    assert classified["DX04"]["p_value"] == pytest.approx(2 * 0.0142776, rel=1e-5)
    assert classified["DX01"]["p_value"] == pytest.approx(2 * 0.00069965, rel=1e-4)
    assert classified["DX02"]["p_value"] == pytest.approx(2 * 0.00077859, rel=1e-4)


def test_ratio_to_the_benchmark_and_its_exact_interval(classified: dict[str, dict]) -> None:
    high = classified["DX01"]  # 22 observed / 10 expected; Garwood 95%: 13,787 – 33,31
    assert high["rate_ratio"] == pytest.approx(2.2)
    assert high["ratio_lower"] == pytest.approx(1.3787, abs=1e-4)
    assert high["ratio_upper"] == pytest.approx(3.3308, abs=1e-4)
    assert high["benchmark_rate"] == CITY_RATE


def test_hidden_and_empty_units_carry_no_number(classified: dict[str, dict]) -> None:
    numbers = [c for c, v in classified["DX01"].items() if isinstance(v, float) and c != "level"]
    assert len(numbers) >= 12
    for code in ("DX05", "DX06", "DX07"):
        assert all(classified[code][c] is None for c in numbers), code
        assert classified[code]["level"] is None


def test_output_never_carries_the_input_counts() -> None:
    result = compare_to_rate(UNITS, COMPLAINTS, Benchmark.CITY, CITY_RATE)
    assert "events" not in result.columns and "exposure" not in result.columns and "hidden" not in result.columns
    assert result.get_column("code").to_list() == UNITS.get_column("code").to_list()


def test_dutch_texts_name_the_benchmark_and_the_numbers(classified: dict[str, dict]) -> None:
    assert classified["DX01"]["text"] == (
        "Hoger dan het stedelijk gemiddelde: 4,40 per 1.000 gesprekken (95%-interval 2,76 – 6,66); het stedelijk "
        "gemiddelde is 2,00. Ook buiten de strengere 99,8%-grenzen: groter dan toeval aannemelijk maakt."
    )
    assert classified["DX04"]["text"].startswith("Hoger dan het stedelijk gemiddelde: 3,60 per 1.000 gesprekken")
    assert "Binnen de strengere 99,8%-grenzen" in classified["DX04"]["text"]
    assert classified["DX03"]["text"].startswith("Niet te onderscheiden van het stedelijk gemiddelde: 3,40")
    assert classified["DX02"]["text"].startswith("Lager dan het stedelijk gemiddelde: 0,70 per 1.000 gesprekken")
    assert classified["DX05"]["text"].startswith("Verborgen")
    assert "3" not in classified["DX05"]["text"]
    assert classified["DX07"]["text"] == "Geen gegevens: geen gesprekken in deze periode, dus geen vergelijking."


def test_colours_come_from_the_one_palette(classified: dict[str, dict]) -> None:
    assert classified["DX01"]["colour"] == COMPARISON_COLOURS["hoger_998"]
    assert classified["DX04"]["colour"] == COMPARISON_COLOURS["hoger_95"]
    assert classified["DX02"]["colour"] == COMPARISON_COLOURS["lager_998"]
    assert classified["DX03"]["colour"] == COMPARISON_COLOURS["niet_te_onderscheiden"]
    assert classified["DX05"]["colour"] == COMPARISON_COLOURS["verborgen"]
    assert set(COMPARISON_LABELS) == set(COMPARISON_COLOURS)
    for klass in ComparisonClass:
        for level in (None, 0.95, 0.998):
            if klass in (ComparisonClass.HIGHER, ComparisonClass.LOWER) and level is None:
                continue
            assert colour_key(klass, level) in COMPARISON_COLOURS


@pytest.mark.parametrize("expected_count", [0.4, 3.0, 10.0, 47.3])
def test_class_is_the_exact_poisson_test_and_agrees_with_the_funnel_at_the_bottom(expected_count: float) -> None:
    """Over every count: hoger ⟺ P(X ≥ k) < 2,5%, lager ⟺ P(X ≤ k) < 2,5%; the interpolated funnel's lower
    limit gives the same "lager"; its upper limit flags every exact "hoger" (and at most one count more)."""
    exposure = 1000.0
    counts = np.arange(0, 120)
    units = pl.DataFrame({"code": [str(k) for k in counts], "events": counts,
                          "exposure": np.full(len(counts), exposure)})
    result = compare_to_rate(units, OUTFLOW_TO_WORK, Benchmark.CITY, expected_count, levels=(0.95,),
                             rule=SuppressionRule(enabled=False))
    classes = result.get_column("class").to_list()
    limits = funnel_limits(expected_count, [exposure], levels=(0.95,)).row(0, named=True)
    for k, klass in zip(counts, classes, strict=True):
        high = stats.poisson.sf(k - 1, expected_count) < 0.025
        low = stats.poisson.cdf(k, expected_count) < 0.025
        assert klass == ("hoger" if high else "lager" if low else "niet te onderscheiden"), k
        assert (k < limits["lower"]) == low, k
        if high:
            assert k > limits["upper"], k
    flagged_by_line = [k for k in counts if k > limits["upper"]]
    flagged_exactly = [k for k, c in zip(counts, classes, strict=True) if c == "hoger"]
    assert 0 <= len(flagged_by_line) - len(flagged_exactly) <= 1


def test_per_unit_benchmark_rates_for_the_comparison_group() -> None:
    # Same counts, different comparison rates in the units' own months: 18 on μ = 10 is high, on μ = 14 not.
    units = pl.DataFrame({"code": ["A", "B"], "events": [18, 18], "exposure": [5000, 5000],
                          "benchmark_rate": [2.0, 2.8]})
    result = compare_to_rate(units, COMPLAINTS, Benchmark.COMPARISON)
    assert result.get_column("class").to_list() == ["hoger", "niet te onderscheiden"]
    assert "gebieden zonder lopend cohort in dezelfde maanden is het 2,80" in result.get_column("text")[1]


def test_the_rule_hides_small_counts_and_small_exposures_and_can_be_switched_off() -> None:
    units = pl.DataFrame({"code": ["A", "B", "C"], "events": [4, 3, 0], "exposure": [5000, 5000, 3]})
    hidden = compare_to_rate(units, COMPLAINTS, Benchmark.CITY, CITY_RATE)
    assert hidden.get_column("class").to_list() == ["verborgen"] * 3
    shown = compare_to_rate(units, COMPLAINTS, Benchmark.CITY, CITY_RATE, rule=SuppressionRule(enabled=False))
    # P(X ≤ 4 | 10) = 0,029 and P(X ≤ 3 | 10) = 0,010: the hidden classes would have told 4 from 3.
    assert shown.get_column("class").to_list() == ["niet te onderscheiden", "lager", "niet te onderscheiden"]


def test_bad_input_gets_a_dutch_message_naming_the_unit() -> None:
    with pytest.raises(ValueError, match="maatstaf"):
        compare_to_rate(UNITS.drop("hidden"), COMPLAINTS, Benchmark.CITY)
    with pytest.raises(ValueError, match="eenheid B heeft -1"):
        compare_to_rate(pl.DataFrame({"code": ["A", "B"], "events": [5, -1], "exposure": [10, 10]}),
                        COMPLAINTS, Benchmark.CITY, 2.0)
    with pytest.raises(ValueError, match=r"ontbreken.*exposure"):
        compare_to_rate(pl.DataFrame({"code": ["A"], "events": [5]}), COMPLAINTS, Benchmark.CITY, 2.0)
    with pytest.raises(ValueError, match="tussen 0 en 1"):
        compare_to_rate(UNITS, COMPLAINTS, Benchmark.CITY, 2.0, levels=(95,))


# --- the same unit before its start: exact conditional test ----------------------------------------------------


def test_two_periods_closed_form_cases() -> None:
    """Equal exposures, so π₀ = ½. All 10 events after the start: P(A ≥ 10) = ½¹⁰ = 1/1024, p = 2/1024 = 0,00195
    < 0,002, and the Clopper–Pearson lower bound of π is (α/2)^(1/10): 0,025^0,1 = 0,6915 at 95% and
    0,001^0,1 = 0,5012 > ½ at 99,8%. The rate ratio's lower bound is 0,6915 / 0,3085 = 2,2415 (no upper bound,
    no point estimate: 0 before). Mirror: 0 after and 12 before: upper bound 1 − 0,025^(1/12) = 0,2644."""
    units = pl.DataFrame({
        "code": ["A", "B"], "events": [10, 0], "exposure": [6000, 6000],
        "ref_events": [0, 12], "ref_exposure": [6000, 6000],
    })
    result = {r["code"]: r for r in compare_to_counts(units, OUTFLOW_TO_WORK).iter_rows(named=True)}
    after = result["A"]
    assert (after["class"], after["level"]) == ("hoger", 0.998)
    assert after["p_value"] == pytest.approx(2 / 1024)
    lower_pi = 0.025 ** 0.1
    assert after["ratio_lower"] == pytest.approx(lower_pi / (1 - lower_pi))
    assert after["ratio_lower"] == pytest.approx(2.2415, abs=1e-4)
    assert after["rate_ratio"] is None and after["ratio_upper"] is None
    before = result["B"]
    assert (before["class"], before["level"]) == ("lager", 0.998)
    assert before["p_value"] == pytest.approx(2 * 0.5 ** 12)
    upper_pi = 1 - 0.025 ** (1 / 12)
    assert before["ratio_upper"] == pytest.approx(upper_pi / (1 - upper_pi))
    assert before["ratio_lower"] == 0.0


def test_two_periods_match_scipy_binomtest_for_unequal_exposures() -> None:
    rows = [(60, 6000, 30, 6000), (40, 6000, 45, 5500), (25, 2000, 80, 9000), (9, 1500, 21, 2500)]
    units = pl.DataFrame(
        {"code": [str(i) for i in range(len(rows))], "events": [r[0] for r in rows],
         "exposure": [r[1] for r in rows], "ref_events": [r[2] for r in rows], "ref_exposure": [r[3] for r in rows]}
    )
    result = compare_to_counts(units, OUTFLOW_TO_WORK).iter_rows(named=True)
    for (a, e_a, b, e_b), row in zip(rows, result, strict=True):
        share = e_a / (e_a + e_b)
        test = stats.binomtest(a, a + b, share)
        ci = test.proportion_ci(confidence_level=0.95, method="exact")
        assert row["ratio_lower"] == pytest.approx(ci.low / (1 - ci.low) * e_b / e_a, rel=1e-9)
        assert row["ratio_upper"] == pytest.approx(ci.high / (1 - ci.high) * e_b / e_a, rel=1e-9)
        assert row["rate_ratio"] == pytest.approx((a / e_a) / (b / e_b))
        tails = min(stats.binom.cdf(a, a + b, share), stats.binom.sf(a - 1, a + b, share))
        assert row["p_value"] == pytest.approx(min(1.0, 2 * tails), rel=1e-9)
        excluded = ci.low > share or ci.high < share
        assert (row["class"] != "niet te onderscheiden") == excluded
    # 60 vs 30 on equal exposure: p = 0,00206, significant at 95% only.
    first = compare_to_counts(units, OUTFLOW_TO_WORK).row(0, named=True)
    assert (first["class"], first["level"]) == ("hoger", 0.95)
    assert first["p_value"] == pytest.approx(0.00206, abs=1e-5)
    assert first["text"].startswith(
        "Hoger dan hetzelfde gebied vóór de start: 10,0 per 1.000 per maand (95%-interval 7,6 – 12,9); vóór de "
        "start was het 5,0 (95%-interval 3,4 – 7,1), een verhouding van 2,00× (95%-interval 1,27 – 3,21)."
    )


def test_two_periods_hide_when_either_side_is_hidden_and_need_both_periods() -> None:
    units = pl.DataFrame({
        "code": ["A", "B", "C", "D"], "events": [50, 50, 50, 0], "exposure": [6000, 6000, 6000, 6000],
        "ref_events": [3, 40, 0, 0], "ref_exposure": [6000, 6000, 0, 6000],
        "ref_hidden": [False, True, False, False],
    })
    result = compare_to_counts(units, OUTFLOW_TO_WORK)
    assert result.get_column("class").to_list() == ["verborgen", "verborgen", "geen gegevens", "niet te onderscheiden"]
    assert result.filter(pl.col("class") == "verborgen").select(pl.col("rate", "rate_ratio", "benchmark_rate")
                                                                 ).null_count().row(0) == (2, 2, 2)
    assert result.get_column("text")[2] == (
        "Geen vergelijking mogelijk: geen persoonsmaanden voor hetzelfde gebied vóór de start."
    )


# --- texts and palette --------------------------------------------------------------------------------------------


def test_multiple_comparison_caveat_for_22_areas() -> None:
    assert "met 22 gebieden" in MULTIPLE_COMPARISONS_NL
    assert "bij de 95%-grenzen ongeveer 1 gebied (22 × 5% = 1,10)" in MULTIPLE_COMPARISONS_NL
    assert "99,8%-grenzen gemiddeld één gebied op de 23 keer" in MULTIPLE_COMPARISONS_NL  # 1 / (22 × 0,002) = 22,7
    seven = multiple_comparison_note_nl(7, singular="stadsdeel", plural="stadsdelen")
    assert "gemiddeld één stadsdeel op de 3 keer dat je alle 7 stadsdelen vergelijkt (7 × 5% = 0,35)" in seven
    assert "Garwood" in METHOD_NL and "99,8%" in METHOD_NL and "verborgen aantal" in METHOD_NL
    assert level_text(0.95) == "95%" and level_text(0.998) == "99,8%"


# Machado, Oliveira & Fernandes (2009), severity 1.0: linear-RGB simulation of dichromacy.
CVD = {
    "protanopie": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopie": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopie": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _lab(colour: str, matrix: np.ndarray) -> np.ndarray:
    srgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(matrix @ linear, 0.0, 1.0)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", ["normaal", *CVD])
def test_comparison_colours_stay_apart_for_colour_blind_readers(vision: str) -> None:
    matrix = np.eye(3) if vision == "normaal" else np.array(CVD[vision])
    distinct = sorted(set(COMPARISON_COLOURS.values()))
    assert len(distinct) == 6  # five classes and one "not compared" white
    for a, b in itertools.combinations(distinct, 2):
        assert np.linalg.norm(_lab(a, matrix) - _lab(b, matrix)) > 10, (vision, a, b)  # CIE76 ΔE


# --- over-dispersion (Spiegelhalter 2005, additive random effects on the square-root scale) -------------------


def test_overdispersion_estimate_by_hand() -> None:
    """Five areas of 10.000 person-months against 10 per 1.000 (E = 100): 64, 81, 100, 121 and 144 events.

    z = 2(√O − √E) = −4, −2, 0, 2, 4; winsorised at the 10% and 90% quantiles (linear: −4 + 0,4·2 = −3,2 and
    3,2): −3,2, −2, 0, 2, 3,2; φ = (10,24 + 4 + 0 + 4 + 10,24) / 5 = 5,696. Weights w = 4E = 400: Σw = 2.000,
    Σw² / Σw = 400; τ² = (5 · 5,696 − 4) / (2.000 − 400) = 24,48 / 1.600 = 0,0153.
    """
    fit = estimate_overdispersion([64, 81, 100, 121, 144], [10_000] * 5, 10.0)
    assert (fit.phi, fit.tau2, fit.n_units) == (pytest.approx(5.696), pytest.approx(0.0153), 5)
    assert fit.applied and "φ = 5,7" in fit.text_nl() and "τ² = 0,0153" in fit.text_nl()
    # Poisson-like areas: φ ≤ (I − 1) / I, no extra spread.
    calm = estimate_overdispersion([98, 101, 100, 99, 102], [10_000] * 5, 10.0)
    assert calm.tau2 == 0.0 and not calm.applied and "niet meer dan toeval" in calm.text_nl()
    # Four areas are too few to estimate a spread between them; hidden areas are simply not given.
    few = estimate_overdispersion([64, 81, 100, 121], [10_000] * 4, 10.0)
    assert few == Overdispersion(1.0, 0.0, 4) and "Te weinig gebieden (4)" in few.text_nl()


def test_overdispersed_limits_decide_with_the_exact_rule() -> None:
    """With τ² = 0,0153 and s² = 1 / (4 · 100) = 0,0025 the spread is √0,0178 = 0,13342. y = √(O/E):
    144 -> 1,2, z = 0,2 / 0,13342 = 1,50 (inside); 169 -> 1,3, z = 2,25 (beyond 1,96, not 3,09): higher at 95%;
    225 -> 1,5, z = 3,75: higher at 99,8%. By Poisson chance alone all three are far above 10 per 1.000.
    The 95% upper limit at 10.000: 10 · (1 + 1,95996 · 0,13342)² = 15,91 per 1.000 (Poisson: 11,96)."""
    units = pl.DataFrame({"code": ["A", "B", "C", "D"], "events": [144, 169, 225, 4], "exposure": [10_000] * 4})
    spread = Overdispersion(5.696, 0.0153, 5)
    result = compare_to_rate(units, OUTFLOW_TO_WORK, Benchmark.CITY, 10.0, overdispersion=spread)
    assert result.get_column("class").to_list() == ["niet te onderscheiden", "hoger", "hoger", "verborgen"]
    assert result.get_column("level").to_list()[:3] == [None, 0.95, 0.998]
    assert result.get_column("limit_95_upper")[0] == pytest.approx(15.9136, abs=1e-3)
    assert result.get_column("p_value")[1] == pytest.approx(2 * stats.norm.sf(0.3 / np.sqrt(0.0178)))
    assert "ruimere grenzen" in result.get_column("text")[0]
    poisson = compare_to_rate(units, OUTFLOW_TO_WORK, Benchmark.CITY, 10.0)
    assert poisson.get_column("class").to_list() == ["hoger", "hoger", "hoger", "verborgen"]
    assert poisson.get_column("limit_95_upper")[0] == pytest.approx(11.958, abs=1e-3)
    # A hidden count (4) is never classified, with or without the spread.
    assert result.row(3, named=True)["rate"] is None and result.row(3, named=True)["p_value"] is None


def test_classes_without_the_funnel_limits_are_the_same() -> None:
    """`with_limits=False` (the Kaart and Gebieden classes) drops only the limit columns, also with a spread."""
    units = pl.DataFrame({"code": ["A", "B", "C", "D"], "events": [24, 20, 12, None],
                          "exposure": [2000, 4000, 3000, 1000], "hidden": [False, False, False, True]})
    for spread in (Overdispersion(1.0, 0.0, 0), Overdispersion(3.0, 0.01, 22)):
        full = compare_to_rate(units, OUTFLOW_TO_WORK, Benchmark.CITY, 6.22, overdispersion=spread)
        bare = compare_to_rate(units, OUTFLOW_TO_WORK, Benchmark.CITY, 6.22, overdispersion=spread, with_limits=False)
        assert bare.equals(full.select(c for c in full.columns if not c.startswith("limit_")))
        assert bare["class"].to_list() == full["class"].to_list() and "limit_95_lower" in full.columns
