"""The pages in a real browser: every page loads; the overview shows the core's numbers for the example data;
a sidebar filter changes the tiles and redraws the chart with the core's new numbers.

The expected values come from the same pure functions the page calls (cohort.overview.compute_headline,
cohort.metrics), run here on the example workbook: the test checks that what reaches the screen is what the
core computed, through widgets, formatting and the browser.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from cohort.charts.outflow import GROUP_LABELS
from cohort.contract import Status
from cohort.dataset import Dataset
from cohort.fmt import fmt_int, fmt_ratio
from cohort.metrics import monthly_outflow_by_group, with_phase
from cohort.overview import Headline, compute_headline
from cohort.privacy import PROTECTED_TEXT, SuppressionRule
from cohort.selection import Selection, apply_selection, default_selection
from cohort.settings import EXAMPLE_WORKBOOK, load_settings
from cohort.workbook.read import read_workbook

from .helpers import assert_no_exception, choose, open_page_ready, screenshot

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


def headline_for(dataset: Dataset, selection: Selection) -> Headline:
    units, monthly = apply_selection(dataset, selection)
    return compute_headline(units, monthly, selection.peildatum, selection.first_month)


def expected_tiles(headline: Headline) -> dict[str, str]:
    """The overview's tiles that only format a core number (complaints are checked apart: privacy may hide)."""
    status = headline.area_status
    return {
        "Gebieden afgerond": fmt_int(status[Status.FINISHED]),
        "Gebieden actief": fmt_int(status[Status.ACTIVE]),
        "Gebieden gepland": fmt_int(status[Status.PLANNED]),
        "Stedelijke doelgroepen": fmt_int(headline.target_groups),
        "Gesprekken": fmt_int(headline.conversations),
        "Uitstroomfactor werk": fmt_ratio(headline.outflow.ratio) if headline.outflow else "—",
    }


def shown_tiles(page: Page) -> dict[str, str]:
    result = {}
    for metric in page.locator('[data-testid="stMain"] [data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        result[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return result


def chart_traces(page: Page) -> dict[str, list[float]]:
    page.wait_for_function(f"() => ({_CHART_Y_JS})({CHART!r}) !== null")
    return {trace["name"]: trace["y"] for trace in page.evaluate(_CHART_Y_JS, CHART)}


def expected_traces(dataset: Dataset, selection: Selection) -> dict[str, list[float]]:
    """What outflow_by_group_figure plots: per group, outflow to work per 1,000 per month (see charts.outflow)."""
    units, monthly = apply_selection(dataset, selection)
    groups = monthly_outflow_by_group(with_phase(monthly, units))
    return {
        GROUP_LABELS[group]: groups.filter(groups["groep"] == group).sort("maand").get_column("werk_per_1000").to_list()
        for group in GROUP_LABELS
        if groups.filter(groups["groep"] == group).height
    }


def assert_traces_equal(shown: dict[str, list[float]], expected: dict[str, list[float]]) -> None:
    assert set(shown) == set(expected), f"chart traces {sorted(shown)} != core's {sorted(expected)}"
    for name, values in expected.items():
        assert shown[name] == pytest.approx(values, abs=1e-9), f"trace '{name}' differs from the core's numbers"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_exception(app_server: str, page: Page, path: str) -> None:
    open_page_ready(page, app_server, path)
    assert_no_exception(page)
    expect(page.locator('[data-testid="stMain"] h1').first).to_be_visible()
    screenshot(page, f"page-{path}")


def test_overview_shows_the_cores_numbers(app_server: str, page: Page, example: Dataset) -> None:
    selection = default_selection(example)
    headline = headline_for(example, selection)
    open_page_ready(page, app_server)
    assert_no_exception(page)
    shown = shown_tiles(page)
    assert {label: shown.get(label) for label in expected_tiles(headline)} == expected_tiles(headline)
    # The example data have enough complaints city-wide that nothing is hidden in the default view.
    rule = SuppressionRule.from_settings(load_settings())
    assert not rule.hides(headline.complaints)
    assert shown.get("Klachten") == fmt_int(headline.complaints)
    assert_traces_equal(chart_traces(page), expected_traces(example, selection))


def test_stadsdeel_filter_updates_tiles_and_chart(app_server: str, page: Page, example: Dataset) -> None:
    everything = default_selection(example)
    zuidoost = replace(everything, stadsdelen=("Zuidoost",))
    before_expected, after_expected = headline_for(example, everything), headline_for(example, zuidoost)
    assert expected_tiles(before_expected) != expected_tiles(after_expected), "the filter must change something"

    open_page_ready(page, app_server)
    assert_traces_equal(chart_traces(page), expected_traces(example, everything))
    page.evaluate(f"() => {{ window.__chartBefore = JSON.stringify(({_CHART_Y_JS})({CHART!r})); }}")
    choose(page, "Stadsdelen", "Zuidoost")
    assert_no_exception(page)
    assert "stadsdelen=Zuidoost" in page.url

    shown = shown_tiles(page)
    assert {label: shown.get(label) for label in expected_tiles(after_expected)} == expected_tiles(after_expected)
    complaints = shown.get("Klachten", "")
    # In a single stadsdeel the privacy rule may hide the count; otherwise it is the core's number.
    assert complaints == fmt_int(after_expected.complaints) or complaints == PROTECTED_TEXT or complaints.startswith(
        "<"
    ), f"Klachten shows {complaints!r}, the core counts {after_expected.complaints}"

    # The chart is redrawn in place (Plotly.react), so wait on its data, not on a new element.
    page.wait_for_function(f"() => JSON.stringify(({_CHART_Y_JS})({CHART!r})) !== window.__chartBefore")
    assert_traces_equal(chart_traces(page), expected_traces(example, zuidoost))
    screenshot(page, "overzicht-zuidoost")
