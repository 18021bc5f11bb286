"""Which dataset a session sees, loaded once per content and shared by all sessions.

The dataset id lives in the URL (`?dataset=<64 hex>`), so a shared link shows the same data; published data
are content-addressed, so caching by id can never serve stale numbers.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from cohort.dataset import Dataset
from cohort.links import DATASET_KEY, requested_dataset
from cohort.settings import EXAMPLE_WORKBOOK, load_settings
from cohort.store import DatasetStore, StoreError
from cohort.workbook.read import read_workbook

EXAMPLE_NOTE_VALUES = {"ja", "yes", "true", "1"}


class DatasetUnavailable(RuntimeError):
    """The bundled example could not be read: a deployment error, shown in Dutch on the page."""


class CurrentDataset(NamedTuple):
    dataset: Dataset
    notice: str | None  # Dutch, when the link asked for a dataset that is not shown


# Loaded datasets are shared by all sessions through st.cache_resource, not copied per session by
# st.cache_data: a Dataset is a frozen dataclass of Polars frames that nothing here mutates (every Polars
# operation returns a new frame), and the benchmark measured one unpickled copy per session otherwise.
@st.cache_resource(max_entries=4, show_spinner="Voorbeelddata laden …")
def _load_workbook(path: str, modified_ns: int, size: int) -> Dataset:
    # Keyed on path, modification time and size, so a regenerated example is picked up without a restart.
    result = read_workbook(Path(path), name="Voorbeelddata Cohortaanpak")
    if result.dataset is None:
        raise DatasetUnavailable(
            "De voorbeelddata konden niet worden gelezen: " + "; ".join(p.message for p in result.report.errors[:3])
        )
    dataset = result.dataset
    return replace(dataset, meta=replace(dataset.meta, version=f"voorbeeld-{modified_ns}-{size}"))


def example_dataset(path: Path = EXAMPLE_WORKBOOK) -> Dataset:
    stat = path.stat()
    return _load_workbook(str(path), stat.st_mtime_ns, stat.st_size)


@st.cache_resource
def _store(root: str) -> DatasetStore:
    # Keyed on the directory, so a changed COHORT_STORE_DIR (tests) gets its own store. The store holds no
    # data, only a path; every method opens its own short-lived connection, so sessions can share it.
    return DatasetStore(Path(root))


def dataset_store() -> DatasetStore:
    return _store(str(load_settings().store_dir))


@st.cache_resource(max_entries=8, show_spinner="Dataset laden …")
def _load_published(root: str, dataset_id: str) -> Dataset:
    # The id is the content hash, so this entry is never stale; `root` keeps test stores apart.
    dataset = _store(root).load(dataset_id)
    if dataset.meta.notes.get("voorbeelddata", "").strip().lower() in EXAMPLE_NOTE_VALUES:
        # Published example data must keep its label: the banner reads `is_example`.
        dataset = replace(dataset, meta=replace(dataset.meta, is_example=True))
    return dataset


def _requested_id() -> str | None:
    return requested_dataset(st.query_params.get_all(DATASET_KEY))


def current_dataset() -> CurrentDataset:
    """The dataset for this session, with a Dutch notice when the link's dataset cannot be shown."""
    requested = _requested_id()
    root = str(load_settings().store_dir)
    try:
        resolution = _store(root).resolve(requested)
        dataset = example_dataset() if resolution.dataset_id is None else _load_published(root, resolution.dataset_id)
    except StoreError as error:
        # A damaged store must not take the dashboard down: show the example and say why.
        resolution, dataset = None, example_dataset()
        notice: str | None = f"{error} U ziet nu de voorbeelddata."
    else:
        notice = resolution.notice
    if requested is not None and (resolution is None or resolution.source != "requested"):
        del st.query_params[DATASET_KEY]  # an invalid id must not travel on in shared links
    return CurrentDataset(dataset, notice)
