"""AppTest of the page "Data": upload, the report, publish into a temporary store, default, withdraw."""

import pytest
from streamlit.testing.v1 import AppTest
from workbooks import make_workbook, monthly_rows

from cohort.settings import PROJECT_ROOT
from cohort.store import DatasetStore
from cohort.ui.publish import current_user

APP = str(PROJECT_ROOT / "app.py")
PAGE = "views/data.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    """Every test publishes into its own empty store; the settings are read when the app runs."""
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    return tmp_path / "store"


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, data: bytes, name: str = "cijfers.xlsx") -> AppTest:
    at.file_uploader(key="upload_bestand").upload(name, data, XLSX).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert len(matches) == 1, [b.label for b in at.button]
    return matches[0]


def publish(at: AppTest, name: str, description: str = "") -> AppTest:
    at.text_input(key="publicatie_naam").set_value(name)
    at.text_area(key="publicatie_beschrijving").set_value(description)
    button(at, "Publiceren").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, column: str, occurrence: int = 0):
    """The n-th dataframe that has this column (AppTest does not expose the key of an st.dataframe)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    return frames[occurrence]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_empty_state(store_dir):
    at = open_page()
    assert at.title[0].value == "Data uploaden en publiceren"
    assert [d.label for d in at.get("download_button")] == ["Download sjabloon (.xlsx)", "Download voorbeeld (.xlsx)"]
    infos = [i.value for i in at.info]
    assert any("geen gepubliceerde dataset" in text for text in infos)
    assert not [b for b in at.button if b.label == "Publiceren"]


def test_the_upload_limit_is_stated_and_a_refused_file_explained(store_dir, monkeypatch):
    # A file over the limit never reaches the server: Streamlit refuses it in the browser with English chip text
    # ("File must be 2.0MB or smaller") and the uploader stays empty. The page must say what that means.
    monkeypatch.setenv("COHORT_MAX_UPLOAD_MB", "2")
    at = open_page()
    assert "Alleen een Excel-werkmap (.xlsx) van hooguit 2 MB." in [c.value for c in at.caption]
    assert [i.value for i in at.info if "bestand" in i.value] == [
        "Er is nog geen bestand ingelezen. Staat er hierboven een bestand met een rood uitroepteken, dan is het "
        "geweigerd: het is groter dan 2 MB (het uploadvak zegt dan in het Engels ‘File must be 2.0MB or "
        "smaller’). Maak het kleiner, bijvoorbeeld door lege rijen en andere tabbladen te verwijderen, of neem "
        "contact op met de beheerder van de Cohortmonitor. Begin anders met het sjabloon of de voorbeeldwerkmap."
    ]


def test_good_upload_shows_preview_and_publishes(store_dir):
    at = upload(open_page(), make_workbook())
    assert any("Geen fouten" in s.value for s in at.success)
    assert at.status[0].state == "complete"
    shown = metrics(at)
    assert (shown["Gebieden"], shown["Doelgroepen"], shown["Rijen maandcijfers"]) == ("3", "1", "8")
    assert (shown["Gesprekken"], shown["Klachten"], shown["Uitstroom naar werk"]) == ("140", "4", "66")
    assert any("januari 2020 t/m februari 2020 (2 maanden)" in c.value for c in at.caption)

    at = publish(at, "Testdata", "Met de hand gebouwd")

    records = DatasetStore(store_dir).list_datasets()
    assert [(r.name, r.description, r.published_by, r.n_rows) for r in records] == [
        ("Testdata", "Met de hand gebouwd", current_user(), 8)
    ]
    assert any(records[0].dataset_id in s.value and "Gepubliceerd" in s.value for s in at.success)
    listing = table(at, "Standaard")
    assert listing["Naam"].tolist() == ["Testdata"]
    assert listing["Rijen"].tolist() == [8]
    assert listing["Maanden"].tolist() == ["jan 2020 t/m feb 2020 (2)"]


def test_broken_upload_blocks_publishing(store_dir):
    monthly = monthly_rows()
    monthly[2][3] = -4  # gesprekken in Excel row 4
    at = upload(open_page(), make_workbook(monthly=monthly))
    assert at.status[0].state == "error"
    assert any("fout(en)" in e.value for e in at.error)
    errors = table(at, "Melding")
    row = errors[errors["Kolom"] == "gesprekken"].iloc[0]
    assert (row["Tabblad"], row["Rij"], row["Waarde"]) == ("maandcijfers", 4, "-4")
    assert "Download controlerapport (.xlsx)" in [d.label for d in at.get("download_button")]
    assert not [b for b in at.button if b.label == "Publiceren"]
    assert not at.metric  # no preview of data that cannot be published
    assert DatasetStore(store_dir).list_datasets(include_withdrawn=True) == []


def test_non_xlsx_is_refused_with_a_dutch_message(store_dir):
    at = upload(open_page(), b"%PDF-1.7 not a workbook", name="rapport.pdf")
    assert any("Het bestand is niet ingelezen" in e.value for e in at.error)
    assert at.status[0].state == "error"
    assert not [b for b in at.button if b.label == "Publiceren"]


def test_publish_needs_a_name(store_dir):
    at = upload(open_page(), make_workbook())
    at = publish(at, "   ")
    assert any("naam" in e.value for e in at.error)
    assert DatasetStore(store_dir).list_datasets() == []


def test_set_default_and_withdraw(store_dir):
    at = publish(upload(open_page(), make_workbook()), "Eerste")
    second = monthly_rows()
    second[0][3] = 51  # different content, so a second dataset
    at = publish(upload(at, make_workbook(monthly=second), name="tweede.xlsx"), "Tweede")
    store = DatasetStore(store_dir)
    newest, oldest = store.list_datasets()
    assert (newest.name, oldest.name) == ("Tweede", "Eerste")

    at.selectbox(key="beheer_dataset").set_value(oldest.dataset_id).run()
    button(at, "Als standaard instellen").click().run()
    assert not at.exception
    assert store.default_id() == oldest.dataset_id
    assert any("is nu de standaarddataset" in s.value for s in at.success)
    listing = table(at, "Standaard")
    assert listing.set_index("Naam")["Standaard"].to_dict() == {"Tweede": "", "Eerste": "standaard"}

    # Without confirmation nothing happens.
    at.selectbox(key="beheer_dataset").set_value(oldest.dataset_id)
    at.text_input(key="intrekken_reden").set_value("Bron bevatte een fout")
    button(at, "Intrekken").click().run()
    assert any("Vink" in e.value for e in at.error)
    assert store.get(oldest.dataset_id).status == "gepubliceerd"

    at.selectbox(key="beheer_dataset").set_value(oldest.dataset_id)
    at.text_input(key="intrekken_reden").set_value("Bron bevatte een fout")
    at.checkbox(key="intrekken_bevestigd").check()
    button(at, "Intrekken").click().run()
    assert not at.exception
    record = store.get(oldest.dataset_id)
    assert (record.status, record.withdrawal_reason, record.withdrawn_by) == (
        "ingetrokken", "Bron bevatte een fout", current_user())
    assert table(at, "Standaard")["Naam"].tolist() == ["Tweede"]
    withdrawn = table(at, "Reden")
    assert withdrawn[["Naam", "Reden"]].values.tolist() == [["Eerste", "Bron bevatte een fout"]]
    assert any(e.label == "Ingetrokken datasets (1)" for e in at.expander)
