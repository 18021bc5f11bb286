"""The Kaart page model on a small dataset, every value computed by hand.

January to June 2020 (quarters K1 and K2, one half year); peildatum 30 June 2020. Per month:

    unit                  stadsdeel  cohort               bijstand  gesprekken  uitstroom_werk  klachten (6 months)
    DX01 Centrum-West     Centrum    jan 2020 – mrt 2020      1000         100   10               1 0 0 1 0 0 = 2
    DX02 Centrum-Oost     Centrum    from apr 2020            2000          50   12               2 1 1 1 1 1 = 7
    DX03 Westerpark       West       from jan 2021 (gepland)  1500           0    6               0
    DX04 Bos en Lommer    West       none                      500          30    5 in K1, 1 in K2 2 1 2 1 2 1 = 9
    DG01 Jongeren         (group)    from jan 2020             800          20    4               1 1 1 1 1 0 = 5

What the release hides, by its rules (`cohort.privacy.release`):
- Outflow: DX04's K2 is 3 (small). Its half year (18) is shown, so its K1 (15) goes too (else 18 − 15 = 3);
  West's K2 (21) and K1 (33) are shown, so DX03's K2 and K1 go as well. Over the half year DX03 (36) and DX04 (18)
  are shown: DX04's K2 can still be anything from 1 to 17. Centrum's areas are untouched.
- Complaints (one half year): DX01's 2 is small; Centrum's 9 is shown, so DX02 (7, the smallest visible part) is
  hidden too. DX04 9, the city 18 and DG01 5 are shown.

Rates (per 1,000): outflow per person-month = uitstroom_werk / Σ bijstand over the months × 1,000:
DX01 60/6000 = 10,0; DX02 72/12000 = 6,0; DX03 36/9000 = 4,0; DX04 18/3000 = 6,0; Centrum 132/18000 = 7,3;
West 54/12000 = 4,5; the city (all areas) 186/30000 = 6,2; DG01 24/4800 = 5,0. Complaints per 1,000 gesprekken:
DX04 9/180 = 50,00; Centrum 9/900 = 10,00; West 9/180 = 50,00; DX03 has no conversations: "—".
"""

from dataclasses import replace
from datetime import date, datetime

import pytest
from workbooks import make_workbook

from cohort.charts.palette import COMPARISON_COLOURS, SEQUENTIAL
from cohort.map.boundaries import Division
from cohort.map.deck import HIDDEN_LABEL
from cohort.map.units import map_units
from cohort.pagemodels.common import PageInput, Tile
from cohort.pagemodels.fairness import fairness
from cohort.pagemodels.map import HIDDEN_CLASS, NO_DATA_CLASS, area_panel, map_model
from cohort.privacy.release import Count
from cohort.privacy.rules import DEFAULT_RULE, SuppressionRule
from cohort.selection import default_selection
from cohort.workbook.read import read_workbook

UNITS = [
    ["DX01", "Centrum-West", "gebied", "Centrum", datetime(2020, 1, 1), datetime(2020, 3, 31)],
    ["DX02", "Centrum-Oost", "gebied", "Centrum", datetime(2020, 4, 1), None],
    ["DX03", "Westerpark", "gebied", "West", datetime(2021, 1, 1), None],
    ["DX04", "Bos en Lommer", "gebied", "West", None, None],
    ["DG01", "Jongeren", "doelgroep", None, datetime(2020, 1, 1), None],
]
PER_MONTH = {"DX01": (1000, 100, 10), "DX02": (2000, 50, 12), "DX03": (1500, 0, 6), "DX04": (500, 30, None),
             "DG01": (800, 20, 4)}
COMPLAINTS = {"DX01": (1, 0, 0, 1, 0, 0), "DX02": (2, 1, 1, 1, 1, 1), "DX03": (0,) * 6, "DX04": (2, 1, 2, 1, 2, 1),
              "DG01": (1, 1, 1, 1, 1, 0)}
OFF = SuppressionRule(enabled=False)


