"""Toegankelijkheidsverklaring: the accessibility statement (model of digitoegankelijk.nl), laid out from
cohort.pagemodels.accessibility, which the browser suite compares with what it checked."""

import streamlit as st

from cohort.fmt import fmt_date
from cohort.pagemodels.accessibility import STATEMENT
from cohort.ui.navigation import ALL_PAGES

st.title("Toegankelijkheidsverklaring")
st.markdown(
    "De gemeente Amsterdam wil dat iedereen de Cohortmonitor kan gebruiken, ook wie slecht ziet, geen muis "
    "gebruikt of een schermlezer heeft. Deze verklaring geldt voor de Cohortmonitor: alle pagina’s van dit "
    f"dashboard. Zij is opgesteld op {fmt_date(STATEMENT.drawn_up)}."
)

st.header("Status")
st.markdown(f"**{STATEMENT.status} – {STATEMENT.status_label}.** {STATEMENT.status_reason}")
st.markdown(f"**Norm:** {STATEMENT.norm}")

st.header("Wat we hebben getoetst, en hoe")
st.markdown(
    f"Bij elke wijziging toetst een reeks automatische tests de Cohortmonitor in de browser Chromium, met de "
    f"voorbeelddata. De toetsen met axe-core (versie {STATEMENT.axe_version}) draaien op alle pagina’s: "
    + ", ".join(spec.title for spec in ALL_PAGES)
    + ". Wat zij nagaan:"
)
for check in STATEMENT.checks:
    scope = " Op alle pagina’s." if check.every_page else ""
    st.markdown(
        f"- **{check.what}**{scope}  \n{check.how} WCAG-succescriteria: {', '.join(check.criteria)}."
    )

st.header("Wat nog niet goed werkt")
for limitation in STATEMENT.limitations:
    st.subheader(limitation.what)
    st.markdown(
        f"- **Oorzaak:** {limitation.cause}\n"
        f"- **Gevolg:** {limitation.consequence}\n"
        f"- **Alternatief en maatregel:** {limitation.measure}\n"
        f"- **WCAG-succescriteria:** {', '.join(limitation.criteria)}"
    )

st.header("Contact")
st.markdown(STATEMENT.contact)
st.markdown(STATEMENT.complaints)
