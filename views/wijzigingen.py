"""Wat is er veranderd: the shown version of the dataset against the version it replaces (issue 18).

Everything on this page is in the model (`cohort.analysis.changes.changes_between`, through `cohort.ui.versions`):
every count comes from the release of its own version, and a difference of a hidden count is hidden.
"""

import streamlit as st

from cohort.plaintext import markdown_literal
from cohort.ui.models import show_table, show_tiles
from cohort.ui.versions import changes_page, version_notices

page = changes_page()

st.title("Wat is er veranderd")
st.caption(f"Dataset: {markdown_literal(page.heading)}. "
           "De filters in de zijbalk gelden niet voor deze pagina: de vergelijking gaat over alle eenheden.")
version_notices()

if page.model is None:
    st.info(markdown_literal(page.notice or ""), icon=":material/info:")
else:
    model = page.model
    st.markdown(f"**{markdown_literal(model.summary)}**")
    show_tiles(model.tiles)

    st.subheader("Maanden en eenheden")
    for label, text in model.facts:
        st.markdown(f"**{label}:** {markdown_literal(text)}")

    st.subheader("Per indicator en eenheid")
    st.caption("Vorige versie, deze versie en het verschil, over de maanden die beide versies hebben (in hele "
               "perioden; klachten per half jaar). Personen in de bijstand: de stand aan het eind van de laatste "
               "gemeenschappelijke maand.")
    choice = st.radio("Tonen", ("Alleen wat veranderde", "Alle vergeleken aantallen"), horizontal=True,
                      key="wijzigingen_tonen")
    show_table(model.table if choice == "Alle vergeleken aantallen" else model.changed, height="content")