def monthly_rows() -> list[list]:
    rows = []
    for i in range(6):
        for code, (persons, talks, work) in PER_MONTH.items():
            work = work if work is not None else (5 if i < 3 else 1)
            rows.append([datetime(2020, i + 1, 1), code, persons, talks, 2 * work, work, COMPLAINTS[code][i], 0, 0, 0])
    return rows


@pytest.fixture(scope="module")
def dataset():
    return read_workbook(make_workbook(UNITS, monthly_rows())).dataset


def page_input_for(dataset, rule=DEFAULT_RULE, **changes):
    selection = replace(default_selection(dataset), **changes)
    assert selection.peildatum == changes.get("peildatum", date(2020, 6, 30))
    return PageInput(dataset, selection, rule)


def model_for(dataset, rule=DEFAULT_RULE, **changes):
    return map_model(page_input_for(dataset, rule, **changes))


def panel_of(dataset, model, code, rule=DEFAULT_RULE, **changes):
    """The panel the page shows for `code`: built for that unit alone, from the model of the same input."""
    return area_panel(page_input_for(dataset, rule, **changes), model, code)


@pytest.fixture(scope="module")
def model(dataset):
    return model_for(dataset)


def texts(table, column: str, key: str = "code") -> dict[str, str]:
    return dict(zip(table.texts.get_column(key).to_list(), table.texts.get_column(column).to_list(), strict=True))


def values(table, column: str, key: str = "code") -> dict:
    return dict(zip(table.texts.get_column(key).to_list(), table.values.get_column(column).to_list(), strict=True))


# --- The map as a table, per indicator ----------------------------------------------------------------------------


def test_outflow_per_area(model):
    table = model.colouring("uitstroom_werk").table
    assert texts(table, "waarde") == {"DX01": "10,0", "DX02": "6,0", "DX03": "4,0", "DX04": "6,0"}
    assert values(table, "waarde")["DX01"] == pytest.approx(10.0)
    assert texts(table, "status") == {"DX01": "Afgerond", "DX02": "Actief", "DX03": "Gepland", "DX04": "Geen cohort"}
    assert texts(table, "periode")["DX01"] == "jan 2020 – mrt 2020"
    # Round class limits over 4 … 10: steps of 2 -> 4, 6, 8, 10 (the lower limit belongs to the class).
    assert texts(table, "klasse") == {"DX01": "8,0 – 10,0", "DX02": "6,0 – 8,0", "DX03": "4,0 – 6,0",
                                      "DX04": "6,0 – 8,0"}
    assert [c.label for c in table.columns[-2:]] == ["Uitstroom naar werk per 1.000", "Kleur"]
    assert table.notes[0].startswith("Uitstroom naar werk per 1.000 personen in de bijstand per maand")


def test_complaints_hidden_and_missing_read_as_signs(model):
    colouring = model.colouring("klachten")
    assert texts(colouring.table, "waarde") == {"DX01": "—*", "DX02": "—*", "DX03": "—", "DX04": "50,00"}
    assert values(colouring.table, "waarde")["DX01"] is None  # empty in the data, not only in the text
    assert texts(colouring.table, "klasse") == {"DX01": HIDDEN_CLASS, "DX02": HIDDEN_CLASS, "DX03": NO_DATA_CLASS,
                                                "DX04": "50,00"}
    rows = {r["code"]: r for r in colouring.coloured.values.iter_rows(named=True)}
    assert rows["DX01"]["colour"] is None and rows["DX01"]["value_text"] == "—*"  # grey, "—*" in the tooltip
    assert rows["DX04"]["value_text"] == "50,00 per 1.000 gesprekken"
    assert "2 van de 4 waarden zijn verborgen" in colouring.notice.text
    assert any("× = verborgen" in note for note in colouring.table.notes)


def test_counts_per_area(model):
    assert texts(model.colouring("gesprekken").table, "waarde") == {
        "DX01": "600", "DX02": "300", "DX03": "0", "DX04": "180"}
    # Persons on welfare at the peildatum month (a stock), not summed over the months.
    assert texts(model.colouring("bijstand").table, "waarde") == {
        "DX01": "1.000", "DX02": "2.000", "DX03": "1.500", "DX04": "500"}


