"""The Kaart page's model: every number the map page shows, for every indicator it offers, from the release.

Per map unit (an area, or at level "stadsdeel" a stadsdeel standing for its selected areas) the model holds the
conversations and outflow to work over the selection's window, complaints over the complaint window (half
years, `PageInput.window("klachten")`), persons on welfare at the peildatum (`Release.stock`), the rates made
of those counts, and every unit's class against each benchmark, at each level, with or without the spread between
areas (`cohort.pagemodels.fairness`). From those, `MapModel.colouring` makes the colouring the page's selectboxes
choose (colours, legend, tooltips and table), and `area_panel` the panel of the unit a viewer clicks or chooses
(tiles, classes, trends, series per quarter), each on demand and cached by the view: with 10,000 units, all 29
colourings and a Plotly panel for every unit up front took minutes and gigabytes. The numbers are the same release
counts either way.
Hidden values are grey on the map and read "×" (a count) or "—*" (a rate) in the tooltip, the panel and tables;
a class that would rest on a hidden count is not computed ("—*", white on the map).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from cohort.analysis.metrics import status_expr
from cohort.charts.area import area_series_figure
from cohort.charts.palette import STATUS_LABELS
from cohort.contract import UnitKind
from cohort.fmt import fmt_date, fmt_month
from cohort.links import MapChoice
from cohort.map.boundaries import Division
from cohort.map.deck import STATUS_INDICATOR, ColouredValues, Indicator, colour_values, period_text
from cohort.map.units import (
    MAP_BENCHMARKS,
    MAP_INDICATORS,
    MAP_LEVELS,
    MAP_SPREADS,
    MapIndicator,
    MapLevel,
    MapUnit,
    division_for,
    map_level,
    map_units,
)
from cohort.pagemodels.common import (
    Chart,
    Notice,
    PageInput,
    Rate,
    Table,
    TableColumn,
    Tile,
    count_cell,
    make_table,
    rate_cell,
    signs_note,
    window_text,
)
from cohort.pagemodels.fairness import BENCHMARK_OPTIONS, ComparisonSet, Fairness, fairness, unit_trends
from cohort.privacy.release import Count
from cohort.privacy.rules import HIDDEN_RATE_TEXT, PROTECTED_TEXT, SuppressionRule, explain_hidden_nl

HIDDEN_CLASS = "Verborgen"
NO_DATA_CLASS = "Geen gegevens"
RATE_INDICATORS = ("uitstroom_werk", "klachten")


# --- The model ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapColouring:
    """One way of colouring the map: an indicator, plain or (rates only) by its class against a benchmark."""

    indicator: str  # key of MAP_INDICATORS
    benchmark: str  # key of MAP_BENCHMARKS; "geen" = the value itself
    level: str  # key of MAP_LEVELS (classes only)
    spread: str  # key of MAP_SPREADS (classes only)
    coloured: ColouredValues  # per unit value, tooltip text, colour and class; legend and notes
    table: Table  # the map as a table: one column per fact
    alt: str  # the map's text alternative
    notice: Notice | None  # why many values are hidden, and where more is visible
    method: tuple[str, ...] = ()  # how the classes are made (shown beside the map, in an expander)

    @property
    def compare(self) -> bool:
        return self.benchmark != "geen"


@dataclass(frozen=True)
class AreaPanel:
    """What a click on a unit shows (`area_panel`, for the chosen unit only)."""

    code: str
    title: str  # "Bijlmer Oost (Zuidoost)"
    summary: str  # status on the peildatum and cohort period, one line of Markdown (no names in it)
    tiles: tuple[Tile, ...]  # conversations, persons on welfare
    rate_tiles: dict[str, Tile]  # the rate indicators' values: the chosen one is shown beside the tiles
    chart: Chart | None  # outflow to work per quarter (per month with hiding off)
    notes: tuple[str, ...]  # the legend of the signs under the tiles
    can_filter: bool  # "Filter alle pagina’s op dit gebied" applies to areas only
    class_tiles: dict[tuple[str, str, str, str], Tile] = field(default_factory=dict)  # (indicator, benchmark, …)
    trend_tiles: tuple[Tile, ...] = ()  # outflow to work over the last 6 and 12 months
    released: tuple[Count, ...] = ()  # the counts of the series and the trends (the rest is in MapModel.released)

    def tiles_for(self, indicator: str) -> tuple[Tile, ...]:
        """The number tiles: counts and the chosen rate."""
        rate = self.rate_tiles.get(indicator)
        return self.tiles if rate is None else (*self.tiles, rate)

    def verdicts_for(self, indicator: str, benchmark: str = "geen", level: str = "95", spread: str = "ja"
                     ) -> tuple[Tile, ...]:
        """The words beside the numbers: the chosen rate's class against the benchmark, and the outflow trends."""
        klass = self.class_tiles.get((indicator, benchmark, level, spread))
        return (*([klass] if klass else []), *self.trend_tiles)


