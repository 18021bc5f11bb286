"""Small-number suppression (primary, cell by cell) and its texts, on hand-computed tables.

Secondary suppression is the release's (tests/unit/privacy/test_release.py, tests/unit/privacy/test_attacker.py)."""

from __future__ import annotations

import polars as pl
import pytest

from cohort.privacy.rules import (
    HIDDEN_RATE_TEXT,
    SuppressionRule,
    explain_hidden_nl,
    small_number_note_nl,
    suppress_counts,
    suppress_rates,
)
from cohort.settings import load_settings

# --- Primary suppression ---------------------------------------------------------------------------------------


def test_counts_text_flags_and_nulls() -> None:
    frame = pl.DataFrame({"klachten": [0, 1, 4, 5, 12, 13024, None]})
    out = suppress_counts(frame, ["klachten"])
    assert out["klachten_tekst"].to_list() == ["0", "<5", "<5", "5", "12", "13.024", "—"]
    assert out["klachten_verborgen"].to_list() == [False, True, True, False, False, False, False]
    assert out["klachten"].to_list() == [0, None, None, 5, 12, 13024, None]
    assert out["klachten"].dtype == pl.Int64


def test_disabled_rule_shows_everything() -> None:
    frame = pl.DataFrame({"klachten": [0, 1, 4, 5]})
    out = suppress_counts(frame, ["klachten"], SuppressionRule(enabled=False))
    assert out["klachten_tekst"].to_list() == ["0", "1", "4", "5"]
    assert out["klachten"].to_list() == [0, 1, 4, 5]
    assert out["klachten_verborgen"].to_list() == [False] * 4
    assert "níet verborgen" in small_number_note_nl(SuppressionRule(enabled=False))


def test_threshold_is_configurable() -> None:
    rule = SuppressionRule(threshold=10)
    out = suppress_counts(pl.DataFrame({"n": [0, 4, 9, 10]}), ["n"], rule)
    assert out["n_tekst"].to_list() == ["0", "<10", "<10", "10"]
    assert small_number_note_nl(rule) == (
        "—* of <10: aantal van 1 tot en met 9, verborgen om herleidbaarheid naar personen te voorkomen."
    )


def test_rule_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHORT_SMALL_NUMBER_THRESHOLD", "10")
    assert SuppressionRule.from_settings(load_settings()) == SuppressionRule(threshold=10)
    with pytest.raises(ValueError):
        SuppressionRule(threshold=0)


def test_note_default() -> None:
    assert small_number_note_nl() == (
        "—* of <5: aantal van 1 tot en met 4, verborgen om herleidbaarheid naar personen te voorkomen."
    )
    assert "×: verborgen" in small_number_note_nl(with_totals=True)


def test_rates_hidden_when_numerator_small() -> None:
    # klachten per 1.000 gesprekken with its interval; numerators 0, 3, 30.
    frame = pl.DataFrame({
        "klachten": [0, 3, 30],
        "cijfer": [0.0, 2.5, 2.3],
        "onder": [0.0, 0.5, 1.55],
        "boven": [3.1, 7.3, 3.29],
    })
    out = suppress_rates(frame, "klachten", ["cijfer", "onder", "boven"])
    assert out["cijfer"].to_list() == [0.0, None, 2.3]
    assert out["onder"].to_list() == [0.0, None, 1.55]
    assert out["boven"].to_list() == [3.1, None, 3.29]
    assert out["cijfer_tekst"].to_list() == ["0,0", HIDDEN_RATE_TEXT, "2,3"]
    assert out["boven_verborgen"].to_list() == [False, True, False]
    assert out["klachten"].to_list() == [0, 3, 30]  # the numerator is suppress_counts' job


def test_rates_follow_a_protected_mask() -> None:
    frame = pl.DataFrame({"klachten": [7, 12], "klachten_verborgen": [True, False], "cijfer": [1.0, 2.0]})
    out = suppress_rates(frame, "klachten", ["cijfer"], hidden_column="klachten_verborgen")
    assert out["cijfer"].to_list() == [None, 2.0]


def test_rates_custom_formatter_and_disabled() -> None:
    frame = pl.DataFrame({"n": [2], "aandeel": [0.0023]})
    out = suppress_rates(frame, "n", ["aandeel"], SuppressionRule(enabled=False), formatter=lambda v: f"{v:.4f}")
    assert out["aandeel_tekst"].to_list() == ["0.0023"]


# --- Explanations ----------------------------------------------------------------------------------------------


def test_explain_hidden_suggests_longer_period_and_stadsdeel() -> None:
    text = explain_hidden_nl(hidden_cells=30, total_cells=48, per_month=True, level="eenheid")
    assert text.startswith("30 van de 48 waarden zijn verborgen.")
    assert "Kies een langere periode" in text and "per stadsdeel" in text
    few = explain_hidden_nl(hidden_cells=1, total_cells=22, per_month=False, level="stadsdeel")
    assert "Meer zichtbaar" not in few
    assert explain_hidden_nl(hidden_cells=0, total_cells=22, per_month=True) == ""
    assert explain_hidden_nl(SuppressionRule(enabled=False), hidden_cells=3, total_cells=4, per_month=True) == ""
