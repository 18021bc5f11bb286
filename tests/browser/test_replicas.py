"""Two replicas on one PostgreSQL database, in a real browser: publish on replica A, open the shared link on
replica B and see the same numbers; withdraw on B, and A's link shows the withdrawal notice once the catalog's
TTL has passed. Then the same two replicas behind the reference nginx config (docs/deploy/): a page, its
WebSocket and an upload work through the proxy.

Each replica has its own (empty) COHORT_STORE_DIR, so whatever A and B share can only come from the database.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from nginx_proxy import main_config, running, site_for_test
from pg_server import require_cluster
from playwright.sync_api import Browser, Page, expect

from cohort.settings import EXAMPLE_WORKBOOK
from cohort.store import DatasetStore
from cohort.workbook.read import read_workbook

from .conftest import _free_port, streamlit_server
from .helpers import REPO_ROOT, VIEWPORT, assert_no_exception, open_page_ready, screenshot
from .test_sharing import HEADLINES, metrics, open_view, share_link
from .test_upload import choose_file

TTL_SECONDS = 3
WITHDRAWN = "Deze dataset is ingetrokken"


@pytest.fixture(scope="module")
def database_url() -> str:
    return require_cluster().create_database("replicas")


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[tuple[str, str]]:
    """Replica A and replica B: two `streamlit run` processes on their own ports, one database."""
    with _replica("a", tmp_path_factory, database_url) as replica_a, \
            _replica("b", tmp_path_factory, database_url) as replica_b:
        yield replica_a, replica_b


def _replica(name: str, tmp_path_factory: pytest.TempPathFactory, database_url: str):
    env = {
        **os.environ,
        "COHORT_DATABASE_URL": database_url,
        "COHORT_STORE_DIR": str(tmp_path_factory.mktemp(f"replica-{name}-store")),
        "COHORT_CACHE_DIR": str(tmp_path_factory.mktemp(f"replica-{name}-cache")),
        "COHORT_CATALOG_TTL_SECONDS": str(TTL_SECONDS),
        "COHORT_BOUNDARIES_DOWNLOAD": "0",
        "PYTHONUNBUFFERED": "1",
    }
    return streamlit_server(_free_port(), env, REPO_ROOT / "artifacts" / f"streamlit-replica-{name}.log")


def fresh_page(browser: Browser, **options: object) -> Page:
    return browser.new_context(viewport=VIEWPORT, locale="nl-NL", timezone_id="Europe/Amsterdam",
                               **options).new_page()


def test_publish_on_a_open_on_b_withdraw_on_b_notice_on_a(
    replicas: tuple[str, str], database_url: str, page: Page, browser: Browser
) -> None:
    replica_a, replica_b = replicas

    # Publish through the browser on A.
    open_page_ready(page, replica_a, "data")
    choose_file(page, EXAMPLE_WORKBOOK.name, EXAMPLE_WORKBOOK.read_bytes())
    page.get_by_label("Naam van de dataset (verplicht)").fill("Gedeeld via A")
    page.get_by_role("button", name="Publiceren").click()
    # The success alert (the toast with the same text is still showing beside it when the page comes quickly).
    expect(page.get_by_test_id("stAlertContentSuccess").get_by_text("Gepubliceerd: ‘Gedeeld via A’")).to_be_visible(
        timeout=60_000)
    assert_no_exception(page)
    with DatasetStore(database_url=database_url) as store:
        [record] = store.list_datasets()
    assert record.name == "Gedeeld via A"

    # A's shared link names the dataset; B opens it and shows the same numbers.
    open_view(page, replica_a)
    link = share_link(page)
    assert parse_qs(urlsplit(link).query)["dataset"] == [record.dataset_id]
    path = link.removeprefix(replica_a)
    open_view(page, replica_a, path)  # A has now cached what this link resolves to
    on_a = metrics(page)
    on_b_page = fresh_page(browser)
    try:
        open_view(on_b_page, replica_b, path)
        assert_no_exception(on_b_page)
        on_b = metrics(on_b_page)
        assert {k: on_b[k] for k in HEADLINES} == {k: on_a[k] for k in HEADLINES}
        assert on_b_page.get_by_text(WITHDRAWN).count() == 0
        assert "Gedeeld via A" in on_b_page.locator("body").inner_text()
        screenshot(on_b_page, "replicas-b-opens-a-link")

        # Withdraw on B.
        open_page_ready(on_b_page, replica_b, "data")
        on_b_page.get_by_label("Reden van intrekken (verplicht)").fill("Verkeerde peildatum (replicatest)")
        on_b_page.get_by_text("Ja, trek deze dataset in").click()
        on_b_page.get_by_role("button", name="Intrekken").click()
        # The success alert (a toast with the same text may still be showing beside it on a slow machine).
        expect(on_b_page.get_by_test_id("stAlertContentSuccess").get_by_text("is ingetrokken en staat nu onder")
               ).to_be_visible(timeout=60_000)
        withdrawn_at = time.monotonic()
    finally:
        on_b_page.context.close()

    # A read the catalog for this link before the withdrawal; after at most the TTL it reads it again.
    page.wait_for_timeout(max(0.0, withdrawn_at + TTL_SECONDS - time.monotonic()) * 1000 + 100)
    open_view(page, replica_a, path)
    expect(page.get_by_text(WITHDRAWN)).to_be_visible()
    assert "Verkeerde peildatum (replicatest)" in page.locator("body").inner_text()
    assert "dataset=" not in page.url
    screenshot(page, "replicas-a-shows-withdrawal")


@pytest.fixture(scope="module")
def proxy(replicas: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The reference nginx config in front of both replicas (HTTPS with a test certificate)."""
    directory = tmp_path_factory.mktemp("nginx")
    ports = tuple(int(urlsplit(url).port or 0) for url in replicas)
    https_port = _free_port()
    config = main_config(directory, site_for_test(directory, replicas=ports, https_port=https_port,
                                                  http_port=_free_port()))
    with running(config, https_port):
        yield f"https://127.0.0.1:{https_port}"


def test_both_replicas_behind_nginx_serve_pages_websockets_and_uploads(
    proxy: str, database_url: str, browser: Browser
) -> None:
    with DatasetStore(database_url=database_url) as store:
        example = read_workbook(EXAMPLE_WORKBOOK).dataset
        record = store.publish(example, name="Achter de proxy", description="", published_by="browsertest",
                               validation_summary="ok")
    page = fresh_page(browser, ignore_https_errors=True)
    try:
        # The page itself is drawn over the WebSocket: seeing its numbers means the upgrade went through.
        open_view(page, proxy, f"?dataset={record.dataset_id}")
        assert_no_exception(page)
        assert metrics(page)["Gesprekken"]
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["cohort_route"]["secure"] and cookies["cohort_route"]["httpOnly"]
        # An upload is a separate HTTP request that must reach the replica holding this session.
        open_page_ready(page, proxy, "data")
        choose_file(page, EXAMPLE_WORKBOOK.name, EXAMPLE_WORKBOOK.read_bytes())
        expect(page.get_by_text(f"‘{EXAMPLE_WORKBOOK.name}’ gelezen en gecontroleerd: klaar om te publiceren"))\
            .to_be_visible()
        assert_no_exception(page)
        screenshot(page, "replicas-behind-nginx-upload")
    finally:
        page.context.close()

