"""Page model of "Uitrol per gebied": the rollout timeline and one row per unit on the peildatum.

Counts per unit come from the release (`cohort.privacy.release`), the same cells every page uses: conversations over
the selection's window up to the peildatum, complaints over the complaints' window (whole half years), outflow
to work over the unit's own cohort months in the window, persons on welfare at the peildatum month. Beside
them each area's class against a benchmark and the outflow trends (`cohort.pagemodels.fairness`, the same as on
the Kaart page), one table per choice of benchmark, level and spread, so the page's selectboxes only choose.
"""

from __future__ import annotations

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
from cohort.pagemodels.fairness import BENCHMARK_OPTIONS, Fairness, fairness
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


@dataclass(frozen=True)
class RolloutModel:
    peildatum: date
    summary: str  # "Op de peildatum 30 juni 2021: 7 afgerond, 6 actief, 9 gepland (gebieden; …)."
    timeline: Chart | None  # None when no unit in the selection has a cohort period
    timeline_notes: tuple[str, ...]
    units: Table  # with the classes against the city average (95%, with the spread between areas)
    units_caption: str
    briefing_units: dict[str, str]  # code -> "Naam (code)": the units a briefing can be made for
    released: tuple[Count, ...]
    unit_tables: dict[tuple[str, str, str], Table] = field(default_factory=dict)  # (benchmark, level, spread)
    benchmarks: dict[str, str] = field(default_factory=dict)  # the "Vergelijk met" options
    levels: dict[str, str] = field(default_factory=dict)
    spreads: dict[str, str] = field(default_factory=dict)
    method_notes: tuple[str, ...] = ()  # how classes and trends are made, and the multiple-comparison caveat

    def units_for(self, benchmark: str = "stad", level: str = "95", spread: str = "ja") -> Table:
        """The unit table for the page's choices (unknown choices give the default table)."""
        return self.unit_tables.get((benchmark, level, spread), self.units)

    def shown_tables(self, benchmark: str = "stad", level: str = "95", spread: str = "ja") -> tuple[Table, ...]:
        """The tables of the view as shown (for its open-data zip): the timeline's and the unit table."""
        timeline = (self.timeline.table,) if self.timeline is not None and self.timeline.table is not None else ()
        return (*timeline, self.units_for(benchmark, level, spread))


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


def _fair_cells(code: str, is_area: bool, benchmark: str, level: str, spread: str,
                fair: Fairness) -> dict[str, tuple[object, str]]:
    cells: dict[str, tuple[object, str]] = {}
    for name, measure, chosen in (("vergelijking_werk", "uitstroom_werk", benchmark),
                                  ("vergelijking_klachten", "klachten", "stad")):
        unit_class = fair.unit_class(measure, chosen, level, spread, code) if is_area else None
        text = unit_class.label if unit_class is not None else MISSING
        cells[name] = (text, text)
    for months in (6, 12):
        trend = fair.trend(code, months)
        text = trend.label if trend is not None else MISSING
        cells[f"trend_werk_{months}"] = (text, text)
    return cells


def _status_summary(units: pl.DataFrame, peildatum: date) -> str:
    areas = with_status(units.filter(pl.col("soort") == UnitKind.AREA), peildatum)
    found = dict(areas.get_column("status").value_counts().iter_rows())
    parts = ", ".join(f"{fmt_int(found.get(s.value, 0))} {STATUS_LABELS[s].lower()}" for s in STATUS_ORDER
                      if s != Status.NEVER)
    return f"Op de peildatum {fmt_date(peildatum)}: {parts} (gebieden; doelgroepen staan apart)."


def _plain_names(units: pl.DataFrame) -> str:
    """Unit names from an upload inside a caption (Markdown): plain text (cohort.plaintext)."""
    return ", ".join(markdown_literal(name) for name in units.get_column("naam"))


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


def rollout_model(page_input: PageInput) -> RolloutModel:
    selection = page_input.selection
    units = with_status(page_input.units, selection.peildatum).sort(
        pl.col("soort") != UnitKind.AREA, pl.col("start"), pl.col("code"), nulls_last=True)
    timeline, notes = _timeline(page_input, page_input.units)
    window = page_input.window("gesprekken")
    complaint_window = page_input.window("klachten")
    peil_month = selection.peildatum_month
    released: list[Count] = []
    rows = []
    for unit in units.iter_rows(named=True):
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
        rows.append({
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
    rule = page_input.rule
    notes_table = (
        signs_note(rule),
        "— bij Eind: nog geen einddatum; bij Stadsdeel: stedelijke doelgroep (stadsbreed); bij een cijfer: geen "
        "gesprekken of geen cohortmaanden in de periode.",
    )
    fair = fairness(page_input, [(row["code"][0], (row["code"][0],)) for row in rows], "gebied")
    released += fair.released
    table_notes = (*notes_table,
                   "Vergelijking en trend: —* = niet berekend, omdat een aantal waarop ze rusten verborgen is (ook een "
                   "klasse of trend zou het verraden); — = geen gegevens om te vergelijken, of een doelgroep (die "
                   "vergelijken we niet met gebieden).", fair.caveat)
    title = f"Eenheden op {fmt_date(selection.peildatum)}"
    unit_tables: dict[tuple[str, str, str], Table] = {}
    for benchmark in BENCHMARK_OPTIONS:
        for level in MAP_LEVELS:
            for spread in MAP_SPREADS:
                variant = [{**row, **_fair_cells(row["code"][0], row["soort"][0] == KIND_LABELS[UnitKind.AREA.value],
                                                 benchmark, level, spread, fair)} for row in rows]
                stem = "eenheden_op_peildatum" + ("" if (benchmark, level, spread) == ("stad", "95", "ja") else
                                                  f"_{benchmark}_{level}{'' if spread == 'ja' else '_poisson'}")
                unit_tables[(benchmark, level, spread)] = make_table(
                    # The words right after the status, where a reader looks first; the numbers follow.
                    title, stem, (*UNIT_COLUMNS[:5], *_fair_columns(benchmark, fair), *UNIT_COLUMNS[5:]), variant,
                    table_notes)
    table = unit_tables[("stad", "95", "ja")]
    caption = (
        f"Gesprekken en uitstroom van {window_text(window)}; klachten (en klachten per 1.000 gesprekken) van "
        f"{window_text(complaint_window)}: klachten zijn zeldzaam en worden per half jaar geteld. Uitstroom naar "
        "werk over de eigen cohortmaanden tot en met de peildatum (per 1.000 in de bijstand per maand); bijstand = "
        "personen in de bijstand in de peildatummaand. Klik op een kolomkop om te sorteren."
    )
    briefing_units = {row["code"]: f"{row['naam']} ({row['code']})" for row in units.iter_rows(named=True)}
    return RolloutModel(selection.peildatum, _status_summary(page_input.units, selection.peildatum), timeline, notes,
                        table, caption, briefing_units, tuple(released), unit_tables,
                        {key: MAP_BENCHMARKS[key] for key in BENCHMARK_OPTIONS}, dict(MAP_LEVELS), dict(MAP_SPREADS),
                        (*fair.method_notes, fair.caveat))
