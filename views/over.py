"""Over de data: definitions, the data contract (from the code), sources, the dataset's metadata and methods."""

import streamlit as st

from cohort.contract import SHEET_MONTHLY, SHEET_UNITS
from cohort.docs_text import (
    DEFINITIONS,
    SOURCES,
    contract_table,
    dataset_facts,
    methods_markdown,
    notes_sheet_text,
    notes_table,
)
from cohort.settings import load_settings
from cohort.ui.filters import get_context
from cohort.ui.widgets import active_filters

context = get_context()
dataset, selection = context.dataset, context.selection
threshold = load_settings().small_number_threshold

st.title("Over de data")
active_filters(selection, dataset)
st.markdown(
    "Wat de cijfers in deze monitor betekenen, waar ze vandaan komen en hoe we rekenen. "
    "Alles hieronder wordt uit dezelfde code gehaald als de grafieken, zodat uitleg en cijfers niet uiteenlopen."
)

st.header("Deze dataset")
facts = dataset_facts(dataset)
with st.container(border=True):
    for label, value in facts:
        left, right = st.columns([1, 3])
        left.markdown(f"**{label}**")
        right.text(value)  # text, not markdown: metadata comes from an uploaded workbook
notes = notes_table(dataset)
if notes.height:
    st.markdown("**Toelichting bij de dataset** (blad `toelichting`)")
    with st.container(border=True):
        for key, value in notes.iter_rows():
            left, right = st.columns([1, 3])
            left.text(key)  # text, not markdown: keys and values come from an uploaded workbook
            right.text(value)

st.header("Begrippen")
for definition in DEFINITIONS:
    st.markdown(f"**{definition.term}.** {definition.text}")

st.header("Kleine aantallen")
st.markdown(
    f"- Aantallen van 1 tot en met {threshold - 1} tonen we in tabellen, downloads en bij het aanwijzen in "
    f"grafieken als ‘<{threshold}’ (privacy, AVG); een 0 tonen we wel. Cijfers en intervallen die op zo’n "
    "verborgen aantal rusten, laten we daar ook weg.\n"
    "- Berekeningen (intervallen, trechter, verschil-in-verschillen) gebruiken de echte aantallen.\n"
    "- Ook los van privacy zijn kleine aantallen onbetrouwbaar: bij 3 gebeurtenissen loopt het 95%-interval van "
    "0,6 tot 8,8. Kijk dan naar langere periodes of naar het stadsdeel."
)

st.header("Het aanleverformaat")
st.markdown(
    f"Een Excelbestand met de bladen `{SHEET_UNITS}` (één rij per gebied of doelgroep) en `{SHEET_MONTHLY}` "
    f"(één rij per eenheid per maand). {notes_sheet_text()}"
)
# st.table wraps long descriptions (st.dataframe cuts them off); the contract is our own text, so markdown is safe.
st.table(
    contract_table().rename({"blad": "Blad", "kolom": "Kolom", "type": "Type", "verplicht": "Verplicht",
                             "label": "Naam in de monitor", "omschrijving": "Omschrijving"}),
    hide_index=True,
)

st.header("Bronnen")
for source in SOURCES:
    st.markdown(f"**{source.title}.** {source.text}")

st.header("Hoe we rekenen")
with st.container(border=True):
    st.markdown(methods_markdown())
