"""Benchmark: building the viewers' protected release (issue 20, item 8). Not a test; run it by hand:

    .venv/bin/python -m bench.release                       # writes bench/results-release.md
    .venv/bin/python -m bench.release --units 40,200,1000 --whole-table-max 200 --timeout 900

For each size, a synthetic dataset (bench/datagen.py: units x 72 months) and its release under the default rule
(`cohort.privacy.release.release_for`), each build in its own child process (a timeout stops it):

- **local**: the code as it is: a certificate per small cell from one linear programme around it;
- **whole table**: the same code with the local step switched off, so every small cell goes to the whole-table
  check that hides one more cell at a time (the method before 2 December 2026). Only up to
  `--whole-table-max` units: it took 552 s for 200 units.

Both in the same run, interleaved per size, so the ratio is measured under the same load. Reported: seconds,
cells, hidden cells, peak memory of the child (VmHWM).
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from datetime import datetime
from pathlib import Path

from bench.common import BENCH_DIR, in_child, machine_info

RESULTS = BENCH_DIR / "results-release.md"


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _build(units: int, months: int, method: str, queue: multiprocessing.Queue) -> None:
    import cohort.privacy.release as release_module
    from bench.datagen import dataset
    from cohort.privacy.rules import SuppressionRule

    if method == "whole-table":
        def no_local(values, equations, member, incidence, hidden, latent, can_hide, small, verified):
            import numpy as np

            return [], np.flatnonzero(small & ~verified).tolist()

        release_module._local_fix = no_local
    data = dataset(units, months, name=f"bench {units}")
    started = time.perf_counter()
    release = release_module.release_for(data, SuppressionRule())
    queue.put({"seconds": time.perf_counter() - started, "cells": int(release.values.size),
               "hidden": int(release.hidden.sum()), "peak_mb": _peak_mb()})


def build(units: int, months: int, method: str, timeout: float) -> dict:
    return in_child(_build, (units, months, method), timeout)


def _version(name: str) -> str:
    import importlib.metadata

    return importlib.metadata.version(name)


def _loadavg() -> str:
    return " / ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", default="40,200,1000,10000")
    parser.add_argument("--months", type=int, default=72)
    parser.add_argument("--whole-table-max", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    info = machine_info()
    load_start = _loadavg()
    started = datetime.now().astimezone()
    rows = []
    for units in [int(u) for u in args.units.split(",")]:
        local = build(units, args.months, "local", args.timeout)
        whole = build(units, args.months, "whole-table", args.timeout) if units <= args.whole_table_max else None
        rows.append((units, local, whole))
        print(units, local, whole, flush=True)

    def cell(result: dict | None) -> str:
        if result is None:
            return "not run"
        if not result["finished"]:
            return f"not finished in {result['seconds']:.0f} s"
        return f"{result['seconds']:.1f} s; {result['hidden']:,} hidden; {result['peak_mb']:.0f} MB"

    lines = [
        "# Release benchmark",
        "",
        f"{started:%Y-%m-%d %H:%M %Z}, `python -m bench.release --units {args.units} --months {args.months} "
        f"--whole-table-max {args.whole_table_max} --timeout {args.timeout:.0f}`; {info['cpu']}, {info['memory']}, "
        f"Python {info['python']}, highspy {_version('highspy')}, scipy {_version('scipy')}; "
        f"load average at start {load_start}, at end {_loadavg()}.",
        "",
        "Per size: the release under the default rule, each build in its own process (seconds, hidden cells, peak "
        "memory). Local = as the code is; whole table = the local step switched off (the method before "
        "2 December 2026). Ratio = whole table / local, from the same run.",
        "",
        "| units | cells | local | whole table | ratio |",
        "|---:|---:|---|---|---:|",
    ]
    for units, local, whole in rows:
        cells = f"{local['cells']:,}" if local.get("finished") else ""
        ratio = f"{whole['seconds'] / local['seconds']:.1f}×" if whole and whole["finished"] and local["finished"] \
            else ""
        lines.append(f"| {units:,} | {cells} | {cell(local)} | {cell(whole)} | {ratio} |")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
