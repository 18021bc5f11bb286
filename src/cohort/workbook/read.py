"""Reading contract workbooks: Polars with the fastexcel (calamine) engine, then validation.

The reference is every cell as text: type inference would turn "n.v.t." into null or a number column into floats
without telling anyone, so parsing happens in `cohort.workbook.parsing`, where every failure is reported. Text is
slow for the large sheet (100,000 rows: converting every number to text and parsing it back costs more than
reading the file), so `maandcijfers` is first read typed, and a column keeps its typed values only when they are
provably what the text route would have made of them (`typed_monthly`); any other column is read again as text.

Rows are numbered as Excel shows them: each sheet is read from an absolute row (`load_text`), its header found on
row 1 or below empty rows or a title (`find_header`), and `validation.with_excel_rows` numbers the rows below it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import fastexcel
import polars as pl
from openpyxl.utils import get_column_letter

from cohort.contract import (
    COUNT_COLUMNS,
    MONTHLY_COLUMNS,
    OPTIONAL_COUNT_NAMES,
    SHEET_GUIDE,
    SHEET_MONTHLY,
    SHEET_NOTES,
    SHEET_UNITS,
    UNIT_COLUMNS,
)
from cohort.dataset import Dataset, DatasetMeta, normalise_frames
from cohort.workbook.parsing import clean_cell
from cohort.workbook.report import ValidationReport
from cohort.workbook.validation import (
    ROW,
    TEMPLATE_HEADER_ROW,
    UNNAMED,
    cross_checks,
    normalise_header,
    validate_monthly,
    validate_units,
    with_excel_rows,
)

KNOWN_SHEETS = (SHEET_UNITS, SHEET_MONTHLY, SHEET_NOTES)


@dataclass
class ReadResult:
    report: ValidationReport
    dataset: Dataset | None = None  # only when there are no errors
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, for progress and the benchmark


def read_workbook(source: bytes | Path, *, name: str = "Geüploade dataset", typed: bool = True) -> ReadResult:
    """Read, check and type a contract workbook. Never raises for a bad file: problems go in the report.

    `typed=False` reads every cell as text: the reference the typed read of `maandcijfers` is tested against."""
    report = ValidationReport()
    result = ReadResult(report)
    started = time.perf_counter()
    sheets = read_sheets(source, report, typed=typed)
    result.seconds["lezen"] = time.perf_counter() - started
    if sheets is None:
        return result

    started = time.perf_counter()
    units_raw, monthly_raw = sheets.get(SHEET_UNITS), sheets.get(SHEET_MONTHLY)
    if units_raw is None or monthly_raw is None:
        return result
    units = validate_units(units_raw.frame, report, header_row=units_raw.header_row)
    codes = set(units.get_column("code").drop_nulls().to_list())
    monthly = validate_monthly(monthly_raw.frame, codes, report, header_row=monthly_raw.header_row)
    if monthly.height == 0 and "maand" in monthly.columns:
        report.error("Het tabblad bevat geen rijen met cijfers.", sheet=SHEET_MONTHLY)
    if report.ok:
        cross_checks(units, monthly, report)
    notes_read = sheets.get(SHEET_NOTES)
    notes = read_notes(notes_read.frame if notes_read else None)
    result.seconds["controleren"] = time.perf_counter() - started
    if not report.ok:
        return result

    monthly = _drop_empty_optional_columns(monthly.drop(ROW), report)
    units_typed, monthly_typed = normalise_frames(units.drop(ROW), monthly)
    meta = DatasetMeta(
        name=name,
        source=notes.get("bron", ""),
        is_example=notes.get("voorbeelddata", "").strip().lower() in {"ja", "yes", "true", "1"},
        notes=notes,
    )
    result.dataset = Dataset(units_typed, monthly_typed, meta)
    return result


class SheetRead(NamedTuple):
    frame: pl.DataFrame  # the rows below the header, with the Excel row number `ROW`
    header_row: int  # the Excel row of the header (0: `toelichting`, read without one)


def read_sheets(source: bytes | Path, report: ValidationReport, *, typed: bool = True) -> dict[str, SheetRead] | None:
    """The contract sheets with an Excel row number column; None if unreadable.

    Every column is text, except in `maandcijfers` (when `typed`) the counts (Int64) and `maand` (Date) that
    `typed_monthly` could read exactly."""
    try:
        reader = fastexcel.read_excel(source if isinstance(source, bytes) else str(source))
        by_key = {normalise_header(n): n for n in reader.sheet_names}
    except Exception as error:  # calamine raises several types for broken files; all mean the same here
        report.error(f"Het bestand kan niet worden gelezen als Excel-werkmap (.xlsx): {_short(error)}")
        return None

    for key, original in by_key.items():
        if key not in KNOWN_SHEETS and key != SHEET_GUIDE:
            report.warning(f"Tabblad ‘{original}’ hoort niet bij het gegevensformaat en wordt genegeerd.",
                           sheet=original)
    for required in (SHEET_UNITS, SHEET_MONTHLY):
        if required not in by_key:
            report.error(f"Tabblad ‘{required}’ ontbreekt. Gebruik het sjabloon (tabbladen ‘{SHEET_UNITS}’ en "
                         f"‘{SHEET_MONTHLY}’).", sheet=required)
    sheets: dict[str, SheetRead] = {}
    for key in KNOWN_SHEETS:
        if key not in by_key:
            continue
        try:
            frame, header_row = _load_sheet(reader, by_key[key], key, typed=typed, report=report)
        except Exception as error:
            report.error(f"Tabblad kan niet worden gelezen: {_short(error)}", sheet=by_key[key])
            continue
        sheets[key] = SheetRead(with_excel_rows(frame, header_row), header_row)
    return sheets if report.ok or sheets else None


def _load_sheet(
    reader: fastexcel.ExcelReader, sheet: str, key: str, *, typed: bool, report: ValidationReport
) -> tuple[pl.DataFrame, int]:
    """A contract sheet below its header, and the Excel row of that header (0: `toelichting` has none).

    The header is on row 1 (the template) unless `find_header` finds it lower; only then is the sheet read again.
    So an honest `maandcijfers` is read once, typed."""
    if key == SHEET_NOTES:
        return load_text(reader, sheet, header_row=0), 0
    names = {column.name for column in (UNIT_COLUMNS if key == SHEET_UNITS else MONTHLY_COLUMNS)}
    typed_route = typed and key == SHEET_MONTHLY
    frame = typed_monthly(reader, sheet) if typed_route else None
    if frame is not None and _holds_column_names(frame.columns, names):
        return frame, TEMPLATE_HEADER_ROW
    below_row_1 = load_text(reader, sheet, header_row=TEMPLATE_HEADER_ROW)
    header_row = find_header(below_row_1, names, sheet, report)
    if header_row == TEMPLATE_HEADER_ROW:
        return (frame if frame is not None else below_row_1), header_row
    frame = typed_monthly(reader, sheet, header_row=header_row) if typed_route else None
    return (frame if frame is not None else load_text(reader, sheet, header_row=header_row)), header_row


def load_text(reader: fastexcel.ExcelReader, sheet: str, *, header_row: int, **options: Any) -> pl.DataFrame:
    """Every cell as text, below the header on Excel row `header_row` (0: no header, the rows from row 1 on).

    calamine numbers rows from A1 only when told where to start: `header_row` >= 1 (0-based, as fastexcel
    takes it) or `skip_rows=0`. Its default starts a sheet at its first filled row, and then a sheet with empty
    rows above its header had every row number in the report too small (`validation.with_excel_rows`)."""
    loaded = _load(reader, sheet, header_row=header_row, dtypes="string", **options)
    return _with_letters(loaded.to_polars(), loaded.selected_columns)


def _with_letters(frame: pl.DataFrame, columns: list[fastexcel.ColumnInfo]) -> pl.DataFrame:
    """A column without a header named by its letter ("__UNNAMED__L"), for the report: fastexcel numbers such
    columns from the first filled one ("__UNNAMED__10"), which is no name the evaluator can find."""
    return frame.rename({info.name: UNNAMED + get_column_letter(info.absolute_index + 1)
                         for info in columns if info.column_name_from == "generated"})


def _load(reader: fastexcel.ExcelReader, sheet: str, *, header_row: int, **options: Any) -> fastexcel.ExcelSheet:
    return reader.load_sheet_by_name(sheet, header_row=header_row - 1 if header_row else None, skip_rows=0,
                                     **options)


# A title block above the header is a few rows; a header further down is no longer the sheet's header.
HEADER_SEARCH_ROWS = 20


def find_header(below_row_1: pl.DataFrame, names: set[str], sheet: str, report: ValidationReport) -> int:
    """The Excel row of a sheet's header, given the sheet read as text with its header on row 1.

    The header is the first of `HEADER_SEARCH_ROWS` rows, counted from the first filled one, that holds two or
    more column names of the format (`names`); without one, the first filled row, so the report names the row
    where it expected the header. A filled row above the header (a title, a source) is not read: a warning
    names it and what it says. Empty rows above it need no warning: the row numbers are Excel's either way."""
    row_1 = [c for c in below_row_1.columns if not c.startswith(UNNAMED)]  # its cells are the column names
    if row_1:
        first_row = TEMPLATE_HEADER_ROW
    else:
        filled = None
        if below_row_1.width:
            filled = below_row_1.select(pl.any_horizontal(pl.all().is_not_null()).arg_true().first()).item()
        if filled is None:
            return TEMPLATE_HEADER_ROW  # an empty sheet: the report says its columns are missing
        first_row = TEMPLATE_HEADER_ROW + 1 + filled  # data row i of `below_row_1` is Excel row 2 + i
    rows: list[list[Any]] = [row_1] if row_1 else []
    next_index = first_row + len(rows) - TEMPLATE_HEADER_ROW - 1  # where the next Excel row is in `below_row_1`
    rows += [list(row) for row in below_row_1.slice(next_index, HEADER_SEARCH_ROWS - len(rows)).iter_rows()]
    texts = [[text for value in row if value is not None and (text := str(value).strip())] for row in rows]
    for offset, values in enumerate(texts):
        if _holds_column_names(values, names):
            header_row = first_row + offset
            for above, filled_values in enumerate(texts[:offset]):
                if filled_values:
                    report.warning(
                        f"Deze rij staat boven de kolomkoppen (rij {header_row}) en wordt niet ingelezen; alleen de "
                        "rijen onder de kolomkoppen zijn gegevens.",
                        sheet=sheet, row=first_row + above, value="; ".join(filled_values))
            return header_row
    return first_row


