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

import polars as pl
import pytest
from apptest import rendered_text
from streamlit.testing.v1 import AppTest
from workbooks import make_workbook

from cohort.complaints import protect_for_selection, protected_table, unit_table_frame
from cohort.outflow import protect_ranking
from cohort.privacy import DEFAULT_RULE, SuppressionRule, disabled_banner_nl
from cohort.rollout import protect_unit_table, unit_table, unit_table_download
from cohort.selection import apply_selection, default_selection
from cohort.settings import PROJECT_ROOT
from cohort.store import DatasetStore
from cohort.workbook.read import read_workbook

APP = str(PROJECT_ROOT / "app.py")
COMPLAINTS, AREAS, OVERVIEW = "views/klachten.py", "views/gebieden.py", "views/overzicht.py"
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


def protected(dataset, rule=DEFAULT_RULE) -> pl.DataFrame:
    selection = default_selection(dataset)
    units, monthly = apply_selection(dataset, selection)
    return protect_for_selection(units, monthly, selection, rule)


def by_name(frame: pl.DataFrame, column: str, key: str = "eenheid") -> dict:
    return dict(zip(frame.get_column(key).to_list(), frame.get_column(column).to_list(), strict=True))


# --- Frame builders (tables and downloads) ----------------------------------------------------------------------


def test_unit_counts_hidden_with_their_complement(dataset):
    units = protected_table(protected(dataset), "gebied")
    assert by_name(units, "klachten_tekst") == {
        "Centrum-West": "×", "Centrum-Oost": "×", "Westerpark": "6", "Bos en Lommer": "9", "Jongeren": "5"}
    assert by_name(units, "klachten")["Centrum-West"] is None  # null in the data, not only in the text
    assert by_name(units, "per_1000_tekst") == {
        "Centrum-West": "—*", "Centrum-Oost": "—*", "Westerpark": "30,00", "Bos en Lommer": "45,00",
        "Jongeren": "25,00"}
    for bound in ("per_1000", "ondergrens", "bovengrens"):
        assert by_name(units, bound)["Centrum-West"] is None  # a bound alone would give the count back


def test_totals_shown_and_nothing_derivable(dataset):
    tables = protected(dataset)
    assert by_name(protected_table(tables, "stadsdeel"), "klachten_tekst") == {"Centrum": "9", "West": "15"}
    assert protected_table(tables, "stad").get_column("klachten_tekst").to_list() == ["24"]
    assert protected_table(tables, "doelgroepen").get_column("klachten_tekst").to_list() == ["5"]
    assert protected_table(tables, "kwartaal").get_column("klachten_tekst").to_list() == ["24"]
    # Centrum: 9 − (shown parts: none) = DX01 + DX02; with both ≥ 1 DX01 can still be 1, 2, 3 or 4.
    centrum = protected_table(tables, "gebied").filter(pl.col("stadsdeel") == "Centrum")
    assert centrum.get_column("klachten_verborgen").to_list() == [True, True]


def test_download_frame_of_the_funnel_is_suppressed(dataset):
    units = protected_table(protected(dataset), "gebied")
    frame = unit_table_frame(units)
    row = frame.filter(pl.col("eenheid") == "Centrum-West").row(0, named=True)
    assert row["klachten"] == "×" and row["per_1000"] == row["ondergrens"] == row["bovengrens"] == "—*"
    assert "2" not in [row["klachten"]] and "10,00" not in row.values()
    assert frame.filter(pl.col("eenheid") == "Westerpark").row(0, named=True)["klachten"] == "6"


def test_rule_disabled_shows_everything(dataset):
    units = protected_table(protected(dataset, OFF), "gebied")
    assert by_name(units, "klachten_tekst")["Centrum-West"] == "2"
    assert by_name(units, "per_1000_tekst")["Centrum-West"] == "10,00"
    assert not any(units.get_column("klachten_verborgen").to_list())


