"""Kaart: where the cohort approach is finished, where it runs, and where it works."""

import html

import streamlit as st

from cohort.links import AREA_KEY
from cohort.map.units import BENCHMARK_KEY, LEVEL_KEY, SPREAD_KEY
from cohort.plaintext import markdown_literal
from cohort.ui.briefing import unit_briefing_button
from cohort.ui.filters import get_context
from cohort.ui.map_choice import area_choice
from cohort.ui.maps import MAP_KEY, show_map
from cohort.ui.models import (
    map_colouring,
    map_panel,
    page_input,
    page_model,
    show_chart,
    show_notes,
    show_notice,
    show_table,
    show_tiles,
)
from cohort.ui.opendata import view_bundle_button
from cohort.ui.widgets import active_filters

context = get_context()
model = page_model("kaart")

st.title("Kaart van de cohortaanpak")
active_filters(context.selection, context.dataset)

controls = st.columns([2, 2, 3])
indicator = controls[0].selectbox(
    "Kleur de kaart naar", list(model.indicators), format_func=lambda key: model.indicators[key].label,
    key="indicator", bind="query-params",
)
# The comparison controls only where they apply (a rate): disabled widgets would be greyed out below the
# contrast the page promises, and say nothing a hidden one does not.
benchmark, level, spread = "geen", "95", "ja"
if model.indicators[indicator].is_rate:
    benchmark = controls[1].selectbox(
        "Vergelijk met", list(model.benchmarks), format_func=model.benchmarks.get, key=BENCHMARK_KEY,
        bind="query-params",
        help="Een gebied krijgt alleen een kleur als het verschil met deze maatstaf groter is dan toeval "
        "aannemelijk maakt (zie ‘Hoe we vergelijken’ naast de kaart).",
    )
    if benchmark != "geen":
        with controls[2]:
            level = st.radio("Betrouwbaarheid", list(model.levels), format_func=model.levels.get, key=LEVEL_KEY,
                             bind="query-params", horizontal=True)
            spread = st.radio("Grenzen", list(model.spreads), format_func=model.spreads.get, key=SPREAD_KEY,
                              bind="query-params", horizontal=True,
                              help="Met spreiding tussen gebieden: ruimere grenzen, omdat gebieden ook zonder "
                              "toeval verschillen. Alleen toeval: de exacte Poisson-grenzen.")
if model.level_note:
    controls[2].caption(model.level_note)
colouring = map_colouring(indicator, benchmark, level, spread)

# The map selection lives in the URL (?gebied=DX05), so a shared link shows it too; a click on the map or this
# choice (the keyboard's way) sets it.
area = area_choice(controls[0], model.choice_label, model.choices)
panel = map_panel(area)


def remember_selection() -> None:
    """Clicking an area puts it in the URL, so a shared link shows the same selection."""
    objects = st.session_state[MAP_KEY].selection.get("objects", {}).get("gebieden", [])
    if objects:
        properties = objects[0].get("properties", objects[0])
        st.query_params[AREA_KEY] = html.unescape(str(properties.get("code", "")))
    elif AREA_KEY in st.query_params:
        del st.query_params[AREA_KEY]


if model.division is None:
    st.error(model.division_error)
else:
    show_map(model.division, colouring, selected_code=panel.code if panel else None, on_select=remember_selection)
show_notice(colouring.notice)

if panel is not None:
    with st.container(border=True):
        st.subheader(markdown_literal(panel.title))  # an area's name comes from an upload: plain text
        st.markdown(panel.summary)
        tiles = panel.tiles_for(colouring.indicator)
        show_tiles(tiles, columns=3)
        verdicts = panel.verdicts_for(colouring.indicator, colouring.benchmark, colouring.level, colouring.spread)
        for column, verdict in zip(st.columns(3), verdicts, strict=False):
            with column, st.container(border=True):  # words, not numbers: st.metric would cut them off
                st.markdown(f"{verdict.label}  \n**{verdict.value}**")
                st.caption(verdict.definition)
        show_notes(panel.notes)
        if panel.chart is not None:
            show_chart(panel.chart)
        if panel.can_filter:
            unit_briefing_button(page_input(), panel.code, panel.title)
        st.button(
            "Filter alle pagina’s op dit gebied",
            key="kaart_filter",
            disabled=not panel.can_filter,
            on_click=lambda code=panel.code: st.session_state.update(eenheden=[code]),
        )
else:
    st.caption(model.click_hint)

if model.groups is not None:
    st.markdown("**Stedelijke doelgroepen**")
    st.caption("Stadsbreed, dus niet op de kaart, en niet opgeteld bij de gebieden.")
    show_table(model.groups)

st.subheader("De kaart als tabel")
show_table(colouring.table)
show_notes(model.captions)
view_bundle_button("Kaart", model, shown=model.shown_tables(colouring, panel),
                   counts=model.shown_counts(panel))