def test_status_table_has_one_column_per_fact(model):
    # Issue 13 item 6: no empty "Status cohortaanpak" column beside "Status" when coloured by status.
    table = model.colouring("status").table
    assert [c.label for c in table.columns] == ["Code", "Gebied", "Stadsdeel", "Status", "Cohortperiode"]
    with_benchmark = model.colouring("status", True)  # no city average for status: the plain status colouring
    assert (with_benchmark.benchmark, with_benchmark.table.texts.equals(table.texts)) == ("geen", True)
    assert model.colouring("onbekend").indicator == "status"


def classes(colouring) -> dict[str, str]:
    return texts(colouring.table, "klasse")


def test_classes_against_the_city_by_hand(model):
    """Outflow against the city, 186 / 30.000 = 6,2 per 1.000 (four areas: too few to estimate a spread).

    Exact (Garwood) intervals per 1.000: DX01 60 / 6.000: 95% 7,63 – 12,87, 99,8% 6,48 – 14,67: above 6,2 at both
    levels. DX02 72 / 12.000: 4,70 – 7,56 holds 6,2. DX03 36 / 9.000: 95% 2,80 – 5,54 lies below 6,2, but the
    99,8% interval 2,25 – 6,52 holds it: lower at 95% only. DX04 18 / 3.000: 3,56 – 9,48 holds 6,2.
    """
    colouring = model.colouring("uitstroom_werk", "stad")
    assert classes(colouring) == {"DX01": "Hoger (ook bij 99,8%)", "DX02": "Niet te onderscheiden",
                                  "DX03": "Lager (95%)", "DX04": "Niet te onderscheiden"}
    rows = {r["code"]: r for r in colouring.coloured.values.iter_rows(named=True)}
    assert rows["DX01"]["colour"] == COMPARISON_COLOURS["hoger_998"]
    assert rows["DX02"]["colour"] == COMPARISON_COLOURS["niet_te_onderscheiden"]  # grey
    assert rows["DX03"]["colour"] == COMPARISON_COLOURS["lager_95"]
    assert rows["DX03"]["value_text"] == "4,0 per 1.000 per maand · Lager (95%)"
    assert texts(colouring.table, "maatstaf") == dict.fromkeys(("DX01", "DX02", "DX03", "DX04"), "6,2")
    # At 99,8% only DX01 stays coloured; DX03 is "just inside" the stricter limits.
    assert classes(model.colouring("uitstroom_werk", "stad", "998")) == {
        "DX01": "Hoger (ook bij 99,8%)", "DX02": "Niet te onderscheiden", "DX03": "Niet te onderscheiden",
        "DX04": "Niet te onderscheiden"}
    notes = colouring.coloured.notes
    assert notes[0].startswith("Maatstaf: het stedelijk gemiddelde, 6,2 per 1.000 per maand")
    assert any("Te weinig gebieden (4)" in n for n in notes)
    assert any(n.startswith("Let op: met 4 gebieden tegelijk") for n in notes)
    assert colouring.method and "Spiegelhalter" in " ".join(colouring.method)
    legend = [item.label for item in colouring.coloured.legend]
    assert legend[:5] == ["Hoger (ook bij 99,8%)", "Hoger (95%)", "Niet te onderscheiden", "Lager (95%)",
                          "Lager (ook bij 99,8%)"]


def test_classes_against_the_comparison_areas_and_before_the_start(model):
    # Areas without a running cohort in January–June 2020: DX02's K1 (36 / 6.000), DX03 and DX04 all six months
    # (36 / 9.000 and 18 / 3.000): 90 / 18.000 = 5,0. DX01's cohort months (K1) 30 / 3.000 = 10,0: exact 95%
    # interval 6,75 – 14,28 and 99,8% 5,62 – 16,2, above 5,0. DX02 from April 36 / 6.000 = 6,0 (4,20 – 8,31).
    # DX03 and DX04 have no cohort months in the window: "—".
    compared = model.colouring("uitstroom_werk", "vergelijking")
    assert classes(compared) == {"DX01": "Hoger (ook bij 99,8%)", "DX02": "Niet te onderscheiden", "DX03": "—",
                                 "DX04": "—"}
    assert texts(compared.table, "waarde") == {"DX01": "10,0", "DX02": "6,0", "DX03": "—", "DX04": "—"}
    # Before the start: DX02 36 / 6.000 before and 36 / 6.000 after, a ratio of 1; DX01 starts with the window.
    before = model.colouring("uitstroom_werk", "voor_start")
    assert classes(before) == {"DX01": "—", "DX02": "Niet te onderscheiden", "DX03": "—", "DX04": "—"}
    assert texts(before.table, "maatstaf")["DX02"] == "6,0"


