"""Workbooks built in code for the tests (no binaries checked in)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import openpyxl

UNIT_HEADER = ["code", "naam", "soort", "stadsdeel", "start", "eind"]
MONTHLY_HEADER = [
    "maand", "code", "bijstand", "gesprekken", "uitstroom", "uitstroom_werk",
    "klachten_bejegening", "klachten_bereikbaarheid", "klachten_koers", "klachten_overig",
]


def units_rows() -> list[list[Any]]:
    return [
        ["DX01", "Centrum-West", "gebied", "Centrum", datetime(2019, 11, 1), datetime(2020, 10, 31)],
        ["DX02", "Centrum-Oost", "gebied", "Centrum", datetime(2021, 1, 1), None],
        ["DX03", "Westerpark", "gebied", "West", None, None],
        ["DG01", "Jongeren", "doelgroep", None, datetime(2020, 1, 1), None],
    ]


def monthly_rows() -> list[list[Any]]:
    rows = []
    for month in (datetime(2020, 1, 1), datetime(2020, 2, 1)):
        rows.append([month, "DX01", 1000, 50, 25, 12, 1, 0, 0, 0])
        rows.append([month, "DX02", 2000, 0, 30, 10, 0, 0, 0, 0])
        rows.append([month, "DX03", 1500, 0, 20, 6, 0, 0, 0, 0])
        rows.append([month, "DG01", 800, 20, 10, 5, 0, 1, 0, 0])
    return rows


def make_workbook(
    units: list[list[Any]] | None = None,
    monthly: list[list[Any]] | None = None,
    *,
    unit_header: list[str] | None = None,
    monthly_header: list[str] | None = None,
    sheet_names: tuple[str, str] = ("eenheden", "maandcijfers"),
    extra_sheets: dict[str, list[list[Any]]] | None = None,
) -> bytes:
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = sheet_names[0]
    first.append(unit_header or UNIT_HEADER)
    for row in units if units is not None else units_rows():
        first.append(row)
    second = workbook.create_sheet(sheet_names[1])
    second.append(monthly_header or MONTHLY_HEADER)
    for row in monthly if monthly is not None else monthly_rows():
        second.append(row)
    for name, rows in (extra_sheets or {}).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
