"""200% zoom in a real browser (WCAG 1.4.4 resize text, 1.4.10 reflow).

A window of 1400 × 1000 pixels at 200% zoom lays the page out in 700 × 500 CSS pixels, two device pixels each:
that is the context used here. On every page, with the sidebar closed (Streamlit closes it at this width) and
open: the document and the main text do not scroll sideways, no text lies outside the window, and no text is
cut off by its box. Tables (st.dataframe), charts, the map and code blocks are two-dimensional content that may
scroll or scale inside their own box, which WCAG allows; they are left out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from cohort.ui.navigation import ALL_PAGES

from .helpers import assert_no_exception, open_page_ready, screenshot

PAGES = tuple(spec.url_path for spec in ALL_PAGES)
ZOOM_VIEWPORT = {"width": 700, "height": 500}
MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
TWO_DIMENSIONAL = (
    '[data-testid="stDataFrame"], [data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"], '
    '[data-testid="stCode"]'
)
# Streamlit shortens these labels with "…" when their column is narrow (st.metric's label, a widget's label);
# at 200% zoom the tiles of these pages lose words. The fix belongs in the app's styling
# (white-space: normal for [data-testid=stMetricLabel] and [data-testid=stWidgetLabel], see the report of
# issue 13); until then the statement lists it as a limitation.
CUT_OFF_TODAY = {
    "overzicht": "tile labels ('Stedelijke doelgroepen', 'Klachten per 1.000 gesprekken') end in '…'",
    "uitstroom": "a tile label ('Extra uitstroom naar werk per maand door …') ends in '…'",
    "klachten": "tile labels ('Klachten per 1.000 gesprekken', 'Waarvan over bejegening') end in '…'",
}

# Everything in `region` that breaks reflow: boxes that scroll sideways (the region, its ancestors, anything in
# it), text outside the window, and text cut off by a box that hides its overflow. Elements hidden on purpose
# for screen readers only (a 1-pixel box, e.g. KaTeX's MathML copy of a formula) are no visible text.
_REFLOW_JS = """
([region, skip]) => {
  const root = document.querySelector(region);
  if (!root) return {missing: region};
  const width = window.innerWidth;
  const describe = (e) => (e.getAttribute('data-testid') || e.tagName.toLowerCase());
  const sideways = (e) =>
    ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1;
  const scrolls = [];
  const page = document.documentElement.scrollWidth;
  if (page > width + 1) scrolls.push(`the document (${page} > ${width} px)`);
  for (let e = root; e; e = e.parentElement) if (sideways(e)) scrolls.push(`${describe(e)} around ${region}`);
  const outside = [], cutOff = [];
  for (const e of root.querySelectorAll('*')) {
    if (e.closest(skip)) continue;
    if (sideways(e)) scrolls.push(`${describe(e)} (${e.scrollWidth} > ${e.clientWidth} px)`);
    const texts = [...e.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim());
    if (!texts.length) continue;
    const text = texts.map((n) => n.textContent).join('').trim();
    // Where the text itself is drawn (a block's box is as wide as its column, whatever its text does).
    const range = document.createRange();
    range.setStartBefore(texts[0]);
    range.setEndAfter(texts[texts.length - 1]);
    const box = range.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    let hiddenForScreenReaders = false, clipper = null;
    for (let a = e; a && a !== root.parentElement; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (a.clientWidth <= 1 && ['hidden', 'clip'].includes(style.overflowX)) { hiddenForScreenReaders = true; break; }
      if (!clipper && ['hidden', 'clip'].includes(style.overflowX) && a.scrollWidth > a.clientWidth + 1) clipper = a;
    }
    if (hiddenForScreenReaders) continue;
    const quoted = `'${text.slice(0, 50)}'`;
    if (box.right > width + 1 || box.left < -1) {
      outside.push(`${quoted} at x ${Math.round(box.left)}–${Math.round(box.right)}`);
    }
    if (clipper) cutOff.push(`${quoted} in ${describe(clipper)} (${clipper.scrollWidth} > ${clipper.clientWidth} px)`);
  }
  return {scrolls: [...new Set(scrolls)], outside, cutOff};
}
"""


@pytest.fixture
def zoomed(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=ZOOM_VIEWPORT, device_scale_factor=2, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    yield context.new_page()
    context.close()


def layout_problems(page: Page, region: str) -> dict[str, list[str]]:
    found = page.evaluate(_REFLOW_JS, [region, TWO_DIMENSIONAL])
    assert "missing" not in found, f"{page.url}: no {region}"
    return found


def open_sidebar(page: Page) -> None:
    expect(page.locator(SIDEBAR)).to_have_attribute("data-collapsed", "true")
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(page.locator(SIDEBAR)).to_have_attribute("data-collapsed", "false")
    page.wait_for_timeout(400)  # the sidebar slides in (a CSS transition, no DOM event to wait for)


@pytest.mark.statement("zoom-200")
@pytest.mark.parametrize("path", PAGES)
def test_text_reflows_at_200_percent(app_server: str, zoomed: Page, path: str) -> None:
    open_page_ready(zoomed, app_server, path)
    assert_no_exception(zoomed)
    screenshot(zoomed, f"zoom200-{path}")
    main = layout_problems(zoomed, MAIN)
    open_sidebar(zoomed)
    screenshot(zoomed, f"zoom200-{path}-sidebar")
    sidebar = layout_problems(zoomed, SIDEBAR)
    problems = {f"{where}: {kind}": found for where, result in (("main", main), ("sidebar", sidebar))
                for kind, found in result.items() if kind != "cutOff" and found}
    assert not problems, f"/{path} at 200% zoom: {problems}"


@pytest.mark.statement("zoom-200-afgekapt")
@pytest.mark.parametrize(
    "path",
    [pytest.param(path, marks=pytest.mark.xfail(strict=True, reason=CUT_OFF_TODAY[path])) if path in CUT_OFF_TODAY
     else path for path in PAGES],
)
def test_no_text_cut_off_at_200_percent(app_server: str, zoomed: Page, path: str) -> None:
    open_page_ready(zoomed, app_server, path)
    cut_off = layout_problems(zoomed, MAIN)["cutOff"]
    open_sidebar(zoomed)
    cut_off += layout_problems(zoomed, SIDEBAR)["cutOff"]
    assert not cut_off, f"/{path} at 200% zoom cuts off: {cut_off}"


def test_the_reflow_check_sees_a_line_too_wide_and_a_label_cut_off(app_server: str, zoomed: Page) -> None:
    """The checks above can fail: a line that does not wrap, and a label shortened with '…', planted in the page."""
    open_page_ready(zoomed, app_server, "toegankelijkheid")
    assert not any(layout_problems(zoomed, MAIN).values())
    zoomed.evaluate(
        f"""() => {{
          const block = document.querySelector('{MAIN} [data-testid="stMarkdownContainer"]');
          block.insertAdjacentHTML('beforeend',
            '<p style="white-space: nowrap">' + 'toegankelijkheidsverklaring '.repeat(20) + '</p>' +
            '<p style="width: 60px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap">' +
            'Klachten per 1.000 gesprekken</p>');
        }}"""
    )
    found = layout_problems(zoomed, MAIN)
    assert found["scrolls"] and found["outside"] and "toegankelijkheidsverklaring" in found["outside"][0], found
    assert any("Klachten per 1.000 gesprekken" in text for text in found["cutOff"]), found
