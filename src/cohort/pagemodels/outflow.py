"""Page model of "Uitstroom naar werk": did outflow to work rise because of the cohort approach?

Every count comes from the release (`cohort.privacy.release`) and is listed in `released`; rates, intervals and ratios
are computed from those counts only, and are hidden ("—*") with them. Two exceptions, by the "safe statistics"
rule of ``docs/privacy.md``: the difference-in-differences and the event-time profile are model estimates over
all areas of the dataset, whatever the filters (`cohort.analysis.outflow`), shown only with at least five treated and
five comparison areas. The page says so where they appear.

Definitions: outflow to work per 1,000 persons on welfare per month = Σ outflow to work / Σ person-months
(`bijstand` summed over months) × 1,000, in phase ``cohort`` (the unit's own cohort months) or ``vergelijking``
(areas not yet started or never in the approach). Periods are whole periods of the release's lattice (quarters
for viewers; months for an evaluator who switched hiding off). The pieces the overview shares with this page
(the two estimates, the series per period) are in `cohort.pagemodels.outflow_common`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

import polars as pl

from cohort.analysis.outflow import MIN_AREAS, Measure, available_measures, event_profile_all_areas
from cohort.charts.outflow import (
    event_time_figure,
    level_comparison_figure,
    measures_figure,
    unit_ranking_figure,
)
from cohort.contract import UnitKind
from cohort.fmt import MISSING, fmt_dec, fmt_int, fmt_interval, fmt_month
from cohort.pagemodels.common import (
    MAX_CHART_UNITS,
    Chart,
    Notice,
    PageInput,
    Rate,
    Table,
    TableColumn,
    Tile,
    chart_subset_note,
    count_cell,
    make_table,
    signs_note,
    window_text,
)
from cohort.pagemodels.outflow_common import (
    GROUPS,
    GROUPS_HELP,
    PER_MONTH,
    DidEstimate,
    Ledger,
    RawComparison,
    all_area_codes,
    area_codes,
    comparison_window,
    did_estimate,
    fair_comparison_sentence,
    header_line,
    hidden_rate_text,
    legend,
    period_word,
    periods_of,
    rate_columns,
    rate_fields,
    raw_comparison,
    series_charts,
)
from cohort.privacy.lattice import month_index
from cohort.privacy.release import Count, Release

# --- Event time ----------------------------------------------------------------------------------------------


def event_charts(page_input: PageInput) -> tuple[Chart | None, Chart | None, Notice | None]:
    """The event-time profile over all areas to the dataset's last month; points with fewer than `MIN_AREAS`
    contributing areas are blanked (a point of one or two areas would be their own rate)."""
    profile = event_profile_all_areas(page_input.dataset)
    if profile is None:
        return None, None, Notice("info", "Geen gebied in de dataset heeft een startdatum in de periode met cijfers.")
    enough, enough_diff = pl.col("n_units") >= MIN_AREAS, pl.col("n_units_diff") >= MIN_AREAS
    shown = profile.with_columns(
        *(pl.when(enough).then(pl.col(c)).otherwise(None) for c in ("rate", "rate_lower", "rate_upper")),
        *(pl.when(enough_diff).then(pl.col(c)).otherwise(None) for c in ("diff", "diff_lower", "diff_upper")),
    )
    if shown.get_column("rate").is_null().all():
        return None, None, Notice("info", f"Te weinig gebieden: geen maand rond de start telt {MIN_AREAS} gebieden.")
    rows = []
    for r in shown.iter_rows(named=True):
        k = r["event_time"]
        label = f"+{k}" if k > 0 else str(k)
        row: dict[str, tuple[object, str]] = {"event_time": (label, label)}
        row |= {c: (r[c], fmt_int(r[c])) for c in ("n_units", "n_units_diff")}
        row |= {c: (r[c], fmt_dec(r[c], 2)) for c in ("rate", "diff")}
        row |= {f"{c}_interval": (fmt_interval(r[f"{c}_lower"], r[f"{c}_upper"], 2),) * 2 for c in ("rate", "diff")}
        rows.append(row)
    columns = [TableColumn("event_time", "Maand t.o.v. start", "text"), TableColumn("n_units", "Gebieden"),
               TableColumn("rate", "Werk per 1.000", decimals=2,
                           help="Gemiddelde over de gebieden, per 1.000 per maand."),
               TableColumn("rate_interval", "95%-interval", "text"),
               TableColumn("n_units_diff", "Gebieden (verschil)"),
               TableColumn("diff", "Verschil", decimals=2, help="Verandering t.o.v. vóór de start, min die van de "
                           "vergelijkingsgebieden (0 = geen effect)."),
               TableColumn("diff_interval", "Verschil: 95%-interval", "text")]
    last = page_input.dataset.last_month
    scope = (f"Alle {fmt_int(page_input.dataset.areas.height)} gebieden van de dataset, ongeacht de filters, met "
             f"cijfers tot en met {fmt_month(last)} (de laatste maand van de dataset); alleen maanden waarin "
             f"minstens {MIN_AREAS} gebieden meetellen. Zo verschilt deze grafiek "
             "niet tussen twee weergaven, en is er geen afzonderlijk gebied uit af te lezen.")
    notes = (f"— = minder dan {MIN_AREAS} gebieden in die maand (niet getoond), of geen interval (te weinig "
             "gebieden).", scope)
    caption = ("Elk gebied op zijn eigen startmaand gelegd (0 = startmaand), zodat gespreide starts op elkaar "
               "vallen; gemiddelde over gebieden (elk gebied telt één keer) met 95%-interval over gebieden.")
    event_times = profile.get_column("event_time").to_list()
    rate_title = f"Uitstroom naar werk van {min(event_times)} tot +{max(event_times)} maanden rond de eigen start"
    diff_title = "Verandering t.o.v. vóór de start, min die van de vergelijkingsgebieden"
    return (
        Chart(rate_title, event_time_figure(shown, measure="rate", title=rate_title),
              make_table(rate_title, "rond_de_start", columns, rows, notes), (caption, scope),
              alt="Lijngrafiek: uitstroom naar werk per maand rond de start van het cohort."),
        Chart(diff_title, event_time_figure(shown, measure="diff", title=diff_title),
              make_table(diff_title, "rond_de_start", columns, rows, notes), (caption, scope),
              alt="Lijngrafiek: verschil met de vergelijkingsgebieden per maand rond de start."),
        None,
    )


# --- Per unit and per stadsdeel ------------------------------------------------------------------------------


def cohort_months(start: date | None, end: date | None, window: tuple[date, date]) -> int:
    """Months of [window] in the unit's cohort (the start's month up to and including the end's month)."""
    if start is None:
        return 0
    first = max(month_index(start), month_index(window[0]))
    last = month_index(window[1]) if end is None else min(month_index(end), month_index(window[1]))
    return max(0, last - first + 1)


