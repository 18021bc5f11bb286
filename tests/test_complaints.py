"""Complaint figures on small datasets whose numbers are computed by hand in the comments.

Funnel limits (Spiegelhalter's interpolated exact Poisson limits), overall rate 2 per 1.000:
  n = 1.000 → μ = 2. 97,5%-quantile r = 5, F(5) = 0,983436, F(4) = 0,947347:
      5 − (0,983436 − 0,975)/(0,983436 − 0,947347) = 4,7662 → 4,766 per 1.000.
    99,9%-quantile r = 8, F(8) = 0,9997626, F(7) = 0,9989033: 8 − 0,000763/0,000859 = 7,1126 → 7,113 per 1.000.
  n = 250 → μ = 0,5. 97,5%: r = 2, F(2) = 0,985612, F(1) = 0,909796: 2 − 0,13997 = 1,8600 → 7,440 per 1.000.
    99,9%: r = 4 → 13,903 per 1.000.
"""

from datetime import date, datetime

import polars as pl
import pytest
from workbooks import make_workbook

from cohort.complaints import (
    CITY_LABEL,
    categories_long,
    city_rate,
    complaint_window,
    complaints_by_period,
    conspicuously_high,
    funnel_lines,
    period_label,
    period_start_expr,
    protect_complaints,
    with_funnel_class,
)
from cohort.metrics import rate_per_1000, with_phase
from cohort.privacy import DEFAULT_RULE, SuppressionRule, count_text, suppress_counts, suppress_rates
from cohort.selection import Selection
from cohort.workbook.read import read_workbook

UNITS = [
    ["DX01", "Centrum-West", "gebied", "Centrum", datetime(2019, 11, 1), None],
    ["DX02", "Centrum-Oost", "gebied", "Centrum", datetime(2020, 1, 1), None],
    ["DX03", "Westerpark", "gebied", "West", datetime(2020, 1, 1), None],
    ["DG01", "Jongeren", "doelgroep", None, datetime(2020, 1, 1), None],
]


def _monthly() -> list[list]:
    """Jan–Apr 2020. Per month: DX01 100 talks; DX02 50 talks; DX03 25 talks; DG01 40 talks.

    Complaints (bejegening, bereikbaarheid, koers, overig):
      DX01: jan (1,0,0,0), feb (0,1,0,0), apr (1,0,0,1)   → 4 on 400
      DX02: mar (0,0,2,0)                                 → 2 on 200
      DX03: none                                          → 0 on 100
      DG01: feb (1,0,0,0)                                 → 1 on 160
    """
    complaints = {
        ("DX01", 1): (1, 0, 0, 0), ("DX01", 2): (0, 1, 0, 0), ("DX01", 4): (1, 0, 0, 1),
        ("DX02", 3): (0, 0, 2, 0), ("DG01", 2): (1, 0, 0, 0),
    }
    talks = {"DX01": 100, "DX02": 50, "DX03": 25, "DG01": 40}
    rows = []
    for month in range(1, 5):
        for code, n in talks.items():
            rows.append([datetime(2020, month, 1), code, 1000, n, 10, 5, *complaints.get((code, month), (0, 0, 0, 0))])
    return rows


@pytest.fixture(scope="module")
def phased():
    dataset = read_workbook(make_workbook(UNITS, _monthly())).dataset
    return with_phase(dataset.monthly, dataset.units)


def test_brief_example_two_complaints_on_100_talks():
    rate = rate_per_1000(2, 100)
    assert rate.rate == pytest.approx(20.0)
    assert rate.lower == pytest.approx(2.42, abs=0.005)
    assert rate.upper == pytest.approx(72.25, abs=0.005)


def test_window_runs_to_peildatum_or_period_end():
    selection = Selection(peildatum=date(2021, 6, 30), first_month=date(2019, 1, 1), last_month=date(2022, 12, 1))
    assert complaint_window(selection) == (date(2019, 1, 1), date(2021, 6, 1))
    earlier_end = Selection(peildatum=date(2021, 6, 30), first_month=date(2019, 1, 1), last_month=date(2020, 3, 1))
    assert complaint_window(earlier_end) == (date(2019, 1, 1), date(2020, 3, 1))


def test_period_labels_and_starts():
    assert period_label(date(2021, 4, 1), "kwartaal") == "K2 2021"
    assert period_label(date(2021, 10, 1), "kwartaal") == "K4 2021"
    assert period_label(date(2021, 7, 1), "halfjaar") == "H2 2021"
    assert period_label(date(2021, 1, 1), "jaar") == "2021"
    frame = pl.DataFrame({"maand": [date(2020, 5, 1), date(2020, 8, 1), date(2020, 12, 1)]})
    starts = frame.select(
        period_start_expr("kwartaal").alias("k"), period_start_expr("halfjaar").alias("h"),
        period_start_expr("jaar").alias("j"),
    )
    assert starts.get_column("k").to_list() == [date(2020, 4, 1), date(2020, 7, 1), date(2020, 10, 1)]
    assert starts.get_column("h").to_list() == [date(2020, 1, 1), date(2020, 7, 1), date(2020, 7, 1)]
    assert starts.get_column("j").to_list() == [date(2020, 1, 1)] * 3
    with pytest.raises(ValueError):
        period_label(date(2021, 1, 1), "maand")


