"""Klachten en bejegening: complaints beside the success numbers, per period and per unit, honestly read."""

import polars as pl
import streamlit as st

from cohort.charts.complaints import categories_figure, funnel_figure, rate_by_period_figure
from cohort.complaints import (
    FUNNEL_CLASSES,
    GRAINS,
    categories_long,
    city_rate,
    complaint_window,
    complaints_by_level,
    complaints_by_period,
    conspicuously_high,
    display_counts,
    funnel_lines,
    small_counts,
    with_funnel_class,
)
from cohort.contract import COMPLAINT_COLUMNS, COMPLAINT_LABELS, UnitKind
from cohort.fmt import fmt_dec, fmt_int, fmt_interval, fmt_month
from cohort.metrics import with_phase
from cohort.selection import LEVELS, apply_selection
from cohort.settings import load_settings
from cohort.ui.filters import get_context
from cohort.ui.widgets import active_filters, chart_data, tile

context = get_context()
dataset, selection = context.dataset, context.selection
threshold = load_settings().small_number_threshold
units, monthly = apply_selection(dataset, selection)
first, last = complaint_window(selection)
phased = with_phase(monthly, units).filter(pl.col("maand").is_between(first, last))
rate = city_rate(phased)
areas = phased.filter(pl.col("soort") == UnitKind.AREA)
groups = phased.filter(pl.col("soort") == UnitKind.TARGET_GROUP)

st.title("Klachten en bejegening")
active_filters(selection, dataset)
st.markdown(
    f"Hoe ervaren mensen de aanpak? Klachten horen naast de uitstroomcijfers. Geteld van **{fmt_month(first)}** "
    f"tot en met **{fmt_month(last)}** (tot de peildatum), gebieden; stedelijke doelgroepen staan apart."
)
st.info(
    "**Een laag klachtencijfer bewijst geen goede bejegening.** Klachten zijn een ondergrens van ontevredenheid: "
    "wie zich onder druk gezet voelt, dient vaak geen klacht in, uit angst voor gevolgen voor de uitkering of "
    "omdat de drempel hoog is. Het Zwartboek van de Bijstandsbond verzamelt ervaringen van mensen die zich onder "
    "druk gezet voelden; zulke ervaringen hoeven niet in de klachtcijfers terug te komen. Lees deze cijfers "
    "daarom als het minimum van wat er misging.",
    icon=":material/info:",
)

cols = st.columns(4)
tile(cols[0], "Gesprekken", fmt_int(rate.exposure), "Gevoerde cohortgesprekken in de gebieden.")
tile(cols[1], "Klachten", fmt_int(rate.events), "Klachten over bejegening, bereikbaarheid, koers en overig.")
tile(cols[2], "Klachten per 1.000 gesprekken", fmt_dec(rate.rate, 2),
     f"95%-interval {fmt_interval(rate.lower, rate.upper, 2)} (exacte Poisson).")
treatment = int(areas.get_column("klachten_bejegening").sum())
tile(cols[3], "Waarvan over bejegening", fmt_int(treatment),
     f"Stedelijke doelgroepen apart: {fmt_int(groups.get_column('klachten').sum())} klachten op "
     f"{fmt_int(groups.get_column('gesprekken').sum())} gesprekken.")

# --- Over time ---------------------------------------------------------------------------------------------------
st.subheader("Klachten door de tijd")
grain = st.radio(
    "Periode per punt", list(GRAINS), format_func=GRAINS.__getitem__, key="klachten_periode", horizontal=True,
    help="Per maand zijn de meeste aantallen 0; per kwartaal of langer wordt het patroon zichtbaar.",
)
periods = complaints_by_period(phased, grain or "kwartaal")
periods_shown = periods.filter(pl.col("gesprekken") > 0)
if periods_shown.height == 0:
    st.info("Geen gesprekken in deze selectie.")
else:
    title = f"Klachten per 1.000 gesprekken per {GRAINS[grain or 'kwartaal'].lower()}, gebieden"
    st.plotly_chart(rate_by_period_figure(periods_shown, title=title, overall_rate=rate.rate, threshold=threshold),
                    config={"displaylogo": False})
    st.caption(
        "De stip is het cijfer, de streep het 95%-interval: bij zo weinig klachten is dat breed. De stippellijn is "
        "het cijfer over de hele periode. Een streep met ‘↑ tot …’ is bovenaan afgesneden en loopt tot dat getal. "
        "Een eerste of laatste periode kan maar deels meetellen (zie ‘maanden’ in de tabel)."
    )
    labels = periods_shown.get_column("periode_label").to_list()
    cat_title = f"Klachten per soort, per {GRAINS[grain or 'kwartaal'].lower()}, gebieden"
    st.plotly_chart(
        categories_figure(categories_long(periods_shown, "periode_label"), by="periode_label", title=cat_title,
                          axis_title="Periode", order=labels, threshold=threshold),
        config={"displaylogo": False},
    )
    rate_cols = ("per_1000", "ondergrens", "bovengrens")
    chart_data(
        display_counts(periods_shown.drop("periode"), ["klachten", *COMPLAINT_COLUMNS], threshold, rate_cols),
        title=f"{title} en per soort", file_stem=f"klachten_per_{grain}",
        column_config={
            "periode_label": "Periode", "maanden": "Maanden", "gesprekken": "Gesprekken", "klachten": "Klachten",
            **{c: COMPLAINT_LABELS[c] for c in COMPLAINT_COLUMNS},
            "per_1000": st.column_config.NumberColumn("Per 1.000 gesprekken", format="%.2f"),
            "ondergrens": st.column_config.NumberColumn("95%-interval onder", format="%.2f"),
            "bovengrens": st.column_config.NumberColumn("95%-interval boven", format="%.2f"),
        },
    )

