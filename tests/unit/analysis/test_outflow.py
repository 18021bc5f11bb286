"""`cohort.analysis.outflow`: the estimates over all areas (cached per dataset) and the support measures.

The small workbook of tests/workbooks.py: DX01 (Centrum) cohort 2019-11-01 … 2020-10-31; DX02 (Centrum) starts
2021-01-01; DX03 (West) never; DG01 a target group from 2020-01-01. Months 2020-01 and 2020-02, identical each
month: DX01 bijstand 1000, werk 12; DX02 2000, werk 10; DX03 1500, werk 6; DG01 800, werk 5.
"""

from datetime import date

import polars as pl
import pytest
from outflow_data import staggered

from cohort.analysis.outflow import MEASURES, available_measures, did_all_areas, event_profile_all_areas
from cohort.dataset import Dataset


def test_did_over_all_areas_by_hand_and_cached():
    data = staggered(5)
    result = did_all_areas(data, date(2020, 4, 1), date(2020, 12, 1))
    # +4 per 1,000 in every cohort month, nothing else changes: exactly 4, 14 against 10.
    assert result.att == pytest.approx(4.0, abs=1e-9)
    assert (result.treated_rate, result.counterfactual_rate) == (pytest.approx(14.0), pytest.approx(10.0))
    assert (result.n_units_treated, result.n_units_control) == (5, 9)
    assert did_all_areas(data, date(2020, 4, 1), date(2020, 12, 1)) is result, "one bootstrap per dataset and window"
    # The effect months are the window: from July only the July–December cells count, still exactly 4.
    later = did_all_areas(data, date(2020, 7, 1), date(2020, 12, 1))
    assert later is not result and later.att == pytest.approx(4.0, abs=1e-9)


def test_event_profile_over_all_areas_to_the_last_month(dataset):
    profile = event_profile_all_areas(dataset)
    rows = {r["event_time"]: r for r in profile.iter_rows(named=True)}
    assert profile["event_time"].to_list() == list(range(-12, 19))
    # DX02 starts January 2021: January/February 2020 are k = −12 and −11 (rate 10/2000 = 5 per 1,000).
    assert (rows[-12]["n_units"], rows[-12]["rate"]) == (1, pytest.approx(5.0))
    # DX01 started November 2019: January and February 2020 are k = +2 and +3 (12 per 1,000): the profile runs
    # to the dataset's last month, whatever a viewer's peildatum.
    assert (rows[2]["n_units"], rows[3]["n_units"], rows[3]["rate"]) == (1, 1, pytest.approx(12.0))
    # DG01 (target group) starts January 2020; it would be k = 0 and 1 if it took part.
    assert rows[0]["n_units"] == 0 and rows[1]["n_units"] == 0
    assert event_profile_all_areas(dataset) is profile


def test_event_profile_none_without_started_area(dataset):
    never = Dataset(dataset.units.with_columns(pl.lit(None, pl.Date).alias("start")), dataset.monthly,
                    dataset.meta.__class__(name="nooit", version="nooit-gestart"))
    assert event_profile_all_areas(never) is None


def test_available_measures_in_contract_order():
    names = [m.name for m in available_measures(("uitgenodigd", "ontheffingen", "herinstroom"))]
    assert names == ["herinstroom", "ontheffingen"]  # side effects first; uitgenodigd is not a measure
    by_name = {m.name: m for m in MEASURES}
    assert by_name["ontheffingen"].kind == "stand" and "stand eind maand" in by_name["ontheffingen"].unit_label
    assert (by_name["ontheffingen"].short_unit, by_name["herinstroom"].short_unit) == ("per 1.000 (stand)",
                                                                                      "per 1.000 per maand")
    assert by_name["maatregelen"].side_effect and by_name["herinstroom"].side_effect
    assert by_name["jobhunter"].unit_label == "per 1.000 per maand" and not by_name["jobhunter"].side_effect
