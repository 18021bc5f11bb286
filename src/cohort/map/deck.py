"""The area map: a pydeck Deck, its legend and a text alternative, built from coloured values and boundaries.

Two steps: `colour_values` gives every area its colour and legend class from its value (the page model does this,
so colours, legend and tooltips are part of what it holds), and `build_map` draws them on the boundaries.
`values` has one row per area: code, naam, stadsdeel, status (gepland/actief/afgerond/geen), start, eind
(dates or null), value (float or null: hidden or no data, grey on the map) and value_text (already formatted in
Dutch; "×" or "—*" when hidden, "—" without data) and, for a map of comparison classes, class_key (a key of
`palette.COMPARISON_COLOURS`, decided by `cohort.analysis.comparison` in the page model).

Security: area names come from uploaded workbooks, so the tooltip is plain text: one `{tooltip}` placeholder in
Streamlit's text mode, which sets the tooltip's `innerText` (never HTML). Nothing is HTML-escaped here: Streamlit's
HTML mode escapes substituted values itself (our escaping showed as `&quot;`), and with several placeholders a
name containing `{stadsdeel}` would be filled in by the next one. Names reach the deck's JSON only inside that
tooltip text, which never starts with "@@" (deck.gl's JSON converter runs such a string as an expression).
No basemap by default: without network the polygons must still render on a plain background.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import polars as pl
import pydeck as pdk

from cohort.charts.palette import (
    COMPARISON_COLOURS,
    COMPARISON_LABELS,
    DARK_TEXT,
    GREY,
    SEQUENTIAL,
    STATUS_COLOURS,
    STATUS_LABELS,
    hex_to_rgb,
)
from cohort.contract import STATUS_ORDER, Status
from cohort.fmt import MISSING, fmt_dec, fmt_month_short
from cohort.map.boundaries import Boundaries, Division, area_centre, canonical_code, expected_codes
from cohort.plaintext import markdown_literal

IndicatorKind = Literal["status", "sequential", "classes"]
BreakMethod = Literal["nice", "quantile"]
LabelMode = Literal["auto", "names", "codes", "none"]
Basemap = Literal["none", "carto-light"]

NO_DATA_COLOUR = "#9A9A9A"  # darker than "Geen cohort" grey and the light grey "niet te onderscheiden"
NO_DATA_LABEL = "Geen gegevens"
HIDDEN_LABEL = "Verborgen (× of —*) of geen gegevens"
OUTLINE_COLOUR = "#FFFFFF"
MAX_CLASSES = 5

VIEW_LATITUDE, VIEW_LONGITUDE, VIEW_ZOOM = 52.36, 4.90, 10.3
LABEL_FONT_PX = 11

# Comparison classes from strongest higher to strongest lower; "not compared" (white, grey outline) after them.
CLASS_ORDER: tuple[str, ...] = ("hoger_998", "hoger_95", "niet_te_onderscheiden", "lager_95", "lager_998")
NOT_COMPARED_LABEL = "Niet vergeleken: verborgen aantal (—*) of geen gegevens (—)"
WHITE = "#FFFFFF"


@dataclass(frozen=True)
class Indicator:
    """What the map colours by.

    kind: "status" (categorical), "sequential" (classes light to dark) or "classes" (comparison classes against
    a benchmark, given per row in `class_key`: the page model decides them, this module only draws them).
    """

    kind: IndicatorKind
    label: str
    unit: str = ""
    decimals: int = 1
    breaks: BreakMethod = "nice"
    n_classes: int = MAX_CLASSES

    @property
    def title(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


STATUS_INDICATOR = Indicator("status", "Status cohortaanpak")


@dataclass(frozen=True)
class LegendItem:
    colour_hex: str
    label: str


@dataclass(frozen=True, eq=False)
class ColouredValues:
    """The values of one colouring with `colour` (hex; null = grey) and `klasse` (legend label) per row."""

    indicator: Indicator
    values: pl.DataFrame
    legend: tuple[LegendItem, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class MapView:
    deck: pdk.Deck
    legend: tuple[LegendItem, ...]
    legend_title: str
    table: pl.DataFrame  # code, naam, stadsdeel, status, value_text, klasse: the text alternative
    codes_without_geometry: tuple[str, ...]  # in the values, not on the map
    codes_without_values: tuple[str, ...]  # on the map (grey), not in the values
    notes_nl: tuple[str, ...]  # Dutch remarks to show beside the map

    @property
    def missing_codes(self) -> tuple[str, ...]:
        return tuple(sorted({*self.codes_without_geometry, *self.codes_without_values}))


# --- class breaks (pure)


def _nice_step(raw_step: float) -> float:
    exponent = math.floor(math.log10(raw_step))
    for multiple in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = multiple * 10.0**exponent
        if step >= raw_step * (1 - 1e-9):
            return step
    return 10.0 ** (exponent + 1)


def nice_breaks(values: list[float], max_classes: int = MAX_CLASSES) -> list[float]:
    """Class limits on round numbers (steps of 1, 2, 2,5 or 5 × 10^k), at most `max_classes` classes."""
    low, high = min(values), max(values)
    if high == low:
        return [low, high]
    step = _nice_step((high - low) / max_classes)
    while True:
        start = math.floor(low / step + 1e-9) * step
        end = math.ceil(high / step - 1e-9) * step
        count = max(1, round((end - start) / step))
        if count <= max_classes:
            return [round(start + i * step, 10) for i in range(count + 1)]
        step = _nice_step(step * 1.0001)


def quantile_breaks(values: list[float], n_classes: int = MAX_CLASSES, decimals: int = 1) -> list[float]:
    """Limits at quantiles (linear interpolation), rounded to `decimals`; outer limits enclose all values."""
    ordered = sorted(values)
    n_classes = max(1, min(n_classes, MAX_CLASSES, len(set(ordered))))
    factor = 10**decimals
    limits = [math.floor(ordered[0] * factor + 1e-9) / factor]
    for i in range(1, n_classes):
        position = (len(ordered) - 1) * i / n_classes
        below = math.floor(position)
        above = min(below + 1, len(ordered) - 1)
        quantile = ordered[below] + (ordered[above] - ordered[below]) * (position - below)
        limits.append(round(quantile, decimals))
    limits.append(math.ceil(ordered[-1] * factor - 1e-9) / factor)
    deduplicated = [limits[0]]
    for limit in limits[1:]:
        if limit > deduplicated[-1]:
            deduplicated.append(limit)
    return deduplicated if len(deduplicated) > 1 else [limits[0], limits[0]]


def class_index(value: float, limits: list[float]) -> int:
    """Index of the class [limit_i, limit_i+1) holding `value`; the last class includes its upper limit."""
    for i in range(1, len(limits) - 1):
        if value < limits[i]:
            return i - 1
    return max(0, len(limits) - 2)


def class_labels(limits: list[float], decimals: int) -> list[str]:
    """'9,5 – 12,0' per class (en dash with spaces); a single value when all areas are equal."""
    if len(limits) == 2 and limits[0] == limits[1]:
        return [fmt_dec(limits[0], decimals)]
    return [f"{fmt_dec(lo, decimals)} – {fmt_dec(hi, decimals)}" for lo, hi in itertools.pairwise(limits)]


def sequential_colours(n: int) -> list[str]:
    """`n` colours spread over the sequential palette, light to dark."""
    if n <= 1:
        return [SEQUENTIAL[len(SEQUENTIAL) // 2]]
    last = len(SEQUENTIAL) - 1
    return [SEQUENTIAL[int(i * last / (n - 1) + 0.5)] for i in range(n)]


# --- text helpers


def period_text(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return "geen cohortperiode"
    if end is None:
        return f"vanaf {fmt_month_short(start)}"
    if start is None:
        return f"tot {fmt_month_short(end)}"
    return f"{fmt_month_short(start)} – {fmt_month_short(end)}"


def _status(value: object) -> Status | None:
    try:
        return Status(str(value).strip().lower())
    except ValueError:
        return None


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _rgba(colour: str, alpha: int = 255) -> list[int]:
    return [*hex_to_rgb(colour), alpha]


# --- geometry helpers


def _label_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """Area-weighted centroid of the largest outer ring: good enough to place a label."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    best: tuple[float, float, float] | None = None
    for polygon in polygons:
        ring = polygon[0]
        area = cx = cy = 0.0
        for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        point = (ring[0][0], ring[0][1]) if area == 0 else (cx / (3 * area), cy / (3 * area))
        if best is None or abs(area) > best[0]:
            best = (abs(area), *point)
    assert best is not None
    return best[1], best[2]


