"""Benchmark: is a briefing (one A4 PDF) ready within 2 s? Not a test; run it by hand:

    .venv/bin/python -m bench.briefing            # in-process and in Chromium; writes bench/results-briefing.md
    .venv/bin/python -m bench.briefing --skip-browser

Measured:

1. Cold: a fresh Python process imports ``cohort.briefing`` and renders one briefing (reportlab's import and the
   font registration included): what the first click after a server start costs.
2. Warm: the median and worst of 20 renders in one process, for the city (official boundaries when
   ../shared has them, else the schematic map), an area, an area with hidden values and the longest texts.
3. Click to file: a Streamlit server with the real ``briefing_download`` button; Chromium clicks it and waits for
   the download (the server renders on the click, in Streamlit's worker thread). Median of 5 clicks.

The BriefingData come from tests/briefing_examples.py (hand-made, as a page model would fill it): building it from
a page model is the page model's cost and is not measured here.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import datetime
from pathlib import Path

from bench.common import CHROMIUM, CHROMIUM_ARGS, JSON_MARK, REPO_ROOT, emit, free_port, machine_info

BUDGET_S = 2.0
RESULTS = REPO_ROOT / "bench" / "results-briefing.md"
TESTS = REPO_ROOT / "tests"


def _fixtures() -> dict:
    sys.path.insert(0, str(TESTS))
    import briefing_examples as ex

    city_locator = ex.official_locator(set(), "Amsterdam: 22 gebieden")
    area_locator = ex.official_locator({"DX07"}, "Ligging van Osdorp")
    return {
        "stad (officiële grenzen)" if city_locator else "stad (schematisch)": ex.build_briefing_data_city(city_locator),
        "gebied (officiële grenzen)" if area_locator else "gebied (schematisch)":
            ex.build_briefing_data_example(area_locator),
        "gebied met verborgen waarden": ex.build_briefing_data_hidden(),
        "lange namen": ex.build_briefing_data_long_names(),
    }


def cold_worker() -> None:
    """Runs in a fresh process: import + first render of the city briefing."""
    started = time.perf_counter()
    from cohort.briefing import render_briefing_pdf

    imported = time.perf_counter()
    data = next(iter(_fixtures().values()))
    built = time.perf_counter()
    pdf = render_briefing_pdf(data)
    done = time.perf_counter()
    emit({"import_s": imported - started, "render_s": done - built, "total_s": (imported - started) + (done - built),
          "bytes": len(pdf)})


def measure_cold() -> dict:
    completed = subprocess.run([sys.executable, "-m", "bench.briefing", "--cold-worker"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=300,
                               env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"),
                                                                                 os.environ.get("PYTHONPATH", "")])})
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(JSON_MARK):
            return json.loads(line[len(JSON_MARK):])
    raise RuntimeError(f"cold worker failed: {completed.stderr[-2000:]}")


def measure_warm(repeats: int = 20) -> list[dict]:
    from cohort.briefing import render_briefing_pdf

    rows = []
    for name, data in _fixtures().items():
        render_briefing_pdf(data)  # warm-up
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            pdf = render_briefing_pdf(data)
            times.append(time.perf_counter() - started)
        rows.append({"name": name, "median_s": statistics.median(times), "max_s": max(times), "bytes": len(pdf)})
    return rows


APP = textwrap.dedent('''
    import sys
    sys.path.insert(0, {tests!r})
    import streamlit as st
    import briefing_examples as ex
    from cohort.ui.briefing import briefing_download

    @st.cache_resource
    def locator():
        return ex.official_locator(set(), "Amsterdam: 22 gebieden")

    st.title("Briefing-benchmark")
    loc = locator()
    briefing_download(lambda: ex.build_briefing_data_city(loc), key="briefing_city",
                      file_name="briefing_amsterdam_2021-06-30.pdf")
''')


def measure_browser(clicks: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-briefing-"))
    script = folder / "app.py"
    script.write_text(APP.format(tests=str(TESTS)), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        sys.path.insert(0, str(REPO_ROOT))
        from tests.browser.helpers import open_page_ready, wait_for_health

        base = f"http://127.0.0.1:{port}"
        wait_for_health(base, 90, server)
        times = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page()
            open_page_ready(page, base)
            button = page.get_by_role("button", name="Briefing (pdf)")
            for _ in range(clicks + 1):  # the first click is the cold one (reportlab import, fonts)
                started = time.perf_counter()
                with page.expect_download(timeout=30_000) as info:
                    button.click()
                size = Path(info.value.path()).stat().st_size
                times.append(time.perf_counter() - started)
            browser.close()
        return {"first_s": times[0], "median_s": statistics.median(times[1:]), "max_s": max(times[1:]),
                "bytes": size}
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--cold-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_worker:
        cold_worker()
        return
    load_start = os.getloadavg()
    cold = measure_cold()
    warm = measure_warm()
    browser = None if args.skip_browser or not os.access(CHROMIUM, os.X_OK) else measure_browser()
    info = machine_info()
    import importlib.metadata as md

    lines = [
        "# Briefing benchmark", "",
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, `python -m bench.briefing"
        f"{' --skip-browser' if args.skip_browser else ''}`; {info['cpu']}, {info['memory']}, Python "
        f"{info['python']}, reportlab {md.version('reportlab')}, streamlit {info.get('streamlit', '?')}; load "
        f"average at start {load_start[0]:.2f}, at end {os.getloadavg()[0]:.2f}.", "",
        f"Budget: a briefing is ready within {BUDGET_S:.0f} s. Ratio = budget / measured time (higher is better).",
        "",
        "| what | time | ratio to budget | PDF size |",
        "|---|---|---|---|",
        f"| cold: fresh process, import {cold['import_s'] * 1000:.0f} ms + first render | "
        f"{cold['total_s'] * 1000:.0f} ms | {BUDGET_S / cold['total_s']:.0f}× | {cold['bytes'] / 1024:.0f} KB |",
    ]
    for row in warm:
        lines.append(f"| warm render, {row['name']} (median of 20; worst {row['max_s'] * 1000:.0f} ms) | "
                     f"{row['median_s'] * 1000:.0f} ms | {BUDGET_S / row['median_s']:.0f}× | "
                     f"{row['bytes'] / 1024:.0f} KB |")
    if browser:
        lines.append(f"| Chromium: click → file downloaded, first click after start | "
                     f"{browser['first_s'] * 1000:.0f} ms | {BUDGET_S / browser['first_s']:.1f}× | "
                     f"{browser['bytes'] / 1024:.0f} KB |")
        lines.append(f"| Chromium: click → file downloaded, median of 5 (worst {browser['max_s'] * 1000:.0f} ms) | "
                     f"{browser['median_s'] * 1000:.0f} ms | {BUDGET_S / browser['median_s']:.1f}× | |")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
