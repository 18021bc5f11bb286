"""Texts for the "Over de data" page, built from the code (contract, dataset) so they cannot drift from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cohort.contract import (
    MONTHLY_COLUMNS,
    NOTE_KEYS,
    SHEET_MONTHLY,
    SHEET_NOTES,
    SHEET_UNITS,
    UNIT_COLUMNS,
    Column,
)
from cohort.dataset import Dataset
from cohort.fmt import fmt_int, fmt_month
from cohort.settings import PROJECT_ROOT

METHODS_PATH = PROJECT_ROOT / "docs" / "methods.md"
CONTRACT_DOC_PATH = PROJECT_ROOT / "docs" / "data-contract.md"

KIND_LABELS: dict[str, str] = {
    "text": "tekst",
    "date": "datum",
    "month": "maand (datum, eerste dag)",
    "count": "geheel getal ≥ 0",
    "choice": "keuze",
}
REQUIRED_LABEL = "verplicht"
OPTIONAL_LABEL = "optioneel"


@dataclass(frozen=True)
class Definition:
    term: str
    text: str  # Dutch, markdown


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "Status op de peildatum",
        "**gepland**: de cohortperiode begint na de peildatum; **actief**: de periode loopt op de peildatum; "
        "**afgerond**: de einddatum ligt op of vóór de peildatum; **geen**: het gebied doet niet mee (geen start).",
    ),
    Definition(
        "In cohort",
        "Een gebied is in een maand ‘in cohort’ als zijn cohortperiode de eerste dag van die maand omvat "
        "(start ≤ maand ≤ eind; geen eind = loopt nog).",
    ),
    Definition(
        "Vergelijking",
        "Maanden van gebieden die nog niet gestart zijn of nooit meedoen. Afgeronde gebieden tellen na hun "
        "einddatum in geen van beide groepen; doelgroepen zijn nooit vergelijking.",
    ),
    Definition(
        "Uitstroom naar werk per 1.000",
        "Beëindigde uitkeringen wegens werk gedeeld door het aantal personen in de bijstand, × 1.000, per maand. "
        "Over meerdere maanden of gebieden: som van de uitstroom gedeeld door de som van de personen "
        "(persoonsmaanden), zodat grote gebieden naar hun grootte meewegen.",
    ),
    Definition(
        "Klachten per 1.000 gesprekken",
        "Alle klachten (bejegening, bereikbaarheid, koers, overig) gedeeld door het aantal gevoerde "
        "cohortgesprekken, × 1.000, met een exact 95%-interval (Poisson, Garwood). Een ondergrens van "
        "ontevredenheid: niet iedereen die ontevreden is, dient een klacht in.",
    ),
    Definition(
        "Verhouding (rate ratio)",
        "Het uitstroomcijfer in cohortmaanden gedeeld door dat in vergelijkingsmaanden; 2,0× betekent twee keer "
        "zo hoog. Een ruwe vergelijking: geen effect, want gebieden die eerder startten kunnen ook zonder "
        "gesprekken anders zijn. Het interval behandelt persoonsmaanden als onafhankelijk en is daardoor te smal.",
    ),
    Definition(
        "Verschil-in-verschillen (DiD)",
        "Hoeveel de uitstroom naar werk in een gebied na de start méér steeg dan in dezelfde maanden in gebieden "
        "die nog niet gestart waren, ten opzichte van de 3 maanden vóór de start. Per startmaand berekend en "
        "gewogen naar het aantal personen; interval met een cluster-bootstrap over gebieden.",
    ),
    Definition(
        "Stadstotalen",
        "Tellen alleen gebieden. De stedelijke doelgroepen staan ernaast en worden nooit opgeteld bij de "
        "gebieden.",
    ),
)


@dataclass(frozen=True)
class Source:
    title: str
    text: str


SOURCES: tuple[Source, ...] = (
    Source(
        "Raadsbrief van 6 juli 2021",
        "Brief van de wethouder Werk, Participatie en Inkomen aan de gemeenteraad over de voortgang van de "
        "Cohortaanpak: 7 gebieden afgerond en 6 actief, uitstroom naar werk ‘dubbel zo hoog’ als in "
        "niet-cohortgebieden, 30 klachten op ruim 13.000 gesprekken, 1.233 ontheffingen op 44.980 personen "
        "in de bijstand (medio juni 2021).",
    ),
    Source(
        "Zwartboek van de Bijstandsbond",
        "Verzameling ervaringen van bijstandsgerechtigden met de cohortgesprekken: druk om werk of activiteiten "
        "te accepteren en een harde bejegening. Zulke ervaringen hoeven niet in de klachtcijfers terug te komen.",
    ),
    Source(
        "Publieke feiten achter de voorbeelddata",
        "Aantallen personen in de bijstand (ongeveer 40.300 begin 2019, 44.980 medio juni 2021, ongeveer 35.700 "
        "eind 2022), de verdeling over stadsdelen (huishoudens in de bijstand op 1 maart 2021), de eerste "
        "startdata en de totalen uit de raadsbrief. Alle cijfers per gebied "
        "en maand in de voorbeelddata zijn verzonnen.",
    ),
)


def _sheet_rows(sheet: str, columns: tuple[Column, ...]) -> list[dict[str, str]]:
    return [
        {
            "blad": sheet,
            "kolom": c.name,
            "type": KIND_LABELS[c.kind],
            "verplicht": REQUIRED_LABEL if c.required else OPTIONAL_LABEL,
            "label": c.label,
            "omschrijving": c.description,
        }
        for c in columns
    ]


def contract_table() -> pl.DataFrame:
    """The data contract as one table: blad, kolom, type, verplicht, label, omschrijving (contract order)."""
    rows = _sheet_rows(SHEET_UNITS, UNIT_COLUMNS) + _sheet_rows(SHEET_MONTHLY, MONTHLY_COLUMNS)
    return pl.DataFrame(rows, schema={k: pl.String for k in ("blad", "kolom", "type", "verplicht", "label",
                                                              "omschrijving")})


def notes_sheet_text() -> str:
    """One Dutch sentence about the optional key/value sheet."""
    keys = ", ".join(f"`{k}`" for k in NOTE_KEYS)
    return (
        f"Optioneel blad `{SHEET_NOTES}`: twee kolommen (sleutel, waarde). Bekende sleutels: {keys}. "
        "Andere sleutels worden als toelichting bewaard."
    )


def dataset_facts(dataset: Dataset) -> list[tuple[str, str]]:
    """(label, value) pairs describing the dataset a viewer is looking at."""
    meta = dataset.meta
    months = dataset.months
    facts = [
        ("Naam", meta.name),
        ("Bron", meta.source or "—"),
        ("Voorbeelddata", "ja: illustratief, geen registratie van WPI" if meta.is_example else "nee"),
        ("Gebieden", fmt_int(dataset.areas.height)),
        ("Stedelijke doelgroepen", fmt_int(dataset.target_groups.height)),
        ("Maanden", fmt_int(len(months))),
        ("Eerste maand", fmt_month(dataset.first_month) if months else "—"),
        ("Laatste maand", fmt_month(dataset.last_month) if months else "—"),
    ]
    if meta.dataset_id:
        facts.append(("Versie (inhoudshash)", meta.dataset_id[:12]))
    return facts


def notes_table(dataset: Dataset) -> pl.DataFrame:
    """The `toelichting` sheet as (sleutel, waarde), known keys first in contract order."""
    notes = dataset.meta.notes
    keys = [k for k in NOTE_KEYS if k in notes] + sorted(k for k in notes if k not in NOTE_KEYS)
    return pl.DataFrame({"sleutel": keys, "waarde": [notes[k] for k in keys]}, schema={"sleutel": pl.String,
                                                                                       "waarde": pl.String})


def methods_markdown(path: Path = METHODS_PATH, shift: int = 2) -> str:
    """docs/methods.md without its top-level title, headings `shift` levels lower, to sit under the page's own
    header (a '## 1.' section would otherwise look as big as the page's sections)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    shifted = ["#" * shift + line if line.startswith("#") else line for line in lines]
    return "\n".join(shifted).strip()
