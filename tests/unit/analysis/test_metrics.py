"""Metrics on a small dataset whose figures are computed by hand in the comments.

Units (tests/workbooks.py): DX01 cohort 2019-11-01 … 2020-10-31; DX02 starts 2021-01-01 (open end); DX03 never;
DG01 a target group from 2020-01-01. Months 2020-01 and 2020-02, identical figures:
  DX01 bijstand 1000, gesprekken 50, uitstroom 25, werk 12, 1 complaint (bejegening)
  DX02 bijstand 2000, werk 10;  DX03 bijstand 1500, werk 6;  DG01 bijstand 800, gesprekken 20, werk 5, 1 complaint
"""

from datetime import date

import polars as pl
import pytest

from cohort.analysis.metrics import (
    outflow_cohort_vs_comparison,
    status_counts,
    with_phase,
    with_status,
)
from cohort.contract import Status
from cohort.selection import Selection, apply_selection


def test_status_on_peildatum(dataset):
    status = dict(with_status(dataset.units, date(2020, 6, 30)).select("code", "status").iter_rows())
    assert status == {"DG01": "actief", "DX01": "actief", "DX02": "gepland", "DX03": "geen"}
    later = dict(with_status(dataset.units, date(2021, 6, 30)).select("code", "status").iter_rows())
    assert later["DX01"] == "afgerond" and later["DX02"] == "actief"
    # eind on the peildatum itself counts as finished
    on_eind = dict(with_status(dataset.units, date(2020, 10, 31)).select("code", "status").iter_rows())
    assert on_eind["DX01"] == "afgerond"
    areas = dataset.areas
    assert status_counts(areas, date(2021, 6, 30)) == {
        Status.FINISHED: 1, Status.ACTIVE: 1, Status.PLANNED: 0, Status.NEVER: 1
    }


def test_phase_and_comparison_flags(dataset):
    phased = with_phase(dataset.monthly, dataset.units).filter(pl.col("maand") == date(2020, 1, 1))
    flags = {r["code"]: (r["fase"], r["in_cohort"], r["vergelijking"]) for r in phased.iter_rows(named=True)}
    assert flags == {
        "DX01": ("cohort", True, False),
        "DX02": ("voor", False, True),
        "DX03": ("geen", False, True),
        "DG01": ("cohort", True, False),  # a target group is never a comparison area
    }


def test_outflow_ratio_hand_computed(dataset):
    phased = with_phase(dataset.monthly, dataset.units)
    result = outflow_cohort_vs_comparison(phased, date(2020, 1, 1), date(2020, 2, 1))
    # cohort: 24 / 2000 = 12 per 1,000; comparison: 32 / 7000 = 4.5714 per 1,000; ratio 2.625
    assert result.rate_a == pytest.approx(12.0)
    assert result.rate_b == pytest.approx(32 / 7000 * 1000)
    assert result.ratio == pytest.approx(2.625)
    # SE(log RR) = sqrt(1/24 + 1/32) = 0.270031; exp(±1.959964 × SE)
    assert result.lower == pytest.approx(1.5463, abs=1e-3)
    assert result.upper == pytest.approx(4.4562, abs=1e-3)


def test_outflow_ratio_none_without_comparison(dataset):
    phased = with_phase(dataset.monthly, dataset.units).filter(pl.col("code") == "DX01")
    assert outflow_cohort_vs_comparison(phased, date(2020, 1, 1), date(2020, 2, 1)) is None


def test_selection_filters(dataset):
    selection = Selection(date(2020, 2, 29), date(2020, 2, 1), date(2020, 2, 1), stadsdelen=("West",))
    units, monthly = apply_selection(dataset, selection)
    assert sorted(units.get_column("code")) == ["DG01", "DX03"]  # target groups are city-wide
    assert monthly.height == 2
    no_groups = Selection(date(2020, 2, 29), date(2020, 1, 1), date(2020, 2, 1), include_target_groups=False)
    assert "DG01" not in apply_selection(dataset, no_groups)[0].get_column("code").to_list()
    assert "zonder doelgroepen" in no_groups.describe()
    assert selection.describe() == "peildatum februari 2020 · februari 2020 – februari 2020 · West"