def labels_legible(
    points: list[tuple[float, float]], texts: list[str], zoom: float = VIEW_ZOOM, font_px: int = LABEL_FONT_PX
) -> bool:
    """Would these labels overlap at `zoom`? Estimates each label's box in screen pixels (Web Mercator)."""
    metres_per_px = 40_075_016.686 * math.cos(math.radians(VIEW_LATITUDE)) / (256 * 2**zoom)
    boxes = []
    for (lon, lat), text in zip(points, texts, strict=True):
        x = lon * 111_320 * math.cos(math.radians(VIEW_LATITUDE)) / metres_per_px
        y = lat * 110_574 / metres_per_px
        half_width = len(text) * font_px * 0.3 + 2  # average glyph ~0.6 em, plus a small margin
        half_height = font_px * 0.6 + 1
        boxes.append((x - half_width, x + half_width, y - half_height, y + half_height))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]:
                return False
    return True


# --- the map


@dataclass(frozen=True)
class _Styled:
    colour: str
    legend_label: str


def _value_rows(values: pl.DataFrame, division: Division) -> tuple[dict[str, dict[str, Any]], list[str]]:
    rows: dict[str, dict[str, Any]] = {}
    duplicates: list[str] = []
    for row in values.to_dicts():
        if row.get("code") is None or not str(row["code"]).strip():
            continue
        code = canonical_code(division, row["code"])
        if code in rows:
            duplicates.append(code)
            continue  # the first row wins; the note below says so
        rows[code] = row
    return rows, duplicates


