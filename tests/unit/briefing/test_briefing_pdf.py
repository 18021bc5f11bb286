"""The rendered briefing: one A4 page whose text (read back with pypdf) holds exactly the numbers of its
BriefingData, the signs where values are hidden, text inside the page and not over other text, Dutch metadata,
and a picture a person can look at (pdftoppm, Debian's poppler-utils)."""

from __future__ import annotations

import dataclasses
import enum
import io
import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from briefing_examples import (
    LONG_NAME,
    build_briefing_data_city,
    build_briefing_data_example,
    build_briefing_data_hidden,
    build_briefing_data_long_names,
    official_locator,
)
from PIL import Image
from pypdf import PdfReader

from cohort.briefing import BriefingData, render_briefing_pdf
from cohort.briefing.render import MARGIN, PAGE_H, PAGE_W
from cohort.briefing.text import BOLD, ITALIC, REGULAR, width

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")  # "13.240", "2,1", "95", "2021"
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "briefing"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}

# What the renderer adds itself, by hand for these fixtures: the y-axis runs to a round number above the largest
# value (Osdorp 14,1 and the small area 12,0: steps of 5 up to 15) and each January is labelled with its year.
AXIS_NUMBERS = {"0", "5", "10", "15", "2018", "2019", "2020", "2021"}


def texts_of(value: object) -> list[str]:
    """Every string a BriefingData holds (labels, values, notes, legend), recursively; not dates or floats."""
    if isinstance(value, enum.Enum):
        return []
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value):
        return [t for f in dataclasses.fields(value) for t in texts_of(getattr(value, f.name))]
    if isinstance(value, tuple):
        return [t for item in value for t in texts_of(item)]
    return []


