"""The page model of "Uitstroom naar werk" on the hand-made datasets of tests/outflow_data.py.

Small dataset, default view (peildatum December 2020, period January–December 2020):
- Comparison window: the first start is DX01 on 1 April 2020, so (a) runs over April–December (Q2–Q4).
  Cohort months: DX01 April–September (6 × 10 to work on 6 × 1,000), DX02 July–December (the start on 15 July
  counts July; 6 × 6 on 6 × 2,000): 96 on 18,000 person-months. Comparison months: DX02 April–June (3 × 6 on
  3 × 2,000) and DX03 April–December (6 × 3 + 1 on 9 × 1,500): 37 on 19,500 person-months.
- DX03 has 1 to work in Q4 (primary suppression), and it is the only comparison area in Q3 and Q4. The release
  hides more (its Q3, and the comparison totals over the window) so that 1 cannot be worked out: the page shows
  the comparison count of (a) as "×" and the raw ratio as "—*".
- Per quarter (comparison): Q1 all three areas 3 × (10 + 6 + 3) = 57 on 13,500 (4,22 per 1,000); Q2 DX02 + DX03
  18 + 9 = 27 on 10,500 (2,57). Cohort: Q2 DX01 30 on 3,000 (10,00); Q3 30 + 18 = 48 on 9,000 (5,33); Q4 DX02
  18 on 6,000 (3,00).
- Per unit, cohort months up to the peildatum: DX01 60 on 6,000 = 10,00 (exact Poisson for 60: 45,79–77,23, so
  7,63–12,87); DG01 24 on 6,000 = 4,00 (15,3773–35,7101: 2,56–5,95); DX02 36 on 12,000 = 3,00.
- Herinstroom (city only) over the window: cohort 6 × 3 + 6 × 2 = 30 on 18,000 (1,67); comparison 3 × 2 + 9 × 2 =
  24 on 19,500 (1,23). Q1 comparison 3 × (3 + 2 + 2) = 21 on 13,500 (1,56).
- Three areas: the difference-in-differences (2 started, 2 comparison areas) and the event-time profile (at most
  2 areas a month) are not shown.

Staggered dataset: five areas start April–August, five never; +4 per 1,000 in every cohort month. The DiD gives
exactly 4,0 (ratio 14 / 10 = 1,4), over all areas whatever the filter; with four starters it is not shown.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest
from attacker import collect_counts
from outflow_data import small, staggered

from cohort.analysis.outflow import did_all_areas
from cohort.pagemodels.common import PageInput
from cohort.pagemodels.outflow import measures_chart, outflow_model
from cohort.pagemodels.outflow_common import DidEstimate, difference_meaning, fair_comparison_sentence
from cohort.privacy.rules import SuppressionRule
from cohort.selection import Selection, default_selection

RULE = SuppressionRule()
APR, DEC = date(2020, 4, 1), date(2020, 12, 1)


@pytest.fixture(scope="module")
def dataset():
    return small()


@pytest.fixture(scope="module")
def model(dataset):
    return outflow_model(PageInput(dataset, default_selection(dataset), RULE))


def rows(table, key: str = "periode") -> dict:
    """{(key value, groep) or key value: row of texts}."""
    texts = table.texts
    keys = texts.get_column(key).to_list()
    if "groep" in texts.columns:
        keys = list(zip(keys, texts.get_column("groep").to_list(), strict=True))
    return dict(zip(keys, texts.iter_rows(named=True), strict=True))


COHORT, COMPARISON = "Cohort loopt", "Vergelijking"


def test_raw_comparison_by_hand(model):
    assert model.window == (APR, DEC)
    raw = model.raw
    assert (raw.cohort.events.value, raw.cohort.exposure.value) == (96, 18_000)
    assert raw.comparison.exposure.value == 19_500
    # DX02 before its start (April to June, 3 x 6) and DX03 (April to September 6 x 3, October 1): 37. It rests
    # on DX03's fourth quarter (1), which stays hidden: the release shows sums that leave it uncertain (the
    # attacker test on this dataset, tests/unit/privacy/test_attacker.py, checks that).
    assert raw.comparison.events.value == 37
    # (96 / 18.000) / (37 / 19.500) = 5,33 / 1,90 per 1.000 = 2,81
    assert raw.ratio_text() == "2,8×" and raw.ratio is not None and raw.ratio.ratio == pytest.approx(2.8108108)
    ratio_tile, rates_tile = model.raw_tiles
    assert (ratio_tile.value, rates_tile.value) == ("2,8×", "5,3 vs 1,9")
    assert "96 personen naar werk op 18.000 persoonsmaanden in cohortgebieden, 37 op 19.500 elders" in \
        rates_tile.definition


def test_series_per_quarter_by_hand(model):
    chart = model.series["werk"]
    table = rows(chart.table)
    assert set(table) == {("K1 2020", COMPARISON), ("K2 2020", COHORT), ("K2 2020", COMPARISON), ("K3 2020", COHORT),
                          ("K3 2020", COMPARISON), ("K4 2020", COHORT), ("K4 2020", COMPARISON)}  # no cohort in Q1
    assert (table[("K1 2020", COMPARISON)]["werk_aantal"], table[("K1 2020", COMPARISON)]["persoonsmaanden"],
            table[("K1 2020", COMPARISON)]["werk_per_1000"]) == ("57", "13.500", "4,22")
    assert table[("K2 2020", COMPARISON)]["werk_per_1000"] == "2,57"
    assert [table[("K2 2020", COHORT)]["werk_per_1000"], table[("K3 2020", COHORT)]["werk_per_1000"],
            table[("K4 2020", COHORT)]["werk_per_1000"]] == ["10,00", "5,33", "3,00"]
    for quarter in ("K3 2020", "K4 2020"):  # Q4 is 1 (DX03 only); Q3 would give it back from the window total
        row = table[(quarter, COMPARISON)]
        assert row["werk_aantal"] == "×" and row["werk_per_1000"] == row["werk_interval"] == "—*"
        assert row["uitstroom_aantal"] == "18" and row["uitstroom_per_1000"] == "4,00"  # all outflow is not small
    values = chart.table.values
    hidden = values.filter(values["werk_aantal"].is_null())
    assert hidden.get_column("werk_per_1000").null_count() == 2, "hidden values are null, not only hidden text"
    # The figure: a gap in the comparison line, and a grey × on the axis whose hover says "verborgen".
    line = next(t for t in chart.figure.data if t.name == "Gebieden nog niet gestart of zonder cohort")
    assert np.isnan(np.asarray(line.y, dtype=float)).sum() == 2
    marks = next(t for t in chart.figure.data if t.name == "Verborgen (×)")
    assert list(marks.customdata[:, 0]) == ["K3 2020", "K4 2020"] and "verborgen" in marks.hovertemplate
    assert any("× = verborgen" in c for c in chart.captions)


def test_ranking_by_hand(model):
    table = model.ranking.table.texts
    assert table.get_column("code").to_list() == ["DX01", "DG01", "DX02"]  # DX03 never started
    by_code = {r["code"]: r for r in table.iter_rows(named=True)}
    assert (by_code["DX01"]["maanden"], by_code["DX01"]["uitstroom_werk"], by_code["DX01"]["persoonsmaanden"]) == (
        "6", "60", "6.000")
    assert (by_code["DX01"]["werk_per_1000"], by_code["DX01"]["werk_interval"]) == ("10,00", "7,63 – 12,87")
    assert (by_code["DG01"]["maanden"], by_code["DG01"]["werk_interval"]) == ("12", "2,56 – 5,95")
    assert (by_code["DX02"]["maanden"], by_code["DX02"]["werk_per_1000"]) == ("6", "3,00")


def test_per_stadsdeel_by_hand(model):
    table = rows(model.by_level.table, "stadsdeel")
    centrum, west = table["Centrum"], table["West"]
    assert (centrum["cohort_uitstroom_werk"], centrum["cohort_per_1000"]) == ("96", "5,33")
    assert (centrum["vergelijking_uitstroom_werk"], centrum["vergelijking_persoonsmaanden"],
            centrum["vergelijking_per_1000"], centrum["verhouding"]) == ("18", "6.000", "3,00", "1,78")
    assert (west["cohort_persoonsmaanden"], west["cohort_per_1000"]) == ("0", "—")  # never in a cohort: no data
    # DX03 alone, April to December: 6 x 3 + 1 = 19 on 9 x 1.500 = 13.500 person-months: 1,41 per 1.000; no
    # cohort in West, so no ratio.
    assert (west["vergelijking_uitstroom_werk"], west["vergelijking_persoonsmaanden"], west["vergelijking_per_1000"],
            west["verhouding"]) == ("19", "13.500", "1,41", "—")


def test_measures_for_the_city_by_hand(model, dataset):
    (row,) = model.measures_summary.texts.iter_rows(named=True)
    assert (row["maat"], row["soort"]) == ("Herinstroom", "neveneffect")
    assert (row["cohort_aantal"], row["cohort_per_1000"], row["vergelijking_aantal"],
            row["vergelijking_per_1000"]) == ("30", "1,67", "24", "1,23")
    assert model.measures_periods  # the course per quarter is offered, and built when asked for
    course = measures_chart(PageInput(dataset, default_selection(dataset), RULE))
    assert {c.query for c in collect_counts(course.chart) if c.query is not None} <= {c.query for c in course.released}
    quarters = rows(course.chart.table)
    assert (quarters[("K1 2020", COMPARISON)]["aantal"], quarters[("K1 2020", COMPARISON)]["per_1000"]) == ("21",
                                                                                                            "1,56")


def test_estimates_over_all_areas_need_five_and_five(model):
    assert model.did.result is None and model.did_tiles == ()
    assert "2 gestarte en 2 vergelijkingsgebieden" in model.did_notice.text
    assert model.sentence is None
    assert model.event_rate is None and "Te weinig gebieden" in model.event_notice.text


def test_released_lists_every_count_the_model_shows(model):
    released = {c.query for c in model.released}
    assert all(c.query is not None and c.state != "unavailable" for c in model.released)
    assert {c.query for c in collect_counts(model) if c.query is not None} <= released
    raw = model.raw
    assert {raw.cohort.events.query, raw.comparison.events.query, raw.comparison.exposure.query} <= released
    # The hidden Q4 of the comparison areas is among them, as hidden.
    q4 = next(c for c in model.released if c.query.measure == "uitstroom_werk" and c.query.phase == "vergelijking"
              and (c.query.first, c.query.last) == (date(2020, 10, 1), DEC))
    assert q4.hidden


def test_filter_changes_a_but_not_b(dataset, model):
    centrum = Selection(date(2020, 12, 31), date(2020, 1, 1), DEC, stadsdelen=("Centrum",))
    filtered = outflow_model(PageInput(dataset, centrum, RULE))
    # (a) Centrum: 96 / 18,000 against DX02's April–June 18 / 6,000: 5,333 / 3,0 = 1,78.
    assert filtered.raw.ratio_text() == "1,8×"
    assert filtered.raw_tiles[1].value == "5,3 vs 3,0"
    # (b) is over all areas: the same answer as without the filter.
    assert filtered.did.notice == model.did.notice and filtered.did.n_areas == 3


def test_did_shown_with_five_starters_and_the_same_for_any_filter():
    data = staggered(5)
    selection = default_selection(data)
    full = outflow_model(PageInput(data, selection, RULE))
    assert full.window == (APR, DEC)
    assert full.raw.ratio_text() == "1,4×"  # 14 against 10 per 1,000
    extra, ratio = full.did_tiles
    assert (extra.value, ratio.value) == ("4,0 extra per 1.000", "1,4×")
    assert "Gemeten 14,0, zonder cohort verwacht 10,0" in extra.definition
    assert "(hier 5 gestarte en 9 vergelijkingsgebieden)" in full.did_caption  # 4 before their start + 5 never
    assert full.sentence == "Van de ruwe factor 1,4× blijft bij een eerlijkere vergelijking 1,4× over."
    one = outflow_model(PageInput(data, dataclasses.replace(selection, units=("DX01", "DX06")), RULE))
    assert one.did.result is full.did.result  # the fixed set: one cached estimate over all areas
    assert one.sentence.endswith("de ruwe factor gaat over de gekozen gebieden, de eerlijkere over alle gebieden.")
    assert did_all_areas(data, APR, DEC) is full.did.result


def test_event_time_points_need_five_areas():
    data = staggered(5)
    model = outflow_model(PageInput(data, default_selection(data), RULE))
    table = model.event_rate.table.texts
    by_month = dict(zip(table.get_column("event_time").to_list(), table.iter_rows(named=True), strict=True))
    # Month k exists for all five starters from k = -3 (April - 3 = January) to k = +4 (August + 4 = December).
    for k in ("-3", "-2", "-1"):
        assert (by_month[k]["n_units"], by_month[k]["rate"]) == ("5", "10,00")
    for k in ("0", "+1", "+4"):
        assert (by_month[k]["n_units"], by_month[k]["rate"]) == ("5", "14,00")
    for k in ("-4", "+5"):
        assert by_month[k]["n_units"] == "4" and by_month[k]["rate"] == "—"
    line = next(t for t in model.event_rate.figure.data if t.mode == "lines+markers")
    assert list(line.x) == [-3, -2, -1, 0, 1, 2, 3, 4]


def test_four_starters_are_too_few():
    data = staggered(4)
    model = outflow_model(PageInput(data, default_selection(data), RULE))
    assert model.did.result is None and "4 gestarte" in model.did_notice.text


def test_sentences_follow_the_numbers():
    data = staggered(5)
    model = outflow_model(PageInput(data, default_selection(data), RULE))
    result = model.did.result

    def did(ratio: float, ci: tuple[float, float]) -> DidEstimate:
        changed = dataclasses.replace(result, ratio=ratio, ratio_ci=ci)
        return dataclasses.replace(model.did, result=changed)

    raw = model.raw  # 1,4×
    assert fair_comparison_sentence(raw, did(0.96, (0.8, 1.1)), same_areas=True) == (
        "Van de ruwe factor 1,4× blijft bij een eerlijkere vergelijking 1,0× over: geen hogere uitstroom naar "
        "werk dan zonder cohortaanpak te verwachten was.")
    lower = difference_meaning(raw, did(1.2, (0.9, 1.5)), same_areas=True)
    assert "blijft 1,2× over: de aanpak lijkt de uitstroom te verhogen, maar een deel" in lower
    assert "Het 95%-interval (0,9 – 1,5) bevat 1,0×: een effect is niet aangetoond." in lower
    assert "het ruwe verschil komt niet door de aanpak" in difference_meaning(raw, did(0.9, (0.8, 1.0)),
                                                                              same_areas=True)
    assert "overschat het effect hier niet" in difference_meaning(raw, model.did, same_areas=True)
    assert difference_meaning(raw, dataclasses.replace(model.did, result=None), same_areas=True) is None


def test_hiding_off_gives_months(dataset):
    off = SuppressionRule(enabled=False)
    model = outflow_model(PageInput(dataset, default_selection(dataset), off))
    assert model.period_word == "maand"
    table = rows(model.series["werk"].table)
    assert table[("oktober 2020", COMPARISON)]["werk_aantal"] == "1"  # evaluators see everything
    assert model.raw.ratio_text() == "2,8×"  # 96/18,000 against 37/19,500: 5,333 / 1,897
    assert "níet verborgen" in model.signs


def test_side_effect_parts_are_shared_across_stadsdelen_and_still_released(example):
    # The side effects are for all areas together: a change of stadsdeel reuses them, and the second model
    # still lists the counts they show (the same released counts as a model built from scratch).
    from cohort.pagemodels import outflow as outflow_module

    base = default_selection(example)
    centrum = Selection(base.peildatum, base.first_month, base.last_month, stadsdelen=("Centrum",))
    first = outflow_model(PageInput(example, base, RULE))
    shared = outflow_model(PageInput(example, centrum, RULE))
    first_course = measures_chart(PageInput(example, base, RULE))
    shared_course = measures_chart(PageInput(example, centrum, RULE))
    assert first_course.chart is not None and shared_course.chart is first_course.chart
    assert shared_course.released == first_course.released
    assert shared.measures_summary is first.measures_summary
    outflow_module._MEASURES_PARTS.clear()
    fresh = outflow_model(PageInput(example, centrum, RULE))
    fresh_course = measures_chart(PageInput(example, centrum, RULE))
    assert fresh.measures_summary is not shared.measures_summary and fresh_course.chart is not shared_course.chart
    assert {c.query for c in shared.released} == {c.query for c in fresh.released}
    assert {c.query for c in shared_course.released} == {c.query for c in fresh_course.released}
    assert fresh_course.chart.table.texts.equals(shared_course.chart.table.texts)


def test_sums_over_many_units_are_asked_once_per_release(example):
    # The overview and Uitstroom ask for the same series; the second ledger gets the release's answer again
    # (the same Count), and a release under another rule answers for itself.
    from cohort.pagemodels.outflow_common import Ledger, all_area_codes

    page_input = PageInput(example, default_selection(example), RULE)
    codes = all_area_codes(page_input)
    window = page_input.window("uitstroom_werk")
    first = Ledger(page_input).count("uitstroom_werk", codes, window, "vergelijking")
    again = Ledger(page_input).count("uitstroom_werk", list(codes), window, "vergelijking")
    assert again is first and again == page_input.release.count("uitstroom_werk", codes, *window, "vergelijking")
    off = PageInput(example, default_selection(example), SuppressionRule(enabled=False))
    other = Ledger(off).count("uitstroom_werk", codes, window, "vergelijking")
    assert other is not first and other == off.release.count("uitstroom_werk", codes, *window, "vergelijking")
    ledger = Ledger(page_input)
    assert ledger.count("uitstroom_werk", codes, None) == ledger.count("uitstroom_werk", codes[:1], None)
    assert ledger.count("uitstroom_werk", codes, None).state == "unavailable"