def _styler(indicator: Indicator, numbers: list[float]) -> tuple[Any, list[LegendItem], list[str]]:
    """A function row -> _Styled | None (None = no data), the legend items, and notes."""
    notes: list[str] = []
    if indicator.kind == "status":

        def style_status(row: dict[str, Any]) -> _Styled | None:
            status = _status(row.get("status"))
            return None if status is None else _Styled(STATUS_COLOURS[status], STATUS_LABELS[status])

        legend = [LegendItem(STATUS_COLOURS[s], STATUS_LABELS[s]) for s in STATUS_ORDER]
        return style_status, legend, notes

    if indicator.kind == "classes":

        def style_class(row: dict[str, Any]) -> _Styled | None:
            key = row.get("class_key")
            return None if not key else _Styled(COMPARISON_COLOURS[key], COMPARISON_LABELS[key])

        legend = [LegendItem(COMPARISON_COLOURS[key], COMPARISON_LABELS[key]) for key in CLASS_ORDER]
        return style_class, [*legend, LegendItem(WHITE, NOT_COMPARED_LABEL)], notes

    if not numbers:
        notes.append(f"Geen waarden voor ‘{indicator.label}’ om te kleuren.")
        return (lambda row: None), [], notes

    if indicator.kind == "sequential":
        n = max(1, min(indicator.n_classes, MAX_CLASSES))
        if indicator.breaks == "quantile":
            limits = quantile_breaks(numbers, n, indicator.decimals)
        else:
            limits = nice_breaks(numbers, n)
        labels = class_labels(limits, indicator.decimals)
        colours = sequential_colours(len(labels))

        def style_sequential(row: dict[str, Any]) -> _Styled | None:
            number = _number(row.get("value"))
            if number is None:
                return None
            i = class_index(number, limits)
            return _Styled(colours[i], labels[i])

        kind = "kwantielen (elke klasse ongeveer evenveel gebieden)" if indicator.breaks == "quantile" else (
            "ronde grenzen")
        notes.append(f"Klassen: {kind}; de ondergrens hoort bij de klasse, de bovengrens bij de volgende.")
        return style_sequential, [LegendItem(c, lab) for c, lab in zip(colours, labels, strict=True)], notes

    raise ValueError(f"Onbekende kaartsoort ‘{indicator.kind}’.")


def colour_values(values: pl.DataFrame, indicator: Indicator) -> ColouredValues:
    """Colour each row by `indicator`; classes and averages are computed over the rows' values (null = grey)."""
    numbers = [n for n in (_number(v) for v in values.get_column("value").to_list()) if n is not None] if (
        "value" in values.columns) else []
    style, legend, notes = _styler(indicator, numbers)
    styled = [style(row) for row in values.iter_rows(named=True)]
    coloured = values.with_columns(
        pl.Series("colour", [s.colour if s else None for s in styled], dtype=pl.String),
        pl.Series("klasse", [s.legend_label if s else None for s in styled], dtype=pl.String),
    )
    return ColouredValues(indicator, coloured, tuple(legend), tuple(notes))


