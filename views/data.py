"""Data: evaluators download the template, upload a workbook, read the check, publish and manage datasets.

Viewers (logged out, or logged in but not on the evaluators' list) get an explanation and the published list.
"""

import streamlit as st

from cohort.plaintext import markdown_literal
from cohort.settings import load_settings
from cohort.store import StoreError
from cohort.ui.auth import audit_log_section, is_evaluator, local_mode_banner, viewer_explanation
from cohort.ui.data import dataset_store
from cohort.ui.filters import get_context
from cohort.ui.publish import published_section, template_downloads, upload_section
from cohort.ui.versions import dataset_status_suffix
from cohort.workbook.upload import upload_limit_note

context = get_context()

st.title("Data uploaden en publiceren")
st.caption(f"Voor evaluatoren. Viewers zien nu: {markdown_literal(context.dataset.meta.name)}"
           f"{markdown_literal(dataset_status_suffix())}. De filters in de zijbalk gelden niet voor deze pagina.")

# No st.stop() for viewers: the router still draws the share control after the page.
if not is_evaluator():
    viewer_explanation()
    st.subheader("Gepubliceerde datasets")
    published_section()
else:
    local_mode_banner()

    st.subheader("1. Sjabloon en voorbeeld")
    template_downloads()

    st.subheader("2. Bestand uploaden en controleren")
    st.caption(upload_limit_note(load_settings().max_upload_mb))
    upload_section()

    st.subheader("3. Gepubliceerde datasets")
    published_section()

    st.subheader("4. Logboek")
    try:
        audit_log_section(dataset_store())
    except StoreError as exc:
        st.error(f"Het logboek kan niet worden gelezen. {exc}", icon=":material/error:")
