"""The typed read of `maandcijfers` against the all-text read it replaces for speed.

`maandcijfers` is read with its numbers as numbers and its dates as dates, and a column keeps those only when they
are provably what the text route makes of the same cells; otherwise the column is read again as text. So for any
workbook the report (every problem with its sheet, row, column, value and message) and the dataset must be the
same either way: the first test checks that on workbooks full of the cells that real files contain, the others
check that the fast route is taken for honest columns and left for the others, naming the cell as before.
"""

import io
from datetime import date, datetime

import fastexcel
import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from workbooks import MONTHLY_HEADER, make_workbook, monthly_rows, units_rows

from cohort.workbook.read import read_workbook, typed_monthly
from cohort.workbook.report import Severity

TEXT_IN_COUNTS = ("Tekst in een kolom met aantallen: vul een heel getal in, of laat de cel leeg als het cijfer "
                  "ontbreekt (alleen bij optionele kolommen).")
OPTIONAL_HEADER = [*MONTHLY_HEADER, "uitgenodigd", "jobhunter"]


def with_optional(rows, invited=(5, None, 7, None, 9, None, 11, None), jobhunter=(None,) * 8):
    return [[*row, invited[i % len(invited)], jobhunter[i % len(jobhunter)]] for i, row in enumerate(rows)]


def changed(cells: dict[tuple[int, int], object], *, optional: bool = False) -> list[list[object]]:
    """monthly_rows() (or with two optional columns) with the given (row index, column index) cells replaced."""
    rows = with_optional(monthly_rows()) if optional else monthly_rows()
    for (row, column), value in cells.items():
        rows[row][column] = value
    return rows


CASES = {
    "honest": {},
    "text in a count": {(0, 2): "n.v.t."},
    "NA in a count (empty to fastexcel's inference)": {(1, 3): "NA"},
    "#N/A text in a count": {(1, 3): "#N/A"},
    "NaN in a count": {(2, 2): "NaN"},
    "a number as text among numbers": {(0, 4): "12"},
    "a number as text with spaces": {(0, 4): " 12 "},
    "negative": {(2, 4): -3},
    "fraction": {(3, 5): 2.5},
    "tiny fraction (shown as a whole number)": {(3, 5): 12.0000000001},
    "looks like a thousands separator": {(3, 2): 1.234},
    "negative zero": {(4, 6): -0.0},
    "huge": {(5, 2): 1e20},
    "TRUE in a count": {(5, 6): True},
    "empty required count": {(6, 7): None},
    "month as a serial number": {(0, 0): 43831},
    "month as text": {(0, 0): "2020-01"},
    "month with a time": {(1, 0): datetime(2020, 1, 1, 12, 30)},
    "month with a fraction of a second": {(1, 0): datetime(2020, 1, 1, 0, 0, 0, 500000)},
    "month not on the first": {(2, 0): datetime(2020, 1, 15)},
    "month text among dates": {(3, 0): "n.v.t."},
    "month NA among dates": {(3, 0): "NA"},
    "month before 1900": {(3, 0): datetime(1850, 1, 1)},
    "TRUE as a month": {(3, 0): True},
    "empty month": {(3, 0): None},
    "code typed as a number": {(0, 1): 101},
    "code with a non-breaking space": {(0, 1): "\u00a0DX01"},
    "NA as a code": {(0, 1): "NA"},
    "outflow to work above outflow": {(1, 5): 40},
}


@pytest.mark.parametrize("optional", [False, True], ids=["required only", "with optional columns"])
@pytest.mark.parametrize("case", list(CASES))
def test_typed_and_text_reads_give_the_same_report_and_dataset(case, optional):
    header = OPTIONAL_HEADER if optional else MONTHLY_HEADER
    data = make_workbook(monthly=changed(CASES[case], optional=optional), monthly_header=header)
    assert_same(read_workbook(data), read_workbook(data, typed=False))


@pytest.mark.parametrize(
    "cells",
    [
        {(0, 10): "n.v.t.", (1, 11): 3},  # text and a number in the optional columns
        {(0, 11): -1},
        {(0, 10): "NA", (1, 10): None},
    ],
    ids=["text in an optional count", "negative optional count", "NA in an optional count"],
)
def test_optional_columns_with_problems_read_alike(cells):
    data = make_workbook(monthly=changed(cells, optional=True), monthly_header=OPTIONAL_HEADER)
    assert_same(read_workbook(data), read_workbook(data, typed=False))


def test_extra_unnamed_and_duplicate_columns_and_empty_rows_read_alike():
    header = [*MONTHLY_HEADER, "totaal", None, "Bijstand "]
    rows = [[*row, 1.5, "x" if i == 2 else None, 7] for i, row in enumerate(monthly_rows())]
    rows += [[None] * len(header)] * 3  # formatted but empty rows at the end
    data = make_workbook(monthly=rows, monthly_header=header)
    assert_same(read_workbook(data), read_workbook(data, typed=False))


def test_error_cells_read_alike():
    workbook = openpyxl.load_workbook(_bytes_io(make_workbook()))
    sheet = workbook["maandcijfers"]
    sheet["C3"] = "#N/A"  # openpyxl stores these as error cells, as Excel does for =NA()
    sheet["D4"] = "#DIV/0!"
    sheet["A5"] = "#VALUE!"
    data = _save(workbook)
    assert sheet["C3"].data_type == "e"
    assert_same(read_workbook(data), read_workbook(data, typed=False))


