"""Sealed releases in the store, on both backends: kept once per dataset and key, checked on every load, found
damaged by verify, and written for every visible dataset by `python -m cohort.store seal`."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import versions_data
from store_backends import BACKENDS, StoreLocation, store_location

import cohort.privacy.release as release_module
from cohort.privacy.release import release_for, seal_key_for
from cohort.privacy.rules import SuppressionRule
from cohort.privacy.seal import Seal, make_seal
from cohort.store import DatasetDamaged, DatasetStore

RULE = SuppressionRule()
WHOLE_TABLE_MASKS = json.loads((Path(__file__).parents[1] / "privacy" / "whole_table_masks.json").read_text())


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreLocation]:
    yield from store_location(request, tmp_path)


def publish(store: DatasetStore, dataset, name: str, *, review: bool = False, replaces: str | None = None):
    return store.publish(dataset, name=name, description="", published_by="evaluator",
                         validation_summary="0 fouten", review=review, replaces=replaces)


def a_seal(key: str = "drempel=5;korrel=kwartaal/halfjaar;eerder=") -> Seal:
    values = np.array([3, 10, 0, 7, 12, 1, 40, 2, 9], dtype=np.int64)
    return make_seal(key, "lokaal", values, values < 5)


def env_for(location: StoreLocation) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **location.env()}
    if location.backend == "sqlite":
        env.pop("COHORT_DATABASE_URL", None)
    return env


def run_store_command(location: StoreLocation, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cohort.store", *args], capture_output=True, text=True,
                          env=env_for(location), timeout=600)


def test_a_seal_is_kept_once_and_comes_back_with_the_dataset(location: StoreLocation,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cohort.store")
    store = location.open()
    record = publish(store, versions_data.old_version(), "Cohort t/m juni 2021")
    first, second = a_seal(), a_seal()
    second = Seal(first.key, "tabel", first.cells, first.cells_digest, bytes([0xFF, 0x80]))
    assert store.seal(record.dataset_id, first) == first
    assert store.seal(record.dataset_id, second) == first  # the first one stays for good, and is returned
    [loaded] = location.open().load(record.dataset_id).seals
    assert (loaded.key, loaded.method, loaded.cells, loaded.hidden) == (first.key, "lokaal", 9, first.hidden)
    assert loaded.hidden_mask().tolist() == [True, False, True, False, False, True, False, True, False]
    assert loaded.sealed_at.startswith("20")
    # The app's own seal is not an action of a person: not in the audit log (the server log has it).
    assert store.audit_log().get_column("Actie").to_list() == ["publiceren"]
    assert "4 van de 9 cellen verborgen (methode lokaal; drempel=5)" in caplog.text
    assert store.verify().ok


def test_a_dataset_viewers_have_not_seen_is_not_sealed(location: StoreLocation) -> None:
    store = location.open()
    record = publish(store, versions_data.old_version(), "Wacht op goedkeuring", review=True)
    assert store.seal(record.dataset_id, a_seal()) is None
    assert store.load(record.dataset_id).seals == ()


def test_a_damaged_seal_refuses_the_dataset_and_verify_reports_it(location: StoreLocation,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    store = location.open()
    record = publish(store, versions_data.old_version(), "Cohort t/m juni 2021")
    store.seal(record.dataset_id, a_seal())
    with store._backend.writing() as conn:  # one bit flipped where the seal is stored
        conn.run("UPDATE release_seals SET hidden = ? WHERE dataset_id = ?", (bytes([0b10110101, 0]),
                                                                               record.dataset_id))
    with pytest.raises(DatasetDamaged) as refused:
        location.open().load(record.dataset_id)
    assert "de vastgelegde verbergingen zijn beschadigd" in refused.value.message
    assert "refused" in caplog.text
    report = store.verify()
    assert not report.ok
    assert [check.problem for check in report.seals] == [
        "de vastgelegde verbergingen komen niet overeen met hun controlegetal"]
    verified = run_store_command(location, "verify")
    assert verified.returncode == 1
    assert "vastgelegde verbergingen" in verified.stdout and "1 van de 1 datasets is niet in orde" in verified.stdout


def test_the_seal_command_seals_every_visible_dataset_in_order_and_once(location: StoreLocation) -> None:
    store = location.open()
    old = publish(store, versions_data.old_version(), "Cohort t/m juni 2021")
    new = publish(store, versions_data.new_version(), "Cohort t/m december 2021", replaces=old.dataset_id)
    pending = publish(store, versions_data.dataset(9, revised=True, name="x"), "Nog niet zichtbaar", review=True)

    done = run_store_command(location, "seal", "--method", "tabel")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith(old.dataset_id) and "vastgelegd (methode tabel)" in lines[1]
    assert lines[2].startswith(new.dataset_id) and "vastgelegd (methode tabel)" in lines[2]
    assert lines[-1] == "2 zichtbare datasets: alle vastgelegd."
    assert pending.dataset_id not in done.stdout

    again = run_store_command(location, "seal")
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("was al vastgelegd (methode tabel)") == 2

    reopened = location.open()
    old_data = reopened.load(old.dataset_id)
    new_data = reopened.load(new.dataset_id)
    new_data = new_data.__class__(new_data.units, new_data.monthly, new_data.meta, earlier=(old_data,),
                                  seals=new_data.seals)
    [seal] = new_data.seals
    assert seal.key == seal_key_for(new_data, RULE) == f"drempel=5;korrel=kwartaal/halfjaar;eerder={old.dataset_id}"
    # What the seal holds is what the code before 2 December 2026 hid for the new version after the old one.
    assert np.flatnonzero(seal.hidden_mask()).tolist() == WHOLE_TABLE_MASKS["new_after_old"]["hidden"]
    release_module._CACHE.clear()  # releases are cached per content, and other tests built this content
    release = release_for(new_data, RULE)
    assert release.sealed_by == seal and release.hidden.tolist() == seal.hidden_mask().tolist()
    newest = reopened.audit_log().row(0, named=True)
    assert (newest["Door"], newest["Actie"]) == ("beheer (python -m cohort.store seal)", "verbergingen vastleggen")
    assert newest["Toelichting"].startswith("‘Cohort t/m december 2021’: ")
    assert newest["Toelichting"].endswith(" cellen verborgen (methode tabel; drempel=5). Dit blijft zo voor alle "
                                          "viewers.")
    assert reopened.audit_log().get_column("Actie").to_list().count("verbergingen vastleggen") == 2
