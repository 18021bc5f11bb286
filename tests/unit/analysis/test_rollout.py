"""Unit table and timeline of the page "Uitrol per gebied", on the small workbook of tests/workbooks.py.

Units: DX01 (Centrum) cohort 2019-11-01 … 2020-10-31; DX02 (Centrum) from 2021-01-01, open end; DX03 (West)
never; DG01 target group from 2020-01-01, open end. Months 2020-01 and 2020-02, identical each month:
  DX01 bijstand 1000, gesprekken 50, werk 12, 1 complaint;  DX02 bijstand 2000, werk 10;
  DX03 bijstand 1500, werk 6;  DG01 bijstand 800, gesprekken 20, werk 5, 1 complaint.
"""

from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from cohort.analysis.rollout import never_started, timeline_rows
from cohort.charts.palette import STATUS_COLOURS, STATUS_LABELS
from cohort.charts.rollout import rollout_timeline_figure
from cohort.contract import Status
from cohort.pagemodels.common import PageInput
from cohort.pagemodels.rollout import rollout_model, unit_table
from cohort.privacy.rules import SuppressionRule
from cohort.selection import default_selection

END_FEB = date(2020, 2, 29)


def model(dataset, **selection):
    base = default_selection(dataset)
    return rollout_model(PageInput(dataset, replace(base, **selection), SuppressionRule()))


def table_of(dataset, benchmark="stad", level="95", spread="ja", **selection):
    """The whole unit table (the page makes its rows per page; `unit_page` is tested against this)."""
    page_input = PageInput(dataset, replace(default_selection(dataset), **selection), SuppressionRule())
    return unit_table(page_input, rollout_model(page_input), benchmark, level, spread).table


def row(table, code):
    index = table.values.get_column("code").to_list().index(code)
    return ({c: table.values.get_column(c)[index] for c in table.values.columns},
            {c: table.texts.get_column(c)[index] for c in table.texts.columns})


def test_unit_table_by_hand(dataset):
    # One (cut-short) quarter, K1 2020 = jan-feb; the peildatum is its end, February 2020.
    table = table_of(dataset)
    assert table.values["code"].to_list() == ["DX01", "DX02", "DX03", "DG01"]  # areas by start, then groups
    values, texts = row(table, "DX01")
    assert (texts["status"], values["cohortmaanden"], values["gesprekken"]) == ("Actief", 2, 100)
    # 2 complaints: hidden (×), and so is the rate on them (—*).
    assert (values["klachten"], texts["klachten"], texts["klachten_per_1000"]) == (None, "×", "—*")
    assert values["werk_per_1000"] == pytest.approx(12.0) and texts["werk_per_1000"] == "12,0"  # 24 / 2000
    assert (values["bijstand"], texts["bijstand"]) == (1000, "1.000")
    values, texts = row(table, "DX02")
    assert (texts["status"], values["gesprekken"], values["cohortmaanden"]) == ("Gepland", 0, 0)
    assert texts["klachten_per_1000"] == "—" and texts["werk_per_1000"] == "—"  # nothing to divide by
    assert texts["eind"] == "—" and texts["stadsdeel"] == "Centrum"
    values, texts = row(table, "DG01")
    assert texts["stadsdeel"] == "—" and texts["soort"] == "Doelgroep"
    assert values["werk_per_1000"] == pytest.approx(6.25)  # 10 / 1600
    assert "None" not in " ".join(" ".join(col) for col in table.texts.rows())


def test_unit_table_with_hiding_off_shows_every_month(dataset):
    rule = SuppressionRule(enabled=False)
    base = default_selection(dataset)
    page_input = PageInput(dataset, replace(base, peildatum=date(2020, 1, 31)), rule)
    values, texts = row(unit_table(page_input, rollout_model(page_input)).table, "DX01")
    assert values["gesprekken"] == 50 and values["cohortmaanden"] == 1 and texts["klachten"] == "1"
    assert values["werk_per_1000"] == pytest.approx(12.0)


