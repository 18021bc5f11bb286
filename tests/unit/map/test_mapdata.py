"""The units the map draws, their status and cohort period, and the division: on the small test workbook.

The workbook (tests/workbooks.py): DX01 Centrum-West (Centrum) nov 2019 – okt 2020, DX02 Centrum-Oost (Centrum)
from jan 2021, DX03 Westerpark (West) without a cohort, DG01 Jongeren (target group). The numbers on the map
come from the release and are tested in tests/unit/pagemodels/test_pagemodel_map.py.
"""

from datetime import date

import polars as pl

from cohort.contract import Status
from cohort.map.boundaries import Division
from cohort.map.units import MAP_INDICATORS, division_for, group_period, group_status, map_level, map_units


def test_map_units_per_area(dataset):
    units = map_units(dataset.units, date(2020, 2, 29), "gebied")
    assert [u.code for u in units] == ["DX01", "DX02", "DX03"]  # target groups have no place on the map
    first = units[0]
    assert (first.naam, first.stadsdeel, first.status) == ("Centrum-West", "Centrum", Status.ACTIVE)
    assert (first.start, first.eind, first.members) == (date(2019, 11, 1), date(2020, 10, 31), ("DX01",))
    assert units[1].status == Status.PLANNED and units[2].status == Status.NEVER


def test_map_units_per_stadsdeel_stand_for_their_areas(dataset):
    units = {u.code: u for u in map_units(dataset.units, date(2020, 2, 29), "stadsdeel")}
    assert set(units) == {"A", "E"}  # Centrum, West as the boundary files' letters
    centrum = units["A"]
    assert (centrum.naam, centrum.members) == ("Centrum", ("DX01", "DX02"))
    assert centrum.status == Status.ACTIVE  # one area active, one planned
    assert (centrum.start, centrum.eind) == (date(2019, 11, 1), None)  # DX02 has no end yet: still open
    assert units["E"].status == Status.NEVER and (units["E"].start, units["E"].eind) == (None, None)
    # After DX01 finished and before DX02 starts, Centrum still counts as running (areas in between).
    between = {u.code: u for u in map_units(dataset.units, date(2020, 11, 30), "stadsdeel")}
    assert between["A"].status == Status.ACTIVE


def test_group_status_and_period():
    assert group_status([Status.FINISHED, Status.FINISHED, Status.NEVER]) == Status.FINISHED
    assert group_status([Status.PLANNED, Status.NEVER]) == Status.PLANNED
    assert group_status([Status.FINISHED, Status.PLANNED]) == Status.ACTIVE
    assert group_status([Status.NEVER]) == Status.NEVER
    # A never-started area does not make the period open-ended.
    periods = [(date(2020, 1, 1), date(2020, 12, 31)), (date(2019, 9, 1), date(2020, 8, 31)), (None, None)]
    assert group_period(periods) == (date(2019, 9, 1), date(2020, 12, 31))
    assert group_period([(date(2020, 1, 1), None), (date(2019, 1, 1), date(2019, 12, 31))]) == (date(2019, 1, 1),
                                                                                              None)
    assert group_period([(None, None)]) == (None, None)


def test_levels_and_indicators():
    assert map_level("stadsdeel") == "stadsdeel"
    assert map_level("stad") == map_level("gebied") == "gebied"  # the city level has no map of its own
    assert list(MAP_INDICATORS) == ["status", "uitstroom_werk", "klachten", "gesprekken", "bijstand"]
    assert MAP_INDICATORS["klachten"].title == "Klachten (per 1.000 gesprekken)"
    assert MAP_INDICATORS["status"].title == "Status cohortaanpak"


def test_division_for_codes(dataset):
    assert division_for(dataset.units, "gebied") == Division.GEBIEDEN_2015  # detected from the DX codes
    assert division_for(dataset.units, "stadsdeel") == Division.STADSDELEN
    units = pl.DataFrame({"code": ["GA01", "GF08", "GT23"], "soort": ["gebied"] * 3})
    assert division_for(units, "gebied") == Division.GEBIEDEN_2022
    unknown = pl.DataFrame({"code": ["X1", "X2"], "soort": ["gebied"] * 2})
    assert division_for(unknown, "gebied") is None
