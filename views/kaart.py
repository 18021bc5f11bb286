"""Kaart: where the cohort approach is finished, where it runs, and where it works."""

import html

import polars as pl
import streamlit as st

from cohort.charts.area import area_timeseries_figure
from cohort.fmt import fmt_date, fmt_dec, fmt_int, fmt_month_short
from cohort.mapdata import (
    MAP_INDICATORS,
    area_series_table,
    area_totals,
    city_reference,
    division_for,
    indicator_values,
    map_indicator,
    protected_codes,
    target_group_values,
)
from cohort.mapdeck import build_map
from cohort.palette import STATUS_LABELS
from cohort.selection import apply_selection
from cohort.settings import load_settings
from cohort.ui.filters import get_context
from cohort.ui.maps import boundaries_for
from cohort.ui.privacy import page_rule, protected_complaints
from cohort.ui.widgets import active_filters, chart_data, dutch_table

SELECTED_PARAM = "gebied"  # the map selection has no widget of its own, so it lives in st.query_params

context = get_context()
dataset, selection = context.dataset, context.selection
units, monthly = apply_selection(dataset, selection)
settings = load_settings()

st.title("Kaart van de cohortaanpak")
active_filters(selection, dataset)

controls = st.columns([2, 2, 3])
indicator_key = controls[0].selectbox(
    "Kleur de kaart naar", list(MAP_INDICATORS), format_func=lambda k: MAP_INDICATORS[k].label, key="indicator",
    bind="query-params",
)
compare = controls[1].toggle(
    "Boven/onder stadsgemiddelde", key="kaart_vergelijk", bind="query-params",
    disabled=not MAP_INDICATORS[indicator_key].is_rate,
    help="Donkerder waar het verschil met het stadsgemiddelde groter is dan één standaardafwijking (zoals OIS doet).",
)
level = "stadsdeel" if selection.level == "stadsdeel" else "gebied"
if selection.level == "stad":
    controls[2].caption("Niveau ‘hele stad’ heeft geen kaart; de kaart toont de gebieden.")

division = division_for(units, level)
if division is None:
    st.error(
        "De codes van de gebieden in deze dataset horen niet bij een bekende gebiedsindeling "
        "(DX01–DX22, GA01–GS25 of stadsdelen). De cijfers staan in de tabel hieronder."
    )
totals = area_totals(units, monthly, selection.peildatum, level)
rule = context.rule
hidden = (
    protected_codes(protected_complaints(dataset, selection, rule), level)
    if indicator_key == "klachten" and rule.enabled else frozenset()
)
values = indicator_values(totals, indicator_key, rule.threshold if rule.enabled else 1, hidden)

selected_code = st.query_params.get(SELECTED_PARAM)
if selected_code not in set(values.get_column("code").to_list()):
    selected_code = None


def remember_selection() -> None:
    """Clicking an area puts it in the URL, so a shared link shows the same selection."""
    objects = st.session_state["kaart"].selection.get("objects", {}).get("gebieden", [])
    if objects:
        properties = objects[0].get("properties", objects[0])
        st.query_params[SELECTED_PARAM] = html.unescape(str(properties.get("code", "")))
    elif SELECTED_PARAM in st.query_params:
        del st.query_params[SELECTED_PARAM]


if division is not None:
    boundaries = boundaries_for(division)
    view = build_map(
        boundaries, values, map_indicator(indicator_key, totals, compare_to_city=compare), selected_code=selected_code
    )
    st.caption(f"Indeling: {division.label_nl}.")
    if not boundaries.is_official:
        st.info(boundaries.note_nl or "Officiële gebiedsgrenzen zijn niet beschikbaar; schematische kaart.")
    map_column, legend_column = st.columns([3, 1])
    with map_column:
        st.pydeck_chart(
            view.deck, on_select=remember_selection, selection_mode="single-object", key="kaart", height=560,
            alt=f"Kaart van Amsterdam per {level}, gekleurd naar {MAP_INDICATORS[indicator_key].label.lower()}. "
            "Dezelfde cijfers staan in de tabel onder de kaart.",
        )
    with legend_column:
        st.markdown(f"**{view.legend_title}**")
        for item in view.legend:
            st.markdown(
                f'<span style="color:{item.colour_hex};font-size:1.3em" aria-hidden="true">■</span> '
                f"{html.escape(item.label)}",
                unsafe_allow_html=True,
            )
        for note in view.notes_nl:
            if note != boundaries.note_nl:  # already shown above the map
                st.caption(note)
    table = view.table
else:
    table = values.select("code", "naam", "stadsdeel", "status", "value_text")

st.markdown("**Stedelijke doelgroepen**")
st.caption("Stadsbreed, dus niet op de kaart, en niet opgeteld bij de gebieden.")
groups_table, groups_config = dutch_table(
    target_group_values(units, monthly, selection.peildatum, rule),
    {"naam": "Doelgroep", "status": "Status", "gesprekken": "Gesprekken", "klachten": "Klachten",
     "werk_per_1000": "Uitstroom naar werk per 1.000 per maand"},
)
st.dataframe(groups_table, hide_index=True, column_config=groups_config)

if selected_code is not None:
    row = totals.filter(pl.col("code") == selected_code).row(0, named=True)
    shown = values.filter(pl.col("code") == selected_code).row(0, named=True)
    with st.container(border=True):
        st.subheader(f"{row['naam']} ({row['stadsdeel']})")
        cols = st.columns(4)
        cols[0].metric("Status", STATUS_LABELS.get(row["status"], row["status"]))
        period = f"{fmt_month_short(row['start'])} – {fmt_month_short(row['eind'])}" if row["start"] else "—"
        cols[1].metric("Cohortperiode", period)
        cols[2].metric("Gesprekken", fmt_int(row["gesprekken"]))
        if indicator_key == "status":
            cols[3].metric("Personen in de bijstand", fmt_int(row["bijstand"]))
        else:
            cols[3].metric(MAP_INDICATORS[indicator_key].label, shown["value_text"] or "—")
        if level == "gebied":
            area_rows = monthly.filter(pl.col("code") == selected_code)
            figure = area_timeseries_figure(area_rows, name=row["naam"], start=row["start"], eind=row["eind"])
            st.plotly_chart(figure, config={"displaylogo": False})
            chart_data(area_series_table(area_rows, rule), title=f"{row['naam']}: uitstroom naar werk per maand",
                       file_stem=f"verloop_{selected_code}")
        st.button(
            "Filter alle pagina’s op dit gebied",
            key="kaart_filter",
            disabled=level != "gebied",
            on_click=lambda code=selected_code: st.session_state.update(eenheden=[code]),
        )
else:
    st.caption("Klik op een gebied voor de cijfers en het verloop per maand.")

st.subheader("De kaart als tabel")
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "code": "Code", "naam": "Naam", "stadsdeel": "Stadsdeel", "status": "Status",
        "value_text": MAP_INDICATORS[indicator_key].label, "klasse": "Klasse",
    },
)
st.caption(
    f"Personen in de bijstand op de peildatum ({fmt_date(selection.peildatum)}); gesprekken, klachten en "
    f"uitstroom opgeteld over de gekozen periode. Uitstroom naar werk in de getoonde gebieden samen: "
    f"{fmt_dec(city_reference(totals, 'uitstroom_werk'))} per 1.000 per maand."
)
