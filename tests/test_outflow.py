"""Outflow metrics of the page "Uitstroom naar werk" on the small workbook of tests/workbooks.py.

Units: DX01 (Centrum) cohort 2019-11-01 … 2020-10-31; DX02 (Centrum) starts 2021-01-01; DX03 (West) never;
DG01 a target group from 2020-01-01. Months 2020-01 and 2020-02, identical figures each month:
  DX01 bijstand 1000, uitstroom 25, werk 12;  DX02 bijstand 2000, uitstroom 30, werk 10;
  DX03 bijstand 1500, uitstroom 20, werk 6;   DG01 bijstand 800, uitstroom 10, werk 5.
Exact Poisson (Garwood) 95% bounds used below, from published tables: k=12: 6,2006–20,9616;
k=24: 15,3773–35,7101; k=10: 4,7954–18,3904.
"""

from datetime import date

import polars as pl
import pytest
from workbooks import make_workbook

from cohort.did import DidResult
from cohort.metrics import outflow_cohort_vs_comparison, with_phase
from cohort.outflow import (
    MEASURES,
    available_measures,
    comparison_window,
    event_profile,
    fair_comparison_sentence,
    measures_by_group,
    measures_summary,
    measures_summary_table,
    monthly_outflow_intervals,
    outflow_by_level,
    outflow_estimates,
    unit_outflow_ranking,
)
from cohort.stats import rate_ratio
from cohort.workbook.read import read_workbook

JAN, FEB = date(2020, 1, 1), date(2020, 2, 1)


@pytest.fixture(scope="module")
def dataset():
    return read_workbook(make_workbook()).dataset


@pytest.fixture(scope="module")
def phased(dataset):
    return with_phase(dataset.monthly, dataset.units)


def test_monthly_outflow_intervals_by_hand(phased):
    frame = monthly_outflow_intervals(phased)
    january = {r["groep"]: r for r in frame.filter(pl.col("maand") == JAN).iter_rows(named=True)}
    cohort, comparison = january["Cohort loopt"], january["Vergelijking"]
    # Cohort: DX01 only (DG01 is a target group): 12 / 1000; all outflow 25 / 1000.
    assert cohort["werk_per_1000"] == pytest.approx(12.0)
    assert (cohort["werk_lower"], cohort["werk_upper"]) == pytest.approx((6.2006, 20.9616), abs=1e-3)
    assert cohort["uitstroom_per_1000"] == pytest.approx(25.0)
    # Comparison: DX02 (not yet started) + DX03 (never): 16 / 3500; all outflow 50 / 3500.
    assert comparison["werk_per_1000"] == pytest.approx(16 / 3.5)
    assert comparison["uitstroom_per_1000"] == pytest.approx(50 / 3.5)
    assert comparison["uitstroom_lower"] < comparison["uitstroom_per_1000"] < comparison["uitstroom_upper"]
    assert frame.height == 4


def test_comparison_window_starts_at_first_area_start(dataset):
    units = dataset.units
    assert comparison_window(units, JAN, date(2020, 2, 29)) == (JAN, FEB)
    # The period starts before the first start (DX01, November 2019): the window starts at that start.
    assert comparison_window(units, date(2019, 1, 1), date(2020, 2, 29)) == (date(2019, 11, 1), FEB)
    # No area had started on the peildatum: nothing to compare.
    assert comparison_window(units, date(2019, 1, 1), date(2019, 10, 31)) is None
    # A target group starting earlier does not move the window: it is never part of the comparison.
    group_first = units.with_columns(
        pl.when(pl.col("code") == "DG01").then(pl.lit(date(2018, 1, 1))).otherwise(pl.col("start")).alias("start")
    )
    assert comparison_window(group_first, date(2017, 1, 1), date(2020, 2, 29)) == (date(2019, 11, 1), FEB)


def test_outflow_estimates_raw_is_the_metrics_ratio(dataset, phased):
    estimates = outflow_estimates(phased, dataset.units, dataset.monthly, JAN, date(2020, 2, 29), reps=20)
    assert estimates.window == (JAN, FEB)
    assert estimates.raw == outflow_cohort_vs_comparison(phased, JAN, FEB)
    assert estimates.raw.ratio == pytest.approx(2.625)  # 24/2000 over 32/7000
    # DX01 has no months before its start in the data: no difference-in-differences possible.
    assert estimates.did is None


