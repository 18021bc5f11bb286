"""Vectorised parsing of text cells into dates and whole numbers, as real workbooks contain them.

The reader loads every cell as text (so nothing is silently coerced); these expressions turn text into typed
values and return null where a value cannot be read, so validation can name the cell. Nothing unreadable ever
becomes 0.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from cohort.fmt import month_name_expr

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


# Characters that show nothing and arrive with copied text: they made "DG01" a different code. The byte order
# mark (the start of a text file), zero-width spaces and joiners, the word joiner, the soft hyphen, and the
# marks and controls of text direction.
_INVISIBLE_CODES = (0xFEFF, 0x200B, 0x200C, 0x200D, 0x2060, 0x00AD, 0x180E, 0x061C, 0x200E, 0x200F,
                    *range(0x202A, 0x202F), *range(0x2066, 0x206A))
INVISIBLE: dict[str, str] = {chr(c): unicodedata.name(chr(c)).lower() for c in _INVISIBLE_CODES}
INVISIBLE["\ufeff"] = "byte order mark, BOM"  # officially "zero width no-break space", which nobody recognises
_INVISIBLE_CLASS = "[" + "".join(INVISIBLE) + "]"
_INVISIBLE_RE = re.compile(_INVISIBLE_CLASS)
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # also the non-breaking ones
_EDGE_CHARS = _SPACES + "".join(INVISIBLE)  # what `clean_text` strips from both ends
_NARROW_SPACES = "[\u00a0\u2007\u202f]"  # non-breaking spaces inside a text read as ordinary spaces


def clean_text(column: str, *, ascii_only: bool = False) -> pl.Expr:
    """Unicode NFC; strip spaces (also non-breaking) and invisible characters at both ends; empty -> null.

    NFC makes an "é" typed as "e" plus an accent equal to the one-character "é". Invisible characters inside
    a text are kept: validation names them (`invisible_inside`). `ascii_only`: the column is known to hold only
    ASCII, so only spaces can be stripped (NFC on a million cells takes about half a second per column)."""
    col = pl.col(column)
    if ascii_only:
        text = col.str.strip_chars()
    else:
        text = col.str.normalize("NFC").str.replace_all(_NARROW_SPACES, " ").str.strip_chars(_EDGE_CHARS)
    return pl.when(text == "").then(None).otherwise(text).alias(column)


def all_ascii(text: pl.Expr) -> pl.Expr:
    """Is every cell plain ASCII (one byte per character)? Cheaper than a regular expression on every cell."""
    return text.str.len_bytes().sum() == text.str.len_chars().sum()


def clean_cell(text: str) -> str:
    """`clean_text` for one Python string (the `toelichting` sheet)."""
    return re.sub(_NARROW_SPACES, " ", unicodedata.normalize("NFC", text)).strip(_EDGE_CHARS)


def has_invisible(text: pl.Expr) -> pl.Expr:
    """Does the text contain an invisible character anywhere (fast: a plain multi-string search)?"""
    return text.str.contains_any(list(INVISIBLE))


def invisible_at_edges(raw: str) -> list[str]:
    """The invisible characters `clean_text` removes from the ends of `raw`, each once, in order."""
    text = unicodedata.normalize("NFC", raw)
    head = text[: len(text) - len(text.lstrip(_EDGE_CHARS))]
    tail = text[len(text.rstrip(_EDGE_CHARS)):]
    return list(dict.fromkeys(c for c in head + tail if c in INVISIBLE))


def invisible_inside(text: str) -> tuple[str, str] | None:
    """(the first invisible character in `text`, the text before it), or None."""
    match = _INVISIBLE_RE.search(text)
    return (match.group(), text[: match.start()]) if match else None


def char_name(char: str) -> str:
    """'U+200B (zero width space)': how a report names a character nobody can see."""
    return f"U+{ord(char):04X} ({INVISIBLE.get(char) or unicodedata.name(char, 'onbekend teken').lower()})"


def make_visible(text: str) -> str:
    """'DG01⟨U+200B⟩': invisible characters and non-breaking spaces written out, for the report's values."""
    return "".join(f"⟨U+{ord(c):04X}⟩" if c in INVISIBLE or (c.isspace() and c not in " \t\n") else c for c in text)


def parse_date(text: pl.Expr) -> pl.Expr:
    """Text → pl.Date, or null when the text is not a date in any accepted form.

    Accepted: Excel dates (read as "2021-03-01 00:00:00"; a date stored as ISO text in a date cell, as some
    programs write it, as "2021-03-01T00:00:00"), "2021-03-01", "2021-03" (first of the month), "1-3-2021",
    "01/03/2021", "mrt 2021" / "maart 2021", and Excel serial numbers ("44256").
    """
    lower = text.str.to_lowercase()
    iso_datetime = pl.coalesce(lower.str.strptime(pl.Date, "%Y-%m-%d %H:%M:%S", strict=False),
                               lower.str.strptime(pl.Date, "%Y-%m-%dt%H:%M:%S", strict=False))
    iso_date = lower.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    iso_month = (lower + "-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    dutch_dash = lower.str.strptime(pl.Date, "%d-%m-%Y", strict=False)
    dutch_slash = lower.str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    named = _parse_month_name(lower)
    serial = _parse_excel_serial(lower)
    return pl.coalesce(iso_datetime, iso_date, iso_month, dutch_dash, dutch_slash, named, serial)


def date_problem(text: pl.Expr) -> pl.Expr:
    """Dutch message for text shaped like a date whose day or month does not exist; null otherwise.

    "31-02-2021" is not a typo of the format but of the date: it gets its own message ("februari 2021 heeft 28
    dagen") instead of the general "Geen geldige datum"."""
    shapes = (
        text.str.extract_groups(r"^(?P<day>\d{1,2})[-/](?P<month>\d{1,2})[-/](?P<year>\d{4})$"),
        text.str.extract_groups(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:[ T]00:00:00)?$"),
        text.str.extract_groups(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"),  # a month, as "2021-06"
    )
    day = pl.coalesce(shapes[0].struct.field("day"), shapes[1].struct.field("day")).cast(pl.Int32)
    month = pl.coalesce(*(shape.struct.field("month") for shape in shapes)).cast(pl.Int32)
    year = pl.coalesce(*(shape.struct.field("year") for shape in shapes)).cast(pl.Int32)
    valid_month = month.is_between(1, 12)
    days = pl.date(year, month.clip(1, 12), 1).dt.month_end().dt.day().cast(pl.Int32)
    month_name = month_name_expr(month.clip(1, 12))
    return (
        pl.when(year.is_null())
        .then(None)
        .when(~valid_month)
        .then(pl.format("{} is geen bestaande datum: een jaar heeft 12 maanden.", text))
        .when(day.is_not_null() & ((day < 1) | (day > days)))
        .then(pl.format("{} is geen bestaande datum: {} {} heeft {} dagen.", text, month_name, year, days))
        .otherwise(None)
    )


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
