"""Text from uploads and evaluators in a real browser: shown exactly as written, never as Markdown or HTML.

A dataset whose name, description and withdrawal reason carry Markdown images, links and Streamlit directives
that point at a local HTTP listener is published into the test server's store and opened on every page. No
request may reach the listener (an image in Markdown is fetched by every viewer's browser), no link may point
at it, and the text reads exactly as the evaluator typed it. Unit names with `& < > " '` and markup show as
written in the map tooltip and in Plotly's axis labels and hover texts (escaped once, not twice).
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Page, expect

from cohort.dataset import Dataset
from cohort.settings import EXAMPLE_WORKBOOK
from cohort.store import STATUS_WITHDRAWN, DatasetStore
from cohort.workbook.read import read_workbook

from .helpers import assert_no_exception, open_page_ready, screenshot

PAGES = ("", "kaart", "uitstroom", "gebieden", "klachten", "over", "data")  # "": the default page, Overzicht
CAPTION = '[data-testid="stCaptionContainer"]'


class Listener:
    """A local HTTP server that records every request: a browser that renders the text as Markdown calls it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        paths = self.paths

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                paths.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.server.shutdown()


def variant(offset: int) -> Dataset:
    """The example data with one count changed: its own content id, so it is stored under its own name."""
    example = read_workbook(EXAMPLE_WORKBOOK).dataset
    monthly = example.monthly.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.col("bijstand") + offset).otherwise(pl.col("bijstand"))
        .alias("bijstand")
    )
    return replace(example, monthly=monthly)


@pytest.fixture
def publish(store_dir: Path) -> Iterator:
    """Publish datasets into the test server's store; withdraw them afterwards for the other browser tests."""
    store = DatasetStore(store_dir)
    published: list[str] = []

    def _publish(dataset: Dataset, name: str, description: str = "") -> str:
        record = store.publish(dataset, name=name, description=description, published_by="browsertest",
                               validation_summary="0 fouten, 0 waarschuwingen")
        published.append(record.dataset_id)
        return record.dataset_id

    yield _publish
    for dataset_id in published:
        record = store.get(dataset_id)
        if record is not None and record.status != STATUS_WITHDRAWN:
            store.withdraw(dataset_id, by="browsertest", reason="test_plain_text: alleen voor de test")


def no_markup_towards(page: Page, listener: Listener) -> None:
    """Nothing on the page links to or loads from the listener."""
    target = f"127.0.0.1:{listener.port}"
    assert page.locator(f'a[href*="{target}"]').count() == 0, page.url
    assert page.locator(f'img[src*="{target}"]').count() == 0, page.url


def test_dataset_name_and_description_are_plain_text_on_every_page(
    app_server: str, page: Page, listener: Listener, publish
) -> None:
    name = (f"Test ![p]({listener.url('pixel.png')}) [klik hier]({listener.url('phish')}) :red[rood] "
            "_schuin_ $x^2$ a -> b")
    description = f"Beschrijving ![d]({listener.url('description.png')}) **vet** <b>html</b>"
    dataset_id = publish(variant(1), name, description)

    for path in PAGES:
        open_page_ready(page, app_server, f"{path}?dataset={dataset_id}")
        assert_no_exception(page)
        if path == "data":
            expect(page.get_by_text(f"Viewers zien nu: {name}", exact=False)).to_be_visible()
        else:
            caption = page.locator(CAPTION).filter(has_text="Dataset: ").first
            expect(caption).to_be_visible()
            text = caption.evaluate("e => e.textContent")
            assert text.startswith(f"Dataset: {name}") and text[len(f"Dataset: {name}")] in " .", (path, text)
        # The sidebar's share control names the dataset too.
        share = page.locator('section[data-testid="stSidebar"]').locator(CAPTION).filter(has_text="dataset ‘")
        assert f"dataset ‘{name}’" in share.first.evaluate("e => e.textContent"), path
        no_markup_towards(page, listener)
        if path == "":
            screenshot(page, "plain-text-dataset-caption")
    page.wait_for_timeout(500)  # a request the last page triggered has arrived by now
    assert listener.paths == [], f"the browser fetched {listener.paths}: text from an upload was rendered"


def test_withdrawal_notice_shows_name_and_reason_as_written(
    app_server: str, page: Page, listener: Listener, publish, store_dir: Path
) -> None:
    name = f"Ingetrokken ![p]({listener.url('withdrawn.png')}) :blue-background[blauw]"
    reason = f"Reden [lees meer]({listener.url('reason')}) ![r]({listener.url('reason.png')}) `code`"
    dataset_id = publish(variant(2), name)
    DatasetStore(store_dir).withdraw(dataset_id, by="browsertest", reason=reason)

    open_page_ready(page, app_server, f"?dataset={dataset_id}")
    assert_no_exception(page)
    notice = page.locator('[data-testid="stAlert"]').filter(has_text="is ingetrokken")
    expect(notice).to_have_count(1)
    text = notice.evaluate("e => e.textContent")
    assert f"‘{name}’ wordt niet meer getoond." in text, text
    assert f"Reden: {reason}." in text, text
    no_markup_towards(page, listener)
    screenshot(page, "plain-text-withdrawal-notice")
    page.wait_for_timeout(500)
    assert listener.paths == [], f"the browser fetched {listener.paths}: the notice was rendered as Markdown"


