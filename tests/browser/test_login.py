"""A real OpenID Connect login in Chromium: an evaluator and a viewer log in and open the page "Data".

The identity provider is `oidc-provider-mock`, started on a thread by this test; the app is a separate
`streamlit run` with its own secrets file (`--secrets.files`), so the shared local-mode server of the other
browser tests is untouched. The mock's login form takes any subject; its e-mail claim is the subject.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import _free_port, streamlit_server
from .helpers import (
    APP_TIMEOUT_MS,
    REPO_ROOT,
    SCREENSHOT_DIR,
    assert_no_exception,
    open_page,
    screenshot,
)

oidc_provider_mock = pytest.importorskip("oidc_provider_mock", reason="pip install -r requirements-dev.txt")

EVALUATOR = "evaluator@amsterdam.nl"
VIEWER = "raadslid@amsterdam.nl"
LOGIN_LOG = REPO_ROOT / "artifacts" / "streamlit-login-server.log"


@pytest.fixture(scope="module")
def oidc_server() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def auth_app(oidc_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with login configured against the mock provider; yields its base URL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"  # the redirect_uri's host too, or the login cookie lands elsewhere
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{base_url}/oauth2callback"\n'
        'cookie_secret = "browser-test-cookie-secret-0123456789abcdef"\n'
        'client_id = "cohortmonitor"\n'
        'client_secret = "browser-test-client-secret"\n'
        f'server_metadata_url = "{oidc_server}/.well-known/openid-configuration"\n'
        "[cohort]\n"
        f'evaluators = ["{EVALUATOR.upper()}"]\n',  # capitals: the allowlist ignores case
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "COHORT_STORE_DIR": str(tmp_path_factory.mktemp("login-store")),
        "COHORT_CACHE_DIR": str(tmp_path_factory.mktemp("login-cache")),
        "COHORT_BOUNDARIES_DOWNLOAD": "0",
        "PYTHONUNBUFFERED": "1",
    }
    with streamlit_server(port, env, LOGIN_LOG, "--secrets.files", str(secrets)) as url:
        yield url


@pytest.fixture
def fresh_page(browser: Browser) -> Iterator[Page]:
    # Each user in a context of their own: the login cookie must not carry over.
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Page, base_url: str, email: str) -> None:
    """Click the sidebar's login button, authorise at the provider, come back logged in, open /data."""
    open_page(page, base_url, "data")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("U bekijkt de Cohortmonitor als viewer")
    sidebar.get_by_role("button", name="Inloggen als evaluator").click()
    page.get_by_placeholder("sub").first.fill(email, timeout=APP_TIMEOUT_MS)
    page.get_by_role("button", name="Authorize").click()
    # Streamlit's callback sets the login cookie and sends the browser back to the app.
    page.wait_for_url(f"{base_url}/**", timeout=APP_TIMEOUT_MS)
    open_page(page, base_url, "data")
    expect(sidebar).to_contain_text(f"Ingelogd als {email}", timeout=APP_TIMEOUT_MS)


def test_logged_out_visitor_is_a_viewer(auth_app: str, fresh_page: Page):
    open_page(fresh_page, auth_app, "data")
    main = fresh_page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Alleen evaluatoren uploaden, publiceren en beheren datasets")
    expect(main).to_contain_text("U bent niet ingelogd")
    expect(fresh_page.locator('[data-testid="stFileUploader"]')).to_have_count(0)
    expect(fresh_page.locator("body")).not_to_contain_text("Lokale modus")
    assert_no_exception(fresh_page, LOGIN_LOG)


def test_evaluator_logs_in_and_may_upload(auth_app: str, fresh_page: Page):
    log_in(fresh_page, auth_app, EVALUATOR)
    expect(fresh_page.locator('[data-testid="stSidebar"]')).to_contain_text("rol: evaluator")
    expect(fresh_page.locator('[data-testid="stFileUploader"]')).to_have_count(1)
    expect(fresh_page.locator('[data-testid="stMain"]')).to_contain_text("4. Logboek")
    assert_no_exception(fresh_page, LOGIN_LOG)
    screenshot(fresh_page, "login-evaluator-data", SCREENSHOT_DIR)


def test_viewer_logs_in_and_only_reads(auth_app: str, fresh_page: Page):
    log_in(fresh_page, auth_app, VIEWER)
    expect(fresh_page.locator('[data-testid="stSidebar"]')).to_contain_text("rol: viewer")
    main = fresh_page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("niet op de lijst van evaluatoren")
    expect(fresh_page.locator('[data-testid="stFileUploader"]')).to_have_count(0)
    expect(main).not_to_contain_text("Logboek")
    assert_no_exception(fresh_page, LOGIN_LOG)
    screenshot(fresh_page, "login-viewer-data", SCREENSHOT_DIR)
    # And out again: Streamlit ends the session at the provider too (RP-initiated logout), then comes back.
    fresh_page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Uitloggen").click()
    fresh_page.get_by_role("button", name="End session").click(timeout=APP_TIMEOUT_MS)
    fresh_page.wait_for_url(f"{auth_app}/**", timeout=APP_TIMEOUT_MS)
    open_page(fresh_page, auth_app, "data")
    expect(fresh_page.locator('[data-testid="stSidebar"]')).to_contain_text("Inloggen als evaluator")
    expect(main).to_contain_text("U bent niet ingelogd")
