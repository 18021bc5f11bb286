"""Funnel positions, limits and the exact chance behind them, computed by hand in the comments.

Funnel limits (Spiegelhalter's interpolated exact Poisson limits), overall rate 2 per 1.000:
  n = 1.000 → μ = 2. 97,5%-quantile r = 5, F(5) = 0,983436, F(4) = 0,947347:
      5 − (0,983436 − 0,975)/(0,983436 − 0,947347) = 4,7662 → 4,766 per 1.000.
    99,9%-quantile r = 8, F(8) = 0,9997626, F(7) = 0,9989033: 8 − 0,000763/0,000859 = 7,1126 → 7,113 per 1.000.
  n = 250 → μ = 0,5. 97,5%: r = 2, F(2) = 0,985612, F(1) = 0,909796: 2 − 0,13997 = 1,8600 → 7,440 per 1.000.
    99,9%: r = 4 → 13,903 per 1.000.
"""

import polars as pl
import pytest

from cohort.analysis.complaints import conspicuously_high, funnel_lines, with_funnel_class
from cohort.privacy.rules import DEFAULT_RULE, suppress_counts, suppress_rates


def test_funnel_limits_at_known_exposures():
    totals = pl.DataFrame({
        "eenheid": ["Groot hoog", "Klein iets hoog", "Klein heel hoog", "Groot nul", "Piepklein"],
        "soort": ["gebied"] * 5,
        "gesprekken": [1000, 250, 250, 1000, 5],
        "klachten": [10, 2, 5, 0, 1],
    }).with_columns((pl.col("klachten") / pl.col("gesprekken") * 1000).alias("per_1000"))
    funnel = with_funnel_class(totals, overall_rate=2.0)
    rows = {r["eenheid"]: r for r in funnel.iter_rows(named=True)}
    assert rows["Groot hoog"]["grens_95_boven"] == pytest.approx(4.766, abs=1e-3)
    assert rows["Groot hoog"]["grens_998_boven"] == pytest.approx(7.113, abs=1e-3)
    assert rows["Klein iets hoog"]["grens_95_boven"] == pytest.approx(7.440, abs=1e-3)
    assert rows["Klein iets hoog"]["grens_998_boven"] == pytest.approx(13.903, abs=1e-3)
    assert rows["Groot hoog"]["grens_95_onder"] == 0.0
    # The exact chance that a unit with the overall rate lies above the 95% limit: at μ = 2 the limit 4,766
    # is passed by 5 or more, 1 − F(4) = 1 − 0,947347 = 0,052653; at μ = 0,5 the limit 1,860 by 2 or more,
    # 1 − F(1) = 1 − 0,909796 = 0,090204 (not the nominal 2,5%).
    assert rows["Groot hoog"]["verwacht"] == pytest.approx(2.0)
    assert rows["Groot hoog"]["kans_boven_95"] == pytest.approx(0.052653, abs=1e-6)
    assert rows["Klein iets hoog"]["kans_boven_95"] == pytest.approx(0.090204, abs=1e-6)
    # 99,8%: at μ = 2 the limit 7,113 is passed by 8 or more, 1 − F(7) = 1 − 0,998903 = 0,001097.
    assert rows["Groot hoog"]["kans_boven_998"] == pytest.approx(0.001097, abs=1e-6)
    # 10 per 1.000 > 7,11; 8 per 1.000 is between 7,44 and 13,90; 20 per 1.000 > 13,90; 0 is inside (lower is 0).
    assert rows["Groot hoog"]["trechter"] == "boven_998"
    assert rows["Klein iets hoog"]["trechter"] == "boven_95"
    assert rows["Klein heel hoog"]["trechter"] == "boven_998"
    assert rows["Groot nul"]["trechter"] == "binnen"
    # 5 talks at 2 per 1.000: 0,01 complaints expected, the interpolated limits are unusable there.
    assert rows["Piepklein"]["trechter"] == "te_klein"
    assert conspicuously_high(funnel) == ["Klein heel hoog", "Groot hoog"]  # highest rate first


def test_funnel_lines_cover_the_units_without_collapsing():
    lines = funnel_lines(2.0, 100, 1000, n=50)
    assert lines.get_column("exposure").min() == pytest.approx(50.0)  # half the smallest unit
    assert lines.get_column("exposure").max() == pytest.approx(1050.0)
    assert set(lines.get_column("level").to_list()) == {0.95, 0.998}
    assert lines.filter(pl.col("level") == 0.95).get_column("upper").min() > 0
    # never below 0,03 expected complaints: at 2 per 1.000 that is 15 conversations
    assert funnel_lines(2.0, 4, 1000, n=10).get_column("exposure").min() == pytest.approx(15.0)
    with pytest.raises(ValueError):
        funnel_lines(0.0, 10, 100)


def test_small_numbers_hidden_in_display():
    frame = pl.DataFrame({"eenheid": ["a", "b", "c"], "klachten": [0, 3, 12], "per_1000": [0.0, 3.0, 12.0]})
    # Rates first: suppress_counts nulls the hidden numerators that suppress_rates reads.
    shown = suppress_counts(suppress_rates(frame, "klachten", ["per_1000"], DEFAULT_RULE), ["klachten"], DEFAULT_RULE)
    assert shown.get_column("klachten_tekst").to_list() == ["0", "<5", "12"]
    assert shown.get_column("per_1000").to_list() == [0.0, None, 12.0]  # rate on a hidden count is blanked
