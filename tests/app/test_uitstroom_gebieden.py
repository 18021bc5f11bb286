"""AppTest: the pages "Uitstroom naar werk" and "Uitrol per gebied" show their page model and follow the filters.

The outflow page is checked against its model (`cohort.pagemodels.outflow`, whose numbers are worked out by hand
in tests/unit/pagemodels/test_pagemodel_outflow.py) and against the example data's calibration (raw 2,0×, fairer 1,5×).
"""

import json
from datetime import date

import polars as pl
import pytest
from apptest import metrics_by_label, notes, open_app, open_tables, rendered_text
from outflow_data import small
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from cohort.pagemodels.common import PageInput
from cohort.pagemodels.outflow import outflow_model
from cohort.privacy.rules import SuppressionRule
from cohort.selection import Selection, default_selection
from cohort.store import DatasetStore

OUTFLOW_PAGE = "views/uitstroom.py"
ROLLOUT_PAGE = "views/gebieden.py"
RULE = SuppressionRule()
# The "Cijfers bij deze grafiek" expanders build their tables only when opened; the tests open all of them.
OUTFLOW_TABLES = ("uitstroom_per_kwartaal", "rond_de_start", "uitstroom_per_eenheid", "uitstroom_per_stadsdeel",
                  "neveneffecten_per_kwartaal")
ROLLOUT_TABLES = ("uitrol_per_gebied",)


def model_for(dataset, selection):
    return outflow_model(PageInput(dataset, selection, RULE))


def model_tiles(model) -> dict[str, str]:
    return {t.label: t.value for t in (*model.raw_tiles, *model.did_tiles)}


def chart_table(at: AppTest, title: str):
    """The texts a viewer reads in the table under a chart (the styled display values, signs included)."""
    (expander,) = [e for e in at.expander if rendered_text(e.label) == f"Cijfers bij deze grafiek: {title}"]
    return convert_arrow_bytes_to_pandas_df(expander.dataframe[0].proto.arrow_data.styler.display_values)


def test_outflow_page_shows_its_model(example):
    at = open_app(check=True, page=OUTFLOW_PAGE)
    at.toggle(key="maatregelen_per_maand").set_value(True)  # the small multiples are behind a toggle
    at = open_tables(at, *OUTFLOW_TABLES)
    assert at.title[0].value == "Uitstroom naar werk"
    model = model_for(example, default_selection(example))
    shown = metrics_by_label(at)
    assert shown == model_tiles(model)
    # The calibration of the example data (tests/unit/workbook/test_example.py): raw about 2,0×, a true effect of about
    # 1,5×.
    assert shown["Ruwe verhouding cohort t.o.v. elders"] == "2,0×"
    assert shown["Verhouding t.o.v. zonder cohort"] == "1,5×"
    assert any("Van de ruwe factor 2,0× blijft bij een eerlijkere vergelijking 1,5× over" in m.value
               for m in at.markdown)
    assert any("alle 22 gebieden van de dataset, ongeacht de filters" in c.value for c in at.caption)
    assert any("Voorbeelddata" in w.value for w in at.warning)
    # Every chart has its numbers: quarters, event time, units, stadsdelen, measures (summary + per quarter).
    assert len(at.dataframe) == 6
    ranking = chart_table(at, "Uitstroom naar werk tijdens de eigen cohortmaanden")
    assert ranking.shape[0] == 16  # 13 areas + 3 target groups with cohort months by June 2021
    quarters = chart_table(at, "Uitstroom naar werk per 1.000 in de bijstand, per kwartaal")
    assert quarters.iloc[0]["periode"] == "K1 2018"
    assert "None" not in quarters.to_string() and "nan" not in quarters.to_string()


def test_a_link_with_a_filter_changes_a_but_not_b(example):
    at = open_app(OUTFLOW_PAGE, peildatum="juni 2020", stadsdelen=["Zuidoost"])
    assert not at.exception, [e.value for e in at.exception]
    selection = Selection(date(2020, 6, 30), example.first_month, example.last_month, stadsdelen=("Zuidoost",))
    model = model_for(example, selection)
    shown = metrics_by_label(at)
    assert shown == model_tiles(model)
    everything = model_for(example, Selection(date(2020, 6, 30), example.first_month, example.last_month))
    assert model.raw.ratio_text() != everything.raw.ratio_text()
    assert model.did.result is everything.did.result, "(b) is over all areas, whatever the filter"


