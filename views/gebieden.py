"""Uitrol per gebied: when each unit ran its cohort, and how each unit stands on the peildatum."""

import streamlit as st

from cohort.ui.briefing import unit_briefing_button
from cohort.ui.filters import get_context
from cohort.ui.models import page_input, page_model, show_chart, show_table
from cohort.ui.widgets import active_filters

context = get_context()
model = page_model("gebieden")

st.title("Uitrol per gebied")
active_filters(context.selection, context.dataset)
st.markdown(model.summary)

if model.timeline is None:
    st.info("Geen eenheden met een cohortperiode in deze selectie.")
else:
    show_chart(model.timeline)

st.subheader("Per gebied en doelgroep")
st.caption(model.units_caption)
show_table(model.units, height="content")

st.subheader("Briefing per gebied")
choice = st.selectbox("Gebied of doelgroep", list(model.briefing_units), format_func=model.briefing_units.get,
                      key="briefing_eenheid", help="Eén A4-pagina met de cijfers van dit gebied, om te printen.")
if choice:
    unit_briefing_button(page_input(), choice, model.briefing_units[choice])
