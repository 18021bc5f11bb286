"""Uitrol per gebied: when each unit ran its cohort, and how each unit stands on the peildatum."""

import streamlit as st

from cohort.ui.filters import get_context
from cohort.ui.models import page_model, show_chart, show_table
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
