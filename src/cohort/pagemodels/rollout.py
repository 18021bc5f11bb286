"""Page model of "Uitrol per gebied": the rollout timeline and one row per unit on the peildatum.

Counts per unit come from the release (`cohort.privacy.release`), the same cells every page uses: conversations over
the selection's window up to the peildatum, complaints over the complaints' window (whole half years), outflow
to work over the unit's own cohort months in the window, persons on welfare at the peildatum month. Beside
them each area's class against a benchmark and the outflow trends (`cohort.pagemodels.fairness`, the same as on
the Kaart page) for the benchmark, level and spread the viewer chose.

The model holds the timeline and the rows' public facts; the table's cells are made per page of
`UNIT_PAGE_ROWS` rows and per choice (`unit_page`, cached by the view), and the whole table only for a download
(`unit_table`). Each row's cells rest on its own counts and on the classes' fixed benchmark and spread, so a page
holds exactly the cells of those rows of the whole table. With 10,000 units, every unit's trends and 12 whole
tables up front took 46 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import plotly.graph_objects as go
import polars as pl

from cohort.analysis.metrics import with_status
from cohort.analysis.rollout import never_started, timeline_rows
from cohort.charts.palette import STATUS_LABELS
from cohort.charts.rollout import rollout_timeline_figure
from cohort.contract import STATUS_ORDER, Status, UnitKind
from cohort.fmt import MISSING, fmt_date, fmt_int, fmt_month
from cohort.map.units import MAP_BENCHMARKS, MAP_LEVELS, MAP_SPREADS
from cohort.pagemodels.common import (
    MAX_CHART_UNITS,
    Chart,
    PageInput,
    Rate,
    Table,
    TableColumn,
    chart_subset_note,
    count_cell,
    make_table,
    rate_cell,
    signs_note,
    window_text,
)
from cohort.pagemodels.fairness import (
    BENCHMARK_OPTIONS,
    ComparisonSet,
    Fairness,
    UnitTrend,
    fairness,
    trends_of,
)
from cohort.plaintext import markdown_literal
from cohort.privacy.release import Count

KIND_LABELS = {UnitKind.AREA.value: "Gebied", UnitKind.TARGET_GROUP.value: "Doelgroep"}

UNIT_COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("naam", "Naam", "text"),
    TableColumn("code", "Code", "text"),
    TableColumn("soort", "Soort", "text"),
    TableColumn("stadsdeel", "Stadsdeel", "text", "— bij een stedelijke doelgroep (stadsbreed)."),
    TableColumn("status", "Status op peildatum", "text"),
    TableColumn("start", "Start", "date"),
    TableColumn("eind", "Eind", "date", "— : nog geen einddatum."),
    TableColumn("cohortmaanden", "Cohortmaanden", "number",
                "Maanden in de cohortperiode tot en met de peildatum (binnen de gekozen periode)."),
    TableColumn("gesprekken", "Gesprekken", "number"),
    TableColumn("klachten", "Klachten", "number", "Geteld over hele halve jaren (zie de toelichting)."),
    TableColumn("klachten_per_1000", "Klachten per 1.000 gesprekken", "number",
                "Klachten gedeeld door de gesprekken van dezelfde maanden.", decimals=2),
    TableColumn("werk_per_1000", "Uitstroom naar werk per 1.000 (cohortmaanden)", "number",
                "Per 1.000 personen in de bijstand per maand, over de eigen cohortmaanden tot en met de "
                "peildatum.", decimals=1),
    TableColumn("bijstand", "In de bijstand op peildatum", "number",
                "Personen in de bijstand aan het eind van de peildatummaand."),
)


UNIT_PAGE_ROWS = 50  # rows of the unit table per page: classes and trends are made for the rows shown only


@dataclass(frozen=True)
class UnitPage:
    """Some rows of the unit table, for one choice of benchmark, level and spread (`unit_page`, `unit_table`)."""

    table: Table
    number: int  # the page, from 1
    pages: int
    first: int  # the index of its first row among all rows, from 0
    total: int  # rows of the whole table
    released: tuple[Count, ...]  # the counts of these rows: numbers, classes' own counts, trends

    @property
    def caption(self) -> str:
        last = self.first + self.table.height
        return (f"Rijen {fmt_int(self.first + 1)} tot en met {fmt_int(last)} van {fmt_int(self.total)}. Een klik op "
                "een kolomkop sorteert deze rijen; de downloads bevatten alle rijen.")


@dataclass(frozen=True)
class RolloutModel:
    peildatum: date
    summary: str  # "Op de peildatum 30 juni 2021: 7 afgerond, 6 actief, 9 gepland (gebieden; …)."
    timeline: Chart | None  # None when no unit in the selection has a cohort period
    timeline_notes: tuple[str, ...]
    units_caption: str
    briefing_units: dict[str, str]  # code -> "Naam (code)": the units a briefing can be made for
    released: tuple[Count, ...]  # the counts of every class (all units, every choice); the rows' own: UnitPage
    # The rows of the unit table, in the table's order: public facts (names, status, dates), no counts. Their
    # numbers, classes and trends are made per page a viewer looks at (`unit_page`): with 10,000 units the
    # per-unit trends and 12 tables with every unit took 46 s for a page that shows 50 rows at a time.
    unit_rows: tuple[dict, ...] = ()
    fair: Fairness | None = None
    table_title: str = ""
    table_notes: tuple[str, ...] = ()
    benchmarks: dict[str, str] = field(default_factory=dict)  # the "Vergelijk met" options
    levels: dict[str, str] = field(default_factory=dict)
    spreads: dict[str, str] = field(default_factory=dict)
    method_notes: tuple[str, ...] = ()  # how classes and trends are made, and the multiple-comparison caveat

    @property
    def pages(self) -> int:
        """Pages of the unit table (at least 1)."""
        return max(1, -(-len(self.unit_rows) // UNIT_PAGE_ROWS))

    @property
    def page_numbers(self) -> list[int]:
        return list(range(1, self.pages + 1))


BENCHMARK_SHORT = {"stad": "stad", "vergelijking": "vergelijkingsgebieden", "voor_start": "vóór de start"}


def _fair_columns(benchmark: str, fair: Fairness) -> tuple[TableColumn, ...]:
    grain = "kwartalen" if fair.trend_grain == "kwartaal" else "maanden"
    return (
        TableColumn("vergelijking_werk", f"Uitstroom t.o.v. {BENCHMARK_SHORT[benchmark]}", "text",
                    f"Uitstroom naar werk vergeleken met {MAP_BENCHMARKS[benchmark].lower()} (zie de toelichting): "
                    "hoger, lager of niet te onderscheiden."),
        TableColumn("vergelijking_klachten", "Klachten t.o.v. stad", "text",
                    "Klachten per 1.000 gesprekken vergeleken met het stedelijk gemiddelde (klachten hebben geen "
                    "vergelijkingsgroep)."),
        TableColumn("trend_werk_6", "Trend uitstroom 6 mnd", "text",
                    f"Uitstroom naar werk in de laatste 6 maanden tot en met de peildatum ({grain})."),
        TableColumn("trend_werk_12", "Trend uitstroom 12 mnd", "text",
                    f"Uitstroom naar werk in de laatste 12 maanden tot en met de peildatum ({grain})."),
    )


def _fair_cells(code: str, is_area: bool, outflow: ComparisonSet, complaints: ComparisonSet,
                trends: dict[tuple[str, int], UnitTrend]) -> dict[str, tuple[object, str]]:
    cells: dict[str, tuple[object, str]] = {}
    for name, compared in (("vergelijking_werk", outflow), ("vergelijking_klachten", complaints)):
        unit_class = compared.classes.get(code) if is_area else None
        text = unit_class.label if unit_class is not None else MISSING
        cells[name] = (text, text)
    for months in (6, 12):
        trend = trends.get((code, months))
        text = trend.label if trend is not None else MISSING
        cells[f"trend_werk_{months}"] = (text, text)
    return cells


def _status_summary(units: pl.DataFrame, peildatum: date) -> str:
    areas = with_status(units.filter(pl.col("soort") == UnitKind.AREA), peildatum)
    found = dict(areas.get_column("status").value_counts().iter_rows())
    parts = ", ".join(f"{fmt_int(found.get(s.value, 0))} {STATUS_LABELS[s].lower()}" for s in STATUS_ORDER
                      if s != Status.NEVER)
    return f"Op de peildatum {fmt_date(peildatum)}: {parts} (gebieden; doelgroepen staan apart)."


CAPTION_NAMES = 10  # a caption names at most this many units (10,000 names made a caption of pages)


def _plain_names(units: pl.DataFrame) -> str:
    """Unit names from an upload inside a caption (Markdown): plain text (cohort.plaintext); beyond
    `CAPTION_NAMES` the rest are counted, the table under the chart lists them all."""
    names = [markdown_literal(name) for name in units.get_column("naam").head(CAPTION_NAMES)]
    rest = units.height - len(names)
    return ", ".join(names) + (f" en {fmt_int(rest)} andere (zie de tabel bij de grafiek)" if rest else "")


def _timeline(page_input: PageInput, units: pl.DataFrame) -> tuple[Chart | None, tuple[str, ...]]:
    selection, dataset = page_input.selection, page_input.dataset
    rows = timeline_rows(units, selection.peildatum, dataset.last_month)
    if rows.is_empty():
        return None, ()
    notes = ["Kleur = status op de peildatum."]
    open_ended = rows.filter(pl.col("open_einde"))
    if open_ended.height:
        notes.append(
            f"Gearceerd = nog geen einddatum ({_plain_names(open_ended)}): getekend tot "
            f"het eind van de data ({fmt_month(dataset.last_month)})."
        )
    never = never_started(units)
    if never.height:
        notes.append(f"Zonder cohortperiode: {_plain_names(never)}.")
    title = "Cohortperiode per gebied en doelgroep"
    columns = (
        TableColumn("naam", "Naam", "text"), TableColumn("code", "Code", "text"),
        TableColumn("status", "Status op peildatum", "text"), TableColumn("start", "Start", "date"),
        TableColumn("eind", "Eind", "date", "— : nog geen einddatum."),
    )
    table_rows = [
        {
            "naam": (row["naam"], row["naam"]), "code": (row["code"], row["code"]),
            "status": (STATUS_LABELS[Status(row["status"])], STATUS_LABELS[Status(row["status"])]),
            "start": (row["start"], fmt_date(row["start"])),
            "eind": (row["eind"], fmt_date(row["eind"]) if row["eind"] else MISSING),
        }
        for row in rows.iter_rows(named=True)
    ]
    table = make_table(title, "uitrol_per_gebied", columns, table_rows, ("— bij Eind: nog geen einddatum.",))
    if rows.height > MAX_CHART_UNITS:
        notes.append(chart_subset_note(MAX_CHART_UNITS, rows.height, "de eerste"))
    figure: go.Figure = rollout_timeline_figure(rows.head(MAX_CHART_UNITS), peildatum=selection.peildatum, title=title)
    chart = Chart(title, figure, table, (" ".join(notes),),
                  alt="Tijdlijn met de cohortperiode van elk gebied en elke doelgroep; dezelfde data staan in de "
                  "tabel.")
    return chart, tuple(notes)


def _cohort_months(unit: dict, first: date, last: date) -> int:
    """Months of the unit's cohort period inside [first, last] (dates are public, so this is no count)."""
    if unit["start"] is None:
        return 0
    start = max(unit["start"].replace(day=1), first)
    end = min(unit["eind"].replace(day=1), last) if unit["eind"] else last
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


