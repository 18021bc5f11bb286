"""The pages in a real browser: every page loads; the overview shows the core's numbers for the example data;
a sidebar filter changes the tiles and redraws the chart with the core's new numbers.

The expected values come from the page model the page lays out (cohort.pagemodels.overview, whose numbers
tests/unit/pagemodels/test_pagemodel_overview.py works out by hand), built here on the example workbook: the test
checks that what reaches the screen is what the model holds, through widgets, formatting and the browser.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from cohort.charts.outflow import GROUP_LABELS
from cohort.dataset import Dataset
from cohort.pagemodels.common import PageInput
from cohort.pagemodels.overview import OverviewModel, overview_model
from cohort.privacy.rules import SuppressionRule
from cohort.selection import Selection, default_selection
from cohort.settings import EXAMPLE_WORKBOOK, load_settings
from cohort.workbook.read import read_workbook

from .helpers import assert_no_exception, choose, open_page_ready, screenshot, wait_for_rerun

PAGES = ("overzicht", "kaart", "uitstroom", "gebieden", "klachten", "over", "data", "toegankelijkheid")
SIDEBAR = 'section[data-testid="stSidebar"]'
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'

# The y values of every trace of the first Plotly chart, as drawn (Plotly's resolved traces, typed arrays
# turned into plain lists), or null while the chart is not drawn yet.
_CHART_Y_JS = """
(selector) => {
  const gd = document.querySelector(selector);
  if (!gd || !gd._fullData) return null;
  return gd._fullData.map((trace) => ({name: trace.name, y: Array.from(trace.y || [])}));
}
"""


@pytest.fixture(scope="module")
def example() -> Dataset:
    return read_workbook(EXAMPLE_WORKBOOK).dataset


def model_for(dataset: Dataset, selection: Selection) -> OverviewModel:
    return overview_model(PageInput(dataset, selection, SuppressionRule.from_settings(load_settings())))


def expected_tiles(model: OverviewModel) -> dict[str, str]:
    """Every tile of the overview, as the model holds it (hidden counts as their sign)."""
    return {t.label: t.value for t in (*model.status_tiles, *model.count_tiles, *model.outflow_tiles)}


def shown_tiles(page: Page) -> dict[str, str]:
    result = {}
    for metric in page.locator('[data-testid="stMain"] [data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        result[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return result


def chart_traces(page: Page) -> dict[str, list[float]]:
    page.wait_for_function(f"() => ({_CHART_Y_JS})({CHART!r}) !== null")
    return {trace["name"]: trace["y"] for trace in page.evaluate(_CHART_Y_JS, CHART)}


def expected_traces(model: OverviewModel) -> dict[str, list[float]]:
    """The two lines of the overview's chart: per group, outflow to work per 1,000 per quarter (its table)."""
    table = model.chart.table.values
    return {name: table.filter(table["groep"] == group).get_column("werk_per_1000").to_list()
            for group, name in GROUP_LABELS.items() if table.filter(table["groep"] == group).height}


def assert_traces_equal(shown: dict[str, list[float]], expected: dict[str, list[float]]) -> None:
    lines = {name: y for name, y in shown.items() if name in GROUP_LABELS.values()}  # not the bands
    assert set(lines) == set(expected), f"chart lines {sorted(lines)} != the model's {sorted(expected)}"
    for name, values in expected.items():
        assert lines[name] == pytest.approx(values, abs=1e-9), f"line '{name}' differs from the model's numbers"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_exception(app_server: str, page: Page, path: str) -> None:
    open_page_ready(page, app_server, path)
    assert_no_exception(page)
    expect(page.locator('[data-testid="stMain"] h1').first).to_be_visible()
    screenshot(page, f"page-{path}")


