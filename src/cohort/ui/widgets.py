"""Reusable page elements: banners, tiles with definitions, the active-filter line."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import polars as pl
import streamlit as st

from cohort.dataset import Dataset
from cohort.exports import frame_to_csv_bytes, frame_to_xlsx_bytes
from cohort.fmt import fmt_date, fmt_dec, fmt_int, fmt_month_short
from cohort.plaintext import markdown_literal
from cohort.selection import Selection
from cohort.ui.versions import dataset_status_suffix, version_notices

if TYPE_CHECKING:  # pandas' styling module takes 0.3 s to import; only tables that are opened need it
    from pandas.io.formats.style import Styler


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


def tile(column, label: str, value: str, definition: str, *, delta: str | None = None) -> None:
    """A headline number with its one-line definition underneath (no number without its meaning)."""
    with column, st.container(border=True):
        st.metric(label, value, delta=delta, delta_color="off")
        st.caption(definition)


def _printf_decimals(config: object) -> int | None:
    """Decimals of a NumberColumn's printf format ("%.2f" -> 2), which the Dutch styler then takes over."""
    if not isinstance(config, dict):
        return None
    match = re.fullmatch(r"%\.(\d)f", str((config.get("type_config") or {}).get("format") or ""))
    return int(match.group(1)) if match else None


def dutch_table(frame: pl.DataFrame, column_config: dict | None = None) -> tuple[Styler, dict]:
    """A Styler that shows numbers and dates the Dutch way (13.024; 2,27; sep 2019) while the cells stay numbers.

    Why: Streamlit's NumberColumn formats only know English separators, and pre-formatted text would sort
    "9" after "10". Float columns keep the decimals of their NumberColumn format (default 1). Returns the
    Styler and the column_config without number formats (a format there would override the Dutch text).
    """
    config = dict(column_config or {})
    formats: dict[str, Callable[[object], str]] = {}
    for name, dtype in frame.schema.items():
        if dtype.is_integer():
            formats[name] = fmt_int
        elif dtype.is_float():
            decimals = _printf_decimals(config.get(name))
            formats[name] = partial(fmt_dec, decimals=1 if decimals is None else decimals)
        elif dtype == pl.Date:
            formats[name] = fmt_month_short if name.startswith("maand") else fmt_date
        else:
            continue
        if isinstance(config.get(name), dict):
            label = config[name].get("label")
            config[name] = label if label else None
    styler = frame.to_pandas().style.format(formats, na_rep="—")  # type: ignore[arg-type]
    return styler, config


TABLE_KEY_PREFIX = "cijfers_"


def chart_data(frame: pl.DataFrame, *, title: str, file_stem: str, column_config: dict | None = None) -> None:
    """The numbers behind a chart: a table in an expander, downloadable as CSV and Excel (formulas neutralised).

    The expander tracks whether it is open (key `cijfers_<file_stem>`) and builds the table only then: six styled
    tables on a page cost more than its charts on every rerun. Files are built only when clicked.
    """
    # Titles can name a unit from the upload, so the label is plain text.
    expander = st.expander(markdown_literal(f"Cijfers bij deze grafiek: {title}"),
                           key=f"{TABLE_KEY_PREFIX}{file_stem}", on_change="rerun")
    with expander:
        if not expander.open:
            return
        styler, config = dutch_table(frame, column_config)
        st.dataframe(styler, hide_index=True, column_config=config)
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