def _unit_rows(page_input: PageInput, model: RolloutModel, rows: Sequence[dict]) -> tuple[list[dict], list[Count]]:
    """The number cells of `rows` (counts from the release, as every page takes them)."""
    window = page_input.window("gesprekken")
    complaint_window = page_input.window("klachten")
    peil_month = page_input.selection.peildatum_month
    released: list[Count] = []
    out = []
    for unit in rows:
        code = [unit["code"]]
        talks = page_input.count("gesprekken", code, window)
        complaints = page_input.count("klachten", code, complaint_window)
        complaint_talks = page_input.count("gesprekken", code, complaint_window)
        work = page_input.count("uitstroom_werk", code, window, "cohort")
        person_months = page_input.count("bijstand", code, window, "cohort")
        on_welfare = page_input.release.stock("bijstand", code, peil_month)
        released += [talks, complaints, complaint_talks, work, person_months, on_welfare]
        months = _cohort_months(unit, *window) if window else 0
        status = STATUS_LABELS[Status(unit["status"])]
        out.append({
            "naam": (unit["naam"], unit["naam"]),
            "code": (unit["code"], unit["code"]),
            "soort": (KIND_LABELS[unit["soort"]], KIND_LABELS[unit["soort"]]),
            "stadsdeel": (unit["stadsdeel"] or MISSING, unit["stadsdeel"] or MISSING),
            "status": (status, status),
            "start": (unit["start"], fmt_date(unit["start"]) if unit["start"] else MISSING),
            "eind": (unit["eind"], fmt_date(unit["eind"]) if unit["eind"] else MISSING),
            "cohortmaanden": (months, fmt_int(months)),
            "gesprekken": count_cell(talks),
            "klachten": count_cell(complaints),
            "klachten_per_1000": rate_cell(Rate.of(complaints, complaint_talks), 2),
            "werk_per_1000": rate_cell(Rate.of(work, person_months), 1),
            "bijstand": count_cell(on_welfare),
        })
    return out, released


