"""Figure builders of the page "Uitstroom naar werk": right traces, colours, markers, Dutch hover, escaped names."""

from datetime import date

import polars as pl
import pytest
from workbooks import make_workbook

from cohort.charts.outflow import (
    TARGET_GROUP_COLOUR,
    event_time_figure,
    level_comparison_figure,
    measures_figure,
    outflow_band_figure,
    unit_ranking_figure,
)
from cohort.fmt import PLOTLY_SEPARATORS
from cohort.metrics import with_phase
from cohort.outflow import (
    available_measures,
    event_profile,
    measures_by_group,
    monthly_outflow_intervals,
    outflow_by_level,
    unit_outflow_ranking,
)
from cohort.palette import COHORT_COLOUR, COMPARISON_COLOUR
from cohort.workbook.read import read_workbook

JAN, FEB = date(2020, 1, 1), date(2020, 2, 1)
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def dataset():
    return read_workbook(make_workbook()).dataset


@pytest.fixture(scope="module")
def phased(dataset):
    return with_phase(dataset.monthly, dataset.units)


def test_outflow_band_figure(phased):
    fig = outflow_band_figure(monthly_outflow_intervals(phased), title="Uitstroom", peildatum=date(2020, 2, 29))
    assert fig.layout.separators == PLOTLY_SEPARATORS
    lines = [t for t in fig.data if t.mode == "lines"]
    bands = [t for t in fig.data if t.fill == "toself"]
    assert [t.line.color for t in lines] == [COHORT_COLOUR, COMPARISON_COLOUR]
    assert len(bands) == 2 and not any(b.showlegend for b in bands)
    assert lines[0].y == pytest.approx((12.0, 12.0))
    # Band of the cohort line: upper bounds forward, lower bounds backward (exact Poisson for 12 events).
    assert bands[0].y[0] == pytest.approx(20.9616, abs=1e-3) and bands[0].y[-1] == pytest.approx(6.2006, abs=1e-3)
    assert list(lines[0].customdata[0][:3]) == ["jan 2020", "12,0", "6,2 – 21,0"]
    assert [a.text for a in fig.layout.annotations] == ["peildatum"]
    assert str(fig.layout.shapes[0].x0) == "2020-02-01"
    everything = outflow_band_figure(monthly_outflow_intervals(phased), measure="uitstroom", title="Alle uitstroom")
    assert next(t for t in everything.data if t.mode == "lines").y == pytest.approx((25.0, 25.0))
    assert "Uitstroom totaal" in everything.layout.yaxis.title.text
    assert not everything.layout.shapes  # no peildatum given, no line


def test_event_time_figure(dataset):
    profile = event_profile(dataset.units, dataset.monthly, FEB)
    fig = event_time_figure(profile, title="Rond de start")
    line = next(t for t in fig.data if t.mode == "lines+markers")
    assert line.x == (-12, -11, 2, 3)  # only event times with data
    assert line.y == pytest.approx((5.0, 5.0, 12.0, 12.0))
    assert line.customdata[2][0] == "+2" and line.customdata[0][0] == "-12"
    assert "start cohort" in [a.text for a in fig.layout.annotations]
    assert any(s.type == "line" and s.x0 == 0 for s in fig.layout.shapes)
    assert "Maanden sinds de start" in fig.layout.xaxis.title.text
    diff = event_time_figure(profile, measure="diff", title="Verschil")
    assert "Verschil" in diff.layout.yaxis.title.text


def test_unit_ranking_figure_sorted_escaped_and_coloured(dataset):
    units = dataset.units.with_columns(
        pl.when(pl.col("code") == "DX01").then(pl.lit(HOSTILE)).otherwise(pl.col("naam")).alias("naam"))
    ranking = unit_outflow_ranking(with_phase(dataset.monthly, units), JAN, FEB)
    fig = unit_ranking_figure(ranking, title="Per eenheid", reference=32 / 7)
    by_name = {t.name: t for t in fig.data}
    assert by_name["Gebied"].marker.color == COHORT_COLOUR
    assert by_name["Stedelijke doelgroep"].marker.color == TARGET_GROUP_COLOUR
    escaped = "&lt;img src=x onerror=alert(1)&gt; (DX01)"
    assert by_name["Gebied"].y == (escaped,)
    assert HOSTILE not in str(fig.to_dict())
    # Highest on top: Plotly puts the last category of the array at the top.
    assert list(fig.layout.yaxis.categoryarray) == ["Jongeren (DG01)", escaped]
    # Whiskers: DX01 12,0 with exact interval 7,69 – 17,86 (24 events on 2,000 person-months).
    assert by_name["Gebied"].error_x.array[0] == pytest.approx(35.7101 / 2 - 12.0, abs=1e-3)
    assert by_name["Gebied"].error_x.arrayminus[0] == pytest.approx(12.0 - 15.3773 / 2, abs=1e-3)
    assert list(by_name["Gebied"].customdata[0][1:3]) == ["12,0", "7,7 – 17,9"]
    assert "vergelijking: 4,6" in [a.text for a in fig.layout.annotations]


def test_level_comparison_figure(phased):
    fig = level_comparison_figure(outflow_by_level(phased, "stadsdeel", JAN, FEB), title="Per stadsdeel")
    assert [t.marker.color for t in fig.data] == [COMPARISON_COLOUR, COHORT_COLOUR]
    cohort = fig.data[1]
    assert cohort.y == ("West", "Centrum")
    assert cohort.x[1] == pytest.approx(12.0) and cohort.x[0] is None  # West has no cohort months
    assert fig.data[0].x == pytest.approx((4.0, 5.0))


def test_measures_figure_labels_stock_flow_and_side_effects(dataset):
    monthly = dataset.monthly.with_columns(pl.lit(3).alias("herinstroom"), pl.lit(10).alias("ontheffingen"))
    measures = available_measures(("herinstroom", "ontheffingen"))
    frame = measures_by_group(with_phase(monthly, dataset.units), measures)
    fig = measures_figure(frame, measures, title="Maatregelen", peildatum=date(2020, 2, 29))
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "Herinstroom (neveneffect): per 1.000 per maand"
    assert titles[1] == "Ontheffingen: per 1.000 in de bijstand (stand eind maand)"
    assert len(fig.data) == 4  # two groups per measure
    assert [t.showlegend for t in fig.data] == [True, True, False, False]
    assert fig.data[0].y == pytest.approx((3.0, 3.0))  # herinstroom, cohort (DX01: 3 per 1,000)
    assert len(fig.layout.shapes) == 2  # peildatum in each panel
