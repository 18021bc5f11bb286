"""The area map: colours, legend, selection, the plain-text tooltip, fallback and JSON serialisation."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from cohort.charts.palette import COMPARISON_COLOURS, GREY, SEQUENTIAL, STATUS_COLOURS, hex_to_rgb
from cohort.contract import Status
from cohort.map.boundaries import SCHEMATIC_NOTE_NL, Boundaries, Division, resolve_boundaries, schematic_boundaries
from cohort.map.deck import (
    HIDDEN_LABEL,
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    NOT_COMPARED_LABEL,
    STATUS_INDICATOR,
    Indicator,
    build_map,
    class_index,
    class_labels,
    colour_values,
    labels_legible,
    nice_breaks,
    period_text,
    quantile_breaks,
    sequential_colours,
)
from cohort.settings import load_settings

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "boundaries"


def square(lon: float, lat: float, size: float = 0.02) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def small_boundaries() -> Boundaries:
    """Six stadsdelen as squares in a row: A E K M N T."""
    features = [
        {"type": "Feature", "geometry": square(4.80 + 0.03 * i, 52.35),
         "properties": {"code": code, "naam": f"Grens {code}", "stadsdeel": f"Grens {code}"}}
        for i, code in enumerate("AEKMNT")
    ]
    return Boundaries(Division.STADSDELEN, {"type": "FeatureCollection", "features": features},
                      "configuratie", None, True)


def small_values(**overrides: list[Any]) -> pl.DataFrame:
    columns: dict[str, list[Any]] = {
        "code": ["A", "E", "K", "M", "N", "X9"],
        "naam": ["Centrum", "West", "Zuid", "Oost", "Noord", "Nergens"],
        "stadsdeel": ["Centrum", "West", "Zuid", "Oost", "Noord", ""],
        "status": ["afgerond", "actief", "gepland", "geen", "afgerond", "actief"],
        "start": [date(2019, 9, 1), date(2020, 3, 1), date(2022, 1, 1), None, date(2019, 1, 1), None],
        "eind": [date(2020, 8, 31), None, None, None, date(2019, 12, 31), None],
        "value": [4.0, 8.0, 12.0, 16.0, 20.0, None],
        "value_text": ["4,0", "8,0", "12,0", "16,0", "20,0", "—"],
    }
    columns.update(overrides)
    return pl.DataFrame(columns, schema_overrides={"start": pl.Date, "eind": pl.Date, "value": pl.Float64})


def draw(boundaries: Boundaries, values: pl.DataFrame, indicator: Indicator, **options: Any) -> Any:
    """Colour the values (the page model's step), then draw them (the page's step)."""
    return build_map(boundaries, colour_values(values, indicator), **options)


def props_by_code(view: Any, layer_id: str = "gebieden") -> dict[str, dict[str, Any]]:
    layer = next(layer for layer in view.deck.layers if layer.id == layer_id)
    return {f["properties"]["code"]: f["properties"] for f in layer.data["features"]}


def rgb(props: dict[str, Any]) -> tuple[int, int, int]:
    return tuple(props["fill_color"][:3])  # type: ignore[return-value]


# --- colours per area


def test_status_colours() -> None:
    view = draw(small_boundaries(), small_values(), STATUS_INDICATOR)
    props = props_by_code(view)
    assert rgb(props["A"]) == hex_to_rgb(STATUS_COLOURS[Status.FINISHED])
    assert rgb(props["E"]) == hex_to_rgb(STATUS_COLOURS[Status.ACTIVE])
    assert rgb(props["K"]) == hex_to_rgb(STATUS_COLOURS[Status.PLANNED])
    assert rgb(props["M"]) == hex_to_rgb(STATUS_COLOURS[Status.NEVER])
    assert rgb(props["T"]) == hex_to_rgb(NO_DATA_COLOUR)  # geometry without values
    assert "\nStatus: Geen gegevens\n" in props["T"]["tooltip"] and NO_DATA_LABEL == "Geen gegevens"
    assert [(i.colour_hex, i.label) for i in view.legend] == [
        ("#004699", "Afgerond"), ("#E69F00", "Actief"), ("#56B4E9", "Gepland"), ("#BEBEBE", "Geen cohort"),
        (NO_DATA_COLOUR, "Geen gegevens"),
    ]


def test_sequential_colours_and_legend() -> None:
    view = draw(small_boundaries(), small_values(), Indicator("sequential", "Uitstroom", "%"))
    # 4 … 20 in at most 5 classes on round numbers: span 16 / 5 = 3,2 -> step 5 -> limits 0, 5, 10, 15, 20.
    assert [i.label for i in view.legend] == [
        "0,0 – 5,0", "5,0 – 10,0", "10,0 – 15,0", "15,0 – 20,0", "Geen gegevens"]
    assert view.legend_title == "Uitstroom (%)"
    colours = sequential_colours(4)
    assert colours == [SEQUENTIAL[0], SEQUENTIAL[2], SEQUENTIAL[3], SEQUENTIAL[5]]
    props = props_by_code(view)
    assert rgb(props["A"]) == hex_to_rgb(colours[0])  # 4
    assert rgb(props["E"]) == hex_to_rgb(colours[1])  # 8
    assert rgb(props["K"]) == hex_to_rgb(colours[2])  # 12
    assert rgb(props["M"]) == hex_to_rgb(colours[3])  # 16
    assert rgb(props["N"]) == hex_to_rgb(colours[3])  # 20: the top limit belongs to the last class
    assert rgb(props["T"]) == hex_to_rgb(NO_DATA_COLOUR)


def test_quantile_breaks_with_dutch_labels() -> None:
    limits = quantile_breaks([9.5, 12.0, 14.5], n_classes=2, decimals=1)
    assert limits == [9.5, 12.0, 14.5]
    assert class_labels(limits, 1) == ["9,5 – 12,0", "12,0 – 14,5"]
    # Outer limits enclose every value after rounding.
    assert quantile_breaks([9.46, 10.0, 12.04], n_classes=2) == [9.4, 10.0, 12.1]
    assert class_labels([1234.5, 2000.0], 1) == ["1.234,5 – 2.000,0"]
    assert class_labels([7.0, 7.0], 1) == ["7,0"]


def test_nice_breaks_and_class_index() -> None:
    assert nice_breaks([3, 47]) == [0, 10, 20, 30, 40, 50]
    assert nice_breaks([0.12, 0.87]) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_breaks([7.0, 7.0]) == [7.0, 7.0]
    assert len(nice_breaks([1.0, 123.0])) - 1 <= 5
    limits = [0.0, 5.0, 10.0]
    assert [class_index(v, limits) for v in (0.0, 4.99, 5.0, 10.0)] == [0, 0, 1, 1]


def test_comparison_classes_are_drawn_as_the_page_model_decided() -> None:
    # The classes come with the rows (cohort.analysis.comparison decides them); the map only draws them.
    values = small_values(class_key=["hoger_998", "niet_te_onderscheiden", "lager_95", "verborgen", "geen_gegevens",
                                     "hoger_95"])
    view = draw(small_boundaries(), values, Indicator("classes", "Uitstroom t.o.v. stedelijk gemiddelde"))
    props = props_by_code(view)
    assert rgb(props["A"]) == hex_to_rgb(COMPARISON_COLOURS["hoger_998"])
    assert rgb(props["E"]) == hex_to_rgb(COMPARISON_COLOURS["niet_te_onderscheiden"])
    assert rgb(props["K"]) == hex_to_rgb(COMPARISON_COLOURS["lager_95"])
    # Not compared: white with a grey outline, so it shows on the plain background and reads as no class.
    assert rgb(props["M"]) == rgb(props["N"]) == (255, 255, 255)
    assert tuple(props["M"]["line_color"][:3]) == hex_to_rgb(GREY)
    assert tuple(props["A"]["line_color"][:3]) == (255, 255, 255)
    assert [i.label for i in view.legend] == ["Hoger (ook bij 99,8%)", "Hoger (95%)", "Niet te onderscheiden",
                                              "Lager (95%)", "Lager (ook bij 99,8%)", NOT_COMPARED_LABEL]
    # T is on the map without a row: not compared either (white), not a second grey beside "niet te onderscheiden".
    assert rgb(props["T"]) == (255, 255, 255) and any(n.startswith("Geen gegevens (wit): T") for n in view.notes_nl)


def test_hidden_small_numbers_are_grey_and_named_in_legend() -> None:
    values = small_values(value=[4.0, None, 12.0, 16.0, 20.0, None],
                          value_text=["4,0", "—*", "12,0", "16,0", "20,0", "—"])
    view = draw(small_boundaries(), values, Indicator("sequential", "Uitstroom"))
    props = props_by_code(view)
    assert rgb(props["E"]) == hex_to_rgb(NO_DATA_COLOUR)
    assert props["E"]["tooltip"].endswith("\nUitstroom: —*")  # plain text: the tooltip is never HTML
    assert view.legend[-1].label == HIDDEN_LABEL == "Verborgen (× of —*) of geen gegevens"


def test_colour_values_gives_each_row_its_colour_and_class() -> None:
    # 4 … 20 on round limits 0, 5, 10, 15, 20; X9 has no value: no colour, no class (grey on the map).
    coloured = colour_values(small_values(), Indicator("sequential", "Uitstroom"))
    rows = {r["code"]: (r["colour"], r["klasse"]) for r in coloured.values.iter_rows(named=True)}
    colours = sequential_colours(4)
    assert rows["A"] == (colours[0], "0,0 – 5,0") and rows["N"] == (colours[3], "15,0 – 20,0")
    assert rows["X9"] == (None, None)
    assert [item.label for item in coloured.legend] == ["0,0 – 5,0", "5,0 – 10,0", "10,0 – 15,0", "15,0 – 20,0"]
    status = colour_values(small_values(), STATUS_INDICATOR).values
    assert status.filter(pl.col("code") == "E").row(0, named=True)["klasse"] == "Actief"


# --- missing codes, table


def test_missing_codes_reported_and_table_is_text_alternative() -> None:
    view = draw(small_boundaries(), small_values(), Indicator("sequential", "Uitstroom", "%"))
    assert view.codes_without_geometry == ("X9",)
    assert view.codes_without_values == ("T",)
    assert view.missing_codes == ("T", "X9")
    assert any("X9" in n and "Niet op de kaart" in n for n in view.notes_nl)
    assert any(n == "Geen gegevens (grijs): T." for n in view.notes_nl)
    assert view.table.columns == ["code", "naam", "stadsdeel", "status", "value_text", "klasse"]
    rows = {r["code"]: r for r in view.table.to_dicts()}
    assert rows["A"] == {"code": "A", "naam": "Centrum", "stadsdeel": "Centrum", "status": "Afgerond",
                         "value_text": "4,0", "klasse": "0,0 – 5,0"}
    assert rows["T"]["klasse"] == "Geen gegevens" and rows["T"]["value_text"] == "—"
    assert rows["X9"]["klasse"] == "Niet op de kaart"


def test_stadsdeel_names_join_to_letters() -> None:
    values = small_values(code=["Centrum", "West", "Zuid", "Oost", "Noord", "Weesp"])
    view = draw(small_boundaries(), values, STATUS_INDICATOR)
    assert view.codes_without_values == ("T",)
    assert view.codes_without_geometry == ("S",)


# --- selection, tooltip, security


def test_selected_area_gets_thick_outline_on_top() -> None:
    view = draw(small_boundaries(), small_values(), STATUS_INDICATOR, selected_code="e")
    props = props_by_code(view)
    assert props["E"]["line_width"] == 4 and props["E"]["line_color"][:3] == [24, 24, 24]
    assert all(p["line_width"] == 1 for code, p in props.items() if code != "E")
    assert list(props_by_code(view, "selectie")) == ["E"]
    unselected = draw(small_boundaries(), small_values(), STATUS_INDICATOR, selected_code="S")
    assert [layer.id for layer in unselected.deck.layers if layer.id == "selectie"] == []
    assert any("S staat niet op de kaart" in n for n in unselected.notes_nl)


def test_tooltip_content_and_dutch_months() -> None:
    view = draw(small_boundaries(), small_values(), Indicator("sequential", "Uitstroom naar werk", "%"))
    props = props_by_code(view)
    assert "\nPeriode: vanaf mrt 2020\n" in props["E"]["tooltip"]
    assert "\nPeriode: geen cohortperiode\n" in props["M"]["tooltip"]
    # The workbook's name wins over the file's ("Grens A").
    assert props["A"]["tooltip"] == (
        "Centrum (A)\nStadsdeel: Centrum\nStatus: Afgerond\nPeriode: sep 2019 – aug 2020\nUitstroom naar werk: 4,0"
    )
    by_status = props_by_code(draw(small_boundaries(), small_values(), STATUS_INDICATOR))
    assert by_status["E"]["tooltip"] == "West (E)\nStadsdeel: West\nStatus: Actief\nPeriode: vanaf mrt 2020"
    assert period_text(None, date(2021, 6, 30)) == "tot jun 2021"


def test_tooltip_is_plain_text_exactly_as_written() -> None:
    # Streamlit fills the one placeholder of a text-mode tooltip once and sets innerText: nothing in a name is
    # markup, and a name that looks like a placeholder stays itself (tests/browser/test_plain_text.py hovers).
    attack = "<img src=x onerror=alert(1)>"
    values = small_values(naam=[attack, "{stadsdeel} & \"x\"", "Zuid", "Oost", "Noord", "x"],
                          stadsdeel=["<script>alert(2)</script>", "West", "Zuid", "Oost", "Noord", ""],
                          value_text=['"><b>4', "8,0", "12,0", "16,0", "20,0", "—"])
    view = draw(small_boundaries(), values, Indicator("sequential", "Uitstroom"))
    assert view.deck._tooltip["text"] == "{tooltip}" and "html" not in view.deck._tooltip
    props = props_by_code(view)
    assert props["A"]["tooltip"] == (
        "<img src=x onerror=alert(1)> (A)\nStadsdeel: <script>alert(2)</script>\nStatus: Afgerond\n"
        'Periode: sep 2019 – aug 2020\nUitstroom: "><b>4'
    )
    assert props["E"]["tooltip"].startswith('{stadsdeel} & "x" (E)\n')
    # Names reach the deck only inside the tooltip; the table keeps them as typed (the page shows it as text).
    assert set(props["A"]) == {"code", "tooltip", "fill_color", "line_color", "line_width"}
    assert attack in view.table.get_column("naam").to_list()


def test_no_text_in_the_deck_starts_like_a_deck_gl_expression() -> None:
    # deck.gl's JSON converter evaluates "@@=…" and looks up "@@#…": such a name stopped the whole map.
    values = small_values(naam=["@@=properties.code", "@@#GL.ONE", "Zuid", "Oost", "Noord", "x"])
    props = props_by_code(draw(small_boundaries(), values, STATUS_INDICATOR))
    assert props["A"]["tooltip"] == " @@=properties.code (A)\nStadsdeel: Centrum\nStatus: Afgerond\n" \
                                    "Periode: sep 2019 – aug 2020"
    assert props["E"]["tooltip"].startswith(" @@#GL.ONE (E)\n")
    assert not any(str(value).startswith("@@") for p in props.values() for value in p.values())


# --- fallback and serialisation


def test_fallback_when_files_missing_or_invalid(tmp_path: Path) -> None:
    broken = tmp_path / "kapot.geojson"
    broken.write_text("not json", encoding="utf-8")
    settings = dataclasses.replace(load_settings(), cache_dir=tmp_path / "cache",
                                   boundaries_source=str(broken), boundaries_download=False)
    boundaries = resolve_boundaries(Division.GEBIEDEN_2022, settings)
    assert boundaries.source == "schematisch"
    codes = sorted(boundaries.codes)
    values = pl.DataFrame({"code": codes, "naam": codes, "stadsdeel": [""] * 25, "status": ["actief"] * 25,
                           "start": [None] * 25, "eind": [None] * 25, "value": [1.0] * 25,
                           "value_text": ["1,0"] * 25},
                          schema_overrides={"start": pl.Date, "eind": pl.Date})
    view = draw(boundaries, values, STATUS_INDICATOR)
    assert view.notes_nl[0] == SCHEMATIC_NOTE_NL
    assert view.missing_codes == ()
    json.loads(view.deck.to_json())


@pytest.mark.parametrize("division", list(Division))
def test_deck_serialises_without_basemap(division: Division) -> None:
    boundaries = schematic_boundaries(division)
    codes = sorted(boundaries.codes)
    values = small_values(code=codes[:6])
    view = draw(boundaries, values, Indicator("sequential", "Uitstroom"), selected_code=codes[0])
    deck = json.loads(view.deck.to_json())
    assert deck["initialViewState"] == {"latitude": 52.36, "longitude": 4.9, "zoom": 10.3}
    assert not deck.get("mapStyle") and not deck.get("mapProvider")  # renders on a plain background
    layer = next(layer for layer in deck["layers"] if layer["id"] == "gebieden")
    assert layer["@@type"] == "GeoJsonLayer" and layer["pickable"] and layer["autoHighlight"]
    assert layer["getFillColor"] == "@@=properties.fill_color"
    assert layer["lineWidthUnits"] == "pixels"  # a constant, not an accessor expression


def test_carto_basemap_is_opt_in() -> None:
    view = draw(small_boundaries(), small_values(), STATUS_INDICATOR, basemap="carto-light")
    assert "cartocdn" in view.deck.to_json()


def test_labels_only_when_legible() -> None:
    assert labels_legible([(4.80, 52.35), (4.95, 52.35)], ["Centrum", "West"])
    assert not labels_legible([(4.900, 52.35), (4.901, 52.35)], ["Centrum", "West"])
    # Squares 2 km (~27 px) apart: "Grens A" is wider than that, and a lone stadsdeel letter says nothing.
    auto = draw(small_boundaries(), small_values(), STATUS_INDICATOR)
    assert all(layer.id != "namen" for layer in auto.deck.layers)
    forced = draw(small_boundaries(), small_values(), STATUS_INDICATOR, labels="names")
    names = next(layer for layer in forced.deck.layers if layer.id == "namen")
    assert [d["text"] for d in names.data] == [f"Grens {c}" for c in "AEKMNT"]
    assert names.pickable is False  # never a tooltip from raw label text
    schematic = draw(schematic_boundaries(Division.STADSDELEN), small_values(), STATUS_INDICATOR)
    assert any(layer.id == "namen" for layer in schematic.deck.layers)
    none = draw(small_boundaries(), small_values(), STATUS_INDICATOR, labels="none")
    assert all(layer.id != "namen" for layer in none.deck.layers)


@pytest.mark.skipif(not (SHARED / "gebieden_2022_INDELING_GEBIED.geojson").is_file(),
                    reason="OFFICIAL BOUNDARY FILES MISSING in /work/shared/data/boundaries")
def test_official_2022_map(tmp_path: Path) -> None:
    settings = dataclasses.replace(load_settings(), cache_dir=tmp_path,
                                   boundaries_source=str(SHARED / "gebieden_2022_INDELING_GEBIED.geojson"),
                                   boundaries_download=False)
    boundaries = resolve_boundaries(Division.GEBIEDEN_2022, settings)
    codes = sorted(boundaries.codes)
    n = len(codes)
    values = pl.DataFrame({"code": codes, "naam": codes, "stadsdeel": [""] * n, "status": ["afgerond"] * n,
                           "start": [date(2019, 9, 1)] * n, "eind": [date(2020, 8, 31)] * n,
                           "value": [float(i) for i in range(n)], "value_text": [str(i) for i in range(n)]})
    view = draw(boundaries, values, Indicator("sequential", "Uitstroom", breaks="quantile"))
    assert view.missing_codes == () and len(view.legend) == 5
    assert len(json.loads(view.deck.to_json())["layers"][0]["data"]["features"]) == 25
