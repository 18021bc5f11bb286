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

# Above/below the city average (OIS style): darker where the gap exceeds one standard deviation.
DIVERGING: dict[str, str] = {
    "ver_onder": "#2166AC",
    "onder": "#92C5DE",
    "gemiddeld": "#F7F7F7",
    "boven": "#F4A582",
    "ver_boven": "#B2182B",
}


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)
