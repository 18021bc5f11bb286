"""Small-number suppression: hand-computed tables, plus an attacker's check that nothing hidden is derivable."""

from __future__ import annotations

import random

import polars as pl
import pytest
from scipy.optimize import linprog

from cohort.privacy import (
    HIDDEN_RATE_TEXT,
    PROTECTED_TEXT,
    SuppressionRule,
    TotalConstraint,
    explain_hidden_nl,
    is_safe_to_show,
    mask_for_chart,
    protect_cells,
    small_number_note_nl,
    suppress_categories,
    suppress_counts,
    suppress_rates,
    suppress_with_totals,
)
from cohort.settings import load_settings

CATEGORIES = ["klachten_bejegening", "klachten_bereikbaarheid", "klachten_koers", "klachten_overig"]


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
    assert is_safe_to_show(1, SuppressionRule(enabled=False))


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


def test_is_safe_to_show() -> None:
    assert [is_safe_to_show(n) for n in (0, 1, 4, 5, 12, None)] == [True, False, False, True, True, True]


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


def test_mask_for_chart() -> None:
    frame = pl.DataFrame({"maand": [1, 2, 3, 4], "klachten": [0, 2, 6, None], "per_1000": [0.0, 1.1, 3.3, None]})
    out = mask_for_chart(frame, "klachten", ["per_1000"])
    assert out["klachten"].to_list() == [0, None, 6, None]
    assert out["per_1000"].to_list() == [0.0, None, 3.3, None]
    assert out["klachten_verborgen"].to_list() == [False, True, False, False]  # null without flag: no data


def test_mask_for_chart_respects_earlier_flags() -> None:
    protected = pl.DataFrame({"klachten": [None, 9], "klachten_verborgen": [True, False], "aandeel": [0.4, 0.6]})
    out = mask_for_chart(protected, "klachten", ["aandeel"])
    assert out["aandeel"].to_list() == [None, 0.6]


# --- Secondary suppression -------------------------------------------------------------------------------------


def _attacker_check(values: dict, constraints: list[TotalConstraint], hidden: set, threshold: int) -> None:
    """Per equation: a shown total never has exactly one hidden part, and the gap leaves each hidden part free
    to be anything from 1 to threshold-1 (everyone knows a hidden cell is at least 1, since 0 is shown)."""
    for c in constraints:
        if c.total in hidden:
            continue
        hidden_parts = [p for p in c.parts if p in hidden]
        if not hidden_parts:
            continue
        gap = values[c.total] - sum(values[p] for p in c.parts if p not in hidden)
        assert len(hidden_parts) >= 2, f"{c}: total minus shown parts gives the hidden cell ({gap})"
        assert gap - (len(hidden_parts) - 1) >= threshold - 1, f"{c}: gap {gap} narrows the hidden cells"


def _lp_audit(values: dict, constraints: list[TotalConstraint], hidden: set, threshold: int) -> None:
    """All equations together (rows and columns): no small hidden cell is pinned to one value. (Written apart
    from cohort.privacy.feasible_ranges on purpose: the audit should not reuse the code it audits.)"""
    hidden_list = sorted(hidden)
    index = {cell: i for i, cell in enumerate(hidden_list)}
    a_eq, b_eq = [], []
    for c in constraints:
        row = [0.0] * len(hidden_list)
        rhs = 0.0
        for cell, sign in [(c.total, 1.0), *[(p, -1.0) for p in c.parts]]:
            if cell in index:
                row[index[cell]] += sign
            else:
                rhs -= sign * values[cell]
        if any(row):
            a_eq.append(row)
            b_eq.append(rhs)
    for cell in hidden_list:
        if not 0 < values[cell] < threshold:
            continue
        bounds = [(1, None)] * len(hidden_list)
        extremes = []
        for sense in (1.0, -1.0):
            objective = [0.0] * len(hidden_list)
            objective[index[cell]] = sense
            result = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
            extremes.append(result.fun * sense if result.status == 0 else float("inf"))
        assert result.status in (0, 3)  # optimal or unbounded above
        assert extremes[1] - extremes[0] >= 1 - 1e-6, f"{cell} (value {values[cell]}) is pinned to {extremes}"


def _stadsdeel_table() -> pl.DataFrame:
    rows = [
        ("Centrum", "A", 3), ("Centrum", "B", 12), ("Centrum", "C", 7), ("Centrum", "Totaal", 22),
        ("West", "D", 0), ("West", "E", 2), ("West", "F", 0), ("West", "Totaal", 2),
        ("Zuid", "G", 1), ("Zuid", "H", 1), ("Zuid", "I", 9), ("Zuid", "J", 15), ("Zuid", "Totaal", 26),
        ("Noord", "K", 5), ("Noord", "L", 0), ("Noord", "Totaal", 5),
        ("Oost", "M", 2), ("Oost", "N", 6), ("Oost", "O", 6), ("Oost", "Totaal", 14),
    ]
    return pl.DataFrame(rows, schema=["stadsdeel", "naam", "klachten"], orient="row")