def test_a_class_is_never_made_of_a_hidden_count(dataset, model):
    """Complaints: DX01 (2) and DX02 (7, hidden with it) are "—*" and white; DX04's 9 / 180 against the city's
    18 / 1.080 = 16,67 is higher at 95% (lower limit 22,86) but not at 99,8% (χ²(0,001; 18) / 2 = 2,94: 16,32)."""
    colouring = model.colouring("klachten", "stad")
    assert classes(colouring) == {"DX01": "—*", "DX02": "—*", "DX03": "—", "DX04": "Hoger (95%)"}
    rows = {r["code"]: r for r in colouring.coloured.values.iter_rows(named=True)}
    assert rows["DX01"]["colour"] == COMPARISON_COLOURS["verborgen"] and rows["DX01"]["value_text"] == "—* · —*"
    assert panel_of(dataset, model, "DX01").class_tiles[("klachten", "stad", "95", "ja")].value == "—*"
    # Every class shown rests on shown counts only, for every choice on the page (and at the stadsdeel level).
    for level in ("gebied", "stadsdeel"):
        page_input = PageInput(dataset, replace(default_selection(dataset), level=level), DEFAULT_RULE)
        units = [(u.code, u.members) for u in map_units(page_input.units, page_input.selection.peildatum, level)]
        fair = fairness(page_input, units, level)
        for compared in fair.comparisons.values():
            for unit_class in compared.classes.values():
                rests_on = (unit_class.value.events, unit_class.value.exposure, unit_class.reference.events,
                            unit_class.reference.exposure)
                assert not unit_class.compared or all(c.shown for c in rests_on), unit_class
                assert unit_class.compared or unit_class.colour == "#FFFFFF"
    # Trends of areas with a hidden quarter (DX03, DX04) are hidden too.
    dx04_trends = {t.label: t.value for t in panel_of(dataset, model, "DX04").trend_tiles}
    assert dx04_trends["Trend uitstroom, laatste 6 maanden"] == "—*"
    # The proof: move 2 complaints from DX02 to DX01 (4 and 5, both still hidden, Centrum still 9). What the page
    # shows must not change at all, classes and colours included, or a class would tell the hidden counts apart.
    moved = {**COMPLAINTS, "DX01": (1, 1, 1, 1, 0, 0), "DX02": (1, 1, 1, 0, 1, 1)}
    rows_moved = []
    for i in range(6):
        for code, (persons, talks, work) in PER_MONTH.items():
            work = work if work is not None else (5 if i < 3 else 1)
            rows_moved.append([datetime(2020, i + 1, 1), code, persons, talks, 2 * work, work, moved[code][i], 0, 0,
                               0])
    moved_dataset = read_workbook(make_workbook(UNITS, rows_moved)).dataset
    other = model_for(moved_dataset)
    assert other.colouring_keys == model.colouring_keys and len(model.colouring_keys) == 5 + 2 * 3 * 2 * 2
    for key in model.colouring_keys:
        colouring, other_colouring = model.colouring(*key), other.colouring(*key)
        assert (colouring.indicator, colouring.benchmark, colouring.level, colouring.spread) == key
        assert other_colouring.table.texts.equals(colouring.table.texts), key
        assert other_colouring.coloured.values.select("code", "colour", "klasse", "value_text").equals(
            colouring.coloured.values.select("code", "colour", "klasse", "value_text")), key
    for code in model.units:
        panel, other_panel = panel_of(dataset, model, code), panel_of(moved_dataset, other, code)
        assert other_panel.class_tiles == panel.class_tiles
        assert other_panel.trend_tiles == panel.trend_tiles


