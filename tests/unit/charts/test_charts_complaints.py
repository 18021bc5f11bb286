"""Complaint figures without a browser: traces, limits, Dutch hover text, escaped names, hidden counts as gaps."""

import polars as pl
import pytest

from cohort.analysis.complaints import funnel_lines, with_funnel_class
from cohort.charts.complaints import CATEGORY_COLOURS, categories_figure, funnel_figure, rate_by_period_figure
from cohort.fmt import PLOTLY_SEPARATORS

HOSTILE = '<a href="https://evil.example">Klik</a>'
ESCAPED = '&lt;a href="https://evil.example"&gt;Klik&lt;/a&gt;'


def _periods() -> pl.DataFrame:
    """As the page model hands them over: H2 2019 hidden (null numbers, signs as texts)."""
    return pl.DataFrame({
        "periode": ["H2 2019", "H1 2020", "H2 2020"],
        "per_1000": [None, 3.0, 2 / 1.5],
        "ondergrens": [None, 1.1, 0.16],
        "bovengrens": [None, 6.5, 4.8],
        "verborgen": [True, False, False],
        "klachten_tekst": ["×", "6", "2"],
        "gesprekken_tekst": ["900", "2.000", "1.500"],
        "per_1000_tekst": ["—*", "3,00", "1,33"],
        "interval_tekst": ["—*", "1,10 – 6,50", "0,16 – 4,80"],
        "maanden_tekst": ["6", "6", "6"],
    }, schema_overrides={"per_1000": pl.Float64, "ondergrens": pl.Float64, "bovengrens": pl.Float64})


def _points() -> pl.DataFrame:
    totals = pl.DataFrame({
        "eenheid": [HOSTILE, "Westerpark", "Jongeren"],
        "soort": ["gebied", "gebied", "doelgroep"],
        "gesprekken": [1000.0, 250.0, 400.0],
        "per_1000": [10.0, 0.0, 5.0],
    })
    return with_funnel_class(totals, overall_rate=2.0).with_columns(
        pl.Series("klachten_tekst", ["10", "0", "2"]),
        pl.Series("gesprekken_tekst", ["1.000", "250", "400"]),
        pl.Series("per_1000_tekst", ["10,00", "0,00", "5,00"]),
        pl.Series("interval_tekst", ["4,80 – 18,39", "0,00 – 14,76", "0,61 – 18,06"]),
    )


def test_rate_by_period_figure_leaves_a_marked_gap_for_a_hidden_period():
    fig = rate_by_period_figure(_periods(), title="Klachten per half jaar", overall_rate=2.5)
    assert fig.layout.title.text == "Klachten per half jaar"
    assert fig.layout.separators == PLOTLY_SEPARATORS
    assert fig.layout.yaxis.title.text == "Klachten per 1.000 gesprekken"
    points, marks = fig.data
    assert list(points.x) == ["H2 2019", "H1 2020", "H2 2020"]
    assert list(points.y) == pytest.approx([None, 3.0, 2 / 1.5])
    # error bars: 6,5 − 3 = 3,5 up and 3 − 1,1 = 1,9 down; none for the hidden period
    up = list(points.error_y.array)
    assert up[0] is None and up[1] == pytest.approx(3.5)
    assert list(points.error_y.arrayminus)[1] == pytest.approx(1.9)
    hidden, shown = points.customdata[0], points.customdata[1]
    assert list(hidden) == ["H2 2019", "×", "900", "—*", "—*", "6"]
    assert list(shown) == ["H1 2020", "6", "2.000", "3,00", "1,10 – 6,50", "6"]
    assert list(marks.x) == ["H2 2019"] and list(marks.text) == ["×"]  # marked as hidden, not as "no data"
    assert fig.layout.shapes[0].y0 == 2.5  # the whole-window line
    assert "2,50" in fig.layout.annotations[0].text


