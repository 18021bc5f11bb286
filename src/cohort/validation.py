"""The rules of the data contract, applied to sheets read as text.

Input: one frame per sheet, all columns text, plus `_rij` (the Excel row number). Output: typed frames in the
contract schema and a `ValidationReport` in which every problem names sheet, Excel row, column and value.
Errors block publishing; warnings do not. Per rule at most `MAX_LISTED` rows are listed individually, followed
by one line with the number of further rows, so a systematic mistake in a 100,000-row sheet stays readable.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from cohort.contract import (
    MONTHLY_COLUMNS,
    OPTIONAL_COUNT_NAMES,
    REQUIRED_COUNTS,
    SHEET_MONTHLY,
    SHEET_UNITS,
    UNIT_COLUMNS,
    UnitKind,
)
from cohort.parsing import clean_text, count_problem, is_excel_serial, parse_count, parse_date
from cohort.report import ValidationReport

ROW = "_rij"
MAX_LISTED = 200


def normalise_header(name: str) -> str:
    """'  Uitstroom Wérk ' -> 'uitstroom_werk': case, spaces, accents and dashes do not matter."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return text


def _list_rows(
    report: ValidationReport,
    offending: pl.DataFrame,
    *,
    sheet: str,
    column: str | None,
    message: str | None = None,
    message_column: str | None = None,
    value_column: str | None = None,
    warning: bool = False,
) -> None:
    """Add one problem per offending row (capped), each with its Excel row and value."""
    add = report.warning if warning else report.error
    listed = offending.head(MAX_LISTED)
    for row in listed.iter_rows(named=True):
        text = row[message_column] if message_column else message
        value = row.get(value_column or column or "", None)
        add(str(text), sheet=sheet, row=row[ROW], column=column, value=value)
    rest = offending.height - listed.height
    if rest > 0:
        add(f"En nog {rest} rijen met hetzelfde probleem in kolom ‘{column}’.", sheet=sheet, column=column)


def check_columns(
    frame: pl.DataFrame, sheet: str, expected: list[str], required: list[str], report: ValidationReport
) -> pl.DataFrame:
    """Rename headers to contract names; report missing, duplicate and unknown columns."""
    renamed: dict[str, str] = {}
    seen: dict[str, str] = {}
    for original in frame.columns:
        if original == ROW:
            continue
        key = normalise_header(original)
        if original.startswith("__UNNAMED__") or not key:
            if frame.get_column(original).drop_nulls().len() > 0:
                report.warning("Kolom zonder kopje wordt genegeerd.", sheet=sheet, row=1, column=original)
            continue
        if key in seen:
            report.error(
                f"Kolom ‘{original}’ komt twee keer voor (ook als ‘{seen[key]}’).", sheet=sheet, row=1, column=original
            )
            continue
        seen[key] = original
        if key in expected:
            renamed[original] = key
        else:
            report.warning(f"Onbekende kolom ‘{original}’ wordt genegeerd.", sheet=sheet, row=1, column=original)
    for name in required:
        if name not in renamed.values():
            report.error(f"Verplichte kolom ‘{name}’ ontbreekt.", sheet=sheet, row=1, column=name)
    return frame.select([ROW, *renamed]).rename(renamed)


