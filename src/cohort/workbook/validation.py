"""The rules of the data contract, applied to sheets read as text.

Input: one frame per sheet, all columns text, plus `_rij` (the Excel row number); in `maandcijfers` a count may
already be Int64 and `maand` Date, when the reader could read them exactly (`read.typed_monthly`). Output: typed
frames in the contract schema and a `ValidationReport` in which every problem names sheet, Excel row, column and value.
Errors block publishing; warnings do not. Per rule at most `MAX_LISTED` rows are listed individually, followed
by one line with the number of further rows, so a systematic mistake in a 100,000-row sheet stays readable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import partial
from typing import Any

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
from cohort.fmt import fmt_month, month_text_expr
from cohort.workbook.parsing import (
    all_ascii,
    char_name,
    clean_text,
    count_problem,
    date_problem,
    has_invisible,
    invisible_at_edges,
    invisible_inside,
    is_excel_serial,
    parse_count,
    parse_date,
)
from cohort.workbook.report import ValidationReport

ROW = "_rij"
MAX_LISTED = 200
TEMPLATE_HEADER_ROW = 1  # where the template puts the column names; a sheet read elsewhere says so (`read`)


def with_excel_rows(frame: pl.DataFrame, header_row: int) -> pl.DataFrame:
    """`frame`, the rows below a header on Excel row `header_row` (0: a sheet without one), with `ROW` first.

    The one place that says which Excel row a data row is: data row i is row `header_row + 1 + i`. That holds
    because the reader loads each sheet from an absolute row (`read.load_text`): calamine keeps the empty rows
    below the header, but left alone it would start a sheet at its first filled row, whatever is above it."""
    return frame.with_row_index(ROW, offset=header_row + 1).with_columns(pl.col(ROW).cast(pl.Int64))


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
    message_for: Callable[[dict[str, Any]], str] | None = None,
    value_column: str | None = None,
    warning: bool = False,
) -> None:
    """Add one problem per offending row (capped), each with its Excel row and value.

    The message is `message`, a column of the frame, or `message_for(row)` (only called for listed rows)."""
    add = report.warning if warning else report.error
    listed = offending.head(MAX_LISTED)
    for row in listed.iter_rows(named=True):
        text = message_for(row) if message_for else row[message_column] if message_column else message
        value = row.get(value_column or column or "", None)
        add(str(text), sheet=sheet, row=row[ROW], column=column, value=value)
    rest = offending.height - listed.height
    if rest > 0:
        add(f"En nog {rest} rijen met hetzelfde probleem in kolom ‘{column}’.", sheet=sheet, column=column)


UNNAMED = "__UNNAMED__"  # the reader's name of a column without a header; `read` puts the column's letter after it
_REPEAT = re.compile(r"^(?P<header>.+)_[1-9][0-9]*$")


def check_columns(
    frame: pl.DataFrame, sheet: str, expected: list[str], required: list[str], report: ValidationReport,
    header_row: int = TEMPLATE_HEADER_ROW,
) -> pl.DataFrame:
    """Rename headers to contract names; report missing, duplicate and unknown columns (on the header's row)."""
    renamed: dict[str, str] = {}
    seen: dict[str, str] = {}
    originals: set[str] = set()
    for original in frame.columns:
        if original == ROW:
            continue
        key = normalise_header(original)
        repeated = _repeated_header(original, originals)
        originals.add(original)
        if original.startswith(UNNAMED) or not key:
            if frame.get_column(original).drop_nulls().len() > 0:
                shown = f"kolom {original.removeprefix(UNNAMED)}" if original.startswith(UNNAMED) else original
                report.warning("Kolom zonder kopje wordt genegeerd.", sheet=sheet, row=header_row, column=shown)
            continue
        if repeated is not None:
            report.error(f"Kolom ‘{repeated}’ komt twee keer voor.", sheet=sheet, row=header_row, column=repeated)
            continue
        if key in seen:
            report.error(f"Kolom ‘{original}’ komt twee keer voor (ook als ‘{seen[key]}’).", sheet=sheet,
                         row=header_row, column=original)
            continue
        seen[key] = original
        if key in expected:
            renamed[original] = key
        else:
            report.warning(f"Onbekende kolom ‘{original}’ wordt genegeerd.", sheet=sheet, row=header_row,
                           column=original)
    for name in required:
        if name not in renamed.values():
            report.error(f"Verplichte kolom ‘{name}’ ontbreekt.", sheet=sheet, row=header_row, column=name)
    return frame.select([ROW, *renamed]).rename(renamed)


def _repeated_header(name: str, earlier: set[str]) -> str | None:
    """The header a column repeats, as the reader names a repeat: a second ‘code’ is ‘code_1’, a third ‘code_2’.

    Otherwise it was reported as an unknown column ‘code_1’, a name that is not in the file. (A header typed as
    ‘code_1’ beside ‘code’ reads the same; it is no column of the format either way.)"""
    match = _REPEAT.match(name)
    return match.group("header") if match and match.group("header") in earlier else None


RAW = "_rauw"  # a cell as it was in the file, for the report


def clean_cells(
    frame: pl.DataFrame, sheet: str, report: ValidationReport, *, keys: tuple[str, ...], free_text: tuple[str, ...]
) -> pl.DataFrame:
    """`clean_text` on every column, saying where invisible characters were removed or found.

    At the ends they are removed (a warning names them). Inside a key (a code, a choice, a stadsdeel) one is an
    error: "DG01" with a zero-width space inside is a different code that looks the same. Inside free text (a
    name) it stays, with a warning. Inside dates and counts the cell cannot be read, which its own check reports.
    """
    columns = [c for c in frame.columns if c != ROW and frame.schema[c] == pl.String]  # typed columns hold no text
    # Invisible characters, non-breaking spaces and letters that NFC changes are all outside ASCII; counts and
    # dates usually are ASCII throughout, so most columns only need their spaces stripped.
    ascii_only = frame.select(all_ascii(pl.col(c)) for c in columns).row(0) if columns else ()
    unicode_columns = [c for c, plain in zip(columns, ascii_only, strict=True) if not plain]
    cleaned = frame.with_columns(clean_text(c, ascii_only=c not in unicode_columns) for c in columns)
    for column in unicode_columns:
        raw = frame.filter(has_invisible(pl.col(column)))
        if raw.height == 0:
            continue
        raw = raw.select(ROW, pl.col(column).alias(RAW), clean_text(column))
        with_edges = raw.with_columns(
            pl.col(RAW).map_elements(invisible_at_edges, return_dtype=pl.List(pl.String)).alias("_aan_rand"))
        at_edges = with_edges.filter(pl.col("_aan_rand").list.len() > 0)
        _list_rows(report, at_edges, sheet=sheet, column=column, value_column=RAW, warning=True,
                   message_for=partial(_removed_message_for, column=column))
        if column in keys or column in free_text:
            inside = raw.filter(has_invisible(pl.col(column)))
            _list_rows(report, inside, sheet=sheet, column=column, warning=column in free_text,
                       message_for=partial(_inside_message_for, column=column, key=column in keys))
    return cleaned


def _removed_message_for(row: dict[str, Any], *, column: str) -> str:
    return _removed_message(row["_aan_rand"], row[column])


def _inside_message_for(row: dict[str, Any], *, column: str, key: bool) -> str:
    return _inside_message(row[column], column, key=key)


def _removed_message(chars: list[str], cleaned: str | None) -> str:
    what = "Onzichtbaar teken" if len(chars) == 1 else "Onzichtbare tekens"
    read_as = f" Gelezen als ‘{cleaned}’." if cleaned else " De cel is daarmee leeg."
    return f"{what} aan begin of eind verwijderd: {', '.join(char_name(c) for c in chars)}.{read_as}"


def _inside_message(text: str, column: str, *, key: bool) -> str:
    char, before = invisible_inside(text) or ("", "")
    before = before if len(before) <= 20 else "…" + before[-20:]
    found = f"bevat een onzichtbaar teken: {char_name(char)} na ‘{before}’."
    if not key:
        return f"De tekst {found} Het blijft staan; controleer of dat zo bedoeld is."
    noun = "code" if column == "code" else "waarde"
    return f"De {noun} {found} Typ de {noun} opnieuw in, zonder dat teken."


def drop_empty_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Formatted-but-empty trailing rows are common in real workbooks; they are not data."""
    values = [c for c in frame.columns if c != ROW]
    if not values:
        return frame
    return frame.filter(~pl.all_horizontal(pl.col(values).is_null()))


def _parse_dates(frame: pl.DataFrame, column: str, sheet: str, report: ValidationReport) -> pl.DataFrame:
    if frame.schema[column] == pl.Date:
        return frame  # read as Excel dates: nothing to parse, nothing unreadable
    parsed = frame.with_columns(parse_date(pl.col(column)).alias(f"_{column}"))
    bad = parsed.filter(pl.col(column).is_not_null() & pl.col(f"_{column}").is_null()).with_columns(
        pl.coalesce(
            date_problem(pl.col(column)),
            pl.lit("Geen geldige datum. Gebruik een Excel-datum of bijvoorbeeld 2021-03-01, 1-3-2021 of mrt 2021."),
        ).alias("_melding")
    )
    _list_rows(report, bad, sheet=sheet, column=column, message_column="_melding")
    serial = parsed.filter(is_excel_serial(pl.col(column)))
    if serial.height:
        _list_rows(report, serial, sheet=sheet, column=column, warning=True,
                   message="Getal gelezen als Excel-datum; controleer of dit klopt (geef de cel een datumopmaak).")
    return parsed.with_columns(pl.col(f"_{column}").alias(column)).drop(f"_{column}")


def validate_units(
    raw: pl.DataFrame, report: ValidationReport, *, header_row: int = TEMPLATE_HEADER_ROW
) -> pl.DataFrame:
    sheet = SHEET_UNITS
    names = [c.name for c in UNIT_COLUMNS]
    frame = check_columns(raw, sheet, names, [c.name for c in UNIT_COLUMNS if c.required], report, header_row)
    raw_codes = frame.select(ROW, pl.col("code").alias(RAW)) if "code" in frame.columns else None
    frame = clean_cells(frame, sheet, report, keys=("code", "soort", "stadsdeel"), free_text=("naam",))
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
    if raw_codes is not None and duplicated.height:
        # Show the code as it was in the file: "DG01" and "DG01" + zero-width space look the same otherwise.
        duplicated = duplicated.join(raw_codes, on=ROW, how="left").with_columns(
            pl.when(pl.col(RAW) == pl.col("code"))
            .then(pl.lit("Deze code komt vaker voor; codes zijn uniek."))
            .otherwise(pl.lit("Deze code komt vaker voor; codes zijn uniek (spaties en onzichtbare tekens aan begin "
                              "of eind tellen niet mee)."))
            .alias("_melding")
        )
    _list_rows(report, duplicated, sheet=sheet, column="code", value_column=RAW if raw_codes is not None else None,
               message_column="_melding" if "_melding" in duplicated.columns else None,
               message="Deze code komt vaker voor; codes zijn uniek.")
    _list_rows(report, frame.filter((pl.col("soort") == UnitKind.AREA) & pl.col("stadsdeel").is_null()),
               sheet=sheet, column="stadsdeel", message="Een gebied heeft een stadsdeel nodig.")
    group_with_district = frame.filter((pl.col("soort") == UnitKind.TARGET_GROUP) & pl.col("stadsdeel").is_not_null())
    _list_rows(report, group_with_district, sheet=sheet, column="stadsdeel", warning=True,
               message="Een doelgroep is stedelijk; het stadsdeel wordt genegeerd.")
    frame = frame.with_columns(
        pl.when(pl.col("soort") == UnitKind.TARGET_GROUP).then(None).otherwise(pl.col("stadsdeel")).alias("stadsdeel")
    )

    start_given = frame.get_column("start").is_not_null()  # before parsing: an unreadable start is reported
    for name in ("start", "eind"):
        frame = _parse_dates(frame, name, sheet, report)
    _list_rows(report, frame.filter(pl.col("eind") < pl.col("start")), sheet=sheet, column="eind",
               message="‘eind’ ligt voor ‘start’.")
    _list_rows(report, frame.filter(~start_given & pl.col("eind").is_not_null()), sheet=sheet,
               column="eind", message="‘eind’ is ingevuld maar ‘start’ niet.")
    return frame.select(ROW, *names)


def validate_monthly(
    raw: pl.DataFrame, unit_codes: set[str], report: ValidationReport, *, header_row: int = TEMPLATE_HEADER_ROW
) -> pl.DataFrame:
    sheet = SHEET_MONTHLY
    names = [c.name for c in MONTHLY_COLUMNS]
    required = ["maand", "code", *(c.name for c in REQUIRED_COUNTS)]
    frame = check_columns(raw, sheet, names, required, report, header_row)
    frame = clean_cells(frame, sheet, report, keys=("code",), free_text=())
    frame = drop_empty_rows(frame)
    if "maand" not in frame.columns or "code" not in frame.columns:
        return frame.clear()

    _list_rows(report, frame.filter(pl.col("code").is_null()), sheet=sheet, column="code",
               message="‘code’ is verplicht maar leeg.")
    _list_rows(report, frame.filter(pl.col("maand").is_null()), sheet=sheet, column="maand",
               message="‘maand’ is verplicht maar leeg.")
    # A code with an invisible character inside is already reported as such; "unknown" would only confuse.
    unknown = frame.filter(pl.col("code").is_not_null() & ~pl.col("code").is_in(sorted(unit_codes))
                           & ~has_invisible(pl.col("code")))
    _list_rows(report, unknown, sheet=sheet, column="code",
               message="Deze code staat niet op het tabblad ‘eenheden’.")

    frame = _parse_dates(frame, "maand", sheet, report)
    not_first = frame.filter(pl.col("maand").dt.day() != 1)
    _list_rows(report, not_first, sheet=sheet, column="maand", warning=True, value_column="maand",
               message="Geen eerste dag van de maand; gelezen als de hele maand.")
    frame = frame.with_columns(pl.col("maand").dt.truncate("1mo"))
    keyed = frame.filter(pl.col("maand").is_not_null() & pl.col("code").is_not_null())
    duplicated = keyed.filter(pl.struct("maand", "code").is_duplicated())
    if duplicated.height:
        rows = duplicated.group_by("maand", "code").agg(pl.col(ROW).sort().alias("_rijen"))
        duplicated = duplicated.join(rows, on=["maand", "code"]).sort(ROW).with_columns(
            pl.format("{}, {}", month_text_expr(pl.col("maand")), pl.col("code")).alias("_waarde"))
    _list_rows(report, duplicated, sheet=sheet, column="maand, code", value_column="_waarde",
               message_for=lambda row: f"Dubbele rij: {fmt_month(row['maand'])} voor code {row['code']} staat vaker "
                                       f"op dit tabblad ({_rows_text(row['_rijen'])}).")

    counts = [c for c in (c.name for c in REQUIRED_COUNTS) if c in frame.columns]
    counts += [c for c in OPTIONAL_COUNT_NAMES if c in frame.columns]
    for name in counts:
        frame = _parse_counts(frame, name, required=name not in OPTIONAL_COUNT_NAMES, report=report)

    if {"uitstroom", "uitstroom_werk"} <= set(frame.columns):
        _list_rows(report, frame.filter(pl.col("uitstroom_werk") > pl.col("uitstroom")), sheet=sheet,
                   column="uitstroom_werk",
                   message="‘uitstroom_werk’ is groter dan ‘uitstroom’ (het is een deel ervan).")
    return frame.select(ROW, "maand", "code", *counts)


def _rows_text(rows: list[int], shown: int = 5) -> str:
    """'rijen 8 en 10'; 'rijen 2, 3, 4, 5, 6 en nog 7'."""
    listed = [str(r) for r in rows[:shown]]
    if len(rows) == 1:
        return f"rij {listed[0]}"
    if len(rows) > shown:
        return f"rijen {', '.join(listed)} en nog {len(rows) - shown}"
    return f"rijen {', '.join(listed[:-1])} en {listed[-1]}"


def _parse_counts(frame: pl.DataFrame, name: str, *, required: bool, report: ValidationReport) -> pl.DataFrame:
    sheet = SHEET_MONTHLY
    if required:
        _list_rows(report, frame.filter(pl.col(name).is_null()), sheet=sheet, column=name,
                   message="Lege cel in een verplichte kolom; een ontbrekend cijfer wordt nooit als 0 gelezen.")
    if frame.schema[name].is_integer():
        return frame  # read as whole numbers of 0 or more: nothing to parse, nothing unreadable
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
