"""Reading contract workbooks: Polars with the fastexcel (calamine) engine, every cell as text, then validation.

Reading everything as text is deliberate: type inference would turn "n.v.t." into null or a number column into
floats without telling anyone. Parsing happens in `cohort.workbook.parsing`, where every failure is reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import polars as pl

from cohort.contract import OPTIONAL_COUNT_NAMES, SHEET_GUIDE, SHEET_MONTHLY, SHEET_NOTES, SHEET_UNITS
from cohort.dataset import Dataset, DatasetMeta, normalise_frames
from cohort.workbook.parsing import clean_cell
from cohort.workbook.report import ValidationReport
from cohort.workbook.validation import ROW, cross_checks, normalise_header, validate_monthly, validate_units

KNOWN_SHEETS = (SHEET_UNITS, SHEET_MONTHLY, SHEET_NOTES)


@dataclass
class ReadResult:
    report: ValidationReport
    dataset: Dataset | None = None  # only when there are no errors
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, for progress and the benchmark


def read_workbook(source: bytes | Path, *, name: str = "Geüploade dataset") -> ReadResult:
    """Read, check and type a contract workbook. Never raises for a bad file: problems go in the report."""
    report = ValidationReport()
    result = ReadResult(report)
    started = time.perf_counter()
    sheets = read_sheets(source, report)
    result.seconds["lezen"] = time.perf_counter() - started
    if sheets is None:
        return result

    started = time.perf_counter()
    units_raw, monthly_raw = sheets.get(SHEET_UNITS), sheets.get(SHEET_MONTHLY)
    if units_raw is None or monthly_raw is None:
        return result
    units = validate_units(units_raw, report)
    codes = set(units.get_column("code").drop_nulls().to_list())
    monthly = validate_monthly(monthly_raw, codes, report)
    if monthly.height == 0 and "maand" in monthly.columns:
        report.error("Het tabblad bevat geen rijen met cijfers.", sheet=SHEET_MONTHLY)
    if report.ok:
        cross_checks(units, monthly, report)
    notes = read_notes(sheets.get(SHEET_NOTES))
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


def read_sheets(source: bytes | Path, report: ValidationReport) -> dict[str, pl.DataFrame] | None:
    """The contract sheets as all-text frames with an Excel row number column; None if unreadable."""
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
    sheets: dict[str, pl.DataFrame] = {}
    for key in KNOWN_SHEETS:
        if key not in by_key:
            continue
        try:
            header = None if key == SHEET_NOTES else 0
            frame = reader.load_sheet_by_name(by_key[key], header_row=header, dtypes="string").to_polars()
        except Exception as error:
            report.error(f"Tabblad kan niet worden gelezen: {_short(error)}", sheet=by_key[key])
            continue
        # Excel row numbers as the evaluator sees them: the header is row 1, data start at row 2.
        first_row = 2 if header == 0 else 1
        sheets[key] = frame.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
    return sheets if report.ok or sheets else None


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