def ranking_chart(ledger: Ledger, page_input: PageInput, reference: Rate | None) -> tuple[Chart | None, Notice | None]:
    """Per unit of the selection (areas and target groups): outflow to work in its own cohort months up to the
    peildatum, with an exact 95% interval; units without cohort months in that window are left out."""
    window = page_input.window("uitstroom_werk")
    empty = Notice("info", "Geen eenheden met cohortmaanden tot en met de peildatum in deze selectie.")
    if window is None:
        return None, empty
    rows, chart_rows = [], []
    mark = ledger.mark()
    for unit in page_input.units.iter_rows(named=True):
        months = cohort_months(unit["start"], unit["eind"], window)
        if not months:
            continue
        events = ledger.count("uitstroom_werk", [unit["code"]], window, "cohort")
        exposure = ledger.count("bijstand", [unit["code"]], window, "cohort")
        if exposure.shown and not exposure.value:
            continue
        rate = Rate.of(events, exposure)
        kind = "Gebied" if unit["soort"] == UnitKind.AREA else "Doelgroep"
        rows.append({"eenheid": (unit["naam"], unit["naam"]), "code": (unit["code"], unit["code"]),
                     "soort": (kind, kind), "stadsdeel": (unit["stadsdeel"], unit["stadsdeel"] or MISSING),
                     "maanden": (months, fmt_int(months)), "uitstroom_werk": count_cell(events),
                     "persoonsmaanden": count_cell(exposure)} | rate_columns("werk_", rate))
        chart_rows.append({"code": unit["code"], "naam": unit["naam"], "soort": unit["soort"],
                           "werk_per_1000": rate.value, "werk_lower": rate.lower, "werk_upper": rate.upper,
                           "werk_tekst": rate.text(1), "interval_tekst": rate.interval_text(1),
                           "aantal_tekst": events.text, "persoonsmaanden_tekst": exposure.text,
                           "maanden_tekst": fmt_int(months), "verborgen": rate.hidden,
                           "_small": rate.hidden or (events.value or 0) < 20})
    if not rows:
        return None, empty
    order = sorted(range(len(rows)), key=lambda i: (chart_rows[i]["werk_per_1000"] is None,
                                                    -(chart_rows[i]["werk_per_1000"] or 0.0), chart_rows[i]["code"]))
    rows = [rows[i] for i in order]
    columns = [TableColumn("eenheid", "Eenheid", "text"), TableColumn("code", "Code", "text"),
               TableColumn("soort", "Soort", "text"), TableColumn("stadsdeel", "Stadsdeel", "text"),
               TableColumn("maanden", "Cohortmaanden"), TableColumn("uitstroom_werk", "Naar werk"),
               TableColumn("persoonsmaanden", "Persoonsmaanden"),
               TableColumn("werk_per_1000", "Werk per 1.000", decimals=2, help=PER_MONTH),
               TableColumn("werk_interval", "95%-interval", "text")]
    title = "Uitstroom naar werk tijdens de eigen cohortmaanden"
    notes = legend(page_input, ledger.hidden_since(mark))
    table = make_table(title, "uitstroom_per_eenheid", columns, rows, notes=notes)
    frame = pl.DataFrame(chart_rows).drop("_small")
    small = sum(1 for r in chart_rows if r["_small"])
    reference_value = reference.value if reference is not None else None
    caption = (f"Per eenheid: uitstroom naar werk per 1.000 per maand in de eigen cohortmaanden van "
               f"{window_text(window)}, met 95%-interval (exacte Poisson)."
               + (" De stippellijn is het cijfer van de vergelijkingsgebieden (a)." if reference_value else "")
               + (f" {fmt_int(small)} eenheden hebben minder dan 20 uitstroom naar werk of een verborgen aantal: "
                  "hun cijfer is onzeker of niet te tonen." if small else ""))
    if frame.height > MAX_CHART_UNITS:  # the highest first, as the table (hidden rates last)
        caption += " " + chart_subset_note(MAX_CHART_UNITS, frame.height, "de hoogste")
        frame = pl.DataFrame([chart_rows[i] for i in order[:MAX_CHART_UNITS]]).drop("_small")
    captions = [caption, *notes]
    figure = unit_ranking_figure(frame, title=title, reference=reference_value)
    return Chart(title, figure, table, tuple(captions), alt="Staafdiagram: uitstroom naar werk per eenheid."), None


