"""Page models at many units (issue 20, item 8): Overzicht, Klachten and Uitstroom built directly, no AppTest.

`python -m bench.outflow_models [--units 10000] [--months 72] [--hiding off|on] [--before DIR] [--repeat 1]`

Per run, in a fresh process: generate the dataset (bench/datagen.py), build its release (not timed: a published
dataset's release is built at publish time), then `cohort.pagemodels.build(name, page_input)` for the pages in
the order `bench.units` opens them (overzicht, klachten, uitstroom: a later page may reuse what an earlier one
computed, as in one server), and separately Uitstroom alone (as the first page a server builds). Wall and process
CPU seconds per model. `--before DIR`: also run the sources in DIR/src (e.g. `git archive` of an older commit),
interleaved with these, so both see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from bench.common import JSON_MARK, REPO_ROOT, emit

ORDER = ("overzicht", "klachten", "uitstroom")


def _child(units: int, months: int, hiding: bool, pages: list[str]) -> None:
    from bench.datagen import dataset
    from cohort.pagemodels import build
    from cohort.pagemodels.common import PageInput
    from cohort.privacy.rules import SuppressionRule
    from cohort.selection import default_selection

    data = dataset(units, months, name=f"Benchmark {units} eenheden")
    page_input = PageInput(data, default_selection(data), SuppressionRule(enabled=hiding))
    started = time.perf_counter()
    page_input.release  # noqa: B018 (built here, outside the timed models)
    result: dict = {"release_s": time.perf_counter() - started, "models": {}}
    for name in pages:
        wall, cpu = time.perf_counter(), time.process_time()
        build(name, page_input)
        result["models"][name] = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}
    emit(result)


def run(src: str, units: int, months: int, hiding: bool, pages: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{src}:{REPO_ROOT}"}
    code = f"from bench.outflow_models import _child; _child({units}, {months}, {hiding}, {pages!r})"
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                               timeout=3600)
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(JSON_MARK):
            return json.loads(line[len(JSON_MARK):])
    raise RuntimeError(completed.stderr[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=72)
    parser.add_argument("--hiding", choices=("off", "on"), default="off")
    parser.add_argument("--before", help="a checkout (or git archive) whose src/ to run interleaved with this one")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    sources = [("now", str(REPO_ROOT / "src"))] + ([("before", os.path.join(args.before, "src"))]
                                                    if args.before else [])
    hiding = args.hiding == "on"
    rows = []
    for repeat in range(args.repeat):
        for label, src in (sources if repeat % 2 == 0 else sources[::-1]):
            for pages in (list(ORDER), ["uitstroom"]):
                load = os.getloadavg()[0]
                result = run(src, args.units, args.months, hiding, pages)
                for name, times in result["models"].items():
                    which = name if len(pages) > 1 else f"{name} (alone)"
                    rows.append({"source": label, "model": which, **times, "load": load})
                    print(f"{label:6} {which:18} wall {times['wall_s']:6.2f} s  cpu {times['cpu_s']:6.2f} s  "
                          f"(load {load:.1f})", flush=True)
    emit({"units": args.units, "months": args.months, "hiding": args.hiding, "rows": rows})


if __name__ == "__main__":
    main()