def test_per_stadsdeel(dataset):
    model = model_for(dataset, level="stadsdeel")
    outflow = model.colouring("uitstroom_werk").table
    assert texts(outflow, "waarde", "naam") == {"Centrum": "7,3", "West": "4,5"}
    assert texts(outflow, "code", "naam") == {"Centrum": "A", "West": "E"}
    assert texts(model.colouring("klachten").table, "waarde", "naam") == {"Centrum": "10,00", "West": "50,00"}
    assert "stadsdeel" not in outflow.values.columns  # the name is the stadsdeel: no second column for it
    assert model.division == Division.STADSDELEN
    centrum = panel_of(dataset, model, "A", level="stadsdeel")
    assert centrum.title == "Centrum" and not centrum.can_filter
    assert "**Actief**" in centrum.summary  # DX01 finished, DX02 active
    assert "**vanaf jan 2020**" in centrum.summary  # DX02 runs on


# --- The area panel ---------------------------------------------------------------------------------------------


def test_panel_of_every_area(dataset, model):
    assert set(model.units) == {"DX01", "DX02", "DX03", "DX04"}
    panel = panel_of(dataset, model, "DX01")
    assert panel.title == "Centrum-West (Centrum)" and panel.can_filter
    assert "**Afgerond**" in panel.summary and "**jan 2020 – mrt 2020**" in panel.summary
    tiles = {t.label: t.value for t in panel.tiles_for("uitstroom_werk")}
    assert tiles == {"Gesprekken": "600", "Personen in de bijstand": "1.000", "Uitstroom naar werk": "10,0"}
    # Two quarters with 30 of 3.000 each: no change (exact test of two rates); 12 months need four quarters.
    assert {t.label: t.value for t in panel.verdicts_for("uitstroom_werk")} == {
        "Trend uitstroom, laatste 6 maanden": "geen significante verandering",
        "Trend uitstroom, laatste 12 maanden": "te weinig gegevens"}
    with_class = {t.label: t.value for t in panel.verdicts_for("uitstroom_werk", "stad")}
    assert with_class["Vergeleken met stedelijk gemiddelde"] == "Hoger (ook bij 99,8%)"
    complaints = {t.label: t for t in panel.tiles_for("klachten")}["Klachten per 1.000 gesprekken"]
    assert complaints.value == "—*" and "2" not in complaints.definition.replace("2020", "")
    assert [t.label for t in panel.tiles_for("status")] == ["Gesprekken", "Personen in de bijstand"]
    dx04 = panel_of(dataset, model, "DX04")
    shown = {t.label: t for t in dx04.tiles_for("klachten")}["Klachten per 1.000 gesprekken"]
    # 9 complaints, exact Poisson 95% limits χ²(0,025; 18)/2 = 4,115 and χ²(0,975; 20)/2 = 17,085 per 180
    # conversations: 22,86 – 94,92 per 1.000.
    assert shown.value == "50,00" and "9 klachten op 180 gesprekken" in shown.definition
    assert "22,86 – 94,92" in shown.definition
    assert panel_of(dataset, model, "XX99") is None and panel_of(dataset, model, None) is None


def test_a_panel_is_built_for_the_chosen_unit_only(dataset, monkeypatch):
    """With 10,000 units a Plotly panel for every unit took minutes: the model draws no series, a panel one."""
    import cohort.pagemodels.map as map_module

    drawn = []
    real = map_module.area_series_figure
    monkeypatch.setattr(map_module, "area_series_figure", lambda *args, **kw: drawn.append(kw["title"]) or real(
        *args, **kw))
    model = model_for(dataset)
    assert drawn == []
    panel = panel_of(dataset, model, "DX02")
    assert drawn == ["Centrum-Oost: uitstroom naar werk per kwartaal"] and panel.chart.title == drawn[0]


