"""Building a release from its seal (issue 20, item 8): what every viewer after the first waits for.

`python -m bench.sealed [--units 1000,10000] [--months 72]`

Per size, in one child process each (`bench.common.in_child`): the release with hiding off (the evaluator's
switch: no protection, month grain), and the viewers' release built from a seal (`cohort.privacy.seal`). The
seal used here hides only the small cells themselves (made in the same child with the protection step replaced):
the build reads the seal's bits whatever they are, so its time does not depend on which cells are hidden, and
protecting 10,000 units for real takes ten minutes (`bench.release`). The time to protect a release for real is
in `bench/results-release.md`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time

from bench.common import in_child


def _build(units: int, months: int, queue: multiprocessing.Queue) -> None:
    import cohort.privacy.release as release_module
    from bench.datagen import dataset
    from bench.units import primary_release
    from cohort.privacy.rules import SuppressionRule
    from cohort.privacy.seal import make_seal

    data = dataset(units, months, name=f"bench {units}")
    off, rule = SuppressionRule(enabled=False), SuppressionRule()
    started = time.perf_counter()
    release_module.Release(data, off, release_module.lattice_for(data, off),
                           release_module.complaint_lattice_for(data, off))
    off_s = time.perf_counter() - started

    primary = primary_release(data, rule)
    seal = make_seal(release_module.seal_key_for(data, rule), "lokaal", primary.values, primary.hidden)

    def must_not_protect(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a sealed release was protected")

    release_module.protect_cells = must_not_protect  # proves the timed build is the sealed path
    started = time.perf_counter()
    sealed = release_module.Release(data, rule, release_module.lattice_for(data, rule),
                                    release_module.complaint_lattice_for(data, rule), seal=seal)
    sealed_s = time.perf_counter() - started
    queue.put({"units": units, "cells": int(sealed.values.size), "hiding_off_s": off_s, "sealed_s": sealed_s,
               "sealed": sealed.sealed_by is not None, "seal_bytes": len(seal.hidden)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", default="1000,10000")
    parser.add_argument("--months", type=int, default=72)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    print("| units | cells | hiding off s | from the seal s | seal size |")
    print("|---:|---:|---:|---:|---:|")
    for units in [int(u) for u in args.units.split(",")]:
        result = in_child(_build, (units, args.months), args.timeout)
        if not result["finished"]:
            print(f"| {units:,} | | not finished in {result['seconds']:.0f} s | | |")
            continue
        print(f"| {units:,} | {result['cells']:,} | {result['hiding_off_s']:.1f} | {result['sealed_s']:.1f} | "
              f"{result['seal_bytes'] / 1e6:.2f} MB |", flush=True)


if __name__ == "__main__":
    main()