def drop_empty_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Formatted-but-empty trailing rows are common in real workbooks; they are not data."""
    values = [c for c in frame.columns if c != ROW]
    if not values:
        return frame
    return frame.filter(~pl.all_horizontal(pl.col(values).is_null()))


def _parse_dates(frame: pl.DataFrame, column: str, sheet: str, report: ValidationReport) -> pl.DataFrame:
    parsed = frame.with_columns(parse_date(pl.col(column)).alias(f"_{column}"))
    bad = parsed.filter(pl.col(column).is_not_null() & pl.col(f"_{column}").is_null())
    _list_rows(report, bad, sheet=sheet, column=column,
               message="Geen geldige datum. Gebruik een Excel-datum of bijvoorbeeld 2021-03-01, 1-3-2021 of mrt 2021.")
    serial = parsed.filter(is_excel_serial(pl.col(column)))
    if serial.height:
        _list_rows(report, serial, sheet=sheet, column=column, warning=True,
                   message="Getal gelezen als Excel-datum; controleer of dit klopt (geef de cel een datumopmaak).")
    return parsed.with_columns(pl.col(f"_{column}").alias(column)).drop(f"_{column}")


def validate_units(raw: pl.DataFrame, report: ValidationReport) -> pl.DataFrame:
    sheet = SHEET_UNITS
    names = [c.name for c in UNIT_COLUMNS]
    frame = check_columns(raw, sheet, names, [c.name for c in UNIT_COLUMNS if c.required], report)
    frame = frame.with_columns([clean_text(c) for c in frame.columns if c != ROW])
    frame = drop_empty_rows(frame)
    for name in names:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))

    for name in ("code", "naam", "soort"):
        _list_rows(report, frame.filter(pl.col(name).is_null()), sheet=sheet, column=name,
                   message=f"‘{name}’ is verplicht maar leeg.")
    frame = frame.with_columns(pl.col("soort").str.to_lowercase())
    kinds = [k.value for k in UnitKind]
    _list_rows(report, frame.filter(pl.col("soort").is_not_null() & ~pl.col("soort").is_in(kinds)),
               sheet=sheet, column="soort", message="‘soort’ moet ‘gebied’ of ‘doelgroep’ zijn.")
    duplicated = frame.filter(pl.col("code").is_not_null() & pl.col("code").is_duplicated())
    _list_rows(report, duplicated, sheet=sheet, column="code", message="Deze code komt vaker voor; codes zijn uniek.")
    _list_rows(report, frame.filter((pl.col("soort") == UnitKind.AREA) & pl.col("stadsdeel").is_null()),
               sheet=sheet, column="stadsdeel", message="Een gebied heeft een stadsdeel nodig.")
    group_with_district = frame.filter((pl.col("soort") == UnitKind.TARGET_GROUP) & pl.col("stadsdeel").is_not_null())
    _list_rows(report, group_with_district, sheet=sheet, column="stadsdeel", warning=True,
               message="Een doelgroep is stedelijk; het stadsdeel wordt genegeerd.")
    frame = frame.with_columns(
        pl.when(pl.col("soort") == UnitKind.TARGET_GROUP).then(None).otherwise(pl.col("stadsdeel")).alias("stadsdeel")
    )

    for name in ("start", "eind"):
        frame = _parse_dates(frame, name, sheet, report)
    _list_rows(report, frame.filter(pl.col("eind") < pl.col("start")), sheet=sheet, column="eind",
               message="‘eind’ ligt voor ‘start’.")
    _list_rows(report, frame.filter(pl.col("start").is_null() & pl.col("eind").is_not_null()), sheet=sheet,
               column="eind", message="‘eind’ is ingevuld maar ‘start’ niet.")
    return frame.select(ROW, *names)


def validate_monthly(raw: pl.DataFrame, unit_codes: set[str], report: ValidationReport) -> pl.DataFrame:
    sheet = SHEET_MONTHLY
    names = [c.name for c in MONTHLY_COLUMNS]
    required = ["maand", "code", *(c.name for c in REQUIRED_COUNTS)]
    frame = check_columns(raw, sheet, names, required, report)
    frame = frame.with_columns([clean_text(c) for c in frame.columns if c != ROW])
    frame = drop_empty_rows(frame)
    if "maand" not in frame.columns or "code" not in frame.columns:
        return frame.clear()

    _list_rows(report, frame.filter(pl.col("code").is_null()), sheet=sheet, column="code",
               message="‘code’ is verplicht maar leeg.")
    _list_rows(report, frame.filter(pl.col("maand").is_null()), sheet=sheet, column="maand",
               message="‘maand’ is verplicht maar leeg.")
    unknown = frame.filter(pl.col("code").is_not_null() & ~pl.col("code").is_in(sorted(unit_codes)))
    _list_rows(report, unknown, sheet=sheet, column="code",
               message="Deze code staat niet op het tabblad ‘eenheden’.")

    frame = _parse_dates(frame, "maand", sheet, report)
    not_first = frame.filter(pl.col("maand").dt.day() != 1)
    _list_rows(report, not_first, sheet=sheet, column="maand", warning=True, value_column="maand",
               message="Geen eerste dag van de maand; gelezen als de hele maand.")
    frame = frame.with_columns(pl.col("maand").dt.truncate("1mo"))
    keyed = frame.filter(pl.col("maand").is_not_null() & pl.col("code").is_not_null())
    duplicated = keyed.filter(pl.struct("maand", "code").is_duplicated())
    _list_rows(report, duplicated, sheet=sheet, column="maand", value_column="code",
               message="Dubbele rij: deze combinatie van maand en code komt vaker voor.")

    counts = [c for c in (c.name for c in REQUIRED_COUNTS) if c in frame.columns]
    counts += [c for c in OPTIONAL_COUNT_NAMES if c in frame.columns]
    for name in counts:
        frame = _parse_counts(frame, name, required=name not in OPTIONAL_COUNT_NAMES, report=report)

    if {"uitstroom", "uitstroom_werk"} <= set(frame.columns):
        _list_rows(report, frame.filter(pl.col("uitstroom_werk") > pl.col("uitstroom")), sheet=sheet,
                   column="uitstroom_werk",
                   message="‘uitstroom_werk’ is groter dan ‘uitstroom’ (het is een deel ervan).")
    return frame.select(ROW, "maand", "code", *counts)


def _parse_counts(frame: pl.DataFrame, name: str, *, required: bool, report: ValidationReport) -> pl.DataFrame:
    sheet = SHEET_MONTHLY
    if required:
        _list_rows(report, frame.filter(pl.col(name).is_null()), sheet=sheet, column=name,
                   message="Lege cel in een verplichte kolom; een ontbrekend cijfer wordt nooit als 0 gelezen.")
    checked = frame.with_columns(count_problem(pl.col(name)).alias("_probleem"))
    bad = checked.filter(pl.col(name).is_not_null() & pl.col("_probleem").is_not_null())
    _list_rows(report, bad, sheet=sheet, column=name, message_column="_probleem")
    return frame.with_columns(parse_count(pl.col(name)).alias(name))


def cross_checks(units: pl.DataFrame, monthly: pl.DataFrame, report: ValidationReport) -> None:
    """Warnings that concern both sheets."""
    with_data = set(monthly.get_column("code").drop_nulls().unique().to_list())
    without = units.filter(pl.col("code").is_not_null() & ~pl.col("code").is_in(sorted(with_data)))
    _list_rows(report, without, sheet=SHEET_UNITS, column="code", warning=True,
               message="Voor deze eenheid staan geen maandcijfers op ‘maandcijfers’.")
