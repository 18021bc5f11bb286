"""The map on the page: boundaries resolved once per division, the model's colouring drawn on them, the legend."""

from __future__ import annotations

import html
from collections.abc import Callable

import streamlit as st

from cohort.map.boundaries import Boundaries, Division, resolve_boundaries
from cohort.map.deck import build_map
from cohort.pagemodels.map import MapColouring
from cohort.settings import load_settings
from cohort.ui.models import show_notes

MAP_KEY = "kaart"  # the pydeck chart's widget key: its selection lives in st.session_state[MAP_KEY]


@st.cache_data(ttl=3600, max_entries=4, show_spinner="Kaartgrenzen laden …")
def boundaries_for(division: Division) -> Boundaries:
    # Cached per division: resolution may try a download (≈3 s without network) that must not run on every rerun.
    return resolve_boundaries(division, load_settings())


def show_map(division: Division, colouring: MapColouring, *, selected_code: str | None,
             on_select: Callable[[], None]) -> None:
    """Draw `colouring` on the division's boundaries, with its legend and notes in a column beside the map."""
    boundaries = boundaries_for(division)
    view = build_map(boundaries, colouring.coloured, selected_code=selected_code)
    st.caption(f"Indeling: {division.label_nl}.")
    if not boundaries.is_official:
        st.info(boundaries.note_nl or "Officiële gebiedsgrenzen zijn niet beschikbaar; schematische kaart.")
    map_column, legend_column = st.columns([3, 1])
    with map_column:
        st.pydeck_chart(view.deck, on_select=on_select, selection_mode="single-object", key=MAP_KEY, height=560,
                        alt=colouring.alt)
    with legend_column:
        st.markdown(f"**{html.escape(view.legend_title)}**")
        for item in view.legend:
            # A square with an outline: the white "not compared" swatch must show on a white page too.
            st.markdown(
                '<span style="display:inline-block;width:0.9em;height:0.9em;vertical-align:-0.1em;'
                f'background:{item.colour_hex};border:1px solid #767676" aria-hidden="true"></span> '
                f"{html.escape(item.label)}",
                unsafe_allow_html=True,
            )
        show_notes([note for note in view.notes_nl if note != boundaries.note_nl])  # that one is above the map
        if colouring.method:
            with st.expander("Hoe we vergelijken"):
                show_notes(colouring.method)
