"""Uitstroom naar werk: did outflow to work rise because of the cohort approach? (Lays out `pagemodels.outflow`.)"""

import streamlit as st

from cohort.pagemodels.opendata import tables_of
from cohort.plaintext import markdown_literal
from cohort.ui.models import outflow_measures_chart, page_model, show_chart, show_notice, show_table, show_tiles
from cohort.ui.opendata import view_bundle_button

model = page_model("uitstroom")

# The first chart (the series per period) is what a viewer waits for, on opening the page and after a change of
# filter: it is drawn first, into its place below the head, so the browser gets it before the tiles and the
# explanation (issue 15). On screen the order is unchanged.
head = st.container()


# A choice between two charts the model already holds changes nothing else on the page (and is not part of the
# link): as a fragment, it reruns and redraws only its own chart, not the page and the sidebar (issue 15).
@st.fragment
def series_section() -> None:
    measure = st.radio(
        "Maat", list(model.series), format_func={"werk": "Uitstroom naar werk", "uitstroom": "Alle uitstroom"}.get,
        horizontal=True, key="uitstroom_maat",
        help="Alle uitstroom telt ook beëindigingen om andere redenen (verhuizing, partner, pensioen, maatregel).",
    )
    show_chart(model.series[measure or "werk"])


@st.fragment
def event_section() -> None:
    view = st.radio(
        "Toon", ["rate", "diff"],
        format_func={"rate": "Uitstroom naar werk", "diff": "Verschil met gebieden zonder lopend cohort"}.get,
        horizontal=True, key="rond_start_maat",
    )
    show_chart(model.event_diff if view == "diff" else model.event_rate)


# --- Series per period ------------------------------------------------------------------------------------------
st.subheader(f"Uitstroom per {model.period_word}")
show_notice(model.series_notice)
if model.series:
    series_section()

with head:
    st.title("Uitstroom naar werk")
    st.caption(markdown_literal(model.header))  # the dataset's name: plain text
    st.markdown(
        "**Is de uitstroom naar werk gestegen dóór de cohortaanpak?** De raadsbrief van 6 juli 2021 noemt de "
        "uitstroom in cohortgebieden ‘dubbel zo hoog’. Hieronder staat die ruwe vergelijking naast een eerlijkere "
        "schatting, die rekening houdt met de vraag welke gebieden eerst begonnen."
    )

    # --- The two estimates ------------------------------------------------------------------------------------------
    st.subheader("Twee schattingen naast elkaar")
    left, right = st.columns(2)
    with left:
        st.markdown("**(a) Ruwe vergelijking** — de basis van ‘dubbel zo hoog’")
        show_notice(model.raw_notice)
        show_tiles(model.raw_tiles, columns=1)
        if model.window_caption:
            st.caption(model.window_caption)
    with right:
        st.markdown("**(b) Eerlijkere vergelijking** — verschil-in-verschillen, alle gebieden")
        show_notice(model.did_notice)
        show_tiles(model.did_tiles, columns=1)
        if model.did_caption:
            st.caption(model.did_caption)
    if model.sentence:
        st.markdown(f"**{model.sentence}**")
    with st.expander("Wat is het verschil tussen deze twee?"):
        st.markdown(
            "- De **ruwe vergelijking** zet alle maanden waarin een gebied in het cohort zat naast alle maanden "
            "van gebieden die nog niet of nooit meededen. Als de eerste gebieden al hogere uitstroom hadden, of "
            "als de uitstroom in de hele stad steeg (de cohortmaanden liggen later), lijkt het cohort beter dan "
            "het is.\n"
            "- De **verschil-in-verschillen** kijkt per gebied naar de *verandering* ten opzichte van de drie "
            "maanden vóór de eigen start, en trekt daar de verandering af die gebieden zonder lopend cohort in "
            "dezelfde maanden doormaakten. Wat overblijft is de extra uitstroom die bij het cohort hoort.\n"
            "- Ook die schatting is geen bewijs: als gebieden om een reden werden gekozen die zelf de "
            "uitstroom verandert, of als uitnodigingen al vóór de start begonnen, klopt ze niet. De grafiek "
            "‘Rond de start’ hieronder laat zien of de lijn vóór de start vlak is.\n"
            "- Waarom (b) altijd over alle gebieden gaat: een schatting over een paar gekozen gebieden zou, naast "
            "andere cijfers, iets over kleine aantallen kunnen verraden (zie Over de data, privacy)."
        )
        if model.did_method:
            st.caption(model.did_method)
    st.page_link("views/over.py", label="Over de data: definities en methode", icon=":material/info:")

# --- Event time -------------------------------------------------------------------------------------------------
st.subheader("Rond de start van het cohort")
show_notice(model.event_notice)
if model.event_rate is not None and model.event_diff is not None:
    event_section()

# --- Per unit and per stadsdeel ---------------------------------------------------------------------------------
st.subheader("Per gebied en stadsdeel")
show_notice(model.ranking_notice)
if model.ranking is not None:
    show_chart(model.ranking)
if model.by_level is not None:
    show_chart(model.by_level)

# --- Side effects and support measures --------------------------------------------------------------------------
measures = None  # the course per period, built only when the toggle asks for it
if model.measures_summary is not None or model.measures_periods:
    st.subheader("Neveneffecten en ondersteuning")
    st.markdown(
        "Herinstroom (binnen 12 maanden terug in de bijstand) en maatregelen (kortingen op de uitkering) kunnen "
        "laten zien of de aanpak ook schade deed; ze staan hier met hetzelfde gewicht als de ondersteuning. "
        "Ontheffingen zijn een **stand** (personen met een ontheffing aan het eind van de maand); de andere "
        "maten zijn **stromen** (aantal in de maand). Deze cijfers zijn er alleen voor alle gebieden samen."
    )
    if model.measures_summary is not None:
        show_table(model.measures_summary)
    # Gated: the small multiples (one panel per measure) are long; most readers want the summary only.
    if model.measures_periods and st.toggle(f"Verloop per {model.period_word} tonen", key="maatregelen_per_maand",
                                            bind="query-params"):
        measures = outflow_measures_chart()
        if measures.chart is not None:
            show_chart(measures.chart)

if measures is not None and measures.chart is not None and measures.chart.table is not None:
    view_bundle_button("Uitstroom", model, shown=[*tables_of(model), measures.chart.table],
                       counts=[*model.released, *measures.released])
else:
    view_bundle_button("Uitstroom", model)
