"""Small numbers on the viewer pages (AVG): nothing from 1 to 4 readable or derivable, also not via downloads.

The dataset, by hand (January and February 2020, every unit started in November 2019, 100 talks a month each):

    unit                      stadsdeel  complaints (jan + feb)   talks
    DX01 Centrum-West         Centrum    1 + 1 = 2                200
    DX02 Centrum-Oost         Centrum    3 + 4 = 7                200
    DX03 Westerpark           West       3 + 3 = 6                200
    DX04 Bos en Lommer        West       4 + 5 = 9                200
    DG01 Jongeren             (city)     2 + 3 = 5                200

Totals: Centrum 9, West 15, city (areas) 24 on 800 talks, target groups 5. Every complaint is "bejegening".

Protection: DX01 (2) is small and hidden. Centrum's total 9 is shown (stadsdeel level), so 9 − 7 would give
DX01 back: the smallest visible non-zero part of Centrum, DX02 (7), is hidden too. Then Centrum reads
DX01 + DX02 = 9 with both at least 1: DX01 can be anything from 2 to 8, i.e. every value 1..4 is still possible
as far as the reader can tell (9 − 1 − (2 − 1) = 7 ≥ 4). West, the city and the single quarter are safe.
Rates: DX01 2/200 × 1.000 = 10,00 and DX02 35,00 are hidden ("—*"); DX03 30,00 and DX04 45,00 shown.
"""

from datetime import datetime

import pandas as pd
import polars as pl
import pytest
from apptest import notes, rendered_text
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest
from workbooks import make_workbook

from cohort.pagemodels.common import PageInput
from cohort.pagemodels.complaints import ComplaintsModel, complaints_model
from cohort.pagemodels.rollout import rollout_model, unit_table
from cohort.privacy.rules import DEFAULT_RULE, SuppressionRule, disabled_banner_nl
from cohort.selection import default_selection
from cohort.settings import PROJECT_ROOT
from cohort.store import DatasetStore
from cohort.workbook.read import read_workbook

APP = str(PROJECT_ROOT / "app.py")
COMPLAINTS, AREAS, OVERVIEW, MAP = "views/klachten.py", "views/gebieden.py", "views/overzicht.py", "views/kaart.py"
OFF = SuppressionRule(enabled=False)

UNITS = [
    ["DX01", "Centrum-West", "gebied", "Centrum", datetime(2019, 11, 1), None],
    ["DX02", "Centrum-Oost", "gebied", "Centrum", datetime(2019, 11, 1), None],
    ["DX03", "Westerpark", "gebied", "West", datetime(2019, 11, 1), None],
    ["DX04", "Bos en Lommer", "gebied", "West", datetime(2019, 11, 1), None],
    ["DG01", "Jongeren", "doelgroep", None, datetime(2019, 11, 1), None],
]
COMPLAINTS_PER_MONTH = {"DX01": (1, 1), "DX02": (3, 4), "DX03": (3, 3), "DX04": (4, 5), "DG01": (2, 3)}


def monthly_rows() -> list[list]:
    rows = []
    for index, month in enumerate((datetime(2020, 1, 1), datetime(2020, 2, 1))):
        for code, counts in COMPLAINTS_PER_MONTH.items():
            rows.append([month, code, 1000, 100, 20, 10, counts[index], 0, 0, 0])
    return rows


@pytest.fixture(scope="module")
def dataset():
    return read_workbook(make_workbook(UNITS, monthly_rows())).dataset


def model(dataset, rule=DEFAULT_RULE) -> ComplaintsModel:
    return complaints_model(PageInput(dataset, default_selection(dataset), rule))


def funnel_rows(dataset, level: str = "gebied", rule=DEFAULT_RULE) -> dict[str, dict[str, str]]:
    """The funnel's table as shown and downloaded (texts), per unit name."""
    table = model(dataset, rule).funnel(level=level).chart.table
    return {row["eenheid"]: row for row in table.texts.iter_rows(named=True)}


def hidden_complaints(dataset, rule=DEFAULT_RULE) -> pl.DataFrame:
    """Per unit: is its complaint count hidden in the release (what the Gebieden table must hide too)."""
    page = PageInput(dataset, default_selection(dataset), rule)
    codes = dataset.units.get_column("code").to_list()
    return pl.DataFrame({"code": codes, "klachten_verborgen": [
        page.count("klachten", [code], page.window("klachten")).hidden for code in codes]})


def by_name(frame: pl.DataFrame, column: str, key: str = "eenheid") -> dict:
    return dict(zip(frame.get_column(key).to_list(), frame.get_column(column).to_list(), strict=True))


# --- Frame builders (tables and downloads) ----------------------------------------------------------------------


