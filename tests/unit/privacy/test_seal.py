"""Sealed releases: a published dataset keeps the hidden cells its viewers were first shown, whatever the code
that builds its release later (`cohort.privacy.seal`)."""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from pathlib import Path

import numpy as np
import pytest
import versions_data
from outflow_data import small, staggered

import cohort.privacy.release as release_module
from cohort.dataset import Dataset
from cohort.privacy.release import Release, complaint_lattice_for, lattice_for, release_for, seal_key_for
from cohort.privacy.rules import SuppressionRule
from cohort.privacy.seal import Seal, cells_digest, make_seal

RULE = SuppressionRule()
WHOLE_TABLE_MASKS = json.loads((Path(__file__).parent / "whole_table_masks.json").read_text())


def fresh(dataset: Dataset, **changes: object) -> Dataset:
    """The same data under a key no other test used, so `release_for` builds instead of reusing its cache."""
    meta = dataclasses.replace(dataset.meta, version=f"test-{uuid.uuid4()}")
    return dataclasses.replace(dataset, meta=meta, **changes)  # type: ignore[arg-type]


def build(dataset: Dataset, seal: Seal | None = None) -> Release:
    return Release(dataset, RULE, lattice_for(dataset, RULE), complaint_lattice_for(dataset, RULE), seal=seal)


def one_more_hidden(release: Release) -> np.ndarray:
    """The release's hidden cells and one more (a shown cell above 10): what another method might have hidden."""
    extra = int(np.flatnonzero(~release.hidden & (release.values > 10))[0])
    mask = release.hidden.copy()
    mask[extra] = True
    return mask


def test_a_seal_keeps_one_bit_per_cell_first_cell_in_the_highest_bit() -> None:
    hidden = np.array([1, 0, 0, 1, 0, 0, 0, 0, 1, 1], dtype=bool)
    values = np.arange(10, dtype=np.int64)
    seal = make_seal("k", "lokaal", values, hidden)
    assert seal.hidden == bytes([0b10010000, 0b11000000])
    assert seal.cells == 10 and seal.cells_digest == cells_digest(values)
    assert seal.hidden_mask().tolist() == hidden.tolist()
    assert seal.fits(values) and not seal.fits(values + 1) and not seal.fits(values[:9])
    with pytest.raises(ValueError, match="3 bytes for 10 cells"):
        dataclasses.replace(seal, hidden=seal.hidden + b"\0").hidden_mask()