def _holds_column_names(cells: list[str], names: set[str]) -> bool:
    """Two names of the format make a header: one could be a title ("maandcijfers") or a value ("code")."""
    return sum(normalise_header(c) in names for c in cells) >= 2


# Counts read as floats are exact integers up to 2**53; larger ones (never honest) take the text route.
EXACT_FLOAT_LIMIT = 2.0**53


def typed_monthly(
    reader: fastexcel.ExcelReader, sheet: str, *, header_row: int = TEMPLATE_HEADER_ROW
) -> pl.DataFrame | None:
    """`maandcijfers` read typed below the header on Excel row `header_row`, equal to the all-text read after
    parsing; None: read it all as text instead.

    fastexcel infers each column's type from every row, strictly: a column mixing kinds of cells (numbers and
    text, dates and numbers, numbers and TRUE) raises, and then the whole sheet is read as text. Otherwise a
    column keeps its typed values only if they are exactly what `parsing` would make of the text of the same
    cells, and no cell failed to convert (fastexcel counts "NA", "n/a", "#N/A" and the like as empty when it
    infers, but reports them when it converts):
    - a count: numbers only, each whole, 0 or more, below 2**53 (the text of such a number is its digits);
    - `maand`: Excel dates only, whole seconds, years 1000-9999 (their text is "2021-03-01 00:00:00"; the one
      difference: a date stored as ISO text in a date cell, t="d", is a date here and "Geen geldige datum" as
      text, because its text is "2021-03-01T00:00:00");
    - any other column: text cells only (the same text either way), or empty.
    Every other column (negative or broken counts, serial numbers as months, codes typed as numbers, a "NA"
    among the numbers) is read again as text, so its problems are reported cell by cell as before.
    """
    try:
        loaded = _load(reader, sheet, header_row=header_row, schema_sample_rows=None, dtype_coercion="strict")
        batch, errors = loaded.to_arrow_with_errors()
        frame = pl.DataFrame(batch)
        columns = loaded.selected_columns
    except Exception:  # a mixed column or any other complaint of the typed read: the text route decides
        return None
    failed = {error.position[1] for error in errors.errors} if errors is not None else set()
    known = {column.name for column in MONTHLY_COLUMNS}
    exprs = {name: pl.col(name) for name in frame.columns}
    as_text: list[str] = []
    checks: list[pl.Expr] = []
    for info in columns:
        name, key = info.name, normalise_header(info.name)
        dtype = frame.schema[name]
        if info.index in failed:
            as_text.append(name)
        elif dtype in (pl.Null, pl.String):
            exprs[name] = pl.col(name).cast(pl.String)  # text cells give the same text either way
        elif key not in known:
            pass  # ignored by validation, which only asks whether such a column has anything in it
        elif key in COUNT_COLUMNS and dtype == pl.Float64:
            exprs[name] = pl.col(name).cast(pl.Int64)
            checks.append(_exact_count(name))
        elif key == "maand" and isinstance(dtype, pl.Datetime):
            exprs[name] = pl.col(name).dt.date()
            checks.append(_exact_month(name))
        else:
            as_text.append(name)
    if checks:
        as_text += [name for name, ok in frame.select(checks).row(0, named=True).items() if not ok]
    frame = frame.select(expr for name, expr in exprs.items() if name not in as_text)
    if not as_text:
        return _with_letters(frame, columns)
    try:
        text = _load(reader, sheet, header_row=header_row, dtypes="string", use_columns=as_text).to_polars()
    except Exception:
        return None
    if text.height != frame.height:
        return None
    return _with_letters(pl.concat([frame, text], how="horizontal").select(info.name for info in columns), columns)