def test_rate_axis_capped_when_one_interval_dwarfs_the_rest():
    periods = pl.DataFrame({
        "periode": ["H2 2019", "H1 2020", "H2 2020", "H1 2021"],
        "per_1000": [0.0, 1.1, 3.3, 3.0], "ondergrens": [0.0, 0.03, 1.1, 1.1], "bovengrens": [46.1, 6.2, 7.8, 6.5],
        "verborgen": [False] * 4, **{c: ["x"] * 4 for c in ("klachten_tekst", "gesprekken_tekst", "per_1000_tekst",
                                                              "interval_tekst", "maanden_tekst")},
    })
    fig = rate_by_period_figure(periods, title="t", overall_rate=None)
    # second-widest upper bound 7,8 × 1,15 = 8,97; largest rate 3,3 × 1,3 = 4,29 → axis to 8,97
    assert list(fig.layout.yaxis.range) == pytest.approx([0, 8.97])
    (note,) = fig.layout.annotations
    assert note.x == "H2 2019" and note.text == "↑ tot 46,1"
    assert rate_by_period_figure(_periods(), title="t", overall_rate=None).layout.yaxis.range is None


def test_funnel_figure_traces_limits_and_escaped_names():
    lines = funnel_lines(2.0, 250, 1000, n=20)
    fig = funnel_figure(_points(), lines, title="Trechter", overall_rate=2.0, unit_noun="gebied")
    names = [t.name for t in fig.data]
    assert names == ["95%-grenzen", "95%-grenzen", "99,8%-grenzen", "99,8%-grenzen", "Doelgroep", "Gebied"]
    upper_95 = fig.data[0]
    assert len(upper_95.x) == 20 and upper_95.hoverinfo == "skip"
    assert max(upper_95.x) == pytest.approx(1050.0)
    assert [t.showlegend for t in fig.data[:4]] == [True, False, True, False]
    groups, areas = fig.data[4], fig.data[5]
    assert groups.marker.symbol == "diamond" and list(groups.x) == [400]
    assert list(areas.x) == [1000, 250] and list(areas.y) == [10.0, 0.0]
    hostile_row = list(areas.customdata[0])
    assert hostile_row[0] == ESCAPED
    assert hostile_row[1:4] == ["10", "1.000", "10,00"]
    assert hostile_row[5] == "Opvallend hoog (boven 99,8%-grens)"
    assert areas.marker.color[0] == CATEGORY_COLOURS["Bejegening"]  # house red for "opvallend hoog"
    assert fig.layout.xaxis.title.text == "Aantal gesprekken"
    assert fig.layout.shapes[0].y0 == 2.0 and fig.layout.annotations[0].text == "gemiddelde 2,00"
    for trace in fig.data:
        assert "<a" not in str(trace.customdata)


def test_categories_figure_has_no_bar_for_a_hidden_category():
    fig = categories_figure(["Bejegening", "Bereikbaarheid", "Koers", "Overig"], [13, None, None, 0],
                            ["13", "×", "×", "0"], title="Klachten per soort")
    bars, marks = fig.data
    assert bars.orientation == "h"
    assert list(bars.y) == ["Bejegening", "Bereikbaarheid", "Koers", "Overig"]
    assert list(bars.x) == [13, None, None, 0]
    assert list(bars.text) == ["13", "", "", "0"]  # the hidden ones get their "×" from the text trace
    assert bars.marker.color[0] == CATEGORY_COLOURS["Bejegening"]
    assert [list(c) for c in bars.customdata][1] == ["Bereikbaarheid", "×"]
    assert list(marks.y) == ["Bereikbaarheid", "Koers"] and list(marks.text) == ["×", "×"]
    assert list(marks.x) == [0, 0]


def test_categories_figure_escapes_labels():
    fig = categories_figure([HOSTILE], [7], ["7"], title="t")
    assert list(fig.data[0].y) == [ESCAPED]
    assert len(fig.data) == 1  # nothing hidden: no text trace
