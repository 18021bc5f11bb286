"""The data contract, enforced: good and bad workbooks built in the tests."""

from datetime import date, datetime

import polars as pl
import pytest
from workbooks import MONTHLY_HEADER, make_workbook, monthly_rows, units_rows

from cohort.workbook.read import read_workbook
from cohort.workbook.report import Severity
from cohort.workbook.validation import normalise_header


def problems(result, severity=Severity.ERROR):
    return [p for p in result.report.problems if p.severity is severity]


def test_valid_workbook_gives_typed_dataset():
    result = read_workbook(make_workbook())
    assert result.report.ok, result.report.problems
    dataset = result.dataset
    assert dataset.units.height == 4
    assert dataset.monthly.height == 8
    assert dataset.monthly.schema["bijstand"] == pl.Int64
    assert dataset.monthly.schema["maand"] == pl.Date
    row = dataset.units.filter(pl.col("code") == "DX01").row(0, named=True)
    assert row["start"] == date(2019, 11, 1) and row["eind"] == date(2020, 10, 31)
    assert dataset.units.filter(pl.col("code") == "DG01").get_column("stadsdeel").to_list() == [None]
    assert dataset.optional_counts == ()


@pytest.mark.parametrize(
    ("header", "expected"),
    [("  Uitstroom Wérk ", "uitstroom_werk"), ("MAAND", "maand"), ("klachten-bejegening", "klachten_bejegening")],
)
def test_headers_differing_in_case_spaces_accents(header, expected):
    assert normalise_header(header) == expected


def test_messy_but_acceptable_workbook():
    header = ["Maand ", "CODE", "Bijstand", "Gesprékken", "uitstroom", "Uitstroom werk",
              "klachten bejegening", "Klachten_Bereikbaarheid", "klachten koers", "klachten overig", None]
    rows = [
        ["2020-01", "DX01", "1000", 50, 25, "12", 1, 0, 0, 0, None],
        ["mrt 2020", "DX01", 1000, 50, 25, 12, 0, 0, 0, 0, None],
        ["1-2-2020", "DX01", 1000.0, 50, 25, 12, 0, 0, 0, 0, None],
        ["februari 2020", "DX02", 10, 0, 1, 1, 0, 0, 0, 0, None],
        [None, None, None, None, None, None, None, None, None, None, None],
    ]
    units = units_rows()[:2]
    result = read_workbook(make_workbook(units, rows, monthly_header=header, extra_sheets={"Notities": [["x"]]}))
    assert result.report.ok, result.report.problems
    months = result.dataset.monthly.filter(pl.col("code") == "DX01").get_column("maand").to_list()
    assert months == [date(2020, 1, 1), date(2020, 2, 1), date(2020, 3, 1)]
    warnings = problems(result, Severity.WARNING)
    assert any(p.sheet == "Notities" and "genegeerd" in p.message for p in warnings)


def test_missing_sheet_is_an_error():
    result = read_workbook(make_workbook(sheet_names=("eenheden", "cijfers")))
    errors = problems(result)
    assert any(p.sheet == "maandcijfers" and "ontbreekt" in p.message for p in errors)
    assert result.dataset is None


def test_missing_required_column():
    header = [h for h in MONTHLY_HEADER if h != "uitstroom_werk"]
    rows = [[v for i, v in enumerate(r) if MONTHLY_HEADER[i] != "uitstroom_werk"] for r in monthly_rows()]
    result = read_workbook(make_workbook(monthly=rows, monthly_header=header))
    assert [(p.column, p.row) for p in problems(result)] == [("uitstroom_werk", 1)]


def test_text_negative_fraction_and_empty_counts_are_located():
    rows = monthly_rows()
    rows[0][2] = "n.v.t."  # bijstand, Excel row 2
    rows[1][3] = "-"  # gesprekken, row 3
    rows[2][4] = -3  # uitstroom, row 4
    rows[3][5] = 2.5  # uitstroom_werk, row 5
    rows[4][6] = None  # klachten_bejegening, row 6
    rows[5][7] = "."  # row 7
    rows[6][2] = "1.000"  # ambiguous, row 8
    result = read_workbook(make_workbook(monthly=rows))
    located = {(p.row, p.column): p for p in problems(result)}
    assert located[(2, "bijstand")].value == "n.v.t."
    assert "Tekst" in located[(2, "bijstand")].message
    assert located[(3, "gesprekken")].value == "-"
    assert "Negatief" in located[(4, "uitstroom")].message
    assert "Gebroken" in located[(5, "uitstroom_werk")].message
    assert "nooit als 0" in located[(6, "klachten_bejegening")].message
    assert (7, "klachten_bereikbaarheid") in located
    assert "scheidingsteken" in located[(8, "bijstand")].message
    assert all(p.sheet == "maandcijfers" for p in located.values())
    assert result.dataset is None


def test_duplicates_unknown_codes_and_outflow_rule():
    rows = monthly_rows()
    rows.append(list(rows[0]))  # duplicate (maand, code): Excel row 10
    rows.append([datetime(2020, 1, 1), "XX99", 1, 0, 0, 0, 0, 0, 0, 0])  # unknown code, row 11
    rows[1][5] = 40  # uitstroom_werk 40 > uitstroom 30, row 3
    result = read_workbook(make_workbook(monthly=rows))
    errors = problems(result)
    duplicates = [p for p in errors if "Dubbele" in p.message]
    assert sorted(p.row for p in duplicates) == [2, 10]
    unknown = [p for p in errors if "niet op het tabblad" in p.message]
    assert [(p.row, p.value) for p in unknown] == [(11, "XX99")]
    assert [(p.row, p.column) for p in errors if "groter" in p.message] == [(3, "uitstroom_werk")]


