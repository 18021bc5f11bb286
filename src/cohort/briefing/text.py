"""Fonts and text that must fit: wrapping in a width, shrinking to a line budget, never leaving the page.

The briefing has a fixed place for every text, so a long area name or a long note must fit in its box: first
the text wraps, then it shrinks (down to a legible minimum), and only then is the last line cut with "…".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from cohort.charts.palette import hex_to_rgb

REGULAR = "CohortSans"
BOLD = "CohortSans-Bold"
ITALIC = "CohortSans-Italic"
ELLIPSIS = "…"

# Bitstream Vera ships inside the reportlab wheel (free licence, the ancestor of DejaVu): embedding it makes the
# page look the same in every viewer and printer, and it has every sign we print (× — – ’ €). The city's own
# typeface, Amsterdam Sans, is not freely licensed (the app uses the browser's sans-serif for the same reason).
_FONT_FILES = {REGULAR: "Vera.ttf", BOLD: "VeraBd.ttf", ITALIC: "VeraIt.ttf"}


@functools.cache
def register_fonts() -> None:
    """Register the embedded fonts once per process (reportlab keeps a global registry)."""
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file_name in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file_name)))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


def width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def _split_word(word: str, font: str, size: float, max_width: float) -> list[str]:
    # A single word wider than the box (a long compound name) is broken between characters.
    pieces, current = [], ""
    for char in word:
        if current and width(current + char, font, size) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Greedy line breaking at spaces; explicit newlines are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            for piece in _split_word(word, font, size, max_width):
                candidate = f"{current} {piece}" if current else piece
                if current and width(candidate, font, size) > max_width:
                    lines.append(current)
                    current = piece
                else:
                    current = candidate
        lines.append(current)
    return lines


def _cut(line: str, font: str, size: float, max_width: float) -> str:
    # Whole words go, never part of one: "11,03" cut to "1…" would print a different (and small) number.
    words = line.split()
    while len(words) > 1 and width(" ".join(words) + ELLIPSIS, font, size) > max_width:
        words.pop()
    kept = " ".join(words).rstrip(",;:")
    return kept + ELLIPSIS if width(kept + ELLIPSIS, font, size) <= max_width else ELLIPSIS


@dataclass(frozen=True)
class Fitted:
    lines: tuple[str, ...]
    size: float
    leading: float
    cut: bool = False  # the text did not fit and its last line ends in "…"

    @property
    def height(self) -> float:
        return len(self.lines) * self.leading


LEADING = 1.22  # line height as a multiple of the font size


def fit(text: str, font: str, size: float, max_width: float, max_lines: int, min_size: float | None = None,
        max_height: float | None = None) -> Fitted:
    """Wrap `text` in `max_width`; shrink from `size` towards `min_size` until it takes at most `max_lines` (and
    at most `max_height`); cut the last line with "…" if even the smallest size does not fit."""
    smallest = min_size if min_size is not None else size

    def allowed(current: float) -> int:
        by_height = max_lines if max_height is None else int(max_height // (current * LEADING))
        return max(1, min(max_lines, by_height))

    current = size
    while True:
        lines = wrap(text, font, current, max_width)
        if len(lines) <= allowed(current) or current - 0.5 < smallest:
            break
        current -= 0.5
    limit = allowed(current)
    if len(lines) <= limit:
        return Fitted(tuple(lines), current, current * LEADING)
    lines = [*lines[: limit - 1], _cut(lines[limit - 1] + " " + lines[limit], font, current, max_width)]
    return Fitted(tuple(lines), current, current * LEADING, cut=True)


def set_fill(canvas: Canvas, colour: str) -> None:
    canvas.setFillColorRGB(*(c / 255 for c in hex_to_rgb(colour)))


def set_stroke(canvas: Canvas, colour: str) -> None:
    canvas.setStrokeColorRGB(*(c / 255 for c in hex_to_rgb(colour)))


def draw_lines(canvas: Canvas, fitted: Fitted, font: str, x: float, top: float, colour: str,
               align: str = "left", box_width: float = 0.0) -> float:
    """Draw fitted lines with their first baseline below `top` (PDF coordinates); return the y under them."""
    set_fill(canvas, colour)
    canvas.setFont(font, fitted.size)
    baseline = top - fitted.size
    for line in fitted.lines:
        if align == "right":
            canvas.drawRightString(x + box_width, baseline, line)
        elif align == "centre":
            canvas.drawCentredString(x + box_width / 2, baseline, line)
        else:
            canvas.drawString(x, baseline, line)
        baseline -= fitted.leading
    return top - fitted.height


def text_block(canvas: Canvas, text: str, *, x: float, top: float, box_width: float, font: str = REGULAR,
               size: float = 8.5, colour: str = "#181818", max_lines: int = 2, min_size: float | None = None,
               align: str = "left", max_height: float | None = None) -> float:
    """Fit and draw in one go; return the y under the block. Empty text takes no room."""
    if not text.strip():
        return top
    fitted = fit(text, font, size, box_width, max_lines, min_size, max_height)
    return draw_lines(canvas, fitted, font, x, top, colour, align, box_width)
