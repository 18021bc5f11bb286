"""Which dataset a session sees, loaded once per content and shared through `st.cache_data`."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from cohort.dataset import Dataset
from cohort.settings import EXAMPLE_WORKBOOK
from cohort.workbook.read import read_workbook


class DatasetUnavailable(RuntimeError):
    """The bundled example could not be read: a deployment error, shown in Dutch on the page."""


@st.cache_data(max_entries=4, show_spinner="Voorbeelddata laden …")
def _load_workbook(path: str, modified_ns: int, size: int) -> Dataset:
    # Keyed on path, modification time and size, so a regenerated example is picked up without a restart.
    result = read_workbook(Path(path), name="Voorbeelddata Cohortaanpak")
    if result.dataset is None:
        raise DatasetUnavailable(
            "De voorbeelddata konden niet worden gelezen: " + "; ".join(p.message for p in result.report.errors[:3])
        )
    return result.dataset


def example_dataset(path: Path = EXAMPLE_WORKBOOK) -> Dataset:
    stat = path.stat()
    return _load_workbook(str(path), stat.st_mtime_ns, stat.st_size)


def current_dataset() -> Dataset:
    """The dataset for this session."""
    return example_dataset()