# "@@=" starts an expression for deck.gl's JSON converter; the rest is markup, a spreadsheet formula, a placeholder.
HOSTILE_UNIT = "@@=naam =HYPERLINK(\"http://x.example\",\"klik\") <script>alert(1)</script> <b>vet</b> & ' {code}"


def hostile_units(dataset: Dataset) -> Dataset:
    """Every unit named "<HOSTILE_UNIT> <code>", so whichever area is hovered carries the hostile name."""
    units = dataset.units.with_columns(pl.concat_str(pl.lit(HOSTILE_UNIT + " "), pl.col("code")).alias("naam"))
    return replace(dataset, units=units)


def test_unit_names_show_as_written_in_map_tooltip_and_plotly(app_server: str, page: Page, publish) -> None:
    dataset_id = publish(hostile_units(variant(3)), "Vijandige eenheden")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    open_page_ready(page, app_server, f"kaart?dataset={dataset_id}")
    assert_no_exception(page)
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    assert box, "the map has no canvas"
    tooltip = page.locator(".deck-tooltip")
    for attempt in range(90):  # deck.gl picks only once it has drawn; nudge the pointer until it does
        page.mouse.move(box["x"] + box["width"] * 0.5 + attempt % 3, box["y"] + box["height"] * 0.5)
        if tooltip.is_visible():
            break
        page.wait_for_timeout(500)
    expect(tooltip).to_be_visible()
    first_line = tooltip.inner_text().splitlines()[0]
    assert first_line.startswith(f"{HOSTILE_UNIT} DX"), first_line
    assert tooltip.locator("script, b").count() == 0, tooltip.inner_html()
    screenshot(page, "plain-text-map-tooltip")

    open_page_ready(page, app_server, f"uitstroom?dataset={dataset_id}")
    assert_no_exception(page)
    ticks = page.locator(".js-plotly-plot .ytick text").evaluate_all("els => els.map(e => e.textContent)")
    named = [t for t in ticks if t.startswith(HOSTILE_UNIT)]
    assert named, f"no y-axis label reads as the name was written: {ticks}"
    label = re.compile(re.escape(HOSTILE_UNIT) + r" (D[XG]\d\d) \(\1\)")  # "<name> DX01 (DX01)", as written
    assert all(label.fullmatch(t) for t in named), named
    ranking = page.locator(".js-plotly-plot").filter(has=page.locator(".ytick text", has_text="=HYPERLINK")).first
    bar = ranking.locator(".barlayer .point path").first
    bar.scroll_into_view_if_needed()
    bar_box = bar.bounding_box()
    assert bar_box, "the ranking has no bars"
    page.mouse.move(bar_box["x"] + bar_box["width"] / 2, bar_box["y"] + bar_box["height"] / 2)
    hover = ranking.locator(".hoverlayer .hovertext")
    expect(hover).to_have_count(1)
    assert hover.evaluate("e => e.textContent").startswith(HOSTILE_UNIT), hover.evaluate("e => e.textContent")
    screenshot(page, "plain-text-plotly-hover")
    assert dialogs == [], f"a script ran: {dialogs}"


def test_unit_names_with_markdown_fetch_nothing_on_any_page(
    app_server: str, page: Page, listener: Listener, publish
) -> None:
    name = f"Gebied ![p]({listener.url('unit.png')}) [klik]({listener.url('unit')}) :red[rood]"
    dataset = variant(4)
    units = dataset.units.with_columns(pl.concat_str(pl.lit(name + " "), pl.col("code")).alias("naam"),
                                       pl.concat_str(pl.lit(f"Stadsdeel ![s]({listener.url('sd.png')}) "),
                                                     pl.col("stadsdeel")).alias("stadsdeel"))
    dataset_id = publish(replace(dataset, units=units), "Eenheden met Markdown")
    fetched: dict[str, list[str]] = {}
    for path in PAGES:
        link = f"{path}?dataset={dataset_id}&eenheden=DX01&eenheden=DX02&eenheden=DG01"
        if path == "kaart":
            link += "&gebied=DX02"  # the selected area's panel names it
        open_page_ready(page, app_server, link)
        assert_no_exception(page)
        page.wait_for_timeout(300)
        links = page.locator(f'a[href*="127.0.0.1:{listener.port}"]').count()
        if listener.paths or links:
            fetched[path or "overzicht"] = [*listener.paths, *(["<a> link"] * links)]
            listener.paths.clear()
    assert fetched == {}, f"pages rendered unit or stadsdeel names as Markdown: {fetched}"
