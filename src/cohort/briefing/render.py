"""Lay a BriefingData out on one A4 portrait page with reportlab's canvas.

Every element has a fixed place and a line budget (``cohort.briefing.text.fit``), so the page can never run
onto a second one: long names shrink and wrap, and only past a legible minimum is a line cut with "…". The
footer (source, dataset, signs) is measured first and drawn last (last in the reading order too); the time
series and the map take what remains between the figures and the footer, up to a maximum height.
"""

from __future__ import annotations

import io
import threading

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from cohort.briefing.drawing import Box, draw_locator, draw_time_series
from cohort.briefing.model import BriefingData, KeyFigure, OutflowEstimate
from cohort.briefing.text import (
    BOLD,
    ITALIC,
    REGULAR,
    Fitted,
    draw_lines,
    fit,
    register_fonts,
    set_fill,
    set_stroke,
    text_block,
    width,
)
from cohort.charts import palette

PAGE_W, PAGE_H = A4
MARGIN = 40.0
CONTENT_W = PAGE_W - 2 * MARGIN
GAP = 12.0
TILE_BORDER = "#BEBEBE"
CHART_MAX_H = 250.0
PANEL = "#F3F3F3"  # the light grey of the app's panels; dark text on it is 16:1
# Streamlit runs each click's render in a worker thread. reportlab keeps process-wide state (its font registry
# and each embedded font's subset table); one render at a time keeps that simple, and a render takes ~0.1 s.
_RENDER_LOCK = threading.Lock()


def _header(canvas: Canvas, data: BriefingData, top: float) -> float:
    # A red bar and the sender, as on the city's letters; the peildatum on the right, where a reader looks first.
    set_fill(canvas, palette.AMSTERDAM_RED)
    canvas.rect(MARGIN, top - 16, 5, 16, stroke=0, fill=1)
    set_fill(canvas, palette.DARK_TEXT)
    canvas.setFont(BOLD, 9)
    canvas.drawString(MARGIN + 11, top - 7, "Gemeente Amsterdam")
    canvas.setFont(REGULAR, 8)
    canvas.drawString(MARGIN + 11, top - 16, "Cohortmonitor · Briefing Cohortaanpak")
    canvas.setFont(REGULAR, 8)
    canvas.drawRightString(MARGIN + CONTENT_W, top - 7, f"Peildatum {data.peildatum}")
    # The dataset's full name and id are in the footer; here it is cut at a whole word to fit beside the sender.
    dataset = fit(f"Dataset: {data.dataset_name}", REGULAR, 8, CONTENT_W - 200, 1)
    canvas.drawRightString(MARGIN + CONTENT_W, top - 16, dataset.lines[0])
    set_stroke(canvas, palette.AMSTERDAM_RED)
    canvas.setLineWidth(1.2)
    canvas.line(MARGIN, top - 22, MARGIN + CONTENT_W, top - 22)
    return top - 30


def _banner(canvas: Canvas, text: str, top: float, *, filled: bool) -> float:
    fitted = fit(text, BOLD if filled else REGULAR, 8.5, CONTENT_W - 16, 3, 7)
    height = fitted.height + 8
    if filled:  # the warning that small numbers are shown: white on red, impossible to overlook
        set_fill(canvas, palette.AMSTERDAM_RED)
        canvas.rect(MARGIN, top - height, CONTENT_W, height, stroke=0, fill=1)
        colour = "#FFFFFF"
    else:  # the example-data label: a red frame, as the app's banner
        set_stroke(canvas, palette.AMSTERDAM_RED)
        canvas.setLineWidth(1)
        canvas.rect(MARGIN, top - height, CONTENT_W, height, stroke=1, fill=0)
        colour = palette.DARK_TEXT
    draw_lines(canvas, fitted, BOLD if filled else REGULAR, MARGIN + 8, top - 3, colour)
    return top - height - 6


def _title(canvas: Canvas, data: BriefingData, top: float) -> float:
    # Two lines, shrinking to 15 pt; a name too long for that gets a third line rather than losing words.
    fitted = fit(data.title, BOLD, 22, CONTENT_W, 2, 15)
    if fitted.cut:
        fitted = fit(data.title, BOLD, 15, CONTENT_W, 3, 12)
    top = draw_lines(canvas, fitted, BOLD, MARGIN, top, palette.DARK_TEXT)
    return text_block(canvas, data.subtitle, x=MARGIN, top=top - 1, box_width=CONTENT_W, size=10,
                      colour=palette.GREY, max_lines=2, min_size=8) - 6