def test_outflow_estimates_without_started_area(dataset, phased):
    estimates = outflow_estimates(phased, dataset.units, dataset.monthly, JAN, date(2019, 10, 31), reps=20)
    assert (estimates.window, estimates.raw, estimates.did) == (None, None, None)


def did_result(ratio: float, counterfactual: float = 10.0) -> DidResult:
    treated = ratio * counterfactual
    return DidResult(att=treated - counterfactual, ci=(0.0, 1.0), treated_rate=treated,
                     counterfactual_rate=counterfactual, ratio=ratio, ratio_ci=(1.0, 2.0), n_units_treated=5,
                     n_cohorts=3, n_cells=10, reps=99, level=0.95, method="", cells=pl.DataFrame())


def test_fair_comparison_sentence_from_numbers():
    raw = rate_ratio(204, 10_000, 100, 10_000)  # ratio 2.04
    assert fair_comparison_sentence(raw, did_result(1.43)) == (
        "Van de ruwe factor 2,0× blijft bij een eerlijkere vergelijking 1,4× over."
    )
    no_effect = fair_comparison_sentence(raw, did_result(0.96))
    assert no_effect.startswith("Van de ruwe factor 2,0× blijft bij een eerlijkere vergelijking 1,0× over:")
    assert "geen hogere uitstroom" in no_effect
    assert fair_comparison_sentence(None, did_result(1.4)) is None
    assert fair_comparison_sentence(raw, None) is None
    assert fair_comparison_sentence(rate_ratio(0, 10_000, 5, 10_000), did_result(1.4)) is None  # ratio None


def test_unit_ranking_by_hand(phased):
    ranking = unit_outflow_ranking(phased, JAN, FEB)
    # In cohort in Jan–Feb 2020: DX01 24 / 2000 = 12,0; DG01 10 / 1600 = 6,25. DX02 and DX03 have no cohort months.
    assert ranking["code"].to_list() == ["DX01", "DG01"]
    assert ranking["werk_per_1000"].to_list() == pytest.approx([12.0, 6.25])
    assert ranking["maanden"].to_list() == [2, 2]
    assert ranking["persoonsmaanden"].to_list() == [2000, 1600]
    assert (ranking.item(0, "werk_lower"), ranking.item(0, "werk_upper")) == pytest.approx(
        (15.3773 / 2, 35.7101 / 2), abs=1e-3)
    assert ranking.item(1, "werk_lower") == pytest.approx(4.7954 / 1.6, abs=1e-3)
    assert unit_outflow_ranking(phased, JAN, JAN)["maanden"].to_list() == [1, 1]


def test_outflow_by_stadsdeel_and_city(phased):
    by_district = {r["stadsdeel"]: r for r in outflow_by_level(phased, "stadsdeel", JAN, FEB).iter_rows(named=True)}
    # Centrum: cohort DX01 24/2000 = 12; comparison DX02 20/4000 = 5; ratio 2,4.
    assert by_district["Centrum"]["cohort_per_1000"] == pytest.approx(12.0)
    assert by_district["Centrum"]["vergelijking_per_1000"] == pytest.approx(5.0)
    assert by_district["Centrum"]["verhouding"] == pytest.approx(2.4)
    # West: no cohort months (DX03 never starts); comparison 12/3000 = 4.
    assert by_district["West"]["cohort_per_1000"] is None
    assert by_district["West"]["vergelijking_per_1000"] == pytest.approx(4.0)
    assert by_district["West"]["verhouding"] is None
    assert set(by_district) == {"Centrum", "West"}  # the target group has no stadsdeel and is left out
    city = outflow_by_level(phased, "stad", JAN, FEB)
    assert city.height == 1 and city.item(0, "stadsdeel") == "Hele stad"
    assert city.item(0, "verhouding") == pytest.approx(2.625)  # equals the raw ratio


@pytest.fixture(scope="module")
def phased_with_measures(dataset):
    per_unit = {"DX01": (1, 10), "DX02": (2, 20), "DX03": (3, 30), "DG01": (4, 40)}
    monthly = dataset.monthly.with_columns(
        pl.col("code").replace_strict({c: v[0] for c, v in per_unit.items()}).alias("herinstroom"),
        pl.col("code").replace_strict({c: v[1] for c, v in per_unit.items()}).alias("ontheffingen"),
    )
    return with_phase(monthly, dataset.units)


