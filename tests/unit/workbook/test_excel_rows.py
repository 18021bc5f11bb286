"""Row numbers in the report are the rows Excel shows, wherever the header of a sheet is.

calamine (fastexcel) starts a sheet at its first filled row, so a sheet with empty rows above its header used to be
read as if the header were on row 1, and every message named a row too small: the evaluator looked at the wrong
row. These workbooks are written by openpyxl with the header on row 1, on row 4 below three empty rows (formatted,
as Excel leaves rows whose contents were deleted), and on row 3 below a title in A1; each sheet on both reading
routes (`maandcijfers` typed by `read.typed_monthly`, and all text).
"""

from __future__ import annotations

import io
from typing import Any

import fastexcel
import openpyxl
import polars as pl
import pytest
from openpyxl.styles import Font
from workbooks import MONTHLY_HEADER, UNIT_HEADER, monthly_rows, units_rows

from cohort.workbook.read import read_workbook, typed_monthly
from cohort.workbook.report import Severity

TITLE = "Cohortaanpak: aanlevering juni 2021"

# layout -> (header row, what is above it)
LAYOUTS = {
    "header on row 1": (1, None),
    "header on row 4 below three empty rows": (4, "empty"),
    "title in A1, header on row 3": (3, "title"),
}
ROUTES = {"typed": True, "text": False}


def write_sheet(sheet, header: list[str], rows: list[list[Any]], layout: str) -> None:
    header_row, above = LAYOUTS[layout]
    if above == "empty":
        for row in range(1, header_row):  # formatted but empty cells: openpyxl writes <c r="A1" s="1"/>
            for column in range(1, len(header) + 1):
                sheet.cell(row=row, column=column).font = Font(bold=True)
    elif above == "title":
        sheet.cell(row=1, column=1, value=TITLE).font = Font(bold=True, size=14)
    for offset, values in enumerate([header, *rows]):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=header_row + offset, column=column, value=value)