def _status(canvas: Canvas, data: BriefingData, top: float) -> float:
    label_w = 118.0
    x = MARGIN + label_w
    value_w = CONTENT_W - label_w
    rows = [(f"Status op {data.peildatum}", data.status, True), ("Cohortperiode", data.cohort_period, False),
            ("Geteld over", data.counting_period, False)]
    for label, value, with_chip in rows:
        text_block(canvas, label, x=MARGIN, top=top, box_width=label_w - 6, font=BOLD, size=8.5, max_lines=1,
                   min_size=7)
        value_x = x
        if with_chip and data.status_key is not None:
            set_fill(canvas, palette.STATUS_COLOURS[data.status_key])
            canvas.rect(x, top - 8.5, 9, 8, stroke=0, fill=1)
            value_x = x + 13
        bottom = text_block(canvas, value, x=value_x, top=top, box_width=value_w - (value_x - x), size=8.5,
                            max_lines=2, min_size=7)
        top = min(bottom, top - 10.4) - 2
    for line in data.extra_lines[:2]:
        top = text_block(canvas, line, x=MARGIN, top=top, box_width=CONTENT_W, size=8, colour=palette.GREY,
                         max_lines=1, min_size=6.5) - 1
    return top - 6


def _figure_box(canvas: Canvas, box: Box, label: str, value: str, detail: str, value_size: float) -> None:
    set_fill(canvas, PANEL)
    set_stroke(canvas, TILE_BORDER)
    canvas.setLineWidth(0.5)
    canvas.rect(box.x, box.y, box.w, box.h, stroke=1, fill=1)
    inner_x, inner_w = box.x + 7, box.w - 14
    top = text_block(canvas, label, x=inner_x, top=box.top - 6, box_width=inner_w, font=BOLD, size=8, max_lines=2,
                     min_size=7, colour=palette.DARK_TEXT)
    top = text_block(canvas, value, x=inner_x, top=top - 2, box_width=inner_w, font=BOLD, size=value_size,
                     max_lines=1, min_size=10, colour=palette.COHORT_COLOUR)
    text_block(canvas, detail, x=inner_x, top=top - 3, box_width=inner_w, size=7.5, max_lines=4, min_size=6.5,
               colour=palette.DARK_TEXT, max_height=top - 3 - (box.y + 4))


def _key_figures(canvas: Canvas, figures: tuple[KeyFigure, ...], top: float, height: float = 74.0) -> float:
    tile_w = (CONTENT_W - GAP * (len(figures) - 1)) / len(figures)
    for i, figure in enumerate(figures):
        box = Box(MARGIN + i * (tile_w + GAP), top - height, tile_w, height)
        _figure_box(canvas, box, figure.label, figure.value, figure.detail, 20)
    return top - height - GAP


def _outflow(canvas: Canvas, data: BriefingData, top: float, height: float = 72.0) -> float:
    top = text_block(canvas, "Uitstroom naar werk: twee schattingen", x=MARGIN, top=top, box_width=CONTENT_W,
                     font=BOLD, size=11, max_lines=1) - 4
    estimates: tuple[OutflowEstimate, ...] = (data.outflow.raw, data.outflow.did)
    box_w = (CONTENT_W - GAP) / 2
    for i, estimate in enumerate(estimates):
        box = Box(MARGIN + i * (box_w + GAP), top - height, box_w, height)
        _figure_box(canvas, box, estimate.label, estimate.value, estimate.detail, 17)
    top -= height + 5
    # The reading sits across both boxes: the two numbers are only fair together.
    set_fill(canvas, palette.AMSTERDAM_RED)
    fitted = fit(data.outflow.reading, ITALIC, 8.5, CONTENT_W - 8, 2, 7)
    canvas.rect(MARGIN, top - fitted.height - 1, 2.5, fitted.height + 1, stroke=0, fill=1)
    draw_lines(canvas, fitted, ITALIC, MARGIN + 8, top, palette.DARK_TEXT)
    return top - fitted.height - GAP