@pytest.mark.parametrize("level", ["gebied", "stadsdeel"])
def test_a_panel_has_the_trends_of_all_units_together(dataset, level):
    """A panel's trends come from its own unit alone (`unit_trends`): the same as computed for every unit at once."""
    page_input = page_input_for(dataset, level=level)
    model = map_model(page_input)
    every = fairness(page_input, [(u.code, u.members) for u in model.units.values()], level)
    assert len(every.trends) == 2 * len(model.units)
    for code in model.units:
        panel = panel_of(dataset, model, code, level=level)
        assert panel.trend_tiles == tuple(
            Tile(f"Trend uitstroom, laatste {months} maanden", every.trend(code, months).label,
                 every.trend(code, months).text) for months in (6, 12))
        assert {k: t.value for k, t in panel.class_tiles.items()} == {
            k: compared.classes[code].label for k, compared in every.comparisons.items()}


def test_series_per_quarter_with_gaps(dataset, model):
    shown = panel_of(dataset, model, "DX01").chart
    assert shown.title == "Centrum-West: uitstroom naar werk per kwartaal"
    assert texts(shown.table, "per_1000", "periode") == {"K1 2020": "10,0", "K2 2020": "10,0"}  # 30 / 3000
    assert texts(shown.table, "uitstroom_werk", "periode") == {"K1 2020": "30", "K2 2020": "30"}
    assert texts(shown.table, "persoonsmaanden", "periode") == {"K1 2020": "3.000", "K2 2020": "3.000"}
    hidden = panel_of(dataset, model, "DX04").chart
    assert texts(hidden.table, "per_1000", "periode") == {"K1 2020": "—*", "K2 2020": "—*"}
    assert texts(hidden.table, "uitstroom_werk", "periode") == {"K1 2020": "×", "K2 2020": "×"}
    trace = hidden.figure.data[0]
    assert all(y != y for y in trace.y)  # NaN: a gap in the line, no value to hover over
    assert [row[0] for row in trace.customdata] == ["K1 2020: —* (verborgen)", "K2 2020: —* (verborgen)"]
    assert any("onderbreking in de lijn" in c for c in hidden.captions)
    assert not any("onderbreking" in c for c in shown.captions)


# --- Target groups and what the page releases ------------------------------------------------------------------


def test_target_groups_on_the_same_windows(model):
    groups = model.groups
    row = {c.name: groups.texts.get_column(c.name)[0] for c in groups.columns}
    assert row == {"naam": "Jongeren", "status": "Actief", "gesprekken": "120", "klachten": "5",
                   "werk_per_1000": "5,0", "bijstand": "800"}
    assert any("januari 2020 tot en met juni 2020" in n for n in groups.notes)


def test_released_lists_every_count_shown(dataset, model):
    assert all(isinstance(c, Count) and c.query is not None for c in model.released)
    queries = {(c.query.measure, tuple(sorted(c.query.codes)), c.query.first, c.query.last, c.query.stock)
               for c in model.released}
    half_year = (date(2020, 1, 1), date(2020, 6, 1))
    for code in ("DX01", "DX02", "DX03", "DX04", "DG01"):
        for measure in ("gesprekken", "uitstroom_werk", "bijstand", "klachten"):
            assert (measure, (code,), *half_year, False) in queries
        assert ("bijstand", (code,), date(2020, 6, 1), date(2020, 6, 1), True) in queries
    for code in ("DX01", "DX04"):  # the panel's series per quarter: events and exposure of every point
        panel = panel_of(dataset, model, code)
        assert all(isinstance(c, Count) and c.query is not None for c in panel.released)
        panel_queries = {(c.query.measure, tuple(sorted(c.query.codes)), c.query.first, c.query.last, c.query.stock)
                         for c in panel.released}
        for quarter in ((date(2020, 1, 1), date(2020, 3, 1)), (date(2020, 4, 1), date(2020, 6, 1))):
            assert ("uitstroom_werk", (code,), *quarter, False) in panel_queries
            assert ("bijstand", (code,), *quarter, False) in panel_queries
        # Only its own unit: a panel is built for the unit chosen, never for all of them.
        assert {codes for _, codes, *_ in panel_queries} == {(code,)}
    assert ("uitstroom_werk", ("DX01", "DX02", "DX03", "DX04"), *half_year, False) in queries  # the city
    hidden = {(c.query.measure, tuple(sorted(c.query.codes))) for c in model.released if c.hidden}
    assert ("klachten", ("DX01",)) in hidden and ("klachten", ("DX02",)) in hidden
    # Nothing shown anywhere on the page is a hidden count's value.
    shown = {(c.query.measure, tuple(sorted(c.query.codes)), c.query.first, c.query.last) for c in model.released
             if c.shown}
    assert ("klachten", ("DX01",), *half_year) not in shown


