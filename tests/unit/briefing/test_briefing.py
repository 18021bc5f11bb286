"""The briefing's input model, its small helpers (ticks, wrapping, geometries, file names) and availability."""

from __future__ import annotations

import importlib
import sys
from datetime import date

import pytest
from briefing_examples import PERIODS, build_briefing_data_example

import cohort.briefing as briefing
from cohort.briefing import (
    KeyFigure,
    SeriesLine,
    TimeSeries,
    briefing_available,
    briefing_file_name,
    locator_from_geojson,
    render_briefing_pdf,
    rings_from_geometry,
)
from cohort.briefing.drawing import month_ticks, nice_ticks, tick_text
from cohort.briefing.text import BOLD, REGULAR, fit, register_fonts, width, wrap

# --- the model refuses what would leak or cannot be drawn


def test_a_hidden_point_may_not_carry_its_value() -> None:
    with pytest.raises(ValueError, match="punt 2 is verborgen maar heeft een waarde"):
        SeriesLine("Osdorp", "cohort", (1.0, 3.0, None), (False, True, True))


def test_hidden_flags_must_match_the_values() -> None:
    with pytest.raises(ValueError, match="3 waarden maar 2 verborgen-vlaggen"):
        SeriesLine("Osdorp", "cohort", (1.0, None, 2.0), (False, True))


def test_every_line_needs_a_value_per_month() -> None:
    with pytest.raises(ValueError, match="2 waarden voor 3 maanden"):
        TimeSeries("Uitstroom", "per 1.000", PERIODS[:3], (SeriesLine("Osdorp", "cohort", (1.0, 2.0)),))


def test_months_must_ascend() -> None:
    with pytest.raises(ValueError, match="niet oplopend"):
        TimeSeries("Uitstroom", "per 1.000", (date(2020, 2, 1), date(2020, 1, 1)),
                   (SeriesLine("Osdorp", "cohort", (1.0, 2.0)),))


def test_a_key_figure_needs_a_value() -> None:
    with pytest.raises(ValueError, match="de waarde van ‘Klachten’ ontbreekt"):
        KeyFigure("Klachten", " ")


def test_unhidden_line_reports_no_hidden_points() -> None:
    assert SeriesLine("Osdorp", "cohort", (1.0, None)).is_hidden == (False, False)


def test_document_title() -> None:
    assert build_briefing_data_example().document_title == "Briefing Cohortaanpak: Osdorp, peildatum 30 juni 2021"


# --- geometries


def test_rings_of_a_polygon_with_a_hole_and_of_a_multipolygon() -> None:
    outer = [[4.8, 52.3], [4.9, 52.3], [4.9, 52.4], [4.8, 52.3]]
    hole = [[4.85, 52.32], [4.86, 52.32], [4.86, 52.33], [4.85, 52.32]]
    assert rings_from_geometry({"type": "Polygon", "coordinates": [outer, hole]}) == (
        ((4.8, 52.3), (4.9, 52.3), (4.9, 52.4), (4.8, 52.3)),
        ((4.85, 52.32), (4.86, 52.32), (4.86, 52.33), (4.85, 52.32)),
    )
    assert len(rings_from_geometry({"type": "MultiPolygon", "coordinates": [[outer], [hole]]})) == 2
    with pytest.raises(ValueError, match="geometrie is Point"):
        rings_from_geometry({"type": "Point", "coordinates": [4.8, 52.3]})


def test_locator_highlights_the_codes_asked_for() -> None:
    square = {"type": "Polygon", "coordinates": [[[4.8, 52.3], [4.9, 52.3], [4.9, 52.4], [4.8, 52.4]]]}
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square, "properties": {"code": "DX07", "naam": "Osdorp"}},
        {"type": "Feature", "geometry": square, "properties": {"code": "DX08", "naam": "De Aker, Nieuw Sloten"}},
    ]}
    locator = locator_from_geojson(collection, {"DX07"}, "Ligging van Osdorp")
    assert [(s.name, s.highlighted) for s in locator.shapes] == [("Osdorp", True), ("De Aker, Nieuw Sloten", False)]
    assert locator_from_geojson(collection, (), "Amsterdam").shapes[0].highlighted is False


# --- axis ticks, by hand


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (13.2, [0, 5, 10, 15]),  # rough step 3,3 -> 5
        (15.0, [0, 5, 10, 15]),  # exactly on a tick: no extra one
        (0.8, [0, 0.2, 0.4, 0.6, 0.8]),  # rough 0,2 -> 0,2
        (9.0, [0, 2.5, 5, 7.5, 10]),  # rough 2,25 -> 2,5
        (4400, [0, 2000, 4000, 6000]),  # rough 1.100 -> 2.000
        (0.0, [0, 1]),
    ],
)
def test_nice_ticks(largest: float, ticks: list[float]) -> None:
    assert nice_ticks(largest) == ticks


