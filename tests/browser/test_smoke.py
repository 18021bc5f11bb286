"""Smoke tests in a real browser: the app starts, every page renders, the overview is accessible."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from .axe import assert_no_serious_a11y_violations
from .helpers import assert_no_exception, navigation, open_page, screenshot


def test_overview_loads_with_title(app_server: str, page: Page) -> None:
    open_page(page, app_server)
    assert_no_exception(page)
    # The name may be in the browser tab (st.set_page_config) or on the page itself.
    shown = page.title() + "\n" + page.locator('[data-testid="stApp"]').inner_text()
    assert "Cohortmonitor" in shown, f"'Cohortmonitor' is neither in the tab title nor on the page: {shown[:500]}"
    assert screenshot(page, "overview").stat().st_size > 0


def test_overview_has_no_serious_a11y_violations(app_server: str, page: Page) -> None:
    open_page(page, app_server)
    assert_no_serious_a11y_violations(page)


def test_every_page_in_the_navigation_renders(app_server: str, page: Page) -> None:
    open_page(page, app_server)
    pages = navigation(page) or [("", "")]  # with a single page Streamlit shows no navigation
    failures = []
    for path, _label in pages:
        open_page(page, app_server, path)
        try:
            assert_no_exception(page)
        except AssertionError as error:
            failures.append(str(error))
        screenshot(page, "page-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "root"))
    assert not failures, "\n\n".join(failures)
