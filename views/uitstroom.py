"""Uitstroom naar werk: did outflow to work rise because of the cohort approach?"""


import polars as pl
import streamlit as st

from cohort.charts.outflow import (
    event_time_figure,
    level_comparison_figure,
    measures_figure,
    outflow_band_figure,
    unit_ranking_figure,
)
from cohort.fmt import fmt_dec, fmt_int, fmt_interval, fmt_month, fmt_ratio
from cohort.metrics import with_phase
from cohort.outflow import (
    EVENT_WINDOW,
    available_measures,
    fair_comparison_sentence,
    measures_by_group,
    measures_summary,
    measures_summary_table,
    monthly_outflow_intervals,
    outflow_by_level,
    protect_by_level,
    protect_measures,
    protect_measures_summary,
    protect_ranking,
    protect_series,
    unit_outflow_ranking,
)
from cohort.privacy import HIDDEN_RATE_TEXT, count_text, small_number_note_nl
from cohort.selection import apply_selection
from cohort.ui.cached import outflow_analysis
from cohort.ui.filters import get_context
from cohort.ui.privacy import page_rule
from cohort.ui.widgets import active_filters, chart_data, tile

PLOTLY_CONFIG = {"displaylogo": False}
NUM2 = st.column_config.NumberColumn(format="%.2f")



