"""One page model with many units, built directly (no Streamlit): `python -m bench.models`.

`python -m bench.models [--units 10000] [--months 72] [--pages gebieden,kaart] [--profile N] [--whole]`

Generates the synthetic dataset of `bench/datagen.py`, builds its release with hiding off (the viewers' release
of 10,000 units takes minutes and is built at publish time, not per page) and times
`cohort.pagemodels.build(name, page_input)` per page, plus what the page's view builds on demand for its default
choices (Gebieden: the shown page of the unit table; Kaart: the default colouring and the first unit's panel).
`--profile N` prints the N most expensive functions (cProfile, cumulative time) of each page; `--whole` also times
the Gebieden page's whole unit table, which only its downloads make.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable
from typing import Any


def _on_demand(name: str, page_input: Any, model: Any) -> Callable[[], object]:
    """What the page's view asks of the model for its default choices, besides the model itself."""
    if name == "gebieden":
        from cohort.pagemodels import rollout

        if hasattr(rollout, "unit_page"):
            return lambda: rollout.unit_page(page_input, model)
    if name == "kaart":
        from cohort.pagemodels.map import area_panel

        first = next(iter(model.choices), None)
        return lambda: (model.colouring("status"), area_panel(page_input, model, first))
    return lambda: None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=72)
    parser.add_argument("--pages", default="gebieden,kaart")
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--whole", action="store_true", help="also time Gebieden's whole unit table (downloads)")
    args = parser.parse_args()

    from bench.datagen import dataset
    from cohort.pagemodels import build
    from cohort.pagemodels.common import PageInput
    from cohort.privacy.release import release_for
    from cohort.privacy.rules import SuppressionRule
    from cohort.selection import default_selection

    data = dataset(args.units, args.months, name=f"Benchmark {args.units} eenheden")
    rule = SuppressionRule(enabled=False)
    started = time.perf_counter()
    release_for(data, rule)
    print(f"release (hiding off): {time.perf_counter() - started:.2f} s", flush=True)
    page_input = PageInput(data, default_selection(data), rule)
    for name in args.pages.split(","):
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        model = build(name, page_input)
        built = time.perf_counter() - started
        _on_demand(name, page_input, model)()
        total = time.perf_counter() - started
        if profiler:
            profiler.disable()
        print(f"{name}: model {built:.2f} s, with its default on-demand parts {total:.2f} s", flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        if name == "gebieden" and args.whole:
            from cohort.pagemodels.rollout import unit_table

            started = time.perf_counter()
            rows = unit_table(page_input, model).table.height
            print(f"gebieden: the whole unit table ({rows} rows, for a download) {time.perf_counter() - started:.2f} s",
                  flush=True)


if __name__ == "__main__":
    main()
