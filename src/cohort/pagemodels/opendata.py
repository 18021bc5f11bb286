"""Open data: one zip per view (the tables of a page model) and one for the whole dataset as published.

Nothing here computes a number. A view's bundle holds the page model's tables exactly as the page shows them
(each number column as a number, null when hidden or missing, beside its text with the sign and a
``_verborgen`` flag) and a table ``tellingen`` listing every count the page rests on (the model's `released`)
with the query it answers: measure, units, months, phase. The dataset bundle holds every published cell of the
release (`Release.published`), always under the viewers' rule. So a bundle obeys the same disclosure control as
the screen: it holds what the page or the release shows, and hidden counts only as their sign.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime

import polars as pl

from cohort.fmt import MISSING
from cohort.pagemodels.common import PageInput, Table, signs_note
from cohort.privacy.release import Count, Release, release_for
from cohort.privacy.rules import HIDDEN_RATE_TEXT, PROTECTED_TEXT, SuppressionRule
from cohort.workbook.bundle import BundleMetadata, build_bundle

LICENCE = "CC BY 4.0, Gemeente Amsterdam"
SIGNS = (PROTECTED_TEXT, HIDDEN_RATE_TEXT)
COUNT_DEFINITIONS: dict[str, str] = {
    "maat": "De telling (zie de datadefinities in de Cohortmonitor): bijstand (personen per maand, opgeteld over de "
    "maanden, of als stand aan het eind van een maand), gesprekken, uitstroom, uitstroom_werk, klachten en de "
    "andere tellingen van het datacontract.",
    "eenheden": "De eenheden (codes, gescheiden door komma's) waarover de telling is opgeteld.",
    "eerste_maand": "De eerste maand van de telling.",
    "laatste_maand": "De laatste maand van de telling (bij een stand: de maand waarvan de stand is).",
    "fase": "alle = alle maanden; cohort = de eigen cohortmaanden van de eenheden; vergelijking = maanden van "
    "gebieden zonder lopend cohort (nog niet gestart of nooit); overig = de rest (na het eind, doelgroepen).",
    "stand": "Waar als de telling een stand is (personen aan het eind van de laatste maand), geen optelling.",
    "aantal": "De telling; leeg als ze verborgen is (zie aantal_verborgen en aantal_tekst).",
    "niveau": "eenheid, stadsdeel, stad (alle gebieden samen) of doelgroepen (de stedelijke doelgroepen samen).",
    "naam": "De eenheid, het stadsdeel, of ‘Amsterdam (gebieden)’ / ‘Stedelijke doelgroepen (samen)’.",
}
COUNTS_NOTE = (
    "Alle aantallen komen uit één beschermde set tellingen (de ‘release’), dezelfde voor elke pagina en elke "
    "selectie: een aantal van 1 tot en met 4 is verborgen, en zo nodig meer aantallen zodat het niet uit "
    "totalen terug te rekenen is. Cijfers per 1.000, intervallen, vergelijkingen en trends zijn alleen berekend "
    "uit getoonde aantallen; rust er één op een verborgen aantal, dan is ook dat cijfer verborgen."
)

CLASS_SIGNS_NOTE = ("Bij een vergelijking of trend betekent —* dat die niet berekend is, omdat een aantal waarop "
                    "hij rust verborgen is.")


def _file_name(stem: str) -> str:
    name = re.sub(r"[^a-z0-9_-]+", "_", stem.lower()).strip("_-") or "tabel"
    return name[:64]


def tables_of(model: object) -> Iterator[Table]:
    """Every Table inside a page model (fields, charts, panels, dicts, tuples), each once, in field order."""
    seen: set[int] = set()

    def walk(node: object) -> Iterator[Table]:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, Table):
            yield node
        elif dataclasses.is_dataclass(node) and not isinstance(node, type):
            for item in dataclasses.fields(node):
                yield from walk(getattr(node, item.name))
        elif isinstance(node, dict):
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, tuple | list):
            for value in node:
                yield from walk(value)

    yield from walk(model)


def table_frame(table: Table) -> tuple[pl.DataFrame, dict[str, str]]:
    """The table as shown: text columns as text; number columns as number (null when hidden or missing), its
    text (`<name>_tekst`) and whether it is hidden (`<name>_verborgen`); with a definition per column."""
    columns: list[pl.Series] = []
    definitions: dict[str, str] = {}
    for column in table.columns:
        definition = f"{column.label}." + (f" {column.help}" if column.help else "")
        texts = table.texts.get_column(column.name)
        if column.kind == "text":
            columns.append(texts)
        else:
            columns += [table.values.get_column(column.name), texts.alias(f"{column.name}_tekst"),
                        texts.is_in(SIGNS).alias(f"{column.name}_verborgen")]
        definitions[column.name] = definition
    return pl.DataFrame(columns), definitions


def counts_frame(counts: Sequence[Count]) -> pl.DataFrame:
    """One row per distinct query among `counts` (unpublished ones left out): what each count is the sum of."""
    rows: dict[tuple, tuple] = {}
    for count in counts:
        query = count.query
        if query is None or count.state == "unavailable":
            continue
        key = (query.measure, tuple(sorted(query.codes)), query.first, query.last, query.phase, query.stock)
        rows.setdefault(key, (query.measure, ",".join(sorted(query.codes)), query.first, query.last, query.phase,
                              query.stock, count.value if count.shown else None, count.text, count.hidden))
    schema = {"maat": pl.String, "eenheden": pl.String, "eerste_maand": pl.Date, "laatste_maand": pl.Date,
              "fase": pl.String, "stand": pl.Boolean, "aantal": pl.Int64, "aantal_tekst": pl.String,
              "aantal_verborgen": pl.Boolean}
    return pl.DataFrame(sorted(rows.values(), key=lambda r: r[:6]), schema=schema, orient="row")


def _metadata(page_input: PageInput, title: str, definitions: dict[str, str], notes: Sequence[str],
              rule: SuppressionRule, description: str, generated_at: datetime | None) -> BundleMetadata:
    meta = page_input.dataset.meta
    return BundleMetadata(
        title=title,
        dataset_id=meta.dataset_id,
        version=meta.version or ("" if meta.dataset_id else "voorbeeld"),
        peildatum=page_input.selection.peildatum,
        licence=LICENCE,
        source=meta.source,
        description=description,
        is_example=meta.is_example,
        rule=rule,
        column_definitions=definitions,
        method_notes=(COUNTS_NOTE, *dict.fromkeys(notes)),
        generated_at=generated_at,
        signs_note=signs_note(rule) + " " + CLASS_SIGNS_NOTE if rule.enabled else "",
    )


def _method_notes(model: object) -> list[str]:
    """The method paragraphs a model carries (fields named `method` or `method_notes`, also in its parts)."""
    notes: list[str] = []
    for table_holder in _dataclasses(model):
        for name in ("method", "method_notes"):
            value = getattr(table_holder, name, None)
            if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                notes += value
    return notes


def _dataclasses(model: object) -> Iterator[object]:
    seen: set[int] = set()
    stack = [model]
    while stack:
        node = stack.pop(0)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            yield node
            stack += [getattr(node, f.name) for f in dataclasses.fields(node)]
        elif isinstance(node, dict):
            stack += list(node.values())
        elif isinstance(node, tuple | list):
            stack += [v for v in node if dataclasses.is_dataclass(v) or isinstance(v, dict | tuple | list)]


def view_bundle(page_input: PageInput, page_title: str, model: object, *, shown: Sequence[Table] | None = None,
                counts: Sequence[Count] | None = None, generated_at: datetime | None = None) -> bytes:
    """The zip of one view: the tables it shows (`shown`; default every table of the page model) and every count
    the view rests on (`tellingen`: `counts`, default the model's `released`, what the page shows for any of its
    choices; the Kaart page adds the counts of the panel it shows, which is built for the chosen unit only)."""
    tables: dict[str, pl.DataFrame] = {}
    definitions: dict[str, str] = dict(COUNT_DEFINITIONS)
    for table in (tables_of(model) if shown is None else shown):
        name = _file_name(table.file_stem)
        if name in tables or name == "tellingen":
            continue
        frame, columns = table_frame(table)
        tables[name] = frame
        definitions.update({f"{name}.{column}": text for column, text in columns.items()})
    tables["tellingen"] = counts_frame(getattr(model, "released", ()) if counts is None else counts)
    description = (f"De tabellen van de pagina ‘{page_title}’ in de Cohortmonitor, voor de selectie "
                   f"{page_input.selection.describe()}, zoals de pagina ze toont; ‘tellingen’ noemt elk aantal "
                   "waarop de pagina rust en waarover het is opgeteld.")
    return build_bundle(tables, _metadata(page_input, f"Cohortmonitor – {page_title}", definitions,
                                          _method_notes(model), page_input.rule, description, generated_at))


def published_rule(rule: SuppressionRule) -> SuppressionRule:
    """The viewers' rule: the whole dataset is always published as viewers see it, hiding on."""
    return rule if rule.enabled else dataclasses.replace(rule, enabled=True)


