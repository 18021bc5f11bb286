"""The attacker with two publications at once: what one version shows must not undo the other's protection.

Two published datasets stay reachable through pinned links: a first version (data up to June 2021) and a
second one with more months and a few corrected numbers. Every cell each release shows becomes an equation over
the monthly numbers, where a number both versions hold unchanged is one unknown (`attacker.JointAttacker`). Each
release on its own is safe; without protection against the first version, the second one shows cells that,
with the first version's, pin hidden counts. Protected together (`Dataset.earlier`), nothing can be worked out.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import polars as pl
import pytest
from attacker import JointAttacker, edited, release_counts, small_latent_queries

from cohort.dataset import Dataset
from cohort.privacy.release import Release, release_for
from cohort.privacy.rules import SuppressionRule

RULE = SuppressionRule()


def first_version(dataset: Dataset, last: date) -> Dataset:
    monthly = dataset.monthly.filter(pl.col("maand") <= last)
    meta = dataclasses.replace(dataset.meta, version=f"{dataset.meta.version}-tot-{last.isoformat()}")
    return Dataset(dataset.units, monthly, meta)


@pytest.fixture(scope="module")
def versions(example: Dataset) -> tuple[Dataset, Dataset]:
    """Version 1: up to June 2021, with small counts; version 2: all months, two of them corrected."""
    base = edited(example, {
        ("DX11", date(2021, 6, 1), "klachten_bejegening"): 2,
        ("DX13", date(2020, 9, 1), "klachten_koers"): 3,
        ("DX05", date(2020, 2, 1), "uitstroom_werk"): 2,
        ("DX05", date(2020, 3, 1), "uitstroom_werk"): 1,
        ("DX05", date(2020, 1, 1), "uitstroom_werk"): 0,
    })
    old = first_version(base, date(2021, 6, 1))
    new = edited(base, {
        ("DX11", date(2021, 5, 1), "klachten_bejegening"): 1,  # a complaint registered late
        ("DX05", date(2020, 3, 1), "uitstroom_werk"): 2,  # a corrected outflow count
    })
    return old, new


def latent_targets(release: Release, attacker: JointAttacker, version: int) -> list[tuple[str, np.ndarray, str]]:
    return [(*attacker.row(version, query), f"versie {version + 1}: nooit getoond {query}")
            for query in small_latent_queries(release)]


def leaks_of(old: Dataset, new: Dataset) -> list:
    releases = [release_for(old, RULE), release_for(new, RULE)]
    attacker = JointAttacker([old, new])
    counts = [release_counts(release, dataset) for release, dataset in zip(releases, (old, new), strict=True)]
    targets = [t for version, release in enumerate(releases) for t in latent_targets(release, attacker, version)]
    return attacker.leaks([shown for shown, _ in counts], [hidden for _, hidden in counts], targets)


def test_protected_apart_the_two_versions_leak(versions) -> None:
    old, new = versions  # `new` without `earlier`: each release protected on its own, as before
    leaks = leaks_of(old, new)
    assert leaks, "the attacker should recover a count from the two releases together"
    assert all(1 <= leak.value <= 4 for leak in leaks)


def test_a_version_protected_with_the_one_before_leaves_every_small_count_uncertain(versions) -> None:
    old, new = versions
    assert leaks_of(old, dataclasses.replace(new, earlier=(old,))) == []


def test_a_cell_the_first_version_shows_reads_the_same_in_the_second(versions) -> None:
    """The same sum of the same months with the same value: shown in both (the second cannot hide it anyway)."""
    old, new = versions
    before, after = release_for(old, RULE), release_for(dataclasses.replace(new, earlier=(old,)), RULE)
    compared = 0
    for measure, family in after._families_built.items():
        earlier = before._families_built[measure]
        shown = {(key, value) for key, value, hidden in
                 zip(earlier.keys, earlier.values.tolist(), earlier.hidden.tolist(), strict=True) if not hidden}
        for key, value, hidden, latent in zip(family.keys, family.values.tolist(), family.hidden.tolist(),
                                              family.latent.tolist(), strict=True):
            if (key, value) in shown and not latent:
                compared += 1
                assert not hidden, key
    assert compared > 1000


def test_the_earlier_version_keeps_its_own_release(versions) -> None:
    old, new = versions
    alone = release_for(old, RULE)
    release_for(dataclasses.replace(new, earlier=(old,)), RULE)
    assert release_for(old, RULE) is alone  # publishing a new version never changes what the old one shows
