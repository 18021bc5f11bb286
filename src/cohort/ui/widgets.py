"""Reusable page elements: banners, tiles with definitions, the active-filter line."""

from __future__ import annotations

from typing import Any

import streamlit as st

from cohort.dataset import Dataset
from cohort.plaintext import markdown_literal
from cohort.selection import Selection
from cohort.ui.versions import dataset_status_suffix, version_notices


def document_language() -> None:
    """Mark the document as Dutch (WCAG 3.1.1): Streamlit's index.html says lang="en" and has no setting for it.

    A constant script, no user input in it; `st.html` runs it client-side once the app has loaded.
    """
    st.html("<script>document.documentElement.lang = 'nl';</script>", unsafe_allow_javascript=True)


def example_banner(dataset: Dataset) -> None:
    """Illustrative example data must never be mistaken for WPI registrations."""
    if dataset.meta.is_example:
        st.warning(
            "**Voorbeelddata.** Deze cijfers zijn illustratief: gekalibreerd op de publieke totalen uit de "
            "raadsbrief van 6 juli 2021, maar per gebied verzonnen. Het zijn geen registraties van WPI.",
            icon=":material/science:",
        )


def plain_caption(text: str) -> None:
    """A caption that shows `text` exactly as written: for lines with names or notes from an upload."""
    st.caption(markdown_literal(text))


def active_filters(selection: Selection, dataset: Dataset) -> None:
    """The active filters, always visible at the top of a page (the dataset's name is plain text), with the
    dataset's status and version beside its name and, under it, a note when a newer version exists."""
    plain_caption(f"Dataset: {dataset.meta.name}{dataset_status_suffix()} · {selection.describe()}")
    version_notices()


def tile(column: Any, label: str, value: str, definition: str, *, delta: str | None = None) -> None:
    """A headline number with its one-line definition underneath (no number without its meaning)."""
    with column, st.container(border=True):
        st.metric(label, value, delta=delta, delta_color="off")
        st.caption(definition)
