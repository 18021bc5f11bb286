"""Cohortmonitor: the router. Page config, navigation, the shared filters, then the chosen page."""

import streamlit as st

from cohort.release import lattice_for
from cohort.ui.auth import auth_sidebar
from cohort.ui.data import current_dataset
from cohort.ui.filters import ViewContext, set_context, sidebar_filters
from cohort.ui.privacy import page_rule
from cohort.ui.share import finish_link, prepare_link, share_control
from cohort.ui.widgets import document_language, example_banner

st.set_page_config(page_title="Cohortmonitor Amsterdam", page_icon=":material/monitoring:", layout="wide")

# The page files live in views/, not pages/: a folder called pages/ switches on Streamlit's legacy multipage mode
# until st.navigation has run once in the process, so the first deep link after a restart (a shared link) showed
# "Page not found" or ran a page without this router and its filters. url_paths are explicit: they are the links.
pages = {
    "Cohortaanpak": [
        st.Page("views/overzicht.py", title="Overzicht", icon=":material/dashboard:", url_path="overzicht",
                default=True),
        st.Page("views/kaart.py", title="Kaart", icon=":material/map:", url_path="kaart"),
        st.Page("views/uitstroom.py", title="Uitstroom naar werk", icon=":material/work:", url_path="uitstroom"),
        st.Page("views/gebieden.py", title="Uitrol per gebied", icon=":material/view_timeline:",
                url_path="gebieden"),
        st.Page("views/klachten.py", title="Klachten en bejegening", icon=":material/feedback:",
                url_path="klachten"),
        st.Page("views/over.py", title="Over de data", icon=":material/info:", url_path="over"),
    ],
    "Evaluatoren": [st.Page("views/data.py", title="Data", icon=":material/upload_file:", url_path="data")],
}
page = st.navigation(pages)
dataset, dataset_notice = current_dataset()
# The rule first: it decides the periods a viewer can choose (whole quarters; months only for an evaluator who
# switched the hiding of small numbers off), see cohort.lattice.
rule = page_rule()
lattice = lattice_for(dataset, rule)
# Before the widgets: bound widgets read the URL when they are created, so the link is checked first.
prepare_link(dataset, dataset_notice, lattice)
selection = sidebar_filters(dataset, lattice)
set_context(ViewContext(dataset, selection, rule))
document_language()
example_banner(dataset)
auth_sidebar()  # login/logout, or the "lokale modus" note; before the page, which may stop early
page.run()
share_control(page, selection, dataset, lattice)
finish_link()