def numbers_in(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return reader.pages[0].extract_text()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def example_pdf() -> bytes:
    return render_briefing_pdf(build_briefing_data_example())


@pytest.fixture(scope="module")
def hidden_pdf() -> bytes:
    return render_briefing_pdf(build_briefing_data_hidden())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_briefing_pdf(build_briefing_data_long_names())


# --- the numbers


@pytest.mark.parametrize("build", [build_briefing_data_example, build_briefing_data_city])
def test_pdf_holds_exactly_the_numbers_of_its_data(build) -> None:
    data = build()
    pdf = render_briefing_pdf(data)
    expected = numbers_in(" ".join(texts_of(data))) | AXIS_NUMBERS
    found = numbers_in(pdf_text(pdf))
    assert found == expected, f"extra in the PDF: {found - expected}; missing from it: {expected - found}"
    text = flat(pdf_text(pdf))
    for figure in (data.conversations, data.complaints, data.complaint_rate):
        assert f"{figure.label} {figure.value}" in text  # the label, then its value
    assert f"{data.complaint_rate.value} {data.complaint_rate.detail}" in text  # the rate and its interval
    for estimate in (data.outflow.raw, data.outflow.did):
        assert f"{estimate.label} {estimate.value} {estimate.detail}" in text
    assert data.outflow.reading in text
    assert f"Status op 30 juni 2021 {data.status}" in text
    assert "Bron: Illustratieve voorbeelddata" in text
    assert "Dataset: Voorbeelddata Cohortaanpak (id voorbeeld) · peildatum 30 juni 2021" in text
    assert "Voorbeelddata: illustratieve cijfers" in text
    assert "Tekens: —* of <5: aantal van 1 tot en met 4" in text


def test_hidden_values_show_their_signs_and_no_digits(hidden_pdf: bytes) -> None:
    data = build_briefing_data_hidden()
    raw = pdf_text(hidden_pdf)
    text = flat(raw)
    expected = numbers_in(" ".join(texts_of(data))) | AXIS_NUMBERS
    assert numbers_in(raw) == expected
    # Each hidden figure: its label, then the sign, then its note; nothing with a digit in between.
    assert "Gesprekken × Mee verborgen" in text
    assert "Klachten <5 Over bejegening" in text
    assert "Klachten per 1.000 gesprekken —* Interval verborgen (klein aantal)." in text
    assert "(a) Ruwe vergelijking —* Verborgen:" in text
    assert "(b) Verschil-in-verschillen — Niet te berekenen" in text
    # The chart: four runs of hidden months ({3–5}, {17}, {30–33}, {40}), far enough apart for a sign each,
    # and the legend's explanation of the sign.
    chart = text[text.index("Uitstroom naar werk per maand"):text.index("Bron:")]
    assert chart.count("—*") == 5
    assert "—* verborgen (klein aantal)" in chart


def test_a_hidden_series_value_is_never_drawn() -> None:
    # The model refuses a hidden point with a value, so a page model cannot pass one by mistake; the series in the
    # fixture has None at exactly the hidden months.
    line = build_briefing_data_hidden().series.lines[0]
    assert [i for i, v in enumerate(line.values) if v is None] == [i for i, h in enumerate(line.is_hidden) if h]


# --- the page


def _text_boxes(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    """(text, left, bottom, right, top) of every text run, measured with the same fonts as the renderer."""
    fonts = {"Bold": BOLD, "Oblique": ITALIC}
    boxes: list[tuple[str, float, float, float, float]] = []
    previous: dict[str, object] = {"tm": None, "right": 0.0}

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        text = text.rstrip("\n")
        if not text.strip() or font is None:
            return
        name = next((ours for key, ours in fonts.items() if key in str(font.get("/BaseFont"))), REGULAR)
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if previous["tm"] == list(tm):  # a second show-text at the same text matrix starts where the first ended
            x = float(previous["right"])  # type: ignore[arg-type]
        right = x + width(text, name, size)
        previous.update(tm=list(tm), right=right)
        boxes.append((text, x, y - 0.2 * size, right, y + 0.72 * size))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return boxes


@pytest.mark.parametrize("which", ["example", "city", "hidden", "long"])
def test_one_a4_page_with_all_text_inside_the_margins_and_none_over_other_text(
    which: str, example_pdf: bytes, hidden_pdf: bytes, long_pdf: bytes
) -> None:
    pdf = {"example": example_pdf, "hidden": hidden_pdf, "long": long_pdf}.get(which) or render_briefing_pdf(
        build_briefing_data_city())
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (595.3, 841.9)  # A4 portrait
    boxes = _text_boxes(pdf)
    assert len(boxes) > 40
    for text, left, bottom, right, top in boxes:
        assert left >= MARGIN - 0.5 and right <= PAGE_W - MARGIN + 0.5, f"{text!r} leaves the margins sideways"
        assert bottom >= MARGIN - 3 and top <= PAGE_H - MARGIN + 8, f"{text!r} leaves the margins up or down"
    tolerance = 0.3
    for a, b in itertools.combinations(boxes, 2):
        overlap = (min(a[3], b[3]) - max(a[1], b[1]) > tolerance) and (min(a[4], b[4]) - max(a[2], b[2]) > tolerance)
        assert not overlap, f"{a[0]!r} is drawn over {b[0]!r}"


def test_long_names_fit_the_one_page_in_full(long_pdf: bytes) -> None:
    data = build_briefing_data_long_names()
    text = flat(pdf_text(long_pdf))
    assert LONG_NAME in text  # the title wraps and shrinks; no word of it is lost
    assert data.warning is not None and flat(data.warning) in text
    # Texts that were too long lost whole words at their end, never part of a number: every number on the page
    # is one of the data's.
    assert numbers_in(text) <= numbers_in(" ".join(texts_of(data))) | AXIS_NUMBERS


def test_metadata_language_title_embedded_fonts_and_no_pictures(example_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(example_pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])  # viewers show the title, not the file name
    assert reader.metadata.title == "Briefing Cohortaanpak: Osdorp, peildatum 30 juni 2021"
    assert reader.metadata.author == "Gemeente Amsterdam"
    resources = reader.pages[0]["/Resources"]
    fonts = [f.get_object() for f in resources["/Font"].values()]
    assert fonts and all("/FontFile2" in f["/FontDescriptor"] for f in fonts)  # embedded TrueType subsets
    assert "/XObject" not in resources  # the chart and the map are vector drawing, not images


def test_same_data_same_bytes(example_pdf: bytes) -> None:
    assert render_briefing_pdf(build_briefing_data_example()) == example_pdf


def test_clicks_at_the_same_time_get_the_same_pdfs(example_pdf: bytes, hidden_pdf: bytes) -> None:
    # Streamlit renders each click in its own worker thread.
    from concurrent.futures import ThreadPoolExecutor

    builds = [build_briefing_data_example, build_briefing_data_hidden] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        pdfs = list(pool.map(lambda build: render_briefing_pdf(build()), builds))
    assert pdfs == [example_pdf, hidden_pdf] * 4


# --- the picture (look at artifacts/briefing/*.png)


def _pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        message = "pdftoppm is missing: install Debian's poppler-utils (scripts/test.sh does)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(f"!!! {message}")
    return found


def _render_png(pdf: bytes, name: str, dpi: int = 100) -> Image.Image:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    subprocess.run([_pdftoppm(), "-r", str(dpi), "-png", "-singlefile", str(ARTIFACTS / f"{name}.pdf"),
                    str(ARTIFACTS / name)], check=True, timeout=60)
    return Image.open(ARTIFACTS / f"{name}.png").convert("RGB")


def _share_of(image: Image.Image, colour: tuple[int, int, int], box: tuple[int, int, int, int]) -> float:
    region = image.crop(box)
    pixels = list(region.get_flattened_data())
    near = sum(1 for p in pixels if all(abs(a - b) <= 24 for a, b in zip(p, colour, strict=True)))
    return near / len(pixels)


def _pt(value: float, dpi: int = 100) -> int:
    return round(value / 72 * dpi)


@pytest.mark.parametrize("which", ["example", "city", "hidden", "long"])
def test_the_page_renders_to_a_picture(which: str) -> None:
    build = {"example": build_briefing_data_example, "city": build_briefing_data_city,
             "hidden": build_briefing_data_hidden, "long": build_briefing_data_long_names}[which]
    data: BriefingData = build()
    if which == "example":  # the real shape of Osdorp when the city's boundaries are beside the project
        data = dataclasses.replace(data, locator=official_locator({"DX07"}, "Ligging van Osdorp") or data.locator)
    image = _render_png(render_briefing_pdf(data), f"briefing-{which}")
    assert image.size[0] == 827 and abs(image.size[1] - 1169) <= 1  # A4 at 100 dpi (1169,3 rounded either way)
    # The red bar of the header, top left, as drawn: 5 × 16 pt at the margin.
    top = _pt(PAGE_H - (PAGE_H - MARGIN + 6))
    assert _share_of(image, (236, 0, 0), (_pt(MARGIN) + 1, top + 2, _pt(MARGIN + 5) - 1, top + _pt(16) - 2)) > 0.9
    # The locator map in the right-hand column: the highlighted area in the city's red; for the whole city
    # every area in pale blue and none in red.
    column = (_pt(PAGE_W - MARGIN - 150), _pt(300), _pt(PAGE_W - MARGIN), image.size[1])
    if which == "city":
        assert _share_of(image, (0xB9, 0xC9, 0xDE), column) > 0.05 and _share_of(image, (236, 0, 0), column) == 0
    else:
        assert _share_of(image, (236, 0, 0), column) > 0.002
    # Dark text on the page: it is not blank (the hidden variant, with the fewest digits, has 0,8%).
    assert _share_of(image, (24, 24, 24), (0, 0, *image.size)) > 0.004
