"""Reusable page elements: banners, tiles with definitions, the active-filter line."""

from __future__ import annotations

import polars as pl
import streamlit as st

from cohort.dataset import Dataset
from cohort.exports import frame_to_csv_bytes, frame_to_xlsx_bytes
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


def chart_data(frame: pl.DataFrame, *, title: str, file_stem: str, column_config: dict | None = None) -> None:
    """The numbers behind a chart: a table in an expander, downloadable as CSV and Excel (formulas neutralised)."""
    # Files are built only when clicked (deferred callables), so pages stay fast on every rerun.
    with st.expander(f"Cijfers bij deze grafiek: {title}"):
        st.dataframe(frame, hide_index=True, column_config=column_config)
        left, right = st.columns(2)
        left.download_button(
            "Download CSV", lambda: frame_to_csv_bytes(frame), file_name=f"{file_stem}.csv", mime="text/csv",
            key=f"csv_{file_stem}", on_click="ignore",
        )
        right.download_button(
            "Download Excel", lambda: frame_to_xlsx_bytes(frame, sheet_name=file_stem[:31], title=title),
            file_name=f"{file_stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"xlsx_{file_stem}", on_click="ignore",
        )
