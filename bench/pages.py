"""Part 1 worker: server-side script time of every page with AppTest (`python -m bench.pages --label x ...`).

Runs in its own process (run.py sets COHORT_STORE_DIR). For each page: switch to it, one warm-up run, then
`--reruns` timed `at.run()` calls; wall and process-CPU medians. Pages over `--budget-ms` (and the slowest one)
get one extra run under pyinstrument, profiled inside the script thread, written to bench/profiles/.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.common import PROFILE_DIR, REPO_ROOT, emit

_profiler = None  # set while one run is being profiled; read in the script thread


def _install_profiling_hook() -> None:
    # AppTest runs the page in a script thread; pyinstrument samples the thread that starts it, so start it there.
    from streamlit.testing.v1 import local_script_runner as lsr

    original = lsr.LocalScriptRunner._run_script_thread

    def run_script_thread(self):
        profiler = _profiler
        if profiler is None:
            return original(self)
        profiler.start()
        try:
            return original(self)
        finally:
            profiler.stop()

    lsr.LocalScriptRunner._run_script_thread = run_script_thread


def page_names() -> list[str]:
    names = sorted(p.stem for p in (REPO_ROOT / "views").glob("*.py") if not p.stem.startswith("_"))
    return sorted(names, key=lambda n: n != "overzicht")  # the overview first


def main() -> None:
    global _profiler
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    parser.add_argument("--dataset-id")
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--budget-ms", type=float, default=150)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()

    from streamlit.testing.v1 import AppTest

    _install_profiling_hook()
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
    if args.dataset_id:
        at.query_params["dataset"] = args.dataset_id
    started = time.perf_counter()
    at.run()
    first_run_s = time.perf_counter() - started
    results: dict[str, dict] = {}
    for name in page_names():
        at.switch_page(f"views/{name}.py")
        at.run()  # warm-up: the page's caches fill here
        wall: list[float] = []
        cpu: list[float] = []
        for _ in range(args.reruns):
            w0, c0 = time.perf_counter(), time.process_time()
            at.run()
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        shown = at.query_params.get("dataset")
        results[name] = {
            "median_ms": statistics.median(wall) * 1000, "cpu_median_ms": statistics.median(cpu) * 1000,
            "min_ms": min(wall) * 1000, "max_ms": max(wall) * 1000, "runs": args.reruns,
            "exceptions": [str(e.value)[:300] for e in at.exception],
            "dataset_param": shown, "n_elements": len(list(at.main)),
        }
        print(name, f"{results[name]['median_ms']:.0f} ms", flush=True)

    profiles: dict[str, str] = {}
    if not args.no_profile:
        from pyinstrument import Profiler

        slowest = max(results, key=lambda n: results[n]["median_ms"])
        targets = [n for n in results if results[n]["median_ms"] > args.budget_ms or n == slowest][:4]
        PROFILE_DIR.mkdir(parents=True, exist_ok=True)
        for name in targets:
            at.switch_page(f"views/{name}.py")
            at.run()
            _profiler = Profiler(interval=0.001)
            at.run()
            profiler, _profiler = _profiler, None
            path = PROFILE_DIR / f"{args.label}_{name}.txt"
            path.write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
            (PROFILE_DIR / f"{args.label}_{name}.html").write_text(profiler.output_html(), encoding="utf-8")
            profiles[name] = str(path.relative_to(REPO_ROOT))
    emit({"label": args.label, "first_run_s": first_run_s, "pages": results, "profiles": profiles})


if __name__ == "__main__":
    main()
