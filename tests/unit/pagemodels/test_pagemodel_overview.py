"""The page model of the overview on the hand-made datasets of tests/outflow_data.py and on the example data.

Small dataset, peildatum December 2020:
- Status: DX01 finished (30 September), DX02 active, DX03 never: 1 finished, 1 active, 0 planned, of 3 areas.
- Conversations: DX01 6 × 50 + DX02 6 × 40 = 540. Complaints (whole half years: January–December 2020): DX01 5 +
  DX02 5 = 10, 10 / 540 × 1,000 = 18,52, exact Poisson for 10 (4,7954–18,3904) / 0,54 = 8,88–34,06.
- Target group DG01: 12 × 30 = 360 conversations, 1 complaint (hidden: "×", explained in the tile itself).
- Outflow: the raw ratio rests on a hidden comparison count ("—*", see test_pagemodel_outflow); three areas are
  too few for the difference-in-differences.
- The data do not reach June 2021, so the letter of 6 July 2021 cannot be set beside them.

Peildatum September 2020: conversations January–September (300 + 3 × 40 = 420), but complaints only over the
first half year (the last whole half year): DX01 2 (April and May), hidden, and so is its rate.

Example data, default view (June 2021): the calibration of tests/unit/workbook/test_example.py, read through the page.
"""

from __future__ import annotations

from datetime import date

import pytest
from attacker import collect_counts
from outflow_data import small, staggered

from cohort.pagemodels.common import PageInput
from cohort.pagemodels.overview import overview_model
from cohort.privacy.rules import SuppressionRule
from cohort.selection import Selection, default_selection

RULE = SuppressionRule()


def tiles(model) -> dict:
    return {t.label: t for t in (*model.status_tiles, *model.count_tiles, *model.outflow_tiles)}


@pytest.fixture(scope="module")
def dataset():
    return small()


@pytest.fixture(scope="module")
def model(dataset):
    return overview_model(PageInput(dataset, default_selection(dataset), RULE))


def test_status_and_counts_by_hand(model):
    shown = tiles(model)
    assert [shown[k].value for k in ("Gebieden afgerond", "Gebieden actief", "Gebieden gepland")] == ["1", "1", "0"]
    assert shown["Gebieden afgerond"].definition.startswith("Van 3 gebieden")
    assert shown["Gesprekken"].value == "540"
    assert shown["Klachten"].value == "10"
    assert shown["Klachten per 1.000 gesprekken"].value == "18,52"
    assert "95%-interval 8,88 – 34,06" in shown["Klachten per 1.000 gesprekken"].definition
    assert "Gesprekken en klachten geteld over januari 2020 tot en met december 2020" in model.situation


def test_a_sign_is_explained_where_it_appears(model):
    group = tiles(model)["Stedelijke doelgroepen"]
    assert group.value == "1"
    assert group.definition.startswith("360 gesprekken, × klachten; niet opgeteld bij de gebieden. × = verborgen:")
    assert any(note.startswith("× = verborgen") for note in model.tile_notes)


def test_outflow_side_by_side_with_missing(model):
    raw, fair = model.outflow_tiles
    # (96 / 18.000) / (37 / 19.500): the same raw comparison as on Uitstroom (test_pagemodel_outflow)
    assert (raw.label, raw.value) == ("Uitstroomfactor werk, ruw", "2,8×")
    assert "5,3 vs 1,9 per 1.000 per maand, april 2020 tot en met december 2020" in raw.definition
    assert (fair.label, fair.value) == ("Uitstroomfactor werk, eerlijker", "—")
    assert "2 gestarte en 2 vergelijkingsgebieden" in fair.definition
    assert model.outflow_sentence is None, "no sentence on a raw factor without its fair counterpart"
    assert model.outflow_notes == (), "nothing hidden in these tiles: no legend of signs"
    assert model.chart is not None and model.chart.table.file_stem == "uitstroom_per_kwartaal"


def test_letter_needs_june_2021(model):
    assert model.letter == ()
    assert "bevat juni 2021 niet" in model.letter_notice.text


def test_complaints_on_their_own_half_years(dataset):
    september = Selection(date(2020, 9, 30), date(2020, 1, 1), date(2020, 12, 1))
    model = overview_model(PageInput(dataset, september, RULE))
    shown = tiles(model)
    assert shown["Gesprekken"].value == "420"
    assert shown["Klachten"].value == "×"  # DX01's 2 in the first half year
    assert shown["Klachten"].definition.startswith("× = verborgen")
    assert "januari 2020 tot en met juni 2020 (hele halve jaren" in shown["Klachten"].definition
    assert shown["Klachten per 1.000 gesprekken"].value == "—*"
    assert shown["Klachten per 1.000 gesprekken"].definition.startswith("—* = verborgen")
    assert "klachten over januari 2020 tot en met juni 2020" in model.situation
    assert "(klachten t/m juni 2020)" in shown["Stedelijke doelgroepen"].definition
    assert model.tile_notes


def test_released_lists_every_count_the_model_shows(model):
    released = {c.query for c in model.released}
    assert {c.query for c in collect_counts(model) if c.query is not None} <= released
    measures = {c.query.measure for c in model.released}
    assert {"gesprekken", "klachten", "uitstroom_werk", "bijstand"} <= measures


def test_raw_and_fair_agree_when_the_effect_is_all_there_is():
    data = staggered(5)
    model = overview_model(PageInput(data, default_selection(data), RULE))
    raw, fair = model.outflow_tiles
    assert (raw.value, fair.value) == ("1,4×", "1,4×")
    assert "14,0 vs 10,0 per 1.000 per maand, april 2020 tot en met december 2020" in raw.definition
    assert model.outflow_sentence.startswith("Ruw is de uitstroom naar werk waar het cohort liep 1,4× zo hoog")
    assert "overschat het effect hier niet" in model.outflow_sentence
    assert model.outflow_notes == ()


def test_example_data_calibration_through_the_page(example):
    model = overview_model(PageInput(example, default_selection(example), RULE))
    shown = tiles(model)
    assert [shown[k].value for k in ("Gebieden afgerond", "Gebieden actief", "Gebieden gepland")] == ["7", "6", "9"]
    assert (shown["Gesprekken"].value, shown["Klachten"].value) == ("13.240", "30")
    assert shown["Klachten per 1.000 gesprekken"].value == "2,27"
    raw, fair = model.outflow_tiles
    assert (raw.value, fair.value) == ("2,0×", "1,5×")  # "dubbel zo hoog", of which about 1,5× a true effect
    assert "2,0×" in model.outflow_sentence and "1,5×" in model.outflow_sentence
    status, outflow, complaints, exemptions = model.letter
    assert status.data == "Op juni 2021: 7 gebieden afgerond, 6 actief, 9 gepland."
    assert "ruw 2,0×" in outflow.data and "verschil-in-verschillen): 1,5×" in outflow.data
    assert complaints.data.startswith("Januari 2018 tot en met juni 2021: 30 klachten op 13.240 gesprekken, 2,27")
    assert exemptions.data.startswith("1.233 personen met een ontheffing van 44.980 in de bijstand, eind juni 2021")
    # The letter is all areas whatever the filter.
    zuidoost = overview_model(PageInput(example, Selection(date(2021, 6, 30), example.first_month,
                                                           example.last_month, stadsdelen=("Zuidoost",)), RULE))
    assert zuidoost.letter == model.letter
    assert tiles(zuidoost)["Gebieden afgerond"].value != "7"