def _rows_table(page_input: PageInput, model: RolloutModel, rows: Sequence[dict], benchmark: str, level: str,
                spread: str) -> tuple[Table, tuple[Count, ...]]:
    """The unit table of `rows` for one choice: numbers, the classes of the choice and the outflow trends."""
    assert model.fair is not None
    benchmark = benchmark if benchmark in BENCHMARK_OPTIONS else "stad"
    level = level if level in MAP_LEVELS else "95"
    spread = spread if spread in MAP_SPREADS else "ja"
    cells, released = _unit_rows(page_input, model, rows)
    codes = [unit["code"] for unit in rows]
    outflow = model.fair.comparison_for(codes, "uitstroom_werk", benchmark, level, spread)
    complaints = model.fair.comparison_for(codes, "klachten", "stad", level, spread)
    trends, trend_counts = trends_of(page_input, [(code, (code,)) for code in codes])
    variant = [{**row, **_fair_cells(unit["code"], unit["soort"] == UnitKind.AREA.value, outflow, complaints, trends)}
               for unit, row in zip(rows, cells, strict=True)]
    stem = "eenheden_op_peildatum" + ("" if (benchmark, level, spread) == ("stad", "95", "ja") else
                                      f"_{benchmark}_{level}{'' if spread == 'ja' else '_poisson'}")
    table = make_table(
        # The words right after the status, where a reader looks first; the numbers follow.
        model.table_title, stem, (*UNIT_COLUMNS[:5], *_fair_columns(benchmark, model.fair), *UNIT_COLUMNS[5:]),
        variant, model.table_notes)
    return table, (*released, *trend_counts)


