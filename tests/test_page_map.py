"""AppTest of the Kaart page on the example data (the schematic map: no network, no configured boundaries)."""

import pytest
from streamlit.testing.v1 import AppTest

from cohort.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")
PAGE = "views/kaart.py"


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("COHORT_BOUNDARIES_DOWNLOAD", "0")
    monkeypatch.setenv("COHORT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))


def open_map(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_map_page_shows_schematic_note_and_table():
    at = open_map()
    assert at.title[0].value == "Kaart van de cohortaanpak"
    assert any("schematisch" in i.value for i in at.info)
    tables = [df.value for df in at.dataframe]
    area_table = next(t for t in tables if "code" in t.columns)
    assert len(area_table) >= 22  # every area of the division, also without values (Westpoort)


def test_selected_area_from_link_shows_detail_panel():
    at = open_map(gebied="DX21")
    shown = {m.label: m.value for m in at.metric}
    assert at.subheader[0].value == "Bijlmer Oost (Zuidoost)"
    assert shown["Status"] == "Afgerond"
    assert shown["Cohortperiode"] == "sep 2019 – sep 2020"


def test_unknown_area_in_link_is_ignored():
    at = open_map(gebied="<script>")
    assert not any(s.value.endswith(")") for s in at.subheader[:1] if s.value != "De kaart als tabel")


def test_indicator_and_stadsdeel_level():
    at = open_map(gebied="DX21")
    at.selectbox(key="indicator").set_value("uitstroom_werk").run()
    assert not at.exception
    assert "per 1.000 per maand" in {m.label: m.value for m in at.metric}["Uitstroom naar werk"]
    at.radio(key="niveau").set_value("stadsdeel").run()
    assert not at.exception
    tables = [df.value for df in at.dataframe]
    assert any(len(t) >= 7 and "stadsdeel" in t.columns for t in tables)
