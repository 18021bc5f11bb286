"""Over de data: definitions, the data contract (from the code), sources, the dataset's metadata and methods."""

import streamlit as st

from cohort.ui.filters import get_context
from cohort.ui.models import page_model
from cohort.ui.opendata import dataset_bundle_button
from cohort.ui.widgets import active_filters

context = get_context()
model = page_model("over")

st.title("Over de data")
active_filters(context.selection, context.dataset)
st.markdown(
    "Wat de cijfers in deze monitor betekenen, waar ze vandaan komen en hoe we rekenen. "
    "Alles hieronder wordt uit dezelfde code gehaald als de grafieken, zodat uitleg en cijfers niet uiteenlopen."
)

st.header("Deze dataset")
with st.container(border=True):
    for label, value in model.facts:
        left, right = st.columns([1, 3])
        left.markdown(f"**{label}**")
        right.text(value)  # text, not markdown: metadata comes from an uploaded workbook
if model.notes:
    st.markdown("**Toelichting bij de dataset** (blad `toelichting`)")
    with st.container(border=True):
        for key, value in model.notes:
            left, right = st.columns([1, 3])
            left.text(key)  # text, not markdown: keys and values come from an uploaded workbook
            right.text(value)

st.header("Begrippen")
for definition in model.definitions:
    st.markdown(f"**{definition.term}.** {definition.text}")

st.header("Kleine aantallen en privacy")
st.markdown("\n".join(f"- {point}" for point in model.privacy))

st.header("Het aanleverformaat")
st.markdown(model.contract_intro)
# st.table wraps long descriptions (st.dataframe cuts them off); the contract is our own text, so markdown is safe.
st.table(model.contract, hide_index=True)

st.header("Bronnen")
for source in model.sources:
    st.markdown(f"**{source.title}.** {source.text}")

st.header("Hoe we rekenen")
with st.container(border=True):
    st.markdown(model.methods)

st.header("Open data")
st.markdown(
    "De hele dataset zoals de Cohortmonitor hem voor kijkers publiceert, als CSV en Parquet met een "
    "`metadata.json` (definities, geheimhouding, methoden, licentie CC BY 4.0, Gemeente Amsterdam) en een leesmij. "
    "Elke pagina heeft ook een zip van wat ze toont."
)
dataset_bundle_button()
