"""Page model of "Over de data": definitions, the data contract, sources, metadata, methods and privacy."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from cohort.contract import SHEET_MONTHLY, SHEET_UNITS
from cohort.pagemodels.common import PageInput, signs_note
from cohort.pagemodels.docs_text import (
    DEFINITIONS,
    SOURCES,
    Definition,
    Source,
    contract_table,
    dataset_facts,
    methods_markdown,
    notes_sheet_text,
    notes_table,
)
from cohort.privacy.release import Count


@dataclass(frozen=True)
class AboutModel:
    facts: tuple[tuple[str, str], ...]  # (label, value); values come from an uploaded workbook: plain text
    notes: tuple[tuple[str, str], ...]  # the `toelichting` sheet, key -> value: plain text
    definitions: tuple[Definition, ...]
    privacy: tuple[str, ...]  # bullet points, our own Markdown
    contract_intro: str
    contract: pl.DataFrame  # Dutch column names, our own text
    sources: tuple[Source, ...]
    methods: str  # Markdown from docs/methods.md
    released: tuple[Count, ...] = ()  # this page shows no counts


def privacy_points(page_input: PageInput) -> tuple[str, ...]:
    rule = page_input.rule
    largest = rule.largest_hidden
    return (
        f"Aantallen van 1 tot en met {largest} personen of klachten tonen we nergens: niet in tegels, tabellen, "
        "grafieken, downloads of bij het aanwijzen. Een 0 tonen we wel. " + signs_note(rule),
        "Ook wat uit getoonde cijfers terug te rekenen is, blijft verborgen: alle cijfers van alle pagina’s komen uit "
        "één beveiligde set (per eenheid, stadsdeel en stad; per kwartaal, half jaar, jaar en ‘vanaf het begin tot "
        "…’), die als geheel is doorgerekend. Een totaal min de getoonde delen geeft dus nooit een verborgen aantal.",
        "Dat geldt ook tussen datasets: eerder gepubliceerde versies blijven via een vaste link te openen, en een "
        "nieuwe versie is samen met alle eerder getoonde datasets doorgerekend. Wat de ene versie toont, maakt in de "
        "andere dus geen verborgen aantal terug te rekenen; een cijfer dat in beide gelijk is, staat in beide.",
        "Daarom kiest u perioden in hele kwartalen en een peildatum aan het eind van een kwartaal: twee vrij gekozen "
        "perioden die een maand verschillen, zouden samen die ene maand verraden. Klachten zijn zeldzaam (zo’n "
        "dertig per jaar) en worden per half jaar geteld.",
        "Ondersteunings- en neveneffectcijfers (zoals maatregelen en herinstroom) tonen we alleen voor alle gebieden "
        "samen; per gebied zijn het bijna altijd kleine aantallen.",
        "De eerlijkere vergelijking (verschil-in-verschillen) en het verloop rond de start zijn schattingen over "
        "alle gebieden samen, met minstens vijf gestarte en vijf vergelijkingsgebieden; filters veranderen die "
        "schatting niet, zodat twee weergaven niet één gebied verschillen.",
        "Evaluatoren kunnen het verbergen voor zichzelf uitzetten om hun eigen gegevens te controleren; elke pagina "
        "toont dan een rode waarschuwing en de perioden zijn dan maanden.",
        "Ook los van privacy zijn kleine aantallen onbetrouwbaar: bij 3 gebeurtenissen loopt het 95%-interval van "
        "0,6 tot 8,8. Kijk dan naar langere periodes of naar het stadsdeel.",
    )


def about_model(page_input: PageInput) -> AboutModel:
    dataset = page_input.dataset
    contract = contract_table().rename({"blad": "Blad", "kolom": "Kolom", "type": "Type", "verplicht": "Verplicht",
                                        "label": "Naam in de monitor", "omschrijving": "Omschrijving"})
    return AboutModel(
        facts=tuple(dataset_facts(dataset)),
        notes=tuple(notes_table(dataset).iter_rows()),
        definitions=tuple(DEFINITIONS),
        privacy=privacy_points(page_input),
        contract_intro=(f"Een Excelbestand met de bladen `{SHEET_UNITS}` (één rij per gebied of doelgroep) en "
                        f"`{SHEET_MONTHLY}` (één rij per eenheid per maand). {notes_sheet_text()}"),
        contract=contract,
        sources=tuple(SOURCES),
        methods=methods_markdown(),
    )