def test_an_honest_sheet_is_read_typed_without_a_second_pass():
    data = make_workbook(monthly=with_optional(monthly_rows()), monthly_header=OPTIONAL_HEADER)
    frame = typed_monthly(fastexcel.read_excel(data), "maandcijfers")
    assert frame is not None
    assert frame.schema["maand"] == pl.Date
    assert frame.schema["code"] == pl.String
    assert all(frame.schema[name] == pl.Int64 for name in [*MONTHLY_HEADER[2:], "uitgenodigd"])
    assert frame.schema["jobhunter"] == pl.String  # empty throughout: as the text route reads it
    assert frame.get_column("maand").to_list()[:2] == [date(2020, 1, 1), date(2020, 1, 1)]
    assert frame.get_column("bijstand").to_list()[:4] == [1000, 2000, 1500, 800]
    assert frame.get_column("uitgenodigd").to_list()[:3] == [5, None, 7]


def test_only_a_column_that_failed_to_convert_or_is_inexact_is_read_again_as_text():
    # "n/a" and "NA" count as empty when fastexcel infers the type (so the columns are numbers), but do not convert.
    data = make_workbook(monthly=changed({(4, 2): "n/a", (1, 3): "NA", (2, 4): -3}))
    frame = typed_monthly(fastexcel.read_excel(data), "maandcijfers")
    assert frame.columns == MONTHLY_HEADER
    assert [frame.schema[name] for name in ("bijstand", "gesprekken", "uitstroom")] == [pl.String] * 3
    assert frame.get_column("bijstand").to_list()[3:6] == ["800", "n/a", "2000"]
    assert frame.get_column("gesprekken").to_list()[:2] == ["50", "NA"]
    assert frame.get_column("uitstroom").to_list()[:3] == ["25", "30", "-3"]
    assert frame.schema["uitstroom_werk"] == pl.Int64 and frame.schema["maand"] == pl.Date


@pytest.mark.parametrize("cell", ["n.v.t.", "12", True], ids=["text", "a number as text", "TRUE"])
def test_a_column_mixing_kinds_of_cells_sends_the_sheet_to_the_text_route(cell):
    data = make_workbook(monthly=changed({(0, 4): cell}))
    assert typed_monthly(fastexcel.read_excel(data), "maandcijfers") is None


def test_one_text_cell_in_a_numeric_column_is_named_with_sheet_row_column_and_value():
    result = read_workbook(make_workbook(monthly=changed({(4, 2): "n.v.t."})))  # Excel row 6
    assert [(p.sheet, p.row, p.column, p.value, p.message) for p in result.report.errors] == [
        ("maandcijfers", 6, "bijstand", "n.v.t.", TEXT_IN_COUNTS),
    ]
    assert result.dataset is None


def test_na_among_numbers_is_text_not_an_empty_cell():
    # fastexcel treats "NA" as empty when it infers a column's type; the report must still show the cell's text.
    result = read_workbook(make_workbook(monthly=changed({(1, 3): "NA"})))  # gesprekken, Excel row 3
    assert [(p.sheet, p.row, p.column, p.value, p.message) for p in result.report.errors] == [
        ("maandcijfers", 3, "gesprekken", "NA", TEXT_IN_COUNTS),
    ]


def test_numbers_that_are_no_counts_are_named_as_before():
    result = read_workbook(make_workbook(monthly=changed({(2, 4): -3, (3, 5): 2.5, (4, 6): -0.0})))
    assert [(p.row, p.column, p.value, p.message) for p in result.report.errors] == [
        (4, "uitstroom", "-3", "Negatief aantal: aantallen zijn 0 of meer."),
        (5, "uitstroom_werk", "2.5", "Gebroken getal: aantallen zijn hele getallen."),
        (6, "klachten_bejegening", "-0", "Negatief aantal: aantallen zijn 0 of meer."),
    ]


def test_a_serial_number_among_months_is_still_named():
    result = read_workbook(make_workbook(monthly=changed({(0, 0): 43831})))  # 1 January 2020
    assert result.report.ok
    assert [(p.severity, p.row, p.column, p.value) for p in result.report.problems] == [
        (Severity.WARNING, 2, "maand", "43831"),
    ]


def test_iso_date_cells_are_dates_on_both_routes_and_both_sheets():
    # A workbook may store a date as ISO text in a date cell (t="d"; openpyxl's iso_dates). Read as text that cell
    # is "2020-01-01T00:00:00", an accepted form (`parsing.parse_date`); the typed read of `maandcijfers` takes the
    # date itself. So the two routes agree, and `eenheden` (always text) takes such dates in start and eind too.
    workbook = openpyxl.load_workbook(_bytes_io(make_workbook(units_rows())))
    workbook.iso_dates = True
    data = _save(workbook)
    typed, text = read_workbook(data), read_workbook(data, typed=False)
    assert typed.report.ok, typed.report.problems
    assert typed.dataset.monthly.get_column("maand").unique().sort().to_list() == [date(2020, 1, 1),
                                                                                   date(2020, 2, 1)]
    starts = dict(zip(*typed.dataset.units.select("code", "start").get_columns(), strict=True))
    assert (starts["DX01"], starts["DG01"]) == (date(2019, 11, 1), date(2020, 1, 1))
    assert_same(typed, text)


def assert_same(typed, text) -> None:
    assert typed.report.problems == text.report.problems
    assert (typed.dataset is None) == (text.dataset is None)
    if typed.dataset is not None:
        assert_frame_equal(typed.dataset.monthly, text.dataset.monthly)
        assert_frame_equal(typed.dataset.units, text.dataset.units)


def _bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_units_are_untouched_by_the_typed_read():
    units = units_rows()
    units[0][4] = 43831  # a serial number as start: read as text, as before
    data = make_workbook(units)
    assert_same(read_workbook(data), read_workbook(data, typed=False))
