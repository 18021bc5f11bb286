"""Reusable page elements: banners, tiles with definitions, the active-filter line."""

from __future__ import annotations

import streamlit as st

from cohort.dataset import Dataset
from cohort.selection import Selection


def example_banner(dataset: Dataset) -> None:
    """Illustrative example data must never be mistaken for WPI registrations."""
    if dataset.meta.is_example:
        st.warning(
            "**Voorbeelddata.** Deze cijfers zijn illustratief: gekalibreerd op de publieke totalen uit de "
            "raadsbrief van 6 juli 2021, maar per gebied verzonnen. Het zijn geen registraties van WPI.",
            icon=":material/science:",
        )


def active_filters(selection: Selection, dataset: Dataset) -> None:
    """The active filters, always visible at the top of a page."""
    st.caption(f"Dataset: {dataset.meta.name} · {selection.describe()}")


def tile(column, label: str, value: str, definition: str, *, delta: str | None = None) -> None:
    """A headline number with its one-line definition underneath (no number without its meaning)."""
    with column, st.container(border=True):
        st.metric(label, value, delta=delta, delta_color="off")
        st.caption(definition)
