"""The "Briefing (pdf)" download button: generated on the server when clicked, or disabled with the reason."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from cohort.briefing import PDF_MIME, BriefingData, briefing_available, briefing_file_name, render_briefing_pdf
from cohort.pagemodels.common import PageInput

_LOG = logging.getLogger(__name__)

HELP_NL = (
    "Eén A4-pagina om te printen of mee te nemen: dezelfde cijfers als op deze pagina, met de kleine aantallen "
    "op dezelfde manier verborgen."
)


def briefing_download(
    data_factory: Callable[[], BriefingData],
    *,
    key: str,
    label: str = "Briefing (pdf)",
    file_name: str = "briefing.pdf",
) -> None:
    """A download button for the briefing of `data_factory()`.

    `data_factory` is called only when the viewer clicks (Streamlit 1.67's ``st.download_button`` takes a
    callable ``data`` and runs it in a worker thread then), so a page with a button per area pays nothing until
    one is clicked. It runs outside the script: it must not call ``st.*`` or read ``st.session_state``; pass a
    closure over the page model, which already holds every protected number.

    `file_name`: see ``cohort.briefing.briefing_file_name`` ("briefing_osdorp_2021-06-30.pdf").
    When PDF export is unavailable on this server the button is shown disabled and says why.
    """
    availability = briefing_available()
    if not availability:
        st.download_button(label, data=b"", file_name=file_name, mime=PDF_MIME, key=key, disabled=True,
                           help=availability.reason_nl, icon=":material/picture_as_pdf:")
        st.caption(availability.reason_nl)
        return

    def generate() -> bytes:
        try:
            return render_briefing_pdf(data_factory())
        except Exception:
            # Runs in Streamlit's worker thread: the viewer gets Streamlit's generic "could not generate" notice,
            # the operator the traceback in the server log.
            _LOG.exception("briefing %s could not be generated", file_name)
            raise

    st.download_button(label, data=generate, file_name=file_name, mime=PDF_MIME, key=key, help=HELP_NL,
                       on_click="ignore", icon=":material/picture_as_pdf:")


__all__ = ["briefing_download", "briefing_file_name"]


def _geojson(page_input: PageInput) -> dict | None:
    """The areas' boundaries for the locator map (resolved here, in the script thread; cached per division)."""
    from cohort.map.units import division_for
    from cohort.ui.maps import boundaries_for

    division = division_for(page_input.dataset.units, "gebied")
    return None if division is None else boundaries_for(division).geojson


def city_briefing_button(page_input: PageInput) -> None:
    """'Briefing (pdf)' for the whole city, from the overview's numbers."""
    from cohort.pagemodels.briefing import city_briefing

    geojson = _geojson(page_input)
    peildatum = page_input.selection.peildatum.isoformat()
    briefing_download(lambda: city_briefing(page_input, geojson), key="briefing_stad",
                      file_name=briefing_file_name("Amsterdam", peildatum))


def unit_briefing_button(page_input: PageInput, code: str, name: str, *, label: str = "Briefing (pdf)") -> None:
    """'Briefing (pdf)' for one area or target group."""
    from cohort.pagemodels.briefing import unit_briefing

    geojson = _geojson(page_input)
    peildatum = page_input.selection.peildatum.isoformat()
    briefing_download(lambda: unit_briefing(page_input, code, geojson), key=f"briefing_{code}", label=label,
                      file_name=briefing_file_name(name, peildatum))