@dataclass(frozen=True)
class MapModel:
    level: MapLevel
    level_note: str | None  # level "hele stad" has no map of its own
    division: Division | None  # None: the area codes belong to no known division (no map, the table only)
    division_error: str | None
    indicators: dict[str, MapIndicator]
    benchmarks: dict[str, str]  # the "Vergelijk met" options (MAP_BENCHMARKS)
    levels: dict[str, str]  # MAP_LEVELS
    spreads: dict[str, str]  # MAP_SPREADS
    # What `colouring` and `area_panel` build a colouring and a unit's panel from, on demand: with 10,000 units,
    # 29 colourings of 10,000 rows each up front took most of the page's first view, for one shown at a time.
    rule: SuppressionRule
    definitions: dict[str, str]  # per indicator: what its value is, over which months
    compared_definitions: dict[tuple[str, str], str]  # per (rate indicator, benchmark)
    units: dict[str, MapUnit]  # by unit code (area code, or stadsdeel letter), in the map's order
    numbers: dict[str, UnitNumbers]
    fair: Fairness  # the classes of every unit (no trends: `area_panel` gets the chosen unit's own)
    groups: Table | None  # the target groups beside the map (None when the selection has none)
    click_hint: str
    captions: tuple[str, ...]  # under the map table: windows and the city's value
    released: tuple[Count, ...]
    # The page's keyboard alternative to a click on the map: unit code -> option (the URL token), by name.
    choices: dict[str, str]
    choice_label: str  # "Gebied", or "Stadsdeel" at that level

    def colouring(self, indicator: str, benchmark: str = "geen", level: str = "95", spread: str = "ja"
                  ) -> MapColouring:
        """The colouring for the page's widgets (a benchmark applies to rates only; unknown keys give defaults).

        Built on each call (the view caches it: `cohort.ui.models.map_colouring`)."""
        spec = self.indicators.get(indicator, self.indicators["status"])
        if not spec.is_rate or benchmark not in BENCHMARK_OPTIONS:
            return _colouring(self, spec)
        compared = self.fair.comparisons[(spec.key, benchmark, level if level in MAP_LEVELS else "95",
                                          spread if spread in MAP_SPREADS else "ja")]
        colouring = _colouring(self, spec, compared)
        coloured = colouring.coloured
        # Beside the map: the benchmark, the spread and the multiple-comparison caveat; the method in full in the
        # expander under them.
        coloured = ColouredValues(coloured.indicator, coloured.values, coloured.legend,
                                  (*coloured.notes, self.fair.caveat))
        return dataclasses.replace(colouring, coloured=coloured, method=self.fair.method_for(spec.key))

    @property
    def colouring_keys(self) -> tuple[tuple[str, str, str, str], ...]:
        """Every (indicator, benchmark, level, spread) the page's widgets can choose."""
        plain = tuple((key, "geen", "95", "ja") for key in self.indicators)
        return (*plain, *(key for key in self.fair.comparisons if self.indicators[key[0]].is_rate))

    def shown_tables(self, colouring: MapColouring, panel: AreaPanel | None) -> tuple[Table, ...]:
        """The tables of the view as shown (for its open-data zip): the map, the target groups, the panel's."""
        tables = [colouring.table, *([self.groups] if self.groups is not None else [])]
        if panel is not None and panel.chart is not None and panel.chart.table is not None:
            tables.append(panel.chart.table)
        return tuple(tables)

    def shown_counts(self, panel: AreaPanel | None) -> tuple[Count, ...]:
        """Every count the view rests on (for its open-data zip): the map's, and the shown panel's."""
        return (*self.released, *(panel.released if panel is not None else ()))


