"""AppTest: every page runs without exception on the example data and shows the core's numbers."""

import pytest
from apptest import PAGES, metrics_by_label, open_app
from streamlit.testing.v1 import AppTest

from cohort.pagemodels.common import PageInput
from cohort.pagemodels.overview import overview_model
from cohort.privacy.rules import SuppressionRule
from cohort.selection import default_selection


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(page):
    at = open_app(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} has no title"


def test_overview_shows_core_numbers(example):
    at = open_app()
    assert not at.exception
    model = overview_model(PageInput(example, default_selection(example), SuppressionRule()))
    shown = metrics_by_label(at)
    assert shown == {t.label: t.value for t in (*model.status_tiles, *model.count_tiles, *model.outflow_tiles)}
    # The calibration of the example data (tests/unit/workbook/test_example.py), through the page.
    assert (shown["Gebieden afgerond"], shown["Gebieden actief"], shown["Gebieden gepland"]) == ("7", "6", "9")
    assert shown["Stedelijke doelgroepen"] == "3"
    assert (shown["Gesprekken"], shown["Klachten"], shown["Klachten per 1.000 gesprekken"]) == ("13.240", "30",
                                                                                                "2,27")
    assert (shown["Uitstroomfactor werk, ruw"], shown["Uitstroomfactor werk, eerlijker"]) == ("2,0×", "1,5×")
    assert any(m.value == model.outflow_sentence for m in at.markdown), "one sentence on what the gap means"
    # "2.045 gesprekken, × klachten" says what × means right there, and under the tiles.
    assert any(c.value.startswith("2.045 gesprekken, × klachten") and "× = verborgen" in c.value for c in at.caption)
    assert any("Voorbeelddata" in w.value for w in at.warning), "example data must be labelled"


def test_overview_follows_peildatum():
    at = open_app()
    at.selectbox(key="peildatum").set_value("2020-06").run()
    assert not at.exception
    shown = metrics_by_label(at)
    # On 30 June 2020 none of the areas had finished yet (the first cohorts ran about a year).
    assert int(shown["Gebieden afgerond"]) < 7


def test_overview_sets_the_letter_beside_the_data_in_one_table(example):
    at = open_app()
    model = overview_model(PageInput(example, default_selection(example), SuppressionRule()))
    [table] = [m.value for m in at.markdown if m.value.startswith("| Raadsbrief |")]
    lines = table.splitlines()
    assert lines[:2] == ["| Raadsbrief | Wat de data zeggen | Kanttekening |", "| --- | --- | --- |"]
    # One row per claim, in the model's order: the letter's words, then the data, then the caveat.
    assert len(lines) == 2 + len(model.letter) == 6
    for line, claim in zip(lines[2:], model.letter, strict=True):
        assert line == f"| *{claim.claim}* | {claim.data} | {claim.note} |"
    assert "30 klachten" in lines[4] and "× klachten" not in lines[4]


def _text_table_script():
    from cohort.ui.models import show_text_table

    show_text_table(("Wat | zei", "Data"), [("regel een\nregel twee", "a|b")])


def test_a_text_table_keeps_every_sentence_in_its_own_cell():
    at = AppTest.from_function(_text_table_script).run()
    # A "|" would end a cell and a line break the table: escaped and joined, the text reads as it was written.
    assert at.markdown[0].value == "| Wat \\| zei | Data |\n| --- | --- |\n| regel een regel twee | a\\|b |"
