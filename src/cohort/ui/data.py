"""Which dataset a session sees, loaded once per content and shared by all sessions.

The dataset id lives in the URL (`?dataset=<64 hex>`), so a shared link shows the same data. Two caches, both
correct when several replicas share one store (PostgreSQL):
- a dataset is cached by its content id, so that entry can never be stale;
- which dataset a link or the default resolves to can change on any replica (a new default, a withdrawal), so
  it is read from the catalog again after at most `CATALOG_TTL_SECONDS` (default 5 s, `COHORT_CATALOG_TTL_SECONDS`);
  an action in this process clears it at once (`forget_catalog`).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from cohort.dataset import Dataset
from cohort.links import DATASET_KEY, requested_dataset
from cohort.privacy.release import warm_release
from cohort.privacy.seal import Seal, seal_from_text
from cohort.settings import EXAMPLE_WORKBOOK, load_settings, read_settings
from cohort.store import DatasetStore, Resolution, StoreError, database_url
from cohort.ui.auth import is_evaluator
from cohort.ui.privacy import current_rule
from cohort.workbook.read import read_workbook

log = logging.getLogger("cohort.ui")
EXAMPLE_NOTE_VALUES = {"ja", "yes", "true", "1"}
# Read at import (a decorator argument); a bad value falls back to the default here, and the app then stops
# with the Dutch message before any page runs (cohort.ui.settings).
CATALOG_TTL_SECONDS = read_settings()[0].catalog_ttl_seconds
SHOWING_EXAMPLE = "U ziet nu de voorbeelddata."
_RESOLUTION_KEY = "_dataset_resolution"


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
    return replace(dataset, meta=replace(dataset.meta, version=f"voorbeeld-{modified_ns}-{size}"),
                   seals=_bundled_seals(Path(path)))


def _bundled_seals(workbook: Path) -> tuple[Seal, ...]:
    # Only a shortcut: a missing or stale seal costs the first viewer a second or two, never a wrong number
    # (a seal over other cells is not used; `Release.adopt`).
    seal_file = workbook.with_suffix(".seal.json")  # EXAMPLE_SEAL for the bundled example
    try:
        return (seal_from_text(seal_file.read_text(encoding="utf-8")),)
    except FileNotFoundError:
        return ()
    except (OSError, ValueError) as error:
        log.warning("the seal of %s is not used: %s", workbook, error)
        return ()


def example_dataset(path: Path = EXAMPLE_WORKBOOK) -> Dataset:
    stat = path.stat()
    return _load_workbook(str(path), stat.st_mtime_ns, stat.st_size)


@st.cache_resource(on_release=DatasetStore.close)
def _store(root: str, url: str | None) -> DatasetStore:
    # Keyed on the directory and the database URL, so a changed configuration (tests) gets its own store. The
    # store holds no data: connections are short-lived (SQLite) or pooled (PostgreSQL), so sessions share it.
    return DatasetStore(Path(root), database_url=url)


def _location() -> tuple[str, str | None]:
    return str(load_settings().store_dir), database_url()


def dataset_store() -> DatasetStore:
    return _store(*_location())


@st.cache_resource(max_entries=16, show_spinner="Dataset laden …")
def _load_content(root: str, url: str | None, dataset_id: str) -> Dataset:
    # The id is the content hash, so this entry is never stale; `root`/`url` keep test stores apart.
    store = _store(root, url)
    # The first protected release built for a dataset viewers see is stored with it (`cohort.privacy.seal`);
    # the store keeps only seals of visible datasets, so a pending one is protected afresh when it is approved.
    dataset = replace(store.load(dataset_id), sealer=functools.partial(store.seal, dataset_id))
    if dataset.meta.notes.get("voorbeelddata", "").strip().lower() in EXAMPLE_NOTE_VALUES:
        # Published example data must keep its label: the banner reads `is_example`.
        dataset = replace(dataset, meta=replace(dataset.meta, is_example=True))
    return dataset


@st.cache_resource(max_entries=8, show_spinner=False)
def _with_earlier(root: str, url: str | None, dataset_id: str, earlier: tuple[str, ...]) -> Dataset:
    return replace(_load_content(root, url, dataset_id),
                   earlier=tuple(_load_content(root, url, other) for other in earlier))


@st.cache_data(ttl=CATALOG_TTL_SECONDS, max_entries=256, show_spinner=False)
def _visible_before(root: str, url: str | None, dataset_id: str) -> tuple[str, ...]:
    # Fixed once the dataset is visible; a publication waiting for approval sees later ones arrive.
    return tuple(_store(root, url).visible_before(dataset_id))


def _load_published(root: str, url: str | None, dataset_id: str) -> Dataset:
    """The stored dataset with the datasets viewers could see before it (`Dataset.earlier`), so that its
    release is protected together with theirs and no two publications undo each other's protection."""
    return _with_earlier(root, url, dataset_id, _visible_before(root, url, dataset_id))