def test_timeline_rows(dataset):
    rows = timeline_rows(dataset.units, END_FEB, date(2020, 2, 1))
    assert rows["code"].to_list() == ["DX01", "DX02", "DG01"]  # DX03 never started: not in the timeline
    by_code = {r["code"]: r for r in rows.iter_rows(named=True)}
    assert by_code["DX01"]["eind_getekend"] == date(2020, 10, 31) and not by_code["DX01"]["open_einde"]
    # DG01 runs on: drawn to the last day of the data.
    assert by_code["DG01"]["open_einde"] and by_code["DG01"]["eind_getekend"] == END_FEB
    # DX02 starts after the data end: drawn at its start, never backwards.
    assert by_code["DX02"]["eind_getekend"] == date(2021, 1, 1)
    assert by_code["DX01"]["status"] == "actief" and by_code["DX02"]["status"] == "gepland"
    assert never_started(dataset.units)["code"].to_list() == ["DX03"]


def test_timeline_figure(dataset):
    units = dataset.units.with_columns(
        pl.when(pl.col("code") == "DX01").then(pl.lit("<b>Centrum</b>")).otherwise(pl.col("naam")).alias("naam")
    )
    fig = rollout_timeline_figure(timeline_rows(units, date(2021, 6, 30), date(2022, 12, 1)),
                                  peildatum=date(2021, 6, 30), title="Cohortperiode")
    traces = {t.name: t for t in fig.data}
    # 30 June 2021: DX01 finished, DX02 and DG01 active. One trace per status, in the map's colours.
    assert list(traces) == [STATUS_LABELS[Status.FINISHED], STATUS_LABELS[Status.ACTIVE]]
    assert traces["Afgerond"].marker.color == STATUS_COLOURS[Status.FINISHED]
    assert traces["Actief"].marker.color == STATUS_COLOURS[Status.ACTIVE]
    assert traces["Afgerond"].y == ("&lt;b&gt;Centrum&lt;/b&gt; (DX01)",)
    # DX01: 1 November 2019 … 31 October 2020 = 366 days (2020 is a leap year).
    assert traces["Afgerond"].x == (366 * 86_400_000,)
    # Open end (DG01, DX02) hatched; the target group at the bottom of the axis.
    assert list(traces["Actief"].marker.pattern.shape) == ["/", "/"]
    assert fig.layout.yaxis.categoryarray[0] == "Jongeren (DG01)"
    texts = [a.text for a in fig.layout.annotations]
    assert "peildatum 30 juni 2021" in texts and "Stedelijke doelgroepen" in texts
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1 and str(lines[0].x0).startswith("2021-06-30")
    assert "<b>Centrum</b>" not in str(fig.to_dict())
    hover = traces["Actief"].customdata
    assert hover[0][2] == "loopt nog (geen einddatum)" and hover[0][1] == "1 januari 2021"


