"""Overzicht: the state of the programme in one minute."""

import polars as pl
import streamlit as st

from cohort.charts.outflow import outflow_by_group_figure
from cohort.complaints import headline_count_text
from cohort.contract import Status
from cohort.fmt import fmt_dec, fmt_int, fmt_interval, fmt_month, fmt_ratio
from cohort.metrics import monthly_outflow_by_group, with_phase
from cohort.overview import compute_headline, letter_claims, letter_headline
from cohort.privacy import small_number_note_nl
from cohort.selection import LETTER_PEILDATUM, apply_selection
from cohort.ui.filters import get_context
from cohort.ui.privacy import page_rule, protected_complaints
from cohort.ui.widgets import active_filters, chart_data, tile

context = get_context()
dataset, selection = context.dataset, context.selection
units, monthly = apply_selection(dataset, selection)
rule = context.rule
headline = compute_headline(units, monthly, selection.peildatum, selection.first_month)
# The same protected counts as the Klachten and Gebieden pages: the city total and the target groups' total are
# totals of the complaints per unit shown there (see cohort.privacy, "linked totals").
protected = protected_complaints(dataset, selection, rule)
city = protected.filter(pl.col("tabel") == "stad")
groups_row = protected.filter(pl.col("tabel") == "doelgroepen")
city_hidden = bool(city.get_column("klachten_verborgen")[0])
group_complaints = groups_row.get_column("klachten_tekst")[0] if groups_row.height else "0"

st.title("Cohortaanpak: stand van zaken")
active_filters(selection, dataset)
start, end = headline.period
st.markdown(
    f"Situatie op **{fmt_month(headline.peildatum)}**. Gesprekken, klachten en uitstroom geteld over "
    f"{fmt_month(start)} tot en met {fmt_month(end)}, alleen gebieden (doelgroepen staan apart)."
)

status = headline.area_status
total_areas = sum(status.values())
cols = st.columns(4)
tile(cols[0], "Gebieden afgerond", fmt_int(status[Status.FINISHED]),
     f"Van {fmt_int(total_areas)} gebieden; cohortperiode geëindigd op of voor de peildatum.")
tile(cols[1], "Gebieden actief", fmt_int(status[Status.ACTIVE]), "Cohortperiode loopt op de peildatum.")
tile(cols[2], "Gebieden gepland", fmt_int(status[Status.PLANNED]), "Start na de peildatum.")
tile(cols[3], "Stedelijke doelgroepen", fmt_int(headline.target_groups),
     f"{fmt_int(headline.group_conversations)} gesprekken, {group_complaints} klachten; "
     "niet opgeteld bij de gebieden.")

rate = headline.complaint_rate
outflow = headline.outflow
cols = st.columns(4)
tile(cols[0], "Gesprekken", fmt_int(headline.conversations), "Gevoerde cohortgesprekken in de gebieden.")
tile(cols[1], "Klachten", rule.hidden_text if rule.hides(headline.complaints) else headline_count_text(city, rule),
     "Klachten over bejegening, bereikbaarheid, koers en overig.")
tile(cols[2], "Klachten per 1.000 gesprekken", city.get_column("per_1000_tekst")[0],
     small_number_note_nl(rule) if city_hidden else
     f"95%-interval {fmt_interval(rate.lower, rate.upper, 2)} (exacte Poisson).")
tile(cols[3], "Uitstroomfactor werk",
     fmt_ratio(outflow.ratio) if outflow else "—",
     (f"Uitstroom naar werk waar het cohort loopt gedeeld door elders: {fmt_dec(outflow.rate_a)} vs "
      f"{fmt_dec(outflow.rate_b)} per 1.000 per maand; 95%-interval {fmt_interval(outflow.lower, outflow.upper)}. "
      "Ruwe vergelijking, zie Uitstroom.") if outflow
     else "Niet te berekenen in deze selectie.")

groups = monthly_outflow_by_group(with_phase(monthly, units))
if groups.height:
    chart_title = "Uitstroom naar werk per maand: cohortgebieden en vergelijking"
    st.plotly_chart(outflow_by_group_figure(groups, title=chart_title), config={"displaylogo": False})
    chart_data(groups, title=chart_title, file_stem="uitstroom_cohort_en_vergelijking",
               column_config={"werk_per_1000": st.column_config.NumberColumn("Werk per 1.000", format="%.1f"),
                              "uitstroom_per_1000": st.column_config.NumberColumn("Uitstroom per 1.000",
                                                                                    format="%.1f")})
    st.caption(
        "Een gebied telt als ‘cohort loopt’ in de maanden van zijn cohortperiode; ‘vergelijking’ zijn gebieden "
        "die nog niet gestart zijn of nooit meedoen. Afgeronde gebieden tellen na hun einddatum in geen van beide."
    )

st.header("Raadsbrief 6 juli 2021 naast de data")
letter = letter_headline(dataset)
st.caption(f"Alle gebieden, peildatum {fmt_month(LETTER_PEILDATUM)}, ongeacht de filters hierboven.")
for claim in letter_claims(letter):
    with st.container(border=True):
        left, right = st.columns([2, 3])
        left.markdown(f"*{claim.claim}*")
        right.markdown(f"**Data:** {claim.data}")
        right.caption(claim.note)
