"""AppTest: a shared link opens the same page, data and numbers; bad links show a notice, never a traceback."""

import pytest
from apptest import PAGES, open_app, rendered_text, share_link
from streamlit.testing.v1 import AppTest
from workbooks import make_workbook

from cohort.pagemodels.common import PageInput
from cohort.pagemodels.overview import overview_model
from cohort.privacy.rules import SuppressionRule
from cohort.selection import Selection, month_end
from cohort.store import DatasetStore
from cohort.workbook.read import read_workbook

IGNORED = "Deze delen van de link zijn genegeerd"


@pytest.fixture
def store(tmp_path, monkeypatch) -> DatasetStore:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    return DatasetStore(tmp_path / "store")


def shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def sidebar_values(at: AppTest) -> dict:
    return {
        "peildatum": at.selectbox(key="peildatum").value, "periode": at.select_slider(key="periode").value,
        "stadsdelen": at.multiselect(key="stadsdelen").value, "eenheden": at.multiselect(key="eenheden").value,
        "doelgroepen": at.toggle(key="doelgroepen").value, "niveau": at.radio(key="niveau").value,
    }


LINK = {"peildatum": "juni 2020", "periode": ["januari 2019", "december 2021"],
        "stadsdelen": ["Nieuw-West", "Zuidoost"], "doelgroepen": "false"}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_applies_the_link(page):
    at = open_app(page, **LINK)
    assert not at.exception, [e.value for e in at.exception]
    # The period is in whole quarters: "december 2021" is the quarter K4 2021, whose option is its first month.
    assert sidebar_values(at) == {
        "peildatum": "2020-06", "periode": ("2019-01", "2021-10"),
        "stadsdelen": ["Nieuw-West", "Zuidoost"], "eenheden": [], "doelgroepen": False, "niveau": "gebied",
    }
    assert not any(IGNORED in w for w in warnings(at))
    link = share_link(at)  # the share control sits at the bottom of the sidebar
    assert "peildatum=juni+2020" in link and "stadsdelen=Nieuw-West&stadsdelen=Zuidoost" in link
    assert "doelgroepen=false" in link and "periode=K1+2019&periode=K4+2021" in link


def expected_tiles(example, peildatum, stadsdelen=()) -> dict[str, str]:
    """The overview's tiles from its page model (tests/unit/pagemodels/test_pagemodel_overview.py works those out by
    hand)."""
    selection = Selection(peildatum=peildatum, first_month=example.first_month, last_month=example.last_month,
                          stadsdelen=stadsdelen)
    model = overview_model(PageInput(example, selection, SuppressionRule()))
    return {t.label: t.value for t in (*model.status_tiles, *model.count_tiles, *model.outflow_tiles)}


def test_peildatum_in_the_link_changes_the_overview(example):
    at = open_app(peildatum="juni 2020")
    expected = expected_tiles(example, month_end(example.first_month.replace(year=2020, month=6)))
    assert shown(at) == expected and expected["Gebieden afgerond"] == "0"
    assert shown(open_app())["Gebieden afgerond"] == "7"


def test_hand_written_month_and_codes_work_too(example):
    at = open_app(peildatum="2020-06", eenheden=["DX01", "DX02"], niveau="stad")
    assert not at.exception
    values = sidebar_values(at)
    assert (values["peildatum"], values["eenheden"], values["niveau"]) == ("2020-06", ["DX01", "DX02"], "stad")
    assert not any(IGNORED in w for w in warnings(at))
    assert "peildatum=juni+2020" in share_link(at), "the share link uses the canonical spelling"


def test_stadsdelen_filter_from_the_link(example):
    at = open_app(stadsdelen=["Nieuw-West", "Zuidoost"])
    expected = expected_tiles(example, month_end(example.first_month.replace(year=2021, month=6)),
                              ("Nieuw-West", "Zuidoost"))
    assert shown(at) == expected and expected["Gebieden afgerond"] == "3"
    assert "Nieuw-West, Zuidoost" in " ".join(rendered_text(c.value) for c in at.caption)


