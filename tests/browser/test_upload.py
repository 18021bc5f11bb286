"""Uploading on the Data page in a real browser: the example workbook through the file chooser, checked and
published and then listed; a broken workbook shows a Dutch error naming sheet, row and column, and no publish
button.

The test server runs without an `[auth]` secrets section: "lokale modus", in which the single local user is an
evaluator and may publish.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Locator, Page, expect

from cohort.contract import SHEET_MONTHLY
from cohort.settings import EXAMPLE_WORKBOOK
from cohort.store import STATUS_WITHDRAWN, DatasetStore
from cohort.store.content import content_id
from cohort.workbook.read import read_workbook

from .helpers import assert_no_exception, open_page_ready, screenshot, wait_for_elements, wait_for_rerun

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOADER = '[data-testid="stFileUploader"]'
PUBLISH_TIMEOUT_MS = 60_000
BROKEN_VALUE = "n.v.t."
BROKEN_COLUMN = "gesprekken"

# The rows of a Streamlit dataframe: Glide Data Grid draws on a canvas but puts an accessible <table
# role="grid"> inside it (for screen readers); its text is in textContent, never rendered, so no innerText.
_GRID_ROWS_JS = """
(grid) => {
  const table = grid.querySelector('table[role=grid]');
  if (!table) return null;
  const header = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
  return [...table.querySelectorAll('tbody tr')].map((tr) =>
    Object.fromEntries([...tr.querySelectorAll('td')].map((td, i) => [header[i], td.textContent.trim()])));
}
"""


def grid_rows(grid: Locator) -> list[dict[str, str]]:
    rows = grid.evaluate(_GRID_ROWS_JS)
    assert rows is not None, "the dataframe has no accessible table (has Streamlit's data grid changed?)"
    return rows


def choose_file(page: Page, name: str, data: bytes) -> None:
    """Pick a file through the browser's own file chooser, opened by the uploader's button, as a user does."""
    with page.expect_file_chooser() as chooser:
        page.locator(f"{UPLOADER} [data-testid=\"stBaseButton-secondary\"]").click()  # "Upload"; not the help button
    chooser.value.set_files(files=[{"name": name, "mimeType": XLSX_MIME, "buffer": data}])
    wait_for_rerun(page)
    wait_for_elements(page)


@pytest.fixture
def example_id() -> str:
    example = read_workbook(EXAMPLE_WORKBOOK).dataset
    return content_id(example.units, example.monthly)


@pytest.fixture
def restore_store(store_dir: Path, example_id: str) -> Iterator[DatasetStore]:
    """Withdraw what the test published, so the other browser tests see the example data again."""
    store = DatasetStore(store_dir)
    yield store
    record = store.get(example_id)
    if record is not None and record.status != STATUS_WITHDRAWN:
        store.withdraw(example_id, by="browsertest", reason="test_upload: alleen voor de test")


def test_upload_example_check_publish_and_list(
    app_server: str, page: Page, restore_store: DatasetStore, example_id: str
) -> None:
    # The example's content may already be in the store (test_sharing publishes and withdraws it): publishing
    # the same content again brings that record back under its first name instead of storing a copy.
    earlier = restore_store.get(example_id)
    name = earlier.name if earlier is not None else "Browsertest voorbeeld"

    open_page_ready(page, app_server, "data")
    assert_no_exception(page)
    choose_file(page, EXAMPLE_WORKBOOK.name, EXAMPLE_WORKBOOK.read_bytes())
    assert_no_exception(page)
    expect(page.get_by_text("Geen fouten.")).to_be_visible()
    ready = f"‘{EXAMPLE_WORKBOOK.name}’ gelezen en gecontroleerd: klaar om te publiceren"
    expect(page.get_by_text(ready)).to_be_visible()
    expect(page.get_by_text("Voorbeeld van de gelezen gegevens.")).to_be_visible()

    page.get_by_label("Naam van de dataset (verplicht)").fill("Browsertest voorbeeld")
    page.get_by_label("Beschrijving").fill("Gepubliceerd door tests/browser/test_upload.py")
    page.get_by_role("button", name="Publiceren").click()
    # Publishing reruns the app (st.rerun) to refresh the sidebar; the flash message is the signal it is done.
    done = page.get_by_text(f"Gepubliceerd: ‘{name}’").or_(page.get_by_text(f"al gepubliceerd als ‘{name}’"))
    expect(done.first).to_be_visible(timeout=PUBLISH_TIMEOUT_MS)
    assert_no_exception(page)

    record = restore_store.get(example_id)
    assert record is not None and record.status != STATUS_WITHDRAWN, "the dataset is not published in the store"
    # The list of published datasets: the grid with the columns "Naam" and "Gepubliceerd op".
    listing = (page.locator('[data-testid="stDataFrame"]').filter(has=page.locator("th", has_text="Gepubliceerd op"))
               .filter(has=page.locator("th", has_text="Naam")))
    expect(listing).to_have_count(1)
    names = [row.get("Naam") for row in grid_rows(listing)]
    assert name in names, f"'{name}' is not in the list of published datasets: {grid_rows(listing)}"
    expect(page.get_by_text(f"Viewers zien nu: {name}")).to_be_visible()
    screenshot(page, "upload-published")


def broken_example() -> tuple[bytes, int]:
    """The example workbook with text in a count column; returns the file and the Excel row of that cell."""
    workbook = openpyxl.load_workbook(EXAMPLE_WORKBOOK)
    sheet = workbook[SHEET_MONTHLY]
    header = [cell.value for cell in sheet[1]]
    excel_row = 5
    sheet.cell(row=excel_row, column=header.index(BROKEN_COLUMN) + 1, value=BROKEN_VALUE)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), excel_row


def test_broken_upload_names_sheet_row_and_column(app_server: str, page: Page) -> None:
    data, excel_row = broken_example()
    open_page_ready(page, app_server, "data")
    choose_file(page, "kapot.xlsx", data)
    assert_no_exception(page)
    expect(page.get_by_text("‘kapot.xlsx’ gelezen en gecontroleerd: 1 fout(en)")).to_be_visible()
    expect(page.get_by_text("publiceren kan pas als deze zijn hersteld")).to_be_visible()

    errors = page.locator('[data-testid="stDataFrame"]').filter(has=page.locator("th", has_text="Melding")).first
    rows = grid_rows(errors)
    assert rows == [
        {
            "Tabblad": SHEET_MONTHLY,
            "Rij": str(excel_row),
            "Kolom": BROKEN_COLUMN,
            "Waarde": BROKEN_VALUE,
            "Melding": rows[0]["Melding"] if rows else "",
        }
    ], f"the report should name sheet, Excel row, column and value of the one broken cell: {rows}"
    assert "getal" in rows[0]["Melding"], f"the message does not say a number is expected: {rows[0]['Melding']}"
    expect(page.get_by_role("button", name="Publiceren")).to_have_count(0)
    expect(page.get_by_label("Naam van de dataset (verplicht)")).to_have_count(0)
    screenshot(page, "upload-broken")


def test_a_file_over_the_limit_is_explained_in_dutch(app_server: str, page: Page, tmp_path: Path) -> None:
    # The browser refuses a file over the limit before uploading it (Streamlit's English chip text); the file
    # never reaches the app, so the page must itself say in Dutch what that means. A sparse file: no 51 MB written.
    big = tmp_path / "te_groot.xlsx"
    with big.open("wb") as file:
        file.truncate(51 * 1024 * 1024)
    open_page_ready(page, app_server, "data")
    expect(page.get_by_text("Alleen een Excel-werkmap (.xlsx) van hooguit 50 MB.")).to_be_visible()
    with page.expect_file_chooser() as chooser:
        page.locator(f"{UPLOADER} [data-testid=\"stBaseButton-secondary\"]").click()
    chooser.value.set_files(str(big))
    uploader = page.locator(UPLOADER)
    expect(uploader.get_by_text("te_groot.xlsx")).to_be_visible()
    # Streamlit's own refusal (in English, shown when pointing at the red mark), quoted by the page.
    expect(uploader.get_by_text("File must be 50.0MB or smaller")).to_have_count(1)
    notice = page.locator('[data-testid="stAlert"]').filter(has_text="nog geen bestand ingelezen")
    expect(notice).to_contain_text("dan is het geweigerd: het is groter dan 50 MB")
    assert_no_exception(page)
    screenshot(page, "upload-too-large")
