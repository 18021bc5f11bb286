"""The thin glue between page models and Streamlit: one cached call per page, and laying the parts out.

Views call ``model = page_model("overzicht")`` once and then only place what the model holds. The model is
cached across sessions per dataset content, selection and rule (`st.cache_resource` with a `hash_funcs` entry
for the page input, so the dataset is identified by its content id and never hashed row by row).
"""

from __future__ import annotations

import collections
import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import streamlit as st

from cohort.fmt import MISSING, fmt_date, fmt_dec, fmt_int
from cohort.pagemodels import build
from cohort.pagemodels.common import Chart, Notice, PageInput, Table, Tile
from cohort.plaintext import markdown_literal
from cohort.ui.filters import get_context

if TYPE_CHECKING:  # pandas' styling module takes 0.3 s to import; only tables that are opened need it
    from pandas.io.formats.style import Styler

PLOTLY_CONFIG = {"displaylogo": False}
TABLE_KEY_PREFIX = "cijfers_"
PAGE_KEY_PREFIX = "rijen_"
PAGE_ROWS = 500  # longer tables are shown a page at a time (the downloads keep every row)


def _input_key(page_input: PageInput) -> tuple[str, str, object]:
    return page_input.dataset.release_key, repr(page_input.selection), page_input.rule


# st.cache_resource, not st.cache_data: every session gets the one shared model instead of an unpickled copy per
# rerun (0.3-0.7 s for the Plotly figures of Uitstroom). Safe because a model is a frozen dataclass that nothing
# mutates: views only read it, and st.plotly_chart serialises a figure through `to_dict()` (a copy).
@st.cache_resource(max_entries=64, show_spinner="Cijfers berekenen …", hash_funcs={PageInput: _input_key})
def _build(name: str, page_input: PageInput) -> Any:
    return build(name, page_input)


# The parts of the Kaart page's model a viewer chooses (a unit's panel, a colouring): built on first choice and
# shared like the models, so 10,000 units cost one panel each time a new one is chosen, not 10,000 up front.
@st.cache_resource(max_entries=256, show_spinner="Cijfers berekenen …", hash_funcs={PageInput: _input_key})
def _build_map_panel(page_input: PageInput, code: str) -> Any:
    from cohort.pagemodels.map import area_panel

    return area_panel(page_input, _build("kaart", page_input), code)


def map_panel(code: str | None) -> Any:
    """The Kaart page's panel of unit `code` (`cohort.pagemodels.map.area_panel`); None for no unit."""
    return None if code is None else _build_map_panel(page_input(), code)


# The colouring the Kaart page's widgets chose (one of 29, each a table of every unit): built when first chosen.
@st.cache_resource(max_entries=64, show_spinner="Cijfers berekenen …", hash_funcs={PageInput: _input_key})
def _build_map_colouring(page_input: PageInput, indicator: str, benchmark: str, level: str, spread: str) -> Any:
    return _build("kaart", page_input).colouring(indicator, benchmark, level, spread)


def map_colouring(indicator: str, benchmark: str, level: str, spread: str) -> Any:
    """The Kaart page's colouring (`cohort.pagemodels.map.MapModel.colouring`) for this run's input."""
    return _build_map_colouring(page_input(), indicator, benchmark, level, spread)


# The Gebieden page's unit table: the page of rows a viewer looks at for the chosen comparison (the whole table
# only when a download asks for it, `rollout_table`: with 10,000 units the trends of every unit take seconds).
@st.cache_resource(max_entries=256, show_spinner="Cijfers berekenen …", hash_funcs={PageInput: _input_key})
def _build_rollout_page(page_input: PageInput, benchmark: str, level: str, spread: str, page: int) -> Any:
    from cohort.pagemodels.rollout import unit_page

    return unit_page(page_input, _build("gebieden", page_input), benchmark, level, spread, page)


def rollout_page(benchmark: str, level: str, spread: str, page: int) -> Any:
    """The Gebieden page's rows of page `page` (`cohort.pagemodels.rollout.unit_page`) for this run's input."""
    return _build_rollout_page(page_input(), benchmark, level, spread, page)


# Whole unit tables, made by a download's callable: Streamlit runs it in a thread of its own, outside the script
# run (so no st.cache_resource, no session), hence everything it needs is taken during the run.
_WHOLE_TABLES: collections.OrderedDict[tuple, Any] = collections.OrderedDict()
_WHOLE_TABLES_KEPT = 4
_WHOLE_LOCK = threading.Lock()


