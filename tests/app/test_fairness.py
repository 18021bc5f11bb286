"""AppTest: the comparison classes, trends and open-data downloads on the Gebieden, Kaart and Over pages.

The classes themselves are computed by hand in tests/unit/analysis/test_rollout.py and
tests/unit/pagemodels/test_pagemodel_map.py; here the pages lay out the model's variant for the choices in a shared
link (`at.query_params`), and offer the zips.
"""

import pytest
from apptest import open_app

from cohort.pagemodels.common import PageInput
from cohort.pagemodels.rollout import rollout_model
from cohort.pagemodels.rollout import unit_table as whole_unit_table
from cohort.privacy.rules import DEFAULT_RULE
from cohort.selection import default_selection
from cohort.settings import EXAMPLE_WORKBOOK
from cohort.workbook.read import read_workbook

GEBIEDEN = "views/gebieden.py"


pytestmark = pytest.mark.usefixtures("offline")  # tests/app/conftest.py


@pytest.fixture(scope="module")
def example_model():  # the whole unit table for a choice (benchmark, level, spread)
    dataset = read_workbook(EXAMPLE_WORKBOOK).dataset
    page_input = PageInput(dataset, default_selection(dataset), DEFAULT_RULE)
    model = rollout_model(page_input)
    return lambda *choice: whole_unit_table(page_input, model, *choice).table


def unit_table(at):
    return next(df.value for df in at.dataframe if "vergelijking_werk" in df.value.columns)


def downloads(at) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


def test_gebieden_shows_classes_and_trends_for_the_default_choice(example_model):
    at = open_app(GEBIEDEN, check=True)
    assert (at.selectbox(key="maatstaf").value, at.radio(key="betrouwbaarheid").value,
            at.radio(key="spreiding").value) == ("stad", "95", "ja")
    table = unit_table(at)
    expected = example_model("stad", "95", "ja").texts
    for column in ("vergelijking_werk", "vergelijking_klachten", "trend_werk_6", "trend_werk_12"):
        assert list(table[column]) == expected[column].to_list(), column
    assert "Open data van deze weergave (zip)" in downloads(at)
    assert any(e.label == "Hoe we vergelijken en trends bepalen" for e in at.expander)


def test_gebieden_choices_from_a_shared_link(example_model):
    at = open_app(GEBIEDEN, check=True, maatstaf="Zelfde gebied vóór de start", betrouwbaarheid="99,8%",
                  spreiding="Alleen toeval (Poisson)")
    assert at.selectbox(key="maatstaf").value == "voor_start"
    expected = example_model("voor_start", "998", "nee").texts["vergelijking_werk"].to_list()
    assert list(unit_table(at)["vergelijking_werk"]) == expected
    assert len({v for v in expected if v not in ("—", "—*")}) >= 2  # the choice really changes what is shown
    at.selectbox(key="maatstaf").set_value("stad").run()
    assert not at.exception
    assert list(unit_table(at)["vergelijking_werk"]) == \
        example_model("stad", "998", "nee").texts["vergelijking_werk"].to_list()


def test_every_page_offers_its_open_data_and_over_the_whole_dataset():
    for page in ("views/kaart.py", "views/overzicht.py", "views/uitstroom.py", "views/klachten.py"):
        at = open_app(page, check=True)
        assert "Open data van deze weergave (zip)" in downloads(at), page
    at = open_app("views/over.py", check=True)
    assert "De hele dataset als open data (zip)" in downloads(at)
    assert any(h.value == "Open data" for h in at.header)
