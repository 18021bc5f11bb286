"""Klachten en bejegening: complaints beside the success numbers, per period and per unit, honestly read.

Small numbers (AVG): every count and rate comes from one protected result (`protected_complaints`), shared with
the overview and the Gebieden page, so what is hidden here cannot be read or recomputed elsewhere.
"""

import polars as pl
import streamlit as st

from cohort import privacy
from cohort.charts.complaints import categories_figure, funnel_figure, rate_by_period_figure
from cohort.complaints import (
    CITY_LABEL,
    GRAINS,
    categories_long_protected,
    city_categories,
    city_rate,
    complaint_window,
    conspicuously_high,
    funnel_lines,
    headline_count_text,
    hidden_cells,
    hidden_units,
    period_table_frame,
    protected_level,
    protected_table,
    unit_table_frame,
    with_funnel_class,
)
from cohort.contract import COMPLAINT_COLUMNS, COMPLAINT_LABELS
from cohort.fmt import fmt_dec, fmt_int, fmt_interval, fmt_month
from cohort.metrics import with_phase
from cohort.selection import LEVELS, apply_selection
from cohort.ui.filters import get_context
from cohort.ui.privacy import page_rule, protected_complaints
from cohort.ui.widgets import active_filters, chart_data, tile

context = get_context()
dataset, selection = context.dataset, context.selection
rule = context.rule
units, monthly = apply_selection(dataset, selection)
first, last = complaint_window(selection)
phased = with_phase(monthly, units).filter(pl.col("maand").is_between(first, last))
rate = city_rate(phased)
protected = protected_complaints(dataset, selection, rule)
city = protected_table(protected, "stad")
city_hidden = bool(city.get_column("klachten_verborgen")[0])
groups = protected_table(protected, "doelgroepen")
categories = city_categories(phased, rule)

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
tile(cols[0], "Gesprekken", city.get_column("gesprekken_tekst")[0], "Gevoerde cohortgesprekken in de gebieden.")
tile(cols[1], "Klachten", rule.hidden_text if rule.hides(rate.events) else headline_count_text(city, rule),
     "Klachten over bejegening, bereikbaarheid, koers en overig.")
tile(cols[2], "Klachten per 1.000 gesprekken", city.get_column("per_1000_tekst")[0],
     privacy.small_number_note_nl(rule) if city_hidden else
     f"95%-interval {fmt_interval(rate.lower, rate.upper, 2)} (exacte Poisson).")
group_text = (
    f"Stedelijke doelgroepen apart: {groups.get_column('klachten_tekst')[0]} klachten op "
    f"{groups.get_column('gesprekken_tekst')[0]} gesprekken." if groups.height else "Geen stedelijke doelgroepen."
)
tile(cols[3], "Waarvan over bejegening", categories.get_column("klachten_bejegening_tekst")[0], group_text)
if city_hidden:
    st.caption(privacy.small_number_note_nl(rule, with_totals=True))

# --- Over time ---------------------------------------------------------------------------------------------------
NUMBER_TEXT = {"maanden": "Maanden", "gesprekken": "Gesprekken", "klachten": "Klachten",
               "per_1000": "Per 1.000 gesprekken", "ondergrens": "95%-interval onder",
               "bovengrens": "95%-interval boven"}
st.subheader("Klachten door de tijd")
grain = st.radio(
    "Periode per punt", list(GRAINS), format_func=GRAINS.__getitem__, key="klachten_periode", horizontal=True,
    help="Per maand zijn de meeste aantallen 0; per kwartaal of langer wordt het patroon zichtbaar. Per jaar "
    "hoeven het minst vaak aantallen verborgen te worden.",
)
grain = grain or "kwartaal"
periods = protected_table(protected, grain).filter((pl.col("gesprekken") > 0) | pl.col("gesprekken_verborgen"))
if periods.height == 0:
    st.info("Geen gesprekken in deze selectie.")
else:
    title = f"Klachten per 1.000 gesprekken per {GRAINS[grain].lower()}, gebieden"
    st.plotly_chart(rate_by_period_figure(periods, title=title, overall_rate=None if city_hidden else rate.rate,
                                          rule=rule),
                    config={"displaylogo": False})
    st.caption(
        "De stip is het cijfer, de streep het 95%-interval: bij zo weinig klachten is dat breed. De stippellijn is "
        "het cijfer over de hele periode. Een streep met ‘↑ tot …’ is bovenaan afgesneden en loopt tot dat getal. "
        "Een eerste of laatste periode kan maar deels meetellen (zie ‘maanden’ in de tabel). Een grijs × op de as: "
        "aantal verborgen."
    )
    st.caption(privacy.small_number_note_nl(rule, with_totals=True))
    hidden, total = hidden_cells(periods)
    explanation = privacy.explain_hidden_nl(rule, hidden_cells=hidden, total_cells=total, per_month=grain != "jaar",
                                            level="stad")
    if explanation:
        st.info(explanation, icon=":material/visibility_off:")
    chart_data(period_table_frame(protected, grain), title=title, file_stem=f"klachten_per_{grain}",
               column_config={"periode_label": "Periode", **NUMBER_TEXT})