def release_frame(release: Release) -> pl.DataFrame:
    """Every published cell of the release: unit node, months, phase, count (or its sign)."""
    rows = []
    for cell, count in release.published():
        level = release.levels[cell.level]
        query = count.query
        assert query is not None
        rows.append((query.measure, level.kind, level.name, ",".join(sorted(level.leaves)), query.first, query.last,
                     query.phase, query.stock, count.value, count.text, count.hidden))
    schema = {"maat": pl.String, "niveau": pl.String, "naam": pl.String, "eenheden": pl.String,
              "eerste_maand": pl.Date, "laatste_maand": pl.Date, "fase": pl.String, "stand": pl.Boolean,
              "aantal": pl.Int64, "aantal_tekst": pl.String, "aantal_verborgen": pl.Boolean}
    return pl.DataFrame(rows, schema=schema, orient="row")


def units_frame(page_input: PageInput) -> pl.DataFrame:
    """The units and their cohort periods (public facts, no counts)."""
    units = page_input.dataset.units.select("code", "naam", "soort", "stadsdeel", "start", "eind")
    return units.with_columns(pl.col("stadsdeel").fill_null(MISSING))


def dataset_bundle(page_input: PageInput, *, generated_at: datetime | None = None) -> bytes:
    """The zip of the whole dataset as published for viewers: the units and every published cell."""
    rule = published_rule(page_input.rule)
    release = release_for(page_input.dataset, rule)
    peildatum = page_input.dataset.last_month
    whole = dataclasses.replace(page_input, rule=rule,
                                selection=dataclasses.replace(page_input.selection, peildatum=_month_end(peildatum)))
    definitions = {**COUNT_DEFINITIONS,
                   "eenheden.code": "De code van de eenheid (gebied of stedelijke doelgroep).",
                   "eenheden.naam": "De naam van de eenheid.",
                   "eenheden.soort": "gebied of doelgroep.",
                   "eenheden.stadsdeel": "Het stadsdeel van een gebied; — bij een stedelijke doelgroep.",
                   "eenheden.start": "Eerste dag van de cohortperiode (leeg: geen cohort).",
                   "eenheden.eind": "Laatste dag van de cohortperiode (leeg: nog geen einddatum of geen cohort)."}
    description = ("De hele dataset zoals de Cohortmonitor hem voor kijkers publiceert: elke telling per eenheid, "
                   "stadsdeel, de stad en de doelgroepen samen, per kwartaal, half jaar, jaar en ‘tot en met’ "
                   "(klachten alleen ‘tot en met’ het eind van een half jaar), met verborgen aantallen als teken.")
    tables = {"eenheden": units_frame(page_input), "tellingen": release_frame(release)}
    return build_bundle(tables, _metadata(whole, "Cohortmonitor – de dataset zoals gepubliceerd", definitions, (),
                                          rule, description, generated_at))


def _month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)
