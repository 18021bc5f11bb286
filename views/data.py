"""Data: evaluators download the template, upload a workbook, read the check, publish and manage datasets."""

import streamlit as st

from cohort.ui.filters import get_context
from cohort.ui.publish import md_literal, published_section, template_downloads, upload_section

context = get_context()

st.title("Data uploaden en publiceren")
st.caption(f"Voor evaluatoren. Viewers zien nu: {md_literal(context.dataset.meta.name)}. "
           "De filters in de zijbalk gelden niet voor deze pagina.")

st.subheader("1. Sjabloon en voorbeeld")
template_downloads()

st.subheader("2. Bestand uploaden en controleren")
upload_section()

st.subheader("3. Gepubliceerde datasets")
published_section()