def test_unit_counts_hidden_with_their_complement(dataset):
    units = funnel_rows(dataset)
    assert {name: row["klachten"] for name, row in units.items()} == {
        "Centrum-West": "×", "Centrum-Oost": "×", "Westerpark": "6", "Bos en Lommer": "9", "Jongeren": "5"}
    assert {name: row["per_1000"] for name, row in units.items()} == {
        "Centrum-West": "—*", "Centrum-Oost": "—*", "Westerpark": "30,00", "Bos en Lommer": "45,00",
        "Jongeren": "25,00"}
    values = model(dataset).funnel().chart.table.values.filter(pl.col("eenheid") == "Centrum-West").row(0, named=True)
    for column in ("klachten", "per_1000", "ondergrens", "bovengrens", "grens_95_boven", "kans_boven_95"):
        assert values[column] is None  # null in the data, not only in the text: a bound alone gives the count back


def test_totals_shown_and_nothing_derivable(dataset):
    page = model(dataset)
    assert {name: row["klachten"] for name, row in funnel_rows(dataset, "stadsdeel").items()} == {
        "Centrum": "9", "West": "15"}
    assert {t.label: t.value for t in page.tiles}["Klachten"] == "24"
    assert "Stedelijke doelgroepen apart: 5 klachten op 200 gesprekken." in page.tiles[3].definition
    (half_year,) = page.over_time("halfjaar").chart.table.texts.get_column("klachten").to_list()
    assert half_year == "24"
    # Centrum: 9 − (shown parts: none) = DX01 + DX02; with both ≥ 1 DX01 can still be 1, 2, 3 or 4.
    assert page.funnel().left_out == ("Centrum-Oost", "Centrum-West")
    assert not any(c.shown and 1 <= (c.value or 0) <= 4 for c in page.released)


def test_download_frame_of_the_funnel_is_suppressed(dataset):
    frame = model(dataset).funnel().chart.table.download_frame()
    row = frame.filter(pl.col("Gebied of doelgroep") == "Centrum-West").row(0, named=True)
    assert row["Klachten"] == "×"
    assert row["Per 1.000 gesprekken"] == row["95%-interval onder"] == row["95%-interval boven"] == "—*"
    assert "2" not in row.values() and "10,00" not in row.values()
    assert frame.filter(pl.col("Gebied of doelgroep") == "Westerpark").row(0, named=True)["Klachten"] == "6"


def test_rule_disabled_shows_everything(dataset):
    units = funnel_rows(dataset, rule=OFF)
    assert units["Centrum-West"]["klachten"] == "2"
    assert units["Centrum-West"]["per_1000"] == "10,00"
    assert not model(dataset, OFF).funnel().left_out


def test_rollout_table_and_download_suppressed(dataset):
    """The Gebieden table hides exactly what the release hides (the same cells as the funnel), in the data
    and in the download."""
    viewer = PageInput(dataset, default_selection(dataset), DEFAULT_RULE)
    table = unit_table(viewer, rollout_model(viewer)).table
    safe = table.values
    assert by_name(safe, "klachten", "code") == {"DX01": None, "DX02": None, "DX03": 6, "DX04": 9, "DG01": 5}
    assert by_name(safe, "klachten_per_1000", "code")["DX01"] is None
    hidden = by_name(hidden_complaints(dataset), "klachten_verborgen", "code")
    assert [code for code, is_hidden in hidden.items() if is_hidden] == ["DX01", "DX02"]
    download = table.download_frame()
    assert by_name(download, "Klachten", "Code")["DX01"] == "×"
    assert by_name(download, "Klachten per 1.000 gesprekken", "Code")["DX01"] == "—*"
    evaluator = PageInput(dataset, default_selection(dataset), OFF)
    plain = unit_table(evaluator, rollout_model(evaluator)).table.values
    assert by_name(plain, "klachten", "code")["DX01"] == 2


# --- Pages (AppTest) --------------------------------------------------------------------------------------------


