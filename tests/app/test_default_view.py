"""A dataset opens on its own peildatum (issue 13, item 1), and the page says which one it is."""

from __future__ import annotations

from datetime import datetime

import pytest
from apptest import open_app
from workbooks import UNIT_HEADER, make_workbook

from cohort.store import DatasetStore
from cohort.workbook.read import read_workbook


@pytest.fixture
def store(tmp_path, monkeypatch) -> DatasetStore:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    return DatasetStore(tmp_path / "store")


def workbook_2021_2023(peildatum: str | None) -> bytes:
    """Two areas (2022 division codes), January 2021 to December 2023; a `toelichting` with a peildatum or not."""
    units = [["GA01", "Burgwallen", "gebied", "Centrum", datetime(2021, 3, 1), datetime(2022, 2, 28)],
             ["GE01", "Westerpark", "gebied", "West", datetime(2023, 1, 1), None]]
    monthly = []
    for year in (2021, 2022, 2023):
        for month in range(1, 13):
            for code in ("GA01", "GE01"):
                monthly.append([datetime(year, month, 1), code, 1000, 40, 30, 12, 0, 0, 0, 0])
    notes = {"toelichting": [["sleutel", "waarde"], ["peildatum", peildatum]]} if peildatum else None
    return make_workbook(units, monthly, unit_header=UNIT_HEADER, extra_sheets=notes)


def publish(store: DatasetStore, content: bytes) -> str:
    dataset = read_workbook(content).dataset
    return store.publish(dataset, name="Evaluatie 2021-2023", description="", published_by="test",
                         validation_summary="ok").dataset_id


def captions(at) -> list[str]:
    return [c.value for c in at.sidebar.caption]


def test_without_a_named_peildatum_the_last_month_is_the_default(store):
    at = open_app(dataset=publish(store, workbook_2021_2023(None)), check=True)
    assert at.selectbox(key="peildatum").value == "2023-12"
    assert any("laatste maand met cijfers (december 2023)" in c for c in captions(at))
    assert {m.label: m.value for m in at.metric}["Gebieden afgerond"] == "1"


def test_a_named_peildatum_is_the_default_moved_to_the_end_of_its_quarter(store):
    at = open_app(dataset=publish(store, workbook_2021_2023("2022-05-15")), check=True)
    assert at.selectbox(key="peildatum").value == "2022-03"
    assert any("noemt peildatum mei 2022" in c and "maart 2022" in c for c in captions(at))


def test_a_link_still_pins_its_own_peildatum(store):
    dataset_id = publish(store, workbook_2021_2023("2022-06-30"))
    at = open_app(dataset=dataset_id, peildatum="september 2021", check=True)
    assert at.selectbox(key="peildatum").value == "2021-09"
