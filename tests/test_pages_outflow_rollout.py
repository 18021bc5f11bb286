"""AppTest: the pages "Uitstroom naar werk" and "Uitrol per gebied" show the core's numbers and follow the filters."""

from datetime import date

import polars as pl
from apptest import metrics_by_label, open_app, open_tables

from cohort.fmt import fmt_dec, fmt_ratio
from cohort.metrics import outflow_cohort_vs_comparison, with_phase
from cohort.outflow import outflow_estimates
from cohort.selection import LETTER_PEILDATUM, Selection, apply_selection

OUTFLOW_PAGE = "views/uitstroom.py"
ROLLOUT_PAGE = "views/gebieden.py"
RAW_TILE = "Ruwe verhouding cohort t.o.v. elders"
DID_TILE = "Extra uitstroom naar werk per maand door het cohort"
DID_RATIO_TILE = "Verhouding t.o.v. zonder cohort"
# The "Cijfers bij deze grafiek" expanders build their tables only when opened; the tests open all of them.
OUTFLOW_TABLES = ("uitstroom_per_maand", "rond_de_start", "uitstroom_per_eenheid", "uitstroom_per_stadsdeel",
                  "maatregelen_per_maand")
ROLLOUT_TABLES = ("uitrol_per_gebied",)


def estimates_for(example, stadsdelen: tuple[str, ...] = ()):
    selection = Selection(peildatum=LETTER_PEILDATUM, first_month=example.first_month,
                          last_month=example.last_month, stadsdelen=stadsdelen)
    units, monthly = apply_selection(example, selection)
    return outflow_estimates(with_phase(monthly, units), units, monthly, selection.first_month, LETTER_PEILDATUM)


def test_outflow_page_shows_raw_ratio_and_did(example):
    at = open_app(check=True, page=OUTFLOW_PAGE)
    at.toggle(key="maatregelen_per_maand").set_value(True)  # the small multiples are behind a toggle
    at = open_tables(at, *OUTFLOW_TABLES)
    assert at.title[0].value == "Uitstroom naar werk"
    shown = metrics_by_label(at)
    # (a) the raw ratio is metrics.outflow_cohort_vs_comparison over the first start (Sept 2019) … June 2021.
    phased = with_phase(example.monthly, example.units)
    raw = outflow_cohort_vs_comparison(phased, date(2019, 9, 1), date(2021, 6, 1))
    assert shown[RAW_TILE] == fmt_ratio(raw.ratio) == "2,0×"
    # (b) the difference-in-differences, as extra per 1,000 and as a ratio.
    did = estimates_for(example).did
    assert shown[DID_TILE] == f"{fmt_dec(did.att)} extra per 1.000"
    assert shown[DID_RATIO_TILE] == fmt_ratio(did.ratio)
    sentence = (f"Van de ruwe factor {fmt_ratio(raw.ratio)} blijft bij een eerlijkere vergelijking "
                f"{fmt_ratio(did.ratio)} over")
    assert any(sentence in m.value for m in at.markdown)
    assert any("Voorbeelddata" in w.value for w in at.warning)
    # Every chart has its numbers: monthly series, event time, units, stadsdelen, measures (table + monthly).
    assert len(at.dataframe) == 6
    assert at.dataframe[2].value.shape[0] == 16  # 13 areas + 3 target groups with cohort months by June 2021


def test_outflow_page_follows_stadsdeel_filter(example):
    at = open_tables(open_app(check=True, page=OUTFLOW_PAGE), *OUTFLOW_TABLES)
    before = metrics_by_label(at)[RAW_TILE]
    at.multiselect(key="stadsdelen").set_value(["Zuidoost"]).run()
    assert not at.exception
    expected = estimates_for(example, ("Zuidoost",))
    shown = metrics_by_label(at)
    assert shown[RAW_TILE] == fmt_ratio(expected.raw.ratio) != before
    assert shown[DID_TILE] == f"{fmt_dec(expected.did.att)} extra per 1.000"
    # Unit ranking: Bijlmer Oost and Bijlmer Centrum (areas) plus the three city-wide target groups.
    assert at.dataframe[2].value.shape[0] == 5


def test_outflow_page_switches_measure():
    at = open_app(check=True, page=OUTFLOW_PAGE)
    at.radio(key="uitstroom_maat").set_value("uitstroom").run()
    at.radio(key="rond_start_maat").set_value("diff").run()
    assert not at.exception


def test_rollout_page_table(example):
    at = open_tables(open_app(check=True, page=ROLLOUT_PAGE), *ROLLOUT_TABLES)
    assert at.title[0].value == "Uitrol per gebied"
    assert any("7 afgerond, 6 actief, 9 gepland" in m.value for m in at.markdown)
    table = at.dataframe[1].value
    assert table.shape[0] == 25
    assert (table["status"] == "Afgerond").sum() == 7
    assert (table["soort"] == "Doelgroep").sum() == 3
    row = pl.from_pandas(table).filter(pl.col("code") == "DX21").row(0, named=True)
    assert row["status"] == "Afgerond" and row["cohortmaanden"] == 13


def test_rollout_page_follows_filters():
    at = open_tables(open_app(check=True, page=ROLLOUT_PAGE), *ROLLOUT_TABLES)
    at.multiselect(key="stadsdelen").set_value(["Zuidoost"]).run()
    assert not at.exception
    table = at.dataframe[1].value
    assert sorted(table["code"]) == ["DG01", "DG02", "DG03", "DX20", "DX21", "DX22"]
    at.selectbox(key="peildatum").set_value("2020-06").run()
    assert not at.exception
    statuses = dict(zip(at.dataframe[1].value["code"], at.dataframe[1].value["status"], strict=True))
    assert statuses["DX21"] == "Actief" and statuses["DX20"] == "Gepland"
