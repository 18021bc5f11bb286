"""Open-data downloads: the zip of the view being looked at, and of the whole dataset as published.

The zips are built only when clicked (`cohort.pagemodels.opendata`), from the page model or the release, never
from the raw data, so they hold what the page or the release shows and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from cohort.pagemodels.common import Table
from cohort.pagemodels.opendata import dataset_bundle, view_bundle
from cohort.privacy.release import Count
from cohort.ui.models import page_input

ZIP_MIME = "application/zip"


def view_bundle_button(page_title: str, model: object, *, shown: Sequence[Table] | None = None,
                       counts: Sequence[Count] | None = None, key: str | None = None,
                       parts: Callable[[], tuple[Sequence[Table], Sequence[Count]]] | None = None) -> None:
    """'Open data van deze weergave (zip)': the view's tables as CSV and Parquet, metadata.json and a README.

    `parts`: (shown, counts) made only when clicked (a table whose every row is slow to make)."""
    current = page_input()
    stem = key or page_title.lower().replace(" ", "_")

    def bundle() -> bytes:
        tables, rests_on = parts() if parts is not None else (shown, counts)
        return view_bundle(current, page_title, model, shown=tables, counts=rests_on)

    st.download_button(
        "Open data van deze weergave (zip)",
        bundle,
        file_name=f"cohortmonitor_{stem}.zip", mime=ZIP_MIME, key=f"opendata_{stem}", on_click="ignore",
        icon=":material/folder_zip:",
        help="De tabellen van deze pagina als CSV en Parquet, met metadata.json (definities, geheimhouding, "
        "methoden, licentie) en een leesmij. Verborgen aantallen staan erin als teken, nooit als getal.",
    )


def dataset_bundle_button() -> None:
    """'De hele dataset als open data (zip)': every published count, always with small numbers hidden."""
    current = page_input()
    st.download_button(
        "De hele dataset als open data (zip)",
        lambda: dataset_bundle(current),
        file_name="cohortmonitor_dataset.zip", mime=ZIP_MIME, key="opendata_dataset", on_click="ignore",
        icon=":material/folder_zip:",
        help="Elke telling zoals de Cohortmonitor hem aan kijkers toont (per eenheid, stadsdeel en stad; per "
        "kwartaal, half jaar en jaar), met metadata.json en een leesmij. Kleine aantallen zijn altijd verborgen.",
    )
