"""Four-eyes publishing in Chromium through a real OpenID Connect login (issue 18): evaluator Anna publishes, a
viewer's link to it shows a Dutch notice, Anna cannot approve her own publication, evaluator Bert approves it,
and the viewer then sees the dataset with its status beside its name.

Like test_login.py: `oidc-provider-mock` on a thread, the app a separate `streamlit run` with its own secrets
(two evaluators, `four_eyes` not set: on by default with a login) and its own empty store.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from cohort.store import DatasetStore

from .conftest import _free_port, streamlit_server
from .helpers import (
    APP_TIMEOUT_MS,
    REPO_ROOT,
    SCREENSHOT_DIR,
    assert_no_exception,
    open_page,
    screenshot,
    wait_for_elements,
)
from .test_login import log_in
from .test_upload import choose_file

oidc_provider_mock = pytest.importorskip("oidc_provider_mock", reason="pip install -r requirements-dev.txt")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the workbooks of the AppTests
from versions_data import workbook  # noqa: E402

ANNA = "anna@amsterdam.nl"
BERT = "bert@amsterdam.nl"
LOG = REPO_ROOT / "artifacts" / "streamlit-four-eyes-server.log"
NAME = "Cohort t/m juni 2021 (vier ogen)"


@pytest.fixture(scope="module")
def four_eyes_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, store directory) of the app with login against the mock provider and two evaluators."""
    with oidc_provider_mock.run_server_in_thread() as server:
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        secrets = tmp_path_factory.mktemp("four-eyes-secrets") / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "{base_url}/oauth2callback"\n'
            'cookie_secret = "four-eyes-cookie-secret-0123456789abcdef"\n'
            'client_id = "cohortmonitor"\n'
            'client_secret = "four-eyes-client-secret"\n'
            f'server_metadata_url = "http://localhost:{server.server_port}/.well-known/openid-configuration"\n'
            "[cohort]\n"
            f'evaluators = ["{ANNA}", "{BERT}"]\n',
            encoding="utf-8",
        )
        store_dir = tmp_path_factory.mktemp("four-eyes-store")
        env = {
            **os.environ,
            "COHORT_STORE_DIR": str(store_dir),
            "COHORT_CACHE_DIR": str(tmp_path_factory.mktemp("four-eyes-cache")),
            "COHORT_BOUNDARIES_DOWNLOAD": "0",
            "PYTHONUNBUFFERED": "1",
        }
        with streamlit_server(port, env, LOG, "--secrets.files", str(secrets)) as url:
            yield url, store_dir


def new_page(browser: Browser) -> Page:
    # One context per person: login cookies must not carry over.
    return browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL",
                               timezone_id="Europe/Amsterdam").new_page()


def test_publish_as_one_evaluator_approve_as_the_other_then_the_viewer_sees_it(
    browser: Browser, four_eyes_app: tuple[str, Path],
) -> None:
    base_url, store_dir = four_eyes_app
    anna, bert, viewer = new_page(browser), new_page(browser), new_page(browser)
    try:
        # 1. Anna publishes: it waits for a second evaluator.
        log_in(anna, base_url, ANNA)
        choose_file(anna, "cohort-juni-2021.xlsx", workbook(6, revised=False))
        expect(anna.get_by_text("klaar om te publiceren")).to_be_visible()
        expect(anna.get_by_text("een tweede evaluator moet de dataset daarna goedkeuren")).to_be_visible()
        anna.get_by_label("Naam van de dataset (verplicht)").fill(NAME)
        anna.get_by_role("button", name="Publiceren").click()
        expect(anna.get_by_text(f"Ter goedkeuring aangeboden: ‘{NAME}’")).to_be_visible(timeout=APP_TIMEOUT_MS)
        wait_for_elements(anna)
        main = anna.locator('[data-testid="stMain"]')
        expect(main).to_contain_text("Ter goedkeuring (1)")
        expect(main).to_contain_text(f"U hebt ‘{NAME}’ zelf gepubliceerd")
        expect(anna.get_by_role("button", name="Goedkeuren")).to_be_disabled()
        assert_no_exception(anna, LOG)
        screenshot(anna, "four-eyes-1-published-by-anna", SCREENSHOT_DIR)
        [pending] = DatasetStore(store_dir).list_datasets(include_review=True)
        assert (pending.status, pending.published_by) == ("ter goedkeuring", ANNA)

        # 2. A viewer with a link to it gets a Dutch notice, not the data.
        open_page(viewer, base_url, f"gebieden?dataset={pending.dataset_id}")
        expect(viewer.get_by_text("Deze dataset wacht nog op goedkeuring door een tweede evaluator")).to_be_visible()
        expect(viewer.locator('[data-testid="stMain"]')).not_to_contain_text(NAME)
        assert_no_exception(viewer, LOG)
        screenshot(viewer, "four-eyes-2-viewer-before", SCREENSHOT_DIR)

        # 3. Bert approves.
        log_in(bert, base_url, BERT)
        wait_for_elements(bert)
        expect(bert.locator('[data-testid="stMain"]')).to_contain_text("Ter goedkeuring (1)")
        approve = bert.get_by_role("button", name="Goedkeuren")
        expect(approve).to_be_enabled()
        approve.click()
        # The success alert (a toast with the same text may still be showing beside it on a slow machine).
        expect(bert.get_by_test_id("stAlertContentSuccess").get_by_text(
            f"‘{NAME}’ is goedgekeurd en nu zichtbaar voor viewers.")).to_be_visible(timeout=APP_TIMEOUT_MS)
        assert_no_exception(bert, LOG)
        screenshot(bert, "four-eyes-3-approved-by-bert", SCREENSHOT_DIR)
        approved = DatasetStore(store_dir).get(pending.dataset_id)
        assert (approved.status, approved.published_by, approved.reviewed_by) == ("gepubliceerd", ANNA, BERT)
        log = DatasetStore(store_dir).audit_log()
        assert log.select("Door", "Actie").rows()[:2] == [(BERT, "goedkeuren"), (ANNA, "publiceren")]

        # 4. The viewer opens the same link again and sees the dataset, with its status beside its name.
        open_page(viewer, base_url, f"gebieden?dataset={pending.dataset_id}")
        wait_for_elements(viewer)
        main = viewer.locator('[data-testid="stMain"]')
        expect(main).to_contain_text(f"Dataset: {NAME} (voorlopig)")
        expect(viewer.get_by_text("wacht nog op goedkeuring")).to_have_count(0)
        assert_no_exception(viewer, LOG)
        screenshot(viewer, "four-eyes-4-viewer-after", SCREENSHOT_DIR)
    finally:
        for page in (anna, bert, viewer):
            page.context.close()
