"""Screenshot every page of a running Cohortmonitor into docs/screenshots/ (used by scripts/screenshots.sh).

    python scripts/take_screenshots.py --base-url http://127.0.0.1:8501 [--out docs/screenshots]

Pages are found in the sidebar navigation. Each file is named after the page's URL path
(docs/screenshots/<url_path>.png); the default page, served at "/", is named after its label.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import unicodedata
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]


def _load_helpers():
    # tests/browser/helpers.py is the one place that knows how to wait for a Streamlit page.
    spec = importlib.util.spec_from_file_location("browser_helpers", ROOT / "tests" / "browser" / "helpers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--startup-timeout", type=float, default=90)
    parser.add_argument("--server-log", type=Path, default=ROOT / "artifacts" / "screenshots-server.log")
    args = parser.parse_args()
    helpers = _load_helpers()
    base_url = args.base_url.rstrip("/")
    helpers.wait_for_health(base_url, args.startup_timeout)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=helpers.CHROMIUM, args=helpers.CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport=helpers.VIEWPORT, locale="nl-NL", timezone_id="Europe/Amsterdam")
        page = context.new_page()
        helpers.open_page(page, base_url)
        pages = helpers.navigation(page) or [("", "overzicht")]  # a single-page app has no navigation
        failures = 0
        for path, label in pages:
            helpers.open_page(page, base_url, path)
            try:
                helpers.assert_no_exception(page, args.server_log)
            except AssertionError as error:
                failures += 1
                print(f"WARNING: {error}", file=sys.stderr)
            name = slug(path.split("/")[-1]) or slug(label) or "home"
            shot = helpers.screenshot(page, name, args.out)
            print(f"{shot}  ({label})")
        browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
