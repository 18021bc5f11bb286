"""Heavy computations cached per (dataset content, selection), so a rerun for an unrelated widget is cheap.

Keys are the dataset's content key and the selection's repr, never the frames themselves: hashing 120,000
monthly rows on every rerun would cost more than the cache saves. The underscored arguments are not hashed.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from cohort.dataset import Dataset
from cohort.rollout import unit_table
from cohort.selection import Selection, apply_selection


@st.cache_data(max_entries=16, show_spinner=False)
def _unit_table(dataset_key: str, selection_key: str, _dataset: Dataset, _selection: Selection) -> pl.DataFrame:
    units, monthly = apply_selection(_dataset, _selection)
    return unit_table(units, monthly, _selection.peildatum)


def unit_table_for(dataset: Dataset, selection: Selection) -> pl.DataFrame:
    """`rollout.unit_table` for the selection (status, period and totals per unit)."""
    return _unit_table(dataset.cache_key, repr(selection), dataset, selection)
