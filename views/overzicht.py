"""Overzicht: the state of the programme in one minute. (Lays out `pagemodels.overview`.)"""

import streamlit as st

from cohort.plaintext import markdown_literal
from cohort.ui.briefing import city_briefing_button
from cohort.ui.models import (
    page_input,
    page_model,
    show_chart,
    show_notes,
    show_notice,
    show_text_table,
    show_tiles,
)
from cohort.ui.opendata import view_bundle_button

model = page_model("overzicht")

# The chart is what a viewer waits for: it is drawn first, into its place below the head and the tiles, so the
# browser loads and draws it before the other kinds of elements (issue 15). On screen the order is unchanged.
head = st.container()
outflow = st.container()
show_notice(model.chart_notice)
if model.chart is not None:
    show_chart(model.chart)

with head:
    st.title("Cohortaanpak: stand van zaken")
    st.caption(markdown_literal(model.header))  # the dataset's name comes from an upload: plain text
    city_briefing_button(page_input())
    st.markdown(model.situation)

    show_tiles(model.status_tiles)
    show_tiles(model.count_tiles)
    show_notes(model.tile_notes)

with outflow:
    st.subheader("Uitstroom naar werk: ruw en eerlijker vergeleken")
    show_tiles(model.outflow_tiles, columns=2)
    if model.outflow_sentence:
        st.markdown(model.outflow_sentence)
    show_notes(model.outflow_notes)

st.header("Raadsbrief 6 juli 2021 naast de data")
st.caption(model.letter_caption)
show_notice(model.letter_notice)
if model.letter:
    show_text_table(("Raadsbrief", "Wat de data zeggen", "Kanttekening"),
                    [(f"*{claim.claim}*", claim.data, claim.note) for claim in model.letter])
show_notes(model.letter_notes)

view_bundle_button("Overzicht", model)