def test_quarterly_aggregation_areas_only(phased):
    # Areas only: Q1 = Jan–Mar: 3 × 175 = 525 talks; complaints DX01 jan 1 + feb 1, DX02 mar 2 = 4.
    # Q2 = April only: 175 talks; DX01 2 complaints (bejegening 1, overig 1). The target group is left out.
    quarters = complaints_by_period(phased, "kwartaal")
    rows = {r["periode_label"]: r for r in quarters.iter_rows(named=True)}
    assert list(rows) == ["K1 2020", "K2 2020"]
    q1, q2 = rows["K1 2020"], rows["K2 2020"]
    assert (q1["maanden"], q1["gesprekken"], q1["klachten"]) == (3, 525, 4)
    assert (q1["klachten_bejegening"], q1["klachten_bereikbaarheid"], q1["klachten_koers"]) == (1, 1, 2)
    assert q1["per_1000"] == pytest.approx(4 / 525 * 1000)
    assert (q2["maanden"], q2["gesprekken"], q2["klachten"]) == (1, 175, 2)
    assert q2["per_1000"] == pytest.approx(2 / 175 * 1000)
    # exact Poisson bounds of 2 (0,2422; 7,2247) over 175 talks
    assert q2["ondergrens"] == pytest.approx(0.24221 / 175 * 1000, rel=1e-4)
    assert q2["bovengrens"] == pytest.approx(7.22469 / 175 * 1000, rel=1e-4)
    year = complaints_by_period(phased, "jaar")
    assert year.get_column("klachten").to_list() == [6]
    assert year.get_column("gesprekken").to_list() == [700]


def level_rows(phased, table: str) -> pl.DataFrame:
    """Per-level totals as every page gets them: the protected result, with hiding switched off."""
    protected = protect_complaints(phased, SuppressionRule(enabled=False))
    return protected.filter(pl.col("tabel") == table).sort("eenheid")


def test_totals_per_level(phased):
    units = level_rows(phased, "gebied")
    by_name = {r["eenheid"]: r for r in units.iter_rows(named=True)}
    assert by_name["Centrum-West"]["klachten"] == 4 and by_name["Centrum-West"]["gesprekken"] == 400
    assert by_name["Centrum-West"]["per_1000"] == pytest.approx(10.0)
    assert by_name["Jongeren"]["soort"] == "doelgroep" and by_name["Jongeren"]["klachten"] == 1
    assert by_name["Westerpark"]["per_1000"] == 0.0
    districts = level_rows(phased, "stadsdeel")
    assert dict(zip(districts.get_column("eenheid"), districts.get_column("klachten"), strict=True)) == {
        "Centrum": 6, "West": 0,
    }
    assert districts.get_column("gesprekken").to_list() == [600, 100]  # target group not added
    city = level_rows(phased, "stad")
    assert city.get_column("eenheid").to_list() == [CITY_LABEL]
    assert city.row(0, named=True)["klachten"] == 6 and city.row(0, named=True)["gesprekken"] == 700


def test_city_rate_counts_areas_only(phased):
    rate = city_rate(phased)
    assert (rate.events, rate.exposure) == (6, 700)
    assert rate.rate == pytest.approx(6 / 700 * 1000)


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


def test_categories_long(phased):
    quarters = complaints_by_period(phased, "kwartaal")
    long = categories_long(quarters, "periode_label")
    assert long.height == 8
    q1 = dict(long.filter(pl.col("periode_label") == "K1 2020").select("categorie", "klachten").iter_rows())
    assert q1 == {"Bejegening": 1, "Bereikbaarheid": 1, "Koers": 2, "Overig": 0}


def test_small_numbers_hidden_in_display():
    assert count_text(0) == "0"
    assert count_text(1) == "<5"
    assert count_text(4) == "<5"
    assert count_text(5) == "5"
    assert count_text(1234) == "1.234"
    assert count_text(2, SuppressionRule(3)) == "<3"
    frame = pl.DataFrame({"eenheid": ["a", "b", "c"], "klachten": [0, 3, 12], "per_1000": [0.0, 3.0, 12.0]})
    # Rates first: suppress_counts nulls the hidden numerators that suppress_rates reads.
    shown = suppress_counts(suppress_rates(frame, "klachten", ["per_1000"], DEFAULT_RULE), ["klachten"], DEFAULT_RULE)
    assert shown.get_column("klachten_tekst").to_list() == ["0", "<5", "12"]
    assert shown.get_column("per_1000").to_list() == [0.0, None, 12.0]  # rate on a hidden count is blanked
