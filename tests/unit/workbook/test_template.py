"""The blank template: the contract's sheets and headers, Excel's own checks, and it round-trips through the reader."""

import io
from datetime import datetime

import openpyxl
import pytest
from workbooks import MONTHLY_HEADER, monthly_rows, units_rows

from cohort.contract import (
    MONTHLY_COLUMNS,
    NOTE_KEYS,
    SHEET_MONTHLY,
    SHEET_NOTES,
    SHEET_UNITS,
    UNIT_COLUMNS,
)
from cohort.workbook.guard import check_upload
from cohort.workbook.read import read_workbook
from cohort.workbook.template import GUIDE_HEADER, SHEET_GUIDE, template_bytes
from cohort.workbook.write import NOTES_HEADER


@pytest.fixture(scope="module")
def workbook():
    return openpyxl.load_workbook(io.BytesIO(template_bytes()))


def header(sheet) -> list:
    return [cell.value for cell in sheet[1]]


def validations_by_column(sheet) -> dict[str, object]:
    """Column letter -> its data validation (each validation here covers one column from row 2 down)."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            assert cell_range.min_row == 2 and cell_range.max_row == 1_048_576
            assert cell_range.min_col == cell_range.max_col
            found[openpyxl.utils.get_column_letter(cell_range.min_col)] = validation
    return found


def letter(columns, name: str) -> str:
    return openpyxl.utils.get_column_letter([c.name for c in columns].index(name) + 1)


def test_sheets_and_headers_come_from_the_contract(workbook):
    assert workbook.sheetnames == [SHEET_UNITS, SHEET_MONTHLY, SHEET_NOTES, SHEET_GUIDE]
    assert header(workbook[SHEET_UNITS]) == [c.name for c in UNIT_COLUMNS]
    assert header(workbook[SHEET_MONTHLY]) == [c.name for c in MONTHLY_COLUMNS]
    assert header(workbook[SHEET_NOTES]) == list(NOTES_HEADER)
    assert [row[0] for row in workbook[SHEET_NOTES].iter_rows(min_row=2, values_only=True)] == list(NOTE_KEYS)
    # Blank: only the header row in the data sheets.
    assert workbook[SHEET_UNITS].max_row == 1 and workbook[SHEET_MONTHLY].max_row == 1


def test_header_row_bold_and_frozen(workbook):
    for name in workbook.sheetnames:
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2", name
        assert all(cell.font.bold for cell in sheet[1]), name


def test_soort_has_a_dropdown_of_the_two_kinds(workbook):
    validation = validations_by_column(workbook[SHEET_UNITS])[letter(UNIT_COLUMNS, "soort")]
    assert validation.type == "list"
    assert validation.formula1 == '"gebied,doelgroep"'
    assert validation.showErrorMessage and validation.error


def test_counts_must_be_whole_numbers_of_zero_or_more(workbook):
    sheet = workbook[SHEET_MONTHLY]
    validations = validations_by_column(sheet)
    counts = [c for c in MONTHLY_COLUMNS if c.kind == "count"]
    assert len(counts) == 17
    for column in counts:
        validation = validations[letter(MONTHLY_COLUMNS, column.name)]
        assert (validation.type, validation.operator, validation.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert validation.prompt == column.description
        assert sheet.column_dimensions[letter(MONTHLY_COLUMNS, column.name)].number_format == "0"


def test_date_columns_have_a_date_format(workbook):
    units, monthly = workbook[SHEET_UNITS], workbook[SHEET_MONTHLY]
    assert units.column_dimensions[letter(UNIT_COLUMNS, "start")].number_format == "yyyy-mm-dd"
    assert units.column_dimensions[letter(UNIT_COLUMNS, "eind")].number_format == "yyyy-mm-dd"
    assert monthly.column_dimensions[letter(MONTHLY_COLUMNS, "maand")].number_format == "yyyy-mm-dd"
    # Text columns keep Excel's default, so a code like 0101 is not turned into a number format.
    assert units.column_dimensions[letter(UNIT_COLUMNS, "code")].number_format == "General"


def test_widths_fit_the_headers(workbook):
    sheet = workbook[SHEET_MONTHLY]
    for index, column in enumerate(MONTHLY_COLUMNS, start=1):
        width = sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width
        assert len(column.name) < width <= 62, column.name
    assert sheet.column_dimensions["A"].width == 12  # "2021-06-30" plus margin


def test_guide_explains_every_column(workbook):
    guide = workbook[SHEET_GUIDE]
    assert header(guide) == list(GUIDE_HEADER)
    rows = {(r[0], r[1]): r for r in guide.iter_rows(min_row=2, values_only=True) if r[1]}
    for sheet, columns in ((SHEET_UNITS, UNIT_COLUMNS), (SHEET_MONTHLY, MONTHLY_COLUMNS)):
        for column in columns:
            _, _, required, kind, description = rows[(sheet, column.name)]
            assert required == ("verplicht" if column.required else "optioneel")
            assert description == column.description
            assert kind
    assert rows[(SHEET_UNITS, "soort")][3] == "keuze: gebied of doelgroep"
    assert rows[(SHEET_MONTHLY, "gesprekken")][3] == "geheel getal, 0 of meer"


def test_template_bytes_are_reproducible_and_pass_the_guard():
    data = template_bytes()
    assert data == template_bytes()
    assert check_upload(data, "sjabloon.xlsx", max_bytes=50 * 1024 * 1024).ok


def test_filled_template_reads_without_errors():
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    for row in units_rows():
        workbook[SHEET_UNITS].append(row)
    monthly_sheet = workbook[SHEET_MONTHLY]
    order = header(monthly_sheet)
    for row in monthly_rows():
        values = dict(zip(MONTHLY_HEADER, row, strict=True))
        monthly_sheet.append([values.get(name) for name in order])
    workbook[SHEET_NOTES]["B2"] = "Test"  # bron
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = read_workbook(buffer.getvalue())

    assert result.report.ok, result.report.errors
    assert result.dataset is not None
    assert result.dataset.units.height == 4
    assert result.dataset.monthly.height == 8
    assert result.dataset.monthly.get_column("gesprekken").sum() == 140
    assert result.dataset.first_month == datetime(2020, 1, 1).date()
    assert result.dataset.meta.source == "Test"
    # Optional counts left empty are dropped (with a warning), not read as zeros.
    assert result.dataset.optional_counts == ()