def without_flags(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame for a table or download: hidden values are null, their `_tekst` says "<5" or "—*"."""
    return frame.drop([c for c in frame.columns if c.endswith("_verborgen")])


def bootstrap_interval(bounds: tuple[float, float]) -> str:
    """The bootstrap interval in words; it is missing when too few areas remain to resample."""
    text = fmt_interval(*bounds)
    return "geen betrouwbaar 95%-interval (te weinig gebieden)" if text == "—" else f"95%-interval {text}"


context = get_context()
dataset, selection = context.dataset, context.selection
rule = context.rule
units, monthly = apply_selection(dataset, selection)
phased = with_phase(monthly, units)
peildatum_month = selection.peildatum_month

st.title("Uitstroom naar werk")
active_filters(selection, dataset)
st.markdown(
    "**Is de uitstroom naar werk gestegen dóór de cohortaanpak?** De raadsbrief van 6 juli 2021 noemt de uitstroom "
    "in cohortgebieden ‘dubbel zo hoog’. Hieronder staat die ruwe vergelijking naast een eerlijkere schatting, "
    "die rekening houdt met de vraag welke gebieden eerst begonnen."
)


def over_de_data_link() -> None:
    st.page_link("views/over.py", label="Over de data: definities en methode", icon=":material/info:")


# --- The two estimates ------------------------------------------------------------------------------------------
estimates, profile = outflow_analysis(dataset, selection)
raw, did = estimates.raw, estimates.did
st.subheader("Twee schattingen naast elkaar")
if estimates.window is None:
    st.info("In deze selectie is op de peildatum nog geen gebied met de cohortaanpak gestart: er valt niets te "
            "vergelijken.")
else:
    first, last = estimates.window
    st.caption(f"Beide over {fmt_month(first)} tot en met {fmt_month(last)} (eerste start tot de peildatum), "
               "alleen gebieden; de stedelijke doelgroepen doen niet mee.")
    left, right = st.columns(2)
    with left:
        st.markdown("**(a) Ruwe vergelijking** — de basis van ‘dubbel zo hoog’")
        if raw is not None and (rule.hides(raw.events_a) or rule.hides(raw.events_b)):
            tile(st.container(), "Ruwe verhouding cohort t.o.v. elders", HIDDEN_RATE_TEXT,
                 f"{count_text(raw.events_a, rule)} personen naar werk in cohortgebieden, "
                 f"{count_text(raw.events_b, rule)} elders. " + small_number_note_nl(rule))
        elif raw is None or raw.ratio is None:
            st.info("Niet te berekenen: in deze selectie ontbreken maanden mét of zónder lopend cohort "
                    "(bijvoorbeeld als alleen gebieden zijn gekozen die tegelijk startten).")
        else:
            tile(st.container(), "Ruwe verhouding cohort t.o.v. elders", fmt_ratio(raw.ratio),
                 f"Uitstroom naar werk in gebieden waar het cohort liep, gedeeld door die in gebieden die nog niet "
                 f"gestart waren of nooit meedoen. 95%-interval {fmt_interval(raw.lower, raw.upper)} "
                 "(te smal: gebieden verschillen meer dan toeval).")
            tile(st.container(), "Uitstroom naar werk: cohort en elders",
                 f"{fmt_dec(raw.rate_a)} vs {fmt_dec(raw.rate_b)}",
                 f"Per 1.000 personen in de bijstand per maand: {fmt_int(raw.events_a)} op "
                 f"{fmt_int(raw.exposure_a)} persoonsmaanden in cohortgebieden, {fmt_int(raw.events_b)} op "
                 f"{fmt_int(raw.exposure_b)} elders.")
    with right:
        st.markdown("**(b) Eerlijkere vergelijking** — verschil-in-verschillen")
        if did is None:
            st.info("Niet te berekenen: daarvoor zijn gebieden nodig met minstens drie maanden cijfers vóór hun "
                    "start én gebieden die op dat moment nog niet gestart waren. Kies meer gebieden of een "
                    "langere periode.")
        else:
            tile(st.container(), "Extra uitstroom naar werk per maand door het cohort",
                 f"{fmt_dec(did.att)} extra per 1.000",
                 f"{fmt_dec(did.att)} extra per 1.000 per maand: gemeten {fmt_dec(did.treated_rate)}, "
                 f"zonder cohort verwacht {fmt_dec(did.counterfactual_rate)} "
                 f"per 1.000 per maand; {bootstrap_interval(did.ci)} (bootstrap over gebieden; "
                 f"{fmt_int(did.n_units_treated)} gestarte gebieden).")
            tile(st.container(), "Verhouding t.o.v. zonder cohort", fmt_ratio(did.ratio),
                 f"Gemeten gedeeld door verwacht zonder cohort; {bootstrap_interval(did.ratio_ci)}. Een "
                 "interval met 1,0 erin betekent: geen aantoonbaar effect.")
    sentence = fair_comparison_sentence(raw, did)
    if sentence:
        st.markdown(f"**{sentence}**")
    with st.expander("Wat is het verschil tussen deze twee?"):
        st.markdown(
            "- De **ruwe vergelijking** zet alle maanden waarin een gebied in het cohort zat naast alle maanden "
            "van gebieden die nog niet of nooit meededen. Als de eerste gebieden al hogere uitstroom hadden, of "
            "als de uitstroom in de hele stad steeg (de cohortmaanden liggen later), lijkt het cohort beter dan "
            "het is.\n"
            "- De **verschil-in-verschillen** kijkt per gebied naar de *verandering* ten opzichte van de drie "
            "maanden vóór de eigen start, en trekt daar de verandering af die gebieden zonder lopend cohort in "
            "dezelfde maanden doormaakten. Wat overblijft is de extra uitstroom die bij het cohort hoort.\n"
            "- Ook die schatting is geen bewijs: als gebieden om een reden werden gekozen die zelf de uitstroom "
            "verandert, of als uitnodigingen al vóór de start begonnen, klopt ze niet. De grafiek ‘Rond de start’ "
            "hieronder laat zien of de lijn vóór de start vlak is."
        )
        if did is not None:
            st.caption(did.method)
    over_de_data_link()

# --- Monthly series ---------------------------------------------------------------------------------------------
st.subheader("Uitstroom per maand")
series = protect_series(monthly_outflow_intervals(phased), rule)
measure = st.radio(
    "Maat", ["werk", "uitstroom"], format_func={"werk": "Uitstroom naar werk", "uitstroom": "Alle uitstroom"}.get,
    horizontal=True, key="uitstroom_maat",
    help="Alle uitstroom telt ook beëindigingen om andere redenen (verhuizing, partner, pensioen, maatregel).",
)
if series.is_empty():
    st.info("Geen gebieden met cohort- of vergelijkingsmaanden in deze selectie.")
else:
    title = ("Uitstroom naar werk per 1.000 in de bijstand" if measure == "werk"
             else "Alle uitstroom per 1.000 in de bijstand")
    st.plotly_chart(outflow_band_figure(series, measure=measure, title=title, peildatum=selection.peildatum),
                    config=PLOTLY_CONFIG)
    st.caption(
        "Per maand: gebieden waar het cohort liep tegenover gebieden die nog niet gestart waren of nooit meedoen "
        "(afgeronde gebieden tellen na hun einddatum in geen van beide). De banden zijn 95%-intervallen per maand "
        "(exacte Poisson). Let op: welke gebieden in welke groep zitten, verandert van maand tot maand."
    )
    st.caption(small_number_note_nl(rule))
    chart_data(without_flags(series), title=title, file_stem="uitstroom_per_maand",
               column_config={"werk_per_1000": NUM2, "werk_lower": NUM2, "werk_upper": NUM2,
                              "uitstroom_per_1000": NUM2, "uitstroom_lower": NUM2, "uitstroom_upper": NUM2})

# --- Event time -------------------------------------------------------------------------------------------------
st.subheader("Rond de start van het cohort")
if profile is None:
    st.info("Geen gebied in deze selectie heeft een startdatum in de periode met cijfers.")
else:
    view = st.radio(
        "Toon", ["rate", "diff"],
        format_func={"rate": "Uitstroom naar werk", "diff": "Verschil met gebieden zonder lopend cohort"}.get,
        horizontal=True, key="rond_start_maat",
    )
    title = (f"Uitstroom naar werk van {EVENT_WINDOW[0]} tot +{EVENT_WINDOW[1]} maanden rond de eigen start"
             if view == "rate" else "Verandering t.o.v. vóór de start, min die van de vergelijkingsgebieden")
    st.plotly_chart(event_time_figure(profile, measure=view, title=title), config=PLOTLY_CONFIG)
    st.caption(
        "Elk gebied op zijn eigen startmaand gelegd (0 = startmaand), zodat gespreide starts op elkaar vallen; "
        "gemiddelde over gebieden (elk gebied telt één keer) met 95%-interval over gebieden. Alleen cijfers tot "
        f"en met de peildatum ({fmt_month(peildatum_month)}), dus verder na de start doen minder gebieden mee "
        "(zie de tabel)."
    )
    chart_data(profile, title=title, file_stem="rond_de_start",
               column_config={c: NUM2 for c in ("rate", "rate_lower", "rate_upper", "diff", "diff_lower",
                                                 "diff_upper")})

# --- Per unit and per stadsdeel ---------------------------------------------------------------------------------
st.subheader("Per gebied en stadsdeel")
ranking = protect_ranking(unit_outflow_ranking(phased, selection.first_month, peildatum_month), rule)
if ranking.is_empty():
    st.info("Geen eenheden met cohortmaanden tot en met de peildatum in deze selectie.")
else:
    title = "Uitstroom naar werk tijdens de eigen cohortmaanden"
    reference = raw.rate_b if raw is not None else None
    st.plotly_chart(unit_ranking_figure(ranking, title=title, reference=reference), config=PLOTLY_CONFIG)
    small = ranking.filter((pl.col("uitstroom_werk") < 20) | pl.col("uitstroom_werk_verborgen")).height
    st.caption(
        "Per eenheid: uitstroom naar werk per 1.000 per maand in de cohortmaanden tot en met de peildatum, met "
        "95%-interval (exacte Poisson). De stippellijn is het cijfer van de vergelijkingsgebieden (a)."
        + (f" {fmt_int(small)} eenheden hebben minder dan 20 uitstroom naar werk: hun cijfer is onzeker."
           if small else "")
        + " " + small_number_note_nl(rule, with_totals=True)
    )
    chart_data(without_flags(ranking), title=title, file_stem="uitstroom_per_eenheid",
               column_config={"werk_per_1000": NUM2, "werk_lower": NUM2, "werk_upper": NUM2})

if estimates.window is not None:
    level = "stad" if selection.level == "stad" else "stadsdeel"
    breakdown = protect_by_level(outflow_by_level(phased, level, *estimates.window), rule)
    if not breakdown.is_empty():
        title = ("Hele stad: cohortmaanden en vergelijkingsmaanden" if level == "stad"
                 else "Per stadsdeel: cohortmaanden en vergelijkingsmaanden")
        st.plotly_chart(level_comparison_figure(breakdown, title=title), config=PLOTLY_CONFIG)
        st.caption(
            f"Alleen gebieden, {fmt_month(estimates.window[0])} tot en met {fmt_month(estimates.window[1])}. "
            "Een stadsdeel zonder vergelijkingsmaanden (alle gebieden al gestart) heeft geen grijze balk. "
            + small_number_note_nl(rule)
        )
        chart_data(without_flags(breakdown), title=title, file_stem="uitstroom_per_stadsdeel",
                   column_config={c: NUM2 for c in breakdown.columns if c.endswith(("per_1000", "lower", "upper"))}
                   | {"verhouding": NUM2})

# --- Side effects and support measures --------------------------------------------------------------------------
measures = available_measures(dataset.optional_counts)
if measures:
    st.subheader("Neveneffecten en ondersteuning")
    st.markdown(
        "Herinstroom (binnen 12 maanden terug in de bijstand) en maatregelen (kortingen op de uitkering) kunnen "
        "laten zien of de aanpak ook schade deed; ze staan hier met hetzelfde gewicht als de ondersteuning. "
        "Ontheffingen zijn een **stand** (personen met een ontheffing aan het eind van de maand); de andere "
        "maten zijn **stromen** (aantal in de maand)."
    )
    by_month = protect_measures(measures_by_group(phased, measures), rule)
    if estimates.window is not None:
        summary = protect_measures_summary(measures_summary(measures_by_group(phased, measures), *estimates.window),
                                           rule)
        wide = measures_summary_table(summary, measures)
        st.dataframe(
            wide,
            hide_index=True,
            column_config={"Cohort loopt": st.column_config.TextColumn("Cohortgebieden"),
                           "Vergelijking": st.column_config.TextColumn("Vergelijkingsgebieden")},
        )
        st.caption(f"Gemiddeld over {fmt_month(estimates.window[0])} tot en met {fmt_month(estimates.window[1])}. "
                   + small_number_note_nl(rule))
    # Gated: the small multiples (one panel per measure) cost more than the rest of the page together.
    if st.toggle("Verloop per maand tonen", key="maatregelen_per_maand", bind="query-params"):
        title = "Neveneffecten en ondersteuning per maand, per 1.000 in de bijstand"
        st.plotly_chart(measures_figure(by_month, measures, title=title, peildatum=selection.peildatum),
                        config=PLOTLY_CONFIG)
        st.caption(small_number_note_nl(rule))
        chart_data(without_flags(by_month), title=title, file_stem="maatregelen_per_maand",
                   column_config={"per_1000": NUM2})
