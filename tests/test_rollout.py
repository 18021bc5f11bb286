"""Unit table and timeline of the page "Uitrol per gebied", on the small workbook of tests/workbooks.py.

Units: DX01 (Centrum) cohort 2019-11-01 … 2020-10-31; DX02 (Centrum) from 2021-01-01, open end; DX03 (West)
never; DG01 target group from 2020-01-01, open end. Months 2020-01 and 2020-02, identical each month:
  DX01 bijstand 1000, gesprekken 50, werk 12, 1 complaint;  DX02 bijstand 2000, werk 10;
  DX03 bijstand 1500, werk 6;  DG01 bijstand 800, gesprekken 20, werk 5, 1 complaint.
"""

from datetime import date

import polars as pl
import pytest
from workbooks import make_workbook

from cohort.charts.rollout import rollout_timeline_figure
from cohort.contract import Status
from cohort.palette import STATUS_COLOURS, STATUS_LABELS
from cohort.rollout import TABLE_COLUMNS, never_started, timeline_rows, unit_table, unit_table_display
from cohort.workbook.read import read_workbook

END_FEB = date(2020, 2, 29)


@pytest.fixture(scope="module")
def dataset():
    return read_workbook(make_workbook()).dataset


def test_unit_table_by_hand(dataset):
    table = unit_table(dataset.units, dataset.monthly, END_FEB)
    assert table["code"].to_list() == ["DX01", "DX02", "DX03", "DG01"]  # areas by start (never last), then groups
    rows = {r["code"]: r for r in table.iter_rows(named=True)}
    dx01 = rows["DX01"]
    assert (dx01["status"], dx01["cohortmaanden"], dx01["gesprekken"], dx01["klachten"]) == ("actief", 2, 100, 2)
    assert dx01["klachten_per_1000"] == pytest.approx(20.0)  # 2 / 100 × 1,000
    assert (dx01["uitstroom_werk_cohort"], dx01["persoonsmaanden_cohort"]) == (24, 2000)
    assert dx01["werk_per_1000"] == pytest.approx(12.0)
    assert dx01["bijstand_peildatum"] == 1000
    dx02 = rows["DX02"]
    assert (dx02["status"], dx02["gesprekken"], dx02["cohortmaanden"]) == ("gepland", 0, 0)
    assert dx02["klachten_per_1000"] is None and dx02["werk_per_1000"] is None  # nothing to divide by
    assert dx02["bijstand_peildatum"] == 2000
    assert rows["DX03"]["status"] == "geen" and rows["DX03"]["bijstand_peildatum"] == 1500
    dg01 = rows["DG01"]
    assert dg01["klachten_per_1000"] == pytest.approx(50.0)  # 2 / 40
    assert dg01["werk_per_1000"] == pytest.approx(6.25)  # 10 / 1600


def test_unit_table_counts_up_to_the_peildatum_month(dataset):
    january = {r["code"]: r for r in unit_table(dataset.units, dataset.monthly, date(2020, 1, 31)).iter_rows(
        named=True)}
    assert january["DX01"]["gesprekken"] == 50 and january["DX01"]["cohortmaanden"] == 1
    assert january["DX01"]["werk_per_1000"] == pytest.approx(12.0)
    # A peildatum after the data: DX01 has finished, and there is no stock in the peildatum month.
    later = {r["code"]: r for r in unit_table(dataset.units, dataset.monthly, date(2021, 6, 30)).iter_rows(
        named=True)}
    assert later["DX01"]["status"] == "afgerond" and later["DX02"]["status"] == "actief"
    assert later["DX01"]["bijstand_peildatum"] is None
    assert later["DX01"]["gesprekken"] == 100


def test_unit_table_display_labels(dataset):
    display = unit_table_display(unit_table(dataset.units, dataset.monthly, END_FEB))
    assert display.columns == list(TABLE_COLUMNS)
    assert display["status"].to_list() == ["Actief", "Gepland", "Geen cohort", "Actief"]
    assert display["soort"].to_list() == ["Gebied", "Gebied", "Gebied", "Doelgroep"]
    assert display["stadsdeel"].to_list() == ["Centrum", "Centrum", "West", "—"]
    assert display["gesprekken"].dtype == pl.Int64  # numeric, so sorting is numeric
    assert TABLE_COLUMNS["gesprekken"].formatter(13024) == "13.024"
    assert TABLE_COLUMNS["klachten_per_1000"].formatter(2.3) == "2,30"
    assert TABLE_COLUMNS["werk_per_1000"].formatter(12.25) == "12,2"


def test_timeline_rows(dataset):
    rows = timeline_rows(dataset.units, END_FEB, date(2020, 2, 1))
    assert rows["code"].to_list() == ["DX01", "DX02", "DG01"]  # DX03 never started: not in the timeline
    by_code = {r["code"]: r for r in rows.iter_rows(named=True)}
    assert by_code["DX01"]["eind_getekend"] == date(2020, 10, 31) and not by_code["DX01"]["open_einde"]
    # DG01 runs on: drawn to the last day of the data.
    assert by_code["DG01"]["open_einde"] and by_code["DG01"]["eind_getekend"] == END_FEB
    # DX02 starts after the data end: drawn at its start, never backwards.
    assert by_code["DX02"]["eind_getekend"] == date(2021, 1, 1)
    assert by_code["DX01"]["status"] == "actief" and by_code["DX02"]["status"] == "gepland"
    assert never_started(dataset.units)["code"].to_list() == ["DX03"]


def test_timeline_figure(dataset):
    units = dataset.units.with_columns(
        pl.when(pl.col("code") == "DX01").then(pl.lit("<b>Centrum</b>")).otherwise(pl.col("naam")).alias("naam")
    )
    fig = rollout_timeline_figure(timeline_rows(units, date(2021, 6, 30), date(2022, 12, 1)),
                                  peildatum=date(2021, 6, 30), title="Cohortperiode")
    traces = {t.name: t for t in fig.data}
    # 30 June 2021: DX01 finished, DX02 and DG01 active. One trace per status, in the map's colours.
    assert list(traces) == [STATUS_LABELS[Status.FINISHED], STATUS_LABELS[Status.ACTIVE]]
    assert traces["Afgerond"].marker.color == STATUS_COLOURS[Status.FINISHED]
    assert traces["Actief"].marker.color == STATUS_COLOURS[Status.ACTIVE]
    assert traces["Afgerond"].y == ("&lt;b&gt;Centrum&lt;/b&gt; (DX01)",)
    # DX01: 1 November 2019 … 31 October 2020 = 366 days (2020 is a leap year).
    assert traces["Afgerond"].x == (366 * 86_400_000,)
    # Open end (DG01, DX02) hatched; the target group at the bottom of the axis.
    assert list(traces["Actief"].marker.pattern.shape) == ["/", "/"]
    assert fig.layout.yaxis.categoryarray[0] == "Jongeren (DG01)"
    texts = [a.text for a in fig.layout.annotations]
    assert "peildatum 30 juni 2021" in texts and "Stedelijke doelgroepen" in texts
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1 and str(lines[0].x0).startswith("2021-06-30")
    assert "<b>Centrum</b>" not in str(fig.to_dict())
    hover = traces["Actief"].customdata
    assert hover[0][2] == "loopt nog (geen einddatum)" and hover[0][1] == "1 januari 2021"