# --- Numbers per unit ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitNumbers:
    """One unit's counts over the page's windows, and the rates made of them."""

    conversations: Count  # over the window
    persons: Count  # stock at the peildatum
    outflow: Rate  # uitstroom_werk per 1,000 person-months, over the window
    complaints: Rate  # klachten per 1,000 conversations, over the complaint window

    def counts(self) -> tuple[Count, ...]:
        return (self.conversations, self.persons, self.outflow.events, self.outflow.exposure,
                self.complaints.events, self.complaints.exposure)

    def rate(self, key: str) -> Rate:
        return self.outflow if key == "uitstroom_werk" else self.complaints

    def value(self, key: str) -> tuple[float | None, str]:
        """(number for classes and the table, its text) of one indicator; (None, "") for status."""
        if key == "status":
            return None, ""
        if key in RATE_INDICATORS:
            return rate_cell(self.rate(key), MAP_INDICATORS[key].decimals)
        count = self.conversations if key == "gesprekken" else self.persons
        value, text = count_cell(count)
        return (None if value is None else float(value)), text


def _numbers(page_input: PageInput, codes: Sequence[str],
             windows: tuple[tuple[date, date] | None, tuple[date, date] | None] | None = None) -> UnitNumbers:
    """`windows`: (the window, the complaint window), worked out once for many units (else here)."""
    window, complaint_window = windows or (page_input.window("gesprekken"), page_input.window("klachten"))
    release = page_input.release  # once: `PageInput.count` looks it up for every count (seconds at 10,000 units)

    def count(measure: str, months: tuple[date, date] | None) -> Count:
        return Count(None, "unavailable") if months is None else release.count(measure, codes, *months)

    return UnitNumbers(
        conversations=count("gesprekken", window),
        persons=release.stock("bijstand", codes, page_input.selection.peildatum_month),
        outflow=Rate.of(count("uitstroom_werk", window), count("bijstand", window)),
        complaints=Rate.of(count("klachten", complaint_window), count("gesprekken", complaint_window)),
    )


def _tooltip_text(numbers: UnitNumbers, key: str) -> str:
    value, text = numbers.value(key)
    spec = MAP_INDICATORS[key]
    return f"{text} {spec.unit}" if spec.is_rate and value is not None else text


def _is_sign(text: str) -> bool:
    return text in (PROTECTED_TEXT, HIDDEN_RATE_TEXT)


# --- Colourings ------------------------------------------------------------------------------------------------


def _indicator(spec: MapIndicator, compared: ComparisonSet | None) -> Indicator:
    if spec.key == "status":
        return STATUS_INDICATOR
    if compared is not None:
        return Indicator("classes", f"{spec.label} t.o.v. {MAP_BENCHMARKS[compared.benchmark].lower()}", "",
                         spec.decimals)
    return Indicator("sequential", spec.label, spec.unit, spec.decimals)


def _definition(spec: MapIndicator, page_input: PageInput) -> str:
    window, complaint_window = page_input.window("gesprekken"), page_input.window("klachten")
    return {
        "status": f"Status op de peildatum ({fmt_date(page_input.selection.peildatum)}).",
        "uitstroom_werk": "Uitstroom naar werk per 1.000 personen in de bijstand per maand (uitstroom gedeeld door "
                          f"de som van de personen in de bijstand per maand), {window_text(window)}.",
        "klachten": f"Klachten per 1.000 gesprekken, {window_text(complaint_window)} (klachten tellen per half jaar).",
        "gesprekken": f"Gesprekken, {window_text(window)}.",
        "bijstand": f"Personen in de bijstand op de peildatum ({fmt_month(page_input.selection.peildatum_month)}).",
    }[spec.key]


