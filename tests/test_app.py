"""AppTest: every page runs without exception on the example data and shows the core's numbers."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cohort.contract import Status
from cohort.fmt import fmt_dec, fmt_int, fmt_ratio
from cohort.overview import compute_headline
from cohort.selection import LETTER_PEILDATUM
from cohort.settings import EXAMPLE_WORKBOOK, PROJECT_ROOT
from cohort.workbook.read import read_workbook

APP = str(PROJECT_ROOT / "app.py")
PAGES = sorted(str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "views").glob("*.py"))


@pytest.fixture(scope="module")
def example():
    return read_workbook(Path(EXAMPLE_WORKBOOK)).dataset


def run_page(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(page):
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} has no title"


def metrics_by_label(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_shows_core_numbers(example):
    at = run_page()
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
    at = run_page()
    at.selectbox(key="peildatum").set_value("2020-06").run()
    assert not at.exception
    shown = metrics_by_label(at)
    # On 30 June 2020 none of the areas had finished yet (the first cohorts ran about a year).
    assert int(shown["Gebieden afgerond"]) < 7