def tooltip_text(texts: dict[str, str], indicator: Indicator) -> str:
    """The tooltip of one area from its texts (code, naam, stadsdeel, status, periode, indicator, value_text):
    plain lines, shown as text whatever the names contain."""
    lines = [
        f"{texts['naam']} ({texts['code']})",
        f"Stadsdeel: {texts['stadsdeel']}",
        f"Status: {texts['status']}",
        f"Periode: {texts['periode']}",
    ]
    if indicator.kind != "status":
        lines.append(f"{texts['indicator']}: {texts['value_text']}")
    text = "\n".join(lines)
    # A string that starts with "@@=" or "@@#" is an expression or a constant to deck.gl's JSON converter (a
    # name like that stopped the whole map). A leading space is not shown: white space at a line start collapses.
    return " " + text if text.startswith("@@") else text


TOOLTIP = {
    # One placeholder in text mode: Streamlit fills it in once and sets innerText, so no name is ever markup.
    "text": "{tooltip}",
    "style": {"backgroundColor": "#FFFFFF", "color": DARK_TEXT, "fontSize": "13px", "whiteSpace": "pre-line",
              "maxWidth": "360px", "overflowWrap": "anywhere", "border": "1px solid #767676", "padding": "6px"},
}


def _plain_list(codes: Iterable[str]) -> str:
    """Codes from an upload in a note that pages show as Markdown: plain text (cohort.plaintext)."""
    return ", ".join(markdown_literal(code) for code in codes)


def build_map(
    boundaries: Boundaries,
    coloured: ColouredValues,
    *,
    selected_code: str | None = None,
    labels: LabelMode = "auto",
    basemap: Basemap = "none",
) -> MapView:
    """Draw the coloured areas; grey where an area has no colour (hidden, or no values: "Geen gegevens")."""
    division = boundaries.division
    indicator = coloured.indicator
    rows, duplicates = _value_rows(coloured.values, division)
    feature_codes = [f["properties"]["code"] for f in boundaries.geojson["features"]]
    on_map = set(feature_codes)
    legend, notes = list(coloured.legend), list(coloured.notes)
    selected = canonical_code(division, selected_code) if selected_code else None

    features: list[dict[str, Any]] = []
    table_rows: list[dict[str, str]] = []
    any_no_data = any_hidden = False
    for feature in boundaries.geojson["features"]:
        props = feature["properties"]
        code = props["code"]
        row = rows.get(code)
        styled = _Styled(row["colour"], row["klasse"]) if row is not None and row.get("colour") else None
        value_text = str(row.get("value_text") or MISSING) if row is not None else MISSING
        if styled is None and indicator.kind == "classes":
            # On a map of classes an area without a class is "not compared": white, as in the legend; a second
            # grey beside "niet te onderscheiden" would read as a class.
            styled = _Styled(WHITE, NOT_COMPARED_LABEL)
        if styled is None:
            any_no_data = True
            any_hidden = any_hidden or value_text not in (MISSING, "", "-")
        status = _status(row.get("status")) if row is not None else None
        naam = (row.get("naam") if row is not None else None) or props["naam"]
        stadsdeel = (row.get("stadsdeel") if row is not None else None) or props["stadsdeel"]
        status_text = STATUS_LABELS[status] if status is not None else NO_DATA_LABEL
        is_selected = code == selected
        texts = {
            "code": str(code),
            "naam": str(naam),
            "stadsdeel": str(stadsdeel),
            "status": status_text,
            "periode": period_text(row.get("start"), row.get("eind")) if row else MISSING,
            "indicator": indicator.label,
            "value_text": value_text,
        }
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "code": code,  # from the boundary file, not the upload: the page selects by it
                    "tooltip": tooltip_text(texts, indicator),
                    "fill_color": _rgba(styled.colour, 235) if styled else _rgba(NO_DATA_COLOUR, 200),
                    # White ("not compared") would vanish on the plain background without a grey outline.
                    "line_color": _rgba(DARK_TEXT if is_selected else GREY if styled and styled.colour.upper() == WHITE
                                        else OUTLINE_COLOUR),
                    "line_width": 4 if is_selected else 1,
                },
            }
        )
        if row is not None or code in expected_codes(division):
            table_rows.append(
                {
                    "code": code,
                    "naam": str(naam),
                    "stadsdeel": str(stadsdeel),
                    "status": status_text,
                    "value_text": value_text,
                    "klasse": styled.legend_label if styled else NO_DATA_LABEL,
                }
            )

    codes_without_geometry = tuple(sorted(set(rows) - on_map))
    codes_without_values = tuple(sorted((on_map & expected_codes(division)) - set(rows)))
    for code in codes_without_geometry:
        row = rows[code]
        table_rows.append(
            {
                "code": code,
                "naam": str(row.get("naam") or ""),
                "stadsdeel": str(row.get("stadsdeel") or ""),
                "status": STATUS_LABELS[s] if (s := _status(row.get("status"))) else NO_DATA_LABEL,
                "value_text": str(row.get("value_text") or MISSING),
                "klasse": "Niet op de kaart",
            }
        )

    if any_no_data:
        legend.append(LegendItem(NO_DATA_COLOUR, HIDDEN_LABEL if any_hidden else NO_DATA_LABEL))
    if boundaries.note_nl:
        notes.insert(0, boundaries.note_nl)
    if codes_without_geometry:
        notes.append(
            f"Niet op de kaart (geen grens gevonden voor de {division.label_nl}): "
            f"{_plain_list(codes_without_geometry)}. Ze staan wel in de tabel."
        )
    if codes_without_values:
        colour = "wit" if indicator.kind == "classes" else "grijs"
        notes.append(f"Geen gegevens ({colour}): {_plain_list(codes_without_values)}.")
    if duplicates:
        notes.append(f"Dubbele codes; alleen de eerste rij is gebruikt: {_plain_list(sorted(set(duplicates)))}.")
    if selected and selected not in on_map:
        notes.append(f"Het gekozen gebied {selected} staat niet op de kaart.")

    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            {"type": "FeatureCollection", "features": features},
            id="gebieden",
            pickable=True,
            auto_highlight=True,
            highlight_color=[24, 24, 24, 60],
            stroked=True,
            filled=True,
            get_fill_color="properties.fill_color",
            get_line_color="properties.line_color",
            get_line_width="properties.line_width",
            line_width_units='"pixels"',
        )
    ]
    if selected and selected in on_map:
        # Drawn on top: in one layer, neighbours' outlines would partly cover the selected one.
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                {"type": "FeatureCollection",
                 "features": [f for f in features if f["properties"]["code"] == selected]},
                id="selectie",
                pickable=False,
                stroked=True,
                filled=False,
                get_line_color=_rgba(DARK_TEXT),
                get_line_width=4,
                line_width_units='"pixels"',
            )
        )
    text_layer = _text_layer(boundaries, labels)
    if text_layer is not None:
        layers.append(text_layer)

    deck = pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(latitude=VIEW_LATITUDE, longitude=VIEW_LONGITUDE, zoom=VIEW_ZOOM),
        map_provider="carto" if basemap == "carto-light" else None,
        map_style=pdk.map_styles.CARTO_LIGHT if basemap == "carto-light" else None,
        tooltip=dict(TOOLTIP),
    )
    table = pl.DataFrame(
        table_rows,
        schema={c: pl.String() for c in ("code", "naam", "stadsdeel", "status", "value_text", "klasse")},
    ).sort("code")
    return MapView(
        deck=deck,
        legend=tuple(legend),
        legend_title=indicator.title,
        table=table,
        codes_without_geometry=codes_without_geometry,
        codes_without_values=codes_without_values,
        notes_nl=tuple(notes),
    )