def test_unit_rules():
    units = units_rows()
    units[1][5] = datetime(2020, 1, 1)  # eind before start (2021-01-01), row 3
    units[2][0] = "DX01"  # duplicate code, rows 2 and 4
    units[3][2] = "groep"  # wrong soort, row 5
    units.append(["DX09", "Zonder stadsdeel", "gebied", None, "onzin", None])  # rows 6
    result = read_workbook(make_workbook(units=units))
    errors = {(p.row, p.column, p.message.split(" ")[0]) for p in problems(result)}
    assert (3, "eind", "‘eind’") in errors
    assert {(2, "code"), (4, "code")} <= {(r, c) for r, c, _ in errors}
    assert (5, "soort") in {(r, c) for r, c, _ in errors}
    assert (6, "stadsdeel") in {(r, c) for r, c, _ in errors}
    assert (6, "start") in {(r, c) for r, c, _ in errors}


def test_not_an_excel_file():
    result = read_workbook(b"%PDF-1.4 not a workbook")
    assert not result.report.ok
    assert "kan niet worden gelezen" in result.report.errors[0].message


def test_many_identical_errors_are_capped_but_counted():
    rows = [[datetime(2020, 1, 1), f"DX{i:02d}", "x", 0, 0, 0, 0, 0, 0, 0] for i in range(1, 4)] * 1
    units = [[f"DX{i:02d}", "n", "gebied", "Centrum", None, None] for i in range(1, 4)]
    many = []
    for month in range(1, 13):
        for year in range(2000, 2030):
            many.append([datetime(year, month, 1), "DX01", "x", 0, 0, 0, 0, 0, 0, 0])
    result = read_workbook(make_workbook(units=units, monthly=rows + many))
    text_errors = [p for p in problems(result) if p.column == "bijstand"]
    assert len(text_errors) == 201  # 200 listed + one summary line
    assert text_errors[-1].message.startswith("En nog 163 rijen")


def test_a_date_that_does_not_exist_is_named_as_such_and_nothing_follows_from_it():
    units = units_rows()
    units[0][4] = "31-02-2021"  # start of DX01, whose eind (31 October 2020) is filled in
    units[1][4] = "31/04/2021"
    result = read_workbook(make_workbook(units))
    errors = [(p.sheet, p.row, p.column, p.value, p.message) for p in problems(result)]
    # Not also "‘eind’ is ingevuld maar ‘start’ niet": start is filled in, with a day that does not exist.
    assert errors == [
        ("eenheden", 2, "start", "31-02-2021", "31-02-2021 is geen bestaande datum: februari 2021 heeft 28 dagen."),
        ("eenheden", 3, "start", "31/04/2021", "31/04/2021 is geen bestaande datum: april 2021 heeft 30 dagen."),
    ]


def test_iso_date_text_is_a_date_and_an_impossible_one_is_named():
    # "2021-01-01T00:00:00" is how a date stored as ISO text in a date cell reads as text (some programs write
    # dates so); a day that does not exist in that form gets the same message as in the other forms.
    units = units_rows()
    units[1][4] = "2021-01-01T00:00:00"
    units[3][4] = "2021-02-29T00:00:00"
    result = read_workbook(make_workbook(units))
    errors = [(p.sheet, p.row, p.column, p.value, p.message) for p in problems(result)]
    assert errors == [("eenheden", 5, "start", "2021-02-29T00:00:00",
                       "2021-02-29T00:00:00 is geen bestaande datum: februari 2021 heeft 28 dagen.")]


def test_impossible_months_and_days_in_maandcijfers():
    monthly = monthly_rows()
    monthly[0][0] = "2020-02-30"
    monthly[1][0] = "2020-13"
    monthly[2][0] = "29-02-2020"  # 2020 is a leap year: a real date (not the first of the month: a warning)
    monthly[6][0] = "2020-03-01"  # so that this unit's February is not there twice
    monthly[3][0] = "n.v.t."
    result = read_workbook(make_workbook(monthly=monthly))
    errors = [(p.row, p.value, p.message) for p in problems(result) if p.column == "maand"]
    assert errors == [
        (2, "2020-02-30", "2020-02-30 is geen bestaande datum: februari 2020 heeft 29 dagen."),
        (3, "2020-13", "2020-13 is geen bestaande datum: een jaar heeft 12 maanden."),
        (5, "n.v.t.", "Geen geldige datum. Gebruik een Excel-datum of bijvoorbeeld 2021-03-01, 1-3-2021 of mrt 2021."),
    ]


def test_duplicate_monthly_rows_name_the_month_and_the_code():
    monthly = monthly_rows()
    monthly.append([datetime(2020, 2, 1), "DX03", 1500, 0, 20, 6, 0, 0, 0, 0])  # Excel row 10, as row 8
    result = read_workbook(make_workbook(monthly=monthly))
    duplicates = [(p.row, p.column, p.value, p.message) for p in problems(result)]
    message = "Dubbele rij: februari 2020 voor code DX03 staat vaker op dit tabblad (rijen 8 en 10)."
    assert duplicates == [(8, "maand, code", "februari 2020, DX03", message),
                          (10, "maand, code", "februari 2020, DX03", message)]


def test_many_duplicate_rows_are_listed_briefly():
    monthly = monthly_rows() + [[datetime(2020, 1, 1), "DX01", 1000, 50, 25, 12, 1, 0, 0, 0]] * 6  # rows 10-15
    result = read_workbook(make_workbook(monthly=monthly))
    first = next(p for p in problems(result) if p.column == "maand, code")
    assert first.row == 2
    assert first.message == ("Dubbele rij: januari 2020 voor code DX01 staat vaker op dit tabblad (rijen 2, 10, 11, "
                             "12, 13 en nog 2).")