def level_chart(ledger: Ledger, page_input: PageInput, codes: Sequence[str],
                window: tuple[date, date]) -> Chart | None:
    """Cohort months vs comparison months per stadsdeel of the selection's areas (or the city at level "stad")."""
    if page_input.selection.level == "stad":
        groups = [("Hele stad", list(codes))]
    else:
        areas = page_input.dataset.areas.filter(pl.col("code").is_in(list(codes)))
        groups = [(name, areas.filter(pl.col("stadsdeel") == name).get_column("code").to_list())
                  for name in sorted(set(areas.get_column("stadsdeel").to_list()))]
    rows, chart_rows = [], []
    mark = ledger.mark()
    for name, members in groups:
        rates = {phase: Rate.of(ledger.count("uitstroom_werk", members, window, phase),
                                ledger.count("bijstand", members, window, phase)) for phase, _ in GROUPS}
        cohort, comparison = rates["cohort"], rates["vergelijking"]
        hidden = cohort.hidden or comparison.hidden
        ratio = (cohort.value / comparison.value if cohort.value is not None and comparison.value else None)
        row: dict[str, tuple[object, str]] = {"stadsdeel": (name, name),
                                              "verhouding": (ratio, hidden_rate_text(ratio, hidden, 2))}
        chart_row: dict[str, object] = {"stadsdeel": name}
        for phase, _ in GROUPS:
            rate = rates[phase]
            row |= {f"{phase}_uitstroom_werk": count_cell(rate.events),
                    f"{phase}_persoonsmaanden": count_cell(rate.exposure)} | rate_columns(f"{phase}_", rate)
            chart_row |= {k: v for k, v in rate_fields(f"{phase}_", rate).items() if not k.endswith("aantal_tekst")}
        rows.append(row)
        chart_rows.append(chart_row)
    if not rows:
        return None
    columns = [TableColumn("stadsdeel", "Stadsdeel", "text")]
    for phase, label in (("cohort", "Cohort"), ("vergelijking", "Vergelijking")):
        columns += [TableColumn(f"{phase}_uitstroom_werk", f"{label}: naar werk"),
                    TableColumn(f"{phase}_persoonsmaanden", f"{label}: persoonsmaanden"),
                    TableColumn(f"{phase}_per_1000", f"{label}: per 1.000", decimals=2, help=PER_MONTH),
                    TableColumn(f"{phase}_interval", f"{label}: 95%-interval", "text")]
    columns.append(TableColumn("verhouding", "Verhouding", decimals=2, help="Cohort gedeeld door vergelijking."))
    title = ("Hele stad: cohortmaanden en vergelijkingsmaanden" if page_input.selection.level == "stad"
             else "Per stadsdeel: cohortmaanden en vergelijkingsmaanden")
    notes = legend(page_input, ledger.hidden_since(mark))
    table = make_table(title, "uitstroom_per_stadsdeel", columns, rows, notes=notes)
    frame = pl.DataFrame(chart_rows)
    captions = [f"Alleen gebieden, {window_text(window)}. Een stadsdeel zonder vergelijkingsmaanden (alle gebieden "
                "al gestart) heeft geen grijze balk.", *notes]
    return Chart(title, level_comparison_figure(frame, title=title), table, tuple(captions),
                 alt="Staafdiagram: uitstroom naar werk per stadsdeel, cohort- en vergelijkingsmaanden.")