def _compared_definition(benchmark: str, spec: MapIndicator, page_input: PageInput) -> str:
    window = window_text(page_input.window(spec.key))
    if benchmark == "stad":
        return f"{_definition(spec, page_input)} Vergeleken met alle gebieden van Amsterdam samen, zelfde periode."
    if benchmark == "vergelijking":
        return (f"{spec.label} per 1.000 per maand in de eigen cohortmaanden ({window}), vergeleken met de "
                "gebieden zonder lopend cohort (nog niet gestart of zonder cohort) in die maanden samen.")
    return (f"{spec.label} per 1.000 per maand in de eigen cohortmaanden, vergeleken met de eigen maanden vóór de "
            f"start ({window}).")


def _colouring(model: MapModel, spec: MapIndicator, compared: ComparisonSet | None = None) -> MapColouring:
    """One colouring: the value itself (sequential classes, or status), or with `compared` the class of each unit."""
    units, numbers, level, rule = list(model.units.values()), model.numbers, model.level, model.rule
    rows = []
    for unit in units:
        value, _ = numbers[unit.code].value(spec.key)
        text = _tooltip_text(numbers[unit.code], spec.key)
        klass = None
        if compared is not None:
            unit_class = compared.classes[unit.code]
            value, text = rate_cell(unit_class.value, spec.decimals)
            if unit_class.value.value is not None:
                text = f"{text} {spec.unit}"
            text = f"{text} · {unit_class.label}"
            klass = unit_class.colour_key
        rows.append({"code": unit.code, "naam": unit.naam, "stadsdeel": unit.stadsdeel, "status": unit.status.value,
                     "start": unit.start, "eind": unit.eind, "value": value, "value_text": text, "class_key": klass})
    frame = pl.DataFrame(rows, schema={"code": pl.String, "naam": pl.String, "stadsdeel": pl.String,
                                       "status": pl.String, "start": pl.Date, "eind": pl.Date, "value": pl.Float64,
                                       "value_text": pl.String, "class_key": pl.String})
    coloured = colour_values(frame, _indicator(spec, compared))
    if compared is not None:
        coloured = ColouredValues(coloured.indicator, coloured.values, coloured.legend,
                                  (compared.benchmark_line, *compared.notes))
    classes = dict(zip(coloured.values.get_column("code").to_list(), coloured.values.get_column("klasse").to_list(),
                       strict=True))
    per = "stadsdeel" if level == "stadsdeel" else "gebied"
    columns = [TableColumn("code", "Code", "text"),
               TableColumn("naam", "Stadsdeel" if level == "stadsdeel" else "Gebied", "text")]
    if level == "gebied":
        columns.append(TableColumn("stadsdeel", "Stadsdeel", "text"))
    columns += [TableColumn("status", "Status", "text", help=model.definitions["status"]),
                TableColumn("periode", "Cohortperiode", "text")]
    if compared is not None:
        definition = model.compared_definitions[(spec.key, compared.benchmark)]
        columns += [TableColumn("waarde", f"{spec.label} per 1.000", "number", help=definition,
                                decimals=spec.decimals),
                    TableColumn("maatstaf", "Maatstaf per 1.000", "number", help=compared.benchmark_line,
                                decimals=spec.decimals),
                    TableColumn("klasse", "Vergelijking", "text",
                                help="De kleur op de kaart: hoger, lager of niet te onderscheiden (zie de legenda).")]
    elif spec.key != "status":  # one column per fact: with status colouring the class is the status itself
        # Short headers, so the table fits beside long area names; the full definition is the column's help and
        # the table's first note.
        label = f"{spec.label} per 1.000" if spec.is_rate else spec.label
        columns += [TableColumn("waarde", label, "number", help=model.definitions[spec.key], decimals=spec.decimals),
                    TableColumn("klasse", "Kleur", "text", help="De klasse van de kleur op de kaart (zie de legenda).")]
    table_rows = []
    for unit in units:
        value, text = numbers[unit.code].value(spec.key)
        klasse = classes[unit.code] or (HIDDEN_CLASS if _is_sign(text) else NO_DATA_CLASS)
        extra: dict[str, tuple[object, str]] = {}
        if compared is not None:
            unit_class = compared.classes[unit.code]
            value, text = rate_cell(unit_class.value, spec.decimals)
            klasse = unit_class.label
            extra["maatstaf"] = rate_cell(unit_class.reference, spec.decimals)
        plain = {"code": unit.code, "naam": unit.naam, "stadsdeel": unit.stadsdeel,
                 "status": STATUS_LABELS[unit.status], "periode": period_text(unit.start, unit.eind), "klasse": klasse}
        table_rows.append({**{name: (text_value, text_value) for name, text_value in plain.items()},
                           "waarde": (value, text), **extra})
    label = "status" if spec.key == "status" else spec.label.lower()
    notes = [model.definitions[spec.key]] + ([] if spec.key == "status" else [signs_note(rule)])
    stem = f"kaart_{spec.key}"
    if compared is not None:
        notes = [model.compared_definitions[(spec.key, compared.benchmark)], compared.benchmark_line, *compared.notes,
                 signs_note(rule),
                 "—* bij Vergelijking: niet vergeleken, omdat een aantal waarop de vergelijking rust verborgen is "
                 "(ook een kleur zou het verraden); — : geen gegevens om te vergelijken."]
        stem = f"kaart_{spec.key}_{compared.benchmark}_{compared.level}{'' if compared.spread == 'ja' else '_poisson'}"
    table = make_table(f"Kaart: {label} per {per}", stem, columns, table_rows, notes)
    versus = f" ten opzichte van {MAP_BENCHMARKS[compared.benchmark].lower()}" if compared is not None else ""
    alt = (f"Kaart van Amsterdam per {per}, gekleurd naar {label}{versus}. Dezelfde cijfers staan in de tabel onder "
           "de kaart.")
    hidden = sum(_is_sign(numbers[unit.code].value(spec.key)[1]) for unit in units)
    why = explain_hidden_nl(rule, hidden_cells=hidden, total_cells=len(units), per_month=False,
                            level="stadsdeel" if level == "stadsdeel" else "eenheid")
    notice = Notice("info", why) if why else None
    if compared is not None and not compared.applicable:
        notice = Notice("info", compared.benchmark_line)
    if compared is None:
        return MapColouring(spec.key, "geen", "95", "ja", coloured, table, alt, notice)
    return MapColouring(spec.key, compared.benchmark, compared.level, compared.spread, coloured, table, alt, notice)