@pytest.fixture
def published(dataset, tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    record = DatasetStore(tmp_path / "store").publish(dataset, name="Klein", description="", published_by="test",
                                                      validation_summary="ok")
    return record.dataset_id


def open_page(page: str, dataset_id: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["dataset"] = dataset_id
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def funnel_table(at: AppTest):
    """The funnel's table as the viewer reads it (display texts, not the numbers behind them)."""
    at.session_state["cijfers_klachten_trechter_gebied"] = True  # tables are built only when opened
    at.run()
    label = "Cijfers bij deze grafiek: Trechterplot"
    (expander,) = [e for e in at.expander if rendered_text(e.label).startswith(label)]
    styler = expander.dataframe[0].proto.arrow_data.styler
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(styler.display_values)
    return shown.set_index("eenheid")


def banners(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_complaints_page_hides_the_small_unit(published):
    at = open_page(COMPLAINTS, published)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Klachten"] == "24" and tiles["Gesprekken"] == "800"
    table = funnel_table(at)
    assert table.loc["Centrum-West", "klachten"] == "×" and table.loc["Centrum-West", "per_1000"] == "—*"
    assert table.loc["Centrum-Oost", "klachten"] == "×"  # hidden too, else 9 − 7 = 2 (stadsdeel level)
    assert table.loc["Westerpark", "klachten"] == "6"
    assert "2" not in table.loc["Centrum-West"].to_list() and "10,00" not in table.loc["Centrum-West"].to_list()
    assert any("Niet in de trechter (2): Centrum-Oost; Centrum-West" in rendered_text(c.value) for c in at.caption)
    assert any("× = verborgen: een aantal van 1 tot en met 4" in c.value for c in at.caption)  # the footnote
    assert not any(disabled_banner_nl() in b for b in banners(at))


def test_areas_page_table_has_no_small_value(published):
    at = open_page(AREAS, published)
    table = at.dataframe[-1]
    values = table.value.set_index("code")
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(table.proto.arrow_data.styler.display_values)
    shown = shown.set_index(values.index)
    # Hidden cells carry no number a viewer could read (the data under the styler has no finite value there)
    assert not (values.loc["DX01", "klachten"] == values.loc["DX01", "klachten"] and
                abs(values.loc["DX01", "klachten"]) < float("inf"))
    assert shown.loc["DX01", "klachten"] == "×" and shown.loc["DX01", "klachten_per_1000"] == "—*"
    assert shown.loc["DX02", "klachten"] == "×"
    assert values.loc["DX03", "klachten"] == 6 and shown.loc["DX03", "klachten"] == "6"
    assert any("× = verborgen" in c.value for c in at.caption)


def test_evaluator_switches_hiding_off_and_sees_the_banner(published, dataset):
    at = open_page(COMPLAINTS, published)
    at.toggle(key="kleine_aantallen_tonen").set_value(True).run()
    assert not at.exception
    assert any(disabled_banner_nl() in b for b in banners(at))
    table = funnel_table(at)
    # The numbers of the selection the page runs with (switching to months keeps the period's first month).
    expected = complaints_model(PageInput(dataset, at.session_state["_view"].selection, OFF)).funnel().chart.table
    shown = {row["eenheid"]: row for row in expected.texts.iter_rows(named=True)}["Centrum-West"]
    assert shown["klachten"] in {"1", "2"}  # January alone, or January and February: small either way
    assert table.loc["Centrum-West", "klachten"] == shown["klachten"]
    assert table.loc["Centrum-West", "per_1000"] == shown["per_1000"]
    at.switch_page(AREAS)
    at.run()
    assert any(disabled_banner_nl() in b for b in banners(at)), "the switch holds on every page"
    assert at.dataframe[-1].value.set_index("code").loc["DX01", "klachten"] == 2


def test_overview_single_small_unit_shows_its_sign_with_the_legend(published):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["dataset"] = published
    at.query_params["eenheden"] = "DX01"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Klachten"] == "×"  # one sign for every hidden count (issue 12)
    assert tiles["Klachten per 1.000 gesprekken"] == "—*"
    assert any(note.startswith("× = verborgen") for note in notes(at)), "the signs are explained where they appear"


def test_overview_example_data_total_is_shown():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Klachten"] == "30"  # a total of 30 identifies nobody
    assert tiles["Klachten per 1.000 gesprekken"] == "2,27"


def test_map_page_hides_the_small_unit_and_its_complement(published, monkeypatch, tmp_path):
    monkeypatch.setenv("COHORT_BOUNDARIES_DOWNLOAD", "0")
    monkeypatch.setenv("COHORT_CACHE_DIR", str(tmp_path / "cache"))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"dataset": published, "indicator": "Klachten", "gebied": "DX01"}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(MAP)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Klachten per 1.000 gesprekken"] == "—*"  # DX01: 2 complaints on 200 conversations
    table = at.dataframe[-1].value.set_index("code")
    # DX02 (7) shields DX01 (2): Centrum's 9 would give DX01 back. Neither holds a number a viewer could read.
    assert no_number(table.loc["DX01", "waarde"]) and no_number(table.loc["DX02", "waarde"])
    # A rate is compared with the city by default: on hidden counts no class either, only the sign.
    assert table.loc["DX01", "klasse"] == table.loc["DX02", "klasse"] == "—*"
    assert table.loc["DX03", "waarde"] == pytest.approx(30.0) and table.loc["DX04", "waarde"] == pytest.approx(45.0)
    screen = displayed(at.dataframe[-1]).set_index("code")
    assert screen.loc["DX01", "waarde"] == screen.loc["DX02", "waarde"] == "—*"  # the sign, never "None"
    assert screen.loc["DX03", "waarde"] == "30,00"
    groups = at.dataframe[0].value.set_index("naam")
    assert groups.loc["Jongeren", "klachten"] == 5
    at.radio(key="niveau").set_value("stadsdeel").run()  # Centrum 9 / 400, West 15 / 400
    per_district = at.dataframe[-1].value.set_index("naam")
    assert per_district["waarde"].to_dict() == {"Centrum": pytest.approx(22.5), "West": pytest.approx(37.5)}


def no_number(value) -> bool:
    """A hidden cell holds no readable number: empty, or -inf (how `cohort.ui.models` marks a cell with a sign,
    because st.dataframe shows "None" over an empty cell whatever the Styler says)."""
    return pd_isna(value) or value == float("-inf")


def displayed(element) -> pd.DataFrame:
    """The texts a viewer sees in an st.dataframe (the Styler's display values)."""
    return dataframe_util.convert_arrow_bytes_to_pandas_df(element.proto.arrow_data.styler.display_values)


def pd_isna(value) -> bool:
    return value is None or value != value  # NaN is the only value not equal to itself
