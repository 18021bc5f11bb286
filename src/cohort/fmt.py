"""Dutch number and date formatting, used by every page, chart and export.

Dutch conventions: thousands separated by a dot, decimals by a comma (13.024; 0,23%; 2,0×), month names in
lower case ("juni 2021").
"""

from __future__ import annotations

import math
from datetime import date

MONTHS_NL: tuple[str, ...] = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)
MONTHS_NL_SHORT: tuple[str, ...] = (
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
)
MISSING = "—"


def _is_missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _swap_separators(text: str) -> str:
    # Python formats as 1,234.5; Dutch is 1.234,5.
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fmt_int(value: float | int | None) -> str:
    """13024 -> '13.024'."""
    if _is_missing(value):
        return MISSING
    return _swap_separators(f"{round(value):,}")  # type: ignore[arg-type]


def fmt_dec(value: float | None, decimals: int = 1) -> str:
    """2.04 -> '2,0'; 1234.5 -> '1.234,5'."""
    if _is_missing(value):
        return MISSING
    return _swap_separators(f"{value:,.{decimals}f}")


def fmt_pct(fraction: float | None, decimals: int = 1) -> str:
    """0.0023 -> '0,2%' (decimals=1) or '0,23%' (decimals=2). Takes a fraction, not a percentage."""
    if _is_missing(fraction):
        return MISSING
    return f"{fmt_dec(fraction * 100, decimals)}%"  # type: ignore[operator]


def fmt_ratio(value: float | None, decimals: int = 1) -> str:
    """2.04 -> '2,0×'."""
    if _is_missing(value):
        return MISSING
    return f"{fmt_dec(value, decimals)}×"


def fmt_interval(low: float | None, high: float | None, decimals: int = 1, suffix: str = "") -> str:
    """(1.6, 2.4) -> '1,6 – 2,4' (en dash with spaces, as in Dutch typography)."""
    if _is_missing(low) or _is_missing(high):
        return MISSING
    return f"{fmt_dec(low, decimals)}{suffix} – {fmt_dec(high, decimals)}{suffix}"


def fmt_month(value: date | None) -> str:
    """date(2021, 6, 1) -> 'juni 2021'."""
    if value is None:
        return MISSING
    return f"{MONTHS_NL[value.month - 1]} {value.year}"


def fmt_month_short(value: date | None) -> str:
    """date(2019, 9, 1) -> 'sep 2019' (tables, axes, tooltips)."""
    if value is None:
        return MISSING
    return f"{MONTHS_NL_SHORT[value.month - 1]} {value.year}"


def fmt_date(value: date | None) -> str:
    """date(2021, 6, 30) -> '30 juni 2021'."""
    if value is None:
        return MISSING
    return f"{value.day} {MONTHS_NL[value.month - 1]} {value.year}"


# Plotly: d3-format separators for Dutch ("decimal" then "thousands"), set on every figure's layout.
PLOTLY_SEPARATORS = ",."