def rollout_table(benchmark: str, level: str, spread: str) -> Callable[[], Any]:
    """The whole unit table (`cohort.pagemodels.rollout.unit_table`), made when the returned callable is first
    called (a click on a download) and kept for the next download of the same view."""
    from cohort.pagemodels.rollout import unit_table

    current = page_input()
    model = _build("gebieden", current)
    key = (*_input_key(current), benchmark, level, spread)

    def whole() -> Any:
        with _WHOLE_LOCK:
            found = _WHOLE_TABLES.get(key)
        if found is None:
            found = unit_table(current, model, benchmark, level, spread)
            with _WHOLE_LOCK:
                _WHOLE_TABLES[key] = found
                while len(_WHOLE_TABLES) > _WHOLE_TABLES_KEPT:
                    _WHOLE_TABLES.popitem(last=False)
        return found

    return whole


def rollout_parts(benchmark: str, level: str, spread: str) -> Callable[[], Any]:
    """The Gebieden view's zip parts (`cohort.pagemodels.rollout.view_parts`), made when the callable is called."""
    from cohort.pagemodels.rollout import view_parts

    model, whole = _build("gebieden", page_input()), rollout_table(benchmark, level, spread)
    return lambda: view_parts(model, whole())


# The Uitstroom page's course of the side effects per period, behind a toggle: built when first asked for.
@st.cache_resource(max_entries=64, show_spinner="Cijfers berekenen …", hash_funcs={PageInput: _input_key})
def _build_outflow_measures(page_input: PageInput) -> Any:
    from cohort.pagemodels.outflow import measures_chart

    return measures_chart(page_input)


def outflow_measures_chart() -> Any:
    """The Uitstroom page's side effects per period (`cohort.pagemodels.outflow.measures_chart`) for this run."""
    return _build_outflow_measures(page_input())


def page_input() -> PageInput:
    context = get_context()
    return PageInput(context.dataset, context.selection, context.rule)


def page_model(name: str) -> Any:
    """The page model `name` (a key of `cohort.pagemodels.PAGES`) for this run's dataset and selection."""
    return _build(name, page_input())


# --- Laying out ---------------------------------------------------------------------------------------------------


def _tile(tile: Tile) -> None:
    with st.container(border=True):
        st.metric(tile.label, tile.value)
        st.caption(tile.definition)


# Every element is sent again and drawn again by the browser on each rerun, and the page's first chart changes
# only after the browser has handled all of them (bench/filtertrace.py, issue 15): layouts here use no more
# elements than they need.
def show_tiles(tiles: Sequence[Tile], columns: int = 4) -> None:
    if columns == 1:  # a stack: no one-column grid around each tile
        for tile in tiles:
            _tile(tile)
        return
    for start in range(0, len(tiles), columns):
        row = st.columns(columns)
        for column, tile in zip(row, tiles[start:start + columns], strict=False):
            with column:
                _tile(tile)


def _table_cell(markdown: str) -> str:
    # A cell is one line of a Markdown table: a line break would end the table and a "|" would end the cell.
    return " ".join(markdown.split()).replace("|", "\\|")