# --- Per unit ----------------------------------------------------------------------------------------------------
level = selection.level
noun = {"gebied": "gebied", "stadsdeel": "stadsdeel", "stad": "stad"}[level]
st.subheader(f"Klachten per {LEVELS[level].lower()}")
totals = protected_level(protected, level)
with_talks = totals.filter((pl.col("gesprekken") > 0) | pl.col("gesprekken_verborgen"))
shown_units = with_talks.filter(~pl.col("klachten_verborgen") & ~pl.col("gesprekken_verborgen"))
if level == "stad":
    st.info("Kies in de zijbalk het niveau Gebied of Stadsdeel om gebieden met elkaar te vergelijken.")
elif with_talks.height == 0 or not rate.rate or city_hidden:
    st.info("Geen (of te weinig) klachten of gesprekken in deze selectie: er is geen trechter te tekenen.")
else:
    funnel = with_funnel_class(shown_units, rate.rate) if shown_units.height else None
    funnel_title = f"Trechterplot: klachten per 1.000 gesprekken per {noun}"
    if funnel is not None:
        lines = funnel_lines(rate.rate, funnel.get_column("gesprekken").min(), funnel.get_column("gesprekken").max())
        st.plotly_chart(
            funnel_figure(funnel, lines, title=funnel_title, overall_rate=rate.rate, unit_noun=noun, rule=rule),
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
    missing = hidden_units(with_talks)
    if missing:
        st.caption(
            f"Niet in de trechter ({fmt_int(len(missing))}): {', '.join(missing)}. Hun aantal klachten is verborgen "
            "(× in de tabel); de plaats van een punt zou het aantal verraden. "
            + privacy.small_number_note_nl(rule, with_totals=True)
        )
    high = conspicuously_high(funnel) if funnel is not None else []
    if high:
        st.warning("**Opvallend hoog** (boven de 99,8%-grens): " + ", ".join(high), icon=":material/flag:")
    elif funnel is not None:
        st.success(f"Geen getoonde {noun} ligt opvallend hoog (boven de 99,8%-grens).", icon=":material/check:")
    chart_data(
        unit_table_frame(with_talks, funnel),
        title=funnel_title, file_stem=f"klachten_trechter_{level}",
        column_config={"eenheid": LEVELS[level], **NUMBER_TEXT, "grens_998_boven": "99,8%-grens boven",
                       "trechter": "Plaats in de trechter"},
    )
    hidden, total = hidden_cells(with_talks)
    explanation = privacy.explain_hidden_nl(rule, hidden_cells=hidden, total_cells=total, per_month=False,
                                            level="eenheid" if level == "gebied" else "stadsdeel")
    if explanation:
        st.info(explanation, icon=":material/visibility_off:")

# --- Categories --------------------------------------------------------------------------------------------------
st.subheader("Klachten per soort")
long = categories_long_protected(categories).with_columns(pl.lit(CITY_LABEL).alias("eenheid"))
cat_title = f"Klachten per soort, {fmt_month(first)} tot en met {fmt_month(last)}, alle gebieden samen"
st.plotly_chart(categories_figure(long, by="eenheid", title=cat_title, axis_title="", horizontal=True, rule=rule),
                config={"displaylogo": False})
st.caption(
    "De soort klacht tonen we alleen voor alle gebieden samen over de hele periode. Per gebied, stadsdeel of "
    "periode zijn het bijna allemaal aantallen van 1 tot en met 4; de soorten daar tonen zou ook de aantallen "
    "klachten per gebied onleesbaar maken. " + privacy.small_number_note_nl(rule, with_totals=True)
)
chart_data(
    categories.select("eenheid", pl.col("klachten_tekst").alias("klachten"),
                      *[pl.col(f"{c}_tekst").alias(c) for c in COMPLAINT_COLUMNS]),
    title=cat_title, file_stem="klachten_per_soort",
    column_config={"eenheid": "Eenheid", "klachten": "Klachten", **{c: COMPLAINT_LABELS[c] for c in COMPLAINT_COLUMNS}},
)

if rule.enabled and (hidden_units(with_talks) or rate.events < 20):
    st.warning(
        f"**Kleine aantallen:** in totaal gaat het om {headline_count_text(city, rule)} klachten. Eén klacht meer "
        "of minder verandert een cijfer per eenheid sterk; vergelijk daarom via de trechter en kijk naar langere "
        f"periodes of naar stadsdelen. Aantallen van 1 tot en met {rule.largest_hidden} tonen we niet (privacy), "
        "en ook niets waaruit ze terug te rekenen zijn.",
        icon=":material/warning:",
    )