def _draw_labelled(canvas: Canvas, label: str, fitted: Fitted, top: float) -> float:
    """Draw lines fitted for `label + text` with the label in bold; return the y under them.

    One text object, so that text extraction and screen readers get "Bron: …" as one line, not two.
    """
    first, *rest = fitted.lines
    text = canvas.beginText(MARGIN, top - fitted.size)
    text.setFillColorRGB(*(c / 255 for c in palette.hex_to_rgb(palette.DARK_TEXT)))
    text.setLeading(fitted.leading)
    text.setFont(BOLD, fitted.size)
    text.textOut(label)
    text.setFont(REGULAR, fitted.size)
    text.textLine(first[len(label):])
    for line in rest:
        text.textLine(line)
    canvas.drawText(text)
    return top - fitted.height


def _footer_rows(data: BriefingData) -> list[tuple[str, Fitted]]:
    rows = [
        ("Bron: ", data.source, 3),
        ("Dataset: ", f"{data.dataset_name} (id {data.dataset_id}) · peildatum {data.peildatum}", 2),
        ("Tekens: ", data.sign_legend, 4),
    ]
    fitted = []
    for label, text, max_lines in rows:
        # The bold label is wider than the same text in regular: leave that room on the first line.
        surplus = width(label, BOLD, 7) - width(label, REGULAR, 7)
        fitted.append((label, fit(label + text, REGULAR, 7, CONTENT_W - surplus, max_lines, 6)))
    return fitted


def _footer_height(rows: list[tuple[str, Fitted]]) -> float:
    return sum(f.height + 2 for _, f in rows) + 4


def _footer(canvas: Canvas, rows: list[tuple[str, Fitted]]) -> None:
    """Source, dataset and signs at the foot of the page (drawn last: last in the reading order too)."""
    top = MARGIN + _footer_height(rows)
    set_stroke(canvas, TILE_BORDER)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top, MARGIN + CONTENT_W, top)
    top -= 4
    for label, f in rows:
        top = _draw_labelled(canvas, label, f, top) - 2


def render_pdf(data: BriefingData) -> bytes:
    """The briefing as PDF bytes: one A4 portrait page, Dutch (/Lang nl), its title in the metadata."""
    with _RENDER_LOCK:
        return _render(data)


def _render(data: BriefingData) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    # invariant: no creation time or random id in the file, so the same data give the same bytes.
    canvas = Canvas(buffer, pagesize=A4, lang="nl", invariant=1, pageCompression=1,
                    initialFontName=REGULAR, initialFontSize=9)
    canvas.setTitle(data.document_title)
    canvas.setAuthor("Gemeente Amsterdam")
    canvas.setSubject(f"Cohortaanpak: stand van zaken, uitstroom naar werk en klachten ({data.title})")
    canvas.setCreator("Cohortmonitor")
    canvas.setKeywords("Cohortaanpak, bijstand, uitstroom naar werk, klachten, Amsterdam")
    canvas.setViewerPreference("DisplayDocTitle", "true")

    top = _header(canvas, data, PAGE_H - MARGIN + 6)
    top = _title(canvas, data, top - 4)
    if data.warning:
        top = _banner(canvas, data.warning, top, filled=True)
    if data.example_label:
        top = _banner(canvas, data.example_label, top, filled=False)
    top = _status(canvas, data, top)
    top = _key_figures(canvas, (data.conversations, data.complaints, data.complaint_rate), top)
    top = _outflow(canvas, data, top)
    footer = _footer_rows(data)
    footer_top = MARGIN + _footer_height(footer)
    # The chart takes the room left, up to a height at which a month-by-month line still reads as one picture.
    height = min(top - (footer_top + GAP), CHART_MAX_H)
    chart_box = Box(MARGIN, top - height, CONTENT_W, height)
    if data.locator is not None:
        map_w = 150.0
        draw_time_series(canvas, data.series, Box(chart_box.x, chart_box.y, chart_box.w - map_w - GAP, chart_box.h))
        map_h = min(chart_box.h, 200.0)
        draw_locator(canvas, data.locator, Box(chart_box.x + chart_box.w - map_w, chart_box.top - map_h, map_w, map_h))
    else:
        draw_time_series(canvas, data.series, chart_box)
    _footer(canvas, footer)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
