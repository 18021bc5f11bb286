"""AppTest of the Kaart page on the example data (the schematic map: no network, no configured boundaries).

The numbers themselves are computed by hand in tests/unit/pagemodels/test_pagemodel_map.py; here: the page lays out its
model, deep links (`at.query_params`) select an area, an indicator and the comparison, and the widgets work.
"""

import pytest
from apptest import metrics_by_label, notes, open_app, rendered_text, share_link
from streamlit import dataframe_util

from cohort.charts.palette import COMPARISON_LABELS
from cohort.pagemodels.common import PageInput
from cohort.pagemodels.map import area_panel, map_model
from cohort.privacy.rules import DEFAULT_RULE
from cohort.selection import default_selection
from cohort.settings import EXAMPLE_WORKBOOK
from cohort.workbook.read import read_workbook

PAGE = "views/kaart.py"


pytestmark = pytest.mark.usefixtures("offline")  # tests/app/conftest.py


@pytest.fixture(scope="module")
def example_input():
    dataset = read_workbook(EXAMPLE_WORKBOOK).dataset
    return PageInput(dataset, default_selection(dataset), DEFAULT_RULE)


@pytest.fixture(scope="module")
def example_model(example_input):
    return map_model(example_input)


@pytest.fixture(scope="module")
def example_panel(example_input, example_model):
    """The panel the page shows for a unit (built for that unit only)."""
    return lambda code: area_panel(example_input, example_model, code)


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
    assert any(note.startswith("Klik op een gebied") for note in notes(at))
    assert [df.value.columns[0] for df in at.dataframe] == ["naam", "code"]  # target groups, then the map table


def test_selected_area_from_link_shows_its_panel(example_model, example_panel):
    at = open_app(PAGE, check=True, gebied="DX21")
    panel = example_panel("DX21")
    assert rendered_text(at.subheader[0].value) == "Bijlmer Oost (Zuidoost)"
    assert any("**Afgerond**" in m.value and "**sep 2019 – sep 2020**" in m.value for m in at.markdown)
    shown = metrics_by_label(at)
    assert shown == {t.label: t.value for t in panel.tiles_for("status")}
    assert shown["Gesprekken"] != "None" and "Personen in de bijstand" in shown
    assert [rendered_text(e.label) for e in at.main.expander] == [
        "Cijfers bij deze grafiek: Bijlmer Oost: uitstroom naar werk per kwartaal"]
    assert at.button(key="kaart_filter").disabled is False


def test_unknown_area_in_link_is_ignored():
    at = open_app(PAGE, check=True, gebied="<script>")
    assert [s.value for s in at.subheader] == ["De kaart als tabel"]
    at = open_app(PAGE, check=True, gebied="DX99")
    assert [s.value for s in at.subheader] == ["De kaart als tabel"]


def test_indicator_from_link_and_the_city_comparison(example_model, example_panel):
    at = open_app(PAGE, check=True, gebied="DX21", indicator="Uitstroom naar werk")
    assert at.selectbox(key="indicator").value == "uitstroom_werk"
    # A rate is compared with the city average by default, with the spread between areas, at 95%.
    assert at.selectbox(key="maatstaf").value == "stad" and not at.selectbox(key="maatstaf").disabled
    panel = example_panel("DX21")
    assert metrics_by_label(at) == {t.label: t.value for t in panel.tiles_for("uitstroom_werk")}
    verdicts = panel.verdicts_for("uitstroom_werk", "stad")
    assert [t.label for t in verdicts] == ["Vergeleken met stedelijk gemiddelde", "Trend uitstroom, laatste 6 maanden",
                                           "Trend uitstroom, laatste 12 maanden"]
    assert all(any(m.value == f"{t.label}  \n**{t.value}**" for m in at.markdown) for t in verdicts)
    table = area_table(at)
    assert list(table.columns) == ["code", "naam", "stadsdeel", "status", "periode", "waarde", "maatstaf", "klasse"]
    expected_classes = example_model.colouring("uitstroom_werk", "stad").table.texts.get_column("klasse").to_list()
    assert list(table["klasse"]) == expected_classes
    assert set(expected_classes) <= {*COMPARISON_LABELS.values(), "—*", "—"}
    assert any(e.label == "Hoe we vergelijken" for e in at.expander)
    assert any(note.startswith("Let op: met 22 gebieden tegelijk") for note in notes(at))  # beside the map
    at.selectbox(key="maatstaf").set_value("geen").run()  # the value itself: classes light to dark
    assert not at.exception
    assert list(area_table(at).columns) == ["code", "naam", "stadsdeel", "status", "periode", "waarde", "klasse"]
    assert not [r for r in at.radio if r.key in ("betrouwbaarheid", "spreiding")]  # nothing to choose then
    at.selectbox(key="indicator").set_value("status").run()
    assert not [s for s in at.selectbox if s.key == "maatstaf"]  # only a rate is compared


def test_comparison_choices_from_a_shared_link(example_model, example_panel):
    # A shared link holds the labels, as Streamlit writes them into the URL.
    at = open_app(PAGE, check=True, indicator="Uitstroom naar werk", maatstaf="Gebieden zonder lopend cohort",
                  betrouwbaarheid="99,8%", spreiding="Alleen toeval (Poisson)", gebied="DX01")
    assert (at.selectbox(key="maatstaf").value, at.radio(key="betrouwbaarheid").value,
            at.radio(key="spreiding").value) == ("vergelijking", "998", "nee")
    colouring = example_model.colouring("uitstroom_werk", "vergelijking", "998", "nee")
    assert list(area_table(at)["klasse"]) == colouring.table.texts.get_column("klasse").to_list()
    verdict = example_panel("DX01").class_tiles[("uitstroom_werk", "vergelijking", "998", "nee")]
    assert any(m.value == f"Vergeleken met gebieden zonder lopend cohort  \n**{verdict.value}**" for m in at.markdown)
    # The choices travel with the view's link (page widgets' parameters pass through the share control).
    link = share_link(at)
    assert "maatstaf=Gebieden+zonder+lopend+cohort" in link and "betrouwbaarheid=99%2C8%25" in link
    assert "spreiding=Alleen+toeval+%28Poisson%29" in link


def test_complaints_per_area_explain_what_is_hidden():
    at = open_app(PAGE, check=True, indicator="Klachten", gebied="DX21")  # a shared link holds the label
    assert any("waarden zijn verborgen" in i.value and "per stadsdeel" in i.value for i in at.info)
    assert metrics_by_label(at)["Klachten per 1.000 gesprekken"] == "—*"
    assert any(note.startswith("× = verborgen") for note in notes(at))
    assert at.selectbox(key="maatstaf").disabled is False
    # Complaints have no comparison group: the page says so instead of colouring.
    at.selectbox(key="maatstaf").set_value("vergelijking").run()
    assert any("Klachten ontstaan alleen in gesprekken" in i.value for i in at.info)


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


def test_area_choice_and_the_link_are_one_selection(example_model, example_panel):
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
    link = share_link(at)
    assert "gebied Bijlmer Oost" in at.caption[-2].value and "gebied=DX21" in link  # the shared link
    at.query_params["gebied"] = "DX05"  # what a click on the map does (views/kaart.py, remember_selection)
    at.run()
    assert at.selectbox(key="kaart_gebied").value == "DX05"
    assert rendered_text(at.subheader[0].value).startswith(example_panel("DX05").title)
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
    link = share_link(at)
    assert "stadsdeel Zuidoost" in at.caption[-2].value and "gebied=T" in link


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
