"""AppTest: every page runs without exception on the example data and shows the core's numbers."""

import pytest
from apptest import PAGES, metrics_by_label, open_app

from cohort.contract import Status
from cohort.fmt import fmt_dec, fmt_int, fmt_ratio
from cohort.overview import compute_headline
from cohort.selection import LETTER_PEILDATUM


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(page):
    at = open_app(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} has no title"


def test_overview_shows_core_numbers(example):
    at = open_app()
    assert not at.exception
    headline = compute_headline(example.units, example.monthly, LETTER_PEILDATUM, example.first_month)
    shown = metrics_by_label(at)
    assert shown["Gebieden afgerond"] == "7" == fmt_int(headline.area_status[Status.FINISHED])
    assert shown["Gebieden actief"] == "6"
    assert shown["Gebieden gepland"] == "9"
    assert shown["Stedelijke doelgroepen"] == "3"
    assert shown["Gesprekken"] == fmt_int(headline.conversations)
    assert shown["Klachten"] == "30"
    assert shown["Klachten per 1.000 gesprekken"] == fmt_dec(headline.complaint_rate.rate, 2)
    assert shown["Uitstroomfactor werk"] == fmt_ratio(headline.outflow.ratio)
    assert any("Voorbeelddata" in w.value for w in at.warning), "example data must be labelled"


def test_overview_follows_peildatum():
    at = open_app()
    at.selectbox(key="peildatum").set_value("2020-06").run()
    assert not at.exception
    shown = metrics_by_label(at)
    # On 30 June 2020 none of the areas had finished yet (the first cohorts ran about a year).
    assert int(shown["Gebieden afgerond"]) < 7