def test_outflow_page_follows_the_stadsdeel_widget(example):
    at = open_app(check=True, page=OUTFLOW_PAGE)
    before = metrics_by_label(at)
    at.multiselect(key="stadsdelen").set_value(["Zuidoost"]).run()
    assert not at.exception
    after = metrics_by_label(at)
    expected = model_for(example, Selection(date(2021, 6, 30), example.first_month, example.last_month,
                                            stadsdelen=("Zuidoost",)))
    assert after == model_tiles(expected)
    assert after["Ruwe verhouding cohort t.o.v. elders"] != before["Ruwe verhouding cohort t.o.v. elders"]
    assert after["Verhouding t.o.v. zonder cohort"] == before["Verhouding t.o.v. zonder cohort"]
    at = open_tables(at, "uitstroom_per_eenheid")
    codes = set(chart_table(at, "Uitstroom naar werk tijdens de eigen cohortmaanden")["code"])
    assert codes == {"DX20", "DX21", "DG01", "DG02", "DG03"}  # Zuidoost's started areas and the target groups


def test_outflow_page_switches_measure():
    at = open_app(check=True, page=OUTFLOW_PAGE)
    at.radio(key="uitstroom_maat").set_value("uitstroom").run()
    at.radio(key="rond_start_maat").set_value("diff").run()
    assert not at.exception
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert "Alle uitstroom per 1.000 in de bijstand, per kwartaal" in titles
    assert "Verandering t.o.v. vóór de start, min die van de vergelijkingsgebieden" in titles


@pytest.fixture
def small_id(tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    record = DatasetStore(tmp_path / "store").publish(small(), name="Klein", description="", published_by="test",
                                                      validation_summary="ok")
    return record.dataset_id


def test_hidden_quarters_read_as_signs_with_their_legend(small_id):
    """tests/unit/pagemodels/test_pagemodel_outflow.py: DX03 has 1 to work in Q4 2020, so the comparison areas' Q3 and
    Q4 are hidden; the raw ratio over April to December is a sum the release can show without giving that 1 back
    (96 / 18.000 against 37 / 19.500); three areas are too few for the DiD."""
    at = open_app(OUTFLOW_PAGE, dataset=small_id, maatregelen_per_maand="true")
    assert not at.exception, [e.value for e in at.exception]
    assert at.toggle(key="maatregelen_per_maand").value, "the toggle follows the link"
    at = open_tables(at, "uitstroom_per_kwartaal")
    assert metrics_by_label(at) == {"Ruwe verhouding cohort t.o.v. elders": "2,8×",
                                    "Uitstroom naar werk: cohort en elders": "5,3 vs 1,9"}
    assert any("Nog niet getoond" in i.value for i in at.info)
    table = pl.from_pandas(chart_table(at, "Uitstroom naar werk per 1.000 in de bijstand, per kwartaal"))
    comparison = table.filter(pl.col("groep") == "Vergelijking")
    assert comparison.get_column("werk_aantal").to_list() == ["57", "27", "×", "×"]
    assert comparison.get_column("werk_per_1000").to_list()[2:] == ["—*", "—*"]
    assert any(note.startswith("× = verborgen") for note in notes(at)), "the signs are explained on the page"
    assert "None" not in str(table.to_dicts())


def test_rollout_page_table(example):
    at = open_tables(open_app(check=True, page=ROLLOUT_PAGE), *ROLLOUT_TABLES)
    assert at.title[0].value == "Uitrol per gebied"
    assert any("7 afgerond, 6 actief, 9 gepland" in m.value for m in at.markdown)
    table = at.dataframe[1].value
    assert table.shape[0] == 25
    assert (table["status"] == "Afgerond").sum() == 7
    assert (table["soort"] == "Doelgroep").sum() == 3
    row = pl.from_pandas(table).filter(pl.col("code") == "DX21").row(0, named=True)
    assert row["status"] == "Afgerond" and row["cohortmaanden"] == 13


def test_rollout_page_follows_filters():
    at = open_tables(open_app(check=True, page=ROLLOUT_PAGE), *ROLLOUT_TABLES)
    at.multiselect(key="stadsdelen").set_value(["Zuidoost"]).run()
    assert not at.exception
    table = at.dataframe[1].value
    assert sorted(table["code"]) == ["DG01", "DG02", "DG03", "DX20", "DX21", "DX22"]
    at.selectbox(key="peildatum").set_value("2020-06").run()
    assert not at.exception
    statuses = dict(zip(at.dataframe[1].value["code"], at.dataframe[1].value["status"], strict=True))
    assert statuses["DX21"] == "Actief" and statuses["DX20"] == "Gepland"