def unit_page(page_input: PageInput, model: RolloutModel, benchmark: str = "stad", level: str = "95",
              spread: str = "ja", page: int = 1) -> UnitPage:
    """Page `page` (from 1; out of range: the nearest page) of the unit table for the page's choices (unknown
    choices give the defaults): the same cells as those rows of `unit_table`, made for those rows only."""
    number = min(max(1, page), model.pages)
    first = (number - 1) * UNIT_PAGE_ROWS
    rows = model.unit_rows[first:first + UNIT_PAGE_ROWS]
    table, released = _rows_table(page_input, model, rows, benchmark, level, spread)
    return UnitPage(table, number, model.pages, first, len(model.unit_rows), released)


def unit_table(page_input: PageInput, model: RolloutModel, benchmark: str = "stad", level: str = "95",
               spread: str = "ja") -> UnitPage:
    """The whole unit table (every row) for the page's choices: for downloads. With 10,000 units this takes
    about as long as the model did before pages (the trends of every unit), so only a click on a download asks."""
    table, released = _rows_table(page_input, model, model.unit_rows, benchmark, level, spread)
    return UnitPage(table, 1, 1, 0, len(model.unit_rows), released)


def view_parts(model: RolloutModel, full: UnitPage) -> tuple[tuple[Table, ...], tuple[Count, ...]]:
    """The tables of the view as shown, whole (for its open-data zip: the timeline's and `full`, the whole unit
    table of the chosen comparison, `unit_table`), and every count they rest on."""
    timeline = (model.timeline.table,) if model.timeline is not None and model.timeline.table is not None else ()
    return (*timeline, full.table), (*model.released, *full.released)


