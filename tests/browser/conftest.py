"""Browser harness: one Streamlit server and one Chromium per test session, a fresh page per test.

Chromium is Debian's /usr/bin/chromium (COHORT_CHROMIUM overrides the path); Playwright never downloads a
browser. When Chromium cannot start, the browser tests are skipped locally and fail under CI=true.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Error, Page, sync_playwright

from cohort.pagemodels.accessibility import STATEMENT
from cohort.ui.navigation import ALL_PAGES

from .helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO_ROOT,
    SCREENSHOT_DIR,
    SERVER_LOG,
    VIEWPORT,
    screenshot,
    wait_for_health,
)
from .statement_check import MARKER, RECORDER, marked_tests, statement_ids, verify, write_results

SERVER_START_TIMEOUT_S = 90
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A conftest's own `pytestmark` does not reach the test modules; mark everything below this folder.
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(check): the test proves this check of the accessibility statement (statement_check.py)"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    # Keep each phase's report on the item, so the page fixture can screenshot a failed test.
    report = yield
    setattr(item, f"report_{report.when}", report)
    _record_statement_outcome(item, report)
    return report


def _record_statement_outcome(item: pytest.Item, report: pytest.TestReport) -> None:
    marker = item.get_closest_marker(MARKER)
    if marker is None or not (report.when == "call" or (report.when == "setup" and not report.passed)):
        return
    # A strict xfail that passed is reported as failed, without wasxfail.
    xfail = hasattr(report, "wasxfail")
    outcome = ("xfailed" if report.skipped else "xpassed") if xfail else report.outcome
    page = item.callspec.params.get("path") if hasattr(item, "callspec") else None
    RECORDER.test_outcome(marker.args[0], item.nodeid, page, outcome)


_statement_summary: list[str] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write what the suite checked to artifacts/a11y-results.json; after a run of every statement test,
    compare the accessibility statement with it and fail the run where the statement says more."""
    if not RECORDER.records:
        return
    results = RECORDER.results(spec.url_path for spec in ALL_PAGES)
    selected: dict[str, set[str]] = {}
    for item in session.items:
        marker = item.get_closest_marker(MARKER)
        if marker is not None:
            selected.setdefault(marker.args[0], set()).add(getattr(item, "originalname", item.name))
    expected = marked_tests()
    not_run = sorted(
        f"{check}: {name}" for check in statement_ids(STATEMENT) | set(expected)
        for name in expected.get(check, set()) - selected.get(check, set())
    )
    skipped = sorted({r["test"] for r in RECORDER.records if r["outcome"] == "skipped"})
    problems: list[str] = []
    if not_run:
        more = ", …" if len(not_run) > 5 else ""
        note = f"not verified: this run left out statement tests ({', '.join(not_run[:5])}{more})"
    elif session.testsfailed:
        note = "not verified: tests failed"
    elif skipped:
        note = f"NOT VERIFIED: {len(skipped)} statement test(s) were skipped, e.g. {skipped[0]}"
        if IN_CI:
            problems.append(note)
    else:
        problems = verify(STATEMENT, results)
        note = "verified: the statement says what the tests showed" if not problems else "WRONG"
    path = write_results({**results, "verification": {"note": note, "problems": problems}})
    _statement_summary[:] = [f"accessibility statement (cohort.pagemodels.accessibility) {note}; results in {path}"]
    if problems:
        _statement_summary.extend(f"  - {problem}" for problem in problems)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in _statement_summary:
        terminalreporter.write_line(line, red=line.startswith("  - ") or "WRONG" in line or "NOT" in line)


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason, pytrace=False)
    pytest.skip(f"!!! BROWSER TESTS SKIPPED: {reason}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


OFFICIAL_BOUNDARIES = REPO_ROOT.parent / "shared" / "data" / "boundaries"
LAYER_FILES = {
    "GEBIEDEN22": "gebieden_2015_GEBIEDEN22.geojson",
    "INDELING_GEBIED": "gebieden_2022_INDELING_GEBIED.geojson",
    "INDELING_STADSDEEL": "stadsdelen_2022_INDELING_STADSDEEL.geojson",
}


def _start_local_geodata_service() -> str | None:
    """Serve ../shared's official boundary files as the city's `geojson_lnglat.php?KAARTLAAG=…` would."""
    if not OFFICIAL_BOUNDARIES.is_dir():
        return None

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            layer = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("KAARTLAAG", [""])[0]
            path = OFFICIAL_BOUNDARIES / LAYER_FILES.get(layer, "missing")
            if not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # keep the test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/geojson_lnglat.php"


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dataset store of the test server: tests may publish into it (it is read per request)."""
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory, store_dir: Path) -> Iterator[str]:
    """Start `streamlit run serve.py` (the app with its warm-up) on a free port with an empty store; yield its
    base URL."""
    if not (REPO_ROOT / "app.py").is_file():
        pytest.fail(f"{REPO_ROOT / 'app.py'} is missing: there is no app to test", pytrace=False)
    port = _free_port()
    env = {
        **os.environ,
        "COHORT_STORE_DIR": str(store_dir),
        "COHORT_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "PYTHONUNBUFFERED": "1",
    }
    # Tests never reach out to the city's geodata service. Where the official files are beside the project
    # (../shared, as in CI), a local server plays the service, so the browser shows the real polygons through
    # the real download-and-cache path; otherwise the map falls back to its schematic tiles.
    geodata = _start_local_geodata_service()
    if geodata:
        env.setdefault("COHORT_GEODATA_URL", geodata)
        env.setdefault("COHORT_BOUNDARIES_DOWNLOAD", "1")
    else:
        env.setdefault("COHORT_BOUNDARIES_DOWNLOAD", "0")
    with streamlit_server(port, env, SERVER_LOG) as base_url:
        yield base_url


@contextlib.contextmanager
def streamlit_server(port: int, env: dict[str, str], log_path: Path, *extra_args: str) -> Iterator[str]:
    """Run `streamlit run serve.py` (`app.py` behind the server's warm-up, as deployed) on 127.0.0.1:`port` until
    the block ends; yield its base URL."""
    command = [
        sys.executable, "-m", "streamlit", "run", "serve.py",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        *extra_args,
    ]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_health(base_url, SERVER_START_TIMEOUT_S, process)
        except RuntimeError as error:
            tail = "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-40:])
            pytest.fail(f"{error}; server log ({log_path}):\n{tail}", pytrace=False)
        yield base_url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing; install it with `apt-get install chromium` (scripts/test.sh does)")
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        except Error as error:
            _unavailable(f"Chromium at {CHROMIUM} did not start: {error}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context and page: 1400×1000, Dutch locale, Amsterdam time."""
    context = browser.new_context(viewport=VIEWPORT, locale="nl-NL", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        name = "FAILED-" + request.node.name.replace("/", "_").replace("[", "-").rstrip("]")
        try:
            path = screenshot(page, name, SCREENSHOT_DIR)
            print(f"screenshot of the failed test: {path}")
        except Error:
            pass
    context.close()
