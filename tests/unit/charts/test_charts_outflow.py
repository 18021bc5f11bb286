"""Figure builders of the outflow charts: they draw the page model's frames as given (values, texts, hidden flags).

Frames are built here by hand in the page model's shape, so each test says exactly what reaches the figure.
"""

import html
from datetime import date

import numpy as np
import polars as pl
import pytest

from cohort.analysis.outflow import available_measures
from cohort.charts.outflow import (
    TARGET_GROUP_COLOUR,
    event_time_figure,
    level_comparison_figure,
    measures_figure,
    outflow_band_figure,
    period_midpoints,
    unit_ranking_figure,
)
from cohort.charts.palette import COHORT_COLOUR, COMPARISON_COLOUR
from cohort.fmt import PLOTLY_SEPARATORS

HOSTILE = "<img src=x onerror=alert(1)>"
Q = [(date(2020, 1, 1), date(2020, 3, 1), "K1 2020"), (date(2020, 4, 1), date(2020, 6, 1), "K2 2020"),
     (date(2020, 7, 1), date(2020, 9, 1), "K3 2020")]


def series_frame() -> pl.DataFrame:
    """Cohort 10, 12, 14 per 1,000 with bounds ±2; comparison 5, hidden, 6."""
    rows = []
    for group, rates in (("Cohort loopt", [10.0, 12.0, 14.0]), ("Vergelijking", [5.0, None, 6.0])):
        for (first, last, label), rate in zip(Q, rates, strict=True):
            hidden = rate is None
            row = {"eerste": first, "laatste": last, "periode": label, "groep": group,
                   "persoonsmaanden_tekst": "3.000"}
            for key in ("werk", "uitstroom"):
                value = None if hidden else rate * (1 if key == "werk" else 2)
                row |= {f"{key}_per_1000": value, f"{key}_lower": None if hidden else value - 2,
                        f"{key}_upper": None if hidden else value + 2,
                        f"{key}_tekst": "—*" if hidden else f"{value:.1f}".replace(".", ","),
                        f"{key}_interval_tekst": "—*" if hidden else "x – y",
                        f"{key}_aantal_tekst": "×" if hidden else "30", f"{key}_verborgen": hidden}
            rows.append(row)
    return pl.DataFrame(rows)


def test_period_midpoints():
    frame = pl.DataFrame({"eerste": [date(2020, 1, 1), date(2020, 12, 1)], "laatste": [date(2020, 3, 1),
                                                                                       date(2020, 12, 1)]})
    # 1 January … 31 March: 90 days, middle 15 February; December: 1 … 31, middle the 16th.
    assert period_midpoints(frame).tolist() == [date(2020, 2, 15), date(2020, 12, 16)]


def test_outflow_band_figure_gaps_and_signs():
    fig = outflow_band_figure(series_frame(), title="Uitstroom", peildatum=date(2020, 6, 30))
    assert fig.layout.separators == PLOTLY_SEPARATORS
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.line.color for t in lines] == [COHORT_COLOUR, COMPARISON_COLOUR]
    assert lines[0].y == pytest.approx((10.0, 12.0, 14.0))
    comparison = np.asarray(lines[1].y, dtype=float)
    assert comparison[0] == 5.0 and np.isnan(comparison[1]) and comparison[2] == 6.0  # a gap, no value
    assert list(lines[0].customdata[0]) == ["K1 2020", "10,0", "x – y", "30", "3.000"]
    # The comparison band is two pieces (K1, K3) separated by a gap, never a band across the hidden quarter.
    band = next(t for t in fig.data if t.fill == "toself" and t.name.endswith("zonder cohort"))
    assert list(band.x).count(None) == 2 and list(band.y)[:2] == [7.0, 3.0]
    marks = next(t for t in fig.data if t.name == "Verborgen (×)")
    assert marks.marker.symbol == "x-thin" and list(marks.y) == [0]
    assert all(t.mode == "lines" for t in fig.data if t.fill == "toself"), "no markers on the band's corners"
    assert list(fig.layout.xaxis.ticktext) == ["K1 2020", "K2 2020", "K3 2020"]  # few periods: their labels
    assert marks.customdata[0][0] == "K2 2020" and "verborgen" in marks.hovertemplate
    assert [a.text for a in fig.layout.annotations] == ["peildatum"] and str(fig.layout.shapes[0].x0) == "2020-06-30"
    everything = outflow_band_figure(series_frame(), measure="uitstroom", title="Alle uitstroom")
    assert next(t for t in everything.data if t.mode == "lines+markers").y == pytest.approx((20.0, 24.0, 28.0))
    assert "Uitstroom totaal" in everything.layout.yaxis.title.text
    assert not everything.layout.shapes  # no peildatum given, no line


def test_event_time_figure_leaves_out_blank_points():
    profile = pl.DataFrame({"event_time": [-1, 0, 1], "n_units": [5, 5, 4], "rate": [10.0, 14.0, None],
                            "rate_lower": [9.0, 13.0, None], "rate_upper": [11.0, 15.0, None],
                            "n_units_diff": [5, 5, 4], "diff": [0.0, 4.0, None], "diff_lower": [-1.0, 3.0, None],
                            "diff_upper": [1.0, 5.0, None]})
    fig = event_time_figure(profile, title="Rond de start")
    line = next(t for t in fig.data if t.mode == "lines+markers")
    assert line.x == (-1, 0) and line.y == pytest.approx((10.0, 14.0))
    assert list(line.customdata[1]) == ["0", "14,0", "13,0 – 15,0", "5"]
    assert "start cohort" in [a.text for a in fig.layout.annotations]
    assert "Verschil" in event_time_figure(profile, measure="diff", title="Verschil").layout.yaxis.title.text


