"""What a viewer waits for, against a floor measured in the same run (issue 15).

`python -m bench.interactive --store DIR [--warm 5] [--changes 14] [--sessions 10,25,50] [--linger 60]
[--cold-repeats N]`

- **Floor**: `bench/floor_app.py`, a bare Streamlit app with one `st.plotly_chart` of the overview's own figure
  (the JSON the real app sends, taken from an AppTest run), same config, same machine, same browser.
- **First chart**: ms from navigation start (`performance.timeOrigin`) until the first chart is drawn by Plotly
  (`[data-testid="stPlotlyChart"] .main-svg`, recorded in the page by a MutationObserver, so waiting in Python
  adds nothing). Cold = first load after `streamlit run`; warm = fresh browser context each time. App and floor
  are loaded alternately, so both see the same machine load.
- **Filter change**: add a stadsdeel in the sidebar multiselect, then remove it again (Backspace), cycling
  through the stadsdelen; ms from the key/click until the chart's data in the page has changed (Plotly.react).
  On the overview and on Uitstroom, and on the floor (its rerun redraws one chart).
- **Cold, with and without the warm-up** (`--cold-repeats N`): the first chart of a fresh `serve.py` (the
  deployed server, which imports the package and reads the default dataset before its first viewer) and of a
  fresh bare `app.py`, alternately, N times each.
- **Concurrent sessions**: N Chromium contexts opened at once on the overview, each then changing one filter;
  errors (an exception element, a timeout), p50/p95 first chart, server RSS (sampled every 0.5 s) during, and
  every 5 s for `--linger` s after closing the last batch.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from bench.common import CHROMIUM, CHROMIUM_ARGS, REPO_ROOT, StreamlitServer, app_and_floor, emit, rss_mb

TIMEOUT_MS = 240_000
VIEWPORT = {"width": 1400, "height": 1000}
# Installed in every page before the app's own scripts: the time the first chart is drawn, and a counter of
# finished runs (the app's script-state attribute going back to notRunning).
OBSERVER_JS = """
(() => {
  window.__firstChart = null; window.__runs = 0; let running = false;
  const look = () => {
    if (window.__firstChart === null && document.querySelector('[data-testid="stPlotlyChart"] .main-svg')) {
      window.__firstChart = performance.now();
    }
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    if (state === 'running') running = true;
    if (state === 'notRunning' && running) { running = false; window.__runs += 1; }
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true});
})();
"""
CHART_DATA_JS = """() => {
  const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  return gd && gd._fullData ? JSON.stringify(gd._fullData.map((t) => [t.name, Array.from(t.y || []),
                                                                     Array.from(t.x || [])])) : null;
}"""
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
            "median": statistics.median(values) if values else float("nan"), "values": [round(v) for v in values]}


# --- The figures the app shows, for the floor --------------------------------------------------------------------


def extract_figures(store: Path, folder: Path) -> dict:
    """The overview's first chart as the app sends it (all areas, and one stadsdeel), via AppTest."""
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["COHORT_STORE_DIR"] = str(store)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=600)
    at.run()
    spec = at.get("plotly_chart")[0].proto.spec
    box = at.sidebar.multiselect(key="stadsdelen")
    options = list(box.options)
    box.select(options[-1]).run()
    filtered = at.get("plotly_chart")[0].proto.spec
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "alle.json").write_text(spec)
    (folder / "filtered.json").write_text(filtered)
    (folder / "options.json").write_text(json.dumps(options))
    return {"figure_json_bytes": len(spec.encode()), "options": options,
            "traces": len(json.loads(spec)["data"])}


# --- Browser helpers -------------------------------------------------------------------------------------------


def new_page(browser: Browser) -> tuple[object, Page]:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(OBSERVER_JS)
    return context, context.new_page()


def first_chart(browser: Browser, url: str) -> tuple[float, object, Page]:
    context, page = new_page(browser)
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    page.wait_for_function("() => window.__firstChart !== null", timeout=TIMEOUT_MS, polling=50)
    return float(page.evaluate("window.__firstChart")), context, page