def test_a_fitting_seal_decides_the_hidden_cells_and_nothing_is_protected_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = small()
    protected = build(dataset)
    # A seal that hides one more cell than this code would: the release must show exactly what it says.
    sealed_mask = one_more_hidden(protected)
    seal = make_seal(seal_key_for(dataset, RULE), "tabel", protected.values, sealed_mask)

    def must_not_run(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a sealed release was protected again")

    monkeypatch.setattr(release_module, "protect_cells", must_not_run)
    monkeypatch.setattr(release_module, "_with_earlier", must_not_run)
    sealed = build(dataset, seal)
    assert sealed.sealed_by == seal
    assert sealed.hidden.tolist() == sealed_mask.tolist()
    assert np.array_equal(sealed.values, protected.values)
    # The page's sums follow the seal: the extra hidden cell is no longer shown.
    assert int(sealed.hidden.sum()) == int(protected.hidden.sum()) + 1


def test_a_seal_over_other_cells_is_not_used_and_the_log_says_so(caplog: pytest.LogCaptureFixture) -> None:
    dataset = small()
    protected = build(dataset)
    other = make_seal(seal_key_for(dataset, RULE), "lokaal", protected.values + 1, np.ones_like(protected.hidden))
    with caplog.at_level(logging.ERROR, logger="cohort.privacy"):
        release = build(dataset, other)
    assert release.sealed_by is None
    assert release.hidden.tolist() == protected.hidden.tolist()
    assert "does not fit" in caplog.text


def test_the_first_release_of_a_dataset_with_a_sealer_is_sealed_and_the_next_build_uses_it() -> None:
    stored: list[Seal] = []

    def sealer(seal: Seal) -> Seal:
        stored.append(seal)
        return seal

    dataset = fresh(small(), sealer=sealer)
    first = release_for(dataset, RULE)
    assert [s.key for s in stored] == [seal_key_for(dataset, RULE)] == ["drempel=5;korrel=kwartaal/halfjaar;eerder="]
    assert first.sealed_by == stored[0] and stored[0].method == "lokaal"
    assert stored[0].hidden_mask().tolist() == first.hidden.tolist()
    # After a restart the dataset comes with its seal: nothing is sealed again, the same cells are hidden.
    again = release_for(fresh(small(), seals=tuple(stored), sealer=sealer), RULE, "tabel")
    assert len(stored) == 1 and again.sealed_by == stored[0]
    assert again.hidden.tolist() == first.hidden.tolist()


def test_hiding_off_and_datasets_without_a_sealer_are_never_sealed() -> None:
    calls: list[Seal] = []
    release_for(fresh(small(), sealer=lambda seal: calls.append(seal)), SuppressionRule(enabled=False))
    assert calls == []
    assert release_for(fresh(small()), RULE).sealed_by is None


def test_a_store_that_cannot_take_the_seal_does_not_stop_the_viewer(caplog: pytest.LogCaptureFixture) -> None:
    def full_disk(seal: Seal) -> Seal:
        raise OSError(28, "No space left on device")

    with caplog.at_level(logging.ERROR, logger="cohort.privacy"):
        release = release_for(fresh(small(), sealer=full_disk), RULE)
    assert release.sealed_by is None and release.hidden.any()
    assert "could not be sealed" in caplog.text


@pytest.mark.parametrize("name", ["small", "staggered", "old_version", "new_version"])
def test_the_whole_table_method_hides_what_the_code_before_2_december_hid(name: str) -> None:
    # Recorded from the code of commit ece7f91^ (whole_table_masks.json says how): a dataset published then is
    # sealed with "tabel" and its viewers keep seeing what they saw.
    dataset = {"small": small, "staggered": staggered, "old_version": versions_data.old_version,
               "new_version": versions_data.new_version}[name]()
    release = release_for(fresh(dataset), RULE, "tabel")
    expected = WHOLE_TABLE_MASKS[name]
    assert release.values.size == expected["cells"]
    assert np.flatnonzero(release.hidden).tolist() == expected["hidden"]


def test_the_whole_table_method_with_an_earlier_publication_matches_the_old_code_too() -> None:
    old = fresh(versions_data.old_version())
    release = release_for(fresh(versions_data.new_version(), earlier=(old,)), RULE, "tabel")
    assert np.flatnonzero(release.hidden).tolist() == WHOLE_TABLE_MASKS["new_after_old"]["hidden"]


def test_the_seal_key_names_the_earlier_publications() -> None:
    old = fresh(versions_data.old_version())
    new = fresh(versions_data.new_version(), earlier=(old,))
    assert seal_key_for(new, RULE) == f"drempel=5;korrel=kwartaal/halfjaar;eerder={old.cache_key}"
    assert seal_key_for(new, SuppressionRule(threshold=10)).startswith("drempel=10;")


def test_a_seal_another_replica_stored_first_is_the_one_shown() -> None:
    # Two replicas build the same release at once; the store keeps the first seal, and the second replica
    # shows what that one says (here: one more cell hidden), not what it computed itself.
    dataset = small()
    own = build(dataset)
    theirs_mask = one_more_hidden(own)
    theirs = make_seal(seal_key_for(dataset, RULE), "lokaal", own.values, theirs_mask)
    release = release_for(fresh(dataset, sealer=lambda seal: theirs), RULE)
    assert release.sealed_by == theirs
    assert release.hidden.tolist() == theirs_mask.tolist()
    # Every count a page asks for reads the adopted cells (the blocks' views of the mask).
    assert all(np.array_equal(block.hidden, theirs_mask[block.offset:block.offset + block.size])
               for block in release._blocks.values())


def test_a_pending_dataset_is_protected_but_nothing_is_kept() -> None:
    release = release_for(fresh(small(), sealer=lambda seal: None), RULE)
    assert release.sealed_by is None and release.hidden.any()