# --- Per unit ----------------------------------------------------------------------------------------------------
level = selection.level
noun = {"gebied": "gebied", "stadsdeel": "stadsdeel", "stad": "stad"}[level]
st.subheader(f"Klachten per {LEVELS[level].lower()}")
totals = complaints_by_level(phased, level)
with_talks = totals.filter(pl.col("gesprekken") > 0)
if level == "stad":
    st.info("Kies in de zijbalk het niveau Gebied of Stadsdeel om gebieden met elkaar te vergelijken.")
elif with_talks.height == 0 or not rate.rate:
    st.info("Geen klachten of gesprekken in deze selectie: er is geen trechter te tekenen.")
else:
    funnel = with_funnel_class(with_talks, rate.rate)
    lines = funnel_lines(rate.rate, funnel.get_column("gesprekken").min(), funnel.get_column("gesprekken").max())
    funnel_title = f"Trechterplot: klachten per 1.000 gesprekken per {noun}"
    st.plotly_chart(
        funnel_figure(funnel, lines, title=funnel_title, overall_rate=rate.rate, unit_noun=noun, threshold=threshold),
        config={"displaylogo": False},
    )
    st.caption(
        f"Zo lees je de trechter: elk punt is een {noun}, links weinig gesprekken, rechts veel. De doorgetrokken "
        f"lijn is het gemiddelde van de gebieden ({fmt_dec(rate.rate, 2)} per 1.000). Binnen de gestippelde "
        "lijnen (99,8%) valt een verschil met het gemiddelde goed door toeval te verklaren; bij weinig gesprekken "
        "is de trechter daarom wijd. Alleen punten boven de bovenste stippellijn wijken meer af dan toeval "
        "aannemelijk maakt: een reden om te kijken waarom, geen oordeel. Buiten de streepjeslijnen (95%) valt bij "
        "toeval ongeveer 1 op de 20."
    )
    high = conspicuously_high(funnel)
    if high:
        st.warning("**Opvallend hoog** (boven de 99,8%-grens): " + ", ".join(high), icon=":material/flag:")
    else:
        st.success(f"Geen {noun} ligt opvallend hoog (boven de 99,8%-grens).", icon=":material/check:")
    funnel_table = funnel.with_columns(pl.col("trechter").replace_strict(FUNNEL_CLASSES, default=None)).select(
        "eenheid", "gesprekken", "klachten", "per_1000", "ondergrens", "bovengrens", "grens_998_boven", "trechter"
    )
    chart_data(
        display_counts(funnel_table, ["klachten"], threshold, ("per_1000", "ondergrens", "bovengrens")),
        title=funnel_title, file_stem=f"klachten_trechter_{level}",
        column_config={
            "eenheid": LEVELS[level], "gesprekken": "Gesprekken", "klachten": "Klachten",
            "per_1000": st.column_config.NumberColumn("Per 1.000 gesprekken", format="%.2f"),
            "ondergrens": st.column_config.NumberColumn("95%-interval onder", format="%.2f"),
            "bovengrens": st.column_config.NumberColumn("95%-interval boven", format="%.2f"),
            "grens_998_boven": st.column_config.NumberColumn("99,8%-grens boven", format="%.2f"),
            "trechter": "Plaats in de trechter",
        },
    )

if totals.height:
    order = with_talks.sort("klachten", descending=True).get_column("eenheid").to_list() or totals.get_column(
        "eenheid").to_list()
    per_unit_title = f"Klachten per soort, per {noun}"
    st.plotly_chart(
        categories_figure(categories_long(totals.filter(pl.col("eenheid").is_in(order)), "eenheid"), by="eenheid",
                          title=per_unit_title, axis_title=LEVELS[level], horizontal=True, order=order,
                          threshold=threshold),
        config={"displaylogo": False},
    )
    chart_data(
        display_counts(totals.select("eenheid", "gesprekken", "klachten", *COMPLAINT_COLUMNS),
                       ["klachten", *COMPLAINT_COLUMNS], threshold),
        title=per_unit_title, file_stem=f"klachten_soort_{level}",
        column_config={"eenheid": LEVELS[level], "gesprekken": "Gesprekken", "klachten": "Klachten",
                       **{c: COMPLAINT_LABELS[c] for c in COMPLAINT_COLUMNS}},
    )

small = small_counts(with_talks, threshold=threshold)
if small.any or rate.events < 20:
    st.warning(
        f"**Kleine aantallen:** {fmt_int(small.small)} van de {fmt_int(small.total)} eenheden met gesprekken "
        f"hebben 1 tot en met {threshold - 1} klachten, en in totaal gaat het om {fmt_int(rate.events)} klachten. "
        "Eén klacht meer of minder verandert een cijfer per eenheid sterk; vergelijk daarom via de trechter en "
        "kijk naar langere periodes of naar stadsdelen. In tabellen en bij het aanwijzen tonen we aantallen van "
        f"1 tot en met {threshold - 1} als ‘<{threshold}’ (privacy).",
        icon=":material/warning:",
    )