# --- Side effects and support measures (the city only) ---------------------------------------------------------


def page_measures(page_input: PageInput) -> tuple[Measure, ...]:
    release = page_input.release
    return tuple(m for m in available_measures(page_input.dataset.optional_counts) if release.has(m.name))


# The side-effect parts per release and period: they are for all areas together, so a change of stadsdeel or
# area (the commonest rerun) needs the same ones. Kept with the counts they asked for, which each model's
# ledger receives again (its `released` still lists every count it shows).
_MEASURES_PARTS: weakref.WeakKeyDictionary[Release, dict[tuple[object, ...], tuple[
    object, list[Count]]]] = weakref.WeakKeyDictionary()
_MEASURES_LOCK = threading.Lock()


def _shared_part(ledger: Ledger, page_input: PageInput, key: tuple[object, ...], build: Callable[[], object]) -> object:
    """`build()` once per release and `key`; a later ledger receives the counts the first one asked for."""
    with _MEASURES_LOCK:
        known = _MEASURES_PARTS.get(page_input.release, {}).get(key)
    if known is None:
        mark = ledger.mark()
        part = build()
        with _MEASURES_LOCK:
            _MEASURES_PARTS.setdefault(page_input.release, {})[key] = (part, ledger.asked_since(mark))
        return part
    part, asked = known
    for count in asked:
        ledger.keep(count)
    return part