def _exact_count(name: str) -> pl.Expr:
    value = pl.col(name)
    negative_zero = (value == 0) & ((1.0 / value) < 0)  # its text is "-0": "Negatief aantal"
    ok = value.is_finite() & (value >= 0) & (value < EXACT_FLOAT_LIMIT) & (value == value.floor()) & ~negative_zero
    return (value.is_null() | ok).all().alias(name)


def _exact_month(name: str) -> pl.Expr:
    value = pl.col(name)
    whole_seconds = value.dt.epoch("ms") % 1000 == 0  # fractions of a second make text no date format accepts
    ok = whole_seconds & value.dt.year().is_between(1000, 9999)
    return (value.is_null() | ok).all().alias(name)


def read_notes(frame: pl.DataFrame | None) -> dict[str, str]:
    """The optional key/value sheet `toelichting`: first column key, second value."""
    if frame is None or frame.width < 3:
        return {}
    key_col, value_col = frame.columns[1], frame.columns[2]
    notes: dict[str, str] = {}
    for key, value in frame.select(key_col, value_col).iter_rows():
        if key is None or value is None:
            continue
        normalised = normalise_header(key)
        if normalised in {"sleutel", "key"}:
            continue  # a header row
        notes[normalised] = clean_cell(str(value))
    return notes


def _drop_empty_optional_columns(monthly: pl.DataFrame, report: ValidationReport) -> pl.DataFrame:
    present = [c for c in OPTIONAL_COUNT_NAMES if c in monthly.columns]
    empty = [c for c in present if monthly.get_column(c).null_count() == monthly.height]
    for column in empty:
        report.warning("Optionele kolom is helemaal leeg en wordt niet getoond.", sheet=SHEET_MONTHLY, column=column)
    return monthly.drop(empty)


def _short(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:200]
