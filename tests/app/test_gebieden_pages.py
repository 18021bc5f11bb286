"""The Gebieden page's unit table in pages of 50 rows, each made when it is looked at (issue 20, item 8).

120 areas A001–A120 in Noord, all started 1 July 2019, July 2019 to June 2020 (four quarters, the window). Area i
has 1.000 persons on welfare and 50 + i conversations each month, no complaints; outflow to work is 10 a month in
A001–A100 and 10 + 2·m in A101–A120 (m = 0 in July 2019 … 11 in June 2020: 36, 54, 72, 90 per quarter).
The table is sorted by start and then code, so page 1 is A001–A050, page 3 A101–A120.

By hand, against the city (Poisson only): all areas together 100 · 120 + 20 · 252 = 17.040 to work on
120 · 12.000 person-months, 11,83 per 1.000 per month. A001: 120 / 12.000 = 10,0, exact 95% interval
8,29 – 11,96, which holds 11,83: "Niet te onderscheiden". A101: 252 / 12.000 = 21,0 (18,5 – 23,8; at 99,8%
17,7 – 25,0): higher, also at 99,8%. Trends per quarter: A001's 30, 30, 30, 30 do not change; A101's
36, 54, 72, 90 rise (12 months), and 72 → 90 over the last two quarters (6 months) is no significant change.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

import polars as pl
import pytest
from apptest import open_app
from streamlit.runtime.media_file_manager import MediaFileManager

from cohort.dataset import MONTHLY_BASE_SCHEMA, UNITS_SCHEMA, Dataset, DatasetMeta
from cohort.store import DatasetStore

GEBIEDEN = "views/gebieden.py"
MONTHS = [date(2019 + (6 + m) // 12, (6 + m) % 12 + 1, 1) for m in range(12)]
pytestmark = pytest.mark.usefixtures("offline")  # tests/app/conftest.py


def many_areas() -> Dataset:
    codes = [f"A{i:03d}" for i in range(1, 121)]
    units = pl.DataFrame({"code": codes, "naam": [f"Gebied {c}" for c in codes], "soort": ["gebied"] * 120,
                          "stadsdeel": ["Noord"] * 120, "start": [date(2019, 7, 1)] * 120, "eind": [None] * 120},
                         schema=UNITS_SCHEMA)
    rows = [{"maand": month, "code": code, "bijstand": 1000, "gesprekken": 50 + i, "uitstroom": 40,
             "uitstroom_werk": 10 if i <= 100 else 10 + 2 * m, "klachten_bejegening": 0,
             "klachten_bereikbaarheid": 0, "klachten_koers": 0, "klachten_overig": 0}
            for i, code in enumerate(codes, start=1) for m, month in enumerate(MONTHS)]
    return Dataset(units, pl.DataFrame(rows, schema=MONTHLY_BASE_SCHEMA),
                   DatasetMeta(name="Honderdtwintig gebieden", version="gebieden-120"))


@pytest.fixture
def many_id(tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    record = DatasetStore(tmp_path / "store").publish(many_areas(), name="Honderdtwintig gebieden", description="",
                                                      published_by="test", validation_summary="ok")
    return record.dataset_id


def unit_table(at):
    return pl.from_pandas(next(df.value for df in at.dataframe if "vergelijking_werk" in df.value.columns))


def row(table: pl.DataFrame, code: str) -> dict:
    return table.filter(pl.col("code") == code).row(0, named=True)


def test_the_unit_table_is_shown_fifty_rows_at_a_time(many_id):
    at = open_app(GEBIEDEN, check=True, dataset=many_id, spreiding="Alleen toeval (Poisson)")
    pages = at.selectbox(key="pagina")
    assert pages.options == ["1", "2", "3"] and pages.value == 1
    table = unit_table(at)
    assert table["code"].to_list() == [f"A{i:03d}" for i in range(1, 51)]
    assert "Rijen 1 tot en met 50 van 120." in " ".join(c.value for c in at.caption)
    first = row(table, "A001")
    assert (first["gesprekken"], first["werk_per_1000"]) == (612, 10.0)  # 12 · 51; 120 / 12.000
    assert first["vergelijking_werk"] == "Niet te onderscheiden"
    assert first["trend_werk_12"] == first["trend_werk_6"] == "geen significante verandering"

    pages.set_value(3).run()
    assert not at.exception
    table = unit_table(at)
    assert table["code"].to_list() == [f"A{i:03d}" for i in range(101, 121)]
    assert "Rijen 101 tot en met 120 van 120." in " ".join(c.value for c in at.caption)
    rising = row(table, "A101")
    assert (rising["gesprekken"], rising["werk_per_1000"]) == (1812, 21.0)  # 12 · 151; 252 / 12.000
    assert rising["vergelijking_werk"] == "Hoger (ook bij 99,8%)"
    assert (rising["trend_werk_12"], rising["trend_werk_6"]) == ("↑ stijgend", "geen significante verandering")
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Download CSV", "Download Excel", "Open data van deze weergave (zip)"} <= set(labels)


def test_a_link_opens_its_page_and_a_new_choice_makes_only_that_comparison(many_id):
    at = open_app(GEBIEDEN, check=True, dataset=many_id, pagina="2", spreiding="Alleen toeval (Poisson)")
    assert at.selectbox(key="pagina").value == 2
    assert unit_table(at)["code"].to_list() == [f"A{i:03d}" for i in range(51, 101)]
    # Against the area itself before its start: every area started in the first month, so there is nothing before.
    at.selectbox(key="maatstaf").set_value("voor_start").run()
    assert not at.exception and at.selectbox(key="pagina").value == 2
    table = unit_table(at)
    assert table["code"].to_list() == [f"A{i:03d}" for i in range(51, 101)]
    assert set(table["vergelijking_werk"].to_list()) == {"—"}
    assert set(table["trend_werk_12"].to_list()) == {"geen significante verandering"}


def test_the_example_data_fit_on_one_page():
    at = open_app(GEBIEDEN, check=True)
    assert not any(s.key == "pagina" for s in at.selectbox)
    assert len(unit_table(at)) == 25


def test_the_downloads_hold_every_row_of_the_chosen_comparison(many_id, monkeypatch):
    """The table shows page 3; its CSV and the view's zip, made when clicked (Streamlit calls the download's
    callable in a thread of its own, after the run), hold all 120 rows, with the classes of the choice."""
    made = {}
    original = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    at = open_app(GEBIEDEN, check=True, dataset=many_id, pagina="3", spreiding="Alleen toeval (Poisson)")
    assert len(unit_table(at)) == 20
    csv = made["eenheden_op_peildatum_stad_95_poisson.csv"]()
    frame = pl.read_csv(io.BytesIO(csv.removeprefix("\ufeff".encode())), separator=";", infer_schema=False)
    assert frame.height == 120 and frame["Code"].to_list() == [f"A{i:03d}" for i in range(1, 121)]
    assert frame.filter(pl.col("Code") == "A101")["Uitstroom t.o.v. stad"].to_list() == ["Hoger (ook bij 99,8%)"]
    assert frame.filter(pl.col("Code") == "A001")["Gesprekken"].to_list() == ["612"]
    with zipfile.ZipFile(io.BytesIO(made["cohortmonitor_gebieden.zip"]())) as archive:
        units = pl.read_parquet(io.BytesIO(archive.read("eenheden_op_peildatum_stad_95_poisson.parquet")))
    assert units.height == 120
