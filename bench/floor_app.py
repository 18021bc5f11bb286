"""The floor: a bare Streamlit app that shows the overview's own figure with one st.plotly_chart and nothing else.

Started by `bench.interactive` (`streamlit run bench/floor_app.py`, same config as the app) with
`BENCH_FLOOR_DIR` pointing at the figures that the real app sent to the browser (`alle.json`, `filtered.json`,
`options.json`, written by `bench.interactive.extract_figures`). A change of the one sidebar multiselect reruns
the script and redraws the chart with the filtered figure, so "filter change" has a floor too.
"""

import json
import os
from pathlib import Path

import plotly.io as pio
import streamlit as st

FOLDER = Path(os.environ["BENCH_FLOOR_DIR"])


@st.cache_resource
def figures() -> dict:
    return {name: pio.from_json((FOLDER / f"{name}.json").read_text()) for name in ("alle", "filtered")}


options = json.loads((FOLDER / "options.json").read_text())
chosen = st.sidebar.multiselect("Stadsdelen", options, placeholder="Alle stadsdelen")
st.plotly_chart(figures()["filtered" if chosen else "alle"], config={"displaylogo": False})