@pytest.mark.parametrize(
    "query",
    [
        {"peildatum": "<script>alert(1)</script>"},
        {"peildatum": "x" * 10_000},
        {"peildatum": ["juni 2020", "juni 2021"]},
        {"peildatum": "2031-01"},
        {"periode": ["januari 2019"]},
        {"niveau": "[klik](javascript:alert(1))"},
        {"gebied": "<img src=x onerror=alert(1)>"},
        {"<b>x</b>": "1"},
    ],
)
def test_hostile_values_are_ignored_with_a_notice(query):
    at = open_app(stadsdelen=["Zuidoost"], **query)
    assert not at.exception, [e.value for e in at.exception]
    notice = next(w for w in warnings(at) if IGNORED in w)
    assert "<" not in notice and "alert" not in notice and len(notice) < 400
    values = sidebar_values(at)
    assert values["stadsdelen"] == ["Zuidoost"], "the rest of the link still applies"
    assert values["peildatum"] == "2021-06" and values["periode"] == ("2018-01", "2022-10")
    link = share_link(at)
    assert "alert" not in link and "xxxx" not in link and "juni+2020" not in link


@pytest.mark.parametrize("bad_id", ["f" * 64, "niet-een-id", "<script>"])
def test_unknown_dataset_shows_notice_and_default(store, bad_id):
    at = open_app(dataset=bad_id)
    assert not at.exception
    assert any("Onbekende dataset" in w for w in warnings(at))
    assert any("Voorbeelddata." in w for w in warnings(at)), "fell back to the example data"
    assert shown(at)["Gebieden afgerond"] == "7"
    assert "dataset" not in at.query_params


def publish_small(store: DatasetStore, name: str = "Evaluatie najaar") -> str:
    dataset = read_workbook(make_workbook()).dataset
    record = store.publish(dataset, name=name, description="", published_by="test", validation_summary="ok")
    return record.dataset_id


def test_published_dataset_opened_by_id_shows_its_numbers(store):
    dataset_id = publish_small(store)
    at = open_app(dataset=dataset_id)
    assert not at.exception, [e.value for e in at.exception]
    assert not any("Voorbeelddata." in w for w in warnings(at)), "published data is not example data"
    # Hand-computed from tests/workbooks.py: peildatum February 2020 (the last month); DX01 runs
    # (Nov 2019 - Oct 2020) with 50 conversations in each of 2 months; DX02 starts in 2021; DX03 never.
    metrics = shown(at)
    assert metrics["Gebieden actief"] == "1"
    assert metrics["Gebieden gepland"] == "1"
    assert metrics["Gesprekken"] == "100"
    assert metrics["Klachten"] == "×"  # 2 complaints: hidden in viewer pages (privacy)
    assert metrics["Stedelijke doelgroepen"] == "1"
    assert any("Evaluatie najaar" in c.value for c in at.caption)
    assert at.query_params["dataset"] == dataset_id, "a valid id stays in the URL"
    assert f"dataset={dataset_id}" in share_link(at)


def test_a_dataset_id_repeated_in_the_link_is_one_value(store):
    dataset_id = publish_small(store)
    at = open_app(dataset=[dataset_id, dataset_id])
    assert not at.exception, [e.value for e in at.exception]
    assert not any("Onbekende dataset" in w for w in warnings(at)), warnings(at)
    # Two different ids are ambiguous: the link is explained and the fallback shown.
    at = open_app(dataset=[dataset_id, "f" * 64])
    assert any("Onbekende dataset" in w for w in warnings(at))


def test_withdrawn_dataset_shows_notice_and_default(store):
    dataset_id = publish_small(store, "Oude evaluatie")
    store.withdraw(dataset_id, by="test", reason="fout in de aanlevering")
    at = open_app(dataset=dataset_id)
    assert not at.exception
    notice = next(w for w in warnings(at) if "ingetrokken" in w)
    assert "Oude evaluatie" in notice and "fout in de aanlevering" in notice
    assert shown(at)["Gebieden afgerond"] == "7", "the example data, not the withdrawn numbers"
    assert "dataset" not in at.query_params


def test_published_example_keeps_its_banner(store, example):
    record = store.publish(example, name="Voorbeeld", description="", published_by="test", validation_summary="ok")
    at = open_app(dataset=record.dataset_id)
    assert not at.exception
    assert any("Voorbeelddata." in w for w in warnings(at))
