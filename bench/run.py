"""Cohortmonitor benchmark: one command, results in bench/results.md (see bench/README.md).

    .venv/bin/python -m bench.run            # full run (~10 min once the workbook cache exists)
    .venv/bin/python -m bench.run --quick    # fewer sizes and repetitions (~4 min)

Every measurement runs in its own process (`bench.pages`, `bench.upload`, `bench.browser`), so imports,
caches and memory of one part never flatter another.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import RESULTS_FILE, machine_info, run_worker

PAGE_BUDGET_EXAMPLE_MS = 150
PAGE_BUDGET_LARGE_MS = 600
UPLOAD_BUDGET_S = 2.0
UPLOAD_MIN_RATIO = 10
FIRST_CHART_BUDGET_MS = 3000
MEMORY_GROWTH_BUDGET_MB = 40
LARGE_UNITS, LARGE_MONTHS = 500, 240


def verdict(ok: bool) -> str:
    return "PASS" if ok else "**MISS**"


def loadavg() -> str:
    return " / ".join(Path("/proc/loadavg").read_text().split()[:3])


def publish_large(store_dir: Path) -> tuple[str, float, float]:
    """Generate the 500 x 240 dataset and publish it; returns (id, seconds to generate, seconds to publish)."""
    from bench.datagen import dataset
    from cohort.store import DatasetStore

    started = time.perf_counter()
    data = dataset(LARGE_UNITS, LARGE_MONTHS, name=f"Benchmark {LARGE_UNITS} eenheden x {LARGE_MONTHS} maanden")
    generated = time.perf_counter() - started
    started = time.perf_counter()
    record = DatasetStore(store_dir).publish(data, name=data.meta.name, description=data.meta.description,
                                             published_by="bench", validation_summary="synthetisch")
    return record.dataset_id, generated, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 reruns' worth less: 10k/100k once, no 1M, naive 10k")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-upload", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    info = machine_info()
    load_start = loadavg()
    tmp = Path(tempfile.mkdtemp(prefix="cohort-bench-"))
    example_store, large_store = tmp / "store-example", tmp / "store-large"
    example_store.mkdir()

    print("1/4 pages: publishing the large dataset …", flush=True)
    # The store module reads COHORT_STORE_DIR lazily; publishing needs only the path.
    dataset_id, generate_s, publish_s = publish_large(large_store)
    reruns = "5"
    pages_example = run_worker("pages", "--label", "example", "--reruns", reruns, "--budget-ms",
                               str(PAGE_BUDGET_EXAMPLE_MS), env={"COHORT_STORE_DIR": str(example_store),
                                                                 "COHORT_BOUNDARIES_DOWNLOAD": "0"})
    pages_large = run_worker("pages", "--label", "large", "--dataset-id", dataset_id, "--reruns", reruns,
                             "--budget-ms", str(PAGE_BUDGET_LARGE_MS),
                             env={"COHORT_STORE_DIR": str(large_store), "COHORT_BOUNDARIES_DOWNLOAD": "0"})
    large_via = "URL ?dataset=<id>"
    if any(p["dataset_param"] != dataset_id for p in pages_large["pages"].values()):
        # The URL id was not honoured (not wired yet?): make it the default, which the app then shows.
        from cohort.store import DatasetStore

        DatasetStore(large_store).set_default(dataset_id, by="bench")
        pages_large = run_worker("pages", "--label", "large", "--reruns", reruns, "--budget-ms",
                                 str(PAGE_BUDGET_LARGE_MS), env={"COHORT_STORE_DIR": str(large_store),
                                                                 "COHORT_BOUNDARIES_DOWNLOAD": "0"})
        large_via = "store default (set_default)"

    browser = None
    if not args.skip_browser:
        print("2/4 browser (first chart, memory) …", flush=True)
        browser = run_worker("browser", "--store", str(large_store), "--dataset-id", dataset_id,
                             "--warm", "3" if args.quick else "5", "--linger", "30", timeout=1800)

    upload: dict[int, dict] = {}
    if not args.skip_upload:
        sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
        naive_sizes = (10_000,) if args.quick else (10_000, 100_000)
        for size in sizes:
            print(f"3/4 upload {size:,} rows …", flush=True)
            repeats = 1 if args.quick or size >= 1_000_000 else 3
            ours = [run_worker("upload", "--rows", str(size), "--impl", "ours", timeout=1800) for _ in range(repeats)]
            profile = run_worker("upload", "--rows", str(size), "--impl", "ours", "--profile", timeout=1800) \
                if size == 100_000 else None
            naive = run_worker("upload", "--rows", str(size), "--impl", "naive", timeout=1800) \
                if size in naive_sizes else None
            upload[size] = {"ours": ours, "naive": naive, "profile": profile}

    write_results(info=info, args=args, load=(load_start, loadavg()), seconds=time.perf_counter() - started,
                  dataset=(dataset_id, generate_s, publish_s, large_via), pages=(pages_example, pages_large),
                  upload=upload, browser=browser)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"written {RESULTS_FILE} in {time.perf_counter() - started:.0f} s", flush=True)


# --- the report --------------------------------------------------------------------------------------------


def write_results(*, info, args, load, seconds, dataset, pages, upload, browser) -> None:
    dataset_id, generate_s, publish_s, large_via = dataset
    command = ".venv/bin/python -m bench.run" + "".join(
        f" --{k.replace('_', '-')}" for k, v in vars(args).items() if v is True)
    lines = [
        "# Cohortmonitor benchmark results", "",
        f"- Date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- Command: `{command}` (from the repository root; total {seconds:.0f} s)",
        f"- Machine: {info['cpu']}, {info['memory']} RAM, {info['os']}",
        f"- Load average (1/5/15 min) at start: {load[0]}; at end: {load[1]}. Wall-clock times on a shared, loaded "
        "machine are inflated; the CPU-time columns are less sensitive to that.",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in info.items() if k not in ("cpu", "memory", "os")),
        "",
    ]
    budgets: list[tuple[str, str, str]] = []

    # 1. pages
    example, large = pages
    lines += ["## 1. Server-side script time per page (AppTest)", "",
              "`AppTest.from_file(\"app.py\")`, `switch_page(\"views/<name>.py\")`, one warm-up run, then "
              f"the median of {next(iter(example['pages'].values()))['runs']} `at.run()` calls. Example data: the "
              f"bundled workbook (empty store). Large: {LARGE_UNITS} units x {LARGE_MONTHS} months = "
              f"{LARGE_UNITS * LARGE_MONTHS:,} monthly rows, all 19 columns (bench/datagen.py, validated against the "
              f"contract), generated in {generate_s:.1f} s and published in {publish_s:.1f} s, opened via {large_via} "
              f"(`{dataset_id[:12]}…`).", "",
              "| Page | Example: median ms (CPU ms) | ≤ 150 ms | Large: median ms (CPU ms) | ≤ 600 ms |",
              "|---|---:|---|---:|---|"]
    all_example = all_large = True
    for name, ex in example["pages"].items():
        lg = large["pages"].get(name, {})
        ok_ex = ex["median_ms"] <= PAGE_BUDGET_EXAMPLE_MS and not ex["exceptions"]
        ok_lg = bool(lg) and lg["median_ms"] <= PAGE_BUDGET_LARGE_MS and not lg["exceptions"]
        all_example &= ok_ex
        all_large &= ok_lg
        note_ex = " (exception!)" if ex["exceptions"] else ""
        note_lg = " (exception!)" if lg.get("exceptions") else ""
        lines.append(f"| {name} | {ex['median_ms']:.0f} ({ex['cpu_median_ms']:.0f}){note_ex} | {verdict(ok_ex)} | "
                     f"{lg.get('median_ms', float('nan')):.0f} ({lg.get('cpu_median_ms', float('nan')):.0f}){note_lg} "
                     f"| {verdict(ok_lg)} |")
    lines += ["", f"First `at.run()` of the app (cold process: imports, example workbook read): example "
              f"{example['first_run_s']:.1f} s, large {large['first_run_s']:.1f} s.",
              "Profiles (pyinstrument, one extra run inside the script thread) of the slowest page and every page over "
              "budget: " + ", ".join(f"`{p}`" for p in [*example["profiles"].values(), *large["profiles"].values()]),
              ""]
    budgets.append(("Every page ≤ 150 ms median, example data", "", verdict(all_example)))
    budgets.append(("Every page ≤ 600 ms median, large dataset", "", verdict(all_large)))

    # 2. upload
    if upload:
        lines += ["## 2. Upload pipeline (read, check, store) of `maandcijfers`", "",
                  "Workbooks written once with openpyxl write-only mode (12 columns: key, 8 required "
                  "counts, 2 optional; rows = units x 100 months), cached in `bench/.cache/`. Ours = "
                  "`check_upload_bytes` (guard + fastexcel read + Polars validation) + `DatasetStore.publish` "
                  "(content hash, Parquet, SQLite) with the app's upload limit. Naive = "
                  "`pd.read_excel(engine=\"openpyxl\")` + the same checks row by row in Python + `to_parquet`. "
                  "Each run in a fresh process; peak = VmHWM of that process (an idle interpreter with the "
                  "imports is ≈ 60 MB).", "",
                  "| Rows | File MB | Ours: total s (guard / read / check / publish) | Peak MB | Naive: total s "
                  "(read / checks / store) | Naive peak MB | Naive / ours |", "|---:|---:|---|---:|---|---:|---:|"]
        for size, result in upload.items():
            ours = result["ours"]
            total = statistics.median(o["total_s"] for o in ours)
            first = ours[0]
            stages = first.get("unguarded_stages_s") or first["stages_s"]
            guard_s = first["stages_s"].get("veiligheidscontrole", float("nan"))
            detail = (f"{total:.2f} ({guard_s:.2f} / {stages.get('lezen', float('nan')):.2f} / "
                      f"{stages.get('controleren', float('nan')):.2f} / {first.get('publish_s', float('nan')):.2f})")
            if first["refused"]:
                detail = f"refused by the guard after {first['check_s']:.2f} s; without guard: " + detail
            naive = result["naive"]
            naive_cell = (f"{naive['total_s']:.2f} ({naive['read_s']:.2f} / {naive['check_rows_s']:.2f} / "
                          f"{naive['store_s']:.2f})") if naive else "skipped"
            ratio = f"{naive['total_s'] / total:.1f}×" if naive else "—"
            naive_peak = f"{naive['peak_rss_mb']:.0f}" if naive else "—"
            lines.append(f"| {size:,} | {first['file_mb']:.1f} | {detail} | {max(o['peak_rss_mb'] for o in ours):.0f} "
                         f"| {naive_cell} | {naive_peak} | {ratio} |")
        lines.append("")
        for size, result in upload.items():
            first = result["ours"][0]
            if first["refused"]:
                lines.append(f"- {size:,} rows: the guard refused the file: “{first['refusal']}”")
        if 1_000_000 not in upload:
            lines.append("- 1M rows skipped (`--quick`).")
        lines.append("- The naive reference is skipped for 1M rows (openpyxl alone needs minutes); the ratio is "
                     "measured at 10k and 100k rows." if 1_000_000 in upload else
                     "- `--quick`: naive reference at 10k rows only.")
        if upload.get(100_000, {}).get("profile"):
            lines.append(f"- Profile of one 100k upload: `{upload[100_000]['profile']['profile']}`")
        lines.append("")
        hundred = upload.get(100_000)
        if hundred:
            total = statistics.median(o["total_s"] for o in hundred["ours"])
            budgets.append(("Upload 100k rows ≤ 2 s end to end", f"{total:.2f} s", verdict(total <= UPLOAD_BUDGET_S)))
            naive = hundred["naive"]
            if naive:
                ratio = naive["total_s"] / total
                budgets.append(("Upload 100k ≥ 10× faster than naive", f"{ratio:.1f}×",
                                verdict(ratio >= UPLOAD_MIN_RATIO)))
        million = upload.get(1_000_000)
        if million:
            first = million["ours"][0]
            done = "total_s" in first
            text = (f"{first['total_s']:.1f} s, peak {first['peak_rss_mb']:.0f} MB" if done else "did not finish")
            if first["refused"]:
                text += " (only without the guard: the app refuses it)"
            budgets.append(("1M rows finishes (peak memory)", text, verdict(done and not first["refused"])))

    # 3 and 4. browser
    if browser:
        fc = browser["first_chart"]
        lines += ["## 3. Overview: first chart visible in Chromium", "",
                  "Playwright + /usr/bin/chromium (`--headless --no-sandbox --disable-gpu "
                  "--disable-background-networking --disable-component-update`), viewport 1400×1000, a fresh browser "
                  "context per load; time = "
                  "`performance.now()` (ms since navigation start) when the first `[data-testid=\"stPlotlyChart\"]` is "
                  "visible. Cold = first load after `streamlit run app.py` started (empty process caches).", "",
                  "| Load | ms |", "|---|---:|",
                  f"| Cold (example data) | {fc['cold_ms']:.0f} |",
                  f"| Warm (example data), median of {len(fc['warm_ms'])} | {fc['warm_median_ms']:.0f} "
                  f"({', '.join(f'{v:.0f}' for v in fc['warm_ms'])}) |"]
        if "large_first_ms" in fc:
            lines += [f"| Large dataset via ?dataset=, first load | {fc['large_first_ms']:.0f} |",
                      f"| Large dataset, warm | {fc['large_warm_median_ms']:.0f} |"]
        lines.append("")
        budgets.append(("Overview first chart ≤ 3 s cold", f"{fc['cold_ms'] / 1000:.1f} s",
                        verdict(fc["cold_ms"] <= FIRST_CHART_BUDGET_MS)))
        memory = browser.get("memory")
        if memory:
            rss = memory["rss_mb"]
            counts = [k for k in rss if k.isdigit()]
            lines += ["## 4. Server memory (VmRSS of the streamlit process) with concurrent sessions", "",
                      "A fresh server; N concurrent sessions = N Playwright contexts in one Chromium, all on the "
                      "overview, each waited for until its chart is visible and the script idle, then 3 s.", "",
                      "| Sessions | RSS MB | time to open s |", "|---|---:|---:|",
                      f"| 0 (idle server) | {rss['0 (idle server)']:.0f} | |"]
            lines += [f"| {k} | {rss[k]:.0f} | {rss[f'{k}_ready_s']:.1f} |" for k in counts]
            trace = ", ".join(f"{t} s: {v:.0f}" for t, v in memory["after_close_trace"])
            lines += [f"| all closed (after ~30 s) | {rss['after_close']:.0f} | |", "",
                      f"After closing: {trace} MB.", ""]
            first_k, last_k = counts[0], counts[-1]
            growth = rss[last_k] - rss[first_k]
            back = rss["after_close"] - rss[first_k]
            budgets.append((f"Server memory growth {first_k} → {last_k} sessions ≤ 40 MB", f"{growth:+.0f} MB",
                            verdict(growth <= MEMORY_GROWTH_BUDGET_MB)))
            close_ok = back <= max(10.0, 0.25 * max(growth, 0))
            budgets.append(("Memory returns close to baseline after close (≤ 1-session RSS + max(10 MB, 25% of the "
                            "growth))", f"{back:+.0f} MB vs 1 session", verdict(close_ok)))

    lines[len(lines):] = ["## Budgets", "", "| Budget | Measured | Verdict |", "|---|---|---|",
                          *(f"| {a} | {b} | {c} |" for a, b, c in budgets), ""]
    RESULTS_FILE.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    os.environ.setdefault("COHORT_BOUNDARIES_DOWNLOAD", "0")
    main()