def show_text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Sentences side by side (Markdown, e.g. a claim beside what the data say) as one table: one element where
    a grid of columns would be several per row."""
    lines = [header, ["---"] * len(header), *rows]
    st.markdown("\n".join("| " + " | ".join(_table_cell(cell) for cell in line) + " |" for line in lines))


def show_notes(notes: Sequence[str]) -> None:
    """Notes under a part of the page (legends, caveats): one caption, a paragraph each."""
    if notes:
        st.caption("\n\n".join(notes))


def show_notice(notice: Notice | None) -> None:
    if notice is None:
        return
    {"info": st.info, "warning": st.warning, "success": st.success, "error": st.error}[notice.kind](notice.text)


def table_styler(table: Table) -> tuple[Styler, dict]:
    """Dutch display text (13.024; 2,30; ×) while the cells stay numbers, so a click on a header sorts them."""
    import pandas as pd

    frame = table.values.to_pandas()
    # st.dataframe draws its placeholder over every missing cell and ignores the Styler's text there, so a
    # hidden cell would read "None": a cell with a sign gets -inf instead (it sorts to one end) and shows the sign.
    signed = _signed_cells(table)
    for name, rows in signed.items():
        frame[name] = frame[name].astype("float64")
        frame.loc[[row for sign_rows in rows.values() for row in sign_rows], name] = float("-inf")
    styler = frame.style
    formats: dict[str, Callable[[Any], str]] = {}
    for column in table.columns:
        if column.kind == "number":
            formats[column.name] = fmt_int if column.decimals == 0 else functools.partial(fmt_dec,
                                                                                           decimals=column.decimals)
        elif column.kind == "date":
            formats[column.name] = fmt_date
    styler = styler.format(formats, na_rep="—")
    for name, rows in signed.items():
        for sign, sign_rows in rows.items():
            styler = styler.format(lambda _, sign=sign: sign, subset=pd.IndexSlice[sign_rows, [name]])
    config: dict = {}
    for column in table.columns:
        if column.kind == "date":
            config[column.name] = st.column_config.DateColumn(column.label, help=column.help)
        elif column.kind == "number":
            config[column.name] = st.column_config.NumberColumn(column.label, help=column.help)
        else:
            config[column.name] = st.column_config.TextColumn(column.label, help=column.help)
    return styler, config


def _signed_cells(table: Table) -> dict[str, dict[str, list[int]]]:
    """Per number column, the rows of its empty cells by the sign they show ("×", "—*"; not "—": no data)."""
    signed: dict[str, dict[str, list[int]]] = {}
    for column in table.columns:
        if column.kind != "number":
            continue
        nulls = table.values.get_column(column.name).is_null().to_list()
        for row, (is_null, text) in enumerate(zip(nulls, table.texts.get_column(column.name).to_list(),
                                                  strict=True)):
            if is_null and text != MISSING:
                signed.setdefault(column.name, {}).setdefault(text, []).append(row)
    return signed


def table_page(table: Table) -> Table:
    """The rows of `table` to draw: all of them, or for a long table (10,000 units) the page the viewer picks.

    Styling and sending 10,000 rows took seconds on every rerun. A page holds the same cells as the full table
    (same texts and signs), so paging shows nothing the full table would not; the downloads keep every row.
    """
    if table.height <= PAGE_ROWS:
        return table
    starts = list(range(0, table.height, PAGE_ROWS))
    start = st.selectbox(
        "Rijen", starts, key=f"{PAGE_KEY_PREFIX}{table.file_stem}",
        format_func=lambda first: f"{fmt_int(first + 1)}–{fmt_int(min(first + PAGE_ROWS, table.height))}",
        help="Een lange tabel staat in delen op het scherm; de downloads bevatten alle rijen.",
    ) or 0
    st.caption(f"Rijen {fmt_int(start + 1)} tot en met {fmt_int(min(start + PAGE_ROWS, table.height))} van "
               f"{fmt_int(table.height)}. Een klik op een kolomkop sorteert deze rijen; de downloads bevatten alle "
               "rijen.")
    return replace(table, values=table.values.slice(start, PAGE_ROWS), texts=table.texts.slice(start, PAGE_ROWS))


def show_table(table: Table, *, height: str | int = "auto", whole: Callable[[], Table] | None = None) -> None:
    """`table`, and under it its downloads; `whole`: the whole table when `table` is one page of it (the
    downloads then hold every row, made when clicked)."""
    styler, config = table_styler(table_page(table))
    st.dataframe(styler, hide_index=True, column_config=config, height=height,  # type: ignore[arg-type]
                 placeholder=MISSING)
    show_notes(table.notes)  # our own text (signs and definitions)
    downloads(table, whole=whole)


def downloads(table: Table, *, whole: Callable[[], Table] | None = None) -> None:
    """CSV and Excel of exactly what the table shows (formulas neutralised), built only when clicked
    (`whole`: of the whole table that `table` is a page of)."""
    # Imported here: the module loads openpyxl (0.3 s), which a server's first page view need not wait for.
    from cohort.workbook.exports import frame_to_csv_bytes, frame_to_xlsx_bytes

    source = whole or (lambda: table)
    left, right = st.columns(2)
    left.download_button(
        "Download CSV", lambda: frame_to_csv_bytes(source().download_frame()), file_name=f"{table.file_stem}.csv",
        mime="text/csv", key=f"csv_{table.file_stem}", on_click="ignore",
    )
    right.download_button(
        "Download Excel", lambda: frame_to_xlsx_bytes(source().download_frame(), sheet_name=table.file_stem[:31],
                                                      title=table.title),
        file_name=f"{table.file_stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{table.file_stem}", on_click="ignore",
    )


def chart_table(table: Table) -> None:
    """The numbers behind a chart, in an expander that builds the table only when opened."""
    # Titles can hold unit names from an upload: plain text, never Markdown (cohort.plaintext).
    expander = st.expander(markdown_literal(f"Cijfers bij deze grafiek: {table.title}"),
                           key=f"{TABLE_KEY_PREFIX}{table.file_stem}", on_change="rerun")
    with expander:
        if expander.open:
            show_table(table)


def show_chart(chart: Chart) -> None:
    st.plotly_chart(chart.figure, config=PLOTLY_CONFIG)
    show_notes(chart.captions)
    if chart.table is not None:
        chart_table(chart.table)
