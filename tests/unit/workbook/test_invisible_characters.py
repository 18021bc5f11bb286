"""Invisible characters in uploaded cells: normalised at the edges, refused inside a code, always named.

A BOM or a zero-width character copied along with a code looks like nothing in Excel and in the report, but
made `DG01` a different code: the map found no known division, a monthly row read as an unknown code, and two
units that both look like `DG01` were published side by side.
"""

from datetime import datetime

import polars as pl
from workbooks import UNIT_HEADER, make_workbook, monthly_rows, units_rows

from cohort.workbook.read import read_workbook
from cohort.workbook.report import Severity, ValidationReport

BOM, ZWSP, ZWJ, NBSP = "\ufeff", "\u200b", "\u200d", "\u00a0"


def problems(result, severity: Severity = Severity.ERROR):
    return [p for p in result.report.problems if p.severity is severity]


def test_invisible_characters_at_the_edges_of_codes_are_removed_and_named():
    units = units_rows()
    units[3][0] = f"{BOM}DG01{ZWJ}"  # Excel row 5 of `eenheden`
    monthly = monthly_rows()
    monthly[3][1] = f"DG01{ZWSP}"  # Excel row 5 of `maandcijfers`
    monthly[0][1] = f"{NBSP}DX01{NBSP}"  # a non-breaking space is a space: removed without a word
    result = read_workbook(make_workbook(units, monthly))

    assert result.report.ok, problems(result)
    assert sorted(result.dataset.units.get_column("code").to_list()) == ["DG01", "DX01", "DX02", "DX03"]
    assert result.dataset.monthly.filter(pl.col("code") == "DG01").height == 2
    assert result.dataset.monthly.filter(pl.col("code") == "DX01").height == 2
    warnings = [(p.sheet, p.row, p.column, p.value, p.message) for p in problems(result, Severity.WARNING)]
    assert warnings == [
        ("eenheden", 5, "code", "⟨U+FEFF⟩DG01⟨U+200D⟩",
         "Onzichtbare tekens aan begin of eind verwijderd: U+FEFF (byte order mark, BOM), U+200D (zero width "
         "joiner). Gelezen als ‘DG01’."),
        ("maandcijfers", 5, "code", "DG01⟨U+200B⟩",
         "Onzichtbaar teken aan begin of eind verwijderd: U+200B (zero width space). Gelezen als ‘DG01’."),
    ]


def test_codes_equal_after_normalisation_are_duplicates():
    units = [*units_rows(), [f"DG01{ZWSP}", "Jongeren (kopie)", "doelgroep", None, None, None]]
    result = read_workbook(make_workbook(units))
    duplicates = [(p.row, p.value) for p in problems(result) if "vaker voor" in p.message]
    assert duplicates == [(5, "DG01"), (6, "DG01⟨U+200B⟩")]
    assert result.dataset is None


def test_an_invisible_character_inside_a_code_is_refused_with_its_name():
    message = ("De code bevat een onzichtbaar teken: U+200B (zero width space) na ‘DX’. Typ de code opnieuw "
               "in, zonder dat teken.")
    units = units_rows()
    units[0][0] = f"DX{ZWSP}01"
    monthly = [row for row in monthly_rows() if row[1] != "DX01"]
    monthly.append([datetime(2020, 1, 1), f"DX{ZWSP}01", 1000, 50, 25, 12, 1, 0, 0, 0])  # Excel row 8
    result = read_workbook(make_workbook(units, monthly))
    errors = [(p.sheet, p.row, p.column, p.value, p.message) for p in problems(result)]
    assert errors == [("eenheden", 2, "code", "DX⟨U+200B⟩01", message),
                      ("maandcijfers", 8, "code", "DX⟨U+200B⟩01", message)]

    # A monthly row whose code only differs by the invisible character: that character is the problem, not an
    # unknown code.
    monthly = [*monthly_rows(), [datetime(2020, 3, 1), f"DX{ZWSP}01", 1000, 50, 25, 12, 1, 0, 0, 0]]  # row 10
    result = read_workbook(make_workbook(units_rows(), monthly))
    errors = [(p.sheet, p.row, p.column, p.value, p.message) for p in problems(result)]
    assert errors == [("maandcijfers", 10, "code", "DX⟨U+200B⟩01", message)]


def test_a_name_keeps_an_inner_invisible_character_with_a_warning():
    units = units_rows()
    units[2][1] = f"Wester{ZWSP}park"
    result = read_workbook(make_workbook(units))
    assert result.report.ok
    (warning,) = problems(result, Severity.WARNING)
    assert (warning.sheet, warning.row, warning.column, warning.value) == ("eenheden", 4, "naam",
                                                                           "Wester⟨U+200B⟩park")
    assert warning.message == ("De tekst bevat een onzichtbaar teken: U+200B (zero width space) na ‘Wester’. "
                               "Het blijft staan; controleer of dat zo bedoeld is.")


def test_text_is_unicode_normalised_so_equal_looking_codes_are_equal():
    decomposed, composed = "Cafe\u0301", "Café"  # "e" + combining acute accent, and "é"
    units = units_rows()
    units[0][0], units[0][1] = f"DX-{decomposed}", decomposed
    monthly = monthly_rows()
    monthly[0][1] = monthly[4][1] = f"DX-{composed}"
    result = read_workbook(make_workbook(units, monthly))
    assert result.report.ok, result.report.problems
    row = result.dataset.units.filter(pl.col("code") == f"DX-{composed}").row(0, named=True)
    assert row["naam"] == composed
    assert result.dataset.monthly.filter(pl.col("code") == f"DX-{composed}").height == 2


def test_invisible_characters_in_headers_and_notes():
    header = [f"{BOM}code", f"naam{ZWSP}", *UNIT_HEADER[2:]]
    notes = [["sleutel", "waarde"], [f"bron{ZWJ}", f"{BOM}WPI-registratie{ZWSP}"]]
    result = read_workbook(make_workbook(unit_header=header, extra_sheets={"toelichting": notes}))
    assert result.report.ok, result.report.problems
    assert result.dataset.units.columns[:2] == ["code", "naam"]
    assert result.dataset.meta.notes == {"bron": "WPI-registratie"}


def test_report_shows_invisible_characters_in_values():
    report = ValidationReport()
    report.error("x", value=f"{BOM}a{ZWSP}b{NBSP}")
    assert report.problems[0].value == "⟨U+FEFF⟩a⟨U+200B⟩b⟨U+00A0⟩"
