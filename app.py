"""Cohortmonitor: the router. Page config, navigation, the shared filters, then the chosen page."""

import streamlit as st

from cohort.privacy.release import lattice_for
from cohort.ui.auth import auth_sidebar
from cohort.ui.data import current_dataset
from cohort.ui.filters import ViewContext, set_context, sidebar_filters
from cohort.ui.navigation import draw_navigation, navigation_footer, run_navigation
from cohort.ui.print_css import inject_print_css
from cohort.ui.privacy import page_rule
from cohort.ui.screen_css import inject_screen_css
from cohort.ui.settings import require_settings
from cohort.ui.share import finish_link, prepare_link, share_control
from cohort.ui.widgets import document_language, example_banner

st.set_page_config(page_title="Cohortmonitor Amsterdam", page_icon=":material/monitoring:", layout="wide")
require_settings()  # a bad COHORT_* variable: one Dutch message and a stop, before anything reads the settings

# The page files live in views/, not pages/: a folder called pages/ switches on Streamlit's legacy multipage mode
# until st.navigation has run once in the process, so the first deep link after a restart (a shared link) showed
# "Page not found" or ran a page without this router and its filters. The pages, their addresses (the links)
# and the page list in the sidebar are in cohort.ui.navigation.
nav = run_navigation()
page = nav.current
dataset, dataset_notice = current_dataset()
# The rule first: it decides the periods a viewer can choose (whole quarters; months only for an evaluator who
# switched the hiding of small numbers off), see cohort.privacy.lattice.
rule = page_rule()
lattice = lattice_for(dataset, rule)
# Before the widgets: bound widgets read the URL when they are created, so the link is checked first.
prepare_link(dataset, dataset_notice, lattice)
selection = sidebar_filters(dataset, lattice)
set_context(ViewContext(dataset, selection, rule))
# What a viewer waits for is the page's first chart, and the browser draws it only after it has loaded and
# rendered every kind of element that came before it in this run (issue 15, bench/results.md). So the page runs
# right after the filters it needs, and the rest of the frame (the page list, the banner, the login note, the
# scripts and stylesheets) is drawn after it, into places kept for it: on screen the order is unchanged.
banner = st.container()
auth = st.sidebar.container()


def draw_frame() -> None:
    with banner:
        example_banner(dataset)
    with auth:
        auth_sidebar()  # login/logout, or the "lokale modus" note
    draw_navigation(nav)
    document_language()
    inject_print_css()  # the browser's own Print gives a clean page: no sidebar, charts not cut
    inject_screen_css()  # long tile and widget labels wrap instead of ending in '…' (200% zoom)


try:
    page.run()
except Exception:  # a page that fails still gets its navigation (st.rerun/st.stop are no Exception: they pass)
    draw_frame()
    raise
draw_frame()
share_control(page, selection, dataset, lattice)
navigation_footer(nav)
finish_link()