def measures_summary(ledger: Ledger, page_input: PageInput, window: tuple[date, date] | None) -> Table | None:
    """Side effects and support measures for all areas together (the release publishes them for the city only):
    per measure and group, a summary over `window`."""
    selection = page_input.selection
    key = ("samenvatting", selection.first_month, selection.last_month, selection.peildatum, window)
    return cast("Table | None", _shared_part(ledger, page_input, key,
                                             lambda: _measures_summary(ledger, page_input, window)))


@dataclass(frozen=True)
class MeasuresChart:
    """The side effects and support measures per period (the page draws them only when asked: behind a toggle,
    and at 10,000 units with hiding off some 1,300 sums over all areas), with the counts it shows."""

    chart: Chart | None
    released: tuple[Count, ...]


def measures_chart(page_input: PageInput) -> MeasuresChart:
    """The course of the side effects and support measures per period of the selection, all areas together."""
    ledger = Ledger(page_input)
    selection = page_input.selection
    key = ("verloop", selection.first_month, selection.last_month, selection.peildatum)
    chart = cast("Chart | None", _shared_part(ledger, page_input, key, lambda: _measures_chart(ledger, page_input)))
    return MeasuresChart(chart, ledger.released)


def _measures_summary(ledger: Ledger, page_input: PageInput, window: tuple[date, date] | None) -> Table | None:
    measures = page_measures(page_input)
    if not measures or window is None:
        return None
    codes = all_area_codes(page_input)
    rows = []
    mark = ledger.mark()
    for measure in measures:
        row: dict[str, tuple[object, str]] = {"maat": (measure.label, measure.label),
               "soort": ("neveneffect", "neveneffect") if measure.side_effect else ("ondersteuning",
                                                                                  "ondersteuning"),
               "eenheid": (measure.short_unit, measure.short_unit)}
        for phase, _ in GROUPS:
            rate = Rate.of(ledger.count(measure.name, codes, window, phase),
                           ledger.count("bijstand", codes, window, phase))
            row |= {f"{phase}_aantal": count_cell(rate.events),
                    f"{phase}_per_1000": (rate.value, hidden_rate_text(rate.value, rate.hidden, 2))}
        rows.append(row)
    counted = "Bij ontheffingen: persoonsmaanden met een ontheffing (de stand opgeteld over de maanden)."
    columns = [TableColumn("maat", "Maat", "text"), TableColumn("soort", "Soort", "text"),
               TableColumn("cohort_aantal", "Cohort: aantal", help=counted),
               TableColumn("cohort_per_1000", "Cohort: per 1.000", decimals=2),
               TableColumn("vergelijking_aantal", "Vergelijking: aantal", help=counted),
               TableColumn("vergelijking_per_1000", "Vergelijking: per 1.000", decimals=2),
               TableColumn("eenheid", "Eenheid", "text")]
    return make_table("Neveneffecten en ondersteuning", "neveneffecten", columns, rows, notes=(
        f"Alle {fmt_int(len(codes))} gebieden samen (deze cijfers zijn er alleen voor de hele stad, ongeacht de "
        f"filters), {window_text(window)}. Cohort: gebieden waar het cohort liep; vergelijking: gebieden die "
        "nog niet gestart waren of nooit meedoen.", *legend(page_input, ledger.hidden_since(mark))))


