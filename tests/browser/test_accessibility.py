"""Accessibility in a real browser: axe-core on every page, the filters and the share control by keyboard,
a table beside every chart and the map, and the document's language.

Nothing is forgiven: a finding fails, or is an xfail(strict=True) naming the reported defect. Tests marked
`statement("<id>")` prove a claim of the accessibility statement (cohort.pagemodels.accessibility; see
statement_check.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cohort.ui.share import SHARE_BUTTON

from .axe import assert_no_serious_a11y_violations, run_axe_rules
from .helpers import assert_no_exception, navigation, open_page_ready, screenshot, share_expander, tab_stops

# The url_paths of app.py's st.Page entries; test_navigation_lists_exactly_these_pages keeps this list honest.
PAGES = ("overzicht", "kaart", "uitstroom", "gebieden", "klachten", "over", "wijzigingen", "data",
         "toegankelijkheid")
SIDEBAR = 'section[data-testid="stSidebar"]'
SHARE_TITLE = "Deel deze weergave"
CHART_TABLE_PREFIX = "Cijfers bij deze grafiek"
# Tab presses allowed from the top of the page to the last sidebar control. Today the share control is the
# 21st stop (skip link, 7 page links, 4 help buttons, 7 filter inputs, the small-numbers switch); the slack
# allows a few more controls.
MAX_TABS = 40


def test_navigation_lists_exactly_these_pages(app_server: str, page: Page) -> None:
    open_page_ready(page, app_server)
    # On "/" the overview's link is "/" (path ""); every other link is its page's url_path.
    shown = {path or "overzicht" for path, _label in navigation(page)}
    assert shown == set(PAGES), f"update PAGES in this file: the navigation shows {sorted(shown)}"


@pytest.mark.statement("axe")
@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_a11y_violations(app_server: str, page: Page, path: str) -> None:
    open_page_ready(page, app_server, path)
    assert_no_exception(page)
    screenshot(page, f"a11y-{path}")
    assert_no_serious_a11y_violations(page)


# --- keyboard -------------------------------------------------------------------------------------------------

# Each sidebar filter and how its focused element is recognised (its accessible name, or its group's).
FILTERS = {
    "Peildatum": lambda s: s.get("role") == "combobox" and s.get("name") == "Peildatum",
    "Periode (slider)": lambda s: s.get("role") == "range" and s.get("name", "").startswith("Periode"),
    "Stadsdelen": lambda s: s.get("role") == "combobox" and s.get("name") == "Stadsdelen",
    "Gebieden en doelgroepen": lambda s: s.get("role") == "combobox" and s.get("name") == "Gebieden en doelgroepen",
    "Stedelijke doelgroepen tonen": lambda s: s.get("role") == "switch"
    and s.get("name") == "Stedelijke doelgroepen tonen",
    # Radio buttons are one tab stop (arrow keys move within); the focused option is named by its group.
    "Niveau": lambda s: s.get("role") == "radio" and s.get("group") == "Niveau",
}


@pytest.mark.statement("toetsenbord-filters")
def test_filters_and_share_control_reachable_by_tab(app_server: str, page: Page) -> None:
    open_page_ready(page, app_server)
    stops = tab_stops(page, MAX_TABS, SHARE_TITLE)
    trail = "\n".join(f"{i + 1:2d}. {s.get('tag')} {s.get('role')} {s.get('name') or s.get('text', '')[:50]!r}"
                      for i, s in enumerate(stops))

    reached = {}
    for label, matches in FILTERS.items():
        hits = [i for i, stop in enumerate(stops) if matches(stop) and stop.get("sidebar")]
        assert hits, f"Tab does not reach the filter '{label}' within {MAX_TABS} presses; focus went:\n{trail}"
        reached[label] = hits[0]
    order = sorted(reached, key=reached.get)
    assert order == list(FILTERS), f"the tab order of the filters differs from their visual order: {order}"

    if page.locator(SIDEBAR).get_by_text(SHARE_TITLE, exact=True).count() == 0:
        pytest.skip(f"the share control ('{SHARE_TITLE}') is not in the sidebar yet")
    share = [i for i, stop in enumerate(stops) if stop.get("share")]
    assert share, f"Tab does not reach the '{SHARE_TITLE}' control within {MAX_TABS} presses; focus went:\n{trail}"
    stop = stops[share[0]]
    # The share control's tab stop is the expander that holds the link (cohort.ui.share): Enter opens it, and the
    # next Tab reaches Streamlit's code block (st.code, tabindex=0), whose text is the link itself.
    assert stop["tag"] == "summary" and SHARE_BUTTON in stop["text"], f"the focused share element: {stop}"
    assert share[0] > reached["Niveau"], "the share control comes after the filters it describes"
    expander = share_expander(page)
    expander.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(expander.locator('[data-testid="stCode"]')).to_be_visible(timeout=30_000)
    expander.locator("summary").focus()  # the rerun that drew the link may have replaced the focused element
    page.keyboard.press("Tab")
    focused = page.evaluate("() => (document.activeElement.innerText || '').trim()")
    assert focused.startswith(("http://", "https://")), f"Tab after opening the share control reaches {focused!r}"


# --- chart alternatives ---------------------------------------------------------------------------------------

# For every Plotly chart: its title, and whether an expander "Cijfers bij deze grafiek: <that title>" follows it
# in the document (not necessarily directly: a caption or a small-numbers note may stand in between).
_CHART_TABLES_JS = """
(prefix) => {
  const expanders = [...document.querySelectorAll('[data-testid=stExpander]')];
  return [...document.querySelectorAll('[data-testid=stPlotlyChart]')].map((chart) => {
    const title = (chart.querySelector('.gtitle')?.textContent || '').trim();
    const labels = expanders
      .filter((x) => chart.compareDocumentPosition(x) & Node.DOCUMENT_POSITION_FOLLOWING)
      .map((x) => (x.querySelector('summary')?.innerText || '').replace(/^keyboard_arrow_\\w+\\s*/, '').trim());
    const table = labels.find((l) => l.startsWith(prefix) && (!title || l.includes(title)));
    return {title, table: table || null};
  });
}
"""

@pytest.mark.statement("tekstalternatief")
@pytest.mark.parametrize(
    "path",
    [
        "overzicht",
        "uitstroom",
        "gebieden",
        "klachten",
    ],
)
def test_every_chart_has_a_table(app_server: str, page: Page, path: str) -> None:
    open_page_ready(page, app_server, path)
    assert_no_exception(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .gtitle', state="attached")
    charts = page.evaluate(_CHART_TABLES_JS, CHART_TABLE_PREFIX)
    assert charts, f"/{path} shows no Plotly chart: update this test's list of pages with charts"
    missing = [chart["title"] or "(chart without a title)" for chart in charts if not chart["table"]]
    assert not missing, (
        f"/{path}: no expander '{CHART_TABLE_PREFIX}: <title>' after these charts (use "
        f"cohort.ui.models.chart_table): {missing}"
    )
    untitled = [chart for chart in charts if not chart["title"]]
    assert not untitled, f"/{path}: charts without a title: {untitled}"


@pytest.mark.statement("tekstalternatief")
def test_map_has_a_description_and_a_table(app_server: str, page: Page) -> None:
    open_page_ready(page, app_server, "kaart")
    assert_no_exception(page)
    deck = page.locator('[data-testid="stDeckGlJsonChart"]')
    expect(deck).to_have_count(1)
    label = deck.get_attribute("aria-label") or deck.get_attribute("alt") or ""
    assert deck.get_attribute("role") == "figure", "the map is not exposed as a figure"
    assert "Kaart" in label and "tabel" in label, f"the map's text alternative says too little: {label!r}"
    heading = page.get_by_role("heading", name="De kaart als tabel")
    expect(heading).to_be_visible()
    # The table follows its heading (and so the map) in the document.
    follows = page.evaluate(
        """() => {
          const h = [...document.querySelectorAll('h1,h2,h3')]
            .find((n) => n.textContent.includes('De kaart als tabel'));
          return [...document.querySelectorAll('[data-testid=stDataFrame]')]
            .some((t) => h.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert follows, "no table follows the heading 'De kaart als tabel'"


@pytest.mark.statement("tekstalternatief")
def test_selected_area_chart_has_a_table(app_server: str, page: Page) -> None:
    # DX21 Bijlmer Oost in the example data; a link with `gebied=` opens the map with that area selected.
    open_page_ready(page, app_server, "kaart?gebied=DX21")
    assert_no_exception(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .gtitle', state="attached")
    charts = page.evaluate(_CHART_TABLES_JS, CHART_TABLE_PREFIX)
    assert charts and all(chart["table"] for chart in charts), f"charts without a table on the map page: {charts}"


# --- language and contrast ------------------------------------------------------------------------------------


@pytest.mark.statement("taal")
def test_document_language_is_dutch(app_server: str, page: Page) -> None:
    """The UI is Dutch, so <html lang> must say "nl" (WCAG 3.1.1), although Streamlit ships "en".

    Streamlit 1.67 serves one static index.html (`<html lang="en">`) for every page; no config option sets
    it (`streamlit config show` has none), st.set_page_config has no language, and st.context.locale only
    *reads* the browser's language. Nor can the app serve its own index.html. The only lever is client-side:
    `st.html("<script>document.documentElement.lang = 'nl'</script>", unsafe_allow_javascript=True)` sets it
    after the app has loaded, and app.py does exactly that (cohort.ui.widgets.document_language), so screen
    readers choose a Dutch voice. Streamlit's own labels ("Skip to main content", "Help for …") stay English.
    """
    open_page_ready(page, app_server)
    page.wait_for_function("() => document.documentElement.lang === 'nl'")
    lang = page.evaluate("() => document.documentElement.lang")
    assert lang == "nl", f"<html lang> is {lang!r}"
    # No element of our own claims another language either (a partial fix would be worse than none).
    marked = page.evaluate("() => [...document.querySelectorAll('[data-testid=stMain] [lang]')].map((e) => e.lang)")
    assert marked == [], f"elements in the main area carry their own lang: {marked}"


def test_theme_colours_pass_contrast(app_server: str, page: Page) -> None:
    """axe's color-contrast rule, named on its own, on the page with the most themed widgets (sliders, radio
    buttons, links, buttons in the theme's red), so a theme change that breaks contrast says so directly.

    The whole-page axe runs above cover it too; .streamlit/config.toml explains the chosen reds.
    """
    open_page_ready(page, app_server, "uitstroom")
    nodes = [node for violation in run_axe_rules(page, ["color-contrast"]) for node in violation["nodes"]]
    summary = [f"  {', '.join(n['target'])}: {' '.join(n.get('failureSummary', '').split())[:200]}" for n in nodes]
    assert not nodes, "colour contrast below WCAG AA on /uitstroom:\n" + "\n".join(summary[:10])