def rollout_model(page_input: PageInput) -> RolloutModel:
    selection = page_input.selection
    units = with_status(page_input.units, selection.peildatum).sort(
        pl.col("soort") != UnitKind.AREA, pl.col("start"), pl.col("code"), nulls_last=True)
    timeline, notes = _timeline(page_input, page_input.units)
    window = page_input.window("gesprekken")
    complaint_window = page_input.window("klachten")
    rows = tuple(units.select("code", "naam", "soort", "stadsdeel", "status", "start", "eind").iter_rows(named=True))
    rule = page_input.rule
    notes_table = (
        signs_note(rule),
        "— bij Eind: nog geen einddatum; bij Stadsdeel: stedelijke doelgroep (stadsbreed); bij een cijfer: geen "
        "gesprekken of geen cohortmaanden in de periode.",
    )
    fair = fairness(page_input, [(row["code"], (row["code"],)) for row in rows], "gebied", with_trends=False)
    table_notes = (*notes_table,
                   "Vergelijking en trend: —* = niet berekend, omdat een aantal waarop ze rusten verborgen is (ook een "
                   "klasse of trend zou het verraden); — = geen gegevens om te vergelijken, of een doelgroep (die "
                   "vergelijken we niet met gebieden).", fair.caveat)
    caption = (
        f"Gesprekken en uitstroom van {window_text(window)}; klachten (en klachten per 1.000 gesprekken) van "
        f"{window_text(complaint_window)}: klachten zijn zeldzaam en worden per half jaar geteld. Uitstroom naar "
        "werk over de eigen cohortmaanden tot en met de peildatum (per 1.000 in de bijstand per maand); bijstand = "
        "personen in de bijstand in de peildatummaand. Klik op een kolomkop om te sorteren."
    )
    briefing_units = {row["code"]: f"{row['naam']} ({row['code']})" for row in rows}
    return RolloutModel(selection.peildatum, _status_summary(page_input.units, selection.peildatum), timeline, notes,
                        caption, briefing_units, fair.released, rows, fair,
                        f"Eenheden op {fmt_date(selection.peildatum)}", table_notes,
                        {key: MAP_BENCHMARKS[key] for key in BENCHMARK_OPTIONS}, dict(MAP_LEVELS), dict(MAP_SPREADS),
                        (*fair.method_notes, fair.caveat))
