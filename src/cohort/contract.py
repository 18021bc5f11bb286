"""The data contract: the workbook format evaluators upload, as one source of truth.

Everything that knows a sheet or column name (reader, validation, template, docs, pages) takes it from
here, so the documentation in ``docs/data-contract.md`` and the code cannot drift apart
(``tests/unit/pagemodels/test_docs.py`` checks that).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

SHEET_UNITS = "eenheden"
SHEET_MONTHLY = "maandcijfers"
SHEET_NOTES = "toelichting"
SHEET_GUIDE = "uitleg"  # the template's explanation sheet: expected in uploads, never read

ColumnKind = Literal["text", "date", "month", "count", "choice"]


class UnitKind(StrEnum):
    """`soort` of a unit: an area of the city, or a city-wide target group."""

    AREA = "gebied"
    TARGET_GROUP = "doelgroep"


class Status(StrEnum):
    """Status of a unit on a reference date (peildatum)."""

    PLANNED = "gepland"
    ACTIVE = "actief"
    FINISHED = "afgerond"
    NEVER = "geen"


# Display order everywhere (legends, tables, tiles): what is done first, then what runs, then the rest.
STATUS_ORDER: tuple[Status, ...] = (Status.FINISHED, Status.ACTIVE, Status.PLANNED, Status.NEVER)


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    required: bool
    label: str  # Dutch label for the UI
    description: str  # Dutch, one sentence, for the template and "Over de data"


UNIT_COLUMNS: tuple[Column, ...] = (
    Column("code", "text", True, "Code", "Unieke code van de eenheid; gebieden 2015–2021: DX01 … DX22."),
    Column("naam", "text", True, "Naam", "Naam van het gebied of de doelgroep."),
    Column("soort", "choice", True, "Soort", "‘gebied’ of ‘doelgroep’ (stedelijke doelgroep)."),
    Column("stadsdeel", "text", False, "Stadsdeel", "Verplicht bij een gebied, leeg bij een doelgroep."),
    Column("start", "date", False, "Start",
           "Eerste dag van de cohortperiode; de maand waarin die valt telt als eerste cohortmaand. "
           "Leeg = nooit in de cohortaanpak."),
    Column("eind", "date", False, "Eind",
           "Laatste dag van de cohortperiode; de maand waarin die valt telt als laatste cohortmaand. "
           "Leeg = loopt nog."),
)

# Counts every monthly row must have. All whole numbers >= 0.
REQUIRED_COUNTS: tuple[Column, ...] = (
    Column("bijstand", "count", True, "Personen in de bijstand",
           "Aantal personen met een bijstandsuitkering in de eenheid aan het eind van de maand."),
    Column("gesprekken", "count", True, "Gesprekken", "Aantal gevoerde cohortgesprekken in de maand."),
    Column("uitstroom", "count", True, "Uitstroom", "Aantal beëindigde uitkeringen in de maand."),
    Column("uitstroom_werk", "count", True, "Uitstroom naar werk",
           "Waarvan beëindigd wegens werk (niet meer dan ‘uitstroom’)."),
    Column("klachten_bejegening", "count", True, "Klachten bejegening", "Klachten over bejegening."),
    Column("klachten_bereikbaarheid", "count", True, "Klachten bereikbaarheid", "Klachten over bereikbaarheid."),
    Column("klachten_koers", "count", True, "Klachten koers",
           "Klachten over de veranderde koers van de dienstverlening."),
    Column("klachten_overig", "count", True, "Klachten overig", "Overige klachten."),
)

# Counts shown where a dataset has them.
OPTIONAL_COUNTS: tuple[Column, ...] = (
    Column("uitgenodigd", "count", False, "Uitgenodigd", "Aantal personen uitgenodigd voor een cohortgesprek."),
    Column("ontheffingen", "count", False, "Ontheffingen",
           "Aantal personen met een ontheffing van de arbeidsverplichtingen aan het eind van de maand."),
    Column("maatregelen", "count", False, "Maatregelen", "Aantal opgelegde maatregelen (kortingen) in de maand."),
    Column("herinstroom", "count", False, "Herinstroom",
           "Aantal personen dat binnen 12 maanden na uitstroom opnieuw bijstand kreeg."),
    Column("jobhunter", "count", False, "Jobhunter", "Gestarte trajecten met een jobhunter."),
    Column("leerstage", "count", False, "Leerstage", "Gestarte leerstages."),
    Column("proefplaatsing", "count", False, "Proefplaatsing", "Gestarte proefplaatsingen."),
    Column("loonkostensubsidie", "count", False, "Loonkostensubsidie", "Gestarte loonkostensubsidies."),
    Column("buurtteam", "count", False, "Buurtteam", "Verwijzingen naar het buurtteam."),
)

MONTHLY_KEY_COLUMNS: tuple[Column, ...] = (
    Column("maand", "month", True, "Maand", "Eerste dag van de maand (bijvoorbeeld 2021-06-01)."),
    Column("code", "text", True, "Code", "Code van de eenheid; moet voorkomen in ‘eenheden’."),
)

MONTHLY_COLUMNS: tuple[Column, ...] = MONTHLY_KEY_COLUMNS + REQUIRED_COUNTS + OPTIONAL_COUNTS

COMPLAINT_COLUMNS: tuple[str, ...] = (
    "klachten_bejegening",
    "klachten_bereikbaarheid",
    "klachten_koers",
    "klachten_overig",
)
COMPLAINT_LABELS: dict[str, str] = {
    "klachten_bejegening": "Bejegening",
    "klachten_bereikbaarheid": "Bereikbaarheid",
    "klachten_koers": "Koers",
    "klachten_overig": "Overig",
}

COUNT_COLUMNS: tuple[str, ...] = tuple(c.name for c in REQUIRED_COUNTS + OPTIONAL_COUNTS)
OPTIONAL_COUNT_NAMES: tuple[str, ...] = tuple(c.name for c in OPTIONAL_COUNTS)

# Keys of the optional `toelichting` sheet (key/value). Other keys are kept as notes.
NOTE_KEYS: tuple[str, ...] = ("bron", "peildatum", "contact", "opmerkingen", "voorbeelddata")

ALL_COLUMNS: dict[str, Column] = {c.name: c for c in UNIT_COLUMNS + MONTHLY_COLUMNS}


def column_label(name: str) -> str:
    """Dutch UI label of a contract column (falls back to the name itself)."""
    column = ALL_COLUMNS.get(name)
    return column.label if column else name
