"""Helpers for driving the Streamlit app in a real browser (Playwright sync API).

Streamlit 1.67 marks its root element `[data-testid="stApp"]` with `data-test-script-state`: "initial"
before the first run, then "running" / "rerunRequested" / "notRunning" (also "stopRequested",
"compilationError"). A page is ready when that state is "notRunning" after at least one run and the
running indicator is gone. No pytest here: scripts/take_screenshots.py uses these helpers too.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from cohort.ui.navigation import FOOTER_KEY, NAV_KEY
from cohort.ui.share import SHARE_BUTTON

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"
SERVER_LOG = REPO_ROOT / "artifacts" / "streamlit-server.log"  # written by the browser tests' app_server
APP_TIMEOUT_MS = 60_000

# Debian's Chromium; Playwright never downloads a browser.
CHROMIUM = os.environ.get("COHORT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}

_APP = '[data-testid="stApp"]'
_APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# Counts the script runs that finish (transitions into "notRunning"), so wait_for_rerun can tell a new
# run from the one before it, however fast the new one was. Installed once per document.
_RUN_COUNTER_JS = """
() => {
  if (window.__cohortRuns !== undefined) return;
  window.__cohortRuns = 0;
  window.__cohortRunsSeen = 0;
  let last = document.querySelector('[data-testid="stApp"]')?.getAttribute("data-test-script-state");
  new MutationObserver(() => {
    const state = document.querySelector('[data-testid="stApp"]')?.getAttribute("data-test-script-state");
    if (state === "notRunning" && last !== "notRunning") window.__cohortRuns += 1;
    last = state;
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["data-test-script-state"]});
}
"""


def wait_for_health(base_url: str, timeout_s: float, process: subprocess.Popen | None = None) -> None:
    """Poll <base_url>/_stcore/health until it answers "ok"; RuntimeError when the server died or the
    deadline passed."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not answer {base_url}/_stcore/health within {timeout_s:.0f} s")
        time.sleep(0.2)


def _wait_until_idle(page: Page, timeout_ms: int) -> None:
    page.wait_for_selector(_APP_IDLE, state="attached", timeout=timeout_ms)
    # The status widget ("Running...") fades out after the run; placeholder skeletons mean elements
    # are still being drawn.
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=timeout_ms)
    expect(page.locator('[data-testid="stAppSkeleton"]')).to_have_count(0, timeout=timeout_ms)
    expect(page.locator('[data-testid="stElementContainer"][data-stale="true"]')).to_have_count(0, timeout=timeout_ms)
    # Lazily loaded element code shows grey skeletons after the run has finished (see wait_for_elements).
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=timeout_ms)


def open_page(page: Page, base_url: str, path: str = "", timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Navigate to base_url/path and wait until the app has finished its first run."""
    url = base_url.rstrip("/") + "/" + path.lstrip("/")
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector(_APP, state="attached", timeout=timeout_ms)
    _wait_until_idle(page, timeout_ms)
    page.evaluate(_RUN_COUNTER_JS)


def wait_for_rerun(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """After an interaction (click, fill, select): wait until the rerun it triggered has finished.

    Times out when the interaction did not rerun the app at all; that is worth knowing too.
    """
    page.evaluate(_RUN_COUNTER_JS)  # no-op when open_page installed it; needed after a full reload
    page.wait_for_function(
        "() => window.__cohortRuns > window.__cohortRunsSeen"
        " && document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=timeout_ms,
    )
    page.evaluate("() => { window.__cohortRunsSeen = window.__cohortRuns; }")
    _wait_until_idle(page, timeout_ms)


# The app's own page list (cohort.ui.navigation): the sections at the top of the sidebar, the statement's link
# at the bottom. Streamlit's navigation is hidden.
NAV_LINKS = (f'.st-key-{NAV_KEY} a[data-testid="stPageLink-NavLink"], '
             f'.st-key-{FOOTER_KEY} a[data-testid="stPageLink-NavLink"]')


def navigation(page: Page) -> list[tuple[str, str]]:
    """(path, label) of every page in the sidebar's page list, in order; path "" is "/"."""
    links = page.locator(NAV_LINKS)
    result = []
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href") or ""
        # The link's text starts with its Material icon's ligature name ("dashboard"); the label is last.
        label = links.nth(i).inner_text().strip().splitlines()[-1].strip()
        result.append((re.sub(r"^https?://[^/]+", "", href).strip("/"), label))
    return result


def _last_traceback(log: Path, max_lines: int = 40) -> str:
    # With showErrorDetails = "none" the browser shows a generic message; the traceback is in the log.
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    start = text.rfind("Traceback (most recent call last)")
    return "" if start < 0 else "\n".join(text[start:].splitlines()[:max_lines])


def assert_no_exception(page: Page, server_log: Path = SERVER_LOG) -> None:
    """Fail when the app shows an uncaught exception or a Python traceback."""
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        details = "\n---\n".join(exceptions.all_inner_texts())
        raise AssertionError(
            f"{page.url} shows {exceptions.count()} exception(s):\n{details}\n"
            f"Last traceback in {server_log}:\n{_last_traceback(server_log) or '(none found)'}"
        )
    body = page.locator("body").inner_text()
    assert "Traceback" not in body, f"{page.url} shows a Python traceback:\n{body[:2000]}"


def screenshot(page: Page, name: str, directory: Path = SCREENSHOT_DIR) -> Path:
    """Save a PNG of the viewport to <directory>/<name>.png (artifacts/screenshots/ by default)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled")
    return path


def wait_for_elements(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until every element of the finished run is drawn, not only the run itself.

    Streamlit 1.67 loads the code of many elements (st.metric, selectbox, multiselect, radio, …) lazily and
    shows a `[data-testid="stSkeleton"]` placeholder until that code has arrived: right after open_page in a
    fresh browser context the script state is already "notRunning" while the tiles are still grey boxes.
    Call this after open_page / wait_for_rerun before reading values or running axe.
    """
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=timeout_ms)


