"""The briefing's two pictures as vector drawing: the time series and the locator map.

Both draw straight onto the reportlab canvas (paths and text, no raster image), so they stay sharp on paper
and the axis labels and signs stay text. A hidden point is never drawn: its value is None in the model; its
month gets a light band with the sign, and the legend says what the sign means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.pdfgen.canvas import Canvas

from cohort.briefing.model import Locator, Ring, SeriesLine, TimeSeries
from cohort.briefing.text import BOLD, ITALIC, REGULAR, set_fill, set_stroke, text_block, width
from cohort.charts import palette
from cohort.fmt import fmt_dec, fmt_month_short

LINE_COLOURS = {
    "cohort": palette.COHORT_COLOUR,
    "comparison": palette.COMPARISON_COLOUR,
    "complaints": palette.COMPLAINT_COLOUR,
    "city": palette.DARK_TEXT,
}
GRID = "#D9D9D9"
HIDDEN_BAND = "#EFEFEF"
PERIOD_BAND = "#E3EAF4"  # a pale tint of the cohort blue behind the cohort period
MAP_FILL = "#E4E4E4"
MAP_EDGE = "#FFFFFF"
MAP_CITY_FILL = "#B9C9DE"  # whole city: every area in a pale city blue, nothing singled out


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF coordinates (origin bottom left)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.y + self.h


# --- the time series


def nice_ticks(largest: float, target_intervals: int = 4) -> list[float]:
    """Axis ticks from 0 to a round number at or above `largest`, in steps of 1, 2, 2.5 or 5 × 10^k.

    nice_ticks(13.2) -> [0, 5, 10, 15]; nice_ticks(0) -> [0, 1] (an axis needs a height).
    """
    if not largest > 0:
        return [0.0, 1.0]
    rough = largest / target_intervals
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    count = math.ceil(largest / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def tick_text(value: float, ticks: Sequence[float]) -> str:
    """Dutch tick label with as many decimals as the step needs ('2,5'; '10'; '1.000')."""
    step = ticks[1] - ticks[0]
    decimals = 0 if float(step).is_integer() else max(1, -math.floor(math.log10(step - math.floor(step))))
    return fmt_dec(value, decimals)


def month_ticks(periods: Sequence[date]) -> list[tuple[int, str]]:
    """(index, label) on the x-axis: each January as its year when the series spans two or more; otherwise
    every third month ('sep 2020')."""
    januaries = [(i, str(p.year)) for i, p in enumerate(periods) if p.month == 1]
    if len(januaries) >= 2:
        return januaries
    return [(i, fmt_month_short(p)) for i, p in enumerate(periods) if i % 3 == 0]


def _runs(flags: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """(first, last) index of each run of True."""
    start = None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            yield start, i - 1
            start = None


def _segments(values: Sequence[float | None]) -> Iterator[list[tuple[int, float]]]:
    """Runs of consecutive drawable points (a None breaks the line)."""
    current: list[tuple[int, float]] = []
    for i, value in enumerate(values):
        if value is None:
            if current:
                yield current
            current = []
        else:
            current.append((i, value))
    if current:
        yield current


LEGEND_SIZE, LEGEND_ROW = 7.5, 11.0
LegendItem = tuple[str, SeriesLine | str]  # label, and the line or the colour of a band's swatch


def _legend_items(series: TimeSeries) -> list[LegendItem]:
    items: list[LegendItem] = [(line.label, line) for line in series.lines]
    if series.band is not None and series.band_label:
        items.append((series.band_label, PERIOD_BAND))
    if any(any(line.is_hidden) for line in series.lines):
        items.append((f"{series.hidden_sign} verborgen (klein aantal)", HIDDEN_BAND))
    return items


def _legend_layout(items: Sequence[LegendItem], box_width: float) -> list[tuple[float, int]]:
    """(x offset, row) of each item: in a row, wrapping where the next one would not fit."""
    positions, cursor, row = [], 0.0, 0
    for label, _ in items:
        item_width = 16 + width(label, REGULAR, LEGEND_SIZE) + 10
        if cursor > 0 and cursor + item_width > box_width:
            cursor, row = 0.0, row + 1
        positions.append((cursor, row))
        cursor += item_width
    return positions


def _legend_height(series: TimeSeries, box_width: float) -> float:
    layout = _legend_layout(_legend_items(series), box_width)
    return (layout[-1][1] + 1) * LEGEND_ROW + 3


def _legend(canvas: Canvas, series: TimeSeries, x: float, top: float, box_width: float) -> float:
    """Swatches and labels; return the y under the legend."""
    items = _legend_items(series)
    for (label, line), (offset, row) in zip(items, _legend_layout(items, box_width), strict=True):
        left, baseline = x + offset, top - LEGEND_SIZE - row * LEGEND_ROW
        if isinstance(line, str):  # a shaded band: a swatch of its colour
            set_fill(canvas, line)
            set_stroke(canvas, GRID)
            canvas.setLineWidth(0.5)
            canvas.rect(left, baseline - 1, 12, 8, stroke=1, fill=1)
        else:
            set_stroke(canvas, LINE_COLOURS[line.role])
            canvas.setLineWidth(1.6)
            canvas.setDash(*((3, 2) if line.role == "city" else ()))
            canvas.line(left, baseline + 3, left + 12, baseline + 3)
            canvas.setDash()
        set_fill(canvas, palette.DARK_TEXT)
        canvas.setFont(REGULAR, LEGEND_SIZE)
        canvas.drawString(left + 16, baseline, label)
    return top - _legend_height(series, box_width)


def draw_time_series(canvas: Canvas, series: TimeSeries, box: Box) -> None:
    """Title, unit, axes, lines, hidden bands with the sign, legend and note, all inside `box`."""
    top = text_block(canvas, series.title, x=box.x, top=box.top, box_width=box.w, font=BOLD, size=10, max_lines=1,
                     min_size=8)
    top = text_block(canvas, series.unit, x=box.x, top=top - 1, box_width=box.w, size=7.5, colour=palette.GREY,
                     max_lines=1, min_size=6.5)
    legend_height = _legend_height(series, box.w - 4)
    note_height = 20.0 if series.note else 0.0
    bottom = box.y + legend_height + note_height
    visible = [v for line in series.lines for v in line.values if v is not None]
    ticks = nice_ticks(max(visible, default=0.0))
    labels = [tick_text(t, ticks) for t in ticks]
    label_width = max(width(label, REGULAR, 7) for label in labels)
    plot = Box(box.x + label_width + 4, bottom + 14, box.w - label_width - 8, top - 6 - (bottom + 14))
    count = len(series.periods)
    step = plot.w / max(count, 1)

    def x_of(i: int) -> float:
        return plot.x + step * (i + 0.5)

    def y_of(v: float) -> float:
        return plot.y + plot.h * v / ticks[-1]

    if series.band is not None:
        inside = [series.band[0] <= p <= series.band[1] for p in series.periods]
        set_fill(canvas, PERIOD_BAND)
        for first, last in _runs(inside):
            canvas.rect(plot.x + step * first, plot.y, step * (last - first + 1), plot.h, stroke=0, fill=1)
    # Hidden months next, under the grid and the lines: a band per run, the sign in it where there is room.
    hidden_any = [any(line.is_hidden[i] for line in series.lines) for i in range(count)]
    set_fill(canvas, HIDDEN_BAND)
    for first, last in _runs(hidden_any):
        canvas.rect(plot.x + step * first, plot.y, step * (last - first + 1), plot.h, stroke=0, fill=1)
    sign_size, free_from = 6.5, plot.x
    for first, last in _runs(hidden_any):
        centre = plot.x + step * (first + last + 1) / 2
        half = width(series.hidden_sign, REGULAR, sign_size) / 2
        if centre - half >= free_from:  # signs of neighbouring runs must not overprint each other
            set_fill(canvas, palette.GREY)
            canvas.setFont(REGULAR, sign_size)
            canvas.drawCentredString(centre, plot.top - sign_size - 1, series.hidden_sign)
            free_from = centre + half + 2
        set_fill(canvas, HIDDEN_BAND)

    canvas.setLineWidth(0.4)
    set_stroke(canvas, GRID)
    for tick, label in zip(ticks, labels, strict=True):
        canvas.line(plot.x, y_of(tick), plot.x + plot.w, y_of(tick))
        set_fill(canvas, palette.GREY)
        canvas.setFont(REGULAR, 7)
        canvas.drawRightString(plot.x - 3, y_of(tick) - 2.5, label)
    set_stroke(canvas, palette.GREY)
    canvas.setLineWidth(0.6)
    canvas.line(plot.x, plot.y, plot.x + plot.w, plot.y)
    for index, label in month_ticks(series.periods):
        canvas.line(x_of(index), plot.y, x_of(index), plot.y - 2.5)
        set_fill(canvas, palette.GREY)
        canvas.setFont(REGULAR, 7)
        canvas.drawCentredString(x_of(index), plot.y - 10, label)

    for line in series.lines:
        colour = LINE_COLOURS[line.role]
        set_stroke(canvas, colour)
        set_fill(canvas, colour)
        canvas.setLineWidth(1.4)
        canvas.setDash(*((3, 2) if line.role == "city" else ()))
        for segment in _segments(line.values):
            if len(segment) == 1:  # a lone month between gaps would be invisible as a line
                canvas.circle(x_of(segment[0][0]), y_of(segment[0][1]), 1.4, stroke=0, fill=1)
                continue
            path = canvas.beginPath()
            path.moveTo(x_of(segment[0][0]), y_of(segment[0][1]))
            for i, v in segment[1:]:
                path.lineTo(x_of(i), y_of(v))
            canvas.drawPath(path, stroke=1, fill=0)
        canvas.setDash()
    if not visible:
        set_fill(canvas, palette.GREY)
        canvas.setFont(ITALIC, 8)
        canvas.drawCentredString(plot.x + plot.w / 2, plot.y + plot.h / 2, "Geen cijfers om te tonen")

    legend_bottom = _legend(canvas, series, box.x + 4, bottom, box.w - 4)
    if series.note:
        text_block(canvas, series.note, x=box.x, top=legend_bottom, box_width=box.w, size=7, colour=palette.GREY,
                   max_lines=2, min_size=6)


# --- the locator map

Projection = Callable[[float, float], tuple[float, float]]  # (lon, lat) -> (x, y) on the page


def _projection(rings: Sequence[Ring], box: Box) -> tuple[Projection, float]:
    """lon/lat -> page, fitting every ring in `box` with the right aspect (equirectangular at the centre), and
    the y of the map's lowest point (the map is centred left to right and drawn against the top of the box)."""
    lons = [p[0] for ring in rings for p in ring]
    lats = [p[1] for ring in rings for p in ring]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))  # a degree of longitude is shorter up north
    span_x = max((max(lons) - min(lons)) * shrink, 1e-9)
    span_y = max(max(lats) - min(lats), 1e-9)
    scale = min(box.w / span_x, box.h / span_y)
    left = box.x + (box.w - span_x * scale) / 2
    bottom = box.top - span_y * scale
    lon0, lat0 = min(lons), min(lats)

    def to_page(lon: float, lat: float) -> tuple[float, float]:
        return left + (lon - lon0) * shrink * scale, bottom + (lat - lat0) * scale

    return to_page, bottom


