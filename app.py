"""Cohortmonitor: the router. Page config, navigation, the shared filters, then the chosen page."""

import streamlit as st

from cohort.ui.data import current_dataset
from cohort.ui.filters import ViewContext, set_context, sidebar_filters
from cohort.ui.widgets import example_banner

st.set_page_config(page_title="Cohortmonitor Amsterdam", page_icon=":material/monitoring:", layout="wide")

# Page files end in `_pagina` and every page has an explicit url_path that differs from its file stem. Why: with a
# folder called `pages/`, Streamlit's legacy (v1) multipage mode is active until st.navigation runs, and v1 would
# run a page file directly (skipping this router and its filters) when a URL matches a file stem: on the first
# request after a restart, for example a shared link.
pages = {
    "Cohortaanpak": [
        st.Page("pages/overzicht_pagina.py", title="Overzicht", icon=":material/dashboard:", url_path="overzicht",
                default=True),
    ],
}
page = st.navigation(pages)
dataset = current_dataset()
set_context(ViewContext(dataset, sidebar_filters(dataset)))
example_banner(dataset)
page.run()