def open_page_ready(page: Page, base_url: str, path: str = "", timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """open_page, then wait_for_elements: the page is run *and* drawn."""
    open_page(page, base_url, path, timeout_ms)
    wait_for_elements(page, timeout_ms)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option in a sidebar selectbox or multiselect by typing it, as a keyboard user would."""
    box = page.locator('section[data-testid="stSidebar"]').get_by_role("combobox", name=label)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_rerun(page)
    wait_for_elements(page)
    page.keyboard.press("Escape")


# What document.activeElement is, as a screen reader would name it.
_FOCUSED_JS = """
(shareTitle) => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const text = (id) => {
    const n = document.getElementById(id);
    return n ? (n.getAttribute('aria-label') || n.innerText || '') : '';
  };
  const labelledBy = e.getAttribute('aria-labelledby');
  let name = e.getAttribute('aria-label') || '';
  if (!name && labelledBy) name = labelledBy.split(/\\s+/).map(text).join(' ');
  if (!name && e.labels && e.labels.length) name = e.labels[0].innerText;
  const group = e.closest('[role=radiogroup], [role=group]');
  let share = false;
  for (let n = e.parentElement; n && !share; n = n.parentElement) {
    if (n.matches('[data-testid=stVerticalBlock]') && (n.innerText || '').trim().startsWith(shareTitle)) share = true;
  }
  return {
    tag: e.tagName.toLowerCase(), role: e.getAttribute('role') || e.getAttribute('type') || '',
    testid: e.getAttribute('data-testid') || '', name: name.trim(),
    group: group ? (group.getAttribute('aria-label') || '') : '',
    sidebar: !!e.closest('[data-testid=stSidebar]'), share: !!shareTitle && share,
    href: e.getAttribute('href'), current: e.getAttribute('aria-current') || '',
    text: (e.innerText || '').trim().slice(0, 200),
  };
}
"""


def focus_document_start(page: Page) -> None:
    """Make the next Tab go to the first tab stop of the document.

    Blurring is not enough: Chromium goes on from where the focus was before. Focusing an element at the very
    start of the document (not itself a tab stop, removed after the next Tab) sets the starting point there.
    """
    page.evaluate(
        """() => {
          window.scrollTo(0, 0);
          const start = document.createElement('span');
          start.tabIndex = -1;
          start.id = '__tab_start';
          document.body.prepend(start);
          start.focus();
        }"""
    )


def _press_tab(page: Page, share_title: str) -> dict[str, Any]:
    page.keyboard.press("Tab")
    page.evaluate("() => document.getElementById('__tab_start')?.remove()")
    return page.evaluate(_FOCUSED_JS, share_title) or {}


def tab_stops(page: Page, presses: int, share_title: str = "") -> list[dict[str, Any]]:
    """Press Tab `presses` times from the top of the document; what has the focus after each press (tag, role,
    accessible name, group, href, whether in the sidebar or in the container titled `share_title`)."""
    focus_document_start(page)
    return [_press_tab(page, share_title) for _ in range(presses)]


def tab_to(page: Page, matches: Callable[[dict[str, Any]], bool], max_presses: int = 60) -> dict[str, Any]:
    """Press Tab from the top of the document until the focused element `matches`; that element's description.
    AssertionError (with the trail) when it is not reached within `max_presses`."""
    focus_document_start(page)
    trail = []
    for _ in range(max_presses):
        stop = _press_tab(page, "")
        if matches(stop):
            return stop
        trail.append(f"{stop.get('tag')} {stop.get('role')} {stop.get('name') or stop.get('text', '')[:40]!r}")
    raise AssertionError(f"not reached within {max_presses} Tab presses; focus went:\n" + "\n".join(trail))


def share_expander(page: Page) -> Any:
    """The expander in the sidebar's share control that holds the link."""
    return page.locator('section[data-testid="stSidebar"] [data-testid="stExpander"]').filter(has_text=SHARE_BUTTON)


def share_link(page: Page) -> str:
    """The link in the sidebar's share control: open its expander (the code block is built only then) and read it.

    Drawing the code block with every page made the first chart wait for Streamlit's syntax highlighter
    (cohort.ui.share)."""
    expander = share_expander(page)
    expect(expander).to_be_visible(timeout=APP_TIMEOUT_MS)
    code = expander.locator('[data-testid="stCode"]')
    if code.count() == 0:
        expander.locator("summary").click()
    expect(code).to_be_visible(timeout=APP_TIMEOUT_MS)
    return code.last.inner_text().strip()
