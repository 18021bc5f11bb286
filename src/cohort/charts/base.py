"""Shared Plotly layout: Dutch separators, house colours, readable fonts, no chart junk.

Also the helpers that keep figure building cheap on large datasets. Plotly validates every Python value of a
list it is given (a 240-month customdata list of lists costs tens of thousands of validator calls), but takes a
numpy array as a whole. So builders pass numpy arrays (`values`, `months`, `text_matrix`) and lay out shapes
and annotations as plain dicts instead of `add_hline`/`add_annotation` one by one.

A figure is made in one construction (`house_figure`: traces and the whole layout as one dict). Each
`update_layout` on a figure that exists costs 15-20 ms (it re-checks every key path against the figure and
dispatches relayout callbacks), the construction 1-2 ms for the same layout; a page model of Uitstroom has
six figures, rebuilt for every new filter (issue 15).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.basedatatypes import BaseTraceType

from cohort.charts.palette import DARK_TEXT
from cohort.fmt import MISSING, PLOTLY_SEPARATORS, fmt_dec, fmt_int, fmt_interval

FONT_FAMILY = "Amsterdam Sans, Arial, sans-serif"
X_AXIS_STYLE = {"showgrid": False, "linecolor": "#BEBEBE"}
Y_AXIS_STYLE = {"gridcolor": "#E6E6E6", "zeroline": False, "rangemode": "tozero"}
_THOUSANDS_GROUPS = 7  # Int64 has at most 19 digits
VECTORISE_FROM = 1_000  # rows; measured break-even of a Polars text expression against a Python loop


def plotly_text(text: object) -> str:
    """Text for a Plotly title, axis label, legend or hover, shown exactly as written.

    Plotly.js reads a subset of HTML in every text (<b>, <br>, <a href>) and decodes &lt; &gt; &amp;, so names
    from an upload are escaped once, here. Not the quotes: Plotly shows &quot; as it is, and without a `<` no
    quote can be part of a tag.
    """
    return html.escape("" if text is None else str(text), quote=False)


def house_layout(*, title: str, y_title: str = "", x_title: str = "", height: int = 380,
                 x_axes: Sequence[str] = ("xaxis",), y_axes: Sequence[str] = ("yaxis",)) -> dict:
    """The house layout as a dict; the axis styles go to each of `x_axes` and `y_axes` (subplots have several).

    `title` is plain text (it may name a unit or stadsdeel) and is escaped here."""
    axes = {name: {"title": {"text": x_title}, **X_AXIS_STYLE} for name in x_axes}
    axes |= {name: {"title": {"text": y_title}, **Y_AXIS_STYLE} for name in y_axes}
    return {
        "title": {"text": plotly_text(title), "x": 0, "xanchor": "left", "font": {"size": 17}},
        "separators": PLOTLY_SEPARATORS,
        "font": {"family": FONT_FAMILY, "color": DARK_TEXT, "size": 13},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        **axes,
    }


def merged_layout(base: dict, *changes: dict) -> dict:
    """`base` with each of `changes` applied in turn, as `update_layout` applies them to a new figure: a dict
    under a key that holds a dict is merged key by key; anything else (a number, a text, a list of shapes)
    replaces what was there. No argument is changed."""
    result = dict(base)
    for change in changes:
        for key, value in change.items():
            before = result.get(key)
            if isinstance(before, dict) and isinstance(value, dict):
                value = merged_layout(before, value)
            result[key] = value
    return result


def house_figure(traces: Sequence[BaseTraceType], *, title: str, y_title: str = "", x_title: str = "",
                 height: int = 380, layout: dict | None = None) -> go.Figure:
    """A figure with `traces`, the house layout (`house_layout`) and the builder's own `layout` merged into it,
    in one construction (see the module docstring for why)."""
    house = house_layout(title=title, y_title=y_title, x_title=x_title, height=height)
    return go.Figure(data=list(traces), layout=merged_layout(house, layout or {}))


def base_layout(fig: go.Figure, *, title: str, y_title: str = "", x_title: str = "", height: int = 380,
                layout: dict | None = None) -> go.Figure:
    """The house layout (and `layout`) applied to a figure made elsewhere (`make_subplots`), in one
    `update_layout` call; the axis styles go to every x and y axis of its subplots."""
    house = house_layout(title=title, y_title=y_title, x_title=x_title, height=height,
                         x_axes=axis_names(fig, "x"), y_axes=axis_names(fig, "y"))
    fig.update_layout(merged_layout(house, layout or {}))
    return fig


def axis_names(fig: go.Figure, letter: str) -> list[str]:
    """'xaxis', 'xaxis2', ... as present in the layout ('xaxis' always: a plain figure has it implicitly)."""
    prefix = f"{letter}axis"
    present = [name for name in fig.layout if name == prefix or (name.startswith(prefix) and name[5:].isdigit())]
    return sorted(set(present) | {prefix}, key=lambda name: int(name[5:] or 1))


# --- Vectorised values and hover texts ---------------------------------------------------------------------------


def values(frame: pl.DataFrame, column: str) -> np.ndarray:
    """A numeric column as a float array (null -> NaN: Plotly.js draws nothing there, as for null)."""
    return frame.get_column(column).cast(pl.Float64).to_numpy()


def months(frame: pl.DataFrame, column: str = "maand") -> np.ndarray:
    """A Date column as datetime64[D]; Plotly writes these as the same 'YYYY-MM-DD' text as date objects."""
    return frame.get_column(column).to_numpy()


def int_text_expr(column: str | pl.Expr, max_groups: int = _THOUSANDS_GROUPS) -> pl.Expr:
    """`fmt_int` for an integer column: '13.024', null -> '—'. Exact (integers, no rounding involved).

    `max_groups`: how many groups of three digits the largest value has (fewer branches, faster)."""
    col = pl.col(column) if isinstance(column, str) else column
    magnitude = col.abs()
    max_groups = max(1, min(max_groups, _THOUSANDS_GROUPS))
    groups = [((magnitude // 1000**i) % 1000).cast(pl.String) for i in range(max_groups)]
    text: pl.Expr = groups[0]
    for size in range(2, max_groups + 1):  # innermost branch last: the largest number of groups first
        joined = pl.concat_str([groups[size - 1], *(groups[i].str.zfill(3) for i in range(size - 2, -1, -1))],
                               separator=".")
        text = pl.when(magnitude >= 1000 ** (size - 1)).then(joined).otherwise(text)
    signed = pl.when(col < 0).then(pl.lit("-") + text).otherwise(text)
    return pl.when(col.is_null()).then(pl.lit(MISSING)).otherwise(signed)


def int_texts(frame: pl.DataFrame, column: str) -> pl.Series:
    """`fmt_int` per row: a Polars expression for long integer columns, `fmt_int` itself otherwise.

    Below VECTORISE_FROM rows a Polars query costs more than formatting the few values in Python."""
    if frame.schema[column].is_integer() and frame.height >= VECTORISE_FROM:
        largest = frame.get_column(column).abs().max()
        max_groups = len(str(largest or 0)) // 3 + 1
        return frame.select(int_text_expr(column, max_groups)).to_series().alias(column)
    return pl.Series(column, [fmt_int(v) for v in frame.get_column(column).to_list()], dtype=pl.String)


def dec_texts(series: pl.Series, decimals: int = 1) -> pl.Series:
    """`fmt_dec` per value. Deliberately Python's own float formatting (about 1 µs a value): Polars rounds
    near-ties differently (12.35 is stored as 12.3499…, Python shows '12,3'), and hover texts must match the
    tables, which use `cohort.fmt`."""
    return pl.Series(series.name, [fmt_dec(v, decimals) for v in series.to_list()], dtype=pl.String)


def interval_texts(low: pl.Series, high: pl.Series, decimals: int = 1) -> pl.Series:
    """`fmt_interval` per row (see `dec_texts` for why this is not a Polars expression)."""
    texts = [fmt_interval(lo, hi, decimals) for lo, hi in zip(low.to_list(), high.to_list(), strict=True)]
    return pl.Series("interval", texts, dtype=pl.String)


def text_matrix(columns: Sequence[pl.Series | np.ndarray | Sequence[str]]) -> np.ndarray:
    """Customdata as one 2-D object array (rows x columns), which Plotly takes without validating each cell."""
    arrays = [c.to_numpy() if isinstance(c, pl.Series) else np.asarray(c, dtype=object) for c in columns]
    if not arrays or len(arrays[0]) == 0:
        return np.empty((0, len(arrays)), dtype=object)
    return np.column_stack([a.astype(object, copy=False) for a in arrays])