def test_secondary_suppression_per_stadsdeel() -> None:
    out = suppress_with_totals(_stadsdeel_table(), "stadsdeel", ["klachten"], label_column="naam")
    texts = dict(zip(out["stadsdeel"] + "/" + out["naam"], out["klachten_tekst"], strict=True))
    # Centrum: A=3 hidden; the smallest visible part (C=7) as well; total minus B = 10 = A + C.
    assert [texts[f"Centrum/{n}"] for n in "ABC"] == ["×", "12", "×"]
    assert texts["Centrum/Totaal"] == "22"
    # West: the total (2) is small itself, so hidden: no equation to solve. Zeros stay visible.
    assert [texts[f"West/{n}"] for n in ("D", "E", "F", "Totaal")] == ["0", "×", "0", "×"]
    # Zuid: two hidden parts (1 + 1) would still give gap 2, i.e. both 1: one more (I=9) is hidden.
    assert [texts[f"Zuid/{n}"] for n in "GHIJ"] == ["×", "×", "×", "15"]
    # Noord: nothing small.
    assert [texts[f"Noord/{n}"] for n in ("K", "L", "Totaal")] == ["5", "0", "5"]
    # Oost: ties between equal parts go to the first one in table order.
    assert [texts[f"Oost/{n}"] for n in "MNO"] == ["×", "×", "6"]
    assert out["klachten"].null_count() == out["klachten_verborgen"].sum() == 9


def test_one_hidden_part_hides_exactly_one_more() -> None:
    out = suppress_with_totals(_stadsdeel_table(), "stadsdeel", ["klachten"], label_column="naam")
    centrum = out.filter((pl.col("stadsdeel") == "Centrum") & (pl.col("naam") != "Totaal"))
    assert centrum["klachten_verborgen"].sum() == 2
    shown = centrum["klachten"].drop_nulls().sum()
    assert 22 - shown not in (3, 7)  # total minus shown gives no single hidden value


def test_row_wise_categories() -> None:
    rows = [
        [2, 0, 5, 0, 7],  # bejegening small; koers (5) hidden to protect it
        [0, 0, 0, 0, 0],  # nothing
        [3, 0, 0, 0, 3],  # total small itself
        [6, 5, 0, 8, 19],  # nothing small
        [1, 1, 0, 0, 2],  # everything small
        [1, 1, 6, 0, 8],  # gap 2 would show both are 1: koers hidden too
    ]
    frame = pl.DataFrame(rows, schema=[*CATEGORIES, "klachten"], orient="row")
    out = suppress_categories(frame, CATEGORIES, "klachten")
    texts = out.select([f"{c}_tekst" for c in [*CATEGORIES, "klachten"]]).rows()
    assert texts == [
        ("×", "0", "×", "0", "7"),
        ("0", "0", "0", "0", "0"),
        ("×", "0", "0", "0", "×"),
        ("6", "5", "0", "8", "19"),
        ("×", "×", "0", "0", "×"),
        ("×", "×", "×", "0", "8"),
    ]


def test_two_dimensional_table_is_safe_in_both_directions() -> None:
    # Units of one stadsdeel by complaint category, with a row total (klachten) and a stadsdeel total row.
    parts = [[2, 0, 5, 0], [0, 6, 0, 5], [7, 0, 0, 1], [9, 8, 6, 7]]
    rows = [["Centrum", f"U{i}", *p, sum(p)] for i, p in enumerate(parts)]
    rows.append(["Centrum", "Totaal", *[sum(col) for col in zip(*parts, strict=True)], sum(map(sum, parts))])
    frame = pl.DataFrame(rows, schema=["stadsdeel", "naam", *CATEGORIES, "klachten"], orient="row")
    out = suppress_with_totals(
        frame, "stadsdeel", CATEGORIES, label_column="naam", row_part_columns=CATEGORIES, row_total_column="klachten"
    )
    columns = [*CATEGORIES, "klachten"]
    values = {(r, c): frame[c][r] for r in range(frame.height) for c in columns}
    hidden = {(r, c) for r in range(frame.height) for c in columns if out[f"{c}_verborgen"][r]}
    constraints = [TotalConstraint((4, c), tuple((r, c) for r in range(4))) for c in columns] + [
        TotalConstraint((r, "klachten"), tuple((r, c) for c in CATEGORIES)) for r in range(5)
    ]
    assert {(0, "klachten_bejegening"), (2, "klachten_overig")} <= hidden
    _attacker_check(values, constraints, hidden, 5)
    _lp_audit(values, constraints, hidden, 5)
    for cell in hidden:
        assert out[cell[1]][cell[0]] is None and out[f"{cell[1]}_tekst"][cell[0]] == PROTECTED_TEXT