def settle(page: Page) -> None:
    page.locator(IDLE).wait_for(state="attached", timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)


def _changed_ms(page: Page, before: str | None) -> float:
    handle = page.wait_for_function(
        f"(before) => {{ const now = ({CHART_DATA_JS})(); return now !== null && now !== before ? "
        "performance.now() : null; }", arg=before, polling="raf", timeout=TIMEOUT_MS)
    return float(handle.json_value())


def filter_changes(page: Page, options: list[str], changes: int) -> list[float]:
    """ms from the interaction until the chart's data changed, alternately adding and removing a stadsdeel."""
    box = page.locator('section[data-testid="stSidebar"]').get_by_role("combobox", name="Stadsdelen")
    times: list[float] = []
    for i in range(changes):
        settle(page)
        before = page.evaluate(CHART_DATA_JS)
        option = options[(i // 2) % len(options)]
        if i % 2 == 0:
            box.click()
            box.fill(option)
            target = page.get_by_role("option", name=option, exact=True)
            target.wait_for(state="visible", timeout=TIMEOUT_MS)
            started = float(page.evaluate("performance.now()"))
            target.click()
        else:
            box.click()
            started = float(page.evaluate("performance.now()"))
            page.keyboard.press("Backspace")
        times.append(_changed_ms(page, before) - started)
        page.keyboard.press("Escape")
    settle(page)
    return times


def errors_on(page: Page) -> int:
    return page.locator('[data-testid="stException"]').count()


# --- The parts ------------------------------------------------------------------------------------------------


def first_chart_part(browser: Browser, app: StreamlitServer, floor: StreamlitServer, warm: int) -> dict:
    result: dict[str, dict] = {"app": {"warm": []}, "floor": {"warm": []}}
    targets = {"app": f"{app.url}/overzicht", "floor": floor.url}
    for name in ("floor", "app"):  # cold: the first load after each server started
        ms, context, page = first_chart(browser, targets[name])
        result[name]["cold"] = ms
        result[name]["errors"] = errors_on(page)
        context.close()
    for _ in range(warm):
        for name in ("app", "floor"):
            ms, context, page = first_chart(browser, targets[name])
            result[name]["warm"].append(ms)
            result[name]["errors"] += errors_on(page)
            context.close()
    for name in result:
        result[name]["warm_median"] = statistics.median(result[name]["warm"])
    return result


def filter_part(browser: Browser, app: StreamlitServer, floor: StreamlitServer, options: list[str],
                changes: int) -> dict:
    result = {}
    for name, url in (("floor", floor.url), ("overzicht", f"{app.url}/overzicht"),
                      ("uitstroom", f"{app.url}/uitstroom")):
        _, context, page = first_chart(browser, url)
        result[name] = summary(filter_changes(page, options, changes))
        result[name]["errors"] = errors_on(page)
        context.close()
    return result


class RssSampler:
    """VmRSS of the server every 0.5 s in a thread; `peak()` since the last `reset()`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._peak = max(self._peak, rss_mb(self.pid))

    def reset(self) -> None:
        self._peak = rss_mb(self.pid)

    def peak(self) -> float:
        return max(self._peak, rss_mb(self.pid))

    def stop(self) -> None:
        self._stop.set()


def concurrency_part(browser: Browser, store: Path, logs: Path, sessions: list[int], options: list[str],
                     linger: float) -> dict:
    server = StreamlitServer(store, logs / "server-concurrent.log")
    sampler = RssSampler(server.pid)
    try:
        url = f"{server.url}/overzicht"
        _, context, page = first_chart(browser, url)
        settle(page)
        time.sleep(2)
        one_session = rss_mb(server.pid)
        context.close()
        batches = []
        for n in sessions:
            sampler.reset()
            opened = [new_page(browser) for _ in range(n)]
            started = time.perf_counter()
            for _, page in opened:
                page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
            first, failures = [], 0
            for _, page in opened:
                try:
                    page.wait_for_function("() => window.__firstChart !== null", timeout=TIMEOUT_MS, polling=100)
                    first.append(float(page.evaluate("window.__firstChart")))
                except Exception:  # a timeout is an error of this batch, not of the benchmark
                    failures += 1
            all_charts_s = time.perf_counter() - started
            # Then every session changes one filter (a different stadsdeel per session), all at once.
            befores = []
            for i, (_, page) in enumerate(opened):
                befores.append(page.evaluate(CHART_DATA_JS))
                box = page.locator('section[data-testid="stSidebar"]').get_by_role("combobox", name="Stadsdelen")
                try:
                    box.click(timeout=TIMEOUT_MS)
                    box.fill(options[i % len(options)])
                    page.get_by_role("option", name=options[i % len(options)], exact=True).click(timeout=TIMEOUT_MS)
                except Exception:
                    failures += 1
            change_started = time.perf_counter()
            for (_, page), before in zip(opened, befores, strict=True):
                try:
                    _changed_ms(page, before)
                    settle(page)
                except Exception:
                    failures += 1
            changes_s = time.perf_counter() - change_started
            exceptions = sum(errors_on(page) for _, page in opened)
            batches.append({"sessions": n, "errors": failures + exceptions, "exceptions": exceptions,
                            "first_chart": summary(first), "all_charts_s": all_charts_s,
                            "all_changes_s": changes_s, "rss_peak_mb": sampler.peak(),
                            "rss_after_mb": rss_mb(server.pid)})
            print("concurrent", batches[-1]["sessions"], batches[-1]["errors"], batches[-1]["first_chart"]["p95"],
                  flush=True)
            for context, _ in opened:
                context.close()
        closed_at = time.perf_counter()
        trace = []
        while time.perf_counter() - closed_at < linger:
            time.sleep(5)
            trace.append((round(time.perf_counter() - closed_at), rss_mb(server.pid)))
        return {"one_session_rss_mb": one_session, "batches": batches, "after_close_trace": trace}
    finally:
        sampler.stop()
        server.stop()


def cold_part(browser: Browser, store: Path, logs: Path, repeats: int) -> dict:
    """Cold first chart of the deployed server (`serve.py`, warmed up before its first viewer) against the bare
    `app.py` (the first viewer also waits for the imports and the dataset), alternately, a fresh server each."""
    result: dict[str, list[float]] = {"serve.py": [], "app.py": []}
    for round_ in range(repeats):
        for script in ("serve.py", "app.py"):
            server = StreamlitServer(store, logs / f"server-cold-{script}-{round_}.log", script=script)
            try:
                ms, context, _page = first_chart(browser, f"{server.url}/overzicht")
                context.close()
                result[script].append(ms)
            finally:
                server.stop()
    return {script: summary(values) for script, values in result.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--changes", type=int, default=14)
    parser.add_argument("--sessions", default="10,25,50")
    parser.add_argument("--linger", type=float, default=60)
    parser.add_argument("--skip-concurrency", action="store_true")
    parser.add_argument("--cold-repeats", type=int, default=0,
                        help="also: cold first chart of serve.py against app.py without warm-up, N times each")
    args = parser.parse_args()
    store = Path(args.store)
    logs = Path(tempfile.mkdtemp(prefix="cohort-bench-interactive-"))
    figures = extract_figures(store, logs / "floor")
    options = figures["options"]
    result: dict = {"figures": figures, "logs": str(logs)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            with app_and_floor(store, logs) as (app, floor):
                result["first_chart"] = first_chart_part(browser, app, floor, args.warm)
                print("first chart", json.dumps(result["first_chart"]), flush=True)
                result["filter"] = filter_part(browser, app, floor, options, args.changes)
                print("filter", json.dumps(result["filter"]), flush=True)
            if args.cold_repeats:
                result["cold"] = cold_part(browser, store, logs, args.cold_repeats)
                print("cold", json.dumps(result["cold"]), flush=True)
            if not args.skip_concurrency:
                result["concurrency"] = concurrency_part(browser, store, logs, [int(s) for s in
                                                                                 args.sessions.split(",")],
                                                         options, args.linger)
        finally:
            browser.close()
    emit(result)


if __name__ == "__main__":
    main()