def test_hiding_off_shows_every_count_per_month(dataset):
    model = model_for(dataset, OFF)
    assert texts(model.colouring("klachten").table, "waarde")["DX01"] == "3,33"  # 2 / 600
    chart = panel_of(dataset, model, "DX04", OFF).chart
    assert chart.title == "Bos en Lommer: uitstroom naar werk per maand"
    # 5 of 500 in each month of K1, then 1 of 500: 10,0 and 2,0 per 1.000.
    assert list(texts(chart.table, "per_1000", "periode").values()) == ["10,0"] * 3 + ["2,0"] * 3
    assert model.click_hint.endswith("per maand.")


def test_levels_and_legend(dataset, model):
    assert model.level == "gebied" and model.level_note is None and model.division == Division.GEBIEDEN_2015
    city = model_for(dataset, level="stad")
    assert city.level == "gebied" and "hele stad" in city.level_note
    legend = model.colouring("uitstroom_werk").coloured.legend
    # Three classes spread over the six colours light to dark: positions 0, 2,5 + 0,5 -> 3, and 5.
    assert [item.colour_hex for item in legend] == [SEQUENTIAL[0], SEQUENTIAL[3], SEQUENTIAL[5]]
    assert HIDDEN_LABEL.startswith("Verborgen")
    assert model.colouring("klachten").alt.startswith("Kaart van Amsterdam per gebied, gekleurd naar klachten")


def test_choices_are_what_a_click_can_select(dataset, model):
    """The keyboard's way to a unit's panel (the page's 'Gebied' choice): every unit on the map, by name."""
    assert model.choice_label == "Gebied"
    assert list(model.choices.items()) == [("DX04", "Bos en Lommer (DX04)"), ("DX02", "Centrum-Oost (DX02)"),
                                           ("DX01", "Centrum-West (DX01)"), ("DX03", "Westerpark (DX03)")]
    assert set(model.choices) == set(model.units)
    per_stadsdeel = model_for(dataset, level="stadsdeel")
    assert per_stadsdeel.choice_label == "Stadsdeel"
    assert per_stadsdeel.choices == {"A": "Centrum", "E": "West"}
    assert model_for(dataset, stadsdelen=("West",)).choices == {"DX04": "Bos en Lommer (DX04)",
                                                                 "DX03": "Westerpark (DX03)"}


def test_no_target_groups_selected(dataset):
    assert model_for(dataset, include_target_groups=False).groups is None


def test_cohort_band_stays_within_the_periods_shown(dataset, model):
    # DX03 starts in January 2021, after the window: no band (it would stretch the axis into 2021).
    assert panel_of(dataset, model, "DX03").chart.figure.layout.shapes == ()
    # DX02 from April 2020, still running: from April to the last month shown (June 2020).
    (band,) = panel_of(dataset, model, "DX02").chart.figure.layout.shapes
    assert (str(band.x0), str(band.x1)) == ("2020-04-01", "2020-06-01")


def test_complaints_count_per_half_year(dataset):
    # Peildatum March 2020: outflow and conversations over K1, but no half year has ended for complaints.
    model = model_for(dataset, peildatum=date(2020, 3, 31))
    assert texts(model.colouring("uitstroom_werk").table, "waarde")["DX01"] == "10,0"  # 30 / 3000
    assert texts(model.colouring("gesprekken").table, "waarde")["DX01"] == "300"
    assert set(texts(model.colouring("klachten").table, "waarde").values()) == {"—"}
    assert model.captions[0] == ("Gesprekken en uitstroom: januari 2020 tot en met maart 2020; klachten: geen hele "
                                 "periode in deze selectie (klachten tellen per half jaar); personen in de bijstand "
                                 "op de peildatum (maart 2020).")
    assert texts(model.groups, "klachten", "naam") == {"Jongeren": "—"}
