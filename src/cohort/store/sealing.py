"""Sealing the releases of every visible dataset at once: the operator's step before a new version of the code.

The app seals a dataset's release when a page first builds it (`cohort.privacy.seal`). A store whose
datasets were published by a version of the app that did not seal yet has unsealed datasets that viewers have
seen; sealing them with the method that version used keeps what those viewers saw:

    python -m cohort.store seal --method tabel    # datasets published before 2 December 2026
    python -m cohort.store seal                   # the current method, e.g. right after a publication

Datasets are sealed in the order they became visible, each protected together with those before it, exactly
as the app does it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from dataclasses import dataclass

from cohort.dataset import Dataset
from cohort.privacy.release import release_for, seal_key_for
from cohort.privacy.rules import SuppressionRule
from cohort.privacy.seal import Method
from cohort.store.catalog import DatasetStore


@dataclass(frozen=True)
class SealOutcome:
    dataset_id: str
    name: str
    stored: bool  # False: it was sealed already (under this key)
    method: str  # the method of the seal the release now has
    cells: int
    hidden: int


def seal_visible(store: DatasetStore, rule: SuppressionRule, method: Method, *, by: str) -> Iterator[SealOutcome]:
    """Seal the release of every dataset viewers have seen (oldest first) that has none under `rule` yet."""
    visible = [record for record in store.list_datasets(include_withdrawn=True, include_review=True)
               if record.visible_since is not None]
    loaded: dict[str, Dataset] = {}

    def dataset(dataset_id: str) -> Dataset:
        if dataset_id not in loaded:
            loaded[dataset_id] = dataclasses.replace(
                store.load(dataset_id), sealer=functools.partial(store.seal, dataset_id, by=by))
        return loaded[dataset_id]

    for record in sorted(visible, key=lambda r: (r.visible_since or "", r.dataset_id)):
        own = dataset(record.dataset_id)
        own = dataclasses.replace(own, earlier=tuple(dataset(d) for d in store.visible_before(record.dataset_id)))
        key = seal_key_for(own, rule)
        sealed_before = any(seal.key == key for seal in own.seals)
        release = release_for(own, rule, method)
        seal = release.sealed_by
        yield SealOutcome(record.dataset_id, record.name, not sealed_before and seal is not None,
                          seal.method if seal is not None else "—", int(release.values.size),
                          int(release.hidden.sum()))
