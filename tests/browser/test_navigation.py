"""The navigation in a real browser: every page answers at its documented address, also as the very first request
to a freshly started server; the page list is a navigation landmark with lists and marks the current page; and
it works with the keyboard alone, in the visual order."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from cohort.ui.navigation import ALL_PAGES, HOME, NAV_LABEL, SECTIONS, STATEMENT

from .conftest import _free_port, streamlit_server
from .helpers import (
    REPO_ROOT,
    VIEWPORT,
    assert_no_exception,
    open_page_ready,
    tab_stops,
    wait_for_elements,
    wait_for_rerun,
)

SIDEBAR = '[data-testid="stSidebar"]'
SHARE_TITLE = "Deel deze weergave"
TITLES = {spec.url_path: spec.title for spec in ALL_PAGES} | {"": HOME.title}  # "/" shows the overview
# Which page ran is told by the page list's mark (it follows st.navigation's answer) and, for a page that is not
# the default, by the absence of Streamlit's "Page not found" dialog (it runs the default page instead).


def page_not_found(page: Page) -> list[str]:
    return [text for text in page.get_by_role("dialog").all_inner_texts() if "not found" in text.lower()]


def current_links(page: Page) -> list[str]:
    """The accessible names of the sidebar links marked aria-current="page"."""
    return [link.inner_text().strip().splitlines()[-1]
            for link in page.locator(f'{SIDEBAR} a[aria-current="page"]').all()]


def assert_answers_at(page: Page, path: str) -> None:
    """The page of `path` ran, at that address, without a "Page not found" dialog."""
    assert not page_not_found(page), f"/{path} shows {page_not_found(page)}"
    assert_no_exception(page)
    assert urlparse(page.url).path == f"/{path}", f"/{path} ended up at {page.url}"
    expect(page.locator('[data-testid="stMain"] h1').first).to_be_visible()
    assert current_links(page) == [TITLES[path]], f"/{path}: the page list marks {current_links(page)} as current"


@pytest.mark.parametrize("first", [HOME.url_path, "data"])
def test_deep_link_as_first_request_after_a_restart(
    browser: Browser, tmp_path: Path, first: str
) -> None:
    """A shared link opened right after the server (re)started: the first request of the process. The overview
    is the default page, which Streamlit serves only at "/" unless it is registered at its own path too."""
    env = {**os.environ, "COHORT_STORE_DIR": str(tmp_path / "store"), "COHORT_CACHE_DIR": str(tmp_path / "cache"),
           "COHORT_BOUNDARIES_DOWNLOAD": "0", "PYTHONUNBUFFERED": "1"}
    log = REPO_ROOT / "artifacts" / f"streamlit-first-request-{first}.log"
    with streamlit_server(_free_port(), env, log) as base_url:
        context = browser.new_context(viewport=VIEWPORT, locale="nl-NL", timezone_id="Europe/Amsterdam")
        try:
            page = context.new_page()
            open_page_ready(page, base_url, first)
            assert_answers_at(page, first)
        finally:
            context.close()


@pytest.mark.statement("navigatie")
@pytest.mark.parametrize("path", ["", *(spec.url_path for spec in ALL_PAGES)])
def test_every_page_answers_at_its_address_and_is_marked_current(app_server: str, page: Page, path: str) -> None:
    open_page_ready(page, app_server, path)
    assert_answers_at(page, path)
    nav = page.get_by_role("navigation", name=NAV_LABEL)
    expect(nav).to_have_count(1)
    for section, specs in SECTIONS.items():
        items = nav.get_by_role("list", name=section, exact=True).get_by_role("listitem")
        expect(items).to_have_count(len(specs))
        assert [item.inner_text().strip().splitlines()[-1] for item in items.all()] == [s.title for s in specs]
    # Screen readers announce the sections as lists only if nothing else sits between list and items.
    stray = page.evaluate(
        """() => [...document.querySelectorAll('[role=list]')].flatMap(
             (list) => [...list.children].filter((child) => child.getAttribute('role') !== 'listitem')
                                         .map((child) => child.outerHTML.slice(0, 120)))"""
    )
    assert stray == [], f"elements in a list that are no list item: {stray}"
    expect(page.locator(SIDEBAR).get_by_role("link", name=STATEMENT.title)).to_have_count(1)


@pytest.mark.statement("toetsenbord-navigatie")
def test_page_list_by_keyboard_in_visual_order(app_server: str, page: Page) -> None:
    open_page_ready(page, app_server, HOME.url_path)
    stops = tab_stops(page, 40, SHARE_TITLE)
    trail = "\n".join(f"{i + 1:2d}. {s.get('tag')} {s.get('role')} {s.get('name') or s.get('text', '')[:50]!r}"
                      for i, s in enumerate(stops))
    links = [(i, s["text"].splitlines()[-1]) for i, s in enumerate(stops) if s.get("sidebar") and s.get("tag") == "a"]
    first_filter = next((i for i, s in enumerate(stops) if s.get("sidebar") and s.get("tag") == "input"), None)
    assert first_filter is not None, f"Tab reaches no sidebar filter; focus went:\n{trail}"

    pages = [spec.title for specs in SECTIONS.values() for spec in specs]
    assert [label for i, label in links if i < first_filter] == pages, (
        f"Tab does not go through the page list, in its visual order, before the filters; focus went:\n{trail}"
    )
    share = [i for i, s in enumerate(stops) if s.get("share")]
    statement = [i for i, label in links if label == STATEMENT.title]
    assert share and statement and statement[0] > share[-1], (
        f"the statement's link is not reached after the share control; focus went:\n{trail}"
    )
    following = stops[statement[0] + 1:statement[0] + 2]
    assert not any(s.get("sidebar") for s in following), (
        f"the statement's link is not the last stop in the sidebar; focus went:\n{trail}"
    )

    # Enter on a link opens its page, and the page list then marks that page.
    target = next(spec for spec in SECTIONS["Cohortaanpak"] if spec.url_path == "kaart")
    index = next(i for i, label in links if label == target.title)
    tab_stops(page, index + 1)
    page.keyboard.press("Enter")
    wait_for_rerun(page)
    wait_for_elements(page)
    assert_answers_at(page, target.url_path)


def test_narrow_window_closes_the_sidebar_after_choosing_a_page(app_server: str, browser: Browser) -> None:
    """At 200% zoom (700 CSS pixels) the open sidebar lies over the page; Enter on a link opens the page and
    closes the sidebar, so the page can be seen."""
    context = browser.new_context(viewport={"width": 700, "height": 500}, locale="nl-NL")
    try:
        page = context.new_page()
        open_page_ready(page, app_server, HOME.url_path)
        sidebar = page.locator(SIDEBAR)
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        # The sidebar slides in (a CSS transition): wait until it lies fully in the window, over the page.
        page.wait_for_function(f"() => document.querySelector('{SIDEBAR}').getBoundingClientRect().left >= 0")
        page.locator(SIDEBAR).get_by_role("link", name="Kaart", exact=True).focus()
        page.keyboard.press("Enter")
        wait_for_rerun(page)
        assert_answers_at(page, "kaart")
        expect(sidebar).to_have_attribute("data-collapsed", "true")
    finally:
        context.close()
