"""Colours used app-wide, so a status or indicator looks the same on the map, in charts and in legends."""

from __future__ import annotations

from cohort.contract import Status

AMSTERDAM_RED = "#EC0000"
DARK_TEXT = "#181818"
GREY = "#767676"  # 4.5:1 on white: the lightest grey allowed for text

# Status: one categorical palette, colour-blind safe (Okabe-Ito based) and distinct in greyscale.
STATUS_COLOURS: dict[Status, str] = {
    Status.FINISHED: "#004699",  # Amsterdam dark blue
    Status.ACTIVE: "#E69F00",  # orange
    Status.PLANNED: "#56B4E9",  # sky blue
    Status.NEVER: "#BEBEBE",
}

STATUS_LABELS: dict[Status, str] = {
    Status.FINISHED: "Afgerond",
    Status.ACTIVE: "Actief",
    Status.PLANNED: "Gepland",
    Status.NEVER: "Geen cohort",
}

# Cohort vs comparison in the outflow charts.
COHORT_COLOUR = "#004699"
COMPARISON_COLOUR = "#A0A0A0"
COMPLAINT_COLOUR = AMSTERDAM_RED

# Sequential, colour-blind safe (viridis-like, light to dark) for rates on the map.
SEQUENTIAL: tuple[str, ...] = ("#FDE725", "#7AD151", "#22A884", "#2A788E", "#414487", "#440154")

def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


# Comparison with a benchmark by significance (`cohort.analysis.comparison`): one scheme for map, tables, panel and
# briefing. ColorBrewer PuOr (orange = higher, purple = lower): colour-blind safe and without the good/bad
# meaning of red and green, since higher outflow is good and more complaints are not. The darker shade marks a
# difference beyond the 99,8% limits too. Grey is "niet te onderscheiden"; white (with an outline on the map)
# is "not compared": a hidden count or no data, so it can never be read as a class.
# tests/unit/analysis/test_comparison.py checks that every pair stays apart under simulated protan-, deuter- and
# tritanopia.
COMPARISON_COLOURS: dict[str, str] = {
    "hoger_998": "#E66101",
    "hoger_95": "#FDB863",
    "niet_te_onderscheiden": "#D0D0D0",
    "lager_95": "#998EC3",
    "lager_998": "#5E3C99",
    "verborgen": "#FFFFFF",
    "geen_gegevens": "#FFFFFF",
}

COMPARISON_LABELS: dict[str, str] = {
    "hoger_998": "Hoger (ook bij 99,8%)",
    "hoger_95": "Hoger (95%)",
    "niet_te_onderscheiden": "Niet te onderscheiden",
    "lager_95": "Lager (95%)",
    "lager_998": "Lager (ook bij 99,8%)",
    "verborgen": "Verborgen (klein aantal)",
    "geen_gegevens": "Geen gegevens",
}
