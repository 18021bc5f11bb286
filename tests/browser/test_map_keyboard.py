"""The map page's controls with the keyboard alone (WCAG 2.1.1): Tab to a control, type, Enter or Space; no mouse."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from cohort.map.units import MAP_BENCHMARKS, MAP_INDICATORS, MAP_LEVELS

from .helpers import assert_no_exception, open_page_ready, share_link, tab_to, wait_for_elements, wait_for_rerun

INDICATOR_LABEL = "Kleur de kaart naar"
COMPARE_LABEL = "Vergelijk met"
AREA_LABEL = "Gebied"  # the keyboard's way to what a click on the map selects (cohort.ui.map_choice)
MAIN = '[data-testid="stMain"]'


def in_main(role: str, name: str):
    return lambda stop: stop.get("role") == role and stop.get("name") == name and not stop.get("sidebar")


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def settle(page: Page) -> None:
    wait_for_rerun(page)
    wait_for_elements(page)
    assert_no_exception(page)


@pytest.mark.statement("toetsenbord-kaart")
def test_indicator_and_comparison_by_keyboard(app_server: str, page: Page) -> None:
    open_page_ready(page, app_server, "kaart")
    complaints = MAP_INDICATORS["klachten"].label
    outflow = MAP_INDICATORS["uitstroom_werk"].label
    compare = page.locator(MAIN).get_by_role("combobox", name=COMPARE_LABEL)
    expect(compare).to_have_count(0)  # the default colouring (status) has nothing to compare with

    tab_to(page, in_main("combobox", INDICATOR_LABEL))
    page.keyboard.type(complaints)
    page.keyboard.press("Enter")
    settle(page)
    assert query(page).get("indicator") == [complaints], f"the choice did not reach the link: {page.url}"
    expect(page.locator(MAIN).get_by_role("combobox", name=INDICATOR_LABEL)).to_have_value(complaints)
    expect(compare).to_be_visible()

    tab_to(page, in_main("combobox", INDICATOR_LABEL))
    page.keyboard.type(outflow)
    page.keyboard.press("Enter")
    settle(page)
    tab_to(page, in_main("combobox", COMPARE_LABEL))
    page.keyboard.type(MAP_BENCHMARKS["vergelijking"])
    page.keyboard.press("Enter")
    settle(page)
    expect(compare).to_have_value(MAP_BENCHMARKS["vergelijking"])
    assert query(page).get("maatstaf") == [MAP_BENCHMARKS["vergelijking"]], f"not in the link: {page.url}"

    # A radio group: Tab reaches the checked option, an arrow key moves the choice.
    tab_to(page, lambda stop: stop.get("role") == "radio" and stop.get("name") == MAP_LEVELS["95"]
           and not stop.get("sidebar"))
    page.keyboard.press("ArrowRight")
    settle(page)
    expect(page.locator(MAIN).get_by_role("radio", name=MAP_LEVELS["998"], exact=True)).to_be_checked()
    assert query(page).get("betrouwbaarheid") == [MAP_LEVELS["998"]], f"not in the link: {page.url}"


@pytest.mark.statement("toetsenbord-kaart")
def test_area_by_keyboard(app_server: str, page: Page) -> None:
    open_page_ready(page, app_server, "kaart")
    tab_to(page, in_main("combobox", AREA_LABEL))
    page.keyboard.type("Bijlmer Oost")
    page.keyboard.press("Enter")
    settle(page)
    # DX21 is Bijlmer Oost in the example data; the area's panel opens, as after a click on the map.
    assert query(page).get("gebied") == ["DX21"], f"the area did not reach the link: {page.url}"
    expect(page.get_by_role("button", name="Filter alle pagina’s op dit gebied")).to_be_visible()
    expect(page.locator(MAIN).get_by_role("heading", name="Bijlmer Oost (Zuidoost)")).to_be_visible()
    # The shared link reproduces it: another browser opening it sees the same area chosen.
    link = share_link(page)
    assert "gebied=DX21" in link, link
    other = page.context.new_page()
    shared = urlparse(link)
    open_page_ready(other, app_server, f"{shared.path}?{shared.query}")
    expect(other.locator(MAIN).get_by_role("heading", name="Bijlmer Oost (Zuidoost)")).to_be_visible()
    expect(other.locator(MAIN).get_by_role("combobox", name=AREA_LABEL)).to_have_value("Bijlmer Oost (DX21)")
    other.close()
