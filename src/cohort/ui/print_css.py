"""A print stylesheet, so that the browser's own Print (Ctrl+P) on any page gives clean paper.

Without it, Chromium prints Streamlit's sidebar and header, and only the first screenful: the page scrolls inside
a container of the window's height (``stMain``), and print keeps that height. The rules below undo the scroll
container, hide what has no use on paper (sidebar, header, toolbar, buttons, the running indicator), keep charts,
maps, tiles and tables whole on one sheet, and give the content the full width of an A4 sheet.

Selectors are Streamlit 1.67's ``data-testid`` attributes (the same hooks its own and our browser tests use);
``tests/browser/test_print.py`` prints a page with Chromium and checks the result.
"""

from __future__ import annotations

import streamlit as st

# Kept as one constant, so a test can read what is injected.
PRINT_CSS = """
@media print {
  @page { size: A4 portrait; margin: 14mm 12mm; }

  /* Print the colours of status chips, banners and charts as on screen. */
  html, body { -webkit-print-color-adjust: exact; print-color-adjust: exact; background: #FFFFFF !important; }

  /* Nothing that only works on a screen. */
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stMainMenu"], [data-testid="stAppDeployButton"],
  [data-testid="stBottom"], [data-testid="stToastContainer"], [data-testid="stElementToolbar"],
  [data-testid="stDownloadButton"], [data-testid="stButton"], [data-testid="stPopover"],
  [data-testid="stSidebarNav"], [data-testid="stDeckGlJsonChartZoomButton"] {
    display: none !important;
  }

  /* One long document instead of a window-high scroll box, so every page of paper gets its part. */
  html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stAppScrollToBottomContainer"], [data-testid="stMainBlockContainer"] {
    height: auto !important; min-height: 0 !important; max-height: none !important;
    overflow: visible !important; position: static !important;
  }

  /* The full width of the sheet: no room kept for the hidden sidebar, no screen padding. */
  [data-testid="stMain"], [data-testid="stAppViewContainer"] { margin-left: 0 !important; width: 100% !important; }
  [data-testid="stMainBlockContainer"] {
    max-width: 100% !important; width: 100% !important; padding: 0 !important; margin: 0 !important;
  }

  /* A chart, map, tile, table or bordered box is never cut across two sheets; a heading stays with what follows. */
  [data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"], [data-testid="stVegaLiteChart"],
  [data-testid="stImage"], [data-testid="stTable"], [data-testid="stDataFrame"], [data-testid="stMetric"],
  [data-testid="stAlertContainer"], [data-testid="stExpander"], [data-testid="stHorizontalBlock"],
  [data-testid="stElementContainer"]:has(> [data-testid="stPlotlyChart"]) {
    break-inside: avoid !important; page-break-inside: avoid !important;
  }
  h1, h2, h3, h4 { break-after: avoid !important; page-break-after: avoid !important; }
  /* A row of a text table (the letter beside the data) stays on one sheet; a long table may break between rows. */
  [data-testid="stMarkdownContainer"] tr { break-inside: avoid !important; page-break-inside: avoid !important; }

  /* Text at a size paper reads well, and links that say where they go are not needed: just the text. */
  body { font-size: 11pt; }
  a { color: inherit !important; text-decoration: none !important; }
}
"""


# Plotly draws a chart at the pixel width of the window it was drawn in, and print gives it no chance to redraw:
# a chart for a 1,100 px wide screen runs off a 700 px wide sheet. Just before printing, each chart wider than
# the sheet is zoomed down to fit (text in it shrinks with it, as on a printed slide); after printing it is reset.
# A4 portrait minus the 12 mm side margins of @page above is 186 mm = 703 CSS px.
FIT_CHARTS_JS = """
(() => {
  if (window.__cohortPrintFit) return;
  window.__cohortPrintFit = true;
  const SHEET_PX = 703;
  // The element's container, not the chart itself: the container holds the chart's height, which must shrink too.
  const charts = () => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'),
    (chart) => chart.closest('[data-testid="stElementContainer"]') || chart);
  const fit = () => charts().forEach((chart) => {
    chart.style.zoom = "";
    const drawn = chart.scrollWidth;
    if (drawn > SHEET_PX) chart.style.zoom = String(SHEET_PX / drawn);
  });
  const unfit = () => charts().forEach((chart) => { chart.style.zoom = ""; });
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", unfit);
})();
"""


def inject_print_css() -> None:
    """Add the print stylesheet and the chart fitting to the page (once per run, from app.py).

    Every CSS rule is inside ``@media print`` and the script only acts on the browser's print events, so nothing
    changes on screen. One ``st.html`` element: the script needs ``unsafe_allow_javascript`` (a constant, no
    user input in it), and with a script the element goes into the page flow, where it takes no height.
    """
    st.html(f"<style>{PRINT_CSS}</style><script>{FIT_CHARTS_JS}</script>", unsafe_allow_javascript=True)
