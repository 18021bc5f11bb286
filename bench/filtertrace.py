"""Where a filter change's time goes in the browser, app against floor (issue 15).

`python -m bench.filtertrace --store DIR [--path /overzicht] [--changes 6] [--trace-file out.json]
[--script S --env K=V --skip-floor] [--choice]` (--script/--env/--skip-floor: variants of the app against each other;
--choice: a change of Uitstroom's "Maat" radio instead of a filter)

Per change (a stadsdeel removed again with Backspace, the change whose model is cached, so what is left is the
page's own cost): ms from the key press until
- the first WebSocket frame of the rerun and the frame that carries the chart are handled by the page (its own
  `message` events: a frame waits there while the main thread is busy), with the number of frames before the
  chart and in all;
- the chart's data has changed (Plotly has redrawn it).
Then one Chromium trace over three more changes, with V8's sampling profiler: the main thread's samples between
each key press and the chart's change, summed per script bundle (Plotly, React, emotion, Streamlit's own) and
"(program)" (the renderer's own work: style, layout, paint, DOM calls). Medians per change, app and floor in
the same run; the floor is `bench/floor_app.py` (one multiselect and the same figure).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from bench.common import CHROMIUM, CHROMIUM_ARGS, app_and_floor, emit
from bench.interactive import CHART_DATA_JS, IDLE, TIMEOUT_MS, VIEWPORT, extract_figures, settle

# Every WebSocket frame the page handles: when, how big, and whether it carries a Plotly figure.
FRAMES_JS = """
(() => {
  window.__frames = [];
  const Native = window.WebSocket;
  const decoder = new TextDecoder('latin1');
  function Recorded(...args) {
    const socket = new Native(...args);
    socket.addEventListener('message', (event) => {
      const at = performance.now();
      const bytes = event.data instanceof ArrayBuffer ? new Uint8Array(event.data) : new Uint8Array();
      window.__frames.push([at, bytes.length, decoder.decode(bytes).includes('"data":[')]);
    });
    return socket;
  }
  Recorded.prototype = Native.prototype;
  Object.assign(Recorded, Native);
  window.WebSocket = Recorded;
})();
"""
CHANGED_JS = (f"(before) => {{ const now = ({CHART_DATA_JS})(); if (now !== null && now !== before) "
              "{ performance.mark('chart-changed'); return performance.now(); } return null; }")
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing",
                    "disabled-by-default-v8.cpu_profiler"]
BUNDLES = {"PlotlyChart": "Plotly", "react-dom": "React", "emotion": "emotion (CSS in JS)",
           "styled-components": "emotion (CSS in JS)", "StreamlitMarkdown": "Streamlit markdown",
           "index": "Streamlit (messages, app)", "protobuf": "Streamlit (messages, app)"}


def _open(browser: Browser, url: str) -> tuple[Page, object]:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(FRAMES_JS)
    page = context.new_page()
    page.goto(url, timeout=TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
    return page, context


def _start(page: Page, *, mark: bool) -> float:
    """Forget the frames so far and return the page's clock; `mark`: also mark the start in the trace."""
    page.evaluate("window.__frames = []")
    return float(page.evaluate("performance.mark('change-start'), performance.now()" if mark else "performance.now()"))


def _one_change(page: Page, option: str, *, mark: bool) -> dict:
    """Add `option` (not measured: its model may be new), then measure its removal."""
    box = page.locator('section[data-testid="stSidebar"]').get_by_role("combobox", name="Stadsdelen")
    settle(page)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)
    page.keyboard.press("Escape")
    settle(page)
    before = page.evaluate(CHART_DATA_JS)
    box.click()
    started = _start(page, mark=mark)
    page.keyboard.press("Backspace")
    changed = float(page.wait_for_function(CHANGED_JS, arg=before, polling="raf", timeout=TIMEOUT_MS).json_value())
    settle(page)
    page.keyboard.press("Escape")
    return _timings(page, started, changed)


MEASURE_CHOICES = ("Alle uitstroom", "Uitstroom naar werk")  # the options of Uitstroom's "Maat" radio


def _one_choice(page: Page, option: str, *, mark: bool) -> dict:
    """Uitstroom's "Maat" radio set to `option` (`--choice`): a choice between two charts of the page model,
    measured like a filter change, from the click to the first chart's change."""
    settle(page)
    before = page.evaluate(CHART_DATA_JS)
    started = _start(page, mark=mark)
    page.locator('[data-testid="stRadio"]', has_text="Maat").get_by_text(option, exact=True).click()
    changed = float(page.wait_for_function(CHANGED_JS, arg=before, polling="raf", timeout=TIMEOUT_MS).json_value())
    return _timings(page, started, changed)