# --- The area panel ---------------------------------------------------------------------------------------------


def _series(page_input: PageInput, unit: MapUnit) -> tuple[Chart | None, list[Count]]:
    """Outflow to work per 1,000 per month for each quarter of the window (months with hiding off)."""
    window = page_input.window("uitstroom_werk")
    release = page_input.release
    if window is None:
        return None, []
    leaves = [leaf for leaf in release.lattice.leaves if window[0] <= leaf.first and leaf.last <= window[1]]
    grain = "maand" if release.lattice.finest == "maand" else "kwartaal"
    rates = [Rate.of(release.count("uitstroom_werk", unit.members, leaf.first, leaf.last),
                     release.count("bijstand", unit.members, leaf.first, leaf.last)) for leaf in leaves]
    hovers = [f"{leaf.label}: {rate.text()} per 1.000 per maand" if rate.value is not None
              else f"{leaf.label}: {rate.text()}{' (verborgen)' if rate.hidden else ''}"
              for leaf, rate in zip(leaves, rates, strict=True)]
    title = f"{unit.naam}: uitstroom naar werk per {grain}"
    figure = area_series_figure([leaf.first for leaf in leaves], [rate.value for rate in rates], hovers, title=title,
                                cohort_start=unit.start, cohort_end=unit.eind, last=window[1])
    columns = (TableColumn("periode", grain.capitalize(), "text"),
               TableColumn("uitstroom_werk", "Uitstroom naar werk (aantal)"),
               TableColumn("persoonsmaanden", "Personen in de bijstand, opgeteld over de maanden",
                           help="De noemer: per maand het aantal personen in de bijstand, opgeteld."),
               TableColumn("per_1000", "Uitstroom naar werk per 1.000 per maand", decimals=1))
    rows = [{"periode": (leaf.label, leaf.label), "uitstroom_werk": count_cell(rate.events),
             "persoonsmaanden": count_cell(rate.exposure), "per_1000": rate_cell(rate)}
            for leaf, rate in zip(leaves, rates, strict=True)]
    table = make_table(title, f"verloop_{unit.code}", columns, rows, (signs_note(page_input.rule),))
    captions = ["Per 1.000 personen in de bijstand per maand; het gekleurde vlak is de cohortperiode."]
    if any(rate.hidden for rate in rates):
        captions.append(f"Een onderbreking in de lijn is een verborgen {grain} ({HIDDEN_RATE_TEXT}): het aantal is "
                        "klein, of verborgen zodat een klein aantal niet terug te rekenen is.")
    chart = Chart(title, figure, table, tuple(captions),
                  alt=f"Lijn van de uitstroom naar werk in {unit.naam} per {grain}.")
    return chart, [count for rate in rates for count in (rate.events, rate.exposure)]


