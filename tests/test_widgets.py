"""The Dutch table styler: numbers and dates shown the Dutch way while the cells stay numbers (sortable)."""

import re
from datetime import date

import polars as pl
import streamlit as st

from cohort.ui.widgets import dutch_table


def shown_cells(styler) -> list[str]:
    return re.findall(r">([^<>]+)</td>", styler.to_html())


def test_dutch_table_formats_numbers_and_dates_and_keeps_labels():
    frame = pl.DataFrame(
        {"maand": [date(2019, 9, 1)], "start": [date(2021, 6, 30)], "n": [13024], "r": [2.2712], "x": [None],
         "naam": ["Osdorp"]},
        schema_overrides={"x": pl.Float64},
    )
    styler, config = dutch_table(frame, {"r": st.column_config.NumberColumn("Per 1.000", format="%.2f"), "n": "Aantal"})
    assert shown_cells(styler) == ["sep 2019", "30 juni 2021", "13.024", "2,27", "—", "Osdorp"]
    assert config == {"r": "Per 1.000", "n": "Aantal"}  # the printf format is taken over by the styler
    assert styler.data["n"].dtype.kind == "i"  # still a number, so a click on the header sorts numerically