def test_rollout_table_and_download_suppressed(dataset):
    selection = default_selection(dataset)
    units, monthly = apply_selection(dataset, selection)
    table = unit_table(units, monthly, selection.peildatum)
    shared = protected_table(protected(dataset), "gebied")
    safe = protect_unit_table(table, shared, DEFAULT_RULE)
    assert by_name(safe, "klachten", "code") == {"DX01": None, "DX02": None, "DX03": 6, "DX04": 9, "DG01": 5}
    assert by_name(safe, "klachten_per_1000", "code")["DX01"] is None
    download = unit_table_download(safe, DEFAULT_RULE)
    assert by_name(download, "klachten", "code")["DX01"] == "×"
    assert by_name(download, "klachten_per_1000", "code")["DX01"] == "—*"
    assert "klachten_verborgen" not in download.columns
    plain = protect_unit_table(table, protected_table(protected(dataset, OFF), "gebied"), OFF)
    assert by_name(plain, "klachten", "code")["DX01"] == 2


def test_outflow_ranking_hides_small_numerators_against_the_area_total():
    # Areas A 3, B 40, C 60 persons to work; the page shows their total 103, so B (smallest visible) goes too.
    ranking = pl.DataFrame({
        "code": ["A", "B", "C", "G"], "naam": ["A", "B", "C", "G"], "soort": ["gebied"] * 3 + ["doelgroep"],
        "stadsdeel": ["X", "X", "Y", None], "maanden": [3, 3, 3, 3], "uitstroom_werk": [3, 40, 60, 2],
        "persoonsmaanden": [1000, 2000, 3000, 500], "werk_per_1000": [3.0, 20.0, 20.0, 4.0],
        "werk_lower": [0.6, 14.3, 15.3, 0.5], "werk_upper": [8.8, 27.2, 25.7, 14.4],
    })
    safe = protect_ranking(ranking, DEFAULT_RULE)
    assert by_name(safe, "uitstroom_werk_tekst", "code") == {"A": "×", "B": "×", "C": "60", "G": "×"}
    assert by_name(safe, "werk_per_1000", "code") == {"A": None, "B": None, "C": 20.0, "G": None}
    assert by_name(safe, "werk_upper_tekst", "code")["A"] == "—*"


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
    at.session_state["cijfers_klachten_trechter_gebied"] = True  # tables are built only when opened
    at.run()
    label = "Cijfers bij deze grafiek: Trechterplot"
    (expander,) = [e for e in at.expander if rendered_text(e.label).startswith(label)]
    return expander.dataframe[0].value.set_index("eenheid")


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
    assert any("Niet in de trechter (2): Centrum-Oost, Centrum-West" in c.value for c in at.caption)
    assert any("aantal van 1 tot en met 4" in c.value for c in at.caption)  # the footnote
    assert not any(disabled_banner_nl() in b for b in banners(at))


def test_areas_page_table_has_no_small_value(published):
    at = open_page(AREAS, published)
    table = at.dataframe[-1].value.set_index("code")
    assert pd_isna(table.loc["DX01", "klachten"]) and pd_isna(table.loc["DX01", "klachten_per_1000"])
    assert pd_isna(table.loc["DX02", "klachten"])
    assert table.loc["DX03", "klachten"] == 6
    assert any("×: verborgen" in c.value for c in at.caption)


def test_evaluator_switches_hiding_off_and_sees_the_banner(published):
    at = open_page(COMPLAINTS, published)
    at.toggle(key="kleine_aantallen_tonen").set_value(True).run()
    assert not at.exception
    assert any(disabled_banner_nl() in b for b in banners(at))
    table = funnel_table(at)
    assert table.loc["Centrum-West", "klachten"] == "2" and table.loc["Centrum-West", "per_1000"] == "10,00"
    at.switch_page(AREAS)
    at.run()
    assert any(disabled_banner_nl() in b for b in banners(at)), "the switch holds on every page"
    assert at.dataframe[-1].value.set_index("code").loc["DX01", "klachten"] == 2


def test_overview_single_small_unit_shows_less_than_five(published):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["dataset"] = published
    at.query_params["eenheden"] = "DX01"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Klachten"] == "<5"
    assert tiles["Klachten per 1.000 gesprekken"] == "—*"


def test_overview_example_data_total_is_shown():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Klachten"] == "30"  # a total of 30 identifies nobody
    assert tiles["Klachten per 1.000 gesprekken"] == "2,27"


def pd_isna(value) -> bool:
    return value is None or value != value  # NaN is the only value not equal to itself