def area_panel(page_input: PageInput, model: MapModel, code: str | None) -> AreaPanel | None:
    """The panel of unit `code` of `model` (built by `map_model` from the same `page_input`); None for no unit
    or a code that is not on the map."""
    unit = model.units.get(code) if code is not None else None
    if unit is None:
        return None
    level, numbers, fair = model.level, model.numbers[unit.code], model.fair
    chart, series_counts = _series(page_input, unit)
    window, complaint_window = page_input.window("gesprekken"), page_input.window("klachten")
    period = period_text(unit.start, unit.eind) if unit.start else "geen"
    summary = (f"Status op de peildatum ({fmt_date(page_input.selection.peildatum)}): "
               f"**{STATUS_LABELS[unit.status]}** · Cohortperiode"
               f"{' (eerste start tot laatste eind van de gebieden)' if level == 'stadsdeel' else ''}: **{period}**")
    tiles = (
        Tile("Gesprekken", numbers.conversations.text, f"{window_text(window).capitalize()}."),
        Tile("Personen in de bijstand", numbers.persons.text,
             f"Op de peildatum, {fmt_month(page_input.selection.peildatum_month)}."),
    )
    outflow, complaints = numbers.outflow, numbers.complaints
    rate_tiles = {
        "uitstroom_werk": Tile("Uitstroom naar werk", outflow.text(),
                               f"Per 1.000 personen in de bijstand per maand, {window_text(window)}"
                               + (f"; 95%-interval {outflow.interval_text()}." if outflow.value is not None else ".")),
        "klachten": Tile("Klachten per 1.000 gesprekken", complaints.text(2), (
            f"{complaints.events.text} klachten op {complaints.exposure.text} gesprekken, "
            f"{window_text(complaint_window)}; 95%-interval {complaints.interval_text(2)}."
            if complaints.value is not None else f"{window_text(complaint_window).capitalize()}.")),
    }
    title = f"{unit.naam} ({unit.stadsdeel})" if level == "gebied" and unit.stadsdeel else unit.naam
    class_tiles: dict[tuple[str, str, str, str], Tile] = {}
    for measure, benchmark, class_level, spread in fair.comparisons:
        # This unit's class only: the whole set (every unit) is made when a colouring asks for it.
        unit_class = fair.comparison_for([unit.code], measure, benchmark, class_level, spread).classes[unit.code]
        class_tiles[(measure, benchmark, class_level, spread)] = Tile(
            f"Vergeleken met {MAP_BENCHMARKS[benchmark].lower()}", unit_class.label, unit_class.text)
    trends, trend_counts = unit_trends(page_input, unit.code, unit.members)
    trend_tiles = tuple(Tile(f"Trend uitstroom, laatste {trend.months} maanden", trend.label, trend.text)
                        for trend in trends)
    return AreaPanel(unit.code, title, summary, tiles, rate_tiles, chart, (signs_note(page_input.rule),),
                     can_filter=level == "gebied", class_tiles=class_tiles, trend_tiles=trend_tiles,
                     released=(*series_counts, *trend_counts))