def test_available_measures_in_contract_order():
    names = [m.name for m in available_measures(("uitgenodigd", "ontheffingen", "herinstroom"))]
    assert names == ["herinstroom", "ontheffingen"]  # side effects first; uitgenodigd is not a measure
    by_name = {m.name: m for m in MEASURES}
    assert by_name["ontheffingen"].kind == "stand" and "stand eind maand" in by_name["ontheffingen"].unit_label
    assert by_name["maatregelen"].side_effect and by_name["herinstroom"].side_effect
    assert by_name["jobhunter"].unit_label == "per 1.000 per maand" and not by_name["jobhunter"].side_effect


def test_measures_by_group_by_hand(phased_with_measures):
    measures = available_measures(("herinstroom", "ontheffingen"))
    frame = measures_by_group(phased_with_measures, measures)
    january = {(r["maatregel"], r["groep"]): r for r in frame.filter(pl.col("maand") == JAN).iter_rows(named=True)}
    # Cohort = DX01 (bijstand 1000); comparison = DX02 + DX03 (3500). DG01 (target group) is in neither.
    assert january[("herinstroom", "Cohort loopt")]["per_1000"] == pytest.approx(1.0)
    assert january[("herinstroom", "Vergelijking")]["aantal"] == 5
    assert january[("herinstroom", "Vergelijking")]["per_1000"] == pytest.approx(5 / 3.5)
    assert january[("ontheffingen", "Cohort loopt")]["per_1000"] == pytest.approx(10.0)
    assert january[("ontheffingen", "Vergelijking")]["per_1000"] == pytest.approx(50 / 3.5)
    assert frame["maatregel"].unique(maintain_order=True).to_list() == ["herinstroom", "ontheffingen"]
    summary = measures_summary(frame, JAN, FEB)
    rows = {(r["maatregel"], r["groep"]): r for r in summary.iter_rows(named=True)}
    assert rows[("herinstroom", "Vergelijking")]["aantal"] == 10
    assert rows[("herinstroom", "Vergelijking")]["persoonsmaanden"] == 7000
    assert rows[("ontheffingen", "Cohort loopt")]["per_1000"] == pytest.approx(10.0)  # 20 / 2000
    assert summary["maatregel"].to_list() == ["herinstroom", "herinstroom", "ontheffingen", "ontheffingen"]
    assert measures_by_group(phased_with_measures, ()).is_empty()


def test_event_profile_areas_only(dataset):
    profile = event_profile(dataset.units, dataset.monthly, FEB)
    rows = {r["event_time"]: r for r in profile.iter_rows(named=True)}
    assert profile["event_time"].to_list() == list(range(-12, 19))
    # DX02 starts January 2021: January/February 2020 are k = −12 and −11 (rate 10/2000 = 5 per 1,000).
    assert (rows[-12]["n_units"], rows[-12]["rate"]) == (1, pytest.approx(5.0))
    # DX01 started November 2019: January 2020 is k = +2 (rate 12 per 1,000).
    assert (rows[2]["n_units"], rows[2]["rate"]) == (1, pytest.approx(12.0))
    # DG01 (target group) starts January 2020; it would be k = 0 and 1 if it took part.
    assert rows[0]["n_units"] == 0 and rows[1]["n_units"] == 0
    # Only months up to `last_month` count: with January as last month, k = +3 (February for DX01) is empty.
    assert {r["event_time"]: r["n_units"] for r in event_profile(dataset.units, dataset.monthly, JAN)
            .iter_rows(named=True)}[3] == 0


def test_event_profile_none_without_started_area(dataset):
    never = dataset.units.with_columns(pl.lit(None, pl.Date).alias("start"))
    assert event_profile(never, dataset.monthly, FEB) is None


def test_measures_summary_table_side_by_side():
    measures = available_measures(("herinstroom", "jobhunter"))
    summary = pl.DataFrame({
        "maatregel": ["herinstroom", "herinstroom", "jobhunter"],
        "groep": ["Cohort loopt", "Vergelijking", "Cohort loopt"],
        "per_1000_tekst": ["1,00", "—*", "2,50"],
    })
    table = measures_summary_table(summary, measures)
    assert table.columns == ["Maat", "Soort", "Cohort loopt", "Vergelijking", "Eenheid"]
    rows = {r["Soort"]: r for r in table.iter_rows(named=True)}
    assert rows["neveneffect"]["Cohort loopt"] == "1,00" and rows["neveneffect"]["Vergelijking"] == "—*"
    assert rows["ondersteuning"]["Vergelijking"] == "—"  # no comparison row: shown as missing, not as 0