def _measures_chart(ledger: Ledger, page_input: PageInput) -> Chart | None:
    measures = page_measures(page_input)
    if not measures:
        return None
    codes = all_area_codes(page_input)
    selection = page_input.selection
    word = period_word(page_input)
    frame_rows, table_rows = [], []
    mark = ledger.mark()
    for node in periods_of(page_input, selection.first_month, selection.last_month):
        period = (node.first, node.last)
        for phase, group in GROUPS:
            exposure = ledger.count("bijstand", codes, period, phase)
            if exposure.shown and not exposure.value:
                continue
            for measure in measures:
                rate = Rate.of(ledger.count(measure.name, codes, period, phase), exposure)
                frame_rows.append({"eerste": node.first, "laatste": node.last, "periode": node.label, "groep": group,
                                   "maatregel": measure.name, "per_1000": rate.value,
                                   "per_1000_tekst": rate.text(2), "aantal_tekst": rate.events.text,
                                   "persoonsmaanden_tekst": exposure.text, "verborgen": rate.hidden})
                table_rows.append({"periode": (node.label, node.label), "groep": (group, group),
                                   "maat": (measure.label, measure.label), "aantal": count_cell(rate.events),
                                   "persoonsmaanden": count_cell(exposure),
                                   "per_1000": (rate.value, hidden_rate_text(rate.value, rate.hidden, 2))})
    if not frame_rows:
        return None
    frame = pl.DataFrame(frame_rows, schema_overrides={"per_1000": pl.Float64})
    title = f"Neveneffecten en ondersteuning per {word}, per 1.000 in de bijstand"
    columns = [TableColumn("periode", word.capitalize(), "text"), TableColumn("groep", "Groep", "text", GROUPS_HELP),
               TableColumn("maat", "Maat", "text"), TableColumn("aantal", "Aantal"),
               TableColumn("persoonsmaanden", "Persoonsmaanden"),
               TableColumn("per_1000", "Per 1.000", decimals=2)]
    notes = legend(page_input, ledger.hidden_since(mark))
    table = make_table(title, f"neveneffecten_per_{word}", columns, table_rows, notes=notes)
    captions = [f"Alle gebieden samen, per {word}.", *notes]
    figure = measures_figure(frame, measures, title=title, peildatum=selection.peildatum)
    return Chart(title, figure, table, tuple(captions),
                 alt=f"Kleine grafieken: neveneffecten en ondersteuning per {word}.")


# --- The page ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutflowModel:
    """Everything the page "Uitstroom naar werk" shows, for one dataset, selection and rule."""

    header: str  # dataset and filters, one line
    period_word: str  # "kwartaal" (viewers) or "maand" (an evaluator with hiding off)
    window: tuple[date, date] | None  # months of (a): whole periods from the first cohort period to the peildatum
    window_caption: str
    raw: RawComparison | None  # (a), over the selection's areas
    raw_tiles: tuple[Tile, ...]
    raw_notice: Notice | None  # why (a) is missing
    did: DidEstimate  # (b), over all areas
    did_tiles: tuple[Tile, ...]
    did_notice: Notice | None  # why (b) is missing
    did_caption: str  # over which areas and months, and the five-and-five rule
    did_method: str
    sentence: str | None  # how much of the raw factor remains
    series: dict[str, Chart]  # "werk" and "uitstroom" (all outflow): one chart per choice of the radio
    series_notice: Notice | None
    event_rate: Chart | None
    event_diff: Chart | None
    event_notice: Notice | None
    ranking: Chart | None
    ranking_notice: Notice | None
    by_level: Chart | None
    measures_summary: Table | None
    measures_periods: bool  # whether there is a course per period to offer (`measures_chart`, on demand)
    signs: str  # the legend of the signs (or the warning while hiding is off)
    released: tuple[Count, ...]  # every count this page shows


def _raw_tiles(raw: RawComparison, rule_note: str) -> tuple[Tile, ...]:
    cohort, comparison = raw.cohort, raw.comparison
    counts = (f"{cohort.events.text} personen naar werk op {cohort.exposure.text} persoonsmaanden in "
              f"cohortgebieden, {comparison.events.text} op {comparison.exposure.text} elders")
    if raw.hidden:
        return (Tile("Ruwe verhouding cohort t.o.v. elders", raw.ratio_text(), f"{counts}. {rule_note}"),)
    return (
        Tile("Ruwe verhouding cohort t.o.v. elders", raw.ratio_text(),
             "Uitstroom naar werk in gebieden waar het cohort liep, gedeeld door die in gebieden die nog niet "
             f"gestart waren of nooit meedoen. 95%-interval {raw.interval_text()} (te smal: gebieden verschillen "
             "meer dan toeval)."),
        Tile("Uitstroom naar werk: cohort en elders", f"{cohort.text()} vs {comparison.text()}",
             f"Per 1.000 personen in de bijstand per maand: {counts}."),
    )