def ranking_frame() -> pl.DataFrame:
    return pl.DataFrame({
        "code": ["DX01", "DG01", "DX02"], "naam": [HOSTILE, "Jongeren", "Bravo"],
        "soort": ["gebied", "doelgroep", "gebied"], "werk_per_1000": [12.0, 4.0, None],
        "werk_lower": [7.7, 2.6, None], "werk_upper": [17.9, 6.0, None], "werk_tekst": ["12,0", "4,0", "—*"],
        "interval_tekst": ["7,7 – 17,9", "2,6 – 6,0", "—*"], "aantal_tekst": ["24", "24", "×"],
        "persoonsmaanden_tekst": ["2.000", "6.000", "12.000"], "maanden_tekst": ["2", "12", "6"],
        "verborgen": [False, False, True],
    })


def test_unit_ranking_figure_sorted_escaped_coloured_and_hidden_at_the_bottom():
    fig = unit_ranking_figure(ranking_frame(), title="Per eenheid", reference=32 / 7)
    by_name = {t.name: t for t in fig.data}
    assert by_name["Gebied"].marker.color == COHORT_COLOUR
    assert by_name["Stedelijke doelgroep"].marker.color == TARGET_GROUP_COLOUR
    escaped = html.escape(f"{HOSTILE} (DX01)")
    assert HOSTILE not in str(fig.to_dict())
    # Highest on top: Plotly puts the last category of the array at the top; the hidden one at the bottom.
    assert list(fig.layout.yaxis.categoryarray) == ["Bravo (DX02)", "Jongeren (DG01)", escaped]
    areas = by_name["Gebied"]
    assert areas.y == ("Bravo (DX02)", escaped)
    assert list(areas.x) == [0.0, 12.0] and list(areas.text) == ["—*", ""]  # no bar, only its sign
    assert areas.error_x.array[1] == pytest.approx(5.9) and np.isnan(areas.error_x.array[0])
    assert list(areas.customdata[1][1:4]) == ["12,0", "7,7 – 17,9", "24"]
    assert "vergelijking: 4,6" in [a.text for a in fig.layout.annotations]


def test_level_comparison_figure():
    frame = pl.DataFrame({
        "stadsdeel": ["Centrum", "West"],
        "cohort_per_1000": [5.33, None], "cohort_lower": [4.3, None], "cohort_upper": [6.5, None],
        "cohort_tekst": ["5,3", "—"], "cohort_interval_tekst": ["4,3 – 6,5", "—"], "cohort_verborgen": [False, False],
        "vergelijking_per_1000": [3.0, None], "vergelijking_lower": [1.8, None], "vergelijking_upper": [4.7, None],
        "vergelijking_tekst": ["3,0", "—*"], "vergelijking_interval_tekst": ["1,8 – 4,7", "—*"],
        "vergelijking_verborgen": [False, True],
    })
    fig = level_comparison_figure(frame, title="Per stadsdeel")
    assert [t.marker.color for t in fig.data] == [COMPARISON_COLOUR, COHORT_COLOUR]
    comparison, cohort = fig.data
    assert cohort.y == ("West", "Centrum")
    assert cohort.x == (None, pytest.approx(5.33))  # West has no cohort months: no bar, no sign
    assert comparison.x == (0.0, 3.0) and comparison.text == ("—*", "")  # hidden: its sign at the axis


def test_measures_figure_labels_stock_flow_side_effects_and_hidden():
    measures = available_measures(("herinstroom", "ontheffingen"))
    rows = []
    for name in ("herinstroom", "ontheffingen"):
        for group in ("Cohort loopt", "Vergelijking"):
            for (first, last, label), value in zip(Q[:2], (3.0, None if name == "herinstroom" else 4.0),
                                                   strict=True):
                rows.append({"eerste": first, "laatste": last, "periode": label, "groep": group, "maatregel": name,
                             "per_1000": value, "per_1000_tekst": "—*" if value is None else "3,00",
                             "aantal_tekst": "×" if value is None else "9", "persoonsmaanden_tekst": "3.000",
                             "verborgen": value is None})
    fig = measures_figure(pl.DataFrame(rows), measures, title="Maatregelen", peildatum=date(2020, 6, 30))
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "Herinstroom (neveneffect): per 1.000 per maand"
    assert titles[1] == "Ontheffingen: per 1.000 in de bijstand (stand eind maand)"
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == 4 and [t.showlegend for t in lines] == [True, True, False, False]
    assert lines[0].y[0] == pytest.approx(3.0) and np.isnan(lines[0].y[1])
    marks = [t for t in fig.data if t.name == "Verborgen (×)"]
    assert len(marks) == 2 and [m.showlegend for m in marks] == [True, False]  # one legend entry for the sign
    assert len(fig.layout.shapes) == 2  # peildatum in each panel