def test_tick_labels_are_dutch_with_the_decimals_the_step_needs() -> None:
    assert [tick_text(t, [0, 2.5]) for t in (0, 2.5, 7.5)] == ["0,0", "2,5", "7,5"]
    assert [tick_text(t, [0, 2000]) for t in (0, 4000)] == ["0", "4.000"]
    assert [tick_text(t, [0, 0.2]) for t in (0.2, 0.4)] == ["0,2", "0,4"]


def test_month_ticks_years_for_long_series_and_quarters_for_short_ones() -> None:
    assert month_ticks(PERIODS) == [(0, "2018"), (12, "2019"), (24, "2020"), (36, "2021")]
    short = (date(2020, 9, 1), date(2020, 10, 1), date(2020, 11, 1), date(2020, 12, 1))
    assert month_ticks(short) == [(0, "sep 2020"), (3, "dec 2020")]


# --- text that must fit


def test_wrap_breaks_at_spaces_and_splits_a_word_wider_than_the_box() -> None:
    register_fonts()
    assert wrap("een twee drie", REGULAR, 10, width("een twee", REGULAR, 10) + 0.1) == ["een twee", "drie"]
    pieces = wrap("Slotervaartzuidoost", REGULAR, 10, width("Slotervaart", REGULAR, 10) + 0.1)
    assert "".join(pieces) == "Slotervaartzuidoost" and len(pieces) == 2


def test_fit_shrinks_before_it_cuts_and_cuts_whole_words_only() -> None:
    register_fonts()
    text = "Klachten per 1.000 gesprekken: 95%-interval 1,86 – 11,03 (exacte Poisson)."
    box = width(text, BOLD, 10) / 1.6  # two lines at 10 pt, one line at about 6 pt
    assert fit(text, BOLD, 10, box, 2).lines == tuple(wrap(text, BOLD, 10, box))
    shrunk = fit(text, BOLD, 10, box, 1, min_size=5)
    assert len(shrunk.lines) == 1 and shrunk.size < 10 and not shrunk.cut
    cut = fit(text, BOLD, 10, box / 2, 1, min_size=9)
    assert cut.cut and cut.lines[0].endswith("…")
    # Every word left is a whole word of the text: "11,03" is never shortened into another number.
    assert set(cut.lines[0].removesuffix("…").split()) <= set(text.split())


def test_fit_respects_a_height() -> None:
    register_fonts()
    fitted = fit("woord " * 60, REGULAR, 8, 100, 6, min_size=8, max_height=8 * 1.22 * 2 + 0.1)
    assert len(fitted.lines) == 2 and fitted.cut


# --- file names


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Osdorp", "briefing_osdorp_2021-06-30.pdf"),
        ("Gaasperdam / Driemond", "briefing_gaasperdam_driemond_2021-06-30.pdf"),
        ("Geuzenveld-Slotermeer-Sloterdijken", "briefing_geuzenveld_slotermeer_sloterdijken_2021-06-30.pdf"),
        ("Oud-Zuid: Museumkwartier én Duivelseiland",
         "briefing_oud_zuid_museumkwartier_en_duivelseiland_2021-06-30.pdf"),
        ("…", "briefing_amsterdam_2021-06-30.pdf"),
    ],
)
def test_file_name(title: str, expected: str) -> None:
    assert briefing_file_name(title, "2021-06-30") == expected


# --- without reportlab the app still starts and says why


@pytest.fixture
def without_reportlab(monkeypatch: pytest.MonkeyPatch):
    """As on a server where reportlab is not installed: importing it fails."""
    for name in [n for n in sys.modules if n == "reportlab" or n.startswith(("reportlab.", "cohort.briefing."))]:
        if name != "cohort.briefing.model":
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "reportlab", None)  # None in sys.modules: `import reportlab` raises
    briefing_available.cache_clear()
    yield
    briefing_available.cache_clear()


def test_unavailable_without_reportlab_with_a_dutch_reason(without_reportlab: None) -> None:
    availability = briefing_available()
    assert not availability
    assert "niet beschikbaar" in availability.reason_nl and "‘reportlab’" in availability.reason_nl
    with pytest.raises(RuntimeError, match="niet beschikbaar"):
        render_briefing_pdf(build_briefing_data_example())


def test_the_package_imports_without_reportlab(without_reportlab: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # cohort.briefing itself (the model) must import: the app imports it on every page.
    monkeypatch.delitem(sys.modules, "cohort.briefing")
    module = importlib.import_module("cohort.briefing")
    assert module is not briefing  # really imported again, with reportlab missing
    assert module.BriefingData is briefing.BriefingData  # the model does not need reportlab
    assert not module.briefing_available()


def test_available_here() -> None:
    briefing_available.cache_clear()
    assert briefing_available() and briefing_available().reason_nl == ""