@pytest.mark.parametrize("threshold", [5, 10])
def test_random_tables_never_reveal_a_small_cell(threshold: int) -> None:
    rng = random.Random(20210706)
    rule = SuppressionRule(threshold=threshold)
    for case in range(120):
        n_rows, n_cols = rng.randint(1, 5), rng.randint(1, 4)
        grid = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 11, 20]) for _ in range(n_cols)] for _ in range(n_rows)]
        values = {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row)}
        for r in range(n_rows):
            values[(r, n_cols)] = sum(grid[r])
        for c in range(n_cols + 1):
            values[(n_rows, c)] = sum(values[(r, c)] for r in range(n_rows))
        constraints = [TotalConstraint((r, n_cols), tuple((r, c) for c in range(n_cols))) for r in range(n_rows + 1)]
        constraints += [TotalConstraint((n_rows, c), tuple((r, c) for r in range(n_rows))) for c in range(n_cols + 1)]
        hidden = protect_cells(values, constraints, rule)
        assert {cell for cell, v in values.items() if 0 < v < threshold} <= hidden
        assert all(values[cell] > 0 for cell in hidden)  # hiding a zero protects nothing
        _attacker_check(values, constraints, hidden, threshold)
        if case % 4 == 0:  # the all-equations audit is slow; a quarter of the tables is plenty
            _lp_audit(values, constraints, hidden, threshold)


def test_thirty_complaints_over_22_areas_by_category() -> None:
    # The letter's situation: ~30 complaints spread over 22 areas and 4 categories; almost every cell is 0-4.
    grid = [
        [0, 1, 0, 0], [2, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1], [0, 0, 0, 0],
        [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 1, 0, 1], [0, 0, 0, 2], [0, 0, 0, 0], [0, 1, 0, 1],
        [0, 1, 1, 1], [0, 0, 2, 0], [0, 1, 3, 0], [0, 1, 0, 1], [0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0],
        [0, 0, 0, 1],
    ]
    rows = [["Stad", f"DX{i + 1:02d}", *parts, sum(parts)] for i, parts in enumerate(grid)]
    rows.append(["Stad", "Totaal", *[sum(col) for col in zip(*grid, strict=True)], 30])
    frame = pl.DataFrame(rows, schema=["stad", "code", *CATEGORIES, "klachten"], orient="row")
    out = suppress_with_totals(
        frame, "stad", CATEGORIES, label_column="code", row_part_columns=CATEGORIES, row_total_column="klachten"
    )
    columns = [*CATEGORIES, "klachten"]
    values = {(r, c): frame[c][r] for r in range(frame.height) for c in columns}
    hidden = {(r, c) for r in range(frame.height) for c in columns if out[f"{c}_verborgen"][r]}
    constraints = [TotalConstraint((22, c), tuple((r, c) for r in range(22))) for c in columns] + [
        TotalConstraint((r, "klachten"), tuple((r, c) for c in CATEGORIES)) for r in range(23)
    ]
    _attacker_check(values, constraints, hidden, 5)
    _lp_audit(values, constraints, hidden, 5)
    # Every area count is 0-4, so every non-zero area cell is hidden; bereikbaarheid (9 x 1 = 9) would give
    # away that each is 1, so its total is hidden too.
    assert all(v == 0 or (r, c) in hidden for (r, c), v in values.items() if r < 22)
    assert out["klachten_bereikbaarheid_tekst"][22] == PROTECTED_TEXT


def test_disabled_rule_hides_nothing_with_totals() -> None:
    out = suppress_with_totals(
        _stadsdeel_table(), "stadsdeel", ["klachten"], label_column="naam", rule=SuppressionRule(enabled=False)
    )
    assert out["klachten_verborgen"].sum() == 0
    assert out["klachten"].to_list() == _stadsdeel_table()["klachten"].to_list()


# --- Explanations ----------------------------------------------------------------------------------------------


def test_explain_hidden_suggests_longer_period_and_stadsdeel() -> None:
    text = explain_hidden_nl(hidden_cells=30, total_cells=48, per_month=True, level="eenheid")
    assert text.startswith("30 van de 48 waarden zijn verborgen.")
    assert "Kies een langere periode" in text and "per stadsdeel" in text
    few = explain_hidden_nl(hidden_cells=1, total_cells=22, per_month=False, level="stadsdeel")
    assert "Meer zichtbaar" not in few
    assert explain_hidden_nl(hidden_cells=0, total_cells=22, per_month=True) == ""
    assert explain_hidden_nl(SuppressionRule(enabled=False), hidden_cells=3, total_cells=4, per_month=True) == ""