def _ring_points(ring: Ring, to_page: Projection, tolerance: float) -> list[tuple[float, float]]:
    # Official boundaries have far more points than a 5 cm map can show; dropping those closer than a fraction of
    # a point to the last one kept keeps the file small and the drawing fast, and changes nothing visible.
    kept = [to_page(*ring[0])]
    for lon, lat in ring[1:]:
        x, y = to_page(lon, lat)
        if abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= tolerance:
            kept.append((x, y))
    return kept


def draw_locator(canvas: Canvas, locator: Locator, box: Box) -> None:
    """The areas in grey, the highlighted ones in the city's red on top, the caption and note under the map."""
    map_box = Box(box.x, box.y + 30, box.w, box.h - 30)  # room for the caption and note under the map
    to_page, map_bottom = _projection([ring for shape in locator.shapes for ring in shape.rings], map_box)
    caption_top = map_bottom - 6
    highlight_any = any(shape.highlighted for shape in locator.shapes)
    ordered = sorted(locator.shapes, key=lambda shape: shape.highlighted)  # highlighted last: on top
    canvas.setLineJoin(1)
    for shape in ordered:
        if shape.highlighted:
            set_fill(canvas, palette.AMSTERDAM_RED)
            set_stroke(canvas, palette.DARK_TEXT)
            canvas.setLineWidth(0.6)
        else:
            set_fill(canvas, MAP_FILL if highlight_any else MAP_CITY_FILL)
            set_stroke(canvas, MAP_EDGE)
            canvas.setLineWidth(0.5)
        path = canvas.beginPath()
        for ring in shape.rings:
            points = _ring_points(ring, to_page, 0.35)
            if len(points) < 3:
                continue
            path.moveTo(*points[0])
            for point in points[1:]:
                path.lineTo(*point)
            path.close()
        canvas.drawPath(path, stroke=1, fill=1, fillMode=0)  # 0: even-odd, so holes stay holes
    top = text_block(canvas, locator.caption, x=box.x, top=caption_top, box_width=box.w, font=BOLD, size=7.5,
                     max_lines=1, min_size=6.5, align="centre")
    text_block(canvas, locator.note, x=box.x, top=top - 1, box_width=box.w, size=6.5, colour=palette.GREY,
               max_lines=2, min_size=6, align="centre")
