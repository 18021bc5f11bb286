"""Uitrol per gebied: when each unit ran its cohort, and how each unit stands on the peildatum."""

import streamlit as st

from cohort.map.units import BENCHMARK_KEY, LEVEL_KEY, SPREAD_KEY
from cohort.ui.briefing import unit_briefing_button
from cohort.ui.filters import get_context
from cohort.ui.models import (
    page_input,
    page_model,
    rollout_page,
    rollout_parts,
    rollout_table,
    show_chart,
    show_notes,
    show_table,
)
from cohort.ui.opendata import view_bundle_button
from cohort.ui.widgets import active_filters

PAGE_KEY = "pagina"

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
controls = st.columns([2, 2, 3])
benchmark = controls[0].selectbox("Vergelijk met", list(model.benchmarks), format_func=model.benchmarks.get,
                                  key=BENCHMARK_KEY, bind="query-params")
level = controls[1].radio("Betrouwbaarheid", list(model.levels), format_func=model.levels.get, key=LEVEL_KEY,
                          bind="query-params", horizontal=True)
spread = controls[2].radio("Grenzen", list(model.spreads), format_func=model.spreads.get, key=SPREAD_KEY,
                           bind="query-params", horizontal=True)
number = 1
if model.pages > 1:
    number = st.columns([1, 6])[0].selectbox(
        "Pagina", model.page_numbers, key=PAGE_KEY, bind="query-params",
        help="De tabel staat in delen van 50 rijen op het scherm; de downloads bevatten alle rijen.") or 1
rows = rollout_page(benchmark, level, spread, number)
if model.pages > 1:
    st.caption(rows.caption)
whole = rollout_table(benchmark, level, spread)  # made only when a download is clicked
show_table(rows.table, height="content", whole=lambda: whole().table)
with st.expander("Hoe we vergelijken en trends bepalen"):
    show_notes(model.method_notes)
view_bundle_button("Gebieden", model, parts=rollout_parts(benchmark, level, spread))

st.subheader("Briefing per gebied")
choice = st.selectbox("Gebied of doelgroep", list(model.briefing_units), format_func=model.briefing_units.get,
                      key="briefing_eenheid", help="Eén A4-pagina met de cijfers van dit gebied, om te printen.")
if choice:
    unit_briefing_button(page_input(), choice, model.briefing_units[choice])
