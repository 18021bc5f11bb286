"""Many units (issue 20, item 8): every page with a 10,000-unit dataset, and the release it needs.

`python -m bench.units [--units 10000] [--months 72] [--release-timeout 900] [--seal full|primary]`

1. Generates `--units` × `--months` (bench/datagen.py, validated against the contract) and publishes it into a
   temporary store; the page runs open it with `?dataset=<id>`.
2. **Pages** (AppTest, like bench.pages): per page the first view (the page model is built) and the median of
   3 reruns (cached model). Viewers' release (small numbers hidden) when it was built within the timeout;
   otherwise the pages are measured with the evaluator's "Kleine aantallen tonen" (hiding off; the same page
   code, a release without protection), and the viewers' release is reported as not finished.
3. **Release**: building the viewers' protected release (`cohort.privacy.release.release_for`) in a child process, with
   a timeout, separately from the pages. It is sealed into the store as the app seals it (`cohort.privacy.seal`), so
   the pages then build their release from the seal, as every viewer after the first does.
   `--seal primary` stores a seal that hides only the small cells themselves instead (seconds instead of ten
   minutes at 10,000 units): for page timings only; what a page costs does not depend on which cells are hidden
   as much as on how many units it has, but say so when reporting.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import REPO_ROOT, emit, in_child, rss_mb
from bench.pages import page_names


def _build_release(store: str, dataset_id: str, queue) -> None:
    from dataclasses import replace
    from functools import partial

    from cohort.privacy.release import release_for
    from cohort.privacy.rules import SuppressionRule
    from cohort.store import DatasetStore

    opened = DatasetStore(Path(store))
    dataset = replace(opened.load(dataset_id), sealer=partial(opened.seal, dataset_id))
    started = time.perf_counter()
    release = release_for(dataset, SuppressionRule())
    queue.put({"seconds": time.perf_counter() - started, "cells": int(release.values.size),
               "hidden": int(release.hidden.sum()), "sealed": release.sealed_by is not None})


def release_time(store: Path, dataset_id: str, timeout: float) -> dict:
    return in_child(_build_release, (str(store), dataset_id), timeout)


def primary_release(dataset, rule):
    """The viewers' release with only its small cells hidden: the protection step replaced (timing only)."""
    import cohort.privacy.release as release_module

    real = release_module.protect_cells
    release_module.protect_cells = lambda values, *_a, **_k: (values >= 1) & (values <= rule.largest_hidden)
    try:
        return release_module.Release(dataset, rule, release_module.lattice_for(dataset, rule),
                                      release_module.complaint_lattice_for(dataset, rule))
    finally:
        release_module.protect_cells = real


def primary_seal(store: Path, dataset_id: str) -> dict:
    """Seal the release with only its small cells hidden (timing only, see the module's docstring)."""
    from cohort.privacy.release import seal_key_for
    from cohort.privacy.rules import SuppressionRule
    from cohort.privacy.seal import make_seal
    from cohort.store import DatasetStore

    opened = DatasetStore(store)
    dataset = opened.load(dataset_id)
    rule = SuppressionRule()
    started = time.perf_counter()
    release = primary_release(dataset, rule)
    opened.seal(dataset_id, make_seal(seal_key_for(dataset, rule), "lokaal", release.values, release.hidden))
    return {"seconds": time.perf_counter() - started, "cells": int(release.values.size),
            "hidden": int(release.hidden.sum()), "sealed": True, "finished": True, "seal": "primary (timing only)"}


def pages(dataset_id: str, hiding_off: bool) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=7200)
    at.query_params["dataset"] = dataset_id
    if hiding_off:
        # The evaluator's switch, remembered as cohort.ui.privacy keeps it; and no background build of the
        # viewers' release (measured on its own above), which would compete with these runs for the CPU.
        import cohort.ui.data

        cohort.ui.data.warm_release = lambda *args: None
        at.session_state["_kleine_aantallen_tonen_onthouden"] = True
    started = time.perf_counter()
    at.run()
    result: dict = {"first_run_s": time.perf_counter() - started}
    for name in page_names():
        at.switch_page(f"views/{name}.py")
        w0 = time.perf_counter()
        at.run()
        first = time.perf_counter() - w0
        reruns = []
        for _ in range(3):
            w0 = time.perf_counter()
            at.run()
            reruns.append(time.perf_counter() - w0)
        result[name] = {"first_s": first, "rerun_median_s": statistics.median(reruns),
                        "exceptions": [str(e.value)[:200] for e in at.exception],
                        "dataset_param": at.query_params.get("dataset")}
        print(name, f"{first:.2f} s first, {result[name]['rerun_median_s']:.2f} s rerun", flush=True)
    result["rss_mb"] = rss_mb(__import__("os").getpid())
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=72)
    parser.add_argument("--release-timeout", type=float, default=900)
    parser.add_argument("--seal", choices=("full", "primary"), default="full")
    args = parser.parse_args()
    import os

    from bench.datagen import dataset
    from cohort.store import DatasetStore

    store = Path(tempfile.mkdtemp(prefix="cohort-bench-units-")) / "store"
    os.environ["COHORT_STORE_DIR"] = str(store)
    started = time.perf_counter()
    data = dataset(args.units, args.months, name=f"Benchmark {args.units} eenheden")
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    record = DatasetStore(store).publish(data, name=data.meta.name, description="synthetisch", published_by="bench",
                                         validation_summary="synthetisch")
    publish_s = time.perf_counter() - started
    if args.seal == "primary":
        release = primary_seal(store, record.dataset_id)
    else:
        release = release_time(store, record.dataset_id, args.release_timeout)
    print("release", release, flush=True)
    result = {"units": args.units, "months": args.months, "rows": data.monthly.height, "generate_s": generate_s,
              "publish_s": publish_s, "release": release, "hiding_off": not release["finished"]}
    result["pages"] = pages(record.dataset_id, hiding_off=not release["finished"])
    emit(result)


if __name__ == "__main__":
    main()