def _timings(page: Page, started: float, changed: float) -> dict:
    frames = page.evaluate("window.__frames")
    chart = next((at for at, _size, has_chart in frames if has_chart), None)
    return {
        "chart_changed_ms": changed - started,
        "first_frame_ms": frames[0][0] - started if frames else None,
        "chart_frame_ms": chart - started if chart is not None else None,
        "frames_to_chart": sum(1 for at, *_ in frames if chart is not None and at <= chart),
        "frames": len(frames),
        "bytes": sum(size for _at, size, _ in frames),
    }


def _bundle(url: str) -> str:
    name = url.rsplit("/", 1)[-1]
    if not name:
        return "(program)"
    return next((label for prefix, label in BUNDLES.items() if name.startswith(prefix)), "other scripts")


def main_thread_samples(trace: dict) -> dict[str, float]:
    """ms of main-thread samples per bundle, summed over the windows from 'change-start' to 'chart-changed'."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    starts = sorted(e["ts"] for e in events if e.get("name") == "change-start")
    ends = sorted(e["ts"] for e in events if e.get("name") == "chart-changed")
    windows = list(zip(starts, ends, strict=False))
    profile_start = {e["id"]: e["args"]["data"]["startTime"] for e in events if e.get("name") == "Profile"}
    nodes: dict[tuple[str, int], dict] = {}
    chunks: dict[str, list[tuple[list[int], list[int]]]] = collections.defaultdict(list)
    for event in events:
        if event.get("name") != "ProfileChunk":
            continue
        data = event["args"]["data"]
        profile = data.get("cpuProfile", {})
        for node in profile.get("nodes", []):
            nodes[(event["id"], node["id"])] = node
        chunks[event["id"]].append((profile.get("samples", []), data.get("timeDeltas", [])))
    per_bundle: collections.Counter[str] = collections.Counter()
    for profile_id, parts in chunks.items():
        at = profile_start.get(profile_id, 0)
        previous = at
        for samples, deltas in parts:
            for sample, delta in zip(samples, deltas, strict=False):
                at += delta
                if any(start <= at <= end for start, end in windows) and (profile_id, sample) in nodes:
                    frame = nodes[(profile_id, sample)]["callFrame"]
                    if frame.get("functionName") != "(idle)":
                        per_bundle[_bundle(frame.get("url", ""))] += (at - previous) / 1000
                previous = at
    return {name: round(ms / max(len(windows), 1), 1) for name, ms in per_bundle.most_common()}


def measure(browser: Browser, url: str, options: list[str], changes: int, trace_file: Path | None,
            change: Callable[..., dict] = _one_change) -> dict:
    page, context = _open(browser, url)
    try:
        rows = [change(page, options[i % len(options)], mark=False) for i in range(changes)]
        browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
        for i in range(3):
            change(page, options[(changes + i) % len(options)], mark=True)
        trace = browser.stop_tracing()
    finally:
        context.close()
    if trace_file is not None:
        trace_file.write_bytes(trace)
    medians = {key: statistics.median(row[key] for row in rows if row[key] is not None) for key in rows[0]}
    return {"median": {k: round(v, 1) for k, v in medians.items()}, "changes": rows,
            "main_thread_ms_per_change": main_thread_samples(json.loads(trace))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--path", default="/overzicht")
    parser.add_argument("--changes", type=int, default=6)
    parser.add_argument("--script", default="serve.py", help="the app's script, e.g. an experiment's variant")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="for the app's server")
    parser.add_argument("--skip-floor", action="store_true", help="measure the app only (variants against each other)")
    parser.add_argument("--choice", action="store_true",
                        help="measure a change of Uitstroom's 'Maat' radio instead of a filter (app only)")
    parser.add_argument("--trace-file", help="also keep the app's Chromium trace (open in chrome://tracing)")
    args = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="cohort-bench-filtertrace-"))
    figures = extract_figures(Path(args.store), logs / "floor")
    result: dict = {"path": args.path, "logs": str(logs)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        env = dict(item.split("=", 1) for item in args.env)
        try:
            with app_and_floor(Path(args.store), logs, script=args.script, env=env) as (app, floor):
                # --choice: Uitstroom's own radio, which the floor does not have
                path, options, change = (("/uitstroom", list(MEASURE_CHOICES), _one_choice) if args.choice
                                         else (args.path, figures["options"], _one_change))
                result["app"] = measure(browser, app.url + path, options, args.changes,
                                        Path(args.trace_file) if args.trace_file else None, change)
                if not (args.skip_floor or args.choice):
                    result["floor"] = measure(browser, floor.url, figures["options"], args.changes, None)
        finally:
            browser.close()
    for name in [name for name in ("app", "floor") if name in result]:
        print(name, json.dumps(result[name]["median"]), json.dumps(result[name]["main_thread_ms_per_change"]))
    emit(result)


if __name__ == "__main__":
    main()
