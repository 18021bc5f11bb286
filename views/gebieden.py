"""Uitrol per gebied: when each unit ran its cohort, and how each unit stands on the peildatum."""

import pandas as pd
import polars as pl
import streamlit as st

from cohort.charts.rollout import rollout_timeline_figure
from cohort.contract import STATUS_ORDER, Status, UnitKind
from cohort.exports import frame_to_csv_bytes, frame_to_xlsx_bytes
from cohort.fmt import fmt_date, fmt_int, fmt_month
from cohort.palette import STATUS_LABELS
from cohort.privacy import small_number_note_nl
from cohort.rollout import (
    HIDDEN_TEXTS,
    TABLE_COLUMNS,
    hidden_text,
    never_started,
    protect_unit_table,
    timeline_rows,
    unit_table_display,
    unit_table_download,
)
from cohort.selection import apply_selection
from cohort.ui.cached import unit_table_for
from cohort.ui.filters import get_context
from cohort.ui.privacy import page_rule, protected_complaints
from cohort.ui.widgets import active_filters, chart_data

context = get_context()
dataset, selection = context.dataset, context.selection
rule = context.rule
units, monthly = apply_selection(dataset, selection)
peildatum = selection.peildatum

st.title("Uitrol per gebied")
active_filters(selection, dataset)

rows = timeline_rows(units, peildatum, dataset.last_month)
status_of_areas = rows.filter(pl.col("soort") == UnitKind.AREA).get_column("status").value_counts()
found = dict(zip(status_of_areas.get_column("status"), status_of_areas.get_column("count"), strict=True))
summary = ", ".join(f"{fmt_int(found.get(s.value, 0))} {STATUS_LABELS[s].lower()}" for s in STATUS_ORDER
                    if s != Status.NEVER)
st.markdown(f"Op de peildatum **{fmt_date(peildatum)}**: {summary} (gebieden; doelgroepen staan apart).")

# --- Timeline ---------------------------------------------------------------------------------------------------
if rows.is_empty():
    st.info("Geen eenheden met een cohortperiode in deze selectie.")
else:
    title = "Cohortperiode per gebied en doelgroep"
    st.plotly_chart(rollout_timeline_figure(rows, peildatum=peildatum, title=title), config={"displaylogo": False})
    notes = ["Kleur = status op de peildatum."]
    open_ended = rows.filter(pl.col("open_einde"))
    if open_ended.height:
        notes.append(
            f"Gearceerd = nog geen einddatum ({', '.join(open_ended.get_column('naam').to_list())}): getekend tot "
            f"het eind van de data ({fmt_month(dataset.last_month)})."
        )
    never = never_started(units)
    if never.height:
        notes.append(f"Zonder cohortperiode: {', '.join(never.get_column('naam').to_list())}.")
    st.caption(" ".join(notes))
    chart_data(
        rows.drop("eind_getekend").with_columns(
            pl.col("status").replace_strict({s.value: STATUS_LABELS[s] for s in Status}).alias("status")),
        title=title, file_stem="uitrol_per_gebied",
        column_config={"open_einde": st.column_config.CheckboxColumn("Nog geen einddatum"),
                       "start": st.column_config.DateColumn("Start", format="DD-MM-YYYY"),
                       "eind": st.column_config.DateColumn("Eind", format="DD-MM-YYYY")},
    )

# --- Table ------------------------------------------------------------------------------------------------------
st.subheader("Per gebied en doelgroep")
protected_units = protected_complaints(dataset, selection, rule).filter(pl.col("tabel") == "gebied")
table = protect_unit_table(unit_table_for(dataset, selection), protected_units, rule)
st.caption(
    f"Gesprekken en klachten van {fmt_month(selection.first_month)} tot en met {fmt_month(selection.peildatum_month)}; "
    "uitstroom naar werk over de eigen cohortmaanden tot en met de peildatum (per 1.000 in de bijstand per maand); "
    "bijstand = personen in de bijstand in de peildatummaand. Klik op een kolomkop om te sorteren."
)
display = unit_table_display(table)
styler = display.to_pandas().style.format(na_rep="—").format(
    {name: column.formatter for name, column in TABLE_COLUMNS.items() if column.formatter}, na_rep="—"
)
for column in (c for c in HIDDEN_TEXTS if c in TABLE_COLUMNS):
    # A hidden cell is empty (null) in the data, so sorting cannot reveal it; only its sign is displayed.
    rows = [i for i, hidden in enumerate(table.get_column(f"{column}_verborgen").to_list()) if hidden]
    if rows:
        styler = styler.format(na_rep=hidden_text(column, rule), subset=pd.IndexSlice[rows, [column]])
st.dataframe(
    # Styler: Dutch display text (13.024; 2,30) while the values stay numbers, so a click on a header sorts
    # numerically; Streamlit's own number formats only know English separators.
    styler,
    hide_index=True,
    height="content",  # all units at once: 25 rows are a page, not a scroll box
    column_config={
        name: (st.column_config.DateColumn(column.label, format="DD-MM-YYYY", help=column.help)
               if column.kind == "date" else
               st.column_config.NumberColumn(column.label, help=column.help) if column.kind == "number" else
               st.column_config.TextColumn(column.label, help=column.help))
        for name, column in TABLE_COLUMNS.items()
    },
)
st.caption(small_number_note_nl(rule, with_totals=True))
download = unit_table_download(table, rule)
left, right = st.columns(2)
left.download_button("Download CSV", lambda: frame_to_csv_bytes(download), file_name="eenheden_op_peildatum.csv",
                     mime="text/csv", key="csv_eenheden", on_click="ignore")
right.download_button(
    "Download Excel",
    lambda: frame_to_xlsx_bytes(download, sheet_name="eenheden", title=f"Eenheden op {fmt_date(peildatum)}"),
    file_name="eenheden_op_peildatum.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="xlsx_eenheden",
    on_click="ignore",
)