# --- Target groups --------------------------------------------------------------------------------------------


def _groups_table(page_input: PageInput) -> tuple[Table | None, list[Count]]:
    """The city-wide target groups beside the map, on the same windows as every other page."""
    groups = page_input.units.filter(pl.col("soort") == UnitKind.TARGET_GROUP)
    if groups.height == 0:
        return None, []
    groups = groups.with_columns(status_expr(page_input.selection.peildatum)).sort("naam")
    window, complaint_window = page_input.window("gesprekken"), page_input.window("klachten")
    rows: list[dict[str, Any]] = []
    released: list[Count] = []
    for group in groups.iter_rows(named=True):
        numbers = _numbers(page_input, [group["code"]])
        released += numbers.counts()
        status = STATUS_LABELS[group["status"]]
        rows.append({"naam": (group["naam"], group["naam"]), "status": (status, status),
                     "gesprekken": count_cell(numbers.conversations), "klachten": count_cell(numbers.complaints.events),
                     "werk_per_1000": rate_cell(numbers.outflow), "bijstand": count_cell(numbers.persons)})
    columns = (
        TableColumn("naam", "Doelgroep", "text"),
        TableColumn("status", "Status", "text", help=f"Op de peildatum, {fmt_date(page_input.selection.peildatum)}."),
        TableColumn("gesprekken", "Gesprekken", help=f"{window_text(window).capitalize()}."),
        TableColumn("klachten", "Klachten", help=f"{window_text(complaint_window).capitalize()}."),
        TableColumn("werk_per_1000", "Uitstroom naar werk per 1.000 per maand", decimals=1,
                    help=f"{window_text(window).capitalize()}."),
        TableColumn("bijstand", "Personen in de bijstand", help="Op de peildatum."),
    )
    notes = (_windows_note(page_input), signs_note(page_input.rule))
    return make_table("Stedelijke doelgroepen", "kaart_doelgroepen", columns, rows, notes), released


def _windows_note(page_input: PageInput) -> str:
    window, complaint_window = page_input.window("gesprekken"), page_input.window("klachten")
    stock = f"personen in de bijstand op de peildatum ({fmt_month(page_input.selection.peildatum_month)})"
    if complaint_window == window:
        return f"Gesprekken, uitstroom en klachten: {window_text(window)}; {stock}."
    return (f"Gesprekken en uitstroom: {window_text(window)}; klachten: {window_text(complaint_window)} (klachten "
            f"tellen per half jaar); {stock}.")


# --- The page -------------------------------------------------------------------------------------------------