def published_dataset(dataset_id: str) -> Dataset:
    """A stored dataset by its id, from the same shared cache (e.g. the version another one replaces)."""
    return _load_published(*_location(), dataset_id)


@st.cache_data(ttl=CATALOG_TTL_SECONDS, max_entries=256, show_spinner=False)
def _resolve(root: str, url: str | None, requested: str | None, include_pending: bool = False) -> Resolution:
    # include_pending: an evaluator may open a publication that waits for approval; a viewer may not.
    return _store(root, url).resolve(requested, include_pending=include_pending)


def forget_catalog() -> None:
    """After a publish, a new default or a withdrawal in this process: read the catalog again now (other
    replicas follow within CATALOG_TTL_SECONDS)."""
    _resolve.clear()
    _visible_before.clear()


def store_message(error: StoreError) -> str:
    """What this user may read about a store failure: the actionable text for evaluators, the short one for
    viewers (never internals; the server log has everything)."""
    return error.message if is_evaluator() else error.public


def _dataset_of(root: str, url: str | None, resolution: Resolution) -> Dataset:
    # No stored dataset resolved (an empty catalog, no default): the bundled example.
    if resolution.dataset_id is None:
        return example_dataset()
    return _load_published(root, url, resolution.dataset_id)


def default_dataset() -> Dataset:
    """The dataset a viewer without a link sees (the default publication, else the example), outside any
    session: for the server's warm-up (`cohort.ui.warmup`). Store errors are raised, not shown."""
    root, url = _location()
    return _dataset_of(root, url, _resolve(root, url, None))


def _requested_id() -> str | None:
    return requested_dataset(st.query_params.get_all(DATASET_KEY))


def current_dataset() -> CurrentDataset:
    """The dataset for this session, with a Dutch notice when the link's dataset cannot be shown."""
    requested = _requested_id()
    root, url = _location()
    resolution: Resolution | None
    try:
        resolution = _resolve(root, url, requested, is_evaluator())
        dataset = _dataset_of(root, url, resolution)
    except StoreError as error:
        # A damaged dataset or an unavailable store must not take the dashboard down: show the example, say why.
        resolution, dataset = None, example_dataset()
        notice: str | None = f"{store_message(error)} {SHOWING_EXAMPLE}"
    else:
        notice = resolution.notice
    st.session_state[_RESOLUTION_KEY] = resolution
    if requested is not None and (resolution is None or resolution.source != "requested"):
        del st.query_params[DATASET_KEY]  # an invalid id must not travel on in shared links
    # The protected release takes seconds to build (more for many units): start it now, beside this run, so
    # the sidebar and the page's first elements are drawn meanwhile and a page model finds it built or waits
    # for that one build. A freshly published or newly default dataset is warmed by the run that shows it.
    warm_release(dataset, current_rule())
    return CurrentDataset(dataset, notice)


def current_resolution() -> Resolution | None:
    """What `current_dataset` resolved in this run: the catalog record shown (status, version) and a newer
    version, if any; None for the example after a store failure."""
    return st.session_state.get(_RESOLUTION_KEY)