def _text_layer(boundaries: Boundaries, mode: LabelMode) -> pdk.Layer | None:
    """Area names or codes, only when they fit without overlapping at the initial zoom (mode "auto")."""
    if mode == "none":
        return None
    features = boundaries.geojson["features"]
    # Official maps: the hard-coded centres (the city's label points for stadsdelen) sit better than centroids;
    # schematic tiles are snapped away from those centres, so label them at their own middle.
    points = [
        (boundaries.is_official and area_centre(boundaries.division, f["properties"]["code"]))
        or _label_point(f["geometry"])
        for f in features
    ]
    names = [str(f["properties"]["naam"]) for f in features]
    codes = [str(f["properties"]["code"]) for f in features]
    if mode == "names":
        texts = names
    elif mode == "codes":
        texts = codes
    elif labels_legible(points, names):
        texts = names
    elif boundaries.division is not Division.STADSDELEN and labels_legible(points, codes):
        texts = codes  # gebied codes mean something to evaluators; a lone stadsdeel letter does not
    else:
        return None
    return pdk.Layer(
        "TextLayer",
        # Plain text from the boundary file, drawn as glyphs (never HTML) and not pickable, so no tooltip.
        [{"position": [round(lon, 5), round(lat, 5)], "text": text} for (lon, lat), text in zip(points, texts,
                                                                                               strict=True)],
        id="namen",
        pickable=False,
        get_position="position",
        get_text="text",
        get_size=LABEL_FONT_PX,
        size_units='"pixels"',
        get_color=_rgba(DARK_TEXT),
        character_set='"auto"',
        font_settings={"sdf": True},
        outline_width=2,
        outline_color=[255, 255, 255, 255],
    )
