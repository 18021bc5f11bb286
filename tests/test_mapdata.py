"""Map values per area and per stadsdeel, hand-computed on the small test workbook (see tests/test_metrics.py)."""

from datetime import date

import polars as pl
import pytest
from workbooks import make_workbook

from cohort.boundaries import Division
from cohort.mapdata import (
    area_totals,
    city_reference,
    division_for,
    indicator_values,
    map_indicator,
    target_group_values,
)
from cohort.workbook.read import read_workbook


@pytest.fixture(scope="module")
def dataset():
    return read_workbook(make_workbook()).dataset


def test_area_totals_per_area(dataset):
    totals = area_totals(dataset.units, dataset.monthly, date(2020, 2, 29), "gebied")
    rows = {r["code"]: r for r in totals.iter_rows(named=True)}
    assert set(rows) == {"DX01", "DX02", "DX03"}  # target groups have no place on the map
    assert rows["DX01"]["status"] == "actief" and rows["DX02"]["status"] == "gepland"
    assert rows["DX01"]["bijstand"] == 1000  # stock in the peildatum month, not a sum over months
    assert rows["DX01"]["persoonsmaanden"] == 2000
    assert rows["DX01"]["gesprekken"] == 100 and rows["DX01"]["klachten"] == 2


def test_area_totals_per_stadsdeel_pool_counts(dataset):
    totals = area_totals(dataset.units, dataset.monthly, date(2020, 2, 29), "stadsdeel")
    rows = {r["code"]: r for r in totals.iter_rows(named=True)}
    assert set(rows) == {"A", "E"}  # Centrum, West as official stadsdeel letters
    assert rows["A"]["naam"] == "Centrum"
    assert rows["A"]["status"] == "actief"  # one area active, one planned
    assert rows["A"]["uitstroom_werk"] == 44 and rows["A"]["persoonsmaanden"] == 6000
    assert rows["E"]["status"] == "geen"


def test_indicator_values_rates_and_small_numbers(dataset):
    totals = area_totals(dataset.units, dataset.monthly, date(2020, 2, 29), "gebied")
    outflow = {r["code"]: r for r in indicator_values(totals, "uitstroom_werk", 5).iter_rows(named=True)}
    assert outflow["DX01"]["value"] == pytest.approx(12.0)  # 24 / 2000 × 1000
    assert outflow["DX01"]["value_text"] == "12,0 per 1.000 per maand"
    # 2 complaints on 100 conversations: a numerator from 1 to 4 is hidden, the area turns grey
    complaints = {r["code"]: r for r in indicator_values(totals, "klachten", 5).iter_rows(named=True)}
    assert complaints["DX01"]["value"] is None and complaints["DX01"]["value_text"] == "—"
    assert complaints["DX02"]["value_text"] == "—"  # no conversations: no rate
    shown = {r["code"]: r for r in indicator_values(totals, "klachten", 2).iter_rows(named=True)}
    assert shown["DX01"]["value_text"] == "20,00 per 1.000 gesprekken"
    people = {r["code"]: r["value_text"] for r in indicator_values(totals, "bijstand", 5).iter_rows(named=True)}
    assert people == {"DX01": "1.000", "DX02": "2.000", "DX03": "1.500"}


def test_city_reference_and_indicator_kind(dataset):
    totals = area_totals(dataset.units, dataset.monthly, date(2020, 2, 29), "gebied")
    # (24 + 20 + 12) / (2000 + 4000 + 3000) × 1000
    assert city_reference(totals, "uitstroom_werk") == pytest.approx(56 / 9000 * 1000)
    assert map_indicator("uitstroom_werk", totals, compare_to_city=True).kind == "diverging"
    assert map_indicator("uitstroom_werk", totals, compare_to_city=False).kind == "sequential"
    assert map_indicator("status", totals, compare_to_city=True).kind == "status"


def test_division_and_target_groups(dataset):
    assert division_for(dataset.units, "gebied") == Division.GEBIEDEN_2015  # detected from the DX codes
    assert division_for(dataset.units, "stadsdeel") == Division.STADSDELEN
    groups = target_group_values(dataset.units, dataset.monthly, date(2020, 2, 29))
    assert groups.get_column("naam").to_list() == ["Jongeren"]
    assert groups.row(0, named=True)["werk_per_1000"] == pytest.approx(10 / 1600 * 1000)


def test_division_for_2022_codes_and_unknown_codes():
    units = pl.DataFrame({"code": ["GA01", "GF08", "GT23"], "soort": ["gebied"] * 3})
    assert division_for(units, "gebied") == Division.GEBIEDEN_2022
    unknown = pl.DataFrame({"code": ["X1", "X2"], "soort": ["gebied"] * 2})
    assert division_for(unknown, "gebied") is None


def test_area_series_table_hides_small_outflow(dataset):
    from cohort.mapdata import area_series_table

    rows = dataset.monthly.filter(pl.col("code") == "DX01").with_columns(
        pl.when(pl.col("maand") == date(2020, 2, 1)).then(3).otherwise(pl.col("uitstroom_werk")).alias("uitstroom_werk")
    )
    table = area_series_table(rows)
    assert table.get_column("werk_per_1000").to_list() == [pytest.approx(12.0), None]  # 12/1000; 3 is hidden
    assert table.get_column("uitstroom_werk").to_list() == [12, None]