def test_overview_shows_the_models_numbers(app_server: str, page: Page, example: Dataset) -> None:
    model = model_for(example, default_selection(example))
    open_page_ready(page, app_server)
    assert_no_exception(page)
    assert shown_tiles(page) == expected_tiles(model)
    # The example data's calibration: "dubbel zo hoog" raw, about 1,5× in the fairer comparison, side by side.
    assert (shown_tiles(page)["Uitstroomfactor werk, ruw"], shown_tiles(page)["Uitstroomfactor werk, eerlijker"]) \
        == ("2,0×", "1,5×")
    expect(page.get_by_text(model.outflow_sentence)).to_be_visible()
    expect(page.get_by_text("2.045 gesprekken, × klachten", exact=False)).to_be_visible()
    assert_traces_equal(chart_traces(page), expected_traces(model))


def test_stadsdeel_filter_updates_tiles_and_chart(app_server: str, page: Page, example: Dataset) -> None:
    everything = default_selection(example)
    zuidoost = replace(everything, stadsdelen=("Zuidoost",))
    before, after = model_for(example, everything), model_for(example, zuidoost)
    assert expected_tiles(before) != expected_tiles(after), "the filter must change something"

    open_page_ready(page, app_server)
    assert_traces_equal(chart_traces(page), expected_traces(before))
    page.evaluate(f"() => {{ window.__chartBefore = JSON.stringify(({_CHART_Y_JS})({CHART!r})); }}")
    choose(page, "Stadsdelen", "Zuidoost")
    assert_no_exception(page)
    assert "stadsdelen=Zuidoost" in page.url

    # The tiles follow (a hidden count shows its sign, as the model says).
    assert shown_tiles(page) == expected_tiles(after)

    # The chart is redrawn in place (Plotly.react), so wait on its data, not on a new element.
    page.wait_for_function(f"() => JSON.stringify(({_CHART_Y_JS})({CHART!r})) !== window.__chartBefore")
    assert_traces_equal(chart_traces(page), expected_traces(after))
    screenshot(page, "overzicht-zuidoost")


# Counts the WebSocket frames the page receives: a full run of Uitstroom sends about a hundred (every element of
# the page and the sidebar), a fragment's run only its own.
_COUNT_FRAMES_JS = """
(() => {
  window.__frames = 0;
  const Native = window.WebSocket;
  function Counted(...args) {
    const socket = new Native(...args);
    socket.addEventListener('message', () => { window.__frames += 1; });
    return socket;
  }
  Counted.prototype = Native.prototype;
  Object.assign(Counted, Native);
  window.WebSocket = Counted;
})();
"""
# The charts' titles as text (Streamlit's theme wraps a title in <b> tags when it draws it).
_CHART_TITLES_JS = """
() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot'))
  .map((gd) => gd.layout && gd.layout.title ? gd.layout.title.text.replace(/<[^>]*>/g, '') : null)
"""


def test_a_chart_choice_on_uitstroom_redraws_only_its_own_chart(app_server: str, page: Page) -> None:
    page.add_init_script(_COUNT_FRAMES_JS)
    open_page_ready(page, app_server, "uitstroom")
    opening_frames = page.evaluate("window.__frames")
    before = page.evaluate(_CHART_TITLES_JS)
    assert before[0] == "Uitstroom naar werk per 1.000 in de bijstand, per kwartaal"

    page.evaluate("() => { window.__frames = 0; }")
    page.locator('[data-testid="stRadio"]', has_text="Maat").get_by_text("Alle uitstroom", exact=True).click()
    wait_for_rerun(page)
    assert_no_exception(page)
    after = page.evaluate(_CHART_TITLES_JS)
    assert after[0] == "Alle uitstroom per 1.000 in de bijstand, per kwartaal"
    assert after[1:] == before[1:], "the other charts stay as they were"
    # Only the fragment ran: its radio, its chart and what belongs to the chart, not the page and the sidebar.
    choice_frames = page.evaluate("window.__frames")
    assert opening_frames >= 60 and choice_frames <= opening_frames // 5, (opening_frames, choice_frames)
