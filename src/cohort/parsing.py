"""Vectorised parsing of text cells into dates and whole numbers, as real workbooks contain them.

The reader loads every cell as text (so nothing is silently coerced); these expressions turn text into typed
values and return null where a value cannot be read, so validation can name the cell. Nothing unreadable ever
becomes 0.
"""

from __future__ import annotations

import polars as pl

# Dutch and English month names and abbreviations ("mrt 2021", "maart 2021", "Mar 2021").
MONTH_NAMES: dict[str, int] = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "februari": 2, "february": 2,
    "mrt": 3, "maart": 3, "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "augustus": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}

# Excel serial day numbers between 1954 and 2118: a date cell that lost its date format.
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 20000, 80000


def clean_text(column: str) -> pl.Expr:
    """Strip spaces (also non-breaking) and turn empty strings into null."""
    stripped = pl.col(column).str.replace_all("\u00a0", " ").str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped).alias(column)


def parse_date(text: pl.Expr) -> pl.Expr:
    """Text → pl.Date, or null when the text is not a date in any accepted form.

    Accepted: Excel dates (read as "2021-03-01 00:00:00"), "2021-03-01", "2021-03" (first of the month),
    "1-3-2021", "01/03/2021", "mrt 2021" / "maart 2021", and Excel serial numbers ("44256").
    """
    lower = text.str.to_lowercase()
    iso_datetime = lower.str.strptime(pl.Date, "%Y-%m-%d %H:%M:%S", strict=False)
    iso_date = lower.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    iso_month = (lower + "-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    dutch_dash = lower.str.strptime(pl.Date, "%d-%m-%Y", strict=False)
    dutch_slash = lower.str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    named = _parse_month_name(lower)
    serial = _parse_excel_serial(lower)
    return pl.coalesce(iso_datetime, iso_date, iso_month, dutch_dash, dutch_slash, named, serial)


def is_excel_serial(text: pl.Expr) -> pl.Expr:
    return _parse_excel_serial(text.str.to_lowercase()).is_not_null()


def _parse_month_name(lower: pl.Expr) -> pl.Expr:
    parts = lower.str.extract_groups(r"^([a-z]+)\.?\s+(\d{4})$")
    month = parts.struct.field("1").replace_strict(MONTH_NAMES, default=None, return_dtype=pl.Int32)
    year = parts.struct.field("2").cast(pl.Int32, strict=False)
    return pl.when(month.is_not_null() & year.is_not_null()).then(pl.date(year, month, 1)).otherwise(None)


def _parse_excel_serial(lower: pl.Expr) -> pl.Expr:
    number = lower.str.extract(r"^(\d{5})(?:\.0+)?$").cast(pl.Int64, strict=False)
    valid = number.is_between(EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX)
    # Excel's day 0 is 1899-12-30 (because of the 1900 leap-year bug).
    as_date = (pl.lit(-25569, dtype=pl.Int64) + number).cast(pl.Int32).cast(pl.Date)
    return pl.when(valid).then(as_date).otherwise(None)


def parse_count(text: pl.Expr) -> pl.Expr:
    """Text → whole number ≥ 0 (pl.Int64), or null when the text is not such a number.

    "12", "12.0" and "12,0" are 12. "1.000" is refused (a thousands separator or a decimal? we cannot know).
    """
    whole = text.str.extract(r"^(\d+)(?:[.,]0+)?$")
    ambiguous = text.str.contains(r"^\d{1,3}([.,]\d{3})+$")
    return pl.when(ambiguous).then(None).otherwise(whole.cast(pl.Int64, strict=False))


def count_problem(text: pl.Expr) -> pl.Expr:
    """Why a non-empty text cell is not a valid count (null when it is fine). Dutch, for the report."""
    return (
        pl.when(text.str.contains(r"^\d{1,3}([.,]\d{3})+$"))
        .then(pl.lit("Getal met een scheidingsteken: schrijf het getal zonder punt of komma (bijv. 1000)."))
        .when(text.str.contains(r"^-\s*\d+([.,]\d+)?$"))
        .then(pl.lit("Negatief aantal: aantallen zijn 0 of meer."))
        .when(text.str.contains(r"^\d+[.,]\d*[1-9]\d*$"))
        .then(pl.lit("Gebroken getal: aantallen zijn hele getallen."))
        .when(parse_count(text).is_null())
        .then(pl.lit("Tekst in een kolom met aantallen: vul een heel getal in, of laat de cel leeg als het "
                     "cijfer ontbreekt (alleen bij optionele kolommen)."))
        .otherwise(None)
    )
