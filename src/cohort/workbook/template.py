"""The blank template evaluators fill in: the contract's sheets and headers, with Excel helping them type.

Everything comes from `cohort.contract`, so a new column appears in the template (and its explanation) without
touching this module. Formats live on the columns, not on cells: pre-formatted empty cells would make Excel
(and our own upload guard) see a sheet of thousands of rows before anyone typed a number.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cohort.contract import (
    MONTHLY_COLUMNS,
    NOTE_KEYS,
    SHEET_GUIDE,
    SHEET_MONTHLY,
    SHEET_NOTES,
    SHEET_UNITS,
    UNIT_COLUMNS,
    Column,
    UnitKind,
)
from cohort.workbook.write import (
    _NOTES_VALUE_WIDTH,
    NOTES_HEADER,
    _column_width,
    _number_format,
    _save,
    _write_header,
)

TEMPLATE_FILE_NAME = "sjabloon_cohortaanpak.xlsx"
GUIDE_HEADER: tuple[str, ...] = ("Tabblad", "Kolom", "Verplicht", "Type", "Omschrijving")

# Validation applies to the whole column below the header (Excel's last row), so it holds however many rows
# are typed. A range is one attribute in the sheet XML: it creates no cells.
LAST_EXCEL_ROW = 1_048_576

KIND_LABELS: dict[str, str] = {
    "text": "tekst",
    "date": "datum",
    "month": "datum (eerste dag van de maand)",
    "count": "geheel getal, 0 of meer",
    "choice": "keuze: " + " of ".join(k.value for k in UnitKind),
}

_GUIDE_WIDTHS = (14, 26, 11, 32, _NOTES_VALUE_WIDTH)


def template_bytes() -> bytes:
    """The blank contract workbook as reproducible .xlsx bytes (same bytes on every call)."""
    workbook = Workbook()
    guide = workbook.active
    assert guide is not None  # a fresh Workbook always has one sheet
    # The data sheets first: evaluators paste there, and the reader looks them up by name anyway.
    units = workbook.create_sheet(SHEET_UNITS, 0)
    _blank_sheet(units, UNIT_COLUMNS)
    _blank_sheet(workbook.create_sheet(SHEET_MONTHLY, 1), MONTHLY_COLUMNS)
    _notes_sheet(workbook.create_sheet(SHEET_NOTES, 2))
    guide.title = SHEET_GUIDE
    _guide_sheet(guide)
    workbook.active = 0
    return _save(workbook)


def _blank_sheet(sheet: Worksheet, columns: Sequence[Column]) -> None:
    _write_header(sheet, [c.name for c in columns])
    empty = pl.DataFrame(schema={c.name: pl.String for c in columns})
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = _column_width(empty, column)
        number_format = _number_format(column)
        if number_format is not None:
            dimension.number_format = number_format
        validation = _validation(column)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{LAST_EXCEL_ROW}")


def _validation(column: Column) -> DataValidation | None:
    """Excel's own check while typing, with the contract's Dutch description as the input hint."""
    if column.kind == "choice":
        choices = ",".join(k.value for k in UnitKind)
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=not column.required)
        validation.error = f"Kies {' of '.join(k.value for k in UnitKind)}."
    elif column.kind == "count":
        validation = DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=not column.required
        )
        validation.error = "Vul een geheel getal in van 0 of meer (geen decimalen, tekst of negatief getal)."
    elif column.kind in ("date", "month"):
        validation = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
        validation.error = "Vul een datum in, bijvoorbeeld 2021-06-01."
    else:
        return None
    validation.errorTitle = f"Ongeldige waarde in ‘{column.name}’"[:32]
    validation.promptTitle = column.label[:32]
    validation.prompt = column.description[:255]
    validation.showErrorMessage = True
    validation.showInputMessage = True
    return validation


def _notes_sheet(sheet: Worksheet) -> None:
    _write_header(sheet, list(NOTES_HEADER))
    for row_index, key in enumerate(NOTE_KEYS, start=2):
        sheet.cell(row=row_index, column=1, value=key)
    sheet.column_dimensions["A"].width = max(len(k) for k in (*NOTES_HEADER, *NOTE_KEYS)) + 4
    sheet.column_dimensions["B"].width = _NOTES_VALUE_WIDTH


def _guide_sheet(sheet: Worksheet) -> None:
    _write_header(sheet, list(GUIDE_HEADER))
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet_name, columns in ((SHEET_UNITS, UNIT_COLUMNS), (SHEET_MONTHLY, MONTHLY_COLUMNS)):
        for column in columns:
            sheet.append([
                sheet_name,
                column.name,
                "verplicht" if column.required else "optioneel",
                KIND_LABELS[column.kind],
                column.description,
            ])
    sheet.append([
        SHEET_NOTES, NOTES_HEADER[0], "optioneel", "tekst",
        "Naam van een gegeven over de aanlevering; bekende sleutels: " + ", ".join(NOTE_KEYS) + ".",
    ])
    sheet.append([SHEET_NOTES, NOTES_HEADER[1], "optioneel", "tekst", "De waarde bij de sleutel."])
    sheet.append([])
    for line in _general_notes():
        sheet.append([None, None, None, None, line])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    sheet.cell(row=sheet.max_row - len(_general_notes()) + 1, column=5).font = Font(bold=True)
    for index, width in enumerate(_GUIDE_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _general_notes() -> tuple[str, ...]:
    return (
        "Zo vult u het sjabloon in",
        f"Eén rij per gebied of doelgroep in ‘{SHEET_UNITS}’; één rij per eenheid per maand in ‘{SHEET_MONTHLY}’.",
        "Laat de kopjes in rij 1 staan zoals ze zijn; de volgorde van de kolommen maakt niet uit.",
        "Optionele kolommen mag u weglaten of leeg laten; lege optionele kolommen worden niet getoond.",
        "Aantallen zijn gehele getallen van 0 of meer; een lege cel in een verplichte kolom is een fout.",
        f"Dit tabblad (‘{SHEET_GUIDE}’) wordt bij het uploaden overgeslagen.",
    )
