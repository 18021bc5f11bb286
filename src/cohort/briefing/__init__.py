"""A printable one-page briefing (A4, PDF) for the city, a stadsdeel or one area, from the page models' numbers.

The page models fill a ``BriefingData`` (``cohort.briefing.model``) with text that already went through
disclosure control; ``render_briefing_pdf`` lays it out on one A4 portrait page. No number is computed here, so
the PDF can hide nothing less than the page does.

Why reportlab (``reportlab==5.1.0``, pinned in requirements.txt):

- It draws text as text (embedded TrueType subsets with a ToUnicode map: selectable, searchable, extractable)
  and charts as vector paths on the same canvas, with no browser and no external program, in a few tens of
  milliseconds. Plotly's static export (kaleido) would drive a Chromium per export and return the chart as one
  picture whose text a screen reader cannot read; a browser's "print to PDF" would need a headless browser on
  the server.
- It is BSD-licensed, maintained by the same company since 2000, pure Python (the speed-ups are optional), and
  its wheel ships the Bitstream Vera fonts, so the PDF looks the same on every machine without system fonts.
- It sets what a reader's software needs: the document title (shown instead of the file name), the language
  (/Lang nl, so a screen reader speaks Dutch) and an invariant mode (same data, same bytes).
  fpdf2 would do most of this too, but is LGPL and ships no font with the glyphs we need (× — –).
  Not done by either open-source library: a fully tagged PDF (PDF/UA); the text order on the page follows the
  reading order, which is what untagged readers use.

When reportlab is not installed the app still starts: ``briefing_available()`` says so in Dutch and the download
button is shown disabled with that reason (``cohort.ui.briefing``).
"""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
from dataclasses import dataclass

from cohort.briefing.model import (
    BriefingData,
    KeyFigure,
    Locator,
    LocatorShape,
    Outflow,
    OutflowEstimate,
    SeriesLine,
    TimeSeries,
    locator_from_geojson,
    rings_from_geometry,
)

__all__ = [
    "Availability",
    "BriefingData",
    "KeyFigure",
    "Locator",
    "LocatorShape",
    "Outflow",
    "OutflowEstimate",
    "SeriesLine",
    "TimeSeries",
    "briefing_available",
    "briefing_file_name",
    "locator_from_geojson",
    "render_briefing_pdf",
    "rings_from_geometry",
]

PDF_MIME = "application/pdf"


@dataclass(frozen=True)
class Availability:
    available: bool
    reason_nl: str = ""  # why not, for the disabled button; empty when available

    def __bool__(self) -> bool:
        return self.available


@functools.cache
def briefing_available() -> Availability:
    """Can this server make a briefing? Checked once per process: installing a library needs a restart anyway."""
    try:
        importlib.import_module("cohort.briefing.render")
    except ImportError as error:
        missing = (getattr(error, "name", None) or "reportlab").split(".")[0]  # the package to install
        return Availability(
            False,
            f"De briefing als pdf is op deze server niet beschikbaar: de bibliotheek ‘{missing}’ is niet "
            "geïnstalleerd. Vraag de beheerder om de vereisten (requirements.txt) te installeren. De cijfers "
            "zelf staan op deze pagina.",
        )
    return Availability(True)


def render_briefing_pdf(data: BriefingData) -> bytes:
    """One A4 portrait page as PDF bytes. Raises RuntimeError with the Dutch reason when PDF is unavailable."""
    availability = briefing_available()
    if not availability:
        raise RuntimeError(availability.reason_nl)
    from cohort.briefing.render import render_pdf  # imports reportlab: only once we know it is there

    return render_pdf(data)


def briefing_file_name(title: str, peildatum_iso: str) -> str:
    """'briefing_osdorp_2021-06-30.pdf': ASCII, no spaces, safe in every browser and file system."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_title.lower()).strip("_")[:60] or "amsterdam"
    return f"briefing_{slug}_{peildatum_iso}.pdf"
