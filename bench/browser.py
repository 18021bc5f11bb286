"""Parts 3 and 4: the overview in Chromium (Playwright, Debian's /usr/bin/chromium, never a downloaded browser).

`python -m bench.browser --store DIR [--dataset-id ID] [--sessions 1,10,25] [--warm 5] [--linger 30]`
3. Time from navigation start (performance.timeOrigin) until the first `stPlotlyChart` is visible: cold (the first
   load after a fresh `streamlit run app.py`) and warm (new browser context each time, same server).
4. On a second fresh server: VmRSS of the streamlit process with 1, 10 and 25 concurrent sessions (one browser,
   one context per session), then after closing them all.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from bench.common import CHROMIUM, CHROMIUM_ARGS, StreamlitServer, emit, rss_mb

CHART = '[data-testid="stPlotlyChart"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT_MS = 240_000
VIEWPORT = {"width": 1400, "height": 1000}


def first_chart_ms(browser: Browser, url: str) -> tuple[float, object]:
    """Open `url` in a fresh context; ms from navigation start until the first chart is visible."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    page.locator(CHART).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    elapsed = page.evaluate("performance.now()")
    return float(elapsed), context


def part3(browser: Browser, store: Path, logs: Path, dataset_id: str | None, warm: int) -> dict:
    server = StreamlitServer(store, logs / "server-first-chart.log")
    try:
        url = f"{server.url}/overzicht"
        cold, context = first_chart_ms(browser, url)
        context.close()
        warm_ms = []
        for _ in range(warm):
            ms, context = first_chart_ms(browser, url)
            warm_ms.append(ms)
            context.close()
        result = {"cold_ms": cold, "warm_ms": warm_ms, "warm_median_ms": statistics.median(warm_ms)}
        if dataset_id:
            large_url = f"{server.url}/overzicht?dataset={dataset_id}"
            first, context = first_chart_ms(browser, large_url)
            context.close()
            again = []
            for _ in range(max(1, warm // 2)):
                ms, context = first_chart_ms(browser, large_url)
                again.append(ms)
                context.close()
            result.update(large_first_ms=first, large_warm_median_ms=statistics.median(again))
        result["server_rss_mb"] = rss_mb(server.pid)
        return result
    finally:
        server.stop()


def _open(browser: Browser, url: str) -> tuple[object, Page]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    return context, page


def _settle(pages: list[Page]) -> None:
    for page in pages:
        page.locator(CHART).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        page.locator(IDLE).wait_for(state="attached", timeout=TIMEOUT_MS)
    time.sleep(3)  # let the server finish sending and collect garbage from the runs


def part4(browser: Browser, store: Path, logs: Path, sessions: list[int], linger: float) -> dict:
    server = StreamlitServer(store, logs / "server-memory.log")
    try:
        url = f"{server.url}/overzicht"
        time.sleep(2)
        samples: dict[str, float] = {"0 (idle server)": rss_mb(server.pid)}
        opened: list[tuple[object, Page]] = []
        for target in sessions:
            started = time.perf_counter()
            new = [_open(browser, url) for _ in range(target - len(opened))]
            opened += new
            _settle([page for _, page in new])
            samples[str(target)] = rss_mb(server.pid)
            samples[f"{target}_ready_s"] = time.perf_counter() - started
        for context, _ in opened:
            context.close()
        closed_at = time.perf_counter()
        trace = []
        while time.perf_counter() - closed_at < linger:
            time.sleep(5)
            trace.append((round(time.perf_counter() - closed_at), rss_mb(server.pid)))
        samples["after_close"] = trace[-1][1] if trace else rss_mb(server.pid)
        return {"rss_mb": samples, "after_close_trace": trace}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--dataset-id")
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--sessions", default="1,10,25")
    parser.add_argument("--linger", type=float, default=30)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    store = Path(args.store)
    logs = Path(tempfile.mkdtemp(prefix="cohort-bench-logs-"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            first_chart = part3(browser, store, logs, args.dataset_id, args.warm)
            print("first chart", first_chart, flush=True)
            memory = None
            if not args.skip_memory:
                memory = part4(browser, store, logs, [int(s) for s in args.sessions.split(",")], args.linger)
        finally:
            browser.close()
    emit({"first_chart": first_chart, "memory": memory, "logs": str(logs)})


if __name__ == "__main__":
    main()