def _first_whole(page_input: PageInput) -> str:
    return "het eerste hele kwartaal" if period_word(page_input) == "kwartaal" else "de eerste maand"


def _bootstrap_text(bounds: tuple[float, float], decimals: int = 1) -> str:
    text = fmt_interval(*bounds, decimals)
    return "geen betrouwbaar 95%-interval (te weinig gebieden)" if text == MISSING else f"95%-interval {text}"


def _did_tiles(did: DidEstimate) -> tuple[Tile, ...]:
    result = did.result
    if result is None:
        return ()
    return (
        Tile("Extra uitstroom naar werk per maand door het cohort", f"{fmt_dec(result.att)} extra per 1.000",
             f"Gemeten {fmt_dec(result.treated_rate)}, zonder cohort verwacht {fmt_dec(result.counterfactual_rate)} "
             f"per 1.000 per maand; {_bootstrap_text(result.ci)} (bootstrap over gebieden)."),
        Tile("Verhouding t.o.v. zonder cohort", did.ratio_text(),
             f"Gemeten gedeeld door verwacht zonder cohort; {_bootstrap_text(result.ratio_ci)}. Een interval met "
             "1,0 erin betekent: geen aantoonbaar effect."),
    )


def outflow_model(page_input: PageInput) -> OutflowModel:
    ledger = Ledger(page_input)
    codes = area_codes(page_input)
    rule_note = signs_note(page_input.rule)
    window = comparison_window(page_input, codes)
    raw = raw_comparison(ledger, codes, window) if window is not None else None
    raw_notice = None
    if window is None:
        raw_notice = Notice("info", "In deze selectie is tot de peildatum nog geen hele periode waarin een gebied met "
                            "de cohortaanpak bezig was: er valt niets te vergelijken.")
    elif not raw.computable:  # type: ignore[union-attr]
        raw_notice = Notice("info", "Niet te berekenen: in deze selectie ontbreken maanden mét of zónder lopend "
                            "cohort (bijvoorbeeld als alleen gebieden zijn gekozen die tegelijk startten).")
    did = did_estimate(page_input)
    same_areas = sorted(codes) == sorted(all_area_codes(page_input)) and window == did.window
    series = series_charts(ledger, page_input, codes)
    event_rate, event_diff, event_notice = event_charts(page_input)
    ranking, ranking_notice = ranking_chart(ledger, page_input, raw.comparison if raw is not None else None)
    by_level = level_chart(ledger, page_input, codes, window) if window is not None else None
    measures_window = comparison_window(page_input, all_area_codes(page_input), whole=False)
    summary = measures_summary(ledger, page_input, measures_window)
    periods = periods_of(page_input, page_input.selection.first_month, page_input.selection.last_month)
    return OutflowModel(
        header=header_line(page_input),
        period_word=period_word(page_input),
        window=window,
        window_caption=(f"(a) over {window_text(window)}: van {_first_whole(page_input)} met een lopend cohort "
                        "tot de peildatum, de gekozen gebieden; de stedelijke doelgroepen doen niet mee."
                        if window is not None else ""),
        raw=raw,
        raw_tiles=_raw_tiles(raw, rule_note) if raw is not None and raw.computable else (),
        raw_notice=raw_notice,
        did=did,
        did_tiles=_did_tiles(did),
        did_notice=Notice("info", did.notice) if did.notice else None,
        did_caption=did.caption(),
        did_method=did.result.method if did.result is not None else "",
        sentence=fair_comparison_sentence(raw, did, same_areas=same_areas),
        series=series or {},
        series_notice=None if series else Notice("info", "Geen gebieden met cohort- of vergelijkingsmaanden in deze "
                                                 "selectie."),
        event_rate=event_rate,
        event_diff=event_diff,
        event_notice=event_notice,
        ranking=ranking,
        ranking_notice=ranking_notice,
        by_level=by_level,
        measures_summary=summary,
        measures_periods=bool(page_measures(page_input)) and bool(periods),
        signs=rule_note,
        released=ledger.released,
    )