def test_classes_and_trends_in_the_unit_table_by_hand(dataset):
    """Outflow to work over K1 2020 against the city, (24 + 20 + 12) / (2.000 + 4.000 + 3.000) = 6,22 per 1.000
    (three areas: too few to estimate a spread between them, so the exact limits).

    DX01 24 / 2.000 = 12,0: exact 95% interval 7,69 – 17,86 lies above 6,22, the 99,8% interval 5,82 – 21,67 does
    not: higher at 95%. DX02 20 / 4.000 (3,05 – 7,72) and DX03 12 / 3.000 (2,07 – 6,99) hold 6,22.
    """
    page = model(dataset)
    table = table_of(dataset, "stad", "95", "ja")
    classes = dict(zip(table.texts["code"], table.texts["vergelijking_werk"], strict=True))
    assert classes == {"DX01": "Hoger (95%)", "DX02": "Niet te onderscheiden", "DX03": "Niet te onderscheiden",
                       "DG01": "—"}  # a target group is not compared with areas
    strict = table_of(dataset, "stad", "998", "ja")
    assert strict.texts["vergelijking_werk"].to_list()[0] == "Niet te onderscheiden"
    # The city's complaints (DX01's 2) are hidden, so no area can be compared with them: a class would tell.
    assert set(table.texts["vergelijking_klachten"].to_list()) == {"—*", "—"}
    # No area has cohort months before its start inside this one quarter.
    assert set(table_of(dataset, "voor_start").texts["vergelijking_werk"].to_list()) == {"—"}
    # One quarter of data: no trend over 6 (two quarters) or 12 months (four).
    assert set(table.texts["trend_werk_6"].to_list()) == set(table.texts["trend_werk_12"].to_list()) == {
        "te weinig gegevens"}
    labels = {c.name: c.label for c in table_of(dataset, "vergelijking").columns}
    assert labels["vergelijking_werk"] == "Uitstroom t.o.v. vergelijkingsgebieden"
    assert any(n.startswith("Vergelijking en trend: —* = niet berekend") for n in table.notes)
    assert any("Spiegelhalter" in n for n in page.method_notes)
    assert table_of(dataset, "onzin").file_stem == "eenheden_op_peildatum"


def test_the_unit_briefing_states_the_same_class_and_trend(dataset):
    from cohort.pagemodels.briefing import unit_briefing

    page_input = PageInput(dataset, default_selection(dataset), SuppressionRule())
    assert unit_briefing(page_input, "DX01").extra_lines == (
        "Vergeleken met het stedelijk gemiddelde (95%, met spreiding tussen gebieden): uitstroom naar werk hoger "
        "(95%), klachten per gesprek —*.",
        "Trend uitstroom naar werk: laatste 6 maanden te weinig gegevens; laatste 12 maanden te weinig gegevens.",
    )
    assert unit_briefing(page_input, "DG01").extra_lines[0].startswith("Een doelgroep vergelijken we niet")


def test_the_pages_of_the_unit_table_are_its_rows(dataset, monkeypatch):
    """Cells made per page are those rows of the whole table, for every choice (here pages of 2 rows)."""
    import cohort.pagemodels.rollout as rollout

    monkeypatch.setattr(rollout, "UNIT_PAGE_ROWS", 2)
    page_input = PageInput(dataset, default_selection(dataset), SuppressionRule())
    page = rollout_model(page_input)
    assert page.pages == 2 and page.page_numbers == [1, 2]  # DX01, DX02 | DX03, DG01
    for choice in (("stad", "95", "ja"), ("vergelijking", "998", "nee"), ("voor_start", "95", "nee")):
        whole = unit_table(page_input, page, *choice).table
        parts = [rollout.unit_page(page_input, page, *choice, number) for number in (1, 2)]
        assert [p.table.texts["code"].to_list() for p in parts] == [["DX01", "DX02"], ["DX03", "DG01"]]
        assert pl.concat([p.table.texts for p in parts]).equals(whole.texts)
        assert pl.concat([p.table.values for p in parts]).equals(whole.values)
        assert {p.table.file_stem for p in parts} == {whole.file_stem}
    assert rollout.unit_page(page_input, page, page=9).number == 2  # out of range: the nearest page
    assert parts[1].caption.startswith("Rijen 3 tot en met 4 van 4.")


def test_a_caption_names_ten_units_and_counts_the_rest():
    from cohort.pagemodels.rollout import _plain_names

    units = pl.DataFrame({"naam": [f"Gebied *{i}*" for i in range(1, 13)]})
    assert _plain_names(units) == (", ".join(f"Gebied \\*{i}\\*" for i in range(1, 11))
                                   + " en 2 andere (zie de tabel bij de grafiek)")
    assert _plain_names(units.head(3)) == "Gebied \\*1\\*, Gebied \\*2\\*, Gebied \\*3\\*"
