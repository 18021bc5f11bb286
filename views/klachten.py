"""Klachten en bejegening: lays out the page model (`cohort.pagemodels.complaints`), nothing else.

Every number comes from the release through the model, so what is hidden here is hidden on every page.
"""

import streamlit as st

from cohort.ui.filters import get_context
from cohort.ui.models import page_model, show_chart, show_notes, show_notice, show_tiles
from cohort.ui.opendata import view_bundle_button
from cohort.ui.widgets import active_filters

context = get_context()
model = page_model("klachten")

st.title(model.title)
active_filters(context.selection, context.dataset)
st.markdown(model.intro)
for notice in model.notices:
    show_notice(notice)
show_notice(model.context)
show_tiles(model.tiles)
show_notes(model.tile_notes)

if model.window is not None:
    st.subheader("Klachten door de tijd")
    grain = st.radio(
        "Periode per punt", list(model.grains), format_func=model.grains.__getitem__, key="klachten_periode",
        horizontal=True, bind="query-params",
        help="Klachten tellen we per heel half jaar of per jaar: per kwartaal of maand zouden de meeste aantallen "
        "1 tot en met 4 zijn.",
    )
    series = model.over_time(grain)
    show_notice(series.notice)
    if series.chart is not None:
        show_chart(series.chart)

st.subheader("Klachten per gebied en stadsdeel: de trechterplot")
if model.funnel_level_note:
    st.caption(model.funnel_level_note)
period = None
if model.funnel_period_choice:
    period = st.radio(
        "Periode van de trechter", list(model.funnel_periods), format_func=model.funnel_periods.__getitem__,
        key="trechter_periode", horizontal=True, bind="query-params",
        help="Over een langere periode zijn minder aantallen klein, dus hoeven er minder verborgen te worden.",
    )
funnel = model.funnel(period)
show_notice(funnel.hint)
show_notes(funnel.captions)
if funnel.chart is not None:
    show_chart(funnel.chart)
show_notice(funnel.result)

if model.window is not None:
    st.subheader("Klachten per soort")
    show_notice(model.categories_notice)
    if model.categories is not None:
        show_chart(model.categories)

show_notice(model.small_numbers)

view_bundle_button("Klachten", model)
