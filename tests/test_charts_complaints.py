"""Complaint figures without a browser: traces, limits, Dutch hover text, escaped names, hidden small counts."""

from datetime import date

import polars as pl
import pytest

from cohort.charts.complaints import CATEGORY_COLOURS, categories_figure, funnel_figure, rate_by_period_figure
from cohort.complaints import categories_long, funnel_lines, with_funnel_class
from cohort.fmt import PLOTLY_SEPARATORS

HOSTILE = '<a href="https://evil.example">Klik</a>'


def _periods() -> pl.DataFrame:
    return pl.DataFrame({
        "periode": [date(2020, 1, 1), date(2020, 4, 1), date(2020, 7, 1)],
        "periode_label": ["K1 2020", "K2 2020", "K3 2020"],
        "maanden": [3, 3, 1],
        "gesprekken": [2000, 1500, 0],
        "klachten": [6, 2, 0],
        "klachten_bejegening": [3, 1, 0],
        "klachten_bereikbaarheid": [1, 1, 0],
        "klachten_koers": [1, 0, 0],
        "klachten_overig": [1, 0, 0],
        "per_1000": [3.0, 2 / 1.5, None],
        "ondergrens": [1.1, 0.16, None],
        "bovengrens": [6.5, 4.8, None],
    })


def _funnel() -> pl.DataFrame:
    totals = pl.DataFrame({
        "eenheid": [HOSTILE, "Westerpark", "Jongeren"],
        "soort": ["gebied", "gebied", "doelgroep"],
        "gesprekken": [1000, 250, 400],
        "klachten": [10, 0, 2],
        "per_1000": [10.0, 0.0, 5.0],
        "ondergrens": [4.8, 0.0, 0.6],
        "bovengrens": [18.4, 14.8, 18.1],
    })
    return with_funnel_class(totals, overall_rate=2.0)


def test_rate_by_period_figure():
    fig = rate_by_period_figure(_periods(), title="Klachten per kwartaal", overall_rate=2.5)
    assert fig.layout.title.text == "Klachten per kwartaal"
    assert fig.layout.separators == PLOTLY_SEPARATORS
    assert fig.layout.yaxis.title.text == "Klachten per 1.000 gesprekken"
    trace, marks = fig.data
    assert list(trace.x) == ["K1 2020", "K2 2020"]  # the period without conversations is left out
    # K2 2020 has 2 complaints: no point and no interval (its height × 1.500 talks would give the count back)
    assert list(trace.y) == [3.0, None]
    assert list(trace.error_y.array) == pytest.approx([3.5, None])
    assert list(trace.error_y.arrayminus) == pytest.approx([1.9, None])
    first, second = trace.customdata
    assert list(first) == ["K1 2020", "6", "2.000", "3,00", "1,10 – 6,50", "3"]
    assert list(second)[1] == "<5" and list(second)[3] == "verborgen (klein aantal)"  # 2 complaints are hidden
    assert list(marks.x) == ["K2 2020"] and list(marks.text) == ["×"]  # marked as hidden, not as "no data"
    assert fig.layout.shapes[0].y0 == 2.5  # the whole-window line
    assert "2,50" in fig.layout.annotations[0].text


def test_funnel_figure_traces_limits_and_escaped_names():
    funnel = _funnel()
    lines = funnel_lines(2.0, 250, 1000, n=20)
    fig = funnel_figure(funnel, lines, title="Trechter", overall_rate=2.0, unit_noun="gebied")
    names = [t.name for t in fig.data]
    # Jongeren (2 complaints) is left out: its place in the funnel would give the count back
    assert names == ["95%-grenzen", "95%-grenzen", "99,8%-grenzen", "99,8%-grenzen", "Gebied"]
    upper_95 = fig.data[0]
    assert len(upper_95.x) == 20 and upper_95.hoverinfo == "skip"
    assert max(upper_95.x) == pytest.approx(1050.0)
    assert [t.showlegend for t in fig.data[:4]] == [True, False, True, False]
    areas = fig.data[4]
    assert list(areas.x) == [1000, 250]
    assert list(areas.y) == [10.0, 0.0]
    hostile_row = list(areas.customdata[0])
    assert hostile_row[0] == '&lt;a href="https://evil.example"&gt;Klik&lt;/a&gt;'  # once: Plotly shows &quot;
    assert hostile_row[1:4] == ["10", "1.000", "10,00"]
    assert hostile_row[5] == "Opvallend hoog (boven 99,8%-grens)"
    assert areas.marker.color[0] == CATEGORY_COLOURS["Bejegening"]  # house red for "opvallend hoog"
    assert "Jongeren" not in str([t.customdata for t in fig.data])
    assert fig.layout.xaxis.title.text == "Aantal gesprekken"
    for trace in fig.data:
        assert "<a" not in str(trace.customdata)


def test_categories_figure_stacked_over_periods():
    long = categories_long(_periods(), "periode_label")
    fig = categories_figure(long, by="periode_label", title="Soorten", axis_title="Periode",
                            order=["K1 2020", "K2 2020"])
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["Bejegening", "Bereikbaarheid", "Koers", "Overig"]
    assert list(fig.data[0].x) == ["K1 2020", "K2 2020"]
    assert list(fig.data[0].y) == [None, None]  # 3 and 1: hidden, so no bar height either
    assert list(fig.data[1].y) == [None, None]
    assert fig.data[0].marker.color == CATEGORY_COLOURS["Bejegening"]
    assert [list(c) for c in fig.data[0].customdata] == [["K1 2020", "<5"], ["K2 2020", "<5"]]


def test_categories_figure_per_unit_escapes_names():
    long = pl.DataFrame({
        "eenheid": [HOSTILE] * 4,
        "categorie": ["Bejegening", "Bereikbaarheid", "Koers", "Overig"],
        "klachten": [7, 0, 1, 0],
    })
    fig = categories_figure(long, by="eenheid", title="Per gebied", axis_title="Gebied", horizontal=True)
    bar = fig.data[0]
    assert bar.orientation == "h"
    assert list(bar.y) == ['&lt;a href="https://evil.example"&gt;Klik&lt;/a&gt;']
    assert list(bar.x) == [7]
    assert list(bar.customdata[0])[1] == "7"


def test_rate_axis_capped_when_one_interval_dwarfs_the_rest():
    periods = pl.DataFrame({
        "periode_label": ["K3 2019", "K4 2019", "K1 2020", "K2 2020"],
        "maanden": [3, 3, 3, 3],
        "gesprekken": [80, 900, 1500, 2000],
        "klachten": [0, 1, 5, 6],
        "per_1000": [0.0, 1.1, 3.3, 3.0],
        "ondergrens": [0.0, 0.03, 1.1, 1.1],
        "bovengrens": [46.1, 6.2, 7.8, 6.5],
    })
    fig = rate_by_period_figure(periods, title="t", overall_rate=None)
    # second-widest upper bound 7,8 × 1,15 = 8,97; largest rate 3,3 × 1,3 = 4,29 → axis to 8,97
    assert list(fig.layout.yaxis.range) == pytest.approx([0, 8.97])
    (note,) = fig.layout.annotations
    assert note.x == "K3 2019" and note.text == "↑ tot 46,1"
    assert rate_by_period_figure(_periods(), title="t", overall_rate=None).layout.yaxis.range is None
