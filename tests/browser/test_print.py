"""The print stylesheet and the briefing button in a real browser (Chromium, ``page.pdf()``: print media, A4).

A tiny app (written by the test) has a sidebar, a download button, text and four Plotly charts placed so that at
least one would straddle a page break. It injects ``cohort.ui.print_css.inject_print_css`` unless the URL says
``?css=0``: printed without it, the sidebar is on paper (so the test below can see a difference at all); with
it, the sidebar and the button are gone, the whole page is printed, and every chart sits whole on one sheet.
The app also has a "Briefing (pdf)" button (``cohort.ui.briefing``): clicking it downloads the PDF the server
makes at that moment.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from .helpers import REPO_ROOT, SCREENSHOT_DIR, open_page_ready, wait_for_health

SIDEBAR_TEXT = "Zijbalktekst"  # one word: a wrapped phrase would not be found as one string
BUTTON_TEXT = "Downloadknop"
LAST_TEXT = "Einde van de printproef"
CHARTS = 4

PRINT_APP = f'''
import plotly.graph_objects as go
import streamlit as st

from briefing_examples import build_briefing_data_example

from cohort.ui.briefing import briefing_download
from cohort.ui.print_css import inject_print_css

st.set_page_config(page_title="Printproef", layout="wide")
if st.query_params.get("css", "1") == "1":
    inject_print_css()
st.sidebar.markdown("{SIDEBAR_TEXT}")
st.title("Printproef")
st.download_button("{BUTTON_TEXT}", data=b"x", file_name="x.txt")
briefing_download(build_briefing_data_example, key="briefing_osdorp", file_name="briefing_osdorp_2021-06-30.pdf")
for i in range(1, {CHARTS + 1}):
    st.markdown(" ".join(["Een alinea tekst die ruimte inneemt."] * 25))
    figure = go.Figure(go.Scatter(x=[f"K{{i}}-begin", f"K{{i}}-midden", f"K{{i}}-eind"], y=[1, 3, 2]))
    figure.update_layout(title=f"Grafiek nummer {{i}}", height=420)
    st.plotly_chart(figure)
st.markdown("{LAST_TEXT}")
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def print_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run` the tiny app (with the repository's .streamlit/config.toml); yield its base URL."""
    folder = tmp_path_factory.mktemp("print_app")
    script = folder / "print_app.py"
    script.write_text(PRINT_APP, encoding="utf-8")
    port = _free_port()
    # src for the package, tests for the hand-made BriefingData of the button.
    path = [str(REPO_ROOT / "src"), str(REPO_ROOT / "tests"), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path), "PYTHONUNBUFFERED": "1"}
    log_path = REPO_ROOT / "artifacts" / "print-app-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base_url, 90, process)
        yield base_url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _print(page: Page, base_url: str, query: str, name: str) -> list[str]:
    """Open the app, print it as Chromium's Print would (A4, print media); return the text of each sheet."""
    open_page_ready(page, base_url, query)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    pdf = page.pdf(format="A4", print_background=True)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (SCREENSHOT_DIR / f"{name}.pdf").write_bytes(pdf)  # for a person to look at (pdftoppm makes PNGs of it)
    # Whitespace as one space: a phrase may wrap differently on paper than on screen.
    return [" ".join(sheet.extract_text().split()) for sheet in PdfReader(io.BytesIO(pdf)).pages]


def test_without_the_stylesheet_the_sidebar_is_printed(print_app: str, page: Page) -> None:
    # The control: proves that the checks below can fail, i.e. that Chromium prints the sidebar by default.
    sheets = _print(page, print_app, "?css=0", "print-without-css")
    assert SIDEBAR_TEXT in " ".join(sheets)


def test_print_has_no_sidebar_or_buttons_and_keeps_every_chart_whole(print_app: str, page: Page) -> None:
    sheets = _print(page, print_app, "?css=1", "print-with-css")
    everything = "\n".join(sheets)
    assert SIDEBAR_TEXT not in everything
    assert BUTTON_TEXT not in everything
    assert "Briefing (pdf)" not in everything
    assert "Printproef" in everything
    assert LAST_TEXT in everything, "the end of the page is missing: only the first screenful was printed"
    for i in range(1, CHARTS + 1):
        with_title = [n for n, text in enumerate(sheets) if f"Grafiek nummer {i}" in text]
        assert len(with_title) == 1, f"chart {i}'s title is on sheets {with_title}"
        sheet = sheets[with_title[0]]
        for label in (f"K{i}-begin", f"K{i}-midden", f"K{i}-eind"):
            assert label in sheet, f"chart {i} is cut across sheets: its title is on sheet {with_title[0] + 1}, " \
                f"its axis label {label} is not"


def test_the_briefing_button_downloads_a_one_page_pdf_made_on_click(print_app: str, page: Page) -> None:
    open_page_ready(page, print_app, "?css=1")
    with page.expect_download(timeout=30_000) as download_info:
        page.get_by_role("button", name="Briefing (pdf)").click()
    download = download_info.value
    assert download.suggested_filename == "briefing_osdorp_2021-06-30.pdf"
    reader = PdfReader(download.path())
    assert len(reader.pages) == 1
    assert reader.metadata.title == "Briefing Cohortaanpak: Osdorp, peildatum 30 juni 2021"
    assert "Klachten per 1.000 gesprekken" in reader.pages[0].extract_text()
