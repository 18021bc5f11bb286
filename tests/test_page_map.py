"""AppTest of the Kaart page on the example data (the schematic map: no network, no configured boundaries).

The numbers themselves are computed by hand in tests/test_pagemodel_map.py; here: the page lays out its model,
deep links (`at.query_params`) select an area, an indicator and the comparison, and the widgets work.
"""

import pytest
from apptest import metrics_by_label, open_app, rendered_text
from streamlit import dataframe_util

from cohort.mapdeck import DIVERGING_LABELS
from cohort.pagemodels.common import PageInput
from cohort.pagemodels.map import map_model
from cohort.privacy import DEFAULT_RULE
from cohort.selection import default_selection
from cohort.settings import EXAMPLE_WORKBOOK
from cohort.workbook.read import read_workbook

PAGE = "views/kaart.py"


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("COHORT_BOUNDARIES_DOWNLOAD", "0")
    monkeypatch.setenv("COHORT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))


@pytest.fixture(scope="module")
def example_model():
    dataset = read_workbook(EXAMPLE_WORKBOOK).dataset
    return map_model(PageInput(dataset, default_selection(dataset), DEFAULT_RULE))


def displayed(element):
    """The texts a viewer sees in an st.dataframe (the Styler's display values)."""
    return dataframe_util.convert_arrow_bytes_to_pandas_df(element.proto.arrow_data.styler.display_values)


def area_table(at):
    return next(df.value for df in reversed(at.dataframe) if "code" in df.value.columns)


def test_map_page_shows_schematic_note_and_table():
    at = open_app(PAGE, check=True)
    assert at.title[0].value == "Kaart van de cohortaanpak"
    assert any("schematisch" in i.value for i in at.info)
    table = area_table(at)
    assert len(table) == 22
    # Coloured by status: one column per fact, no empty "Status cohortaanpak" beside "Status" (issue 13, item 6).
    assert list(table.columns) == ["code", "naam", "stadsdeel", "status", "periode"]
    assert any(c.value.startswith("Klik op een gebied") for c in at.caption)
    assert [df.value.columns[0] for df in at.dataframe] == ["naam", "code"]  # target groups, then the map table


def test_selected_area_from_link_shows_its_panel(example_model):
    at = open_app(PAGE, check=True, gebied="DX21")
    panel = example_model.panel("DX21")
    assert rendered_text(at.subheader[0].value) == "Bijlmer Oost (Zuidoost)"
    assert any("**Afgerond**" in m.value and "**sep 2019 – sep 2020**" in m.value for m in at.markdown)
    shown = metrics_by_label(at)
    assert shown == {t.label: t.value for t in panel.tiles_for("status")}
    assert shown["Gesprekken"] != "None" and "Personen in de bijstand" in shown
    assert [rendered_text(e.label) for e in at.expander] == [
        "Cijfers bij deze grafiek: Bijlmer Oost: uitstroom naar werk per kwartaal"]
    assert at.button(key="kaart_filter").disabled is False


def test_unknown_area_in_link_is_ignored():
    at = open_app(PAGE, check=True, gebied="<script>")
    assert [s.value for s in at.subheader] == ["De kaart als tabel"]
    at = open_app(PAGE, check=True, gebied="DX99")
    assert [s.value for s in at.subheader] == ["De kaart als tabel"]


def test_indicator_from_link_and_the_city_comparison(example_model):
    at = open_app(PAGE, check=True, gebied="DX21", indicator="Uitstroom naar werk")
    assert at.selectbox(key="indicator").value == "uitstroom_werk"
    expected = {t.label: t.value for t in example_model.panel("DX21").tiles_for("uitstroom_werk")}
    assert metrics_by_label(at)["Uitstroom naar werk"] == expected["Uitstroom naar werk"]
    table = area_table(at)
    assert list(table.columns) == ["code", "naam", "stadsdeel", "status", "periode", "waarde", "klasse"]
    assert not at.toggle(key="kaart_vergelijk").disabled
    at.toggle(key="kaart_vergelijk").set_value(True).run()
    assert not at.exception
    expected_classes = example_model.colouring("uitstroom_werk", True).table.texts.get_column("klasse").to_list()
    assert list(area_table(at)["klasse"]) == expected_classes
    assert len(set(expected_classes)) > 1 and set(expected_classes) <= set(DIVERGING_LABELS.values())


def test_complaints_per_area_explain_what_is_hidden():
    at = open_app(PAGE, check=True, indicator="Klachten", gebied="DX21")  # a shared link holds the label
    assert any("waarden zijn verborgen" in i.value and "per stadsdeel" in i.value for i in at.info)
    assert metrics_by_label(at)["Klachten per 1.000 gesprekken"] == "—*"
    assert any(c.value.startswith("× = verborgen") for c in at.caption)
    assert at.toggle(key="kaart_vergelijk").disabled is False


def test_stadsdeel_level_and_its_deep_link():
    at = open_app(PAGE, check=True, niveau="stadsdeel")
    table = area_table(at)
    assert list(table["code"]) == ["A", "E", "F", "K", "M", "N", "T"]
    assert "stadsdeel" not in table.columns  # the name is the stadsdeel
    at.query_params["gebied"] = "T"  # a click at this level puts the stadsdeel's letter in the link
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "Zuidoost"
    assert at.button(key="kaart_filter").disabled  # filtering all pages works per area only


def test_area_choice_and_the_link_are_one_selection(example_model):
    """The keyboard's way to an area (issue 13, item 9): the 'Gebied' choice selects what a click selects, and
    writes the same `gebied=` into the link; a click (the URL) shows in the choice."""
    at = open_app(PAGE, check=True)
    choice = at.selectbox(key="kaart_gebied")
    assert choice.label == "Gebied" and choice.value is None
    assert choice.options == list(example_model.choices.values())
    assert choice.options[:2] == ["Bijlmer Centrum (DX20)", "Bijlmer Oost (DX21)"]  # by name
    choice.set_value("DX21").run()
    assert not at.exception
    assert at.query_params["gebied"] == "DX21"
    assert rendered_text(at.subheader[0].value) == "Bijlmer Oost (Zuidoost)"
    assert "gebied Bijlmer Oost" in at.caption[-2].value and "gebied=DX21" in at.code[-1].value  # the shared link
    at.query_params["gebied"] = "DX05"  # what a click on the map does (views/kaart.py, remember_selection)
    at.run()
    assert at.selectbox(key="kaart_gebied").value == "DX05"
    assert rendered_text(at.subheader[0].value).startswith(example_model.panel("DX05").title)
    at.selectbox(key="kaart_gebied").set_value(None).run()  # cleared: no area, no panel
    assert "gebied" not in at.query_params and [s.value for s in at.subheader] == ["De kaart als tabel"]


def test_a_link_to_a_stadsdeel_opens_it():
    """At level "stadsdeel" a click selects a stadsdeel by its letter; a link with it was ignored as an unknown
    area (a notice, no panel) until cohort.links knew stadsdelen."""
    at = open_app(PAGE, check=True, niveau="stadsdeel", gebied="T")
    assert not [w.value for w in at.warning if "genegeerd" in w.value]
    assert at.subheader[0].value == "Zuidoost"
    choice = at.selectbox(key="kaart_gebied")
    assert choice.label == "Stadsdeel" and choice.value == "T" and "Zuidoost" in choice.options
    assert "stadsdeel Zuidoost" in at.caption[-2].value and "gebied=T" in at.code[-1].value


def test_filter_button_filters_every_page_on_the_area():
    at = open_app(PAGE, check=True, gebied="DX05")
    at.button(key="kaart_filter").click().run()
    assert not at.exception
    assert at.session_state["eenheden"] == ["DX05"]
    assert list(area_table(at)["code"]) == ["DX05"]


@pytest.mark.parametrize("indicator", ["Status cohortaanpak", "Uitstroom naar werk", "Klachten", "Gesprekken",
                                       "Personen in de bijstand"])
def test_no_table_or_tile_shows_none(indicator):
    # Issue 13, item 2: hidden values show their sign, missing ones "—"; never None, null or NaN.
    at = open_app(PAGE, check=True, indicator=indicator, gebied="DX03")
    cells = [str(v) for df in at.dataframe for v in displayed(df).to_numpy().ravel()]
    cells += [m.value for m in at.metric] + [c.value for c in at.caption]
    assert not [c for c in cells if c in ("None", "null", "nan", "NaN", "<NA>") or "None" in c]
    assert all(df.proto.placeholder == "—" for df in at.dataframe)  # an empty cell (no data) reads "—"
    if indicator == "Klachten":
        assert "—*" in cells and "×" in cells  # hidden rates on the map table, hidden counts of target groups