def _numbers_of(page_input: PageInput, groups: Sequence[Sequence[str]],
                windows: tuple[tuple[date, date] | None, tuple[date, date] | None]) -> list[UnitNumbers]:
    """`[_numbers(page_input, group, windows) for group in groups]`, the counts of all groups taken together
    (`Release.counts`; 60,000 counts at 10,000 units)."""
    window, complaint_window = windows
    release = page_input.release

    def counts(measure: str, months: tuple[date, date] | None) -> list[Count]:
        if months is None:
            return [Count(None, "unavailable")] * len(groups)
        return release.counts(measure, groups, *months)

    talks, work = counts("gesprekken", window), counts("uitstroom_werk", window)
    person_months = counts("bijstand", window)
    complaints, complaint_talks = counts("klachten", complaint_window), counts("gesprekken", complaint_window)
    persons = release.stocks("bijstand", groups, page_input.selection.peildatum_month)
    return [UnitNumbers(conversations=talks[i], persons=persons[i], outflow=Rate.of(work[i], person_months[i]),
                        complaints=Rate.of(complaints[i], complaint_talks[i]))
            for i in range(len(groups))]


def map_model(page_input: PageInput) -> MapModel:
    selection = page_input.selection
    level = map_level(selection.level)
    units = map_units(page_input.units, selection.peildatum, level)
    division = division_for(page_input.units, level)
    released: list[Count] = []

    windows = (page_input.window("gesprekken"), page_input.window("klachten"))
    numbers = dict(zip([unit.code for unit in units], _numbers_of(page_input, [u.members for u in units], windows),
                       strict=True))
    for unit_numbers in numbers.values():
        released += unit_numbers.counts()
    # The city: all areas of the dataset, whatever the filters (the reference of the "stedelijk gemiddelde" benchmark).
    city_node = page_input.release.city
    city_numbers = _numbers(page_input, sorted(city_node.leaves) if city_node is not None else [])
    released += city_numbers.counts()
    city = {key: city_numbers.rate(key) for key in RATE_INDICATORS}

    fair = fairness(page_input, [(unit.code, unit.members) for unit in units], level, with_trends=False)
    released += fair.released

    groups, group_counts = _groups_table(page_input)
    released += group_counts

    grain = "maand" if page_input.lattice.finest == "maand" else "kwartaal"
    city_outflow = city["uitstroom_werk"]
    city_text = (f"{city_outflow.text()} per 1.000 per maand" if city_outflow.value is not None
                 else city_outflow.text())
    captions = (
        _windows_note(page_input),
        f"Uitstroom naar werk in alle gebieden van Amsterdam samen (het stadsgemiddelde): {city_text}.",
    )
    return MapModel(
        level=level,
        level_note="Niveau ‘hele stad’ heeft geen kaart; de kaart toont de gebieden." if selection.level == "stad"
        else None,
        division=division,
        division_error=None if division is not None else (
            "De codes van de gebieden in deze dataset horen niet bij een bekende gebiedsindeling "
            "(DX01–DX22, GA01–GS25 of stadsdelen). De cijfers staan in de tabel hieronder."),
        indicators=dict(MAP_INDICATORS),
        benchmarks=dict(MAP_BENCHMARKS),
        levels=dict(MAP_LEVELS),
        spreads=dict(MAP_SPREADS),
        rule=page_input.rule,
        definitions={key: _definition(spec, page_input) for key, spec in MAP_INDICATORS.items()},
        compared_definitions={(measure, benchmark): _compared_definition(benchmark, MAP_INDICATORS[measure], page_input)
                              for measure, benchmark, *_ in fair.comparisons if MAP_INDICATORS[measure].is_rate},
        units={unit.code: unit for unit in units},
        numbers=numbers,
        fair=fair,
        groups=groups,
        click_hint=f"Klik op een {'stadsdeel' if level == 'stadsdeel' else 'gebied'} voor de cijfers en het verloop "
                   f"per {grain}.",
        captions=captions,
        released=tuple(released),
        choices=_choices(units, level),
        choice_label="Stadsdeel" if level == "stadsdeel" else "Gebied",
    )


def _choices(units: Sequence[MapUnit], level: MapLevel) -> dict[str, str]:
    """What a click on the map can select, as options: every unit with a shape (a code), sorted by name."""
    labels = {unit.code: MapChoice(unit.code, unit.naam, level == "stadsdeel").label for unit in units if unit.code}
    return dict(sorted(labels.items(), key=lambda item: item[1].casefold()))
