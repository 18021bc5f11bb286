"""A published dataset shows its viewers the same numbers after the protection code changes (AppTest): the first
page that builds its release seals it in the store, and after a restart the release comes from the seal."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from apptest import metrics_by_label, open_app
from outflow_data import small
from test_access import SECRETS, VIEWER

import cohort.privacy.release as release_module
from cohort.store import DatasetStore
from cohort.ui import data as ui_data

APP_VIEWER = {"is_logged_in": True, "email": VIEWER, "name": "Raadslid"}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DatasetStore]:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("COHORT_DATABASE_URL", raising=False)
    yield DatasetStore(tmp_path / "store")
    ui_data._store.clear()


def restart() -> None:
    """What a new deployment starts with: no release, no page model, no loaded dataset in memory."""
    release_module._CACHE.clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def viewer_sees(dataset_id: str) -> dict[str, str]:
    at = open_app(check=True, secrets=SECRETS, user=APP_VIEWER, dataset=dataset_id)
    return metrics_by_label(at)


def test_viewers_keep_seeing_the_sealed_numbers_when_the_protection_code_changes(
        store: DatasetStore, monkeypatch: pytest.MonkeyPatch) -> None:
    record = store.publish(small(), name="Cohort klein", description="", published_by="evaluator",
                           validation_summary="0 fouten")
    restart()
    shown = viewer_sees(record.dataset_id)
    deadline = time.monotonic() + 60  # the seal is written by whichever thread built the release
    while not store.load(record.dataset_id).seals and time.monotonic() < deadline:
        time.sleep(0.1)
    [seal] = store.load(record.dataset_id).seals
    assert seal.method == "lokaal" and seal.key == "drempel=5;korrel=kwartaal/halfjaar;eerder="
    first_hidden = seal.hidden_mask()
    assert first_hidden.any() and not first_hidden.all()

    # A later version of the code would hide every cell; the sealed dataset must not notice.
    def hide_everything(values: np.ndarray, *_args: object, **_kwargs: object) -> np.ndarray:
        return np.ones(len(values), dtype=bool)

    monkeypatch.setattr(release_module, "protect_cells", hide_everything)
    restart()
    assert viewer_sees(record.dataset_id) == shown
    [built] = [r for r in release_module._CACHE.values() if r.rule.enabled]
    assert built.sealed_by == seal and built.hidden.tolist() == first_hidden.tolist()

    # An unsealed dataset does get the new code: the test's "new method" really is in force.
    other = store.publish(small().__class__(small().units, small().monthly.with_columns(
        (small().monthly["bijstand"] + 1).alias("bijstand")), small().meta), name="Ander",
        description="", published_by="evaluator", validation_summary="0 fouten")
    restart()
    hidden_everywhere = viewer_sees(other.dataset_id)
    assert hidden_everywhere != shown


def test_a_fresh_server_takes_the_example_s_hidden_cells_from_the_seal_beside_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "leeg"))
    monkeypatch.delenv("COHORT_DATABASE_URL", raising=False)

    def must_not_run(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the bundled example was protected again")

    restart()
    monkeypatch.setattr(release_module, "protect_cells", must_not_run)
    at = open_app(check=True)
    assert metrics_by_label(at)["Klachten"] == "30"
    [built] = [r for r in release_module._CACHE.values() if r.rule.enabled]
    assert built.sealed_by is not None and built.sealed_by.key.startswith("drempel=5;")
    ui_data._store.clear()
