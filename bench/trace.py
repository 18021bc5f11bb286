"""Where the time to the first chart goes, app vs floor: one warm load each, traced in Chromium.

`python -m bench.trace --store DIR [--path /overzicht] [--trace-file out.json]`

Per load: the WebSocket frames the server sent before the first chart was drawn (count, bytes, arrival time of
the first frame and of the frame that carries the chart), elements in the page before the chart, main-thread
long tasks (PerformanceObserver `longtask`, ms of script and layout before the chart), the figure JSON size,
and optionally a full Chromium performance trace (`browser.start_tracing`, open it in chrome://tracing).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench.common import CHROMIUM, CHROMIUM_ARGS, app_and_floor, emit
from bench.interactive import OBSERVER_JS, TIMEOUT_MS, VIEWPORT, extract_figures

LONGTASK_JS = """
(() => {
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) {}
})();
"""


def traced_load(browser: Browser, url: str, trace_file: Path | None) -> dict:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(OBSERVER_JS)
    context.add_init_script(LONGTASK_JS)
    page = context.new_page()
    frames: list[tuple[float, int, bool]] = []
    started = time.perf_counter()

    def on_socket(socket) -> None:
        def on_frame(payload) -> None:
            data = payload if isinstance(payload, bytes) else payload.encode()
            frames.append(((time.perf_counter() - started) * 1000, len(data), b"plotly" in data.lower()))

        socket.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    if trace_file is not None:
        browser.start_tracing(page=page, path=str(trace_file), screenshots=False)
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    page.wait_for_function("() => window.__firstChart !== null", timeout=TIMEOUT_MS, polling=50)
    chart_ms = float(page.evaluate("window.__firstChart"))
    drawn_at = (time.perf_counter() - started) * 1000
    page.wait_for_timeout(1500)
    if trace_file is not None:
        browser.stop_tracing()
    long_tasks = page.evaluate("window.__longTasks")
    elements = page.evaluate("document.querySelectorAll('[data-testid=\"stElementContainer\"]').length")
    context.close()
    before = [f for f in frames if f[0] <= drawn_at]
    chart_frame = next((f for f in frames if f[2]), None)
    return {
        "first_chart_ms": chart_ms,
        "frames_before_chart": len(before), "bytes_before_chart": sum(f[1] for f in before),
        "frames_total": len(frames), "bytes_total": sum(f[1] for f in frames),
        "first_frame_ms": frames[0][0] if frames else None,
        "chart_frame_ms": chart_frame[0] if chart_frame else None,
        "chart_drawn_ms_wall": drawn_at,
        "long_tasks_before_chart_ms": sum(d for s, d in long_tasks if s <= chart_ms),
        "long_tasks": len(long_tasks),
        "elements_after_load": elements,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--path", default="/overzicht")
    parser.add_argument("--trace-file")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="cohort-bench-trace-"))
    figures = extract_figures(Path(args.store), logs / "floor")
    result: dict = {"figures": {k: v for k, v in figures.items() if k != "options"}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            with app_and_floor(Path(args.store), logs) as (app, floor):
                for name, url in (("app", app.url + args.path), ("floor", floor.url)):
                    traced_load(browser, url, None)  # warm the server's caches first
                    loads = [traced_load(browser, url, None) for _ in range(args.repeat)]
                    result[name] = min(loads, key=lambda r: r["first_chart_ms"])
                if args.trace_file:
                    traced_load(browser, app.url + args.path, Path(args.trace_file))
        finally:
            browser.close()
    print(json.dumps(result, indent=1))
    emit(result)


if __name__ == "__main__":
    main()
