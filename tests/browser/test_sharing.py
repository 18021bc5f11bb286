"""Sharing a view in a real browser: set filters, take the link, open it in a fresh context, see the same."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from cohort.store import DatasetStore
from cohort.workbook.read import read_workbook

from .helpers import (
    VIEWPORT,
    assert_no_exception,
    choose,
    open_page,
    screenshot,
    share_expander,
    share_link,
    wait_for_rerun,
)

SIDEBAR = 'section[data-testid="stSidebar"]'
HEADLINES = ("Gebieden afgerond", "Gebieden actief", "Gesprekken", "Klachten")


def open_view(page: Page, base_url: str, path: str = "") -> None:
    """open_page, then wait for the share control: it is drawn last, after the page itself."""
    open_page(page, base_url, path)
    expect(share_expander(page)).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stElementContainer"][data-stale="true"]')).to_have_count(0, timeout=60_000)


def metrics(page: Page) -> dict[str, str]:
    result = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        result[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return result


def sidebar_state(page: Page) -> dict[str, object]:
    sidebar = page.locator(SIDEBAR)
    return {
        "peildatum": sidebar.get_by_role("combobox", name="Peildatum").input_value(),
        "stadsdelen": sorted(
            tag.get_attribute("aria-label") or ""
            for tag in sidebar.locator('[data-testid="stMultiSelect"]')
            .filter(has=page.get_by_role("combobox", name="Stadsdelen")).locator("[data-tag]").all()
        ),
        "doelgroepen": sidebar.get_by_role("switch", name="Stedelijke doelgroepen tonen").is_checked(),
        "niveau": sidebar.get_by_role("radio", name="Stadsdeel").is_checked(),
    }


def test_filtered_view_round_trips_through_its_link(app_server: str, page: Page, browser: Browser) -> None:
    open_view(page, app_server)
    choose(page, "Peildatum", "juni 2020")
    choose(page, "Stadsdelen", "Zuidoost")
    page.locator(SIDEBAR).locator('[data-testid="stCheckbox"]').filter(has_text="Stedelijke doelgroepen tonen") \
        .locator("label").first.click()
    wait_for_rerun(page)
    page.locator(SIDEBAR).locator('[data-testid="stRadioOption"]').filter(has_text="Stadsdeel").click()
    wait_for_rerun(page)
    assert_no_exception(page)

    query = parse_qs(urlsplit(page.url).query)
    assert query["peildatum"] == ["juni 2020"] and query["stadsdelen"] == ["Zuidoost"]
    assert query["doelgroepen"] == ["false"] and query["niveau"] == ["Stadsdeel"]
    link = share_link(page)
    assert parse_qs(urlsplit(link).query) == query, "the share control shows the address bar's link"
    before_state, before_numbers = sidebar_state(page), metrics(page)
    assert before_state["peildatum"] == "juni 2020"

    fresh = browser.new_context(viewport=VIEWPORT, locale="nl-NL", timezone_id="Europe/Amsterdam").new_page()
    try:
        open_view(fresh, app_server, link.removeprefix(app_server))
        assert_no_exception(fresh)
        # A link's fix-up rerun may still be on its way after the first paint; wait on the widgets themselves.
        deadline = time.monotonic() + 30
        while sidebar_state(fresh) != before_state and time.monotonic() < deadline:
            fresh.wait_for_timeout(250)
        assert sidebar_state(fresh) == before_state
        expect(fresh.locator('[data-testid="stElementContainer"][data-stale="true"]')).to_have_count(0)
        after = metrics(fresh)
        assert {k: after[k] for k in HEADLINES} == {k: before_numbers[k] for k in HEADLINES}
        screenshot(fresh, "sharing-opened-link")
    finally:
        fresh.context.close()


def test_link_to_another_page_opens_that_page(app_server: str, page: Page) -> None:
    open_view(page, app_server, "klachten?peildatum=juni+2020&stadsdelen=Zuidoost")
    assert_no_exception(page)
    expect(page.get_by_role("heading", name="Klachten en bejegening")).to_be_visible()
    assert share_link(page).startswith(f"{app_server}/klachten?")


def test_hostile_link_shows_notice_and_applies_the_rest(app_server: str, page: Page) -> None:
    open_view(page, app_server, "?peildatum=%3Cscript%3Ealert(1)%3C/script%3E&stadsdelen=Zuidoost"
              f"&niveau={'x' * 10_000}&%3Cimg%3E=1")
    assert_no_exception(page)
    notice = page.get_by_text("Deze delen van de link zijn genegeerd")
    expect(notice).to_be_visible()
    text = notice.inner_text()
    assert "peildatum" in text and "niveau" in text and "<" not in text and "alert" not in text
    assert sidebar_state(page)["stadsdelen"] == ["Zuidoost"]
    assert "alert" not in page.url and "xxxx" not in page.url
    screenshot(page, "sharing-hostile-link")


@pytest.fixture
def withdrawn_id(store_dir: Path, app_server: str) -> str:
    # Publish and withdraw at once, so the server's store never shows published data to the other browser tests.
    store = DatasetStore(store_dir)
    example = read_workbook(Path(__file__).resolve().parents[2] / "data" / "voorbeeld_cohortaanpak.xlsx").dataset
    record = store.publish(example, name="Proefpublicatie", description="", published_by="browsertest",
                           validation_summary="ok")
    store.withdraw(record.dataset_id, by="browsertest", reason="alleen voor de test")
    return record.dataset_id


def test_withdrawn_dataset_link_explains_and_shows_the_default(app_server: str, page: Page, withdrawn_id: str):
    open_view(page, app_server, f"?dataset={withdrawn_id}&peildatum=juni+2020")
    assert_no_exception(page)
    expect(page.get_by_text("Deze dataset is ingetrokken")).to_be_visible()
    expect(page.get_by_text("Proefpublicatie", exact=False).first).to_be_visible()
    assert "dataset=" not in page.url
    assert sidebar_state(page)["peildatum"] == "juni 2020", "the rest of the link applies"
