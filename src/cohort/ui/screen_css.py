"""Screen styling that Streamlit's own theme options cannot express: long labels wrap instead of being cut off.

Streamlit 1.67 sets the label of a tile (``st.metric``) and of a widget (toggle, selectbox, slider …) on one line
and shortens it with "…" when its column is narrow (``white-space: nowrap; overflow: hidden; text-overflow:
ellipsis`` on the label's ``stMarkdownContainer``). At 200% zoom (WCAG 1.4.4 and 1.4.10) that hid words of
"Klachten per 1.000 gesprekken" and "Boven/onder stadsgemiddelde". Here the labels wrap onto more lines, so the
whole name is always readable; a single word longer than its column breaks rather than runs out of its box.

Selectors are Streamlit 1.67's ``data-testid`` attributes (the hooks its own tests use); the browser test
``tests/browser/test_zoom.py`` checks every page at 200% zoom for text that is cut off.
"""

from __future__ import annotations

import streamlit as st

# Kept as one constant, so a test can read what is injected.
SCREEN_CSS = """
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] *,
[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"] * {
  white-space: normal !important;
  overflow: visible !important;
  text-overflow: clip !important;
  overflow-wrap: anywhere;
}
"""


def inject_screen_css() -> None:
    """Add the screen stylesheet to the page (once per run, from app.py). A ``<style>`` alone takes no room."""
    st.html(f"<style>{SCREEN_CSS}</style>")