def workbook(*, units_layout: str = "header on row 1", monthly_layout: str = "header on row 1",
             units: list[list[Any]] | None = None, monthly: list[list[Any]] | None = None,
             unit_header: list[str] | None = None, monthly_header: list[str] | None = None,
             notes: list[list[Any]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    write_sheet(book.active, unit_header or UNIT_HEADER, units if units is not None else units_rows(), units_layout)
    book.active.title = "eenheden"
    write_sheet(book.create_sheet("maandcijfers"), monthly_header or MONTHLY_HEADER,
                monthly if monthly is not None else monthly_rows(), monthly_layout)
    if notes is not None:
        sheet = book.create_sheet("toelichting")
        for row_number, values in enumerate(notes, start=1):
            for column, value in enumerate(values, start=1):
                sheet.cell(row=row_number, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def located(report, severity: Severity = Severity.ERROR) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.value, p.message) for p in report.problems if p.severity is severity]


def title_warning(sheet: str, header_row: int) -> tuple:
    return (sheet, 1, None, TITLE,
            f"Deze rij staat boven de kolomkoppen (rij {header_row}) en wordt niet ingelezen; alleen de rijen "
            "onder de kolomkoppen zijn gegevens.")


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_bad_cell_in_eenheden_is_named_at_its_excel_row(layout, route):
    units = units_rows()
    units[1][2] = "wijk"  # DX02's soort, the second data row
    result = read_workbook(workbook(units_layout=layout, units=units), typed=ROUTES[route])
    header_row, above = LAYOUTS[layout]
    assert located(result.report) == [
        ("eenheden", header_row + 2, "soort", "wijk", "‘soort’ moet ‘gebied’ of ‘doelgroep’ zijn."),
    ]
    assert located(result.report, Severity.WARNING) == ([title_warning("eenheden", 3)] if above == "title" else [])


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_bad_cells_in_maandcijfers_are_named_at_their_excel_rows(layout, route):
    monthly = monthly_rows()
    monthly[2][4] = -3  # uitstroom of the third data row: numbers only, so the typed read keeps the sheet typed
    monthly[5][1] = "DX99"  # the sixth data row
    result = read_workbook(workbook(monthly_layout=layout, monthly=monthly), typed=ROUTES[route])
    header_row, above = LAYOUTS[layout]
    assert located(result.report) == [
        ("maandcijfers", header_row + 6, "code", "DX99", "Deze code staat niet op het tabblad ‘eenheden’."),
        ("maandcijfers", header_row + 3, "uitstroom", "-3", "Negatief aantal: aantallen zijn 0 of meer."),
    ]
    assert located(result.report, Severity.WARNING) == (
        [title_warning("maandcijfers", 3)] if above == "title" else [])


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_text_in_a_count_is_named_at_its_excel_row(layout, route):
    # Text among the numbers sends the typed read to the text route for the whole sheet.
    monthly = monthly_rows()
    monthly[4][2] = "n.v.t."  # bijstand, the fifth data row
    result = read_workbook(workbook(monthly_layout=layout, monthly=monthly), typed=ROUTES[route])
    header_row, _ = LAYOUTS[layout]
    assert located(result.report) == [
        ("maandcijfers", header_row + 5, "bijstand", "n.v.t.",
         "Tekst in een kolom met aantallen: vul een heel getal in, of laat de cel leeg als het cijfer ontbreekt "
         "(alleen bij optionele kolommen)."),
    ]


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_duplicate_rows_name_the_excel_rows_of_both(layout, route):
    monthly = monthly_rows()
    monthly[6][0] = monthly[0][0]  # the seventh data row repeats January 2020 for DX03, as the third one
    monthly[6][1] = "DX03"
    result = read_workbook(workbook(monthly_layout=layout, monthly=monthly), typed=ROUTES[route])
    first, second = LAYOUTS[layout][0] + 3, LAYOUTS[layout][0] + 7
    message = f"Dubbele rij: januari 2020 voor code DX03 staat vaker op dit tabblad (rijen {first} en {second})."
    assert located(result.report) == [
        ("maandcijfers", first, "maand, code", "januari 2020, DX03", message),
        ("maandcijfers", second, "maand, code", "januari 2020, DX03", message),
    ]


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_problems_with_columns_name_the_header_row(layout, route):
    header = [*MONTHLY_HEADER[:2], "Bijstand ", *MONTHLY_HEADER[3:], "totaal"]  # gesprekken twice, as "Bijstand "
    header[3] = "bijstand"
    rows = [[*row, 1] for row in monthly_rows()]
    result = read_workbook(workbook(monthly_layout=layout, monthly=rows, monthly_header=header),
                           typed=ROUTES[route])
    header_row, _ = LAYOUTS[layout]
    assert located(result.report) == [
        ("maandcijfers", header_row, "bijstand", None, "Kolom ‘bijstand’ komt twee keer voor (ook als ‘Bijstand ’)."),
        ("maandcijfers", header_row, "gesprekken", None, "Verplichte kolom ‘gesprekken’ ontbreekt."),
    ]
    warnings = located(result.report, Severity.WARNING)
    assert ("maandcijfers", header_row, "totaal", None, "Onbekende kolom ‘totaal’ wordt genegeerd.") in warnings


def test_both_sheets_with_their_own_layout_in_one_workbook():
    units = units_rows()
    units[3][1] = None  # DG01's naam, the fourth data row of eenheden (header on row 4: Excel row 8)
    monthly = monthly_rows()
    monthly[0][3] = 2.5  # gesprekken, the first data row of maandcijfers (header on row 3: Excel row 4)
    data = workbook(units_layout="header on row 4 below three empty rows", units=units,
                    monthly_layout="title in A1, header on row 3", monthly=monthly)
    for typed in (True, False):
        report = read_workbook(data, typed=typed).report
        assert [(p.sheet, p.row, p.column) for p in report.errors] == [
            ("eenheden", 8, "naam"),
            ("maandcijfers", 4, "gesprekken"),
        ]


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_title_above_the_header_is_skipped_with_a_warning_and_the_dataset_is_the_same(route):
    plain = read_workbook(workbook(), typed=ROUTES[route])
    titled = read_workbook(workbook(units_layout="title in A1, header on row 3",
                                    monthly_layout="title in A1, header on row 3"), typed=ROUTES[route])
    assert plain.report.problems == []
    assert titled.report.ok
    assert located(titled.report, Severity.WARNING) == [title_warning("eenheden", 3),
                                                         title_warning("maandcijfers", 3)]
    assert titled.dataset is not None and plain.dataset is not None
    assert titled.dataset.monthly.equals(plain.dataset.monthly)
    assert titled.dataset.units.equals(plain.dataset.units)


def test_several_filled_rows_above_the_header_are_each_named():
    book = openpyxl.load_workbook(io.BytesIO(workbook(units_layout="header on row 4 below three empty rows")))
    book["eenheden"]["A1"] = "Cohortaanpak"
    book["eenheden"]["B3"] = "bron: WPI"
    book["eenheden"]["C3"] = "peildatum 30-06-2021"
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_workbook(buffer.getvalue())
    above = ("Deze rij staat boven de kolomkoppen (rij 4) en wordt niet ingelezen; alleen de rijen onder de "
             "kolomkoppen zijn gegevens.")
    assert located(result.report, Severity.WARNING) == [
        ("eenheden", 1, None, "Cohortaanpak", above),
        ("eenheden", 3, None, "bron: WPI; peildatum 30-06-2021", above),
    ]
    assert result.report.ok


def test_without_recognisable_column_names_the_first_filled_row_is_the_header_and_named():
    # No row holds two names of the format: the first filled row is taken as the header, and the report says
    # which row that was, so the evaluator finds the header that is wrong.
    header = ["Code eenheid", "Omschrijving", "Type", "Deel", "Van", "Tot"]
    result = read_workbook(workbook(units_layout="header on row 4 below three empty rows", unit_header=header))
    missing = [p for p in result.report.errors if p.message.startswith("Verplichte kolom")]
    assert [(p.sheet, p.row, p.column) for p in missing] == [
        ("eenheden", 4, "code"), ("eenheden", 4, "naam"), ("eenheden", 4, "soort"),
    ]


@pytest.mark.parametrize("header_row", [20, 21])
def test_the_header_is_searched_in_twenty_rows_from_the_first_filled_one(header_row):
    book = openpyxl.Workbook()
    units = book.active
    units.title = "eenheden"
    units["A1"] = TITLE
    for offset, values in enumerate([UNIT_HEADER, *units_rows()]):
        for column, value in enumerate(values, start=1):
            units.cell(row=header_row + offset, column=column, value=value)
    months = book.create_sheet("maandcijfers")
    for values in [MONTHLY_HEADER, *monthly_rows()]:
        months.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    report = read_workbook(buffer.getvalue()).report
    if header_row == 20:  # rows 1 to 20: found, the title named
        assert report.ok and located(report, Severity.WARNING) == [title_warning("eenheden", 20)]
    else:  # too far below the title to be its header: row 1 is taken as the header, and said to lack the columns
        assert ("eenheden", 1, "code", None, "Verplichte kolom ‘code’ ontbreekt.") in located(report)


def test_typed_monthly_reads_below_a_header_on_any_row():
    data = workbook(monthly_layout="header on row 4 below three empty rows")
    reader = fastexcel.read_excel(data)
    frame = typed_monthly(reader, "maandcijfers", header_row=4)
    assert frame is not None
    assert frame.columns == MONTHLY_HEADER
    assert frame.schema["bijstand"] == pl.Int64 and frame.schema["maand"] == pl.Date
    assert frame.get_column("bijstand").to_list()[:4] == [1000, 2000, 1500, 800]


def test_notes_below_empty_rows_are_read():
    notes = [[None, None], [None, None], ["sleutel", "waarde"], ["bron", "WPI-registratie"]]
    result = read_workbook(workbook(notes=notes))
    assert result.report.ok
    assert result.dataset is not None and result.dataset.meta.source == "WPI-registratie"


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_header_typed_twice_is_named_as_it_is_in_the_file(layout, route):
    # The reader renames a repeated header (a second ‘bijstand’ is ‘bijstand_1’); the report names the one typed.
    header = [*MONTHLY_HEADER, "bijstand"]
    rows = [[*row, 5] for row in monthly_rows()]
    result = read_workbook(workbook(monthly_layout=layout, monthly=rows, monthly_header=header), typed=ROUTES[route])
    header_row, _ = LAYOUTS[layout]
    assert located(result.report) == [
        ("maandcijfers", header_row, "bijstand", None, "Kolom ‘bijstand’ komt twee keer voor."),
    ]
    assert not any("bijstand_1" in str(p) for p in result.report.problems)


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_column_without_a_header_is_named_by_its_letter(route):
    # The table starts in column B, below three empty rows; column M holds numbers under an empty header cell.
    book = openpyxl.Workbook()
    book.active.title = "eenheden"
    for values in [UNIT_HEADER, *units_rows()]:
        book.active.append(values)
    months = book.create_sheet("maandcijfers")
    for offset, values in enumerate([MONTHLY_HEADER, *monthly_rows()]):
        for column, value in enumerate(values, start=2):
            months.cell(row=4 + offset, column=column, value=value)
        if offset:
            months.cell(row=4 + offset, column=13, value=offset)
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_workbook(buffer.getvalue(), typed=ROUTES[route])
    assert result.report.ok
    assert located(result.report, Severity.WARNING) == [
        ("maandcijfers", 4, "kolom M", None, "Kolom zonder kopje wordt genegeerd."),
    ]
