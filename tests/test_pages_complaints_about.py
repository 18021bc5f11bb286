"""AppTest: the pages "Klachten en bejegening" and "Over de data" show the core's numbers on the example data."""

import polars as pl
from apptest import metrics_by_label, open_app, open_tables, rendered_text
from streamlit.testing.v1 import AppTest

from cohort.complaints import city_rate, complaint_window, complaints_by_period
from cohort.docs_text import contract_table
from cohort.fmt import fmt_dec, fmt_int
from cohort.metrics import with_phase
from cohort.overview import letter_headline
from cohort.selection import apply_selection, default_selection

COMPLAINTS = "views/klachten.py"
ABOUT = "views/over.py"


def expander(at: AppTest, starts_with: str):
    matches = [e for e in at.expander if rendered_text(e.label).startswith(starts_with)]
    assert matches, [rendered_text(e.label) for e in at.expander]
    return matches[0]


def test_complaints_page_shows_the_letters_numbers(example):
    at = open_app(check=True, page=COMPLAINTS)
    assert at.title[0].value == "Klachten en bejegening"
    headline = letter_headline(example)  # the core's number for areas up to June 2021
    shown = metrics_by_label(at)
    assert shown["Klachten"] == "30" == fmt_int(headline.complaints)
    assert shown["Gesprekken"] == fmt_int(headline.conversations)
    assert shown["Klachten per 1.000 gesprekken"] == fmt_dec(headline.complaint_rate.rate, 2) == "2,27"
    assert any("juni 2021" in m.value for m in at.markdown)
    assert any("ondergrens van ontevredenheid" in i.value.lower() or "ondergrens" in i.value for i in at.info)
    assert any(w.value.startswith("**Kleine aantallen:**") for w in at.warning)
    # on the example data no area lies above the 99,8% limit
    assert any("opvallend hoog" in s.value for s in at.success)


def test_grain_control_changes_the_periods(example):
    at = open_app(check=True, page=COMPLAINTS)
    assert at.radio(key="klachten_periode").value == "kwartaal"
    selection = default_selection(example)
    units, monthly = apply_selection(example, selection)
    first, last = complaint_window(selection)
    phased = with_phase(monthly, units).filter(pl.col("maand").is_between(first, last))
    for grain in ("jaar", "halfjaar"):
        at.session_state[f"cijfers_klachten_per_{grain}"] = True
        at.radio(key="klachten_periode").set_value(grain).run()
        assert not at.exception
        expected = complaints_by_period(phased, grain).filter(pl.col("gesprekken") > 0)
        table = expander(at, "Cijfers bij deze grafiek: Klachten per 1.000 gesprekken per").dataframe[0].value
        assert list(table["periode_label"]) == expected.get_column("periode_label").to_list()
        # texts: a hidden cell must read as a sign, never as a number (cohort.privacy)
        assert list(table["gesprekken"]) == [fmt_int(v) for v in expected.get_column("gesprekken").to_list()]
    assert list(table["periode_label"])[-1] == "H1 2021"


def test_level_filter_switches_the_funnel(example):
    at = open_tables(open_app(check=True, page=COMPLAINTS), "klachten_trechter_gebied", "klachten_trechter_stadsdeel")
    funnel = expander(at, "Cijfers bij deze grafiek: Trechterplot").dataframe[0].value
    assert len(funnel) == 16  # units with conversations up to June 2021 (13 areas + 3 target groups)
    at.radio(key="niveau").set_value("stadsdeel").run()
    assert not at.exception
    funnel = expander(at, "Cijfers bij deze grafiek: Trechterplot").dataframe[0].value
    assert set(funnel["eenheid"]) <= set(example.stadsdelen)
    # the stadsdelen add up to the city total; groups not added
    assert sum(int(v.replace(".", "")) for v in funnel["gesprekken"]) == 13_240
    at.radio(key="niveau").set_value("stad").run()
    assert not at.exception
    assert any("niveau Gebied of Stadsdeel" in i.value for i in at.info)


def test_complaints_tile_equals_core_rate(example):
    at = open_app(check=True, page=COMPLAINTS)
    selection = default_selection(example)
    units, monthly = apply_selection(example, selection)
    first, last = complaint_window(selection)
    rate = city_rate(with_phase(monthly, units).filter(pl.col("maand").is_between(first, last)))
    assert metrics_by_label(at)["Klachten per 1.000 gesprekken"] == fmt_dec(rate.rate, 2)


def test_about_page_shows_contract_and_metadata(example):
    at = open_app(check=True, page=ABOUT)
    assert at.title[0].value == "Over de data"
    texts = [t.value for t in at.text]
    assert "Voorbeelddata Cohortaanpak" in texts
    assert fmt_int(len(example.months)) in texts
    assert "januari 2018" in texts and "december 2022" in texts
    assert "22" in texts and "3" in texts
    headers = [h.value for h in at.header]
    for heading in ("Deze dataset", "Begrippen", "Kleine aantallen", "Het aanleverformaat", "Bronnen",
                    "Hoe we rekenen"):
        assert heading in headers
    (contract,) = at.table
    assert list(contract.value["Kolom"]) == contract_table().get_column("kolom").to_list()
    assert "opmerkingen" in texts and "2021-06-30" in texts  # the toelichting sheet
    body = " ".join(m.value for m in at.markdown)
    assert "De trechterplot" in body and "Zwartboek" in body and "6 juli 2021" in body
    assert "‘<5’" in body
